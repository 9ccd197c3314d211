"""``snn-mnist parity``: the trainer's model and the Brian2 network on identical input spikes
(the comparison itself is :func:`snn_mnist.trainer.parity.compare`)."""

from __future__ import annotations

import argparse

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("parity", help="compare the trainer's model and the Brian2 network on identical input")
    options.model(p, required=True)
    options.weights(p)
    options.digit_range(p, n=1000)
    options.backend(p, default="cpp")
    options.seed(p, help="seed of the frozen input spike trains (default 0)")
    options.data_dir(p)
    options.threads(p)
    options.json_out(p, what="the figures")
    options.encoding(p)
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

    weights, weights_source = resolve(args.model, args.weights, args.nir_convention)
    weights = options.with_input_code(args, weights)
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
