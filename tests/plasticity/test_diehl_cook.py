"""The Diehl & Cook network: normalisation, threshold adaptation, the repeat-if-silent controller,
chunked training with exact resume, and the compiled binary fed through run_args."""

import dataclasses

import numpy as np
import pytest

from snn_mnist.plasticity.diehl_cook import (
    DiehlCookParameters,
    NetworkError,
    build,
    initial_weights,
    normalise,
    with_settings,
)
from snn_mnist.plasticity.runner import Simulator, passed_slots, seed_for
from snn_mnist.plasticity.training import STDPConfig, initial_state, load_checkpoint, save_checkpoint, schedule, train
from snn_mnist.weights import WeightsError

# 20 ms presentations keep the runtime backend quick; everything else is the paper's.
PARAMS = DiehlCookParameters(present_ms=20.0, min_spikes=1)
N_EXC = 4
BRIGHT = np.full((1, 784), 255, dtype=np.uint8)
BLANK = np.zeros((1, 784), dtype=np.uint8)


def start(n_exc=N_EXC, params=PARAMS, seed=0):
    return initial_weights(n_exc, params, np.random.default_rng(seed)), np.zeros(n_exc)


def test_normalise_scales_each_neurons_inputs_to_the_total():
    w = np.random.default_rng(0).random((784, 3))
    w[:, 2] = 0
    before = w.copy()
    out = normalise(w, 78.0)
    assert out[:, :2].sum(axis=0) == pytest.approx([78.0, 78.0], rel=1e-12)
    assert (out[:, 2] == 0).all()
    assert np.array_equal(w, before)  # the input is not modified
    assert np.allclose(out[:, 0] / before[:, 0], out[0, 0] / before[0, 0])  # a pure scaling


def test_weights_are_normalised_in_the_network_before_each_image():
    w, theta = start()
    assert not np.allclose(w.sum(axis=0), 78.0)
    with Simulator(N_EXC, PARAMS, backend="runtime", n_slots=2) as sim:
        result = sim.run(np.repeat(BRIGHT, 2, axis=0), w, theta, learning=False, seed=1)
    assert result.counts.sum() > 0  # the neurons fired, and still nothing but normalisation moved w
    assert result.weights.sum(axis=0) == pytest.approx(np.full(N_EXC, 78.0), rel=1e-12)
    assert np.allclose(result.weights, normalise(w, 78.0), rtol=1e-12, atol=0)


def test_stdp_keeps_the_running_weight_sum_exact():
    # normalisation divides by w_sum, which the STDP code updates at every weight change

    w, _ = start()
    params = dataclasses.replace(PARAMS, rule=dataclasses.replace(PARAMS.rule, eta_pre=0.01, eta_post=0.1))
    rates = np.full((2, 784), params.max_rate_hz)
    net = build(N_EXC, 2, params, rates_hz=rates)
    net.input_exc.w = normalise(w, params.w_total).ravel()
    net.excitatory.w_sum = params.w_total
    net.excitatory.learning = 1.0
    net.controller.n_images = 2
    for name, value in params.rule.learning_rates().items():  # build() leaves the shared rates at 0
        setattr(net.input_exc, name, value)
    net.network.run(1.5 * params.present_ms * 1e-3 * __import__("brian2").second)
    sums = np.asarray(net.input_exc.w[:]).reshape(784, N_EXC).sum(axis=0)
    assert not np.allclose(sums, params.w_total, rtol=1e-6)  # learning did change the weights
    assert np.asarray(net.excitatory.w_sum[:]) == pytest.approx(sums, rel=1e-12)


def test_strong_inhibition_never_throws_the_membrane_past_its_reversal_potential():
    # 30 inhibitory spikes in one step give gi = 510; forward Euler at dt = 0.5 ms would overshoot
    # to about -150 mV, then oscillate ever wider until every neuron fires
    from brian2 import StateMonitor, ms, mV

    net = build(N_EXC, 1, PARAMS)
    net.controller.n_images = 1
    trace = StateMonitor(net.excitatory, "v", record=True)
    net.network.add(trace)
    net.network.run(1 * ms)  # past the slot's start, which clears the conductances
    net.excitatory.gi = 30 * PARAMS.w_inh_exc
    net.network.run(5 * ms)
    v = np.asarray(trace.v / mV)
    assert v.min() >= PARAMS.e_inh_mV - 1e-9 and v.max() <= PARAMS.excitatory.v_rest_mV + 1e-9
    assert net.spikes.num_spikes == 0


def test_theta_grows_by_theta_plus_per_spike_only_while_learning():
    w, theta = start()
    theta = np.array([0.0, 1.0, 2.0, 3.0])
    params = dataclasses.replace(PARAMS, rest_ms=0.0)  # theta's decay over the rest: tested below
    with Simulator(N_EXC, params, backend="runtime", n_slots=2) as sim:
        learned = sim.run(np.repeat(BRIGHT, 2, axis=0), w, theta, learning=True, seed=2)
        frozen = sim.run(np.repeat(BRIGHT, 2, axis=0), w, theta, learning=False, seed=2)
    assert learned.completed == 2
    spikes = learned.counts.sum(axis=0)
    assert spikes.sum() > 0
    # decay over 40 ms with tau_theta = 1e7 ms is below 1e-5 relative
    assert learned.theta_mV == pytest.approx(theta + PARAMS.theta_plus_mV * spikes, rel=1e-5, abs=1e-9)
    assert frozen.counts.sum() > 0
    assert np.array_equal(frozen.theta_mV, theta)


def test_a_silent_image_is_shown_again_louder():
    params = dataclasses.replace(PARAMS, min_spikes=5)
    w, theta = start(params=params)
    with Simulator(N_EXC, params, backend="runtime", n_slots=3) as sim:
        silent = sim.run(BLANK, w, theta, learning=False, seed=3)
        carried = sim.run(BLANK, w, theta, learning=False, seed=3, boost=silent.boost)
        bright = sim.run(np.repeat(BRIGHT, 3, axis=0), w, theta, learning=False, seed=3)
    assert (silent.completed, silent.boost) == (0, 3)  # three presentations, none passed
    assert carried.boost == 6  # the boost carries over between chunks
    assert (bright.completed, bright.boost) == (3, 0)
    assert (bright.counts.sum(axis=1) >= 5).all()


def test_slots_after_the_last_image_are_idle():
    # with theta = -20 mV the threshold lies below rest and neurons fire without input; the slots
    # after the chunk's one image must neither pass nor learn nor grow louder
    w, _ = start()
    theta = np.full(N_EXC, -20.0)
    params = dataclasses.replace(PARAMS, rest_ms=0.0)  # theta's decay over the rest: tested below
    with Simulator(N_EXC, params, backend="runtime", n_slots=3) as sim:
        one = sim.run(BLANK, w, theta, learning=True, seed=4)
    assert one.completed == 1 and one.counts.sum() > 0  # the blank image itself drew spikes
    assert one.boost == 0
    # growth by the counted spikes alone: one more spike would add 0.05 mV; theta's decay over the
    # three slots (20 mV * 60 ms / 1e7 ms per neuron) stays below 1e-3 mV
    assert (one.theta_mV - theta).sum() == pytest.approx(PARAMS.theta_plus_mV * one.counts.sum(), abs=1e-3)


def test_theta_does_not_decay_in_the_idle_slots():
    # the last chunk of a training run ends with idle slots; with a 50 ms tau_theta, theta would fall
    # by e^-2 over two idle slots of 20 ms if it decayed there. The same image in a chunk without idle
    # slots draws the same spikes (same seed), so theta must come out identical.
    params = dataclasses.replace(PARAMS, tau_theta_ms=50.0)
    w, _ = start(params=params)
    theta = np.full(N_EXC, 2.0)
    with Simulator(N_EXC, params, backend="runtime", n_slots=1) as sim:
        alone = sim.run(BRIGHT, w, theta, learning=True, seed=5)
    with Simulator(N_EXC, params, backend="runtime", n_slots=3) as sim:
        idle = sim.run(BRIGHT, w, theta, learning=True, seed=5)
    assert alone.completed == idle.completed == 1
    assert np.array_equal(alone.counts, idle.counts)
    assert alone.theta_mV.mean() < 2.0 + params.theta_plus_mV * alone.counts.sum()  # it did decay while shown
    assert idle.theta_mV == pytest.approx(alone.theta_mV, rel=1e-9)


def test_passed_slots_follows_the_controller_rule():
    counts = np.array([[1, 0], [3, 2], [0, 0], [5, 0]])
    assert passed_slots(counts, 5).tolist() == [1, 3]


def test_schedule_is_a_fresh_permutation_each_epoch_and_seeded():
    config = STDPConfig(n_exc=2, n_train=50, epochs=3, seed=7, params=PARAMS)
    order = schedule(config)
    assert all(sorted(order[k * 50 : (k + 1) * 50]) == list(range(50)) for k in range(3))
    assert not np.array_equal(order[:50], order[50:100])
    assert np.array_equal(order, schedule(config))
    assert not np.array_equal(order, schedule(dataclasses.replace(config, seed=8)))
    assert seed_for(7, 0) != seed_for(7, 1)


def test_training_resumed_from_a_checkpoint_matches_training_in_one_go(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (3, 784)).astype(np.uint8)
    images[:, :300] = 0
    config = STDPConfig(n_exc=3, n_train=3, epochs=1, seed=5, params=PARAMS)
    with Simulator(3, PARAMS, backend="runtime", n_slots=2) as sim:
        whole = train(sim, images, config)
        ckpt = tmp_path / "ckpt.npz"
        first = initial_state(config)
        order = schedule(config)
        part = sim.run(images[order[:2]], first.weights, first.theta_mV, learning=True,
                       seed=seed_for(config.seed, 0))
        half = dataclasses.replace(first, weights=part.weights, theta_mV=part.theta_mV, position=part.completed,
                                   boost=part.boost, chunk=1, slots=2)
        save_checkpoint(ckpt, config, half)
        resumed = train(sim, images, config, load_checkpoint(ckpt, config))
    assert whole.position == resumed.position == 3
    assert np.array_equal(whole.weights, resumed.weights)
    assert np.array_equal(whole.theta_mV, resumed.theta_mV)
    assert not np.allclose(whole.weights, normalise(initial_state(config).weights, PARAMS.w_total))


def test_a_checkpoint_of_another_configuration_is_refused(tmp_path):
    config = STDPConfig(n_exc=3, n_train=3, epochs=1, seed=5, params=PARAMS)
    save_checkpoint(tmp_path / "c.npz", config, initial_state(config))
    with pytest.raises(WeightsError, match="seed"):
        load_checkpoint(tmp_path / "c.npz", dataclasses.replace(config, seed=6))
    with pytest.raises(WeightsError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.npz", config)


def test_a_longer_schedule_starts_with_the_shorter_one():
    one = STDPConfig(n_exc=2, n_train=50, epochs=1, seed=7, params=PARAMS)
    assert np.array_equal(schedule(dataclasses.replace(one, epochs=3))[:50], schedule(one))


def test_a_finished_run_extended_by_an_epoch_matches_the_longer_run_when_chunks_align(tmp_path):
    # two images, two slots per chunk: the one-epoch run's last chunk ends exactly with its schedule
    # (no repeat, no idle slot), so the chunks of the extension are those of the longer run. When the
    # last chunk ends early, the extension is cut into other chunks and draws other Poisson spikes.
    images = np.random.default_rng(1).integers(0, 256, (2, 784)).astype(np.uint8)
    images[:, :300] = 0
    one = STDPConfig(n_exc=3, n_train=2, epochs=1, seed=5, params=PARAMS)
    two = dataclasses.replace(one, epochs=2)
    ckpt = tmp_path / "ckpt.npz"
    with Simulator(3, PARAMS, backend="runtime", n_slots=2) as sim:
        longer = train(sim, images, two)
        first = train(sim, images, one, checkpoint=ckpt)
        assert (first.position, first.chunk) == (2, 1)  # both images passed in the one chunk
        extended = train(sim, images, two, load_checkpoint(ckpt, two), checkpoint=ckpt)
    assert longer.position == extended.position == 4
    assert np.array_equal(longer.weights, extended.weights)
    assert np.array_equal(longer.theta_mV, extended.theta_mV)
    with pytest.raises(WeightsError, match="made for 2 epochs"):
        load_checkpoint(ckpt, one)  # a checkpoint is never cut back to fewer epochs


@pytest.mark.parametrize("kwargs", [{"present_ms": 0.7}, {"max_rate_hz": 5000.0}, {"w_total": -1.0}, {"tau_theta_ms": 0.0}])
def test_bad_parameters_are_refused(kwargs):
    with pytest.raises(NetworkError):
        DiehlCookParameters(**kwargs)


def test_settings_change_the_named_parameters_and_nothing_else():
    params = with_settings(DiehlCookParameters(), ["tau_theta_ms=5e6", "rule.eta_post=0.02", "min_spikes=7",
                                                   "excitatory.tau_m_ms=50"])
    default = DiehlCookParameters()
    assert params == dataclasses.replace(
        default, tau_theta_ms=5e6, min_spikes=7, rule=dataclasses.replace(default.rule, eta_post=0.02),
        excitatory=dataclasses.replace(default.excitatory, tau_m_ms=50.0),
    )
    assert isinstance(params.min_spikes, int) and isinstance(params.tau_theta_ms, float)


@pytest.mark.parametrize("setting, phrase", [
    ("tau_theta=1", "has no parameter 'tau_theta'"),
    ("rule.foo=1", "TripletSTDP has no parameter 'foo'"),
    ("rule=1", "is a group of parameters"),
    ("min_spikes=5.5", "invalid literal"),
    ("tau_theta_ms=-3", "tau_theta_ms must be a finite non-negative number"),
    ("excitatory.tau_m_ms=0", "tau_m must be > 0"),
    ("w_total", "not NAME=VALUE"),
])
def test_bad_settings_are_refused_with_the_reason(setting, phrase):
    with pytest.raises(NetworkError, match=phrase):
        with_settings(DiehlCookParameters(), [setting])


def test_parameters_round_trip_through_dicts():
    params = dataclasses.replace(PARAMS, theta_plus_mV=0.1)
    assert DiehlCookParameters.from_dict(params.to_dict()) == params


@pytest.mark.slow
def test_compiled_network_takes_new_values_and_seeds_every_run():
    w, theta = start()
    images = np.repeat(BRIGHT, 3, axis=0)
    with Simulator(N_EXC, PARAMS, backend="cpp", n_slots=3) as sim:
        a = sim.run(images, w, theta, learning=True, seed=11)
        b = sim.run(images, w, theta, learning=True, seed=11)
        c = sim.run(images, w, theta, learning=True, seed=12)
        high = sim.run(images, w, theta + 30.0, learning=False, seed=11)
    with Simulator(N_EXC, PARAMS, backend="runtime", n_slots=3) as sim:
        r = sim.run(images, w, theta, learning=True, seed=11)
    assert np.array_equal(a.counts, b.counts) and np.array_equal(a.weights, b.weights)  # same seed, same run
    assert not np.array_equal(a.weights, c.weights)  # another seed, other Poisson spikes
    assert high.counts.sum() < a.counts.sum()  # theta came in through run_args
    # the compiled network learns what the runtime one learns (other random streams, same statistics)
    assert a.theta_mV.sum() == pytest.approx(r.theta_mV.sum(), rel=0.5)


def test_theta_decays_over_the_papers_rest_before_each_presentation_while_learning():
    # a blank image draws no spikes, so it is shown again (two presentations in two slots) and theta
    # only decays: over 2 x present_ms without the rest, over 2 x (present_ms + rest_ms) with it
    params = dataclasses.replace(PARAMS, tau_theta_ms=100.0, rest_ms=30.0)
    w, _ = start(params=params)
    theta = np.full(N_EXC, 4.0)
    runs = {}
    for rest in (0.0, 30.0):
        with Simulator(N_EXC, dataclasses.replace(params, rest_ms=rest), backend="runtime", n_slots=2) as sim:
            runs[rest] = sim.run(BLANK, w, theta, learning=True, seed=6)
            frozen = sim.run(BLANK, w, theta, learning=False, seed=6)
        assert runs[rest].completed == 0 and runs[rest].counts.size == 0
        assert np.array_equal(frozen.theta_mV, theta)
    assert runs[0.0].theta_mV == pytest.approx(theta * np.exp(-2 * 20.0 / 100.0), rel=1e-6)
    assert runs[30.0].theta_mV == pytest.approx(theta * np.exp(-2 * 50.0 / 100.0), rel=1e-6)


def test_network_files_without_a_rest_read_as_trained_without_one():
    data = PARAMS.to_dict()
    del data["rest_ms"]
    assert DiehlCookParameters.from_dict(data).rest_ms == 0.0
    assert DiehlCookParameters.from_dict(PARAMS.to_dict()).rest_ms == PARAMS.rest_ms == 150.0


def test_the_papers_threshold_offset_fires_at_v_th_minus_offset_plus_theta():
    """theta_offset_mV (the paper's 20 mV) lowers the threshold by the offset: a network with offset 20 and
    theta = 20 + x spikes exactly as ours with theta = x; with theta = 20 - 5 it fires more; and training
    starts theta at the offset, so both start at the same threshold."""
    w, _ = start()
    x = np.array([0.5, 1.0, 2.0, 3.0])
    paper = dataclasses.replace(PARAMS, theta_offset_mV=20.0)
    runs = {}
    for name, params, theta in (("ours", PARAMS, x), ("paper", paper, x + 20.0), ("lower", paper, x + 15.0)):
        with Simulator(N_EXC, params, backend="runtime", n_slots=2) as sim:
            runs[name] = sim.run(np.repeat(BRIGHT, 2, axis=0), w, theta, learning=False, seed=4).counts
    assert runs["ours"].sum() > 0
    np.testing.assert_array_equal(runs["paper"], runs["ours"])
    assert runs["lower"].sum() > runs["ours"].sum()
    config = STDPConfig(n_exc=N_EXC, n_train=10, epochs=1, seed=0, params=paper)
    assert np.all(initial_state(config).theta_mV == 20.0)
    assert np.all(initial_state(dataclasses.replace(config, params=PARAMS)).theta_mV == 0.0)


def test_the_threshold_offset_is_a_setting():
    assert with_settings(PARAMS, ["theta_offset_mV=20"]).theta_offset_mV == 20.0
    assert DiehlCookParameters().theta_offset_mV == 0.0  # our default, a named departure from the paper


def test_everything_a_slot_start_does_runs_in_its_first_step_on_the_networks_one_clock(tmp_path):
    """The rest, the theta decay and the normalisation of each slot, in C++ standalone over 300 slots of the paper's
    350 ms at 0.5 ms: on a clock of their own (run_regularly(dt=slot)) they ran a step late in 343 of a default chunk's
    1,000 slots (Brian2's clocks agree only within 1e-14 s); counted in whole steps they are never late."""
    from brian2 import NeuronGroup, linked_var, ms, set_device

    params = DiehlCookParameters(min_spikes=1)
    n_slots = 300
    set_device("cpp_standalone", directory=str(tmp_path / "build"))
    net = build(N_EXC, n_slots, params, rates_hz=np.full((n_slots, 784), 60.0))
    assert {float(obj.clock.dt / ms) for obj in net.network.sorted_objects} == {params.dt_ms}  # one clock
    net.excitatory.learning = 0
    net.controller.n_images = n_slots
    net.input_exc.w = 0.3  # sums of 235.2 (w_sum tracks them), normalised to 78 at every slot's start
    net.excitatory.w_sum = 0.3 * 784
    # an observer of excitatory neuron 0's ge: driven above 0 by the end of every slot, cleared in each first step
    observer = NeuronGroup(1, "ge_seen : 1 (linked)\nlate : integer\nchecked : integer\ndriven : integer",
                           namespace={"slot_steps": params.slot_steps}, name="observer")
    observer.ge_seen = linked_var(net.excitatory, "ge", index=np.array([0]))
    observer.run_regularly("first = int(timestep(t, dt) % slot_steps == 0)\nchecked += first\n"
                           "late += first * int(ge_seen != 0)", when="before_groups", name="observer_first")
    observer.run_regularly("driven += int(timestep(t, dt) % slot_steps == slot_steps - 1 and ge_seen > 0)",
                           when="end", name="observer_last")
    net.network.add(observer)
    net.network.run(n_slots * params.present_ms * ms, namespace={})
    assert observer.checked[0] == n_slots and observer.driven[0] == n_slots
    assert observer.late[0] == 0
    assert np.asarray(net.input_exc.w).reshape(784, N_EXC).sum(axis=0) == pytest.approx(np.full(N_EXC, 78.0))
