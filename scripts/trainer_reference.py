"""Regenerate tests/data/trainer_counts.npz: the trainer's spike counts for every shipped model on the
bundled digits, so that Brian2 can be checked against the trainer where PyTorch is not installed.

    python scripts/trainer_reference.py

For each model: frozen input spikes drawn with seed 0 on the 300 bundled test digits, run through the
trainer's model in float64 (``trainer.model.reference_counts``); the file keeps the output and hidden
spike counts, the output neurons' first-spike steps and the SHA-256 of the weights file they belong to (a retrained model makes the saved
counts stale, and the tests say so).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path
from snn_mnist.digits import sample
from snn_mnist.networks.simulation import input_spikes
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.trainer.model import reference_counts
from snn_mnist.weights import pretrained

PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "trainer_counts.npz"
SEED = 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reference(model: str, images: np.ndarray) -> dict:
    """The arrays the file keeps for ``model``, keyed ``<model>/<what>``."""
    weights = pretrained.load(model)
    output, hidden, first = reference_counts(weights, input_spikes(images, weights, SEED))
    return {
        f"{model}/output": output.astype(np.int16),
        f"{model}/hidden": hidden.astype(np.int16),
        f"{model}/output_first_step": first.astype(np.int16),
        f"{model}/weights_sha256": np.array(sha256(pretrained.path(model))),
    }


def main() -> None:
    images, _ = sample.load()
    arrays = {"seed": np.array(SEED)}
    for model in TOPOLOGIES:
        arrays |= reference(model, images)
    with atomic_path(PATH) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
    print(f"wrote {PATH} ({len(TOPOLOGIES)} models, {len(images)} digits, seed {SEED})")


if __name__ == "__main__":
    main()
