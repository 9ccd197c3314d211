"""What every synapse model shares, and the registry that finds them by name (``--synapse``).

A synapse model is one class, in one file of this package (``delta.py``, ``cuba.py``,
``coba.py``), that holds everything about it: its parameters with units in their names and their
validation, the term it adds to the neurons' membrane equation and the equations of its own
state, what a presynaptic spike does (Brian2's ``on_pre``), what the rest between images clears,
the integration method of the neurons it drives, the trainer's discrete-time version of all of
it, and its operation count.

The membrane equations of ``lif.py`` and ``if_.py`` leave a place, ``{synaptic_input}``, for the
synapse's term; ``equations(neuron)`` fills it. Weights are in mV (a jump, or a current's jump in
voltage units, ``R I``) for ``delta`` and ``cuba``, and dimensionless conductances relative to
the leak for ``coba`` (``WEIGHT_UNIT``).

This module needs neither Brian2 nor PyTorch at import.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

from .base import NeuronParameters, ParameterError, Registry


@dataclass(frozen=True)
class SynapseParameters:
    """The parameters of one synapse model; subclasses name themselves with ``kind``."""

    kind: ClassVar[str] = ""
    #: the term added to the membrane equation's drive, in volts ("" for none)
    INPUT: ClassVar[str] = ""
    #: each neuron's synaptic state
    EQUATIONS: ClassVar[str] = ""
    #: what the rest between images clears of that state (Brian2 code, "" for nothing)
    REST: ClassVar[str] = ""
    #: the synapses' own variables and what a presynaptic spike does to its target
    MODEL: ClassVar[str] = "w : volt"
    ON_PRE: ClassVar[str] = ""
    WEIGHT_UNIT: ClassVar[str] = "mV"
    #: whether a delivered spike moves the membrane potential itself (a jump), rather than a synaptic
    #: state that the next state update carries to it. In the "input-first" step order the step's input
    #: must reach the threshold test of its own step: a jump arrives after the state update, any other
    #: input before it (networks.builder.input_first, trainer.dynamics.layer_step).
    JUMPS_V: ClassVar[bool] = False
    #: additions one delivered spike costs per target
    ACS_PER_EVENT: ClassVar[int] = 1
    #: the arithmetic of one neuron's state update in one step, as Brian2 generates it (C++ standalone;
    #: the loop over neurons, loop invariants hoisted out): (multiplies, adds, expm1 calls) for each neuron
    #: kind with this synapse, the membrane equation, the synaptic state's decays and the refractoriness
    #: test (``_timestep(t - lastspike, dt)``: 2 multiplies, 2 adds) together. A division counts as a
    #: multiply, a subtraction as an add. ``tests/readout/test_energy.py`` counts the generated code.
    UPDATE_OPERATIONS: ClassVar[dict[str, tuple[int, int, int]]] = {}

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"{self.kind} synapse: {name} must be a finite number, got {value!r}")
            if name.startswith("tau_") and value <= 0:
                raise ParameterError(f"{self.kind} synapse: {name} must be > 0, got {value}")

    # --- Brian2 ----------------------------------------------------------------------------
    def equations(self, neuron: NeuronParameters) -> str:
        """The neuron group's equations: the neuron's membrane equation with this synapse's input."""
        return neuron.EQUATIONS.format(synaptic_input=f" + {self.INPUT}" if self.INPUT else "") + self.EQUATIONS

    def method(self, neuron: NeuronParameters) -> str:
        """How Brian2 integrates the neurons this synapse drives."""
        return neuron.METHOD

    def namespace(self) -> dict:
        """The parameters as Brian2 quantities, named as in the equations."""
        return {}

    def weights(self, w):
        """Weights (float array in ``WEIGHT_UNIT``) as the values of the synapses' ``w``."""
        from brian2 import mV

        return w * mV

    def check(self, neuron: NeuronParameters, dt_ms: float) -> None:
        """Raise :class:`ParameterError` if this synapse cannot drive ``neuron`` at ``dt_ms``."""

    #: the trainer's fast form of ``advance`` for all steps at once (see :meth:`membrane_map`), or not
    HAS_MEMBRANE_MAP: ClassVar[bool] = False

    @staticmethod
    def membrane_map_vjp(currents, c, bias, xp) -> tuple:
        """``(P, Q, vjp)``: a free neuron's step is ``v -> P[t] v + Q[t]`` for all steps of
        ``currents`` (the synaptic state, which no spike or refractoriness touches, filtered ahead of
        time), equal to ``advance`` but for rounding: the trainer's fast path. ``vjp(dL/dP, dL/dQ)``
        gives ``dL/dcurrents`` (torch tensors). Only where ``HAS_MEMBRANE_MAP``."""
        raise NotImplementedError

    def membrane_map(self, currents, c, bias, xp) -> tuple:
        """``(P, Q)`` of :meth:`membrane_map_vjp`."""
        return self.membrane_map_vjp(currents, c, bias, xp)[:2]

    def reversal_potentials(self) -> dict[str, float]:
        """The potentials (mV) the synaptic input drives the membrane towards, by name, for figures."""
        return {}

    def init_gain(self, neuron: NeuronParameters) -> float:
        """How much larger initial weights must be than a voltage jump's to move the potential as far
        (the trainer scales its initialisation by it)."""
        return 1.0

    # --- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"kind": self.kind, **asdict(self)}

    @staticmethod
    def from_dict(data: dict | None) -> "SynapseParameters":
        return SYNAPSES.build(data or {"kind": "delta"})  # weights files before synapse models were delta


def delivered(currents, decay: float, xp):
    """The synaptic state each step's state update sees, for all steps of ``currents`` (steps, ...):
    ``y[0] = 0``, ``y[t] = decay y[t-1] + currents[t-1]`` (a step's input arrives after its update)."""
    steps = list(currents.unbind(0)) if hasattr(currents, "unbind") else list(currents)
    out = [xp.zeros_like(steps[0])]
    for x in steps[:-1]:
        out.append(out[-1] * decay + x)
    return xp.stack(out)


def delivered_vjp(grads, decay: float, xp):
    """The gradient of :func:`delivered`'s currents from that of its output (steps, ...): the same
    filter run backwards, ``dL/dcurrents[t] = G[t + 1]`` with ``G[t] = grads[t] + decay G[t + 1]``
    (the last step's input is seen by no step)."""
    steps = list(grads.unbind(0)) if hasattr(grads, "unbind") else list(grads)
    out = [xp.zeros_like(steps[0])]
    for g in steps[:0:-1]:
        out.append(out[-1] * decay + g)
    return xp.stack(out[::-1])


def brian2_method(name: str, code) -> str:
    """Register with Brian2, once, a state update method ``name`` whose code is ``code(equations, variables)``
    (a string of Brian2 code); return ``name``. For the integrations Brian2's own methods cannot do."""
    from brian2 import StateUpdateMethod
    from brian2.stateupdaters.base import UnsupportedEquationsException

    class Method(StateUpdateMethod):
        def __call__(self, equations, variables=None, method_options=None):
            if equations.is_stochastic:
                raise UnsupportedEquationsException(f"{name} cannot integrate stochastic equations")
            return code(equations, variables)

    if name not in StateUpdateMethod.stateupdaters:
        StateUpdateMethod.register(name, Method())
    return name


SYNAPSES = Registry("synapse model", "{kind} synapse")
register_synapse = SYNAPSES.register


def synapse_named(kind: str, **parameters) -> SynapseParameters:
    """The synapse model ``kind`` with its default parameters (or ``parameters``)."""
    return SYNAPSES.build({"kind": kind, **parameters})
