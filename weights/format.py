"""The weights file: what a trainer hands to the Brian2 networks.

A weights file is a NumPy ``.npz`` archive (format version 1) holding

``w_input_hidden``   float32, shape (n_inputs, n_hidden), in the synapse model's unit: millivolts
                     (delta, cuba) or conductances relative to the leak (coba)
``w_hidden_output``  float32, shape (n_hidden, n_outputs), likewise
``bias_hidden``, ``bias_output``
                     optional float32, shape (n_hidden,) and (n_outputs,): millivolts added to each
                     neuron in every step (a constant input, as an ``Affine`` layer's bias gives); absent: 0
``metadata``         a JSON string:
    format_version   1
    topology         name ("lif-lif", ...), n_inputs, n_hidden, n_outputs
    hidden_neuron, output_neuron
                     neuron parameters with units in their keys (``tau_m_ms``, ``v_th_mV``, ...)
    dt_ms, steps     the time step and the number of steps an image is shown for
    encoding         the input code, ``encoding.codes``: {"type": "poisson", "max_rate_hz": ...} or
                     {"type": "latency", "threshold": ..., "window_ms": ...}
    synapse          the synapse model and its parameters, {"kind": "delta"|"cuba"|"coba", ...}
                     (``neuron_models.synapse``; absent: delta)
    step_order       what comes first within a time step (absent: "threshold-first"):
                     "threshold-first"  Brian2's order: decay, threshold, the step's input, reset; a
                                        neuron that fires drops the input of its step
                     "input-first"      snnTorch's and Norse's: decay, the step's input, threshold,
                                        reset, layer after layer within the step (NIR imports)
    provenance       free-form: trainer, surrogate, seed, epochs, accuracies, data checksum

Weights are laid out pre x post: ``w_input_hidden[i, j]`` is the jump, in mV, that a spike of
input pixel ``i`` gives hidden neuron ``j``. Loading checks shapes, dtypes, finiteness and
metadata and raises :class:`WeightsError` with a one-line reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import load_npz, save_npz
from snn_mnist.encoding import EncodingError, InputCode, LatencyCode, PoissonCode, code_from_dict
from snn_mnist.neuron_models import DELTA, NeuronParameters, ParameterError, SynapseParameters
from snn_mnist.neuron_models.topology import N_CLASSES, N_INPUTS, Topology

FORMAT_VERSION = 1
ARRAYS = ("w_input_hidden", "w_hidden_output")
BIASES = ("bias_hidden", "bias_output")
#: Orders of the work within one time step (see the module docstring)
STEP_ORDERS = ("threshold-first", "input-first")
#: the time steps (ms) and steps per image a network may have: a microsecond to 10 ms, at most 100,000
DT_RANGE_MS = (0.001, 10.0)
MAX_STEPS = 100_000


class WeightsError(ValueError):
    """A weights file that cannot be used."""


@dataclass(frozen=True)
class NetworkWeights:
    """Trained weights together with everything needed to simulate them faithfully."""

    topology: Topology
    w_input_hidden: np.ndarray
    w_hidden_output: np.ndarray
    dt_ms: float = 1.0
    steps: int = 25
    encoding: InputCode = PoissonCode()
    provenance: dict = field(default_factory=dict)
    bias_hidden: np.ndarray | None = None  # mV added every step; None: no constant input
    bias_output: np.ndarray | None = None
    step_order: str = "threshold-first"
    synapse: SynapseParameters = DELTA

    def __post_init__(self) -> None:
        t = self.topology
        if (t.n_inputs, t.n_outputs) != (N_INPUTS, N_CLASSES):
            raise WeightsError(f"the network maps {t.n_inputs} inputs to {t.n_outputs} outputs; MNIST networks map "
                               f"{N_INPUTS} (28x28 pixels) to {N_CLASSES}")
        if not (isinstance(t.n_hidden, int) and t.n_hidden >= 1):
            raise WeightsError(f"the hidden layer needs at least one neuron, got {t.n_hidden!r}")
        kinds = f"{t.hidden_neuron.kind}-{t.output_neuron.kind}".lower()
        if t.name.lower() != kinds:
            raise WeightsError(f"the topology is called {t.name!r} but its neurons are {kinds}")
        expected = {
            "w_input_hidden": (t.n_inputs, t.n_hidden),
            "w_hidden_output": (t.n_hidden, t.n_outputs),
            "bias_hidden": (t.n_hidden,),
            "bias_output": (t.n_outputs,),
        }
        for name, shape in expected.items():
            array = getattr(self, name)
            if array is None and name in BIASES:
                continue
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                raise WeightsError(f"{name} must be a floating-point array")
            if array.shape != shape:
                raise WeightsError(f"{name} has shape {array.shape}, expected {shape} for {t.name}")
            if not np.all(np.isfinite(array)):
                raise WeightsError(f"{name} contains NaN or infinite values")
        _check_dt(self.dt_ms)
        if not (isinstance(self.steps, int) and not isinstance(self.steps, bool) and 1 <= self.steps <= MAX_STEPS):
            raise WeightsError(f"steps must be a whole number in [1, {MAX_STEPS:,}], got {self.steps!r}")
        if not isinstance(self.encoding, (PoissonCode, LatencyCode)):
            raise WeightsError(f"unknown input code {self.encoding!r}")
        try:
            self.encoding.check(self.dt_ms, self.duration_ms)
        except EncodingError as exc:
            raise WeightsError(str(exc)) from None
        if self.step_order not in STEP_ORDERS:
            raise WeightsError(f"unknown step order {self.step_order!r} (choose from {', '.join(STEP_ORDERS)})")
        if self.synapse.kind != "delta" and (self.bias_hidden is not None or self.bias_output is not None):
            raise WeightsError(f"{self.synapse.kind} synapses take no biases (a constant input in mV per step serves "
                               "delta-synapse networks imported through NIR)")
        try:
            for neuron in (t.hidden_neuron, t.output_neuron):
                self.synapse.check(neuron, self.dt_ms)
        except ParameterError as exc:
            raise WeightsError(str(exc)) from None

    def at_dt(self, dt_ms: float) -> "NetworkWeights":
        """The same network simulated at the time step ``dt_ms``: the image shown for as long (``steps``
        rescaled), the input at the same rates in Hz, every time constant kept. Only the discretisation
        changes, so at a fine dt it is the continuous-time model. Delta-synapse networks with biases
        add theirs per step, which does not rescale, and are refused."""
        _check_dt(dt_ms)
        steps = self.duration_ms / dt_ms
        if abs(steps - round(steps)) > 1e-9 * steps:
            raise WeightsError(f"the image's {self.duration_ms:g} ms are not a whole number of {dt_ms:g} ms steps")
        if self.bias_hidden is not None or self.bias_output is not None:
            raise WeightsError("a network with biases (mV per step) cannot change its time step")
        try:
            for neuron in (self.topology.hidden_neuron, self.topology.output_neuron):
                neuron.refractory_steps(dt_ms)
        except ParameterError as exc:
            raise WeightsError(str(exc)) from None
        return replace(self, dt_ms=float(dt_ms), steps=int(round(steps)))

    def bias(self, layer: str) -> np.ndarray:
        """The mV added to each neuron of ``layer`` ("hidden" or "output") in every step (zeros if none)."""
        array = {"hidden": self.bias_hidden, "output": self.bias_output}[layer]
        n = {"hidden": self.topology.n_hidden, "output": self.topology.n_outputs}[layer]
        return np.zeros(n) if array is None else np.asarray(array, dtype=np.float64)

    @property
    def duration_ms(self) -> float:
        return self.steps * self.dt_ms

    @property
    def max_rate_hz(self) -> float:
        """The highest mean rate of one input neuron over an image (Poisson: a white pixel's rate;
        latency: one spike per image)."""
        return self.encoding.peak_rate_hz(self.duration_ms)

    def with_neurons(self, hidden: NeuronParameters | None = None, output: NeuronParameters | None = None,
                     **changes) -> "NetworkWeights":
        """The same weights with other neuron parameters for the hidden and/or output layer (e.g.
        ``w.with_neurons(hidden=w.topology.hidden_neuron.replace(tau_m_ms=10.0))``); ``changes``
        replace other fields (``steps=50``)."""
        t = self.topology
        topology = replace(t, hidden_neuron=hidden or t.hidden_neuron, output_neuron=output or t.output_neuron)
        return replace(self, topology=topology, **changes)

    def metadata(self) -> dict:
        t = self.topology
        return {
            "format_version": FORMAT_VERSION,
            "topology": {
                "name": t.name,
                "n_inputs": t.n_inputs,
                "n_hidden": t.n_hidden,
                "n_outputs": t.n_outputs,
            },
            "hidden_neuron": t.hidden_neuron.to_dict(),
            "output_neuron": t.output_neuron.to_dict(),
            "dt_ms": self.dt_ms,
            "steps": self.steps,
            "encoding": self.encoding.to_dict(),
            "step_order": self.step_order,
            "synapse": self.synapse.to_dict(),
            "provenance": self.provenance,
        }


def _check_dt(dt_ms) -> None:
    if not (isinstance(dt_ms, (int, float)) and not isinstance(dt_ms, bool) and math.isfinite(dt_ms)
            and DT_RANGE_MS[0] <= dt_ms <= DT_RANGE_MS[1]):
        raise WeightsError(f"dt must be a number of ms in [{DT_RANGE_MS[0]:g}, {DT_RANGE_MS[1]:g}], got {dt_ms!r}")


def _whole(value, name: str) -> int:
    """A JSON integer (not a bool, not 25.5, not "25")."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise WeightsError(f"{name} must be a whole number, got {value!r}")
    return value


def _real(value, name: str) -> float:
    """A JSON number (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WeightsError(f"{name} must be a number, got {value!r}")
    return float(value)


def save(weights: NetworkWeights, path: str | Path) -> None:
    """Write ``weights`` to ``path`` (``.npz``) atomically."""
    names = ARRAYS + tuple(name for name in BIASES if getattr(weights, name) is not None)
    save_npz(path, {name: getattr(weights, name).astype(np.float32) for name in names}, weights.metadata())


def load_npz_weights(path: str | Path) -> NetworkWeights:
    """Read and validate a ``.npz`` weights file; any problem raises :class:`WeightsError`."""
    arrays, metadata = load_npz(path, ARRAYS, what="weights file", error=WeightsError, optional=BIASES)
    return from_metadata(metadata, arrays, source=str(path))


def from_metadata(metadata: dict, arrays: dict, source: str = "weights") -> NetworkWeights:
    """Assemble :class:`NetworkWeights` from parsed metadata and arrays, validating both."""
    try:
        version = metadata["format_version"]
        if version != FORMAT_VERSION:
            raise WeightsError(f"{source}: format version {version} is not supported (expected {FORMAT_VERSION})")
        encoding = code_from_dict(metadata["encoding"])
        topo = metadata["topology"]
        if not isinstance(topo["name"], str):
            raise WeightsError(f"the topology's name must be text, got {topo['name']!r}")
        topology = Topology(
            name=topo["name"],
            hidden_neuron=NeuronParameters.from_dict(metadata["hidden_neuron"]),
            output_neuron=NeuronParameters.from_dict(metadata["output_neuron"]),
            n_hidden=_whole(topo["n_hidden"], "n_hidden"),
            n_inputs=_whole(topo["n_inputs"], "n_inputs"),
            n_outputs=_whole(topo["n_outputs"], "n_outputs"),
        )
        for name, array in arrays.items():
            if array.dtype != np.float32:
                raise WeightsError(f"{source}: {name} has dtype {array.dtype}, expected float32")
        return NetworkWeights(
            topology=topology,
            w_input_hidden=arrays["w_input_hidden"],
            w_hidden_output=arrays["w_hidden_output"],
            dt_ms=_real(metadata["dt_ms"], "dt_ms"),
            steps=_whole(metadata["steps"], "steps"),
            encoding=encoding,
            provenance=dict(metadata.get("provenance", {})),
            bias_hidden=arrays.get("bias_hidden"),
            bias_output=arrays.get("bias_output"),
            step_order=metadata.get("step_order", "threshold-first"),
            synapse=SynapseParameters.from_dict(metadata.get("synapse")),
        )
    except WeightsError as exc:
        raise WeightsError(str(exc) if str(exc).startswith(source) else f"{source}: {exc}") from None
    except ParameterError as exc:
        raise WeightsError(f"{source}: bad neuron parameters: {exc}") from None
    except EncodingError as exc:
        raise WeightsError(f"{source}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WeightsError(f"{source}: malformed metadata ({exc.__class__.__name__}: {exc})") from None
