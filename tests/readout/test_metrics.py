"""Accuracy and confusion matrix."""

import numpy as np
import pytest

from snn_mnist.readout.metrics import accuracy, confusion


def test_accuracy():
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    assert accuracy(np.array([7]), np.array([7])) == 1.0


def test_confusion_rows_are_labels_and_all_classes_appear():
    labels = [0, 0, 1, 2, 2, 2]
    predictions = [0, 1, 1, 2, 2, 9]
    matrix = confusion(predictions, labels)
    assert matrix.shape == (10, 10)
    expected = np.zeros((10, 10), int)
    for t, p in zip(labels, predictions):
        expected[t, p] += 1
    np.testing.assert_array_equal(matrix, expected)
    assert np.trace(matrix) / matrix.sum() == accuracy(predictions, labels)


@pytest.mark.parametrize("predictions, labels", [([1, 2], [1]), ([], []), ([[1]], [[1]])])
def test_mismatched_or_empty_input(predictions, labels):
    with pytest.raises(ValueError):
        accuracy(predictions, labels)
