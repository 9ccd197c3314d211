"""Pretrained weights shipped with the package: ``weights/pretrained/<name>.npz``.

A model's name is its topology, for the seeds' four delta-synapse networks (``lif-lif``), followed by
what sets it apart: its synapse model (``lif-lif-coba``), a latency input code (``lif-lif-cuba-latency``)
and a hidden layer other than 256 neurons (``lif-lif-cuba-latency-512``): :func:`name` and :func:`parse`.
The files come from the surrogate-gradient trainer (``snn-mnist train``); a model without a file
has not been trained and :func:`load` says so rather than falling back to anything.
``measured.json`` beside them holds what ``scripts/physiology.py`` measured of each in Brian2 (accuracy
at its own time step and at 0.1 ms, potentials, rates); ``snn-mnist models`` lists both.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Callable, NamedTuple

from snn_mnist.encoding import CODES
from snn_mnist.neuron_models import SYNAPSES
from snn_mnist.neuron_models.topology import DEFAULT_HIDDEN, TOPOLOGIES

from . import load as load_file
from .format import NetworkWeights, WeightsError

DIRECTORY = Path(__file__).with_name("pretrained")
MEASURED = DIRECTORY / "measured.json"

#: The model the commands, the web page and the examples use unless told otherwise.
DEFAULT_MODEL = "lif-lif"


class ModelName(NamedTuple):
    """What a model's name says: topology, synapse model, input code, hidden neurons."""

    topology: str
    synapse: str = "delta"
    encoding: str = "poisson"
    hidden: int = DEFAULT_HIDDEN


def name(topology: str, synapse: str = "delta", encoding: str = "poisson", hidden: int = DEFAULT_HIDDEN) -> str:
    """The name of the model with this topology, synapse model, input code and hidden layer."""
    parts = [topology] + [synapse] * (synapse != "delta") + [encoding] * (encoding != "poisson")
    return "-".join(parts + [str(hidden)] * (hidden != DEFAULT_HIDDEN))


def name_of(weights: NetworkWeights) -> str:
    return name(weights.topology.name, weights.synapse.kind, weights.encoding.kind, weights.topology.n_hidden)


def parse(model: str) -> ModelName:
    """What a model name says; :class:`WeightsError` for a name no model can have."""
    stem, _, width = model.rpartition("-")
    hidden = int(width) if width.isdigit() and int(width) > 0 else None
    base = stem if hidden is not None else model
    for topology in TOPOLOGIES:
        for synapse in SYNAPSES:
            for encoding in CODES:
                if name(topology, synapse, encoding) == base and hidden != DEFAULT_HIDDEN:
                    return ModelName(topology, synapse, encoding, hidden or DEFAULT_HIDDEN)
    raise WeightsError(f"unknown model {model!r} (choose from {', '.join(NAMES)})")


def _parses(model: str) -> bool:
    try:
        return parse(model) is not None
    except WeightsError:
        return False


#: every name a model of the standard width can have, bundled or not (the seeds' delta models first), and
#: the names of the bundled models of other widths
NAMES = [name(t, s, e) for e in CODES for s in sorted(SYNAPSES, key=lambda kind: kind != "delta")
         for t in TOPOLOGIES]
NAMES += sorted(p.stem for p in DIRECTORY.glob("*-[0-9]*.npz") if p.stem not in NAMES and _parses(p.stem))


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
    wanted, found = parse(model), parse(name_of(weights))
    # the kind of network must be the name's; its width only where the name states one
    if found[:3] != wanted[:3] or (wanted.hidden != DEFAULT_HIDDEN and found.hidden != wanted.hidden):
        raise WeightsError(f"{file} holds a {name(*found[:3])} network, not {model}")
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
        "n_hidden": weights.topology.n_hidden,
        "steps": weights.steps,
        "dt_ms": weights.dt_ms,
        "presentation_ms": weights.duration_ms,
        "max_input_rate_hz": weights.max_rate_hz,
        "test_accuracy": brian2.get("accuracy"),
        "test_accuracy_at_0.1ms": brian2.get("accuracy_fine_dt"),
        "energy_nJ_per_image": brian2.get("energy_nJ_per_image"),
        "test_accuracy_trainer": weights.provenance.get("test_accuracy_trainer"),
    }


def resolve(model: str, file: str | Path | None = None, nir_convention: str | None = None
            ) -> tuple[NetworkWeights, str]:
    """The weights in ``file`` (which must hold a ``model`` network; a NIR file read in ``nir_convention``, else
    the one detected), else the pretrained ``model``; returns the weights and where they came from, in words."""
    if file is None:
        if nir_convention is not None:
            raise WeightsError("--nir-convention applies to a NIR file given with --weights")
        return load(model), f"pretrained {model}"
    weights = load_file(file, nir_convention=nir_convention)
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
