"""``snn-mnist sweep SPEC``: run the points a TOML spec lists as tasks of a Dask cluster.

    snn-mnist sweep results/sweeps/rotation.toml                  # all cores of this machine
    snn-mnist sweep spec.toml --workers 2 --out table.csv
    snn-mnist sweep spec.toml --scheduler tcp://head:8786          # a cluster already running

The spec's format is ``sweep.spec``'s. Results: one CSV row per point (default: the spec's name
with ``.csv``), written as points finish; a second run skips the points done.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a grid or list of points (a TOML spec) on a Dask cluster")
    p.add_argument("spec", metavar="SPEC", help="the sweep's TOML spec")
    options.reads(p, "spec", "SPEC")
    p.add_argument("--out", metavar="FILE", default=None, help="the results table, CSV (default: SPEC with .csv)")
    options.writes(p, "out", "--out", (".csv",))
    workers(p)
    p.add_argument("--retries", type=int, default=1, metavar="N",
                   help="times a point whose code fails is tried again elsewhere (default 1); a point whose worker "
                        "dies is given to another worker in any case")
    options.data_dir(p, help="MNIST directory (default: $SNN_MNIST_DATA); the workers read it")
    p.set_defaults(run=run)


def workers(p) -> None:
    """``--workers`` and ``--scheduler``: where the work runs (sweep, simulate)."""
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of a local Dask cluster (default: one a core)")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="the address of a running Dask scheduler (e.g. tcp://host:8786; one that dask-jobqueue "
                        "started on SLURM or PBS) instead of a local cluster")


def check_workers(args: argparse.Namespace) -> None:
    from snn_mnist.cli.main import UserError

    if args.workers is not None and args.scheduler:
        raise UserError("--workers starts a local cluster; --scheduler names one already running: give one of them")
    options.within(args, {"workers": (1, 1024)})
    if args.scheduler:
        from snn_mnist.sweep.run import ClusterError, check_address

        try:
            check_address(args.scheduler)
        except ClusterError as exc:
            raise UserError(str(exc)) from None


@contextlib.contextmanager
def cluster(args: argparse.Namespace):
    """The Dask client of ``--workers`` or ``--scheduler``; an unreachable scheduler is one line."""
    from snn_mnist.cli.main import UserError
    from snn_mnist.sweep.run import ClusterError
    from snn_mnist.sweep.run import cluster as start

    try:
        with start(scheduler=args.scheduler, workers=args.workers) as client:
            yield client
    except ClusterError as exc:
        raise UserError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.sweep import run as runner
    from snn_mnist.sweep.spec import SpecError, load

    from snn_mnist.sweep.table import TableError

    check_workers(args)
    options.within(args, {"retries": (0, 100)})
    try:
        spec = load(args.spec)
    except SpecError as exc:
        raise UserError(str(exc)) from None
    out = Path(args.out) if args.out else Path(args.spec).with_suffix(".csv")
    try:
        table = runner.open_table(spec, out)  # refused before a cluster starts
    except TableError as exc:
        raise UserError(str(exc)) from None
    try:
        with cluster(args) as client:
            summary = runner.sweep(spec, table, client, data_dir=args.data_dir, retries=args.retries)
    except TableError as exc:
        raise UserError(str(exc)) from None
    finally:
        table.close()
    print(f"{summary.ok} points run, {summary.failed} failed, {summary.skipped} done before; "
          f"{summary.compilations} compilations; {summary.seconds:.1f} s; results in {out}")
    for error in summary.errors:
        print(f"failed: {error}")
    return 1 if summary.failed else 0
