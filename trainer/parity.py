"""Parity: the trainer's model and the Brian2 network on identical input spikes (``snn-mnist parity``).

Both get the same frozen Poisson spike trains (drawn once from ``--seed``). The trainer's
model runs in float64 and mV, as Brian2 does; what can still differ is the order in which
synaptic inputs are summed (a matrix product against Brian2's spike-by-spike loop), which
moves a membrane potential by ~1e-14 mV and changes a spike only when it sits that close
to threshold.
"""

from __future__ import annotations

import time

import numpy as np

from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.readout.spike_count import predict, tally

from .model import reference_counts


def compare(weights, images, labels, *, backend: str, seed: int, threads: int = 0) -> dict:
    """Figures of agreement between the trainer's model and Brian2 on the same frozen input."""
    spikes = input_spikes(images, weights, seed)
    t0 = time.perf_counter()
    ref = reference_counts(weights, spikes)
    trainer_seconds = time.perf_counter() - t0
    sim = simulate(weights, images, backend=backend, input_mode="frozen", frozen=spikes,
                   record_hidden=True, threads=threads)
    ref_pred = predict(ref.output, ref.output_first_step)
    sim_pred = predict(sim.output_counts, sim.output_first_step)
    return {
        "model": weights.topology.name,
        "backend": backend,
        "n_images": len(images),
        "seed": seed,
        "label_agreement": float(np.mean(ref_pred == sim_pred)),
        "count_agreement": float(np.mean(np.all(ref.output == sim.output_counts, axis=1))),
        "first_spike_agreement": float(np.mean(np.all(ref.output_first_step == sim.output_first_step, axis=1))),
        "hidden_count_agreement": float(np.mean(np.all(ref.hidden == sim.hidden_counts, axis=1))),
        "accuracy_trainer": float(np.mean(ref_pred == labels)),
        "accuracy_brian2": float(np.mean(sim_pred == labels)),
        "readout_trainer": tally(ref.output, ref.output_first_step),
        "readout_brian2": tally(sim.output_counts, sim.output_first_step),
        "trainer_seconds": trainer_seconds,
        "brian2_build_seconds": sim.build_seconds,
        "brian2_run_seconds": sim.run_seconds,
    }
