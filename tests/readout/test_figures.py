"""One digit with everything recorded (readout.inspection), and the figures drawn from it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from snn_mnist.digits import sample
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout import figures
from snn_mnist.readout.inspection import most_active, run_digit
from snn_mnist.readout.spike_count import predict
from snn_mnist.weights import NetworkWeights


@pytest.fixture(scope="module")
def activity():
    """MNIST test digit 0 (bundled sample) through seeded random 784-32-10 lif-lif weights (a test
    fixture, not a model), on Brian2's runtime backend, run once for this module."""
    rng = np.random.default_rng(0)
    weights = NetworkWeights(topology=TOPOLOGIES["lif-lif"].with_hidden(32),
                             w_input_hidden=rng.normal(0.4, 2.0, (784, 32)).astype(np.float32),
                             w_hidden_output=rng.normal(1.0, 6.0, (32, 10)).astype(np.float32))
    images, _ = sample.load()
    return run_digit(weights, images[0], seed=4, voltages={"hidden": (0, 5, 9), "output": tuple(range(10))})


def test_recorded_spikes_agree_with_the_counts(activity):
    w = activity.weights
    assert activity.input_spikes.shape == (w.steps, 784) and activity.input_spikes.dtype == bool
    assert activity.output_counts.sum() > 0 and activity.hidden_counts.sum() > 0, "weights too weak to test"
    for layer, counts in (("hidden", activity.hidden_counts), ("output", activity.output_counts)):
        times, indices = activity.trains[layer]
        np.testing.assert_array_equal(np.bincount(indices, minlength=len(counts)), counts)
        assert times.min() >= 0 and times.max() < w.duration_ms
    times, indices = activity.trains["output"]
    first = np.full(len(activity.output_counts), w.steps)
    np.minimum.at(first, indices, np.round(times / w.dt_ms).astype(int))
    np.testing.assert_array_equal(activity.output_first_step, first)
    assert activity.prediction == int(predict(activity.output_counts[None], first[None])[0])
    # input spikes only where the digit has ink
    assert not activity.input_spikes[:, activity.pixels == 0].any()


def test_matches_the_trainer_model(activity):
    """Hidden and output counts as an independent implementation computes them from the same spikes."""
    model = pytest.importorskip("snn_mnist.trainer.model")
    output, hidden, first = model.reference_counts(activity.weights, activity.input_spikes[None])
    np.testing.assert_array_equal(output[0], activity.output_counts)
    np.testing.assert_array_equal(first[0], activity.output_first_step)
    np.testing.assert_array_equal(hidden[0], activity.hidden_counts)


def test_potential_is_above_threshold_in_the_sample_of_each_spike(activity):
    """Potentials are sampled at the start of a step, after the previous step's synaptic jumps:
    the sample at a spike's time is the supra-threshold value that fires it, the next one the reset.
    The animation draws its impulses on that understanding."""
    neurons, times, v = activity.voltages["output"]
    trace = activity.layer_trace("output")
    v_th, v_reset = trace.params.v_th_mV, trace.params.v_reset_mV
    spike_times, spike_indices = activity.trains["output"]
    assert len(spike_times) > 0
    for t, i in zip(spike_times, spike_indices):
        k = int(round(t / activity.weights.dt_ms))
        assert v[neurons.index(i), k] > v_th
        if k + 1 < len(times):
            assert v[neurons.index(i), k + 1] == pytest.approx(v_reset)


def test_most_active_breaks_ties_towards_lower_indices():
    assert most_active(np.array([3, 7, 7, 1, 7]), 2) == (1, 2)
    assert most_active(np.array([0, 0, 5]), 3) == (0, 1, 2)


def _png(path):
    image = Image.open(path)
    assert image.format == "PNG"
    return np.asarray(image.convert("L"), dtype=float)


def test_input_spike_map(activity, tmp_path):
    path = tmp_path / "input.png"
    figures.input_spike_map_figure(activity.pixels, activity.input_spikes, activity.weights.dt_ms, path, "digit 0")
    pixels = _png(path)
    assert pixels.shape[1] > 2.5 * pixels.shape[0]  # three panels side by side
    assert pixels.std() > 20  # not blank


def test_raster(activity, tmp_path):
    path = tmp_path / "raster.png"
    figures.raster_figure(activity.layer_trace("hidden"), activity.layer_trace("output"),
                          activity.weights.duration_ms, path, "digit 0", prediction=activity.prediction)
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    red = (rgb[..., 0] > 180) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)
    assert red.sum() > 20  # the predicted digit's spikes and bar are drawn in red


def test_voltage_animation(activity, tmp_path):
    path = tmp_path / "v.gif"
    layers = [activity.layer_trace("hidden")]  # three panels keep the test quick
    frames = figures.voltage_animation(layers, path, title="test", fps=10, hold_frames=3)
    gif = Image.open(path)
    # one frame per step; Pillow stores the held copies of the last frame as one longer frame
    assert gif.format == "GIF" and frames == activity.weights.steps + 3 and gif.n_frames == activity.weights.steps
    first_duration = gif.info["duration"]
    first = np.asarray(gif.convert("L"), dtype=float)
    gif.seek(gif.n_frames - 1)
    last = np.asarray(gif.convert("L"), dtype=float)
    assert gif.info["duration"] == pytest.approx(4 * first_duration, rel=0.05) and first_duration == 100
    assert np.abs(last - first).mean() > 0.5  # the traces grew


def test_animation_needs_recorded_potentials(activity, tmp_path):
    from dataclasses import replace

    silent = replace(activity, voltages={})
    with pytest.raises(ValueError, match="no neuron"):
        figures.voltage_animation([silent.layer_trace("output")], tmp_path / "v.gif")
