"""Accuracy and confusion matrix of predicted classes against labels."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix

from snn_mnist.neuron_models.topology import N_CLASSES

from .spike_count import UNDECIDED


def _pair(predictions, labels) -> tuple[np.ndarray, np.ndarray]:
    predictions, labels = np.asarray(predictions), np.asarray(labels)
    if predictions.shape != labels.shape or predictions.ndim != 1:
        raise ValueError(f"predictions {predictions.shape} and labels {labels.shape} must be 1-D and of equal length")
    if predictions.size == 0:
        raise ValueError("no predictions to score")
    return predictions, labels


def accuracy(predictions, labels) -> float:
    """Fraction of predictions equal to their label."""
    predictions, labels = _pair(predictions, labels)
    return float(np.mean(predictions == labels))


def confusion(predictions, labels, n_classes: int = N_CLASSES) -> np.ndarray:
    """Counts ``C[true, predicted]``, shape ``(n_classes, n_classes + 1)`` (rows: labels): columns
    ``0..n_classes-1`` are the classes, the last one the images that got none (``UNDECIDED``), so that
    every row sums to the images of its label."""
    predictions, labels = _pair(predictions, labels)
    predictions = np.where(predictions == UNDECIDED, n_classes, predictions)
    return confusion_matrix(labels, predictions, labels=np.arange(n_classes + 1))[:n_classes]
