"""The delta synapse: a presynaptic spike moves the postsynaptic potential by ``w`` at once.

    on_pre:  v_post += w      (unless the target is refractory)

This is the baseline the four shipped models use; it is not physiological (a real synapse
injects a current that rises and decays over milliseconds: ``cuba.py``, ``coba.py``), and the
documentation says so. In NIR it is a ``Linear`` node (or an ``Affine`` one). One delivered spike
costs one addition per target (``ACS_PER_EVENT``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .synapse import SynapseParameters, register_synapse


@register_synapse
@dataclass(frozen=True)
class DeltaSynapse(SynapseParameters):
    """A voltage jump of ``w`` mV; no parameters of its own."""

    kind: ClassVar[str] = "delta"
    MODEL: ClassVar[str] = "w : volt"
    #: a jump of ``w`` unless the target is refractory
    ON_PRE: ClassVar[str] = "v_post += w * int(not_refractory_post)"
    WEIGHT_UNIT: ClassVar[str] = "mV"
    JUMPS_V: ClassVar[bool] = True
    # LIF: v = v_rest + (c v + v_drive + c (-v_rest - v_drive)); IF: v += d v_drive
    UPDATE_OPERATIONS: ClassVar[dict[str, tuple[int, int, int]]] = {"LIF": (4, 6, 0), "IF": (3, 3, 0)}

    # --- the trainer's view (``xp``: torch or numpy) --------------------------------------------
    def step_constants(self, neuron, dt_ms: float, potential) -> dict:
        return {}

    def initial_state(self, v) -> tuple:
        return ()

    @staticmethod
    def split(w, xp) -> tuple:
        return (w,)

    @staticmethod
    def advance(v, state, c, active, bias, xp):
        """The state update of one step: the neuron's own (``free_step``) and a constant input."""
        return xp.where(active, c.free_step(v, c.v_rest, c.decay) + bias, v), state

    @staticmethod
    def receive(v, state, currents, active, fired, xp):
        """``ON_PRE``: ``v + current`` where not refractory and not firing in this step."""
        (current,) = currents
        return xp.where(active & ~fired, v + current, v), state


DELTA = DeltaSynapse()
