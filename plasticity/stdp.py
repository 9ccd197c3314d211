"""Trace-based STDP rules as Brian2 code strings, independent of what they connect.

A rule is written in three parts:

* **traces**, equations added to the presynaptic group (``pre_traces``) and to the
  postsynaptic group (``post_traces``), with the code that bumps them when that group
  spikes (``pre_on_spike``, ``post_on_spike``, appended to the group's reset);
* **synapse code**: the ``model``, ``on_pre`` and ``on_post`` strings of a
  ``Synapses`` object, which read the traces as ``apre_pre`` / ``apost_post``.

Traces live in the neurons, not in the synapses, on purpose. Brian2's textbook form,
per-synapse ``(event-driven)`` traces, recomputes an exponential decay in every synapse a
spike touches; with 784 x 400 plastic synapses that is several exponentials per synaptic
event and dominates the run time. A neuron's trace is the same for all its synapses, so
it is decayed once per neuron and step (``method='exact'``) and a synaptic event costs one
multiply-add.

Timing within one step (Brian2's schedule: state update, thresholds, synapses, resets):
a trace is decayed, then read by the synapses of this step's spikes, then bumped by the
reset of its own group. A spike therefore sees the traces of *earlier* spikes only; a pre
and a post spike in the same step do not interact. For a pre spike at time ``t_pre`` and a
post spike at ``t_post = t_pre + d`` (``d > 0``) the pair rule changes the weight by
``+eta_post * exp(-d / tau_pre)``; for ``t_pre = t_post + d`` by ``-eta_pre * exp(-d / tau_post)``
(both clipped to ``[w_min, w_max]``). ``tests/plasticity/test_stdp.py`` checks this.

The learning rates are shared synapse variables (``eta_dep``, applied at pre spikes, and
``eta_pot``, at post spikes) rather than constants, so a network built
once for C++ standalone can switch learning off (``eta = 0``) between runs through
``run_args`` without being rebuilt.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar


class RuleError(ValueError):
    """STDP parameters that do not describe a working rule."""


TRACE_MODES = ("add", "set")


@dataclass(frozen=True)
class _Rule:
    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if name == "trace_mode":
                if value not in TRACE_MODES:
                    raise RuleError(f"trace_mode must be one of {TRACE_MODES}, got {value!r}")
                continue
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise RuleError(f"{type(self).__name__}: {name} must be a finite number, got {value!r}")
            if name.startswith("tau_") and value <= 0:
                raise RuleError(f"{type(self).__name__}: {name} must be > 0, got {value}")
            if name.startswith("eta_") and value < 0:
                raise RuleError(f"{type(self).__name__}: {name} must be >= 0, got {value}")
        if not self.w_min < self.w_max:
            raise RuleError(f"{type(self).__name__}: w_min ({self.w_min}) must be below w_max ({self.w_max})")

    def _bump(self, var: str) -> str:
        return f"{var} += 1" if self.trace_mode == "add" else f"{var} = 1"

    def to_dict(self) -> dict:
        return {"rule": self.name, **asdict(self)}

    def bounds_namespace(self) -> dict:
        return {"w_min": self.w_min, "w_max": self.w_max}

    def learning_rates(self) -> dict[str, float]:
        """Values of the shared synapse variables ``eta_dep`` (on pre spikes) and ``eta_pot`` (on post spikes)."""
        return {"eta_dep": self.eta_pre, "eta_pot": self.eta_post}


@dataclass(frozen=True)
class PairSTDP(_Rule):
    """Additive pair-based STDP with hard weight bounds.

    ``apre`` and ``apost`` decay with ``tau_pre_ms`` and ``tau_post_ms``; each spike adds 1
    to its trace (``trace_mode="add"``, all-to-all pairing) or sets it to 1 (``"set"``,
    nearest-spike pairing). A post spike potentiates by ``eta_post * apre``, a pre spike
    depresses by ``eta_pre * apost``.
    """

    tau_pre_ms: float = 20.0
    tau_post_ms: float = 20.0
    eta_pre: float = 1e-4
    eta_post: float = 1e-2
    w_min: float = 0.0
    w_max: float = 1.0
    trace_mode: str = "add"

    name: ClassVar[str] = "pair"
    pre_trace_names: ClassVar[tuple[str, ...]] = ("apre",)
    post_trace_names: ClassVar[tuple[str, ...]] = ("apost",)

    @property
    def pre_traces(self) -> str:
        return "dapre/dt = -apre / tau_apre : 1"

    @property
    def post_traces(self) -> str:
        return "dapost/dt = -apost / tau_apost : 1"

    @property
    def pre_on_spike(self) -> str:
        return self._bump("apre")

    @property
    def post_on_spike(self) -> str:
        return self._bump("apost")

    model = "w : 1\neta_dep : 1 (shared)\neta_pot : 1 (shared)"
    on_pre = "w = clip(w - eta_dep * apost_post, w_min, w_max)"
    on_post = "w = clip(w + eta_pot * apre_pre, w_min, w_max)"

    def trace_namespace(self) -> dict:
        from brian2 import ms

        return {"tau_apre": self.tau_pre_ms * ms, "tau_apost": self.tau_post_ms * ms}


@dataclass(frozen=True)
class TripletSTDP(_Rule):
    """The rule of Diehl & Cook's code (a minimal triplet rule, Pfister & Gerstner 2006).

    A pre spike depresses by ``eta_pre * apost1``. A post spike potentiates by
    ``eta_post * apre * apost2``, where ``apost2`` (slow, ``tau_post2_ms``) is read before
    this spike bumps it: potentiation needs an earlier post spike. Traces are set to 1 on a
    spike (Diehl & Cook's ``pre = 1``), not incremented, by default.
    """

    tau_pre_ms: float = 20.0
    tau_post1_ms: float = 20.0
    tau_post2_ms: float = 40.0
    eta_pre: float = 1e-4
    eta_post: float = 1e-2
    w_min: float = 0.0
    w_max: float = 1.0
    trace_mode: str = "set"

    name: ClassVar[str] = "triplet"
    pre_trace_names: ClassVar[tuple[str, ...]] = ("apre",)
    post_trace_names: ClassVar[tuple[str, ...]] = ("apost1", "apost2")

    @property
    def pre_traces(self) -> str:
        return "dapre/dt = -apre / tau_apre : 1"

    @property
    def post_traces(self) -> str:
        return "dapost1/dt = -apost1 / tau_apost1 : 1\ndapost2/dt = -apost2 / tau_apost2 : 1"

    @property
    def pre_on_spike(self) -> str:
        return self._bump("apre")

    @property
    def post_on_spike(self) -> str:
        return self._bump("apost1") + "\n" + self._bump("apost2")

    model = "w : 1\neta_dep : 1 (shared)\neta_pot : 1 (shared)"
    on_pre = "w = clip(w - eta_dep * apost1_post, w_min, w_max)"
    on_post = "w = clip(w + eta_pot * apre_pre * apost2_post, w_min, w_max)"

    def trace_namespace(self) -> dict:
        from brian2 import ms

        return {
            "tau_apre": self.tau_pre_ms * ms,
            "tau_apost1": self.tau_post1_ms * ms,
            "tau_apost2": self.tau_post2_ms * ms,
        }


RULES = {"pair": PairSTDP, "triplet": TripletSTDP}


def rule_from_dict(data: dict) -> PairSTDP | TripletSTDP:
    data = dict(data)
    name = data.pop("rule", None)
    if name not in RULES:
        raise RuleError(f"unknown STDP rule {name!r} (known: {', '.join(RULES)})")
    try:
        return RULES[name](**data)
    except TypeError as exc:
        raise RuleError(f"{name}: {exc}") from None


def plastic_synapses(pre, post, rule, *, extra_on_pre: str = "", name: str, connect=True, namespace=None):
    """A ``Synapses`` object from ``pre`` to ``post`` learning with ``rule``.

    ``pre`` and ``post`` must carry the rule's traces (``rule.pre_traces`` in ``pre``'s
    equations and ``rule.pre_on_spike`` in its reset; likewise for ``post``).
    ``extra_on_pre`` is the transmission code (e.g. ``"ge_post += w"``), run before the
    weight update so that a spike is transmitted with the weight it arrived at.
    """
    from brian2 import Synapses

    on_pre = "\n".join(s for s in (extra_on_pre, rule.on_pre) if s)
    synapses = Synapses(
        pre,
        post,
        model=rule.model,
        on_pre=on_pre,
        on_post=rule.on_post,
        namespace={**rule.bounds_namespace(), **(namespace or {})},
        name=name,
    )
    if connect is not None:
        synapses.connect(connect) if not isinstance(connect, dict) else synapses.connect(**connect)
    for var, value in rule.learning_rates().items():
        setattr(synapses, var, value)
    return synapses
