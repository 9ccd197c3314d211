"""Weights are pre x post: ``w_input_hidden[i, j]`` connects input pixel i to hidden neuron j."""

import numpy as np
import pytest

from snn_mnist.networks.simulation import simulate


@pytest.mark.parametrize("pixel, hidden, output", [(5, 2, 7), (700, 6, 0)])
def test_one_weight_reaches_one_neuron(handmade, pixel, hidden, output):
    sparse_weights, spike_trains = handmade
    # 8 hidden neurons: a transposed layout would read w[hidden, pixel] (zero) instead
    weights = sparse_weights("lif-lif", 8, {(pixel, hidden): 20.0}, {(hidden, output): 20.0})
    frozen = spike_trains(1, 25, [(0, 2, pixel), (0, 10, pixel), (0, 11, 3)])  # pixel 3 has no weight
    result = simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen",
                      frozen=frozen, record_hidden=True)
    expected_hidden = np.zeros(8, int)
    expected_hidden[hidden] = 2
    expected_output = np.zeros(10, int)
    expected_output[output] = 2
    np.testing.assert_array_equal(result.hidden_counts[0], expected_hidden)
    np.testing.assert_array_equal(result.output_counts[0], expected_output)


def test_negative_weight_inhibits(handmade):
    sparse_weights, spike_trains = handmade
    weights = sparse_weights("if-if", 2, {(0, 0): 20.0, (1, 0): -10.0}, {})
    alone = spike_trains(1, 25, [(0, 5, 0)])
    inhibited = spike_trains(1, 25, [(0, 4, 1), (0, 5, 0)])
    counts = [simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen",
                       frozen=f, record_hidden=True).hidden_counts[0, 0] for f in (alone, inhibited)]
    assert counts == [1, 0]
