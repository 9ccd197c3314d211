"""Brian2's order within a time step, which the trainer's step functions copy (trainer.dynamics):
state update (leak), threshold, synaptic jumps, reset. Pinned on the networks as built."""

import numpy as np
import pytest

from snn_mnist.networks.simulation import simulate

STEP = 3  # the input spike's step
REST = -65.0


def run(handmade, model, w_ih, w_ho):
    sparse_weights, spike_trains = handmade
    weights = sparse_weights(model, 4, {(0, 0): w_ih}, {(0, 0): w_ho}, steps=10)
    frozen = spike_trains(1, 10, [(0, STEP, 0)])
    result = simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen",
                      frozen=frozen, record_hidden=True, record_voltages={"hidden": [0], "output": [0]})
    steps = {layer: np.round(result_trains[0]).astype(int).tolist()  # dt is 1 ms: times are steps
             for layer, result_trains in (("hidden", result.hidden_spike_trains), ("output", result.output_spike_trains))}
    return result, steps


@pytest.mark.parametrize("model", ["lif-lif", "if-if"])
def test_input_spike_fires_hidden_next_step_and_output_the_step_after(handmade, model):
    result, steps = run(handmade, model, w_ih=20.0, w_ho=20.0)
    assert steps["hidden"] == [STEP + 1]  # never at STEP itself, however strong the weight
    assert steps["output"] == [STEP + 2]
    _, v_hidden = result.voltages["hidden"]
    _, v_out = result.voltages["output"]
    # v is recorded at the start of a step: the jump of step k shows at k+1, not yet leaked
    assert v_hidden[0, STEP] == REST and v_hidden[0, STEP + 1] == REST + 20.0
    # the hidden spike of step STEP+1 reaches the output within that same step
    assert v_out[0, STEP + 1] == REST and v_out[0, STEP + 2] == REST + 20.0


def test_leak_acts_before_the_threshold_test(handmade):
    """A jump of 15.5 mV over a 15 mV gap fires an IF neuron, but a LIF neuron leaks it to
    15.5 * exp(-1/20) = 14.74 mV in the next state update, before the threshold test."""
    _, if_steps = run(handmade, "if-if", w_ih=15.5, w_ho=0.0)
    _, lif_steps = run(handmade, "lif-lif", w_ih=15.5, w_ho=0.0)
    assert if_steps["hidden"] == [STEP + 1]
    assert lif_steps["hidden"] == []
