"""Operation counts: the events counted inside a Brian2 run equal a count by hand on known spikes; the
neuron updates follow each model's arithmetic; the ANN counter on a tiny layer; the prices."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from snn_mnist.networks.simulation import simulate
from snn_mnist.neuron_models import synapse_named
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.energy import Cost, Operations, ann_cost, neuron_updates, snn_cost
from snn_mnist.weights import NetworkWeights


def tiny(model: str = "lif-lif", n_hidden: int = 4, steps: int = 6) -> NetworkWeights:
    """784-4-10 weights where only input pixel 0 reaches hidden neuron 0, with a jump (20 mV) that makes
    it fire; no hidden neuron reaches an output's threshold (1 mV)."""
    w1 = np.zeros((784, n_hidden), np.float32)
    w1[0, 0] = 20.0
    w2 = np.full((n_hidden, 10), 1.0, np.float32)
    return NetworkWeights(TOPOLOGIES[model].with_hidden(n_hidden), w1, w2, steps=steps)


@pytest.mark.parametrize("backend", ["runtime", "cpp"])
def test_the_events_counted_in_the_simulation_are_a_hand_count(backend):
    weights = tiny()
    frozen = np.zeros((2, weights.steps, 784), dtype=bool)
    frozen[0, 0, 0] = True  # image 0: pixel 0 at step 0 -> hidden 0 fires (once, then refractory)
    frozen[0, 3, 5] = True  # pixel 5 at step 3: delivered, to no effect
    frozen[1, 2, 700] = True  # image 1: one spike of pixel 700
    result = simulate(weights, np.zeros((2, 784), np.uint8), backend=backend, frozen=frozen, input_mode="frozen",
                      record_hidden=True)
    assert result.hidden_counts.tolist() == [[1, 0, 0, 0], [0, 0, 0, 0]]
    # 3 input spikes, each to all 4 hidden neurons; 1 hidden spike, to all 10 outputs
    assert result.synaptic_events == {"input_hidden": 3 * 4, "hidden_output": 1 * 10}
    cost = snn_cost(weights, result.synaptic_events, n_images=2)
    assert cost.synaptic_events == {"input_hidden": 6.0, "hidden_output": 5.0}
    assert cost.total_events == 11.0
    assert cost.energy_nJ == pytest.approx(11 * 0.9e-3)


def arithmetic(code: str) -> tuple[int, int]:
    """(multiplies, adds) of C++ expressions: ``*`` and ``/``; ``+`` and a binary ``-`` (not a sign)."""
    tokens = re.findall(r"[A-Za-z_][A-Za-z_0-9]*|\d+\.?\d*(?:e-?\d+)?f?|[-+*/()=,<>!]", code)
    multiplies = adds = 0
    for k, token in enumerate(tokens):
        if token in "*/":
            multiplies += 1
        elif token == "+" or (token == "-" and k > 0 and tokens[k - 1] not in "(=,*/+-<>!"):
            adds += 1
    return multiplies, adds


def generated_update_operations(synapse: str, directory) -> dict[str, tuple[int, int, int]]:
    """Count the arithmetic of each layer's state update in the C++ code Brian2 generates for it: the
    statements of the loop over neurons (the path of a neuron that is not refractory), with the helper
    functions they call (``_timestep``, ``_exprel``) counted at each call."""
    from brian2 import device, set_device
    from brian2.devices import reinit_devices

    from snn_mnist.networks.builder import build_network

    reinit_devices()
    set_device("cpp_standalone", build_on_run=False)
    weights = dataclasses.replace(tiny("lif-if"), synapse=synapse_named(synapse))
    net = build_network(weights, dt_ms=weights.dt_ms, images=np.zeros((1, 784), np.uint8))
    net.network.run(net.duration)
    device.build(directory=str(directory), compile=False, run=False)
    counts = {}
    for layer, kind in (("hidden", "LIF"), ("output", "IF")):
        source = (directory / "code_objects" / f"{layer}_stateupdater_codeobject.cpp").read_text()
        helpers = {}  # each helper's arithmetic: that of its last return (the general case: exprel's expm1(x)/x)
        for name in ("_timestep", "_exprel"):
            body = re.search(rf"{name}\(double [^)]*\)\s*{{(.*?)\n\s*}}", source, re.S)
            if body:
                helpers[name] = arithmetic(re.findall(r"return ([^;]*);", body[1])[-1])
        loop = source[source.index("_vectorisation_idx = _idx"):source.index(f"_ptr_array_{layer}_v[_idx] = v;")]
        statements = {}
        for target, expression in re.findall(r"^\s*(?:const double |char |double )?(_?\w+) = (.*);$", loop, re.M):
            if "_ptr_array" not in expression:
                statements[target] = expression  # the last assignment of _v: the non-refractory path
        multiplies = adds = expm1 = 0
        for target, expression in statements.items():
            if expression in ("v", "_v", "_ge", "_gi", "_I"):  # copies
                continue
            m, a = arithmetic(expression)
            multiplies, adds = multiplies + m, adds + a
            for name, (hm, ha) in helpers.items():
                calls = expression.count(f"{name}(")
                multiplies, adds = multiplies + calls * hm, adds + calls * ha
                expm1 += calls if name == "_exprel" else 0
        counts[kind] = (multiplies, adds, expm1)
    return counts


@pytest.mark.parametrize("synapse", ["delta", "cuba", "coba"])
def test_the_update_operations_are_those_of_the_code_brian2_generates(synapse, tmp_path):
    counted = generated_update_operations(synapse, tmp_path / "build")
    assert counted == synapse_named(synapse).UPDATE_OPERATIONS
    if synapse == "coba":  # the leak is folded into the exponential-Euler update: adds, no multiply of its own
        assert counted["LIF"][0] == counted["IF"][0] and counted["LIF"][1] == counted["IF"][1] + 3


def test_neuron_updates_are_every_neuron_every_step():
    weights = tiny(steps=10)  # 4 LIF hidden, 10 LIF outputs, delta
    assert neuron_updates(weights) == Operations(10 * 14 * 4, 10 * 14 * 6, 0)
    coba = dataclasses.replace(tiny("lif-if", steps=10), synapse=synapse_named("coba"))
    assert neuron_updates(coba) == Operations(10 * (4 * 18 + 10 * 18), 10 * (4 * 13 + 10 * 10), 10 * 14)


def test_the_ann_counter_on_a_tiny_layer():
    assert ann_cost(4, 3, 2).macs == 4 * 3 + 3 * 2
    inputs = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    hidden = np.array([[0.0, 0.5, 1.0], [0.0, 0.0, 0.0]])
    # image 0: 2 inputs x 3 hidden + 2 active hidden x 2 outputs = 10 MACs; image 1: none
    assert ann_cost(4, 3, 2, inputs, hidden).macs == 5.0
    assert ann_cost(784, 256, 10).energy_nJ == pytest.approx(203_264 * 4.6e-3)


def test_energy_prices_are_horowitz_2014():
    cost = Cost({"a": 1000.0, "b": 0.0}, neuron_updates=Operations(100.0, 200.0, 7.0))
    assert cost.energy_nJ == pytest.approx(0.9)  # 1000 adds at 0.9 pJ
    assert cost.energy_with_updates_nJ == pytest.approx(0.9 + 0.37 + 0.18)  # 100 multiplies at 3.7, 200 adds at 0.9
    report = cost.to_json()
    assert report["synaptic_events_per_image"] == 1000.0 and report["energy_nJ_per_image"] == pytest.approx(0.9)
