"""The IF neuron against its analytic solution: tau_m dv/dt = v_drive, no leak."""

import math

import numpy as np
import pytest

from snn_mnist.neuron_models import IF, IFParameters

DT = 0.1  # ms


def crossing_ms(p, v_from: float, v_drive: float) -> float:
    """Time for the ramp v_from + v_drive * t / tau_m to reach v_th."""
    return (p.v_th_mV - v_from) * p.tau_m_ms / v_drive


def test_linear_ramp(run_neuron):
    rec = run_neuron(IF, v_drive_mV=2.5, duration_ms=100.0, dt_ms=DT)  # reaches -52.5 mV: no spike
    np.testing.assert_allclose(rec.v_mV, IF.v_rest_mV + 2.5 * rec.t_ms / IF.tau_m_ms, rtol=0, atol=1e-9)
    assert len(rec.spikes_ms) == 0


def test_holds_its_potential_without_input(run_neuron):
    """No leak: a synaptic jump stays where it put v."""
    rec = run_neuron(IF, v_drive_mV=0.0, duration_ms=30.0, dt_ms=DT, inputs_ms=[5.0])
    step = round(5.0 / DT)
    np.testing.assert_array_equal(rec.v_mV[: step + 1], IF.v_rest_mV)
    np.testing.assert_array_equal(rec.v_mV[step + 1 :], IF.v_rest_mV + 5.0)


def test_first_spike_time_and_reset_value(run_neuron):
    p = IFParameters(v_reset_mV=-70.0)
    rec = run_neuron(p, v_drive_mV=35.0, duration_ms=10.0, dt_ms=DT)
    k1 = math.ceil(crossing_ms(p, p.v_rest_mV, 35.0) / DT) - 1  # T = 8.57 ms
    np.testing.assert_allclose(rec.spikes_ms, [k1 * DT])
    assert rec.v_mV[k1] < p.v_th_mV and rec.v_mV[k1 + 1] == p.v_reset_mV


@pytest.mark.parametrize("tau_ref_ms", [0.0, 2.0, 5.0])
def test_refractory_period_holds_v_and_sets_the_interspike_interval(run_neuron, tau_ref_ms):
    p = IFParameters(v_reset_mV=-70.0, tau_ref_ms=tau_ref_ms)
    rec = run_neuron(p, v_drive_mV=35.0, duration_ms=60.0, dt_ms=DT)
    steps = np.round(rec.spikes_ms / DT).astype(int)
    k1 = math.ceil(crossing_ms(p, p.v_rest_mV, 35.0) / DT) - 1
    refractory = max(round(tau_ref_ms / DT), 1)  # see test_lif: the spike's step counts
    isi = refractory + math.ceil(crossing_ms(p, p.v_reset_mV, 35.0) / DT) - 1
    assert steps[0] == k1
    np.testing.assert_array_equal(np.diff(steps), isi)
    np.testing.assert_array_equal(rec.v_mV[k1 + 1 : k1 + refractory + 1], p.v_reset_mV)
    t = (np.arange(k1 + refractory + 1, steps[1] + 1) - (k1 + refractory)) * DT
    np.testing.assert_allclose(rec.v_mV[k1 + refractory + 1 : steps[1] + 1],
                               p.v_reset_mV + 35.0 * t / p.tau_m_ms, atol=1e-9)


def test_synaptic_input_is_ignored_while_refractory(run_neuron):
    """A jump arriving during the refractory period is lost; one arriving after it counts."""
    p = IFParameters(tau_ref_ms=5.0)
    # drive 35 mV fires at step 85 (8.5 ms) and holds v until 13.5 ms
    during = run_neuron(p, v_drive_mV=35.0, duration_ms=13.0, dt_ms=DT, inputs_ms=[10.0])
    quiet = run_neuron(p, v_drive_mV=35.0, duration_ms=13.0, dt_ms=DT)
    np.testing.assert_allclose(during.spikes_ms, [8.5])
    np.testing.assert_array_equal(during.v_mV, quiet.v_mV)
    after = run_neuron(p, v_drive_mV=0.0, duration_ms=13.0, dt_ms=DT, inputs_ms=[10.0])
    assert after.v_mV[-1] == p.v_rest_mV + 5.0
