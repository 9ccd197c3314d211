"""Trained weights: the file format (``weights.format``) and the bundled pretrained models."""

from .format import NetworkWeights, WeightsError, load, save

__all__ = ["NetworkWeights", "WeightsError", "load", "save"]
