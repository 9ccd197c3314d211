"""Operation counts: the events counted inside a Brian2 run equal a count by hand on known spikes; the
neuron updates follow each model's arithmetic; the ANN counter on a tiny layer; the prices."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn_mnist.networks.simulation import simulate
from snn_mnist.neuron_models import synapse_named
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.energy import Cost, ann_cost, neuron_updates, snn_cost
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


def test_neuron_updates_follow_each_models_arithmetic():
    weights = tiny(steps=10)
    assert neuron_updates(weights) == 10 * (4 + 10) * 1  # a LIF decay: one MAC per neuron and step
    assert neuron_updates(tiny("if-if", steps=10)) == 0  # an IF integrates without a multiply
    assert neuron_updates(tiny("if-lif", steps=10)) == 10 * 10
    coba = dataclasses.replace(weights, synapse=synapse_named("coba"))
    assert neuron_updates(coba) == 10 * (4 + 10) * (1 + 6)  # two conductance decays, exponential Euler
    cuba = dataclasses.replace(weights, synapse=synapse_named("cuba"))
    assert neuron_updates(cuba) == 10 * (4 + 10) * (1 + 1)


def test_the_ann_counter_on_a_tiny_layer():
    assert ann_cost(4, 3, 2).macs == 4 * 3 + 3 * 2
    inputs = np.array([[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    hidden = np.array([[0.0, 0.5, 1.0], [0.0, 0.0, 0.0]])
    # image 0: 2 inputs x 3 hidden + 2 active hidden x 2 outputs = 10 MACs; image 1: none
    assert ann_cost(4, 3, 2, inputs, hidden).macs == 5.0
    assert ann_cost(784, 256, 10).energy_nJ == pytest.approx(203_264 * 4.6e-3)


def test_energy_prices_are_horowitz_2014():
    cost = Cost({"a": 1000.0, "b": 0.0}, neuron_updates=100.0)
    assert cost.energy_nJ == pytest.approx(0.9)  # 1000 adds at 0.9 pJ
    assert cost.energy_with_updates_nJ == pytest.approx(0.9 + 0.46)  # and 100 MACs at 4.6 pJ
    report = cost.to_json()
    assert report["synaptic_events_per_image"] == 1000.0 and report["energy_nJ_per_image"] == pytest.approx(0.9)
