"""The trainer's step functions against the closed-form neuron and Brian2's schedule."""

import math

import pytest

torch = pytest.importorskip("torch")

from snn_mnist.neuron_models import IFParameters, LIFParameters
from snn_mnist.trainer.dynamics import FastSigmoidSpike, LayerConstants, run_layer


def constants(params, scale="mV"):
    return LayerConstants.from_params(params, dt_ms=1.0, scale=scale)


def test_lif_decays_exponentially_to_rest_between_inputs():
    c = constants(LIFParameters(tau_m_ms=10.0))
    currents = torch.zeros(6, 1, 1, dtype=torch.float64)
    currents[0] = 10.0  # a 10 mV jump at step 0, below threshold (15 mV away)
    spikes, v = run_layer(currents, c, record_v=True)
    assert spikes.sum() == 0
    expected = [-65.0 + 10.0 * math.exp(-k / 10.0) for k in range(6)]
    assert v[:, 0, 0].tolist() == pytest.approx(expected, rel=0, abs=1e-12)


def test_if_holds_its_potential_between_inputs():
    c = constants(IFParameters())
    currents = torch.zeros(5, 1, 1, dtype=torch.float64)
    currents[1] = 4.0
    _, v = run_layer(currents, c, record_v=True)
    assert v[:, 0, 0].tolist() == [-65.0, -61.0, -61.0, -61.0, -61.0]


def test_input_reaches_threshold_test_one_step_later():
    # Brian2's order: decay, threshold, synapses, reset. A supra-threshold jump at step 0
    # is only seen by the threshold test of step 1.
    c = constants(IFParameters())
    currents = torch.zeros(3, 1, 1, dtype=torch.float64)
    currents[0] = 20.0
    spikes, v = run_layer(currents, c, record_v=True)
    assert spikes[:, 0, 0].tolist() == [0.0, 1.0, 0.0]
    assert v[1, 0, 0].item() == -65.0  # reset to v_reset


@pytest.mark.parametrize("tau_ref_ms, refractory_steps", [(0.0, 0), (1.0, 1), (3.0, 3)])
def test_refractory_neuron_ignores_input_and_cannot_fire(tau_ref_ms, refractory_steps):
    c = constants(IFParameters(tau_ref_ms=tau_ref_ms))
    assert c.refractory_steps == refractory_steps
    currents = torch.full((12, 1, 1), 20.0, dtype=torch.float64)  # every step alone crosses threshold
    spikes, _ = run_layer(currents, c)
    fired = [k for k, s in enumerate(spikes[:, 0, 0].tolist()) if s]
    # input of the spike step and of the refractory steps is ignored; the next input arrives
    # at the first free step and is seen by the threshold one step later
    period = max(refractory_steps, 1) + 1
    assert fired == list(range(1, 12, period))


def test_refractory_period_must_be_whole_steps():
    with pytest.raises(ValueError, match="multiple of dt"):
        LIFParameters(tau_ref_ms=1.5).refractory_steps(1.0)


def test_unit_scale_is_an_affine_image_of_millivolts():
    params = LIFParameters(v_rest_mV=-70.0, v_th_mV=-50.0, v_reset_mV=-75.0)
    mv, unit = constants(params, "mV"), constants(params, "unit")
    gen = torch.Generator().manual_seed(1)
    currents_unit = torch.rand((20, 4, 8), generator=gen, dtype=torch.float64) * 0.6
    spikes_unit, v_unit = run_layer(currents_unit, unit, record_v=True)
    spikes_mv, v_mv = run_layer(currents_unit * unit.gap_mV, mv, record_v=True)
    assert torch.equal(spikes_unit, spikes_mv)
    assert torch.allclose(v_unit * unit.gap_mV + params.v_rest_mV, v_mv, atol=1e-9)
    assert unit.v_reset == pytest.approx(-0.25)


def test_fast_sigmoid_surrogate_gradient():
    x = torch.tensor([-0.5, 0.0, 0.2], requires_grad=True)
    y = FastSigmoidSpike.apply(x, 10.0)
    assert y.tolist() == [0.0, 0.0, 1.0]  # strict threshold, as Brian2's v > v_th
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([1 / 36, 1.0, 1 / 9])


@pytest.mark.parametrize("model", ["lif-lif", "if-if"])
@pytest.mark.parametrize("kind", ["cuba", "coba"])
def test_the_fast_training_path_is_the_step_by_step_network(model, kind):
    """``run_layer(fast=True)`` (membrane map for all steps, backward written out) gives the spikes of the
    step-by-step ``layer_step`` and the same weight gradients, in float64, refractoriness included."""
    from snn_mnist.neuron_models import synapse_named
    from snn_mnist.neuron_models.topology import topology
    from snn_mnist.trainer.model import input_currents

    synapse = synapse_named(kind)
    c = LayerConstants.from_params(topology(model).hidden_neuron, 1.0, "unit", synapse)
    assert c.refractory_steps >= 1
    generator = torch.Generator().manual_seed(0)
    x = (torch.rand(100, 16, 784, generator=generator) < 0.02).double()
    w = (torch.randn(784, 64, generator=generator, dtype=torch.float64) * (0.03 if kind == "coba" else 0.13))
    w.requires_grad_()
    readout = torch.linspace(-1, 1, 64, dtype=torch.float64)
    results = []
    for fast, spikes in ((False, x), (True, x.to_sparse())):
        out, _ = run_layer(input_currents(spikes, synapse.split(w, torch)), c, fast=fast)
        (out.sum(0) ** 2 * readout).sum().backward()
        results.append((out.detach(), w.grad.clone()))
        w.grad = None
    (slow_spikes, slow_grad), (fast_spikes, fast_grad) = results
    assert 100 < slow_spikes.sum() < 0.5 * slow_spikes.numel()  # firing, with refractory steps in play
    assert torch.equal(slow_spikes, fast_spikes)
    assert slow_grad.abs().max() > 1.0
    torch.testing.assert_close(fast_grad, slow_grad, rtol=1e-10, atol=1e-10)
