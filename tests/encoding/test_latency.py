"""Latency coding: one spike per pixel at most, brighter earlier, none below the threshold; the same spikes
made inside Brian2, replayed frozen, and given to the trainer."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn_mnist.encoding import EncodingError, LatencyCode, code_from_dict
from snn_mnist.encoding.latency import SILENT, latency_spikes, spike_steps


def test_brighter_pixels_spike_earlier_once_and_dim_ones_never():
    images = np.arange(256, dtype=np.uint8)[None, :]  # every intensity once
    when = spike_steps(images, threshold=0.25, window_ms=10.0, dt_ms=1.0)[0]
    x = np.arange(256) / 255
    assert (when[x < 0.25] == SILENT).all()  # below the threshold: silent
    lit = when[x >= 0.25]
    assert (lit >= 0).all() and lit[-1] == 0  # white spikes at once
    assert (np.diff(lit) <= 0).all()  # monotonic: brighter never later
    assert lit[0] == 9  # the dimmest lit pixel (64/255, just above the threshold) near the window's end (9.98 ms)
    spikes = latency_spikes(images, steps=25, threshold=0.25, window_ms=10.0, dt_ms=1.0)
    assert spikes.sum(1).max() == 1 and spikes.sum() == (x >= 0.25).sum()  # at most one spike each


def test_the_spike_time_is_the_same_in_ms_at_any_dt():
    images = np.array([[255, 200, 128, 70, 10]], dtype=np.uint8)
    coarse = spike_steps(images, 0.25, 10.0, 1.0)
    fine = spike_steps(images, 0.25, 10.0, 0.1)
    lit = coarse >= 0
    assert (fine[lit] // 10 == coarse[lit]).all() and (fine[~lit] == SILENT).all()


def test_bad_latency_codes_are_refused_in_one_line():
    for data, message in [({"type": "latency", "threshold": 1.0}, r"threshold must lie in \(0, 1\)"),
                          ({"type": "latency", "window_ms": -3}, "window must be a positive number"),
                          ({"type": "latency", "speed": 2}, "has no parameter 'speed'"),
                          ({"type": "latency", "threshold": "high"}, "threshold must be a number")]:
        with pytest.raises(EncodingError, match=message):
            code = code_from_dict(data)
            code.check(1.0, 25.0)
    with pytest.raises(EncodingError, match=r"window \(30 ms\) must end within the image's 25 ms"):
        LatencyCode(window_ms=30.0).check(1.0, 25.0)


@pytest.mark.parametrize("backend", ["runtime", "cpp"])
def test_brian2_makes_the_latency_spikes_the_trainer_is_given(random_weights, sample_digits, backend):
    """Spikes made inside the simulation (a TimedArray of spike steps) equal the frozen replay of the same
    code, spike for spike, and the trainer's batch holds exactly those spikes."""
    torch = pytest.importorskip("torch")
    from snn_mnist.networks.simulation import input_spikes, simulate
    from snn_mnist.trainer.train import latency_batch

    images = sample_digits[0][:20]
    weights = dataclasses.replace(random_weights("lif-lif", n_hidden=32), encoding=LatencyCode(0.3, 12.0))
    inside = simulate(weights, images, backend=backend, record_input=True, record_hidden=True)
    frozen = input_spikes(images, weights, seed=0)
    replayed = simulate(weights, images, backend=backend, input_mode="frozen", frozen=frozen, record_input=True,
                        record_hidden=True)
    np.testing.assert_array_equal(inside.input_counts, frozen.sum(1))
    np.testing.assert_array_equal(inside.hidden_counts, replayed.hidden_counts)
    np.testing.assert_array_equal(inside.output_counts, replayed.output_counts)
    assert inside.input_counts.max() == 1 and inside.input_counts.sum() > 20 * 50
    batch = latency_batch(torch.from_numpy(images), weights.encoding, weights.steps, weights.dt_ms)
    np.testing.assert_array_equal(batch.to_dense().numpy().astype(bool), frozen.transpose(1, 0, 2))


def test_the_trainer_and_brian2_agree_on_a_latency_network(random_weights, sample_digits):
    """Parity, as for Poisson input: the trainer's model and Brian2 on identical latency spikes."""
    pytest.importorskip("torch")
    from snn_mnist.trainer.parity import compare

    weights = dataclasses.replace(random_weights("lif-lif", n_hidden=32), encoding=LatencyCode())
    figures = compare(weights, sample_digits[0][:100], sample_digits[1][:100], backend="runtime", seed=0)
    assert figures["label_agreement"] == 1.0 and figures["count_agreement"] == 1.0
