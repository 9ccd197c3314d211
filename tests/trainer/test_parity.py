"""Trainer and Brian2 give identical spikes on identical input (issue 3's parity requirement)."""

import numpy as np
import pytest

pytest.importorskip("torch")

from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.trainer.model import reference_counts
from snn_mnist.weights import NetworkWeights


def random_weights(model: str, seed: int, n_hidden: int = 48) -> NetworkWeights:
    """Weights that keep both layers busy: mean-positive, some large enough to hit the threshold."""
    rng = np.random.default_rng(seed)
    topo = TOPOLOGIES[model].with_hidden(n_hidden)
    return NetworkWeights(
        topology=topo,
        w_input_hidden=rng.normal(0.4, 2.0, (784, n_hidden)).astype(np.float32),
        w_hidden_output=rng.normal(1.0, 6.0, (n_hidden, 10)).astype(np.float32),
    )


def random_images(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 784), dtype=np.uint8)
    images[rng.random((n, 784)) < 0.7] = 0  # mostly dark, like digits
    return images


def check_parity(model: str, backend: str, n_images: int) -> None:
    weights = random_weights(model, seed=3)
    images = random_images(n_images, seed=4)
    spikes = input_spikes(images, weights, seed=5)
    ref_out, ref_hidden, _ = reference_counts(weights, spikes)
    sim = simulate(weights, images, backend=backend, input_mode="frozen", frozen=spikes, record_hidden=True)
    assert ref_hidden.sum() > 10 * n_images and ref_out.sum() > n_images, "weights too weak to test anything"
    np.testing.assert_array_equal(sim.hidden_counts, ref_hidden)
    np.testing.assert_array_equal(sim.output_counts, ref_out)


@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_trainer_matches_brian2_runtime(model):
    check_parity(model, "runtime", n_images=12)


@pytest.mark.slow
@pytest.mark.parametrize("model", ["lif-lif", "if-lif"])
def test_trainer_matches_brian2_cpp(model):
    check_parity(model, "cpp", n_images=40)
