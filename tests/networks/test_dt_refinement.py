"""dt refinement: the bundled conductance-based network is a continuous-time model, so simulating it at a
finer time step (the input at the same rates in Hz) must leave its accuracy where it was."""

from __future__ import annotations

import pytest

from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.metrics import accuracy
from snn_mnist.readout.spike_count import predict
from snn_mnist.weights import pretrained


@pytest.mark.slow  # three C++ builds
def test_the_coba_lif_lif_classifies_alike_at_1_0_5_and_0_1_ms(sample_digits):
    """The 300 bundled test digits, Poisson input, cpp: 98.3% at 0.1 ms on the runtime backend when this
    test was written. Accuracies may differ by the Poisson draws and by the finer integration, not more:
    within 2 points of each other (a binomial standard error on 300 digits is 0.8 points)."""
    images, labels = sample_digits
    weights = pretrained.load("lif-lif-coba")
    found = {}
    for dt_ms in (1.0, 0.5, 0.1):
        at_dt = weights.at_dt(dt_ms)
        assert at_dt.duration_ms == weights.duration_ms and at_dt.max_rate_hz == weights.max_rate_hz
        sim = simulate(at_dt, images, backend="cpp", seed=0, track_potentials=True)
        found[dt_ms] = accuracy(predict(sim.output_counts, sim.output_first_step), labels)
        hidden = sim.physiology["hidden"]
        assert -80.0 <= hidden["v_min_mV"] and hidden["mean_rate_hz"] <= 30.0, (dt_ms, hidden)
    assert min(found.values()) >= 0.96, found
    assert max(found.values()) - min(found.values()) <= 0.02, found
