"""The current-based synapse: a spike starts an exponentially decaying current (NIR's ``CubaLIF``,
Norse's default LIF).

    tau_syn dI/dt = -I                              each neuron's synaptic current (as R I, volts)
    tau_m dv/dt = v_rest - v + v_drive + I          (LIF; the IF drops v_rest - v)
    on_pre:  I_post += w

The current is not gated by refractoriness: it keeps flowing into a refractory neuron's synapses
and reaches the membrane once the neuron is free. The linear system of ``v`` and ``I`` is
integrated exactly; the trainer's step is the same propagator: ``I -> I d_s`` and
``v -> free_step(v) + k I`` with ``d_s = exp(-dt/tau_syn)`` and, for the LIF,
``k = tau_syn / (tau_syn - tau_m) (d_s - d_m)``, for the IF ``k = tau_syn / tau_m (1 - d_s)``.
Brian2's ``exact`` method solves the LIF's system; for the IF's (a zero eigenvalue) Brian2 2.8's
linear solver gives up, so that propagator is written out here (:data:`IF_METHOD`).
One delivered spike costs one addition per target; the current's decay one multiply per neuron
and step.

NIR: a LIF with this synapse is NIR's ``CubaLIF`` (:meth:`CubaSynapse.to_nir`,
:meth:`CubaSynapse.nir_timing`; ``weights.nir_io`` says which conventions are mapped). NIR has no
current-based IF, so an IF with this synapse has no NIR form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .base import ParameterError
from .synapse import SynapseParameters, brian2_method, delivered, delivered_vjp, register_synapse

#: Brian2's name for the IF's exact propagator below
IF_METHOD = "exact_if_cuba"


def _if_propagator(equations, variables) -> str:
    """The exact step of ``tau_m dv/dt = v_drive + I`` (unless refractory), ``tau_syn dI/dt = -I``."""
    from brian2.stateupdaters.base import UnsupportedEquationsException

    if set(equations.diff_eq_names) != {"v", "I"}:
        raise UnsupportedEquationsException(f"{IF_METHOD} integrates an IF neuron with a cuba synapse only")
    return "\n".join([
        "_v = v + int(not_refractory)*(dt*v_drive/tau_m + I*tau_syn/tau_m*(1 - exp(-dt/tau_syn)))",
        "_I = I*exp(-dt/tau_syn)",
        "v = _v",
        "I = _I",
    ])


@register_synapse
@dataclass(frozen=True)
class CubaSynapse(SynapseParameters):
    """An exponentially decaying synaptic current with time constant ``tau_syn_ms``."""

    tau_syn_ms: float = 5.0

    kind: ClassVar[str] = "cuba"
    INPUT: ClassVar[str] = "I"
    EQUATIONS: ClassVar[str] = """
        dI/dt = -I / tau_syn : volt
        """
    REST: ClassVar[str] = "I = 0*mV"
    MODEL: ClassVar[str] = "w : volt"
    ON_PRE: ClassVar[str] = "I_post += w"
    WEIGHT_UNIT: ClassVar[str] = "mV"
    # LIF: _I = a I; v = v_rest + (b I + c v + v_drive + c (-v_rest - v_drive)); IF: v += d v_drive + e I
    UPDATE_OPERATIONS: ClassVar[dict[str, tuple[int, int, int]]] = {"LIF": (6, 7, 0), "IF": (5, 4, 0)}

    def method(self, neuron) -> str:
        return "exact" if neuron.leaky else brian2_method(IF_METHOD, _if_propagator)

    def namespace(self) -> dict:
        from brian2 import ms

        return {"tau_syn": self.tau_syn_ms * ms}

    def check(self, neuron, dt_ms: float) -> None:
        if neuron.leaky and math.isclose(self.tau_syn_ms, neuron.tau_m_ms, rel_tol=1e-9):
            raise ParameterError(f"cuba synapse: tau_syn ({self.tau_syn_ms} ms) must differ from the LIF's tau_m")

    def init_gain(self, neuron) -> float:
        return neuron.tau_m_ms / self.tau_syn_ms  # a current w moves an IF by w tau_syn / tau_m in all

    # --- the trainer's view (``xp``: torch or numpy) --------------------------------------------
    def step_constants(self, neuron, dt_ms: float, potential) -> dict:
        d_s = math.exp(-dt_ms / self.tau_syn_ms)
        if neuron.leaky:
            d_m = neuron.decay(dt_ms)
            k = self.tau_syn_ms / (self.tau_syn_ms - neuron.tau_m_ms) * (d_s - d_m)
        else:
            k = self.tau_syn_ms / neuron.tau_m_ms * (1.0 - d_s)
        return {"d_syn": d_s, "k": k}

    def initial_state(self, v) -> tuple:
        return (v * 0,)

    @staticmethod
    def split(w, xp) -> tuple:
        return (w,)

    @staticmethod
    def advance(v, state, c, active, bias, xp):
        (current,) = state
        v = xp.where(active, c.free_step(v, c.v_rest, c.decay) + c.syn["k"] * current + bias, v)
        return v, (current * c.syn["d_syn"],)

    @staticmethod
    def receive(v, state, currents, active, fired, xp):
        return v, (state[0] + currents[0],)

    HAS_MEMBRANE_MAP: ClassVar[bool] = True

    @staticmethod
    def membrane_map_vjp(currents, c, bias, xp) -> tuple:
        """``P`` is the leak's decay, ``Q`` the rest's share plus the filtered current (and the bias)."""
        current = delivered(currents[0], c.syn["d_syn"], xp)

        def vjp(grad_p, grad_q):
            return (c.syn["k"] * delivered_vjp(grad_q, c.syn["d_syn"], xp),)

        return c.decay, (1.0 - c.decay) * c.v_rest + c.syn["k"] * current + bias, vjp

    # --- NIR (weights.nir_io) ---------------------------------------------------------------------
    def to_nir(self, neuron, nir, n: int, dt_ms: float):
        """``neuron`` with this synapse as a ``CubaLIF`` node in our convention (seconds, mV from rest,
        ``r = w_in = 1``), and the factor that turns our weights (mV of current) into the node's input
        weights: a unit pulse of one step and weight ``W`` raises the current by ``W step / tau_syn``."""
        if not neuron.leaky:
            raise ParameterError("NIR has no current-based IF neuron (CubaLIF leaks): this network has no NIR form")
        full = lambda x: np.full(n, x, dtype=np.float64)  # noqa: E731
        node = nir.CubaLIF(
            tau_syn=full(self.tau_syn_ms / 1000.0), tau_mem=full(neuron.tau_m_ms / 1000.0), r=full(1.0),
            v_leak=full(0.0), v_threshold=full(neuron.v_th_mV - neuron.v_rest_mV),
            v_reset=full(neuron.v_reset_mV - neuron.v_rest_mV), w_in=full(1.0),
        )
        return node, self.tau_syn_ms / dt_ms

    @staticmethod
    def nir_timing(node, dt_ms: float) -> tuple[float, float, np.ndarray]:
        """``tau_m_ms``, ``tau_syn_ms`` and the factor turning the node's input weights into our current
        (mV, per neuron) for a ``CubaLIF`` node under import (``neuron_models.base.NirNode``).

        Continuous time (our convention): the taus as they are; a one-step unit pulse of weight ``W``
        raises the current by ``r w_in W step / tau_syn``. Discrete time (Norse's ``LIFCell``, Euler at
        its step): the current takes the step's input, ``v += step/tau_mem (v_leak - v + J)``, then
        ``J`` decays by ``1 - step/tau_syn``; both decays are kept exactly (``tau = -dt / ln d``) and
        the weights scaled so that this propagator's ``k I`` equals Euler's ``step/tau_mem r w_in J``.
        """
        why = " (a layer here has one time constant)"
        tau_mem, tau_syn = node.uniform("tau_mem", why), node.uniform("tau_syn", why)
        for name, tau in (("tau_mem", tau_mem), ("tau_syn", tau_syn)):
            if not tau > 0:
                node.fail(f"has {name} {tau:g}; it must be positive")
        gain = node.field("r") * node.field("w_in")
        if not node.discrete:
            return tau_mem * node.ms_per_unit, tau_syn * node.ms_per_unit, gain * node.step / tau_syn
        decays = {}
        for name, tau in (("tau_mem", tau_mem), ("tau_syn", tau_syn)):
            decays[name] = 1.0 - node.step / tau
            if not 0 < decays[name] < 1:
                node.fail(f"has {name} {tau:g}, not longer than the {node.convention} step {node.step:g}")
        tau_m_ms, tau_syn_ms = (-dt_ms / math.log(decays[name]) for name in ("tau_mem", "tau_syn"))
        if math.isclose(tau_m_ms, tau_syn_ms, rel_tol=1e-9):
            node.fail("has tau_syn equal to tau_mem, which this propagator cannot take")
        k = tau_syn_ms / (tau_syn_ms - tau_m_ms) * (decays["tau_syn"] - decays["tau_mem"])
        return tau_m_ms, tau_syn_ms, gain * (node.step / tau_mem) / k
