"""A network compiled once and run again with new weights, digits and seeds (run_args) gives what a fresh
build gives, spike for spike: the compile-once path of sweeps and ``simulate --workers``."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from snn_mnist.encoding import LatencyCode
from snn_mnist.neuron_models import synapse_named
from snn_mnist.networks.compiled import CompiledNetwork
from snn_mnist.networks.simulation import simulate

pytestmark = pytest.mark.slow


def _same(a, b):
    np.testing.assert_array_equal(a.output_counts, b.output_counts)
    np.testing.assert_array_equal(a.output_first_step, b.output_first_step)
    assert a.synaptic_events == b.synaptic_events
    assert a.physiology == b.physiology


def test_one_binary_runs_new_weights_digits_and_seeds_as_fresh_builds_do(random_weights, sample_digits):
    images, _ = sample_digits
    first, second = random_weights(seed=0), random_weights(seed=1)
    second = dataclasses.replace(second, bias_hidden=np.full(32, 0.3, np.float32))
    runs = [(first, images[:40], 0), (second, images[40:80], 7), (first, images[:40], 2**32 - 1)]
    with CompiledNetwork(first, 40) as binary:
        compiled = [binary.run(w, x, seed) for w, x, seed in runs]
        assert binary.runs == 3
        assert not binary.fits(first, 41)  # the digits' count is compiled in
        assert not binary.fits(first.at_dt(0.5), 40)
        with pytest.raises(ValueError, match="do not fit"):
            binary.run(first, images[:41], 0)
    for result, (w, x, seed) in list(zip(compiled, runs))[1:]:  # new weights, biases, digits and seeds
        _same(result, simulate(w, x, backend="cpp", seed=seed, track_potentials=True))
    assert compiled[0].output_counts.sum() > 0
    assert not np.array_equal(compiled[0].output_counts, compiled[2].output_counts)  # the seed is not compiled in


def test_latency_input_and_current_synapses_run_on_one_binary(random_weights, sample_digits):
    images, _ = sample_digits
    weights = dataclasses.replace(random_weights(seed=2), synapse=synapse_named("cuba"), encoding=LatencyCode())
    later = dataclasses.replace(weights, encoding=LatencyCode(threshold=0.5, window_ms=5.0))  # the table changes
    with CompiledNetwork(weights, 30) as binary:
        results = [binary.run(w, images[:30], 0) for w in (weights, later)]
    for result, w in zip(results, (weights, later)):
        _same(result, simulate(w, images[:30], backend="cpp", seed=0, track_potentials=True))
    assert results[0].synaptic_events != results[1].synaptic_events
