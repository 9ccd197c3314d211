"""Hand-made weights and input spike trains for pinning what the networks do."""

from __future__ import annotations

import numpy as np
import pytest

from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import NetworkWeights


def sparse_weights(model: str, n_hidden: int, input_hidden: dict, hidden_output: dict, steps: int = 25) -> NetworkWeights:
    """Weights that are zero except ``{(pre, post): mV}`` in each layer."""
    topology = TOPOLOGIES[model].with_hidden(n_hidden)
    w_ih = np.zeros((topology.n_inputs, n_hidden), np.float32)
    w_ho = np.zeros((n_hidden, topology.n_outputs), np.float32)
    for array, entries in ((w_ih, input_hidden), (w_ho, hidden_output)):
        for (pre, post), value in entries.items():
            array[pre, post] = value
    return NetworkWeights(topology=topology, w_input_hidden=w_ih, w_hidden_output=w_ho, steps=steps)


def spike_trains(n_images: int, steps: int, spikes: list[tuple[int, int, int]]) -> np.ndarray:
    """Frozen input with a spike at each ``(image, step, pixel)``."""
    trains = np.zeros((n_images, steps, 784), bool)
    for image, step, pixel in spikes:
        trains[image, step, pixel] = True
    return trains


@pytest.fixture
def handmade():
    return sparse_weights, spike_trains
