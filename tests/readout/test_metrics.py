"""Accuracy and confusion matrix."""

import numpy as np
import pytest

from snn_mnist.readout.metrics import accuracy, confusion
from snn_mnist.readout.spike_count import UNDECIDED


def test_accuracy():
    assert accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    assert accuracy(np.array([7]), np.array([7])) == 1.0


def test_confusion_rows_are_labels_and_images_without_a_class_are_the_last_column():
    labels = [0, 0, 1, 2, 2, 2, 7]
    predictions = [0, 1, 1, 2, 2, 9, UNDECIDED]
    matrix = confusion(predictions, labels)
    assert matrix.shape == (10, 11)
    expected = np.zeros((10, 11), int)
    for t, p in zip(labels, predictions):
        expected[t, p] += 1  # UNDECIDED (-1) lands in the last column
    np.testing.assert_array_equal(matrix, expected)
    assert matrix[7, 10] == 1 and matrix.sum() == len(labels)
    assert np.trace(matrix) / matrix.sum() == accuracy(predictions, labels)


@pytest.mark.parametrize("predictions, labels", [([1, 2], [1]), ([], []), ([[1]], [[1]])])
def test_mismatched_or_empty_input(predictions, labels):
    with pytest.raises(ValueError):
        accuracy(predictions, labels)
