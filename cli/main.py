"""The ``snn-mnist`` command: one subcommand a module, each with ``add_parser`` and ``run``.

Every error a user can cause (bad arguments, missing data, a weights file of the wrong
shape, an unavailable backend) ends in one line on stderr and exit status 2; nothing a
user can cause prints a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

#: subcommand -> module implementing ``add_parser(subparsers)`` and ``run(args) -> int``
COMMANDS = {
    "simulate": "snn_mnist.cli.simulate",
    "models": "snn_mnist.cli.models",
    "trace": "snn_mnist.cli.trace",
    "download": "snn_mnist.cli.download",
    "train": "snn_mnist.cli.train",
    "parity": "snn_mnist.cli.parity",
    "classify": "snn_mnist.cli.classify",
    "figures": "snn_mnist.cli.figures",
    "serve": "snn_mnist.cli.serve",
    "export": "snn_mnist.cli.export",
    "stdp": "snn_mnist.cli.stdp",
    "sweep": "snn_mnist.cli.sweep",
}


class Terminated(BaseException):
    """SIGTERM, raised where the command is, so that its clean-up runs (build folders removed, compilers
    ended) as for Ctrl-C."""


def _terminated(signum, frame):
    raise Terminated


class UserError(Exception):
    """An error caused by the command's input, reported in one line."""


def user_errors() -> tuple[type[BaseException], ...]:
    """Exception types that describe a problem with the user's input or machine."""
    from snn_mnist.atomic_files import OutputError
    from snn_mnist.backends import BackendError
    from snn_mnist.digits.mnist import DataError
    from snn_mnist.encoding import EncodingError
    from snn_mnist.neuron_models import ParameterError
    from snn_mnist.weights import WeightsError

    return (UserError, BackendError, DataError, EncodingError, ParameterError, WeightsError, OutputError,
            FileNotFoundError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit status 2, as argparse does, without the usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="snn-mnist", description="Spiking neural networks in Brian2 that classify MNIST digits.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in COMMANDS.values():
        importlib.import_module(module).add_parser(sub)
    return parser


def _check_paths(args: argparse.Namespace) -> None:
    """Before the command runs: every output can be written in its format (``atomic_files.check_output``),
    and none is an input or another output of the same run. ``-`` is standard output."""
    from snn_mnist.atomic_files import check_distinct, check_output

    declared = [(getattr(args, dest, None), *spec) for dest, *spec in getattr(args, "_writes", ())]
    declared = [(value, *spec) for value, *spec in declared if value is not None and value != "-"]
    inputs = {option: getattr(args, dest) for dest, option in getattr(args, "_reads", ()) if getattr(args, dest, None)}
    check_distinct({option: value for value, option, _, directory in declared if not directory and value}, inputs)
    for value, _, formats, directory in declared:
        check_output(value, formats, directory=directory)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    main_thread = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    try:
        _check_paths(args)
        return int(args.run(args) or 0)
    except BrokenPipeError:  # the reader went away (``snn-mnist models --json | head``): nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("snn-mnist: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("snn-mnist: terminated", file=sys.stderr)
        return 143
    except user_errors() as exc:
        print(f"snn-mnist {args.command}: error: {exc}", file=sys.stderr)
        return 2
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
