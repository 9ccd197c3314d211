"""Label assignment and the linear readout on synthetic spike counts with a known answer."""

import numpy as np
import pytest

from snn_mnist.readout.label_assignment import (
    UNASSIGNED,
    assign_labels,
    class_responses,
    class_scores,
    classify,
    fit_linear_readout,
)
from snn_mnist.readout.metrics import accuracy


def synthetic(n_images=400, n_neurons=30, seed=0):
    """Neuron k prefers class k % 10 (mean 6 spikes), answers other classes with mean 0.5."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n_images)
    preferred = np.arange(n_neurons) % 10
    means = np.where(preferred[None, :] == labels[:, None], 6.0, 0.5)
    return rng.poisson(means), labels, preferred


def test_each_neuron_takes_the_class_it_answers_most():
    counts, labels, preferred = synthetic()
    assert assign_labels(counts, labels).tolist() == preferred.tolist()


def test_class_responses_are_means_per_class():
    counts = np.array([[2, 0], [4, 1], [0, 3]])
    labels = np.array([1, 1, 0])
    responses = class_responses(counts, labels, n_classes=3)
    assert responses.tolist() == [[0, 3], [3, 0.5], [0, 0]]


def test_classification_by_class_averaged_counts():
    counts, labels, preferred = synthetic()
    assignments = assign_labels(counts, labels)
    test_counts, test_labels, _ = synthetic(seed=1)
    assert accuracy(classify(test_counts, assignments), test_labels) > 0.97
    # averaged, not summed: one strong neuron of class 1 beats three weak ones of class 0
    scores = class_scores(np.array([[1, 1, 1, 2]]), np.array([0, 0, 0, 1]), n_classes=2)
    assert scores.tolist() == [[1.0, 2.0]]


def test_silent_neurons_are_unassigned_and_empty_classes_never_win():
    counts = np.array([[3, 0, 0], [0, 2, 0]])
    labels = np.array([4, 7])
    assignments = assign_labels(counts, labels)
    assert assignments.tolist() == [4, 7, UNASSIGNED]
    scores = class_scores(np.zeros((1, 3)), assignments)
    assert np.isneginf(scores[0, [0, 1, 2, 3, 5, 6, 8, 9]]).all()
    assert classify(np.zeros((1, 3)), assignments)[0] in (4, 7)


def test_linear_readout_learns_the_synthetic_classes():
    counts, labels, _ = synthetic(n_images=600)
    readout = fit_linear_readout(counts, labels, seed=0)
    test_counts, test_labels, _ = synthetic(seed=2)
    assert readout.coef.shape == (10, counts.shape[1])
    assert accuracy(readout.predict(test_counts), test_labels) > 0.95


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="labels"):
        assign_labels(np.zeros((3, 2)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="assignments"):
        classify(np.zeros((3, 2)), np.zeros(5, dtype=int))
