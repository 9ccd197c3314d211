"""Run a sweep's points as tasks of a Dask cluster, and split one evaluation's digits over workers.

    with cluster(workers=2) as client:            # a LocalCluster on this machine (all cores by default)
        summary = sweep(spec, "rotation.csv", client)
    with cluster(scheduler="tcp://host:8786") as client:   # or a cluster already running

Each worker is a process with one thread: Brian2's device is one per process. Points are
submitted ordered by what their binaries fix (:data:`COMPILED_KEYS`), first ones first, so that a
worker's next point usually runs on the binary it has (``sweep.points``). A point whose worker dies
is given to another (Dask's scheduler does this, up to ``distributed.scheduler.allowed-failures``
times), one whose code raises is tried ``retries`` more times; one that still fails is a failed row
with its error, and the others go on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from distributed import WorkerPlugin

from . import points as point_tasks
from .spec import Spec, point_id
from .table import Table

#: the keys a compiled binary does not fix: points that differ only in these share one (run_args)
RUN_KEYS = frozenset({"seed", "rotate", "start", "model", "weights", "encoding.max_rate_hz", "encoding.threshold",
                      "encoding.window_ms"})


def cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


CONNECT_SECONDS = 10  # how long to try to reach a scheduler named by address


class ClusterError(RuntimeError):
    """A scheduler address that is malformed or cannot be reached: one line."""


def check_address(address: str) -> None:
    """``address`` must be a Dask address of a transport this machine has, such as tcp://host:8786."""
    from distributed.comm import parse_address
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address, strict=True)
    except ValueError:
        raise ClusterError(f"--scheduler must be an address such as tcp://host:8786, got {address!r}") from None
    if scheme not in backends or scheme == "inproc":
        raise ClusterError(f"--scheduler {address}: unknown transport {scheme!r} (use one of "
                           f"{', '.join(sorted(set(backends) - {'inproc'}))}, e.g. tcp://host:8786)")
    host, _, port = location.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ClusterError(f"--scheduler {address}: give a host and a port in 1..65535, e.g. {scheme}://host:8786")


@contextlib.contextmanager
def cluster(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[object]:
    """A Dask client: of the cluster at ``scheduler``, else of a LocalCluster with ``workers`` processes
    (default: one a core), one thread each, that is closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler:
        check_address(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:  # nothing listening, a host that does not answer
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s "
                               f"({_first_line(exc) or type(exc).__name__})") from None
        with client:
            client.register_plugin(Brian2InMainThread())
            yield client
        return
    n = workers or cores()
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.CRITICAL) as local, Client(local) as client:
        client.register_plugin(Brian2InMainThread())
        client.wait_for_workers(n)
        yield client


class Brian2InMainThread(WorkerPlugin):
    """Imports Brian2 in each worker's main thread, before any task runs, on every worker of the cluster
    (those that join later too).

    Brian2 (2.9 and later) installs a SIGINT handler when it is first imported, and Python lets only a
    process's main thread do that: a first import inside a task, which runs in one of the worker's task
    threads, raises ``ValueError: signal only works in main thread``. A plugin's ``setup`` runs in the
    worker's event loop, which is its process's main thread (a Nanny's worker process, or ``dask worker``).
    """

    name = "snn-mnist-brian2"

    def setup(self, worker) -> None:
        import threading

        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("a snn-mnist worker must run its event loop in its process's main thread "
                               "(start workers as processes: dask worker, or LocalCluster(processes=True))")
        import brian2  # noqa: F401


@dataclass
class Summary:
    """What a sweep did: points run now (ok, failed), done before, compilations, seconds."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0
    compilations: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def _inputs(point: dict, spec_dir: Path) -> dict[str, str]:
    """Digests of the files a point reads, part of its identity."""
    from snn_mnist.digits.mnist import md5
    from snn_mnist.weights import pretrained

    if "weights" in point:
        path = Path(spec_dir, point["weights"])
    elif "model" in point and point["model"] in pretrained.NAMES:
        path = pretrained.path(point["model"])
    else:
        return {}
    return {"weights": md5(path)} if path.is_file() else {}


def identified(spec: Spec) -> dict[str, dict]:
    """The spec's points by identity (a point given twice once), in the spec's order."""
    spec_dir = spec.path.resolve().parent
    named: dict[str, dict] = {}
    for point in spec.points:
        named.setdefault(point_id(spec.task, point, _inputs(point, spec_dir)), point)
    return named


def finished_rows(spec: Spec, out: str | Path) -> list[dict[str, str]]:
    """The table's rows of the spec's points that finished (status ok), in the spec's order: what a script
    that wraps a sweep reads (the table may hold rows of points the spec no longer has)."""
    table = Table(out, spec.keys, read_only=True)
    try:
        return [table.rows[name] for name in identified(spec) if table.done(name)]
    finally:
        table.close()


def compile_order(point: dict) -> tuple:
    """Points that one binary can run sort together."""
    return tuple(sorted((k, repr(v)) for k, v in point.items() if k not in RUN_KEYS)), repr(point.get("model"))


def sweep(spec: Spec, out: str | Path | Table, client, *, data_dir: str | None = None, retries: int = 1,
          report: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> Summary:
    """Run every point of ``spec`` not yet done in the table ``out`` (a path, or a :class:`Table` opened
    with :func:`open_table`) on ``client``'s cluster."""
    table = out if isinstance(out, Table) else open_table(spec, out, report)
    try:
        return _sweep(spec, table, client, data_dir, retries, report)
    finally:
        table.close()


def open_table(spec: Spec, out: str | Path,
               report: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> Table:
    """The results table ``out`` for ``spec`` (:class:`sweep.table.Table`; ``TableError`` if it cannot be
    read), saying which rows of a CSV read without its database were damaged and will run again."""
    table = Table(out, spec.keys)
    if table.damaged:
        report(f"{out}: {len(table.damaged)} damaged row(s) not counted as done, their points run again: "
               + "; ".join(table.damaged) + f"; the file as it was is kept as {table.kept}")
    return table


def _sweep(spec: Spec, table: Table, client, data_dir, retries, report) -> Summary:
    from distributed import as_completed

    out = table.path
    spec_dir = spec.path.resolve().parent
    named = identified(spec)
    todo = sorted(((name, p) for name, p in named.items() if not table.done(name)), key=lambda np_: compile_order(np_[1]))
    summary = Summary(skipped=len(named) - len(todo))
    workers = len(client.scheduler_info()["workers"])
    report(f"sweep {spec.path}: {len(named)} points, {summary.skipped} done before, {len(todo)} to run "
           f"on {workers} worker{'s' if workers != 1 else ''}; results in {out}")
    if not todo:
        return summary

    local = _is_local(client)
    build_root = tempfile.mkdtemp(prefix="snn-mnist-sweep-") if local else None
    context = point_tasks.Context(spec_dir=str(spec_dir), data_dir=data_dir or os.environ.get("SNN_MNIST_DATA"),
                                  out_dir=str(out.with_suffix("")) + ".networks", build_root=build_root)
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex[:8]  # task keys of their own: a long-lived scheduler may remember an earlier sweep's
    try:
        futures = {
            client.submit(point_tasks.run, spec.task, point, context, name, key=f"point-{name}-{run_id}",
                          retries=retries, priority=len(todo) - k): (name, point)
            for k, (name, point) in enumerate(todo)
        }
        for future in as_completed(futures):
            name, point = futures[future]
            try:
                outcome = future.result()
            except Exception as exc:  # the task kept failing, or its worker kept dying
                outcome = {"status": "failed", "error": f"{type(exc).__name__}: {_first_line(exc)}"}
            table.add(name, point, outcome)
            if outcome["status"] == "ok":
                summary.ok += 1
                summary.compilations += outcome.get("compiled", False) is True
            else:
                summary.failed += 1
                summary.errors.append(f"{_describe(point)}: {outcome['error']}")
            done = summary.ok + summary.failed
            assigned = client.processing()  # tasks assigned to each worker: one runs, the others wait there
            running = sum(min(1, len(tasks)) for tasks in assigned.values())
            report(f"[{done}/{len(todo)} done, {running} running, {summary.failed} failed] {_describe(point)}: "
                   + (_headline(outcome) if outcome["status"] == "ok" else f"FAILED: {outcome['error']}"))
    finally:
        if build_root:
            shutil.rmtree(build_root, ignore_errors=True)
    summary.seconds = time.perf_counter() - t0
    return summary


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _is_local(client) -> bool:
    return all(addr.startswith(("tcp://127.0.0.1", "inproc://", "tcp://localhost")) for addr in client.scheduler_info()["workers"])


def _describe(point: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in point.items())


def _headline(outcome: dict) -> str:
    if "accuracy" in outcome:
        return (f"accuracy {outcome['accuracy']:.4f}, {outcome['energy_nJ_per_image']:.1f} nJ per digit, "
                f"{outcome['images_per_second']:.0f} digits/s" + (" (compiled)" if outcome.get("compiled") else ""))
    return f"label-set accuracy {outcome['label_set_accuracy']:.4f}"


# --- one evaluation, its digits split over the workers --------------------------------------------------
def _compile_block(weights, n_images: int, build_root: str | None) -> float:
    """Compile this worker's binary for a block of ``n_images`` digits; the seconds it took (0 if it had it)."""
    binary, compiled = point_tasks.compiled_for(weights, n_images, build_root)
    return binary.compile_seconds if compiled else 0.0


def _run_block(weights, images: np.ndarray, seed: int, build_root: str | None):
    """One block of digits on this worker's binary; the result and when the binary's run started and ended
    (as a one-process ``simulate`` counts its run: not the reading of the results that follows)."""
    binary, _ = point_tasks.compiled_for(weights, len(images), build_root)
    result = binary.run(weights, images, seed)
    return result, binary.last_run


def block_seed(seed: int, block: int) -> int:
    """The Poisson seed of block ``block`` of a run seeded with ``seed``: a stream of its own."""
    from snn_mnist.plasticity.runner import seed_for

    return seed_for(seed, block)


def simulate_split(weights, images: np.ndarray, *, seed: int, client, blocks: int):
    """``networks.simulation.simulate`` for these images, split into ``blocks`` contiguous blocks that run
    as tasks on ``client``'s workers, each block's Poisson input drawn from ``block_seed(seed, k)``.
    Each block has a worker of its own (``blocks`` at most the workers): every worker compiles its binary,
    then all blocks run at once. Returns the merged result; its ``build_seconds`` is the longest
    compilation and ``run_seconds`` the time from the first block's binary's start to the last one's end."""
    from snn_mnist.networks.simulation import SimulationResult

    build_root = tempfile.mkdtemp(prefix="snn-mnist-split-") if _is_local(client) else None
    parts = [idx for idx in np.array_split(np.arange(len(images)), blocks) if len(idx)]
    workers = list(client.scheduler_info()["workers"])
    # a block a worker: all compile first, then all run at once (so that the run's time excludes compiling)
    where = [dict(workers=[workers[k % len(workers)]], allow_other_workers=False, pure=False) for k in range(len(parts))]
    try:
        compiles = client.gather([client.submit(_compile_block, weights, len(idx), build_root, **where[k])
                                  for k, idx in enumerate(parts)])
        results = client.gather([client.submit(_run_block, weights, images[idx], block_seed(seed, k), build_root,
                                               **where[k]) for k, idx in enumerate(parts)])
    finally:
        if build_root:
            shutil.rmtree(build_root, ignore_errors=True)
    sims = [r for r, _ in results]
    spans = [span for _, span in results]
    sizes = np.array([len(idx) for idx in parts])
    physiology = {
        layer: {
            "v_min_mV": min(s.physiology[layer]["v_min_mV"] for s in sims),
            "v_max_mV": max(s.physiology[layer]["v_max_mV"] for s in sims),
            "mean_rate_hz": float(np.average([s.physiology[layer]["mean_rate_hz"] for s in sims], weights=sizes)),
        }
        for layer in sims[0].physiology
    }
    return SimulationResult(
        output_counts=np.concatenate([s.output_counts for s in sims]),
        output_first_step=np.concatenate([s.output_first_step for s in sims]),
        hidden_counts=None, input_counts=None,
        build_seconds=max(compiles),
        run_seconds=max(end for _, end in spans) - min(start for start, _ in spans),
        physiology=physiology,
        synaptic_events={k: sum(s.synaptic_events[k] for s in sims) for k in sims[0].synaptic_events},
    )
