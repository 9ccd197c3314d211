"""Spike-count readout: the class of an image is the output neuron that fired most.

Ties, including images on which no output neuron fired at all, go to the lowest class
index (``numpy.argmax`` returns the first maximum). A silent image is therefore classified
as 0; :func:`silent` says which images those are, so that a report can tell a network that
answers from one that never fires.
"""

from __future__ import annotations

import numpy as np


def _counts(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[1] < 1:
        raise ValueError(f"spike counts must be an (images, classes) array, got shape {counts.shape}")
    return counts


def predict(counts: np.ndarray) -> np.ndarray:
    """Predicted class per image (int64), from spike counts of shape ``(images, classes)``."""
    return np.argmax(_counts(counts), axis=1).astype(np.int64)


def silent(counts: np.ndarray) -> np.ndarray:
    """Boolean mask of the images on which no output neuron fired."""
    return _counts(counts).sum(axis=1) == 0


def verdict(counts: np.ndarray, prediction: int) -> str:
    """The prediction for one image's counts, in words, with a warning when it rests on a tie or on silence."""
    counts = np.asarray(counts)
    if counts.sum() == 0:
        return f"{prediction} (no output neuron fired: a guess by the lowest-index rule)"
    tied = np.flatnonzero(counts == counts.max())
    if len(tied) > 1:
        return f"{prediction} (tie between {', '.join(map(str, tied))}: the lowest digit wins)"
    return str(prediction)
