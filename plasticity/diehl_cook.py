"""The unsupervised network of Diehl & Cook (2015), built once and run on many chunks of images.

Topology: 784 Poisson inputs -> ``n`` excitatory neurons (all-to-all, plastic, STDP) ->
``n`` inhibitory neurons (one-to-one) -> back onto every *other* excitatory neuron
(lateral inhibition). Each excitatory neuron has an adaptive threshold ``theta`` that
grows by ``theta_plus`` at every spike of the neuron while learning, and the input weights of
every excitatory neuron are normalised to sum to ``w_total`` before each image.

The threshold is ``v > v_th - theta_offset + theta``, ``theta`` starting at ``theta_offset`` and
decaying towards 0 while learning. The paper's code has ``theta_offset`` = 20 mV: its threshold
starts at ``v_th`` and, as ``theta`` decays, can sink 20 mV below it (below rest), so the offset
itself wears off over training. Our default, ``theta_offset_mV = 0``, is a named departure: the
threshold never sinks below ``v_th``, and ``theta`` is our neuron's only adaptation. Both
shipped networks use it; ``--set theta_offset_mV=20`` gives the paper's neuron
(``results/stdp.md`` measures both).

Why these neurons differ from :mod:`neuron_models`: the project's IF/LIF groups take
synaptic input as instantaneous voltage jumps and have a fixed threshold. Diehl & Cook's
neurons are LIFs with *conductance* synapses (``ge``, ``gi`` with reversal potentials;
inhibition shunts towards ``E_inh``), and the excitatory ones carry the adaptive threshold
``theta`` on which the competition between neurons rests. The membrane parameters still
come from the project's :class:`~neuron_models.LIFParameters` (``EXCITATORY``,
``INHIBITORY`` below) and reach the equations through its ``namespace()``; only the
conductance and threshold terms are added here.

One image is a *slot* of ``present_ms``: at its start every neuron returns to rest, all
conductances and traces are cleared and the weights are normalised; then the image is shown
as Poisson spike trains. If the excitatory layer fires fewer than ``min_spikes`` times, the
same image is shown again in the next slot with ``boost_rate_hz`` more input rate, as in
the paper. This bookkeeping runs inside the simulation (a one-neuron ``controller`` group
counts spikes, advances the image index and the boost), so a chunk of images runs in one
call of the compiled binary. What a slot's start does runs in the slot's first step, counted in
whole steps on the network's one clock (``neuron_models.group.at_period_start``; the weight
normalisation through the excitatory neurons' ``slot_start`` event), never on a clock of its own.

The paper follows every presentation with ``rest_ms`` = 150 ms without input, in which
every variable decays. Here the state is reset instead of simulated through the rest, except
``theta``: while learning it decays by ``exp(-rest_ms / tau_theta_ms)`` at the start of each
presentation (repeats included, the idle slots after a chunk's last image excluded), exactly
as over the paper's rest. That decay matters: ``theta`` settles where its growth per
presentation balances its decay, which sets how much the trained neurons fire. Departures
from the paper, each for speed: the reset instead of the rest, and no synaptic delays;
(parameters' defaults) 350 ms per image at dt = 0.5 ms as in the paper.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace

import numpy as np

from snn_mnist.neuron_models import LIFParameters
from snn_mnist.neuron_models.base import REST_STATE
from snn_mnist.neuron_models.group import at_period_start
from snn_mnist.neuron_models.topology import N_INPUTS

from .stdp import RuleError, TripletSTDP, rule_from_dict

#: Diehl & Cook's excitatory neurons: tau 100 ms, rest/reset -65 mV, threshold -52 mV (+ theta), 5 ms refractory.
EXCITATORY = LIFParameters(tau_m_ms=100.0, v_rest_mV=-65.0, v_th_mV=-52.0, v_reset_mV=-65.0, tau_ref_ms=5.0)
#: ... and inhibitory neurons: tau 10 ms, rest -60 mV, reset -45 mV, threshold -40 mV, 2 ms refractory.
INHIBITORY = LIFParameters(tau_m_ms=10.0, v_rest_mV=-60.0, v_th_mV=-40.0, v_reset_mV=-45.0, tau_ref_ms=2.0)


class NetworkError(ValueError):
    """Parameters or arrays that do not fit a Diehl & Cook network."""


@dataclass(frozen=True)
class DiehlCookParameters:
    """Everything but the number of excitatory neurons; defaults follow the paper's code."""

    dt_ms: float = 0.5
    present_ms: float = 350.0
    rest_ms: float = 150.0  # the paper's rest after each presentation (only theta's decay over it is kept)
    max_rate_hz: float = 63.75  # pixel 255 -> 63.75 Hz (the paper's intensity 2: pixel / 8 * 2)
    boost_rate_hz: float = 31.875  # added to the maximum rate at each repeat of a silent image
    min_spikes: int = 5
    e_exc_mV: float = 0.0
    e_inh_mV: float = -100.0  # excitatory neurons' inhibitory reversal potential
    tau_ge_ms: float = 1.0
    tau_gi_ms: float = 2.0
    theta_plus_mV: float = 0.05
    theta_offset_mV: float = 0.0  # threshold v_th - offset + theta, theta starting at the offset; the paper's: 20
    tau_theta_ms: float = 1e7
    w_total: float = 78.0  # sum of the input weights of each excitatory neuron
    w_init_max: float = 0.3
    w_exc_inh: float = 10.4
    w_inh_exc: float = 17.0
    excitatory: LIFParameters = EXCITATORY
    inhibitory: LIFParameters = INHIBITORY
    rule: TripletSTDP = field(default_factory=TripletSTDP)

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, (int, float)) and (not math.isfinite(value) or value < 0 and not name.endswith("mV")):
                raise NetworkError(f"{name} must be a finite non-negative number, got {value}")
            if name.startswith("tau_") and value <= 0:
                raise NetworkError(f"{name} must be > 0, got {value}")
        steps = self.present_ms / self.dt_ms
        if self.dt_ms <= 0 or steps < 1 or abs(steps - round(steps)) > 1e-9:
            raise NetworkError(f"present_ms ({self.present_ms}) must be a positive multiple of dt ({self.dt_ms} ms)")
        if (self.max_rate_hz * self.dt_ms / 1000) > 1:
            raise NetworkError(f"max rate {self.max_rate_hz} Hz exceeds one spike per step at dt {self.dt_ms} ms")
        for params in (self.excitatory, self.inhibitory):
            params.refractory_steps(self.dt_ms)  # tau_ref must be a whole number of steps

    @property
    def slot_steps(self) -> int:
        return int(round(self.present_ms / self.dt_ms))

    def to_dict(self) -> dict:
        data = asdict(self)
        data["excitatory"] = self.excitatory.to_dict()
        data["inhibitory"] = self.inhibitory.to_dict()
        data["rule"] = self.rule.to_dict()
        return data

    @staticmethod
    def from_dict(data: dict) -> "DiehlCookParameters":
        from snn_mnist.neuron_models import NeuronParameters

        data = dict(data)
        data.setdefault("rest_ms", 0.0)  # files written before the rest was modelled were trained without it
        try:
            data["excitatory"] = NeuronParameters.from_dict(data["excitatory"])
            data["inhibitory"] = NeuronParameters.from_dict(data["inhibitory"])
            data["rule"] = rule_from_dict(data["rule"])
            return DiehlCookParameters(**data)
        except (KeyError, TypeError, RuleError) as exc:
            raise NetworkError(f"bad network parameters ({exc})") from None


def with_settings(params: DiehlCookParameters, settings: Iterable[str]) -> DiehlCookParameters:
    """``params`` with ``NAME=VALUE`` settings applied, in order.

    ``NAME`` is a field of :class:`DiehlCookParameters` (``tau_theta_ms=5e6``) or, dotted, of its
    neuron parameters and rule (``excitatory.tau_m_ms=50``, ``rule.eta_post=0.02``). The value
    takes the type of the field it replaces, and the result is validated like any parameters.
    """
    for setting in settings:
        name, equals, text = setting.partition("=")
        if not equals or not name.strip():
            raise NetworkError(f"--set {setting}: not NAME=VALUE")
        try:
            params = _set(params, name.strip().split("."), text.strip())
        except (ValueError, TypeError) as exc:
            raise NetworkError(f"--set {setting}: {exc}") from None
    return params


def _set(obj, path: list[str], text: str):
    names = [f.name for f in fields(obj)]
    if path[0] not in names:
        raise ValueError(f"{type(obj).__name__} has no parameter {path[0]!r} (it has {', '.join(names)})")
    current = getattr(obj, path[0])
    if len(path) > 1:
        if not is_dataclass(current):
            raise ValueError(f"{path[0]} has no parameters of its own")
        value = _set(current, path[1:], text)
    elif is_dataclass(current):
        raise ValueError(f"{path[0]} is a group of parameters; set one of them ({path[0]}.NAME=VALUE)")
    else:
        value = type(current)(text)
    return replace(obj, **{path[0]: value})


def initial_weights(n_exc: int, params: DiehlCookParameters, rng: np.random.Generator) -> np.ndarray:
    """The paper's initial input weights, uniform in ``[0.01, 1.01) * w_init_max``, shape (784, n)."""
    return (rng.random((N_INPUTS, n_exc)) + 0.01) * params.w_init_max


def normalise(w: np.ndarray, w_total: float) -> np.ndarray:
    """Scale each column (one excitatory neuron's inputs) to sum to ``w_total``; a new array."""
    sums = w.sum(axis=0, keepdims=True)
    return np.where(sums > 0, w * (w_total / np.where(sums > 0, sums, 1.0)), w)


# --- the Brian2 network ---------------------------------------------------------------------

#: Whether an image of the chunk is on: false in the idle slots after the chunk's last image.
SHOWING = "image < n_images"

EXCITATORY_EQUATIONS = f"""
dv/dt = (v_rest - v + ge * (e_exc - v) + gi * (e_inh - v)) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_ge : 1
dgi/dt = -gi / tau_gi : 1
dtheta/dt = -learning * int({SHOWING}) * theta / tau_theta : volt
w_sum : 1
learning : 1 (shared)
image : integer (linked)
n_images : integer (linked)
"""
EXCITATORY_THRESHOLD = f"{SHOWING} and v > v_th - theta_offset + theta"
EXCITATORY_RESET = "v = v_reset\ntheta += learning * theta_plus"

#: Why exponential Euler: ``v`` relaxes at the rate ``(1 + ge + gi) / tau_m``. When a few dozen
#: inhibitory neurons fire in one step, ``gi`` reaches several hundred, and forward Euler at
#: dt = 0.5 ms overshoots, then oscillates with growing amplitude: every excitatory neuron is
#: thrown above threshold at once and keeps firing (seen with 400 neurons, after ~1,200 images).
#: Exponential Euler integrates ``v`` exactly for the conductances of the step, at any size.
INTEGRATION = "exponential_euler"

INHIBITORY_EQUATIONS = """
dv/dt = (v_rest - v + ge * (e_exc - v)) / tau_m : volt (unless refractory)
dge/dt = -ge / tau_ge : 1
"""

INPUT_EQUATIONS = """
rate = stimulus(image * slot, i) * (1 + boost * boost_fraction) : Hz
image : integer (linked)
boost : integer (linked)
"""

#: The controller's step: at the end of each slot, advance to the next image if the
#: excitatory layer fired at least ``min_spikes`` times, else show it again, louder. Once the
#: chunk's ``n_images`` images are done, the remaining slots are idle: nothing passes, nothing
#: grows louder, and the excitatory layer stays silent (its threshold reads ``image < n_images``).
CONTROLLER_EQUATIONS = """
image : integer
n_images : integer
boost : integer
count : integer
step : integer
rng_seed : integer
"""
CONTROLLER_STEP = f"""
step += 1
slot_done = int(step >= slot_steps)
showing = int({SHOWING})
passed = slot_done * showing * int(count >= min_spikes)
image += passed
boost += showing * (slot_done - passed * (boost + 1))
count *= 1 - slot_done
step *= 1 - slot_done
"""

#: ``theta``'s decay over the paper's rest before a presentation (only while learning, not in idle slots), in
#: the first step of a slot (``first``: :func:`neuron_models.group.at_period_start`).
THETA_REST = f"theta *= exp(-first * learning * int({SHOWING}) * rest / tau_theta)"

#: The excitatory neurons' event in the first step of every slot, which triggers the weight normalisation.
SLOT_START = "timestep(t, dt) % slot_steps == 0"

#: Weight normalisation at the start of a slot; ``w_sum`` is kept up to date by the STDP
#: code (see :func:`_track_sum`), so no per-step summed variable is needed.
NORMALISE = "w *= w_total / clip(w_sum_post, 1e-12, inf)"


def _track_sum(code: str) -> str:
    """Wrap STDP code so that the post neuron's ``w_sum`` follows every change of ``w``."""
    return f"w_before = w\n{code}\nw_sum_post += w - w_before"


@dataclass
class DiehlCookNetwork:
    network: object
    input: object
    excitatory: object
    inhibitory: object
    input_exc: object
    controller: object
    stimulus: object
    spikes: object
    n_exc: int
    n_slots: int
    params: DiehlCookParameters


def build(n_exc: int, n_slots: int, params: DiehlCookParameters, rates_hz: np.ndarray | None = None) -> DiehlCookNetwork:
    """The network with room for ``n_slots`` image presentations per run.

    ``rates_hz`` (n_slots x 784) fills the ``stimulus``; variables set per run (as values before ``run`` in runtime mode, or as ``run_args`` of
    a compiled standalone binary): ``stimulus`` (n_slots x 784 rates, Hz), ``input_exc.w``,
    ``excitatory.theta``, ``excitatory.w_sum``, ``excitatory.learning`` and the rule's
    ``input_exc.eta_*``, ``controller.n_images``, ``controller.boost`` and ``controller.rng_seed``.
    """
    from brian2 import (
        Hz,
        Network,
        NeuronGroup,
        SpikeMonitor,
        Synapses,
        TimedArray,
        defaultclock,
        linked_var,
        ms,
        mV,
    )

    if n_exc < 1 or n_slots < 1:
        raise NetworkError(f"need at least one neuron and one slot, got {n_exc} and {n_slots}")
    p, rule = params, params.rule
    defaultclock.dt = p.dt_ms * ms
    slot = p.present_ms * ms

    rates = np.zeros((n_slots, N_INPUTS)) if rates_hz is None else np.asarray(rates_hz, dtype=np.float64)
    stimulus = TimedArray(rates * Hz, dt=slot, name="stimulus")
    controller = NeuronGroup(
        1, CONTROLLER_EQUATIONS, namespace={"slot_steps": p.slot_steps, "min_spikes": p.min_spikes}, name="controller"
    )
    controller.run_regularly(CONTROLLER_STEP, when="end", name="controller_step")

    inputs = NeuronGroup(
        N_INPUTS,
        INPUT_EQUATIONS + rule.pre_traces,
        threshold="rand() < rate * dt",
        reset=rule.pre_on_spike,
        method="exact",
        namespace={
            "stimulus": stimulus,
            "slot": slot,
            "slot_steps": p.slot_steps,
            "boost_fraction": p.boost_rate_hz / p.max_rate_hz,
            **rule.trace_namespace(),
        },
        name="input",
    )
    inputs.image = linked_var(controller, "image", index=np.zeros(N_INPUTS, dtype=int))
    inputs.boost = linked_var(controller, "boost", index=np.zeros(N_INPUTS, dtype=int))

    exc_ns = {
        **p.excitatory.namespace(),
        "e_exc": p.e_exc_mV * mV,
        "e_inh": p.e_inh_mV * mV,
        "tau_ge": p.tau_ge_ms * ms,
        "tau_gi": p.tau_gi_ms * ms,
        "tau_theta": p.tau_theta_ms * ms,
        "rest": p.rest_ms * ms,
        "theta_plus": p.theta_plus_mV * mV,
        "theta_offset": p.theta_offset_mV * mV,
        "w_total": p.w_total,
        "slot_steps": p.slot_steps,
        **rule.trace_namespace(),
    }
    excitatory = NeuronGroup(
        n_exc,
        EXCITATORY_EQUATIONS + rule.post_traces,
        threshold=EXCITATORY_THRESHOLD,
        events={"slot_start": SLOT_START},
        reset=EXCITATORY_RESET + "\n" + rule.post_on_spike,
        refractory="tau_ref",
        method=INTEGRATION,
        namespace=exc_ns,
        name="excitatory",
    )
    inhibitory = NeuronGroup(
        n_exc,
        INHIBITORY_EQUATIONS,
        threshold="v > v_th",
        reset="v = v_reset",
        refractory="tau_ref",
        method=INTEGRATION,
        namespace={**p.inhibitory.namespace(), "e_exc": p.e_exc_mV * mV, "tau_ge": p.tau_ge_ms * ms,
                   "slot_steps": p.slot_steps},
        name="inhibitory",
    )
    excitatory.image = linked_var(controller, "image", index=np.zeros(n_exc, dtype=int))
    excitatory.n_images = linked_var(controller, "n_images", index=np.zeros(n_exc, dtype=int))
    excitatory.v = "v_rest"
    inhibitory.v = "v_rest"

    # What happens at the start of a slot runs on the network's clock in the slot's first step, counted in whole
    # steps: on a clock of its own (run_regularly(dt=slot)) it came a step late in 343 of a chunk's 1,000 slots.
    rest = REST_STATE + "\nge = 0"  # the networks' rest (neuron_models.base), conductances included
    excitatory_rest = "\n".join([rest, "gi = 0", *(f"{x} = 0" for x in rule.post_trace_names)])
    excitatory.run_regularly(at_period_start(excitatory_rest, "slot_steps") + "\n" + THETA_REST,
                             when="start", order=1, name="excitatory_rest")
    inhibitory.run_regularly(at_period_start(rest, "slot_steps"), when="start", name="inhibitory_rest")
    inputs.run_regularly(at_period_start("\n".join(f"{x} = 0" for x in rule.pre_trace_names), "slot_steps"),
                         when="start", name="input_rest")

    input_exc = Synapses(
        inputs,
        excitatory,
        model=rule.model,
        on_pre="ge_post += w\n" + _track_sum(rule.on_pre),
        # the normalisation, triggered by each excitatory neuron's slot_start event: its inputs' synapses only
        on_post={"post": _track_sum(rule.on_post), "normalise": NORMALISE},
        on_event={"normalise": "slot_start"},
        namespace={**rule.bounds_namespace(), "w_total": p.w_total},
        name="input_exc",
    )
    pre, post = np.indices((N_INPUTS, n_exc))
    input_exc.connect(i=pre.ravel(), j=post.ravel())  # synapse k is (k // n_exc, k % n_exc): w.ravel() order
    # in the slot's first step, before any delivery or plasticity of that step: normalise, then w_sum is w_total
    input_exc.normalise.order = -2
    excitatory.run_regularly(at_period_start("w_sum = w_total", "slot_steps"), when="synapses", order=-1,
                             name="w_sum_reset")

    exc_inh = Synapses(excitatory, inhibitory, on_pre="ge_post += w_exc_inh", namespace={"w_exc_inh": p.w_exc_inh},
                       name="exc_inh")
    exc_inh.connect(j="i")
    inh_exc = Synapses(inhibitory, excitatory, on_pre="gi_post += w_inh_exc", namespace={"w_inh_exc": p.w_inh_exc},
                       name="inh_exc")
    inh_exc.connect(condition="i != j")
    counter = Synapses(excitatory, controller, on_pre="count_post += 1", name="spike_counter")
    counter.connect(j="0 * i")  # every excitatory neuron onto the controller

    spikes = SpikeMonitor(excitatory, name="excitatory_spikes")
    network = Network(controller, inputs, excitatory, inhibitory, input_exc, exc_inh, inh_exc, counter, spikes)
    return DiehlCookNetwork(network, inputs, excitatory, inhibitory, input_exc, controller, stimulus, spikes,
                            n_exc, n_slots, p)
