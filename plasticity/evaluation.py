"""Classify digits with a trained Diehl & Cook network: the frozen network's spike counts, read
out by label assignment (the paper's method) and by the network's linear readout."""

from __future__ import annotations

import numpy as np

from snn_mnist.readout.label_assignment import classify
from snn_mnist.readout.metrics import accuracy

from .network_file import TrainedNetwork
from .runner import Simulator, respond


def evaluate(net: TrainedNetwork, images: np.ndarray, labels: np.ndarray, *, backend: str = "cpp",
             chunk: int = 1000, seed: int = 0, progress=None) -> dict:
    """Accuracies and throughput on ``images``; the counts themselves under ``"counts"``."""
    with Simulator(net.n_exc, net.params, backend=backend, n_slots=min(chunk, len(images))) as sim:
        responses = respond(sim, images, net.weights, net.theta_mV, seed=seed, progress=progress)
        build_seconds = sim.build_seconds
    counts = responses.counts
    return {
        "accuracy": accuracy(classify(counts, net.assignments), labels),
        "linear_readout_accuracy": accuracy(net.readout.predict(counts), labels),
        "n_images": int(len(images)),
        "n_neurons": net.n_exc,
        "readout": "label assignment (class-averaged spike counts)",
        "mean_spikes_per_image": float(counts.sum(axis=1).mean()),
        "presentations": responses.presentations,
        "images_per_second": round(len(images) / responses.seconds, 2),
        "images_per_cpu_second": round(responses.images_per_cpu_second, 2),
        "build_seconds": round(build_seconds, 1),
        "backend": backend,
        "seed": seed,
        "counts": counts,
    }
