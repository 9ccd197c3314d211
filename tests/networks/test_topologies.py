"""Every topology builds and runs on every available backend; frozen input gives the same
spikes on all of them (one seeded model built in a loop over backends, as brian2cuda's
consistency tests do)."""

import numpy as np
import pytest

from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.neuron_models.topology import TOPOLOGIES

N_HIDDEN = 32


def max_spikes_per_image(weights, params) -> int:
    """A neuron fires at most once per refractory period (and once per step)."""
    return -(-weights.steps // max(params.refractory_steps(weights.dt_ms), 1))


@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_runs_on_runtime_with_poisson_input(random_weights, sample_digits, model):
    weights = random_weights(model, N_HIDDEN, seed=0)
    images = sample_digits[0][:4]
    result = simulate(weights, images, backend="runtime", seed=7, record_hidden=True)
    assert result.output_counts.shape == (4, 10) and result.hidden_counts.shape == (4, N_HIDDEN)
    assert result.hidden_counts.sum() > 0 and result.output_counts.sum() > 0
    assert result.hidden_counts.max() <= max_spikes_per_image(weights, weights.topology.hidden_neuron)
    assert result.output_counts.max() <= max_spikes_per_image(weights, weights.topology.output_neuron)
    again = simulate(weights, images, backend="runtime", seed=7)
    other = simulate(weights, images, backend="runtime", seed=8)
    np.testing.assert_array_equal(again.output_counts, result.output_counts)  # the seed fixes the input
    assert not np.array_equal(other.output_counts, result.output_counts)


@pytest.mark.slow
@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_cpp_matches_runtime_on_frozen_input(random_weights, sample_digits, model):
    weights = random_weights(model, N_HIDDEN, seed=0)
    images = sample_digits[0][:6]
    frozen = input_spikes(images, weights, seed=3)
    results = {
        backend: simulate(weights, images, backend=backend, input_mode="frozen", frozen=frozen, record_hidden=True)
        for backend in ("runtime", "cpp")
    }
    assert results["runtime"].output_counts.sum() > 6, "weights too weak to compare anything"
    np.testing.assert_array_equal(results["cpp"].hidden_counts, results["runtime"].hidden_counts)
    np.testing.assert_array_equal(results["cpp"].output_counts, results["runtime"].output_counts)
    assert results["cpp"].build_seconds > 0 and results["cpp"].run_seconds > 0


@pytest.mark.slow
def test_cpp_runs_poisson_input(random_weights, sample_digits):
    weights = random_weights("lif-lif", N_HIDDEN, seed=0)
    result = simulate(weights, sample_digits[0][:20], backend="cpp", seed=7, threads=2)
    assert result.output_counts.shape == (20, 10)
    assert 0 < result.output_counts.max() <= max_spikes_per_image(weights, weights.topology.output_neuron)
    assert (result.output_counts.sum(axis=1) > 0).mean() > 0.9
