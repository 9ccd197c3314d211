"""Pretrained weights shipped with the package: ``weights/pretrained/<model>.npz``.

The files come from the surrogate-gradient trainer (``snn-mnist train``); a model without a
file has not been trained yet and :func:`load` says so rather than falling back to anything.
"""

from __future__ import annotations

from pathlib import Path

from snn_mnist.neuron_models.topology import TOPOLOGIES

from .format import NetworkWeights, WeightsError, load as load_file

DIRECTORY = Path(__file__).with_name("pretrained")


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
