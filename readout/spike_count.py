"""Spike-count readout: the class of an image is the output neuron that fired most.

Ties are broken by time: among the output neurons with the most spikes, the one whose first
spike came earliest wins. What is left undecided (tied neurons that also first fired in the same
step) and silent images (no output spike at all) get no class: they are predicted as
:data:`UNDECIDED` (-1) and count as errors. No rule here prefers a low digit over a high one.

The trainer and Brian2 use this one function; both hand it the spike counts and the step of each
output neuron's first spike within the image (``steps`` where it never fired), as
:func:`first_spike_steps` computes it from a spike train.
"""

from __future__ import annotations

import numpy as np

#: The prediction for a silent image, or for a tie that the first spikes do not break.
UNDECIDED = -1


def _counts(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[1] < 1:
        raise ValueError(f"spike counts must be an (images, classes) array, got shape {counts.shape}")
    return counts


def _first(first_step: np.ndarray, counts: np.ndarray) -> np.ndarray:
    first_step = np.asarray(first_step)
    if first_step.shape != counts.shape:
        raise ValueError(f"first-spike steps {first_step.shape} must have the shape of the counts {counts.shape}")
    return first_step


def first_spike_steps(spikes: np.ndarray) -> np.ndarray:
    """Step of each neuron's first spike, from spikes of shape ``(steps, images, neurons)``;
    ``steps`` where a neuron never fired. Shape ``(images, neurons)``."""
    spikes = np.asarray(spikes) > 0
    steps = spikes.shape[0]
    return np.where(spikes.any(axis=0), spikes.argmax(axis=0), steps)


def _winners(counts: np.ndarray, first_step: np.ndarray) -> np.ndarray:
    """Per image and class: whether the class is among the best by (most spikes, earliest first spike)."""
    top = counts == counts.max(axis=1, keepdims=True)
    earliest = np.where(top, first_step, np.iinfo(np.int64).max).min(axis=1, keepdims=True)
    return top & (first_step == earliest)


def predict(counts: np.ndarray, first_step: np.ndarray) -> np.ndarray:
    """Predicted class per image (int64): most spikes, ties to the earliest first spike,
    :data:`UNDECIDED` for silent images and for ties the first spikes leave standing."""
    counts = _counts(counts)
    first_step = _first(first_step, counts)
    winners = _winners(counts, first_step)
    decided = (winners.sum(axis=1) == 1) & ~silent(counts)
    return np.where(decided, winners.argmax(axis=1), UNDECIDED).astype(np.int64)


def silent(counts: np.ndarray) -> np.ndarray:
    """Boolean mask of the images on which no output neuron fired."""
    return _counts(counts).sum(axis=1) == 0


def tied(counts: np.ndarray) -> np.ndarray:
    """Boolean mask of the images on which two or more output neurons share the most spikes (> 0)."""
    counts = _counts(counts)
    return ((counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1) & ~silent(counts)


def tally(counts: np.ndarray, first_step: np.ndarray) -> dict:
    """How many images were decided how: ``ties`` (most spikes shared), of which
    ``ties_broken_by_first_spike`` and ``ties_undecided``, and ``silent``."""
    counts = _counts(counts)
    ties = tied(counts)
    undecided = predict(counts, first_step) == UNDECIDED
    return {
        "ties": int(ties.sum()),
        "ties_broken_by_first_spike": int((ties & ~undecided).sum()),
        "ties_undecided": int((ties & undecided).sum()),
        "silent": int(silent(counts).sum()),
    }


def verdict(counts: np.ndarray, first_step: np.ndarray) -> str:
    """One image's prediction in words, saying when it rests on a tie or when there is none."""
    counts, first_step = np.asarray(counts)[None], np.asarray(first_step)[None]
    prediction = int(predict(counts, first_step)[0])
    if silent(counts)[0]:
        return "none (no output neuron fired)"
    top = np.flatnonzero(counts[0] == counts[0].max())
    if len(top) == 1:
        return str(prediction)
    names = ", ".join(map(str, top))
    if prediction == UNDECIDED:
        return f"none (tie between {names}, whose first spikes came in the same step)"
    return f"{prediction} (tie between {names} in spike count: {prediction} fired first)"
