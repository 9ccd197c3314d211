"""A network compiled once and run again with new weights, digits, seeds and neuron and synapse parameters
(run_args) gives what a fresh build gives, spike for spike: the compile-once path of sweeps and
``simulate --workers``."""

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


def test_one_binary_runs_new_weights_digits_seeds_and_parameters_as_fresh_builds_do(random_weights, sample_digits):
    images, _ = sample_digits
    first, plain = random_weights(seed=0), random_weights(seed=1)
    plain = dataclasses.replace(plain, bias_hidden=np.full(32, 0.3, np.float32))
    hidden, output = plain.topology.hidden_neuron, plain.topology.output_neuron
    # other potentials (the rest included: the first digit starts from it), time constant and refractory periods
    second = plain.with_neurons(hidden.replace(tau_m_ms=12.0, v_rest_mV=-70.0, v_reset_mV=-72.0, v_th_mV=-54.0,
                                               tau_ref_ms=4.0),
                                output.replace(v_th_mV=-53.0, tau_ref_ms=0.0))
    runs = [(first, images[:40], 0), (second, images[40:80], 7), (first, images[:40], 2**32 - 1),
            (plain, images[40:80], 7)]
    with CompiledNetwork(first, 40) as binary:
        compiled = [binary.run(w, x, seed) for w, x, seed in runs]
        assert binary.runs == 4
        assert not binary.fits(first, 41)  # the digits' count is compiled in
        assert not binary.fits(first.at_dt(0.5), 40)
        with pytest.raises(ValueError, match="do not fit"):
            binary.run(first, images[:41], 0)
    for result, (w, x, seed) in list(zip(compiled, runs))[1:3]:  # new weights, biases, parameters, digits, seeds
        _same(result, simulate(w, x, backend="cpp", seed=seed, track_potentials=True))
    assert compiled[0].output_counts.sum() > 0
    assert not np.array_equal(compiled[0].output_counts, compiled[2].output_counts)  # the seed is not compiled in
    assert not np.array_equal(compiled[1].output_counts, compiled[3].output_counts)  # nor are the parameters
    assert compiled[1].physiology != compiled[3].physiology


def test_latency_input_and_current_synapses_run_on_one_binary(random_weights, sample_digits):
    images, _ = sample_digits
    weights = dataclasses.replace(random_weights(seed=2), synapse=synapse_named("cuba"), encoding=LatencyCode())
    later = dataclasses.replace(weights, encoding=LatencyCode(threshold=0.5, window_ms=5.0),  # the table changes
                                synapse=synapse_named("cuba", tau_syn_ms=2.0))
    with CompiledNetwork(weights, 30) as binary:
        results = [binary.run(w, images[:30], 0) for w in (weights, later)]
    for result, w in zip(results, (weights, later)):
        _same(result, simulate(w, images[:30], backend="cpp", seed=0, track_potentials=True))
    assert results[0].synaptic_events != results[1].synaptic_events
