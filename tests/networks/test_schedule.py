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


# --- "input-first": snnTorch's and Norse's order (NIR imports) ----------------------------------
def input_first(handmade, model, w_ih, w_ho, **changes):
    import dataclasses

    sparse_weights, spike_trains = handmade
    weights = sparse_weights(model, 4, {(0, 0): w_ih}, {(0, 0): w_ho}, steps=10)
    weights = dataclasses.replace(weights, step_order="input-first", **changes)
    frozen = spike_trains(1, 10, [(0, STEP, 0), (0, STEP + 1, 0)])
    result = simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen",
                      frozen=frozen, record_hidden=True, record_voltages={"hidden": [0]})
    return result, {layer: np.round(trains[0]).astype(int).tolist()
                    for layer, trains in (("hidden", result.hidden_spike_trains),
                                          ("output", result.output_spike_trains))}


def test_input_first_fires_every_layer_in_the_input_spikes_step(handmade):
    """snnTorch's order: input, threshold, reset, layer after layer; the output fires in the same step."""
    _, steps = input_first(handmade, "if-if", w_ih=20.0, w_ho=20.0)
    assert steps["hidden"][0] == STEP and steps["output"][0] == STEP  # threshold-first: STEP + 1 and STEP + 2


def test_input_first_counts_the_input_of_the_step_before_the_threshold(handmade):
    """Two input spikes of 9 mV in a row over a 15 mV gap (IF): 9, then 18 > 15 fires in the second
    spike's own step (threshold-first would fire a step later), and the reset follows."""
    result, steps = input_first(handmade, "if-if", w_ih=9.0, w_ho=0.0)
    assert steps["hidden"] == [STEP + 1]
    _, v = result.voltages["hidden"]
    assert v[0, STEP + 1] == REST + 9.0 and v[0, STEP + 2] == REST


def test_bias_adds_its_millivolts_in_every_step(handmade):
    """A bias of 1.6 mV a step takes an IF neuron (gap 15 mV) over threshold in its 10th step (16 mV), and a
    LIF exactly as far as the trainer's free step plus 1.6 mV each step."""
    import dataclasses

    sparse_weights, spike_trains = handmade
    for model in ("if-if", "lif-lif"):
        weights = sparse_weights(model, 4, {}, {}, steps=14)
        weights = dataclasses.replace(weights, bias_hidden=np.full(4, 1.6, np.float32))
        result = simulate(weights, np.zeros((1, 784), np.uint8), backend="runtime", input_mode="frozen",
                          frozen=spike_trains(1, 14, []), record_hidden=True, record_voltages={"hidden": [0]})
        _, v = result.voltages["hidden"]
        expected, d = [REST], np.exp(-1 / 20) if model == "lif-lif" else 1.0
        for _ in range(13):
            expected.append(REST + (expected[-1] - REST) * d + float(np.float32(1.6)))
        fired = np.round(result.hidden_spike_trains[0]).astype(int)
        first = int(fired[0]) if len(fired) else 99
        np.testing.assert_allclose(v[0, : min(first, 13) + 1], expected[: min(first, 13) + 1], rtol=0, atol=1e-9)
        if model == "if-if":
            assert first == 9  # 10 x 1.6 = 16 > 15 after the state update of step 9 (9 x 1.6 = 14.4)


@pytest.mark.parametrize("order", ["threshold-first", "input-first"])
@pytest.mark.parametrize("model", ["lif-lif", "if-lif"])
def test_brian2_and_the_trainer_agree_in_either_order_with_biases(random_weights, sample_digits, order, model):
    """Random weights, random biases and no refractoriness, every output and hidden count equal."""
    import dataclasses

    pytest.importorskip("torch")
    from snn_mnist.networks.simulation import input_spikes
    from snn_mnist.trainer.model import reference_counts

    w = random_weights(model, n_hidden=32, seed=3)
    rng = np.random.default_rng(4)
    gap = w.topology.hidden_neuron.v_th_mV - w.topology.hidden_neuron.v_rest_mV
    w = dataclasses.replace(w, step_order=order, bias_hidden=rng.normal(0, 0.05 * gap, 32).astype(np.float32),
                            bias_output=rng.normal(0.02 * gap, 0.05 * gap, 10).astype(np.float32))
    images = sample_digits[0][:20]
    spikes = input_spikes(images, w, seed=5)
    expected = reference_counts(w, spikes)
    sim = simulate(w, images, backend="runtime", input_mode="frozen", frozen=spikes, record_hidden=True)
    assert expected.hidden.sum() > 20 * 32 and expected.output.sum() > 20, "too quiet to test"
    np.testing.assert_array_equal(sim.hidden_counts, expected.hidden)
    np.testing.assert_array_equal(sim.output_counts, expected.output)
    np.testing.assert_array_equal(sim.output_first_step, expected.output_first_step)
