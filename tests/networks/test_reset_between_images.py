"""Every image starts from rest: its spikes do not depend on the image shown before it."""

import numpy as np
import pytest

from snn_mnist.networks.simulation import input_spikes, simulate


@pytest.mark.parametrize("model", ["if-if", "lif-lif"])
def test_counts_do_not_depend_on_the_previous_image(random_weights, sample_digits, model):
    weights = random_weights(model, n_hidden=32, seed=1)
    images = sample_digits[0][:3]
    frozen = input_spikes(images, weights, seed=2)
    after_two = simulate(weights, images, backend="runtime", input_mode="frozen", frozen=frozen,
                         record_hidden=True, record_voltages={"hidden": range(32)})
    alone = simulate(weights, images[2:], backend="runtime", input_mode="frozen", frozen=frozen[2:],
                     record_hidden=True)
    np.testing.assert_array_equal(after_two.hidden_counts[2], alone.hidden_counts[0])
    np.testing.assert_array_equal(after_two.output_counts[2], alone.output_counts[0])
    assert alone.hidden_counts.sum() > 0 and alone.output_counts.sum() > 0
    # the test means something only if image 1 left the membranes away from rest
    _, v = after_two.voltages["hidden"]
    last_step_of_image_1 = 2 * weights.steps - 1
    assert np.abs(v[:, last_step_of_image_1] - weights.topology.hidden_neuron.v_rest_mV).max() > 1.0
