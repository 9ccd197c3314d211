"""Drive single neurons with a constant ``v_drive`` and record them every step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


@dataclass
class Recording:
    t_ms: np.ndarray  # (steps,) start of each step
    v_mV: np.ndarray  # (steps,) v at the start of each step, before the step's update
    spikes_ms: np.ndarray  # spike times


def drive(params, v_drive_mV: float, duration_ms: float, dt_ms: float = 0.1, inputs_ms=()) -> Recording:
    """One neuron of ``params`` under a constant drive, optionally hit by synaptic jumps of
    +5 mV at ``inputs_ms`` through the networks' synaptic pathway (``delta.ON_PRE``)."""
    from brian2 import Network, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses, defaultclock, ms, mV

    from snn_mnist import backends
    from snn_mnist.neuron_models import DELTA as delta
    from snn_mnist.neuron_models import neuron_group

    with backends.activate("runtime") as runner:
        defaultclock.dt = dt_ms * ms
        neuron = neuron_group(params, 1, name="neuron")
        neuron.v_drive = v_drive_mV * mV
        state, spikes = StateMonitor(neuron, "v", record=0), SpikeMonitor(neuron)
        objects = [neuron, state, spikes]
        if len(inputs_ms):
            source = SpikeGeneratorGroup(1, np.zeros(len(inputs_ms), dtype=int), np.asarray(inputs_ms) * ms)
            synapse = Synapses(source, neuron, model=delta.MODEL, on_pre=delta.ON_PRE)
            synapse.connect()
            synapse.w = 5 * mV
            objects += [source, synapse]
        runner.run(Network(*objects), duration_ms * ms)
        return Recording(np.asarray(state.t / ms), np.asarray(state.v[0] / mV), np.asarray(spikes.t / ms))


@pytest.fixture
def run_neuron():
    return drive
