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


def _fires_late_network(random_weights):
    """LIF-LIF weights whose hidden reset (-51 mV) lies far from rest (-65 mV) and 3 ms refractory, so that a
    neuron still refractory at an image boundary shows whether the rest reached it."""
    w = random_weights("lif-lif", n_hidden=32, seed=3)
    hidden = w.topology.hidden_neuron.replace(v_reset_mV=-51.0, tau_ref_ms=3.0)
    return w.with_neurons(hidden=hidden, output=w.topology.output_neuron.replace(v_reset_mV=-55.0))


def test_the_rest_reaches_neurons_that_fired_within_tau_ref_of_the_boundary(random_weights, sample_digits):
    """Brian2 skips writes to ``(unless refractory)`` variables in refractory neurons, in the rest too,
    unless the rest clears the flag first (neuron_models.base.REST_STATE)."""
    w = _fires_late_network(random_weights)
    images = sample_digits[0][:6]
    frozen = input_spikes(images, w, seed=2)
    sim = simulate(w, images, backend="runtime", input_mode="frozen", frozen=frozen, record_hidden=True,
                   record_voltages={"hidden": range(32)})
    times, indices = sim.hidden_spike_trains
    steps = np.round(times / w.dt_ms).astype(int)
    late = (steps % w.steps) >= w.steps - 3  # spikes in the last tau_ref of an image
    assert late.sum() > 0, "the test needs spikes within tau_ref of an image boundary"
    _, v = sim.voltages["hidden"]
    starts = np.arange(1, len(images)) * w.steps
    np.testing.assert_array_equal(v[:, starts], -65.0)  # recorded after the rest, whatever the monitor's name


@pytest.mark.parametrize("backend", ["runtime", pytest.param("cpp", marks=pytest.mark.slow)])
def test_brian2_matches_the_trainer_when_reset_and_rest_differ(random_weights, sample_digits, backend):
    pytest.importorskip("torch")
    from snn_mnist.trainer.model import reference_counts

    w = _fires_late_network(random_weights)
    images = sample_digits[0][:20]
    frozen = input_spikes(images, w, seed=2)
    expected_output, expected_hidden, _ = reference_counts(w, frozen)
    sim = simulate(w, images, backend=backend, input_mode="frozen", frozen=frozen, record_hidden=True)
    np.testing.assert_array_equal(sim.hidden_counts, expected_hidden)
    np.testing.assert_array_equal(sim.output_counts, expected_output)


def test_the_rest_runs_before_monitors_named_to_sort_first(random_weights, sample_digits):
    """Objects in the same slot run in name order unless ``order`` says otherwise: the rest has order -1."""
    from brian2 import StateMonitor, mV

    from snn_mnist.backends import activate
    from snn_mnist.networks.builder import build_network

    w = _fires_late_network(random_weights)
    frozen = input_spikes(sample_digits[0][:3], w, seed=2)
    with activate("runtime") as device:
        net = build_network(w, dt_ms=w.dt_ms, frozen=frozen)
        early = StateMonitor(net.hidden, "v", record=True, when="start", name="a_monitor")  # "a" < "hidden_rest"
        net.network.add(early)
        device.run(net.network, net.duration)
        v = early.v / mV
    assert net.network.objects  # the rest exists and ran
    np.testing.assert_array_equal(v[:, [w.steps, 2 * w.steps]], -65.0)


@pytest.mark.slow
def test_the_rest_keeps_time_with_the_images_over_minutes_of_simulated_time_on_cpp(handmade):
    """800 images of 100 ms (80 s): a constant drive makes every image's spikes the same, if the rest comes
    in each image's first step. It used to run on a clock of its own, which Brian2's C++ device let slip one
    step for one image in five from image 641 on (its clocks agree only within 1e-14 s)."""
    import dataclasses

    from snn_mnist.networks.simulation import simulate

    sparse_weights, _ = handmade
    weights = dataclasses.replace(sparse_weights("if-if", 4, {}, {(0, 0): 20.0}, steps=100),
                                  bias_hidden=np.array([1.6, 0.7, 0.45, 0.0], np.float32))
    result = simulate(weights, np.zeros((800, 784), np.uint8), backend="cpp", record_hidden=True)
    counts = result.hidden_counts
    assert counts[0].tolist() == [9, 4, 2, 0] and (counts == counts[0]).all()
    assert (result.output_counts == result.output_counts[0]).all()
    assert (result.output_first_step == result.output_first_step[0]).all()  # a late rest shifts it a step
