"""Spike-count readout: most spikes, ties to the first spike, no class for silence or a standing tie."""

import numpy as np
import pytest

from snn_mnist.readout.spike_count import UNDECIDED, first_spike_steps, predict, silent, tally, verdict

NEVER = 25  # the first-spike step of a neuron that did not fire, in a 25-step image


def test_predicts_the_neuron_that_fired_most():
    counts = np.array([[0, 3, 1, 0], [5, 0, 0, 6], [0, 0, 2, 0]])
    first = np.array([[NEVER, 9, 2, NEVER], [1, NEVER, NEVER, 20], [NEVER, NEVER, 7, NEVER]])
    assert predict(counts, first).tolist() == [1, 3, 2]  # the earlier first spikes of 2 and 0 do not count
    assert predict(counts, first).dtype == np.int64


def test_a_tie_goes_to_the_neuron_that_fired_first_whatever_its_index():
    counts = np.array([[0, 4, 0, 4], [2, 2, 2, 2], [0, 0, 7, 7]])
    first = np.array([[NEVER, 6, NEVER, 5], [3, 3, 1, 3], [NEVER, NEVER, 4, 4]])
    assert predict(counts, first).tolist() == [3, 2, UNDECIDED]  # the last: tied in count and first spike
    assert tally(counts, first) == {"ties": 3, "ties_broken_by_first_spike": 2, "ties_undecided": 1, "silent": 0}


def test_no_digit_is_favoured_by_the_rule():
    """Mirror the classes: the winner mirrors too (argmax's lowest-index rule would not)."""
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 3, (500, 10))
    first = np.where(counts > 0, rng.integers(0, 25, (500, 10)), NEVER)
    forward, mirrored = predict(counts, first), predict(counts[:, ::-1], first[:, ::-1])
    decided = forward != UNDECIDED
    assert (mirrored[decided] == 9 - forward[decided]).all()
    assert (mirrored[~decided] == UNDECIDED).all() and tally(counts, first)["ties"] > 100


def test_silent_images_get_no_class_and_are_counted():
    counts = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    first = np.where(counts > 0, 3, NEVER)
    assert predict(counts, first).tolist() == [UNDECIDED, 1, UNDECIDED]
    assert silent(counts).tolist() == [True, False, True]
    assert tally(counts, first)["silent"] == 2


def test_first_spike_steps_from_a_spike_train():
    spikes = np.zeros((5, 2, 3), dtype=bool)  # (steps, images, neurons)
    spikes[[1, 3], 0, 0] = True
    spikes[4, 0, 2] = True
    spikes[0, 1, 1] = True
    assert first_spike_steps(spikes).tolist() == [[1, 5, 4], [5, 0, 5]]


def test_verdict_says_what_the_prediction_rests_on():
    assert verdict(np.array([0, 3, 1]), np.array([NEVER, 2, 1])) == "1"
    assert verdict(np.array([2, 0, 2]), np.array([7, NEVER, 3])).startswith("2 (tie between 0, 2")
    assert verdict(np.array([2, 0, 2]), np.array([3, NEVER, 3])).startswith("none (tie between 0, 2")
    assert verdict(np.zeros(3, int), np.full(3, NEVER)).startswith("none (no output neuron fired")


@pytest.mark.parametrize("bad", [np.zeros(10), np.zeros((3, 0)), np.zeros((2, 3, 4))])
def test_refuses_arrays_that_are_not_images_by_classes(bad):
    with pytest.raises(ValueError, match="spike counts"):
        predict(bad, bad)


def test_refuses_first_spikes_of_another_shape():
    with pytest.raises(ValueError, match="first-spike steps"):
        predict(np.zeros((2, 10)), np.zeros((2, 9)))
