"""The step a built network runs at is said, never silently chosen: ``dt_ms``, or Brian2's
``defaultclock.dt`` when it already is the network's step."""

from __future__ import annotations

import numpy as np
import pytest
from brian2 import defaultclock, ms

import snn_mnist as snn


def test_a_defaultclock_that_is_not_the_networks_step_is_an_error_naming_both(sample_digits):
    weights = snn.load("lif-lif-coba")  # trained at 1 ms
    defaultclock.dt = 0.1 * ms  # what a user sets, intending 0.1 ms (and Brian2's own start)
    with pytest.raises(ValueError, match=r"defaultclock.dt is 0.1 ms and this network's step 1 ms.*dt_ms=1.*dt_ms=0.1"):
        snn.build(weights, images=sample_digits[0][:2])
    assert defaultclock.dt == 0.1 * ms  # not undone


def test_dt_ms_runs_the_network_at_that_step_and_sets_the_defaultclock(sample_digits, small_weights):
    weights = small_weights  # 784-32-10 at 1 ms
    net = snn.build(weights, images=sample_digits[0][:2], dt_ms=0.1)
    assert net.weights.dt_ms == 0.1 and net.weights.steps == 10 * weights.steps
    assert net.duration == 2 * weights.duration_ms * ms  # each image shown as long as at 1 ms
    assert defaultclock.dt == 0.1 * ms
    own = snn.build(weights, images=sample_digits[0][:2], dt_ms=1.0)
    assert own.weights is weights and defaultclock.dt == 1 * ms
    again = snn.build(weights, images=sample_digits[0][:2])  # the defaultclock now says 1 ms: no dt_ms needed
    assert again.weights.dt_ms == 1.0


def test_a_step_the_network_cannot_take_is_refused(sample_digits):
    with pytest.raises(ValueError, match="biases"):  # imported networks that add a bias per step
        from snn_mnist.weights import NetworkWeights

        w = snn.load("lif-lif")
        w = NetworkWeights(**{**w.__dict__, "bias_hidden": np.zeros(w.topology.n_hidden, np.float32)})
        snn.build(w, images=sample_digits[0][:1], dt_ms=0.1)
    with pytest.raises(ValueError, match="not a whole number"):
        snn.build(snn.load("lif-lif"), images=sample_digits[0][:1], dt_ms=0.3)


def test_frozen_spikes_must_have_the_networks_steps():
    weights = snn.load("lif-lif")
    with pytest.raises(ValueError, match=r"\(images, 250 steps, inputs\) at 0.1 ms, got shape \(1, 25, 784\)"):
        snn.build(weights, frozen=np.zeros((1, 25, 784), dtype=bool), dt_ms=0.1)
