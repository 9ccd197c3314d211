"""What every neuron model shares, and the registry that finds them by name.

A model is one class, in one file of this package, that holds everything about it (see
``lif.py`` and ``if_.py``): its parameters with units in their names and their validation, its
Brian2 equations and integration method, the trainer's discrete-time state update, its NIR
mapping, and its operation count. Threshold, reset, refractoriness and the rest between images
are shared and written here once:

    threshold  v > v_th       reset  v = v_reset       refractory for tau_ref after a spike

This module needs neither Brian2 nor PyTorch: the Brian2 builder turns a parameter set into a
unit-carrying namespace (:meth:`NeuronParameters.namespace`), the trainer into a per-step
decay factor and refractory step count for its time step.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar


class ParameterError(ValueError):
    """A neuron parameter set that cannot describe a working neuron."""


THRESHOLD = "v > v_th"
RESET = "v = v_reset"

#: Code that ends any refractory period and returns a group to rest (between images). Brian2 makes every
#: write to an ``(unless refractory)`` variable conditional on ``not_refractory``, in a ``run_regularly``
#: too: the flag is cleared first, or a neuron that fired within tau_ref of the boundary keeps its reset
#: potential. Run it before anything else in the step (``REST_WHEN``, ``REST_ORDER``).
REST_STATE = "lastspike = -1e4*second\nnot_refractory = True\nv = v_rest"
#: Where in a time step the rest runs: at its start, before the monitors there (order 0), whatever their names.
REST_WHEN, REST_ORDER = "start", -1


@dataclass(frozen=True)
class NeuronParameters:
    """Membrane time constant, potentials and refractory period of one neuron model.

    A subclass is a model: it names itself (``kind``, also its NIR node's type), writes its Brian2
    equations (``EQUATIONS``, ``METHOD``), and defines :meth:`decay`, :meth:`free_step` and the NIR
    hooks. :func:`register` makes it known.
    """

    tau_m_ms: float = 20.0
    v_rest_mV: float = -65.0
    v_th_mV: float = -50.0
    v_reset_mV: float = -65.0
    tau_ref_ms: float = 2.0

    kind: ClassVar[str] = ""
    leaky: ClassVar[bool] = True
    #: Brian2 equations (``v_drive``: a constant drive R*I per neuron, zero inside the networks)
    EQUATIONS: ClassVar[str] = ""
    METHOD: ClassVar[str] = ""

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

    def replace(self, **changes) -> "NeuronParameters":
        """A copy with ``changes`` (e.g. ``tau_m_ms=10.0``), validated like any parameter set."""
        return dataclasses.replace(self, **changes)

    # --- discrete time (the trainer's view) -------------------------------------------
    def decay(self, dt_ms: float) -> float:
        """Factor by which ``v - v_rest`` shrinks in one step of ``dt_ms``, as Brian2 integrates it."""
        raise NotImplementedError

    @staticmethod
    def free_step(v, v_rest, decay):
        """The trainer's state update of non-refractory neurons over one step without input
        (works on floats, NumPy arrays and PyTorch tensors alike)."""
        raise NotImplementedError

    def drive_for(self, increment_mV, dt_ms: float):
        """The constant ``v_drive`` (mV) that raises a free neuron's potential by ``increment_mV`` per step
        of ``dt_ms`` beyond the model's own update: how a constant input (a bias) enters the equations."""
        raise NotImplementedError

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

    # --- NIR (weights.nir_io reads these) ------------------------------------------------
    def to_nir(self, nir, n: int, dt_ms: float):
        """This layer as a NIR neuron node of ``n`` neurons (potentials from rest, time in seconds,
        ``r = 1``), and the NIR weight that stands for a jump of 1 mV in one step of ``dt_ms``
        (``nir`` is the imported package; see ``weights.nir_io`` for the convention)."""
        raise NotImplementedError

    @classmethod
    def nir_origin(cls, node: "NirNode"):
        """Where the node's neurons start and decay to, in its voltage units (per neuron)."""
        raise NotImplementedError

    @classmethod
    def nir_timing(cls, node: "NirNode", dt_ms: float) -> tuple[float, Any]:
        """``(tau_m_ms, jump per unit weight in one step (per neuron))``."""
        raise NotImplementedError

    # --- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"kind": self.kind, **asdict(self)}

    @staticmethod
    def from_dict(data: dict) -> "NeuronParameters":
        return MODELS.build(data)


class NirNode:
    """What a model's NIR hooks may ask of the node being imported (``weights.nir_io`` makes one):
    per-neuron ``field(name)``, a common ``uniform(name, why)``, the exporter's ``step`` (in the
    graph's time unit), ``ms_per_unit`` (that unit in ms), ``discrete`` and ``if_pulse`` (see
    ``weights.nir_io.Convention``), and ``fail(message)``, which raises the importer's one-line error."""


class Registry(dict):
    """kind -> model class, in the order they registered: the neuron models here, the synapse models in
    ``synapse.py``. Weights files, NIR graphs and ``--synapse`` name a model by its ``kind``."""

    def __init__(self, what: str, label: str = "{kind}"):
        super().__init__()
        self.what, self.label = what, label  # "neuron model"; how an error names an instance's kind

    def register(self, model: type) -> type:
        """Class decorator: make ``model`` known by its ``kind``."""
        if not model.kind or model.kind in self:
            raise ValueError(f"{self.what} kind {model.kind!r} is empty or taken")
        self[model.kind] = model
        return model

    def build(self, data: dict):
        """The model a ``to_dict()`` describes, validated; :class:`ParameterError` if it cannot be."""
        data = dict(data)
        kind = data.pop("kind", None)
        if kind not in self:
            raise ParameterError(f"unknown {self.what} {kind!r} (known: {', '.join(self)})")
        try:
            return self[kind](**data)
        except TypeError as exc:
            raise ParameterError(f"{self.label.format(kind=kind)}: {exc}") from None


MODELS = Registry("neuron model")
register = MODELS.register
