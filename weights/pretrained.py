"""Pretrained weights shipped with the package: ``weights/pretrained/<model>.npz``.

The files come from the surrogate-gradient trainer (``snn-mnist train``); a model without a
file has not been trained yet and :func:`load` says so rather than falling back to anything.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable

from snn_mnist.neuron_models.topology import TOPOLOGIES

from . import load as load_file
from .format import NetworkWeights, WeightsError

DIRECTORY = Path(__file__).with_name("pretrained")

#: The model the commands, the web page and the examples use unless told otherwise.
DEFAULT_MODEL = "lif-lif"


def path(model: str) -> Path:
    """Where the pretrained weights of ``model`` live (the file may not exist yet)."""
    if model not in TOPOLOGIES:
        raise WeightsError(f"unknown model {model!r} (choose from {', '.join(TOPOLOGIES)})")
    return DIRECTORY / f"{model}.npz"


def available() -> list[str]:
    """The models that have a pretrained weights file."""
    return [model for model in TOPOLOGIES if path(model).is_file()]


def load(model: str) -> NetworkWeights:
    """The pretrained weights of ``model``; :class:`WeightsError` if there are none."""
    file = path(model)
    if not file.is_file():
        raise WeightsError(f"no pretrained weights for {model} yet; pass --weights FILE")
    weights = load_file(file)
    if weights.topology.name != model:
        raise WeightsError(f"{file} holds a {weights.topology.name} network, not {model}")
    return weights


def resolve(model: str, file: str | Path | None = None) -> tuple[NetworkWeights, str]:
    """The weights in ``file`` (which must hold a ``model`` network), else the pretrained ``model``;
    returns the weights and where they came from, in words."""
    if file is None:
        return load(model), f"pretrained {model}"
    weights = load_file(file)
    if weights.topology.name != model:
        raise WeightsError(f"{file} holds a {weights.topology.name} network, not {model}")
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
        if model not in TOPOLOGIES or not file:
            raise WeightsError(f"--weights {spec!r}: expected MODEL=FILE with MODEL one of {', '.join(TOPOLOGIES)}")
        resolve(model, file)
        found[model] = functools.partial(_weights_only, model, file)
    return found


def _weights_only(model: str, file: str) -> NetworkWeights:
    return resolve(model, file)[0]
