"""Neuron parameter sets: the single source of truth for the IF and LIF models.

Values carry their unit in the field name (``tau_m_ms``, ``v_th_mV``) so that this
module needs neither Brian2 nor PyTorch: the Brian2 builder turns a parameter set
into a unit-carrying namespace (:meth:`NeuronParameters.namespace`), the trainer into
a discrete-time decay factor and refractory step count for its time step
(:meth:`NeuronParameters.decay`, :meth:`NeuronParameters.refractory_steps`).

The equations themselves are written once, in :mod:`neuron_models.groups`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar


class ParameterError(ValueError):
    """A neuron parameter set that cannot describe a working neuron."""


@dataclass(frozen=True)
class NeuronParameters:
    """Membrane time constant, potentials and refractory period of one neuron model."""

    tau_m_ms: float = 20.0
    v_rest_mV: float = -65.0
    v_th_mV: float = -50.0
    v_reset_mV: float = -65.0
    tau_ref_ms: float = 2.0

    kind: ClassVar[str] = ""
    leaky: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"{self.kind}: {name} must be a finite number, got {value!r}")
        if self.tau_m_ms <= 0:
            raise ParameterError(f"{self.kind}: tau_m must be > 0 ms, got {self.tau_m_ms} ms")
        if self.tau_ref_ms < 0:
            raise ParameterError(f"{self.kind}: tau_ref must be >= 0 ms, got {self.tau_ref_ms} ms")
        if not self.v_reset_mV < self.v_th_mV:
            raise ParameterError(
                f"{self.kind}: v_reset ({self.v_reset_mV} mV) must be below v_th ({self.v_th_mV} mV)"
            )
        if not self.v_rest_mV < self.v_th_mV:
            raise ParameterError(
                f"{self.kind}: v_rest ({self.v_rest_mV} mV) must be below v_th ({self.v_th_mV} mV)"
            )

    # --- discrete time (the trainer's view) -------------------------------------------
    def decay(self, dt_ms: float) -> float:
        """Factor by which ``v - v_rest`` shrinks in one step of ``dt_ms`` (1 for IF)."""
        return math.exp(-dt_ms / self.tau_m_ms) if self.leaky else 1.0

    def refractory_steps(self, dt_ms: float) -> int:
        """Steps after a spike (the spike's own step included) in which the neuron is clamped.

        Brian2 counts a neuron refractory while ``timestep(t - lastspike) < timestep(tau_ref)``;
        ``tau_ref`` must therefore be a whole number of steps.
        """
        steps = self.tau_ref_ms / dt_ms
        if abs(steps - round(steps)) > 1e-9:
            raise ParameterError(
                f"{self.kind}: tau_ref ({self.tau_ref_ms} ms) is not a multiple of dt ({dt_ms} ms)"
            )
        return int(round(steps))

    # --- Brian2's view -----------------------------------------------------------------
    def namespace(self) -> dict:
        """The parameters as Brian2 quantities, named as in the model equations."""
        from brian2 import ms, mV

        return {
            "tau_m": self.tau_m_ms * ms,
            "v_rest": self.v_rest_mV * mV,
            "v_th": self.v_th_mV * mV,
            "v_reset": self.v_reset_mV * mV,
            "tau_ref": self.tau_ref_ms * ms,
        }

    # --- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"kind": self.kind, **asdict(self)}

    @staticmethod
    def from_dict(data: dict) -> "NeuronParameters":
        data = dict(data)
        kind = data.pop("kind", None)
        if kind not in MODELS:
            raise ParameterError(f"unknown neuron model {kind!r} (known: {', '.join(MODELS)})")
        try:
            return MODELS[kind](**data)
        except TypeError as exc:
            raise ParameterError(f"{kind}: {exc}") from None


@dataclass(frozen=True)
class IFParameters(NeuronParameters):
    """Integrate-and-fire: ``tau_m dv/dt = v_drive``; no leak, so v holds between inputs."""

    kind: ClassVar[str] = "IF"
    leaky: ClassVar[bool] = False


@dataclass(frozen=True)
class LIFParameters(NeuronParameters):
    """Leaky integrate-and-fire: ``tau_m dv/dt = v_rest - v + v_drive``."""

    kind: ClassVar[str] = "LIF"
    leaky: ClassVar[bool] = True


MODELS: dict[str, type[NeuronParameters]] = {"IF": IFParameters, "LIF": LIFParameters}

#: The parameter sets every network of this project uses unless told otherwise.
IF = IFParameters()
LIF = LIFParameters()
