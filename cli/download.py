"""``snn-mnist download``: fetch the official MNIST files and check their MD5 sums."""

from __future__ import annotations

import argparse

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("download", help="download the MNIST files (skips files already present and intact)")
    options.data_dir(p, help="where to put them (default: $SNN_MNIST_DATA, else ~/.cache/snn-mnist/mnist)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits import mnist

    try:
        directory = mnist.download(args.data_dir)
    except OSError as exc:  # a directory that cannot be created or written
        raise UserError(f"cannot write to {mnist.data_dir(args.data_dir)}: {exc.strerror or exc}") from None
    print(f"MNIST files in {directory} (MD5 checked); use them with --data-dir {directory} "
          f"or export {mnist.ENV_VAR}={directory}")
    return 0
