"""The LIF neuron against its analytic solution: tau_m dv/dt = v_rest - v + v_drive."""

import math

import numpy as np
import pytest

from snn_mnist.neuron_models import LIF, LIFParameters

DT = 0.1  # ms


def crossing_ms(p, v_from: float, v_drive: float) -> float:
    """Time for v(t) = v_inf + (v_from - v_inf) exp(-t/tau_m) to reach v_th, v_inf = v_rest + v_drive."""
    v_inf = p.v_rest_mV + v_drive
    return p.tau_m_ms * math.log((v_from - v_inf) / (p.v_th_mV - v_inf))


def test_charging_curve(run_neuron):
    rec = run_neuron(LIF, v_drive_mV=10.0, duration_ms=100.0, dt_ms=DT)  # settles 5 mV below threshold
    expected = LIF.v_rest_mV + 10.0 * (1 - np.exp(-rec.t_ms / LIF.tau_m_ms))
    np.testing.assert_allclose(rec.v_mV, expected, rtol=0, atol=1e-9)
    assert len(rec.t_ms) == 1000 and rec.v_mV[-1] > LIF.v_rest_mV + 9.9  # within 1% of the asymptote
    assert len(rec.spikes_ms) == 0


def test_decays_back_to_rest_without_drive(run_neuron):
    rec = run_neuron(LIF, v_drive_mV=0.0, duration_ms=20.0, dt_ms=DT)
    np.testing.assert_array_equal(rec.v_mV, LIF.v_rest_mV)


def test_first_spike_time_and_reset_value(run_neuron):
    p = LIFParameters(v_reset_mV=-70.0)  # reset below rest, so a reset cannot pass for a rest
    rec = run_neuron(p, v_drive_mV=30.0, duration_ms=16.0, dt_ms=DT)
    # Brian2 fires in the step whose update carries v over v_th: step ceil(T/dt) - 1
    k1 = math.ceil(crossing_ms(p, p.v_rest_mV, 30.0) / DT) - 1  # T = 20 ln 2 = 13.86 ms
    np.testing.assert_allclose(rec.spikes_ms, [k1 * DT])
    assert rec.v_mV[k1] < p.v_th_mV and rec.v_mV[k1 + 1] == p.v_reset_mV


@pytest.mark.parametrize("tau_ref_ms", [0.0, 2.0, 5.0])
def test_refractory_period_holds_v_and_sets_the_interspike_interval(run_neuron, tau_ref_ms):
    p = LIFParameters(v_reset_mV=-70.0, tau_ref_ms=tau_ref_ms)
    rec = run_neuron(p, v_drive_mV=30.0, duration_ms=60.0, dt_ms=DT)
    steps = np.round(rec.spikes_ms / DT).astype(int)
    k1 = math.ceil(crossing_ms(p, p.v_rest_mV, 30.0) / DT) - 1
    # The spike's own step is the first refractory one; the neuron integrates again from step
    # k1 + R (R = tau_ref/dt, at least 1) and fires ceil(Tc/dt) - 1 steps later, Tc being the
    # analytic climb from v_reset to v_th.
    refractory = max(round(tau_ref_ms / DT), 1)
    isi = refractory + math.ceil(crossing_ms(p, p.v_reset_mV, 30.0) / DT) - 1
    assert steps[0] == k1
    np.testing.assert_array_equal(np.diff(steps), isi)
    # no integration while refractory: v sits at v_reset until step k1 + R has been integrated
    np.testing.assert_array_equal(rec.v_mV[k1 + 1 : k1 + refractory + 1], p.v_reset_mV)
    assert rec.v_mV[k1 + refractory + 1] > p.v_reset_mV
    # between spikes it follows the charging curve from v_reset
    t = (np.arange(k1 + refractory + 1, steps[1] + 1) - (k1 + refractory)) * DT
    v_inf = p.v_rest_mV + 30.0
    np.testing.assert_allclose(rec.v_mV[k1 + refractory + 1 : steps[1] + 1],
                               v_inf + (p.v_reset_mV - v_inf) * np.exp(-t / p.tau_m_ms), atol=1e-9)
