"""The conductance-based synapse: excitatory and inhibitory conductances that decay exponentially,
each with its reversal potential, as in Brian2's COBA example.

    tau_exc dge/dt = -ge          tau_inh dgi/dt = -gi          (conductances relative to the leak)
    tau_m dv/dt = v_rest - v + v_drive + ge (E_exc - v) + gi (E_inh - v)     (LIF; the IF has no leak)
    on_pre:  ge_post += w where w > 0,   gi_post += -w where w < 0

A positive weight drives the excitatory conductance and a negative one the inhibitory
conductance, so the potential stays between ``E_inh`` and ``E_exc`` (threshold and reset aside).
Conductances are not gated by refractoriness.

Integration: the membrane equation is linear in ``v`` for the step's conductances,
``dv/dt = A v + B``, and is advanced by exponential Euler, ``v -> v + dt (A v + B) exprel(A dt)``,
exact for conductances held over the step and stable at any conductance. It is Brian2's
``exponential_euler`` written with ``exprel``, so that it stays defined when ``A`` is 0 (an IF
neuron with no conductance open, where Brian2's form divides by zero), registered with Brian2 as
:data:`METHOD` from Brian2's own analysis of the equations. The conductances decay exactly. The
trainer's step is the same formula. One
delivered spike costs one addition per target; the two decays and the membrane update 18
multiplies, 10-13 adds and an ``expm1`` per neuron and step (``UPDATE_OPERATIONS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from .base import ParameterError
from .synapse import SynapseParameters, brian2_method, delivered, delivered_vjp, register_synapse

#: Brian2's name for the integration method below (registered on first use)
METHOD = "exponential_euler_exprel"


@register_synapse
@dataclass(frozen=True)
class CobaSynapse(SynapseParameters):
    """Excitatory and inhibitory conductances with time constants and reversal potentials."""

    tau_exc_ms: float = 5.0
    tau_inh_ms: float = 10.0
    e_exc_mV: float = 0.0
    e_inh_mV: float = -80.0

    kind: ClassVar[str] = "coba"
    INPUT: ClassVar[str] = "ge * (e_exc - v) + gi * (e_inh - v)"
    EQUATIONS: ClassVar[str] = """
        dge/dt = -ge / tau_exc : 1
        dgi/dt = -gi / tau_inh : 1
        """
    REST: ClassVar[str] = "ge = 0\ngi = 0"
    MODEL: ClassVar[str] = "w : 1"
    ON_PRE: ClassVar[str] = "ge_post += clip(w, 0, inf)\ngi_post += clip(-w, 0, inf)"
    WEIGHT_UNIT: ClassVar[str] = "1 (conductance relative to the leak)"
    # two decays (g + a (b g): 2 multiplies, 1 add each); v + dt (A v + B) exprel(dt A), A and its products
    # written out twice (11 multiplies, and exprel's division; LIF 9 adds, with its leak in A and B; IF 6)
    UPDATE_OPERATIONS: ClassVar[dict[str, tuple[int, int, int]]] = {"LIF": (18, 13, 1), "IF": (18, 10, 1)}

    def check(self, neuron, dt_ms: float) -> None:
        if not self.e_inh_mV <= min(neuron.v_rest_mV, neuron.v_reset_mV):
            raise ParameterError(f"coba synapse: E_inh ({self.e_inh_mV} mV) must lie at or below rest and reset")
        if not self.e_exc_mV > neuron.v_th_mV:
            raise ParameterError(f"coba synapse: E_exc ({self.e_exc_mV} mV) must lie above the threshold")

    def method(self, neuron) -> str:
        return brian2_method(METHOD, _exprel_euler)

    def reversal_potentials(self) -> dict[str, float]:
        return {"E_exc": self.e_exc_mV, "E_inh": self.e_inh_mV}

    def namespace(self) -> dict:
        from brian2 import ms, mV

        return {"tau_exc": self.tau_exc_ms * ms, "tau_inh": self.tau_inh_ms * ms,
                "e_exc": self.e_exc_mV * mV, "e_inh": self.e_inh_mV * mV}

    def weights(self, w):
        return w  # dimensionless conductances

    # --- the trainer's view (``xp``: torch or numpy) --------------------------------------------
    def step_constants(self, neuron, dt_ms: float, potential) -> dict:
        return {
            "d_exc": math.exp(-dt_ms / self.tau_exc_ms),
            "d_inh": math.exp(-dt_ms / self.tau_inh_ms),
            "e_exc": potential(self.e_exc_mV),
            "e_inh": potential(self.e_inh_mV),
            "leak": 1.0 if neuron.leaky else 0.0,
            "dt_over_tau": dt_ms / neuron.tau_m_ms,
        }

    def initial_state(self, v) -> tuple:
        return (v * 0, v * 0)

    @staticmethod
    def split(w, xp) -> tuple:
        return (xp.clip(w, 0, None), xp.clip(-w, 0, None))

    @staticmethod
    def advance(v, state, c, active, bias, xp):
        ge, gi = state
        s = c.syn
        a = -(s["leak"] + ge + gi) * s["dt_over_tau"]  # A dt
        b = (s["leak"] * c.v_rest + ge * s["e_exc"] + gi * s["e_inh"]) * s["dt_over_tau"]  # B dt
        x = xp.where(a == 0, xp.ones_like(a), a)
        exprel = xp.where(a == 0, xp.ones_like(a), xp.expm1(x) / x)
        v = xp.where(active, v + (a * v + b) * exprel, v)
        return v, (ge * s["d_exc"], gi * s["d_inh"])

    @staticmethod
    def receive(v, state, currents, active, fired, xp):
        return v, (state[0] + currents[0], state[1] + currents[1])

    HAS_MEMBRANE_MAP: ClassVar[bool] = True

    @staticmethod
    def membrane_map_vjp(currents, c, bias, xp) -> tuple:
        """``advance``'s ``v + (A v + B) dt exprel(A dt)`` is ``P v + Q`` with ``P = exp(A dt)`` and
        ``Q = (1 - P) V_inf``, ``V_inf = -B / A`` the potential the conductances pull towards. With
        ``k = dt / tau_m`` and ``T = -A tau_m`` the total conductance, ``dP/dg = -k P`` and
        ``dQ/dg = k P V_inf + (1 - P) (E - V_inf) / T`` for either conductance ``g`` and its reversal
        potential ``E``; the conductances' filter passes the gradient back through
        :func:`delivered_vjp`."""
        s = c.syn
        ge, gi = delivered(currents[0], s["d_exc"], xp), delivered(currents[1], s["d_inh"], xp)
        total = ge + gi + s["leak"]  # -A tau_m
        pull = ge * s["e_exc"] + gi * s["e_inh"] + s["leak"] * c.v_rest  # B tau_m
        # an IF with no conductance open has no V_inf, and P = 1, Q = 0
        divisor = total if s["leak"] else xp.where(total == 0, xp.ones_like(total), total)
        v_inf = pull / divisor
        change = xp.expm1(total * -s["dt_over_tau"])  # P - 1
        p, q = 1.0 + change, -change * v_inf

        def vjp(grad_p, grad_q):  # refers to no output (the trainer's autograd node keeps it)
            common = grad_q * v_inf - grad_p
            common.addcmul_(common, change).mul_(s["dt_over_tau"])  # k P (dL/dQ V_inf - dL/dP)
            drive = grad_q * -change / divisor
            return (delivered_vjp(common + drive * (s["e_exc"] - v_inf), s["d_exc"], xp),
                    delivered_vjp(common + drive * (s["e_inh"] - v_inf), s["d_inh"], xp))

        return p, q, vjp


def _exprel_euler(equations, variables) -> str:
    """Exponential Euler, ``x -> x + dt (A x + B) exprel(A dt)`` for each ``dx/dt = A x + B``."""
    import sympy
    from brian2.parsing.sympytools import sympy_to_str
    from brian2.stateupdaters.base import UnsupportedEquationsException
    from brian2.stateupdaters.exponential_euler import get_conditionally_linear_system

    try:
        system = get_conditionally_linear_system(equations, variables)
    except ValueError as exc:
        raise UnsupportedEquationsException(f"{METHOD} integrates conditionally linear equations only ({exc})")
    code = []
    for var, (a, b) in system.items():
        a, b = sympy_to_str(sympy.sympify(a)), sympy_to_str(sympy.sympify(b))
        code.append(f"_{var} = {var} + dt*(({a})*{var} + ({b}))*exprel(dt*({a}))")
    return "\n".join(code + [f"{var} = _{var}" for var in system])
