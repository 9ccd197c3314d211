"""Regenerate tests/data/trainer_counts.npz: the trainer's spike counts for every shipped model on the
bundled digits, so that Brian2 can be checked against the trainer where PyTorch is not installed.

    python scripts/trainer_reference.py

For each model: frozen input spikes drawn with seed 0 on the 300 bundled test digits, run through the
trainer's model in float64 (``trainer.model.reference_counts``); the file keeps the output and hidden
spike counts, the output neurons' first-spike steps
and the SHA-256 of the weights file they belong to (a retrained model makes the saved
counts stale, and the tests say so). For the current- and conductance-based synapses, which no shipped
model uses yet, it keeps seeded random weights with their counts (``synapse/<model>-<kind>/...``, the
first 50 digits): IF-LIF with cuba and LIF-IF with coba, which between them cover every integration.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path
from snn_mnist.digits import sample
from snn_mnist.encoding import PoissonCode
from snn_mnist.networks.simulation import input_spikes
from snn_mnist.neuron_models import synapse_named
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import NetworkWeights, pretrained

PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "trainer_counts.npz"
SEED = 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reference(model: str, images: np.ndarray) -> dict:
    """The arrays the file keeps for ``model``, keyed ``<model>/<what>``."""
    from snn_mnist.trainer.model import reference_counts  # PyTorch: only to write the file

    weights = pretrained.load(model)
    output, hidden, first = reference_counts(weights, input_spikes(images, weights, SEED))
    return {
        f"{model}/output": output.astype(np.int16),
        f"{model}/hidden": hidden.astype(np.int16),
        f"{model}/output_first_step": first.astype(np.int16),
        f"{model}/weights_sha256": np.array(sha256(pretrained.path(model))),
    }


SYNAPSE_CASES = (("if-lif", "cuba"), ("lif-if", "coba"))
SYNAPSE_DIGITS = 50


def synapse_weights(model: str, kind: str, n_hidden: int = 32) -> NetworkWeights:
    """Seeded random weights that keep both layers firing on digits through ``kind`` synapses."""
    rng = np.random.default_rng(SEED)
    if kind == "cuba":  # mV of current
        w1, w2 = rng.normal(1.6, 8.0, (784, n_hidden)), rng.normal(4.0, 24.0, (n_hidden, 10))
    else:  # conductances relative to the leak
        w1, w2 = rng.normal(0.01, 0.05, (784, n_hidden)), rng.normal(0.03, 0.15, (n_hidden, 10))
    return NetworkWeights(topology=TOPOLOGIES[model].with_hidden(n_hidden), w_input_hidden=w1.astype(np.float32),
                          w_hidden_output=w2.astype(np.float32), encoding=PoissonCode(500.0),
                          synapse=synapse_named(kind))


def synapse_reference(model: str, kind: str, images: np.ndarray) -> dict:
    from snn_mnist.trainer.model import reference_counts

    weights = synapse_weights(model, kind)
    output, hidden, first = reference_counts(weights, input_spikes(images[:SYNAPSE_DIGITS], weights, SEED))
    key = f"synapse/{model}-{kind}"
    return {f"{key}/w_input_hidden": weights.w_input_hidden, f"{key}/w_hidden_output": weights.w_hidden_output,
            f"{key}/output": output.astype(np.int16), f"{key}/hidden": hidden.astype(np.int16),
            f"{key}/output_first_step": first.astype(np.int16)}


def main() -> None:
    images, _ = sample.load()
    arrays = {"seed": np.array(SEED)}
    for model in TOPOLOGIES:
        arrays |= reference(model, images)
    for model, kind in SYNAPSE_CASES:
        arrays |= synapse_reference(model, kind, images)
    with atomic_path(PATH) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)
    print(f"wrote {PATH} ({len(TOPOLOGIES)} models, {len(images)} digits, seed {SEED})")


if __name__ == "__main__":
    main()
