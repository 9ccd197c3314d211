"""Poisson rate coding: probabilities, and frozen spike trains drawn in chunks as if in one draw."""

import numpy as np
import pytest

from snn_mnist.encoding import EncodingError, frozen_spikes, spike_probabilities
from snn_mnist.encoding import poisson


def test_chunked_draw_equals_one_draw_and_is_boolean(monkeypatch):
    images = np.random.default_rng(1).integers(0, 256, (11, 784)).astype(np.uint8)
    whole = np.random.default_rng(4).random((11, 25, 784)) < spike_probabilities(images, 1000.0, 1.0)[:, None, :]
    monkeypatch.setattr(poisson, "CHUNK", 3)  # 3 + 3 + 3 + 2 images
    chunked = frozen_spikes(images, 25, 1000.0, 1.0, np.random.default_rng(4))
    assert chunked.dtype == bool and chunked.shape == (11, 25, 784)
    np.testing.assert_array_equal(chunked, whole)


def test_rates_follow_intensity():
    images = np.array([[0, 255, 51]], dtype=np.uint8)
    spikes = frozen_spikes(np.repeat(images, 400, axis=0), 25, 500.0, 1.0, np.random.default_rng(0))
    rate = spikes.mean(axis=(0, 1))  # spikes per step
    assert rate[0] == 0 and rate[1] == pytest.approx(0.5, abs=0.01) and rate[2] == pytest.approx(0.1, abs=0.005)


def test_impossible_probabilities_are_refused():
    with pytest.raises(EncodingError, match="must lie in"):
        spike_probabilities(np.zeros((1, 784), dtype=np.uint8), 2000.0, 1.0)
