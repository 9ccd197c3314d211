"""NIR export and import (weights.nir_io): round trips, snnTorch's and Norse's conventions, refusals."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from snn_mnist.encoding import PoissonCode, frozen_spikes
from snn_mnist.networks.simulation import simulate
from snn_mnist.neuron_models import IF, LIF, IFParameters, LIFParameters
from snn_mnist.neuron_models.topology import Topology
from snn_mnist.weights import NetworkWeights, WeightsError, load, nir_io

# Parameters away from the defaults, so that a mapping that ignores one of them shows.
ODD_LIF = LIFParameters(tau_m_ms=12.3, v_rest_mV=-70.1, v_th_mV=-52.7, v_reset_mV=-71.9, tau_ref_ms=1.0)
ODD_IF = IFParameters(tau_m_ms=7.0, v_rest_mV=-60.3, v_th_mV=-49.9, v_reset_mV=-61.1, tau_ref_ms=2.0)


def seeded_weights(hidden, output, *, n_hidden=32, dt_ms=1.0, seed=0) -> NetworkWeights:
    rng = np.random.default_rng(seed)
    gap_h, gap_o = hidden.v_th_mV - hidden.v_rest_mV, output.v_th_mV - output.v_rest_mV
    return NetworkWeights(
        topology=Topology(f"{hidden.kind}-{output.kind}".lower(), hidden, output, n_hidden=n_hidden),
        w_input_hidden=rng.normal(0.03, 0.13, (784, n_hidden)).astype(np.float32) * gap_h,
        w_hidden_output=rng.normal(0.07, 0.4, (n_hidden, 10)).astype(np.float32) * gap_o,
        dt_ms=dt_ms,
        steps=20,
        encoding=PoissonCode(500.0),
        provenance={"seed": seed, "note": "written by tests/weights/test_nir.py"},
    )


def counts(weights: NetworkWeights, spikes: np.ndarray):
    sim = simulate(weights, np.zeros((len(spikes), 784), np.uint8), backend="runtime", input_mode="frozen",
                   frozen=spikes, record_hidden=True)
    return sim.hidden_counts, sim.output_counts


def digit_spikes(weights: NetworkWeights, n: int, seed: int = 1, steps: int | None = None) -> np.ndarray:
    from snn_mnist.digits import sample

    images, _ = sample.load()
    return frozen_spikes(images[:n], steps or weights.steps, weights.max_rate_hz, weights.dt_ms,
                         np.random.default_rng(seed))


# --- our export ---------------------------------------------------------------------------
@pytest.mark.parametrize("hidden, output, dt_ms, biased", [(ODD_LIF, ODD_IF, 0.5, False), (IF, LIF, 1.0, True)],
                         ids=["lif-if", "if-lif-biased"])
def test_round_trip_gives_identical_weights_and_spikes(tmp_path, hidden, output, dt_ms, biased):
    weights = seeded_weights(hidden, output, dt_ms=dt_ms)
    if biased:
        rng = np.random.default_rng(9)
        weights = dataclasses.replace(weights, bias_hidden=rng.normal(0.2, 0.5, 32).astype(np.float32),
                                      bias_output=rng.normal(-0.1, 0.3, 10).astype(np.float32))
    path = tmp_path / "net.nir"
    nir_io.write(weights, path)
    back = load(path)  # weights.load dispatches on the suffix

    assert back.topology == weights.topology  # names, sizes and every neuron parameter, exactly
    np.testing.assert_array_equal(back.w_input_hidden, weights.w_input_hidden)
    np.testing.assert_array_equal(back.w_hidden_output, weights.w_hidden_output)
    for layer in ("hidden", "output"):
        np.testing.assert_array_equal(back.bias(layer), weights.bias(layer))
    assert (back.dt_ms, back.steps, back.max_rate_hz) == (weights.dt_ms, weights.steps, weights.max_rate_hz)
    assert back.provenance == weights.provenance

    spikes = digit_spikes(weights, 5)
    hidden_counts, output_counts = counts(weights, spikes)
    assert hidden_counts.sum() > 5 * 32 and output_counts.sum() > 5, "weights too weak to test anything"
    back_hidden, back_output = counts(back, spikes)
    np.testing.assert_array_equal(back_hidden, hidden_counts)
    np.testing.assert_array_equal(back_output, output_counts)


def test_exported_graph_states_the_dynamics_in_nir_terms(tmp_path):
    weights = seeded_weights(ODD_LIF, ODD_IF, dt_ms=0.5)
    nir_io.write(weights, tmp_path / "net.nir")
    graph = nir.read(tmp_path / "net.nir")  # with NIR's own type check
    nodes = graph.nodes
    assert [type(nodes[a]).__name__ for a, _ in graph.edges] == ["Input", "Linear", "LIF", "Linear", "IF"]
    # r = 1: a one-step pulse of weight W moves a LIF by W step / tau, an IF by W step (seconds)
    w1, w2 = weights.w_input_hidden.T.astype(float), weights.w_hidden_output.T.astype(float)
    np.testing.assert_allclose(nodes["input_hidden"].weight, w1 * 12.3 / 0.5, rtol=1e-12)
    np.testing.assert_allclose(nodes["hidden_output"].weight, w2 / 0.5e-3, rtol=1e-12)
    lif, if_ = nodes["hidden"], nodes["output_layer"]
    np.testing.assert_allclose(lif.tau, 12.3e-3)  # seconds, as snnTorch and Norse read NIR
    np.testing.assert_allclose(lif.r, 1.0)
    np.testing.assert_allclose(lif.v_leak, 0.0)  # mV from rest
    np.testing.assert_allclose(lif.v_threshold, -52.7 + 70.1)
    np.testing.assert_allclose(lif.v_reset, -71.9 + 70.1)
    np.testing.assert_allclose(if_.r, 1.0)
    np.testing.assert_allclose(if_.v_threshold, -49.9 + 60.3)
    assert lif.tau.shape == (32,) and if_.v_threshold.shape == (10,)


def test_graph_alone_reproduces_spikes_without_refractoriness(tmp_path):
    """Strip our metadata: the NIR numbers by themselves give the same spikes (rest moves to
    the default -65 mV, which shifts every potential and changes nothing else)."""
    hidden = dataclasses.replace(ODD_LIF, tau_ref_ms=0.0)
    output = dataclasses.replace(ODD_IF, tau_ref_ms=0.0)
    weights = seeded_weights(hidden, output, dt_ms=0.5, seed=2)
    graph = nir_io.to_nir(weights)
    graph.metadata = {}
    bare = nir_io.from_nir(graph, convention="snn-mnist", dt_ms=0.5, steps=weights.steps)
    assert bare.topology.hidden_neuron.v_rest_mV == LIF.v_rest_mV != hidden.v_rest_mV
    assert bare.topology.hidden_neuron.v_th_mV - LIF.v_rest_mV == pytest.approx(hidden.v_th_mV - hidden.v_rest_mV)
    assert bare.topology.hidden_neuron.tau_m_ms == hidden.tau_m_ms
    spikes = digit_spikes(weights, 5, seed=3)
    ref_hidden, ref_output = counts(weights, spikes)
    assert ref_hidden.sum() > 5 * 32 and ref_output.sum() > 5
    bare_hidden, bare_output = counts(bare, spikes)
    np.testing.assert_array_equal(bare_hidden, ref_hidden)
    np.testing.assert_array_equal(bare_output, ref_output)


# --- Norse's convention (graph built as norse/torch/utils/export_nir.py writes it) ---------
def test_norse_graph_maps_euler_steps_onto_exact_decay():
    rng = np.random.default_rng(4)
    w1, w2 = rng.normal(0, 1, (32, 784)), rng.normal(0, 1, (10, 32))
    tau = np.full(32, 0.02)  # seconds, r = 1; Norse's from_nir steps with dt = 1e-3
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([784])),
        nir.Linear(w1),
        nir.LIF(tau=tau, r=np.ones(32), v_leak=np.full(32, 0.5), v_threshold=np.full(32, 1.5), v_reset=np.full(32, 0.5)),
        nir.Affine(w2, np.zeros(10)),
        nir.IF(r=np.ones(10), v_threshold=np.full(10, 2.0), v_reset=np.zeros(10)),
        nir.Output(np.array([10])),
    )
    assert nir_io.detect_convention(graph).name == "norse"
    w = nir_io.from_nir(graph, dt_ms=1.0)
    hidden, output = w.topology.hidden_neuron, w.topology.output_neuron
    decay = 1 - 1e-3 / 0.02  # Norse's lif_box step: v += dt/tau (v_leak - v + i)
    assert np.exp(-1.0 / hidden.tau_m_ms) == pytest.approx(decay, rel=1e-12)
    assert hidden.v_th_mV - hidden.v_rest_mV == pytest.approx(1.0)  # tested after the step's input, as in Norse
    assert w.step_order == "input-first"
    assert hidden.v_reset_mV == hidden.v_rest_mV and hidden.tau_ref_ms == 0
    np.testing.assert_allclose(w.w_input_hidden, (w1.T * 1e-3 / 0.02).astype(np.float32), rtol=1e-6)
    assert output.v_th_mV - output.v_rest_mV == pytest.approx(2.0)  # IF: no decay, Norse adds w unscaled
    np.testing.assert_allclose(w.w_hidden_output, w2.T.astype(np.float32), rtol=1e-6)
    assert w.topology.name == "lif-if" and w.provenance["nir_convention"] == "norse"


# --- refusals ------------------------------------------------------------------------------
def chain(*middle, n_in=784, n_out=10):
    return nir.NIRGraph.from_list(nir.Input(np.array([n_in])), *middle, nir.Output(np.array([n_out])), type_check=False)


def lif(n, **override):
    p = dict(tau=np.full(n, 1e-3), r=np.full(n, 10.0), v_leak=np.zeros(n), v_threshold=np.ones(n), v_reset=np.zeros(n))
    return nir.LIF(**(p | override))


def lin(n_out, n_in):
    return nir.Linear(np.random.default_rng(0).normal(0, 1, (n_out, n_in)))


def refused(graph) -> str:
    with pytest.raises(WeightsError) as err:
        nir_io.from_nir(graph)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_refuses_recurrent_edge():
    graph = chain(lin(32, 784), lif(32), lin(10, 32), lif(10))
    graph.nodes["w_rec"] = lin(32, 32)
    graph.edges += [("lif", "w_rec"), ("w_rec", "lif")]
    assert "node 'lif' has 2 outgoing edges" in refused(graph)
    loop = chain(lin(32, 784), lif(32), lin(10, 32), lif(10))
    loop.edges = [e for e in loop.edges if e != ("lif_1", "output")] + [("lif_1", "linear")]
    assert "recurrent edge 'lif_1' -> 'linear'" in refused(loop)


def test_refuses_subgraph_of_a_recurrent_layer():
    inner = chain(lin(32, 32), lif(32), n_in=32, n_out=32)
    graph = chain(lin(32, 784), inner, lin(10, 32), lif(10))
    assert "subgraph" in refused(graph)


def test_refuses_a_cuba_lif_layer_beside_a_voltage_jump_layer():
    n = 32
    cuba = nir.CubaLIF(tau_syn=np.full(n, 2e-3), tau_mem=np.full(n, 1e-2), r=np.ones(n), v_leak=np.zeros(n),
                       v_threshold=np.ones(n))
    message = refused(chain(lin(n, 784), cuba, lin(10, n), lif(10, r=np.ones(10))))
    assert message.endswith("CubaLIF and LIF layers mix current-based and voltage-jump synapses; a network here "
                            "has one synapse model")


def test_refuses_wrong_layer_count():
    message = refused(chain(lin(32, 784), lif(32), lin(16, 32), lif(16), lin(10, 16), lif(10)))
    assert "unsupported graph" in message and "supported: Input -> Affine|Linear" in message


def test_refuses_per_neuron_time_constants():
    tau = np.linspace(1e-3, 2e-3, 32)
    assert "per-neuron tau" in refused(chain(lin(32, 784), lif(32, tau=tau, r=tau / 1e-4), lin(10, 32), lif(10)))


def test_refuses_resets_that_differ_relative_to_threshold():
    graph = chain(lin(32, 784), lif(32, v_reset=np.linspace(0, 0.5, 32)), lin(10, 32), lif(10))
    assert "per-neuron v_reset" in refused(graph)


def test_biases_become_the_constant_input_of_each_step():
    """An Affine bias b is added every step, in the same units as the weights (snnTorch: r dt / tau)."""
    hidden = lif(32, tau=np.full(32, 2e-3), r=np.full(32, 2e-3 / 1e-4))
    output = lif(10, tau=np.full(10, 2e-3), r=np.full(10, 20.0))
    graph = chain(nir.Affine(np.ones((32, 784)), np.linspace(-0.2, 0.3, 32)), hidden,
                  nir.Affine(np.ones((10, 32)), np.zeros(10)), output)
    w = nir_io.from_nir(graph)
    assert nir_io.detect_convention(graph).name == "snntorch"
    np.testing.assert_allclose(w.bias_hidden, np.linspace(-0.2, 0.3, 32).astype(np.float32), rtol=1e-6)
    assert w.bias_output is None  # all-zero biases are no biases


def test_refuses_biases_of_the_wrong_size():
    graph = chain(nir.Affine(np.ones((32, 784)), np.full(31, 0.1)), lif(32), lin(10, 32), lif(10))
    assert "31 biases" in refused(graph)


def test_our_earlier_export_in_milliseconds_is_still_read(tmp_path):
    """Files written before NIR times were seconds say "time ms" in their units: read them in ms."""
    weights = seeded_weights(ODD_LIF, ODD_IF, dt_ms=0.5)
    graph = nir_io.to_nir(weights)
    graph.nodes["hidden"].tau = graph.nodes["hidden"].tau * 1000  # as written then: ms, r = tau / dt, 1 / dt
    graph.nodes["hidden"].r = graph.nodes["hidden"].tau / 0.5
    graph.nodes["input_hidden"].weight = weights.w_input_hidden.T.astype(np.float64)
    graph.nodes["output_layer"].r = np.full(10, 1 / 0.5)
    graph.nodes["hidden_output"].weight = weights.w_hidden_output.T.astype(np.float64)
    graph.metadata["units"] = "time ms, voltage mV from rest; a spike is a unit pulse of one step (dt = 0.5 ms)"
    back = nir_io.from_nir(graph)
    assert back.topology == weights.topology
    np.testing.assert_array_equal(back.w_hidden_output, weights.w_hidden_output)


def test_refuses_graph_of_unknown_convention():
    graph = chain(lin(32, 784), lif(32, r=np.full(32, 3.0)), lin(10, 32), lif(10, r=np.full(10, 3.0)))
    assert "cannot tell which time step" in refused(graph)


def test_refuses_other_input_sizes():
    assert "MNIST networks here take 784 pixels" in refused(chain(lin(32, 100), lif(32), lin(10, 32), lif(10), n_in=100))


def test_flatten_of_the_whole_image_is_accepted():
    graph = nir.NIRGraph.from_list(
        nir.Input(np.array([28, 28])), nir.Flatten(input_type={"input": np.array([28, 28])}, start_dim=0),
        lin(32, 784), lif(32), lin(10, 32), lif(10), nir.Output(np.array([10])), type_check=False,
    )
    assert nir_io.from_nir(graph).topology.n_hidden == 32


def test_load_refuses_broken_and_missing_files(tmp_path):
    broken = tmp_path / "broken.nir"
    broken.write_bytes(b"not an HDF5 file")
    for path, phrase in ((broken, "unreadable NIR file"), (tmp_path / "missing.nir", "not found")):
        with pytest.raises(WeightsError, match=phrase):
            load(path)


def test_without_the_nir_package_the_error_says_what_to_install(tmp_path, monkeypatch):
    nir_io.write(seeded_weights(LIF, LIF), tmp_path / "net.nir")
    monkeypatch.setitem(sys.modules, "nir", None)  # as if not installed: importing it raises ImportError
    with pytest.raises(WeightsError, match=r"pip install 'snn-mnist\[nir\]'"):
        load(tmp_path / "net.nir")


def test_a_synapse_model_without_a_nir_form_is_refused_not_exported_as_delta(small_weights):
    """A synapse model registered after these (here a current with another name) has no NIR mapping known to
    the exporter: it is refused, never written as the delta network it is not."""
    from snn_mnist.neuron_models.cuba import CubaSynapse
    from snn_mnist.weights.nir_io import to_nir

    class SlowCurrent(CubaSynapse):
        kind = "slow-current"

    weights = dataclasses.replace(small_weights, synapse=SlowCurrent(tau_syn_ms=10.0))
    with pytest.raises(WeightsError, match="no NIR form is known for slow-current synapses"):
        to_nir(weights)
