"""Spike-count readout: argmax, ties to the lowest class, silent images flagged."""

import numpy as np
import pytest

from snn_mnist.readout.spike_count import predict, silent


def test_predicts_the_neuron_that_fired_most():
    counts = np.array([[0, 3, 1, 0], [5, 0, 0, 6], [0, 0, 2, 0]])
    assert predict(counts).tolist() == [1, 3, 2]
    assert predict(counts).dtype == np.int64


def test_ties_go_to_the_lowest_class():
    counts = np.array([[0, 4, 0, 4], [2, 2, 2, 2], [0, 0, 7, 7]])
    assert predict(counts).tolist() == [1, 0, 2]


def test_silent_images_are_class_zero_and_flagged():
    counts = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert predict(counts).tolist() == [0, 1, 0]
    assert silent(counts).tolist() == [True, False, True]


@pytest.mark.parametrize("bad", [np.zeros(10), np.zeros((3, 0)), np.zeros((2, 3, 4))])
def test_refuses_arrays_that_are_not_images_by_classes(bad):
    with pytest.raises(ValueError, match="spike counts"):
        predict(bad)
