"""``snn-mnist parity``: the trainer's model and the Brian2 network on identical input spikes.

Both get the same frozen Poisson spike trains (drawn once from ``--seed``). The trainer's
model runs in float64 and mV, as Brian2 does; what can still differ is the order in which
synaptic inputs are summed (a matrix product against Brian2's spike-by-spike loop), which
moves a membrane potential by ~1e-14 mV and changes a spike only when it sits that close
to threshold.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from snn_mnist.backends import BACKENDS
from snn_mnist.neuron_models.topology import TOPOLOGIES


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("parity", help="compare the trainer's model and the Brian2 network on identical input")
    p.add_argument("--model", required=True, choices=list(TOPOLOGIES))
    p.add_argument("--weights", default=None, help="weights file (default: the bundled pretrained model)")
    p.add_argument("--n", type=int, default=1000, help="number of test images")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--backend", choices=BACKENDS, default="cpp")
    p.add_argument("--seed", type=int, default=0, help="seed of the frozen input spike trains")
    p.add_argument("--data-dir", default=None, help="MNIST directory (default: $SNN_MNIST_DATA, else the bundled sample)")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--json", default=None, help="write the figures to this JSON file")
    p.set_defaults(run=run)


def compare(weights, images, labels, *, backend: str, seed: int, threads: int = 0) -> dict:
    """Figures of agreement between the trainer's model and Brian2 on the same frozen input."""
    from snn_mnist.networks.simulation import input_spikes, simulate
    from snn_mnist.readout.spike_count import predict
    from snn_mnist.trainer.model import reference_counts

    spikes = input_spikes(images, weights, seed)
    t0 = time.perf_counter()
    ref_out, ref_hidden = reference_counts(weights, spikes)
    trainer_seconds = time.perf_counter() - t0
    sim = simulate(weights, images, backend=backend, input_mode="frozen", frozen=spikes,
                   record_hidden=True, threads=threads)
    ref_pred, sim_pred = predict(ref_out), predict(sim.output_counts)
    return {
        "model": weights.topology.name,
        "backend": backend,
        "n_images": len(images),
        "seed": seed,
        "label_agreement": float(np.mean(ref_pred == sim_pred)),
        "count_agreement": float(np.mean(np.all(ref_out == sim.output_counts, axis=1))),
        "hidden_count_agreement": float(np.mean(np.all(ref_hidden == sim.hidden_counts, axis=1))),
        "accuracy_trainer": float(np.mean(ref_pred == labels)),
        "accuracy_brian2": float(np.mean(sim_pred == labels)),
        "trainer_seconds": trainer_seconds,
        "brian2_build_seconds": sim.build_seconds,
        "brian2_run_seconds": sim.run_seconds,
    }


def run(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import write_json
    from snn_mnist.cli.data import load_images, load_weights
    from snn_mnist.cli.main import UserError

    try:
        import torch  # noqa: F401
    except ImportError:
        raise UserError("parity needs PyTorch: pip install 'snn-mnist[train]'") from None

    weights, weights_source = load_weights(args.model, args.weights)
    images, labels, data_source = load_images(args.data_dir, args.n, args.start)
    figures = compare(weights, images, labels, backend=args.backend, seed=args.seed, threads=args.threads)
    figures.update(weights=weights_source, data=data_source)
    print(
        f"{args.model} on {args.backend}, {len(images)} images: label agreement {figures['label_agreement']:.4f}, "
        f"output count agreement {figures['count_agreement']:.4f}, hidden count agreement "
        f"{figures['hidden_count_agreement']:.4f} (accuracy trainer {figures['accuracy_trainer']:.4f}, "
        f"Brian2 {figures['accuracy_brian2']:.4f})"
    )
    if args.json:
        write_json(args.json, figures)
    return 0
