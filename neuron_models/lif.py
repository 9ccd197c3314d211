"""The leaky integrate-and-fire neuron, everything about it in one place.

    tau_m dv/dt = v_rest - v + v_drive      (unless refractory)

Brian2 integrates it exactly (its linear solver); the trainer's step is the same propagator,
``v = v_rest + (v - v_rest) * exp(-dt/tau_m)``: one multiply-accumulate per neuron and step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import NeuronParameters, register


@register
@dataclass(frozen=True)
class LIFParameters(NeuronParameters):
    """Leaky integrate-and-fire: ``tau_m dv/dt = v_rest - v + v_drive``."""

    kind: ClassVar[str] = "LIF"
    leaky: ClassVar[bool] = True
    #: ``{synaptic_input}``: the synapse model's term (``neuron_models.synapse``), nothing for delta synapses
    EQUATIONS: ClassVar[str] = """
        dv/dt = (v_rest - v + v_drive{synaptic_input}) / tau_m : volt (unless refractory)
        v_drive : volt
        """
    METHOD: ClassVar[str] = "exact"

    def decay(self, dt_ms: float) -> float:
        return math.exp(-dt_ms / self.tau_m_ms)

    @staticmethod
    def free_step(v, v_rest, decay):
        return v_rest + (v - v_rest) * decay

    def drive_for(self, increment_mV, dt_ms: float):
        # exact over one step: v -> v_rest + v_drive + (v - v_rest - v_drive) d, i.e. free_step + v_drive (1 - d)
        return np.asarray(increment_mV) / (1.0 - self.decay(dt_ms))

    def to_nir(self, nir, n: int, dt_ms: float):
        full = lambda x: np.full(n, x, dtype=np.float64)  # noqa: E731
        node = nir.LIF(
            tau=full(self.tau_m_ms / 1000.0), r=full(1.0), v_leak=full(0.0),
            v_threshold=full(self.v_th_mV - self.v_rest_mV), v_reset=full(self.v_reset_mV - self.v_rest_mV),
        )
        return node, self.tau_m_ms / dt_ms  # a one-step pulse of weight W moves v by W step / tau

    @classmethod
    def nir_origin(cls, node):
        return node.field("v_leak")

    @classmethod
    def nir_timing(cls, node, dt_ms: float):
        tau = node.uniform("tau", " (tau cannot be folded into the weights)")
        if not tau > 0:
            node.fail(f"has tau {tau:g}; it must be positive")
        if node.discrete:  # the exporter's Euler step, v += step/tau (v_leak - v): keep its decay exactly
            decay = 1.0 - node.step / tau
            if not 0 < decay < 1:
                node.fail(f"has tau {tau:g}, not longer than the {node.convention} step {node.step:g}")
            tau_m_ms = -dt_ms / math.log(decay)
        else:
            tau_m_ms = tau * node.ms_per_unit
        return tau_m_ms, node.field("r") * node.step / tau


#: The LIF parameters every network of this project uses unless told otherwise.
LIF = LIFParameters()
