"""``snn-mnist parity``: the trainer's model and the Brian2 network on identical input spikes
(the comparison itself is :func:`snn_mnist.trainer.parity.compare`)."""

from __future__ import annotations

import argparse

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


def run(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import write_json
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits.selection import select
    from snn_mnist.weights.pretrained import resolve

    try:
        import torch  # noqa: F401
    except ImportError:
        raise UserError("parity needs PyTorch: pip install 'snn-mnist[train]'") from None

    from snn_mnist.trainer.parity import compare

    weights, weights_source = resolve(args.model, args.weights)
    images, labels, data_source = select(args.data_dir, args.n, args.start)
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
