"""Parameter sets: validation on construction, discrete-time views, serialisation."""

import math

import pytest

from snn_mnist.neuron_models import IF, LIF, IFParameters, LIFParameters, NeuronParameters, ParameterError


@pytest.mark.parametrize("cls", [IFParameters, LIFParameters])
@pytest.mark.parametrize(
    "bad, message",
    [
        ({"tau_m_ms": 0.0}, "tau_m must be > 0"),
        ({"tau_m_ms": -5.0}, "tau_m must be > 0"),
        ({"tau_ref_ms": -1.0}, "tau_ref must be >= 0"),
        ({"v_reset_mV": -50.0}, "v_reset"),  # equal to v_th
        ({"v_reset_mV": -40.0}, "v_reset"),
        ({"v_rest_mV": -45.0}, "v_rest"),
        ({"v_th_mV": math.nan}, "finite number"),
        ({"tau_m_ms": math.inf}, "finite number"),
        ({"v_th_mV": "-50"}, "finite number"),
    ],
)
def test_invalid_parameters_are_refused(cls, bad, message):
    with pytest.raises(ParameterError, match=message):
        cls(**bad)


def test_decay_per_step():
    assert LIF.decay(1.0) == pytest.approx(math.exp(-1 / 20))
    assert IF.decay(1.0) == 1.0


def test_refractory_steps_must_be_whole():
    assert LIF.refractory_steps(1.0) == 2 and LIF.refractory_steps(0.5) == 4
    with pytest.raises(ParameterError, match="not a multiple of dt"):
        LIFParameters(tau_ref_ms=2.5).refractory_steps(1.0)


def test_namespace_carries_units():
    from brian2 import ms, mV

    ns = LIFParameters(tau_m_ms=10.0, v_th_mV=-52.0).namespace()
    assert ns["tau_m"] == 10 * ms and ns["v_th"] == -52 * mV and ns["tau_ref"] == 2 * ms


@pytest.mark.parametrize("params", [IF, LIF, LIFParameters(tau_m_ms=7.5, v_reset_mV=-70.0)])
def test_dict_round_trip(params):
    assert NeuronParameters.from_dict(params.to_dict()) == params


@pytest.mark.parametrize(
    "data, message",
    [({"kind": "HH"}, "unknown neuron model"), ({"kind": "LIF", "tau_x_ms": 1.0}, "LIF")],
)
def test_from_dict_refuses_unknown_models_and_fields(data, message):
    with pytest.raises(ParameterError, match=message):
        NeuronParameters.from_dict(data)
