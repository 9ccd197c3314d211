"""NIR's CubaLIF for current-based (cuba) networks: our export and import round trip with identical
spikes, a graph in Norse's convention (its LIFCell) reproduced spike for spike, and the refusals."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from snn_mnist.encoding import PoissonCode, frozen_spikes
from snn_mnist.networks.simulation import simulate
from snn_mnist.neuron_models import CobaSynapse, CubaSynapse, LIFParameters
from snn_mnist.neuron_models.topology import TOPOLOGIES, Topology
from snn_mnist.weights import NetworkWeights, WeightsError, load, nir_io

ODD_LIF = LIFParameters(tau_m_ms=12.3, v_rest_mV=-70.1, v_th_mV=-52.7, v_reset_mV=-71.9, tau_ref_ms=1.0)


def cuba_weights(hidden=ODD_LIF, output=ODD_LIF, n_hidden=32, seed=0) -> NetworkWeights:
    rng = np.random.default_rng(seed)
    return NetworkWeights(
        topology=Topology("lif-lif", hidden, output, n_hidden=n_hidden),
        w_input_hidden=rng.normal(1.0, 4.0, (784, n_hidden)).astype(np.float32),
        w_hidden_output=rng.normal(3.0, 8.0, (n_hidden, 10)).astype(np.float32),
        dt_ms=1.0, steps=40, encoding=PoissonCode(200.0), synapse=CubaSynapse(tau_syn_ms=4.0),
    )


def spikes_of(weights: NetworkWeights, n: int = 8, seed: int = 1) -> np.ndarray:
    from snn_mnist.digits import sample

    images, _ = sample.load()
    return frozen_spikes(images[:n], weights.steps, weights.max_rate_hz, weights.dt_ms, np.random.default_rng(seed))


def run(weights: NetworkWeights, spikes: np.ndarray):
    sim = simulate(weights, np.zeros((len(spikes), 784), np.uint8), backend="runtime", input_mode="frozen",
                   frozen=spikes, record_hidden=True)
    return sim.hidden_counts, sim.output_counts, sim.output_first_step


def test_a_cuba_network_exports_as_cuba_lif_and_comes_back_identical(tmp_path):
    weights = cuba_weights()
    nir_io.write(weights, tmp_path / "cuba.nir")
    graph = nir.read(tmp_path / "cuba.nir")
    kinds = {type(node).__name__ for node in graph.nodes.values()}
    assert "CubaLIF" in kinds and "LIF" not in kinds
    node = graph.nodes["hidden"]
    assert np.allclose(node.tau_syn, 4e-3) and np.allclose(node.tau_mem, 12.3e-3)
    assert np.allclose(node.v_threshold, -52.7 + 70.1) and np.allclose(node.r, 1.0) and np.allclose(node.w_in, 1.0)
    # a jump of w mV of current is the weight W = w tau_syn / step
    np.testing.assert_allclose(graph.nodes["input_hidden"].weight, weights.w_input_hidden.T * 4.0, rtol=1e-6)

    back = load(tmp_path / "cuba.nir")
    assert back.synapse == weights.synapse and back.topology == weights.topology
    np.testing.assert_allclose(back.w_input_hidden, weights.w_input_hidden, rtol=1e-6)
    spikes = spikes_of(weights)
    expected = run(weights, spikes)
    assert expected[0].sum() > 100 and expected[1].sum() > 10, "too quiet to test"
    for ours, theirs in zip(expected, run(back, spikes)):
        np.testing.assert_array_equal(ours, theirs)


def test_the_metadata_free_graph_gives_the_same_spikes(tmp_path):
    """Without our metadata (another tool's reader keeps only the graph) the continuous-time reading of
    the same CubaLIF graph still gives identical spikes (the refractory period, which NIR cannot say, set 0)."""
    weights = cuba_weights(hidden=dataclasses.replace(ODD_LIF, tau_ref_ms=0.0),
                           output=dataclasses.replace(ODD_LIF, tau_ref_ms=0.0))
    graph = nir_io.to_nir(weights)
    graph.metadata = {}
    back = nir_io.from_nir(graph, convention="snn-mnist", dt_ms=1.0, steps=40, max_rate_hz=200.0)
    assert back.synapse.tau_syn_ms == pytest.approx(4.0)
    assert back.topology.hidden_neuron.v_rest_mV == -65.0  # rest where the project puts it: v is relative
    spikes = spikes_of(weights)
    for ours, theirs in zip(run(weights, spikes), run(back, spikes)):
        np.testing.assert_array_equal(ours, theirs)


# --- Norse -------------------------------------------------------------------------------------------
def norse_lifcell_graph(w1: np.ndarray, w2: np.ndarray, tau_mem=0.01, tau_syn=0.005, v_th=1.0):
    """A 784-n-10 graph as norse/torch/utils/export_nir.py writes a Linear -> LIFCell -> Linear -> LIFCell
    network: Affine layers with zero biases, CubaLIF with tau = 1 / tau_inv in seconds, r = w_in = 1."""
    def cuba(n):
        full = lambda x: np.full(n, x, dtype=np.float32)  # noqa: E731
        return nir.CubaLIF(tau_mem=full(tau_mem), tau_syn=full(tau_syn), v_reset=full(0.0), v_threshold=full(v_th),
                           v_leak=full(0.0), r=full(1.0), w_in=full(1.0))

    nodes = [nir.Affine(w1.astype(np.float32), np.zeros(len(w1), np.float32)), cuba(len(w1)),
             nir.Affine(w2.astype(np.float32), np.zeros(len(w2), np.float32)), cuba(len(w2))]
    return nir.NIRGraph.from_list(nir.Input(np.array([784])), *nodes, nir.Output(np.array([10])), type_check=False)


def norse_lifcell_run(x: np.ndarray, w: np.ndarray, tau_mem=0.01, tau_syn=0.005, v_th=1.0, dt=1e-3) -> np.ndarray:
    """What Norse's LIFCell computes (norse/torch/functional/lif.py, lif_feed_forward_step, defaults v_leak =
    v_reset = 0), in float64: input spikes (steps, batch, n_in) and weights (n_out, n_in) -> spikes."""
    v = np.zeros((x.shape[1], w.shape[0]))
    i = np.zeros_like(v)
    out = []
    for x_t in x:
        i_new = i + x_t @ w.T
        v_decayed = v + dt / tau_mem * ((0.0 - v) + i_new)
        i = i_new + (-dt / tau_syn * i_new)
        z = (v_decayed - v_th > 0).astype(np.float64)
        v = (1 - z) * v_decayed + z * 0.0
        out.append(z)
    return np.stack(out)


def test_a_norse_lifcell_network_is_reproduced_spike_for_spike():
    rng = np.random.default_rng(5)
    w1 = rng.normal(0.02, 0.12, (48, 784))
    w2 = rng.normal(0.1, 0.5, (10, 48))
    weights = nir_io.from_nir(norse_lifcell_graph(w1, w2), steps=60, max_rate_hz=200.0)
    assert weights.provenance["nir_convention"] == "norse" and weights.step_order == "input-first"
    assert weights.synapse.kind == "cuba"
    # the decays kept exactly (up to the graph's float32): exp(-1 ms / tau) = 1 - dt / tau_norse
    assert np.exp(-1.0 / weights.synapse.tau_syn_ms) == pytest.approx(1 - 1e-3 / 0.005, rel=1e-7)
    assert np.exp(-1.0 / weights.topology.hidden_neuron.tau_m_ms) == pytest.approx(1 - 1e-3 / 0.01, rel=1e-7)

    spikes = spikes_of(weights, n=10)
    hidden_counts, output_counts, first = run(weights, spikes)
    expected_hidden, expected_output = [], []
    for image in spikes:  # Norse starts every sequence from rest, as Brian2 does every image
        h = norse_lifcell_run(image[:, None, :].astype(np.float64), w1.astype(np.float32).astype(np.float64))
        o = norse_lifcell_run(h, w2.astype(np.float32).astype(np.float64))
        expected_hidden.append(h[:, 0].sum(0))
        expected_output.append(o[:, 0].sum(0))
    assert np.sum(expected_hidden) > 200 and np.sum(expected_output) > 20, "too quiet to test"
    np.testing.assert_array_equal(hidden_counts, np.array(expected_hidden))
    np.testing.assert_array_equal(output_counts, np.array(expected_output))


# --- refusals ---------------------------------------------------------------------------------------
def refused_export(weights: NetworkWeights) -> str:
    with pytest.raises(WeightsError) as err:
        nir_io.to_nir(weights)
    return str(err.value)


def test_networks_nir_cannot_say_are_refused_on_export():
    assert refused_export(dataclasses.replace(cuba_weights(), synapse=CobaSynapse(), w_input_hidden=np.abs(
        cuba_weights().w_input_hidden) * 1e-3, w_hidden_output=np.abs(cuba_weights().w_hidden_output) * 1e-3)) == (
        "NIR has no conductance-based neuron: a coba network has no NIR form")
    lif_if = TOPOLOGIES["lif-if"].with_hidden(32)
    message = refused_export(dataclasses.replace(cuba_weights(), topology=lif_if))
    assert message.startswith("NIR has no current-based IF neuron")


def test_cuba_graphs_nir_cannot_map_are_refused_on_import():
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(0, 0.1, (32, 784)), rng.normal(0, 0.1, (10, 32))
    different_tau_syn = norse_lifcell_graph(w1, w2)
    different_tau_syn.nodes[list(different_tau_syn.nodes)[4]].tau_syn[:] = 0.008
    with pytest.raises(WeightsError, match="the CubaLIF layers have tau_syn 4.48142 and 7.48888 ms"):
        nir_io.from_nir(different_tau_syn)
    per_neuron = norse_lifcell_graph(w1, w2)
    per_neuron.nodes[list(per_neuron.nodes)[2]].tau_mem[0] = 0.02
    with pytest.raises(WeightsError, match="per-neuron tau_mem"):
        nir_io.from_nir(per_neuron)
    biased = norse_lifcell_graph(w1, w2)
    biased.nodes[list(biased.nodes)[1]].bias[:] = 0.5
    with pytest.raises(WeightsError, match="biases into a CubaLIF's current are not supported"):
        nir_io.from_nir(biased)
    snntorch_synaptic = norse_lifcell_graph(w1, w2)
    for key in (2, 4):
        node = snntorch_synaptic.nodes[list(snntorch_synaptic.nodes)[key]]
        node.r[:] = node.tau_mem / 1e-4  # snnTorch's Synaptic export
    with pytest.raises(WeightsError, match="cannot tell which time step"):
        nir_io.from_nir(snntorch_synaptic)
