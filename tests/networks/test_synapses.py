"""Current- and conductance-based synapses (neuron_models.cuba, .coba) as Brian2 equations, against their
closed forms and against the trainer's step functions, spike for spike."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn_mnist.encoding import PoissonCode
from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.neuron_models import CobaSynapse, CubaSynapse, ParameterError
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import NetworkWeights, WeightsError

CUBA, COBA = CubaSynapse(tau_syn_ms=5.0), CobaSynapse()
REST = -65.0


def one_input(synapse, model: str, w: float, steps: int = 40, dt_ms: float = 1.0):
    """A network whose hidden neuron 0 gets one input spike of weight ``w`` at step 2; its potential."""
    topology = TOPOLOGIES[model].with_hidden(2)
    w_ih = np.zeros((784, 2), np.float32)
    w_ih[0, 0] = w
    weights = NetworkWeights(topology=topology, w_input_hidden=w_ih, w_hidden_output=np.zeros((2, 10), np.float32),
                             dt_ms=dt_ms, steps=steps, encoding=PoissonCode(100.0), synapse=synapse)
    frozen = np.zeros((1, steps, 784), bool)
    frozen[0, 2, 0] = True
    result = simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen", frozen=frozen,
                      record_hidden=True, record_voltages={"hidden": [0]})
    times, v = result.voltages["hidden"]
    return times, v[0]


def test_cuba_lif_follows_the_difference_of_exponentials():
    """A current jump of w at t0 = 2 ms (after that step's state update) reaches v from the next step on:
    v - v_rest = w tau_s / (tau_s - tau_m) (exp(-t/tau_s) - exp(-t/tau_m)), t = time since the jump."""
    times, v = one_input(CUBA, "lif-lif", w=10.0)
    t = times - 3.0  # the sample at the start of step k shows the state after step k - 1
    tau_s, tau_m = 5.0, 20.0
    expected = np.where(t >= 0, 10.0 * tau_s / (tau_s - tau_m) * (np.exp(-t / tau_s) - np.exp(-t / tau_m)), 0.0)
    np.testing.assert_allclose(v - REST, expected, atol=1e-9)
    peak = int(np.argmax(v)) - 3  # ms after the jump; the closed form peaks at ln(4) 100 / 15 = 9.2 ms
    assert 1.5 < (v - REST).max() < 1.6 and peak in (9, 10)  # a postsynaptic potential, not a jump


def test_cuba_if_integrates_the_whole_charge():
    times, v = one_input(CUBA, "if-if", w=10.0, steps=80)
    t = times - 3.0
    np.testing.assert_allclose(v - REST, np.where(t >= 0, 10.0 * 5.0 / 20.0 * (1 - np.exp(-t / 5.0)), 0.0), atol=1e-9)


@pytest.mark.parametrize("dt_ms", [1.0, 0.1])
@pytest.mark.parametrize("model", ["lif-lif", "if-if"])
def test_coba_stays_between_the_reversal_potentials_and_is_defined_without_conductance(model, dt_ms):
    """A huge inhibitory conductance pulls v towards E_inh and never past it, at a coarse and a fine dt;
    with no conductance open (the IF at rest) the exponential Euler step is defined (Brian2's own form
    would divide by zero)."""
    steps = round(40 / dt_ms)
    times, v = one_input(COBA, model, w=-50.0, steps=steps, dt_ms=dt_ms)
    assert np.isfinite(v).all()
    assert v.min() >= COBA.e_inh_mV - 1e-9 and v.min() < -79.0
    assert (v[:3] == REST).all()
    _, v_exc = one_input(COBA, model, w=0.02, steps=steps, dt_ms=dt_ms)
    assert v_exc.max() > REST + 0.2 and v_exc.max() < COBA.e_exc_mV


def test_synapse_parameters_are_checked_against_the_neurons():
    with pytest.raises(WeightsError, match="tau_syn"):
        dataclasses.replace(random_synapse_weights("lif-lif", CUBA), synapse=CubaSynapse(tau_syn_ms=20.0))
    with pytest.raises(WeightsError, match="E_inh"):
        dataclasses.replace(random_synapse_weights("lif-lif", COBA), synapse=CobaSynapse(e_inh_mV=-60.0))
    with pytest.raises(WeightsError, match=r"^coba synapse: E_exc \(-55.0 mV\) must lie above the threshold$"):
        dataclasses.replace(random_synapse_weights("lif-lif", COBA), synapse=CobaSynapse(e_exc_mV=-55.0))
    with pytest.raises(ParameterError, match=r"^coba synapse: tau_exc_ms must be > 0, got 0.0$"):
        CobaSynapse(tau_exc_ms=0.0)
    with pytest.raises(ParameterError, match=r"^cuba synapse: tau_syn_ms must be > 0, got -5.0$"):
        CubaSynapse(tau_syn_ms=-5.0)
    with pytest.raises(ParameterError, match="e_inh_mV must be a finite number"):
        CobaSynapse(e_inh_mV=float("nan"))
    with pytest.raises(WeightsError, match="biases"):
        dataclasses.replace(random_synapse_weights("lif-lif", COBA), bias_hidden=np.zeros(32, np.float32))


def random_synapse_weights(model: str, synapse) -> NetworkWeights:
    """Seeded random weights that keep both layers firing on digits through ``synapse``: the ones whose
    trainer counts ``scripts/trainer_reference.py`` saves (its ``synapse_weights``), a fixture, not a model."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "trainer_reference.py"
    spec = importlib.util.spec_from_file_location("trainer_reference", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return dataclasses.replace(script.synapse_weights(model, synapse.kind), synapse=synapse)


CPP = pytest.mark.slow  # one C++ build each: the IF's written-out cuba propagator and both coba neurons
CASES = [(model, synapse, "runtime") for model in TOPOLOGIES for synapse in (CUBA, COBA)]
CASES += [pytest.param("if-lif", CUBA, "cpp", marks=CPP), pytest.param("lif-if", COBA, "cpp", marks=CPP)]


@pytest.mark.parametrize("model, synapse, backend", CASES, ids=lambda x: getattr(x, "kind", x))
def test_brian2_and_the_trainer_agree_spike_for_spike(model, synapse, backend, sample_digits):
    """Every hidden and output count and every first output spike equal, float64, on frozen input."""
    pytest.importorskip("torch")
    from snn_mnist.trainer.model import reference_counts

    weights = random_synapse_weights(model, synapse)
    images = sample_digits[0][:20]
    spikes = input_spikes(images, weights, seed=3)
    expected = reference_counts(weights, spikes)
    assert expected.hidden.sum() > 20 * 32 and expected.output.sum() > 20, "too quiet to test"
    sim = simulate(weights, images, backend=backend, input_mode="frozen", frozen=spikes, record_hidden=True)
    np.testing.assert_array_equal(sim.hidden_counts, expected.hidden)
    np.testing.assert_array_equal(sim.output_counts, expected.output)
    np.testing.assert_array_equal(sim.output_first_step, expected.output_first_step)


@pytest.mark.parametrize("model, synapse", [("lif-lif", CUBA), ("if-lif", CUBA), ("lif-if", COBA)],
                         ids=lambda x: getattr(x, "kind", x))
def test_input_first_order_agrees_with_the_trainer_spike_for_spike(model, synapse, sample_digits):
    """Norse's order for a current (its LIFCell): the step's input joins the current, then the state
    update, threshold and reset, layer after layer within the step. Brian2 equals the trainer."""
    pytest.importorskip("torch")
    from snn_mnist.trainer.model import reference_counts

    weights = dataclasses.replace(random_synapse_weights(model, synapse), step_order="input-first")
    images = sample_digits[0][:10]
    spikes = input_spikes(images, weights, seed=4)
    expected = reference_counts(weights, spikes)
    threshold_first = reference_counts(dataclasses.replace(weights, step_order="threshold-first"), spikes)
    assert not np.array_equal(expected.output_first_step, threshold_first.output_first_step)  # the order matters
    sim = simulate(weights, images, backend="runtime", input_mode="frozen", frozen=spikes, record_hidden=True)
    np.testing.assert_array_equal(sim.hidden_counts, expected.hidden)
    np.testing.assert_array_equal(sim.output_counts, expected.output)
    np.testing.assert_array_equal(sim.output_first_step, expected.output_first_step)


def test_potentials_and_rates_are_tracked_inside_the_simulation(sample_digits):
    """The lowest and highest potential kept in the groups bound every recorded sample, the highest is the
    supra-threshold value of a neuron about to fire, and the rate is the spike count over time. The
    synaptic events are every recorded input and hidden spike times its targets (32 hidden, 10 output)."""
    weights = random_synapse_weights("lif-lif", COBA)
    images = sample_digits[0][:3]
    every = {"hidden": list(range(32)), "output": list(range(10))}
    sim = simulate(weights, images, backend="runtime", input_mode="frozen", seed=1, record_hidden=True,
                   record_input=True, record_voltages=every, track_potentials=True)
    assert sim.synaptic_events == {"input_hidden": sim.input_counts.sum() * 32, "hidden_output": sim.hidden_counts.sum() * 10}
    assert sim.synaptic_events["input_hidden"] > 0
    seconds = 3 * weights.duration_ms / 1000
    for layer, n, counts in (("hidden", 32, sim.hidden_counts), ("output", 10, sim.output_counts)):
        _, v = sim.voltages[layer]
        tracked = sim.physiology[layer]
        assert tracked["v_min_mV"] <= v.min() + 1e-9 and tracked["v_max_mV"] >= v.max() - 1e-9
        assert tracked["v_min_mV"] >= COBA.e_inh_mV - 1e-9
        assert counts.sum() > 0 and tracked["v_max_mV"] > weights.topology.hidden_neuron.v_th_mV
        assert tracked["mean_rate_hz"] == pytest.approx(counts.sum() / (n * seconds))


@pytest.mark.parametrize("model, kind", [("if-lif", "cuba"), ("lif-if", "coba")])
def test_brian2_reproduces_the_trainers_saved_counts(model, kind, sample_digits):
    """Without PyTorch (so on every Brian2 the package supports): the weights and the trainer's counts kept
    by scripts/trainer_reference.py, every count and first spike equal in Brian2."""
    from pathlib import Path

    from snn_mnist.neuron_models import synapse_named

    key = f"synapse/{model}-{kind}"
    with np.load(Path(__file__).resolve().parents[1] / "data" / "trainer_counts.npz") as saved:
        w1, w2 = saved[f"{key}/w_input_hidden"], saved[f"{key}/w_hidden_output"]
        expected = {what: saved[f"{key}/{what}"] for what in ("output", "hidden", "output_first_step")}
    weights = NetworkWeights(topology=TOPOLOGIES[model].with_hidden(w1.shape[1]), w_input_hidden=w1,
                             w_hidden_output=w2, encoding=PoissonCode(500.0), synapse=synapse_named(kind))
    images = sample_digits[0][: len(expected["output"])]
    sim = simulate(weights, images, backend="runtime", input_mode="frozen", frozen=input_spikes(images, weights, 0),
                   record_hidden=True)
    np.testing.assert_array_equal(sim.output_counts, expected["output"])
    np.testing.assert_array_equal(sim.hidden_counts, expected["hidden"])
    np.testing.assert_array_equal(sim.output_first_step, expected["output_first_step"])
    assert expected["output"].sum() > len(images) and expected["hidden"].sum() > 32 * len(images)
