"""Reading classes out of an unsupervised layer: label assignment, and a linear readout to compare.

Label assignment (Diehl & Cook 2015): every neuron takes the class whose images make it
fire most on average (:func:`assign_labels`); an image is then classified as the class whose
assigned neurons fire most on average (:func:`classify`). Neurons that never fired in the
assignment set get no class (``-1``) and take no part.

The linear readout (:class:`LinearReadout`) is a multinomial logistic regression from
scikit-learn on the same spike counts: an upper bound of what a trained linear layer could
read from the learned features. Score either with :func:`readout.metrics.accuracy`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNASSIGNED = -1


def _check(counts: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2:
        raise ValueError(f"spike counts must be (n_images, n_neurons), got shape {counts.shape}")
    if labels is not None and len(labels) != len(counts):
        raise ValueError(f"{len(labels)} labels for {len(counts)} images")
    return counts


def class_responses(counts: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Mean spike count of every neuron to the images of each class, shape (n_classes, n_neurons).

    A class without images gets zeros.
    """
    counts = _check(counts, labels)
    labels = np.asarray(labels, dtype=np.int64)
    sums = np.zeros((n_classes, counts.shape[1]))
    np.add.at(sums, labels, counts)
    n = np.bincount(labels, minlength=n_classes)[:, None]
    return sums / np.maximum(n, 1)


def assign_labels(counts: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """The class each neuron answers most (ties: the lowest class); ``-1`` for silent neurons."""
    responses = class_responses(counts, labels, n_classes)
    assignments = responses.argmax(axis=0)
    assignments[responses.max(axis=0) <= 0] = UNASSIGNED
    return assignments


def class_scores(counts: np.ndarray, assignments: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Mean spike count of the neurons assigned to each class, per image: (n_images, n_classes).

    A class with no assigned neuron scores ``-inf`` so that it is never predicted.
    """
    counts = _check(counts)
    assignments = np.asarray(assignments)
    if assignments.shape != (counts.shape[1],):
        raise ValueError(f"{assignments.shape[0]} assignments for {counts.shape[1]} neurons")
    scores = np.full((counts.shape[0], n_classes), -np.inf)
    for c in range(n_classes):
        members = assignments == c
        if members.any():
            scores[:, c] = counts[:, members].mean(axis=1)
    return scores


def classify(counts: np.ndarray, assignments: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Predicted class of each image: the class whose neurons fired most on average."""
    return class_scores(counts, assignments, n_classes).argmax(axis=1)


@dataclass(frozen=True)
class LinearReadout:
    """Logistic regression on spike counts: ``argmax(counts @ coef.T + intercept)``."""

    coef: np.ndarray  # (n_classes, n_neurons)
    intercept: np.ndarray  # (n_classes,)

    def scores(self, counts: np.ndarray) -> np.ndarray:
        return _check(counts) @ self.coef.T + self.intercept

    def predict(self, counts: np.ndarray) -> np.ndarray:
        return self.scores(counts).argmax(axis=1)


def fit_linear_readout(counts: np.ndarray, labels: np.ndarray, *, c: float = 1.0, seed: int = 0,
                       n_classes: int = 10) -> LinearReadout:
    """Fit a multinomial logistic regression (L2, strength ``1/c``) to spike counts."""
    from sklearn.linear_model import LogisticRegression

    counts = _check(counts, labels)
    labels = np.asarray(labels, dtype=np.int64)
    model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    model.fit(counts, labels)
    coef = np.zeros((n_classes, counts.shape[1]))
    intercept = np.full(n_classes, -np.inf)
    coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else np.vstack([-model.coef_, model.coef_])
    intercept[model.classes_] = model.intercept_ if len(model.classes_) > 2 else [-model.intercept_[0], model.intercept_[0]]
    return LinearReadout(coef=coef, intercept=intercept)
