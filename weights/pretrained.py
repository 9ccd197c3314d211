"""Pretrained weights shipped with the package: ``weights/pretrained/<name>.npz``.

A model's name is its topology, for the seeds' four delta-synapse networks (``lif-lif``), or its
topology and synapse model (``lif-lif-coba``, ``if-lif-cuba``): :func:`name` and :func:`parse`.
The files come from the surrogate-gradient trainer (``snn-mnist train``); a model without a file
has not been trained and :func:`load` says so rather than falling back to anything.
``measured.json`` beside them holds what ``scripts/physiology.py`` measured of each in Brian2 (accuracy
at its own time step and at 0.1 ms, potentials, rates); ``snn-mnist models`` lists both.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Callable

from snn_mnist.neuron_models import SYNAPSES
from snn_mnist.neuron_models.topology import TOPOLOGIES

from . import load as load_file
from .format import NetworkWeights, WeightsError

DIRECTORY = Path(__file__).with_name("pretrained")
MEASURED = DIRECTORY / "measured.json"

#: The model the commands, the web page and the examples use unless told otherwise.
DEFAULT_MODEL = "lif-lif"


def name(topology: str, synapse: str = "delta") -> str:
    """The name of the model with this topology and synapse model."""
    return topology if synapse == "delta" else f"{topology}-{synapse}"


#: every name a model can have, bundled or not: the four topologies, each with every synapse model (the
#: seeds' delta models first)
NAMES = [name(t, s) for s in sorted(SYNAPSES, key=lambda kind: kind != "delta") for t in TOPOLOGIES]


def parse(model: str) -> tuple[str, str]:
    """(topology, synapse model) of a model name; :class:`WeightsError` for an unknown name."""
    for topology in TOPOLOGIES:
        for synapse in SYNAPSES:
            if name(topology, synapse) == model:
                return topology, synapse
    raise WeightsError(f"unknown model {model!r} (choose from {', '.join(NAMES)})")


def path(model: str) -> Path:
    """Where the pretrained weights of ``model`` live (the file may not exist yet)."""
    parse(model)
    return DIRECTORY / f"{model}.npz"


def available() -> list[str]:
    """The models that have a pretrained weights file, the delta ones first."""
    return [model for model in NAMES if path(model).is_file()]


def load(model: str) -> NetworkWeights:
    """The pretrained weights of ``model``; :class:`WeightsError` if there are none."""
    file = path(model)
    if not file.is_file():
        raise WeightsError(f"no pretrained weights for {model} (bundled: {', '.join(available()) or 'none'}); "
                           "pass --weights FILE")
    weights = load_file(file)
    found = name(weights.topology.name, weights.synapse.kind)
    if found != model:
        raise WeightsError(f"{file} holds a {found} network, not {model}")
    return weights


def measured() -> dict:
    """What ``scripts/physiology.py`` measured of each bundled model in Brian2, by name ({} if nothing)."""
    return json.loads(MEASURED.read_text()) if MEASURED.is_file() else {}


def describe(model: str) -> dict:
    """A bundled model in a few fields: what ``snn-mnist models`` lists."""
    weights = load(model)
    brian2 = measured().get(model, {})
    return {
        "name": model,
        "topology": weights.topology.name,
        "synapse": weights.synapse.kind,
        "encoding": weights.encoding.kind,
        "steps": weights.steps,
        "dt_ms": weights.dt_ms,
        "presentation_ms": weights.duration_ms,
        "max_input_rate_hz": weights.max_rate_hz,
        "test_accuracy": brian2.get("accuracy"),
        "test_accuracy_at_0.1ms": brian2.get("accuracy_fine_dt"),
        "test_accuracy_trainer": weights.provenance.get("test_accuracy_trainer"),
    }


def resolve(model: str, file: str | Path | None = None) -> tuple[NetworkWeights, str]:
    """The weights in ``file`` (which must hold a ``model`` network), else the pretrained ``model``;
    returns the weights and where they came from, in words."""
    if file is None:
        return load(model), f"pretrained {model}"
    weights = load_file(file)
    topology = parse(model)[0]
    if weights.topology.name != topology:
        raise WeightsError(f"{file} holds a {weights.topology.name} network, not {topology}")
    return weights, str(file)


def loaders(specs: list[str] | None = None, models: list[str] | None = None) -> dict[str, Callable[[], NetworkWeights]]:
    """Functions that load weights, by model: ``["lif-lif=w.npz"]`` -> {"lif-lif": loader}.

    Each file is read once now, so that a bad one fails here rather than on first use. Without
    specs: the pretrained weights of ``models``, or of every model that has them (possibly none).
    """
    if not specs:
        missing = [m for m in models or () if m not in available()]
        if missing:
            raise WeightsError(f"no pretrained weights for {', '.join(missing)} yet; pass --weights MODEL=FILE")
        return {model: functools.partial(load, model) for model in models or available()}
    found = {}
    for spec in specs:
        model, _, file = spec.partition("=")
        if model not in NAMES or not file:
            raise WeightsError(f"--weights {spec!r}: expected MODEL=FILE with MODEL one of {', '.join(NAMES)}")
        resolve(model, file)
        found[model] = functools.partial(_weights_only, model, file)
    return found


def _weights_only(model: str, file: str) -> NetworkWeights:
    return resolve(model, file)[0]
