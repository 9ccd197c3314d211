"""STDP rules run in Brian2 against their analytic weight changes."""

import math

import pytest
from brian2 import Network, NeuronGroup, defaultclock, ms

from snn_mnist.plasticity.stdp import PairSTDP, RuleError, TripletSTDP, plastic_synapses, rule_from_dict

DT_MS = 0.1
W0 = 0.5


def _spiking_group(rule, side: str, times_ms: list[float], name: str) -> NeuronGroup:
    """One neuron that fires exactly at ``times_ms`` and carries ``rule``'s traces for ``side``."""
    traces = rule.pre_traces if side == "pre" else rule.post_traces
    on_spike = rule.pre_on_spike if side == "pre" else rule.post_on_spike
    conditions = " or ".join(f"abs(t - {t:.6f}*ms) < 0.5*dt" for t in times_ms) or "False"
    return NeuronGroup(1, traces, threshold=conditions, reset=on_spike, method="exact",
                       namespace=rule.trace_namespace(), name=name)


def weight_after(rule, pre_ms: list[float], post_ms: list[float], w0: float = W0) -> float:
    """Run one synapse with the given spike times and return its final weight."""
    defaultclock.dt = DT_MS * ms
    pre = _spiking_group(rule, "pre", pre_ms, "pre")
    post = _spiking_group(rule, "post", post_ms, "post")
    syn = plastic_synapses(pre, post, rule, name="syn")
    syn.w = w0
    net = Network(pre, post, syn)
    net.run((max(pre_ms + post_ms) + 1) * ms)
    return float(syn.w[0])


@pytest.mark.parametrize("rule", [PairSTDP(), PairSTDP(trace_mode="set")])
@pytest.mark.parametrize("d_ms", [1.0, 5.0, 30.0])
def test_pair_pre_before_post_potentiates_by_eta_post_exp(rule, d_ms):
    dw = weight_after(rule, [10.0], [10.0 + d_ms]) - W0
    assert dw > 0
    assert dw == pytest.approx(rule.eta_post * math.exp(-d_ms / rule.tau_pre_ms), rel=1e-9)


@pytest.mark.parametrize("d_ms", [1.0, 5.0, 30.0])
def test_pair_post_before_pre_depresses_by_eta_pre_exp(d_ms):
    rule = PairSTDP(tau_post_ms=15.0, eta_pre=3e-3)
    dw = weight_after(rule, [10.0 + d_ms], [10.0]) - W0
    assert dw < 0
    assert dw == pytest.approx(-rule.eta_pre * math.exp(-d_ms / rule.tau_post_ms), rel=1e-9)


def test_simultaneous_spikes_do_not_interact():
    assert weight_after(PairSTDP(), [10.0], [10.0]) == W0


def test_trace_mode_add_sums_all_pairs_and_set_keeps_the_nearest():
    pre, post = [10.0, 14.0], [20.0]
    expected_add = 1e-2 * (math.exp(-10 / 20) + math.exp(-6 / 20))
    expected_set = 1e-2 * math.exp(-6 / 20)
    assert weight_after(PairSTDP(trace_mode="add"), pre, post) - W0 == pytest.approx(expected_add, rel=1e-9)
    assert weight_after(PairSTDP(trace_mode="set"), pre, post) - W0 == pytest.approx(expected_set, rel=1e-9)


def test_weights_stay_within_bounds():
    rule = PairSTDP(eta_pre=0.5, eta_post=0.5, w_min=0.1, w_max=0.8)
    assert weight_after(rule, [10.0], [11.0], w0=0.7) == pytest.approx(0.8)
    assert weight_after(rule, [11.0], [10.0], w0=0.2) == pytest.approx(0.1)


def test_triplet_potentiation_needs_an_earlier_post_spike():
    rule = TripletSTDP()
    assert weight_after(rule, [10.0], [15.0]) == W0  # lone pair: x_post2 was 0 at the post spike


def test_triplet_post_pre_post_matches_the_analytic_rule():
    rule = TripletSTDP()
    # post at 5 ms, pre at 10 ms (depression by the 5 ms old post1 trace), post at 15 ms
    # (potentiation by the 5 ms old pre trace times the 10 ms old post2 trace).
    expected = -rule.eta_pre * math.exp(-5 / rule.tau_post1_ms) + rule.eta_post * math.exp(
        -5 / rule.tau_pre_ms
    ) * math.exp(-10 / rule.tau_post2_ms)
    assert weight_after(rule, [10.0], [5.0, 15.0]) - W0 == pytest.approx(expected, rel=1e-9)


def test_learning_rates_are_variables_that_switch_learning_off():
    defaultclock.dt = DT_MS * ms
    rule = PairSTDP()
    pre = _spiking_group(rule, "pre", [10.0], "pre")
    post = _spiking_group(rule, "post", [12.0], "post")
    syn = plastic_synapses(pre, post, rule, name="syn")
    syn.w = W0
    syn.eta_pot = 0.0
    Network(pre, post, syn).run(15 * ms)
    assert syn.w[0] == W0


@pytest.mark.parametrize(
    "kwargs, message",
    [({"tau_pre_ms": 0.0}, "tau_pre_ms"), ({"eta_post": -1.0}, "eta_post"), ({"w_min": 1.0}, "w_min"),
     ({"trace_mode": "nearest"}, "trace_mode"), ({"eta_pre": float("nan")}, "eta_pre")],
)
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(RuleError, match=message):
        PairSTDP(**kwargs)


def test_rules_round_trip_through_dicts():
    for rule in (PairSTDP(tau_pre_ms=10.0), TripletSTDP(eta_post=0.02)):
        assert rule_from_dict(rule.to_dict()) == rule
    with pytest.raises(RuleError, match="unknown STDP rule"):
        rule_from_dict({"rule": "bcm"})
