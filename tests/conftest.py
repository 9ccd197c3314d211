"""Shared fixtures: a clean Brian2 for every test, the MNIST directory, small seeded weights."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import NetworkWeights


@pytest.fixture(autouse=True)
def brian2_reset():
    """Start every test on Brian2's runtime device with saved preferences and restore both after,
    as Brian2's own test suite does, so that no test sees another's device, prefs or clock.
    Tests that never import Brian2 (data, weights, readout) do not pay for importing it."""
    backed_up = "brian2" in sys.modules
    if backed_up:
        from brian2 import prefs, set_device

        set_device("runtime")
        prefs._backup()
    yield
    if "brian2" in sys.modules:
        from brian2 import defaultclock, ms, prefs, set_device
        from brian2.devices import reinit_devices

        reinit_devices()
        set_device("runtime")
        if backed_up:
            prefs._restore()
        defaultclock.dt = 0.1 * ms


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """The MNIST directory named by $SNN_MNIST_DATA; tests that need it skip without it."""
    directory = os.environ.get("SNN_MNIST_DATA")
    if not directory:
        pytest.skip("SNN_MNIST_DATA is not set: point it at the MNIST files to run this test")
    if not Path(directory, "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"SNN_MNIST_DATA={directory} holds no MNIST files")
    return Path(directory)


def _random_weights(model: str = "lif-lif", n_hidden: int = 32, seed: int = 0) -> NetworkWeights:
    """Seeded random weights that keep both layers firing on digits: a test fixture, not a model."""
    rng = np.random.default_rng(seed)
    return NetworkWeights(
        topology=TOPOLOGIES[model].with_hidden(n_hidden),
        w_input_hidden=rng.normal(0.4, 2.0, (784, n_hidden)).astype(np.float32),
        w_hidden_output=rng.normal(1.0, 6.0, (n_hidden, 10)).astype(np.float32),
        provenance={"note": "seeded random weights written by the tests"},
    )


@pytest.fixture
def random_weights():
    """``random_weights(model="lif-lif", n_hidden=32, seed=0)`` -> seeded random NetworkWeights."""
    return _random_weights


@pytest.fixture
def small_weights() -> NetworkWeights:
    """784-32-10 LIF-LIF weights drawn from seed 0."""
    return _random_weights()


@pytest.fixture
def sample_digits() -> tuple[np.ndarray, np.ndarray]:
    """The bundled sample: images uint8 (300, 784) and labels."""
    from snn_mnist.digits import sample

    return sample.load()
