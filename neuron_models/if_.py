"""The (non-leaky) integrate-and-fire neuron, everything about it in one place.

    tau_m dv/dt = v_drive      (unless refractory)

No leak: ``v`` holds between inputs. Brian2 integrates it with Euler, which is exact for a
right-hand side free of ``v``; the trainer's state update is the identity and costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import NeuronParameters, register


@register
@dataclass(frozen=True)
class IFParameters(NeuronParameters):
    """Integrate-and-fire: ``tau_m dv/dt = v_drive``; no leak, so v holds between inputs."""

    kind: ClassVar[str] = "IF"
    leaky: ClassVar[bool] = False
    #: ``{synaptic_input}``: the synapse model's term (``neuron_models.synapse``), nothing for delta synapses
    EQUATIONS: ClassVar[str] = """
        dv/dt = (v_drive{synaptic_input}) / tau_m : volt (unless refractory)
        v_drive : volt
        """
    METHOD: ClassVar[str] = "euler"

    def decay(self, dt_ms: float) -> float:
        return 1.0

    @staticmethod
    def free_step(v, v_rest, decay):
        return v

    def drive_for(self, increment_mV, dt_ms: float):
        # Euler, exact here: v -> v + dt v_drive / tau_m
        return np.asarray(increment_mV) * self.tau_m_ms / dt_ms

    def to_nir(self, nir, n: int, dt_ms: float):
        full = lambda x: np.full(n, x, dtype=np.float64)  # noqa: E731
        node = nir.IF(r=full(1.0), v_threshold=full(self.v_th_mV - self.v_rest_mV),
                      v_reset=full(self.v_reset_mV - self.v_rest_mV))
        return node, 1000.0 / dt_ms  # a one-step pulse of weight W moves v by W step (step in seconds)

    @classmethod
    def nir_origin(cls, node):
        return np.zeros_like(node.field("r"))

    @classmethod
    def nir_timing(cls, node, dt_ms: float):
        r = node.field("r")
        # tau_m only scales v_drive, which the import sets from the biases (drive_for): keep the default
        return IF.tau_m_ms, (r * node.step if node.if_pulse else r)


#: The IF parameters every network of this project uses unless told otherwise.
IF = IFParameters()
