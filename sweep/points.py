"""What one point of a sweep does, in the worker that runs it.

An ``evaluate`` point simulates digits through a network (Brian2 C++ standalone) and returns a
row: its accuracy, spikes, operations, energy and seconds. A worker keeps the binary it compiled
last (:class:`networks.compiled.CompiledNetwork`) and runs the next point of the same shape on it
with new weights, parameters, digits and seed (``run_args``); only a point of another shape compiles
again.
A ``stdp`` point trains a Diehl & Cook network (``snn-mnist stdp train``, in a process of its
own, so that its Brian2 device never meets the worker's) and returns its label-set accuracy.

A value a point cannot use (a model that does not exist, an angle beyond ±360°, a membrane time
constant of zero) raises :class:`PointError`: the point fails with that reason and is not
retried; anything else (a worker that dies) is the sweep's to retry.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import subprocess
import sys
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# importing brian2 imports setuptools' MSVC helper, which warns on every import (pypa/distutils#340): a worker's
# log would show it once a process
warnings.filterwarnings("ignore", message="_get_vc_env is private", category=UserWarning)


class PointError(ValueError):
    """A point whose values cannot be run: its row says why."""


@dataclasses.dataclass(frozen=True)
class Context:
    """What every point of a sweep shares: where its files are."""

    spec_dir: str  # a point's relative paths are relative to the spec's folder
    data_dir: str | None  # MNIST (default: $SNN_MNIST_DATA)
    out_dir: str  # where stdp points write their networks
    build_root: str | None = None  # the workers' build folders (default: $SNN_MNIST_BUILD_DIR, else temp)


# --- evaluate ----------------------------------------------------------------------------------------
def network(point: dict[str, Any], context: Context):
    """The weights a point runs: its model or weights file, with the point's steps, dt, input code and
    neuron and synapse parameters applied."""
    from snn_mnist.encoding import code_from_dict
    from snn_mnist.weights import load, pretrained

    if ("model" in point) == ("weights" in point):
        raise PointError("give either model or weights")
    weights = pretrained.load(point["model"]) if "model" in point else load(Path(context.spec_dir, point["weights"]))
    if "steps" in point:
        if not 1 <= point["steps"] <= 100_000:
            raise PointError(f"steps must lie in [1, 100000], got {point['steps']}")
        weights = dataclasses.replace(weights, steps=point["steps"])
    code = {k.removeprefix("encoding."): v for k, v in point.items() if k.startswith("encoding.")}
    if code:
        kind = code.pop("type", weights.encoding.kind)
        base = weights.encoding.to_dict() if kind == weights.encoding.kind else {}
        weights = dataclasses.replace(weights, encoding=code_from_dict({**base, **code, "type": kind}))
    topology = weights.topology
    for layer in ("hidden", "output"):
        changes = {k.split(".", 1)[1]: float(v) for k, v in point.items() if k.startswith(f"{layer}.")}
        if changes:
            neuron = getattr(topology, f"{layer}_neuron").replace(**changes)
            topology = dataclasses.replace(topology, **{f"{layer}_neuron": neuron})
    changes = {k.split(".", 1)[1]: float(v) for k, v in point.items() if k.startswith("synapse.")}
    synapse = weights.synapse
    if changes:
        unknown = set(changes) - {f.name for f in dataclasses.fields(synapse)}
        if unknown:
            raise PointError(f"synapse.{sorted(unknown)[0]} does not apply to {synapse.kind} synapses")
        synapse = dataclasses.replace(synapse, **changes)
    weights = dataclasses.replace(weights, topology=topology, synapse=synapse)
    if "dt_ms" in point:
        weights = weights.at_dt(float(point["dt_ms"]))
    # (the synapse against both neurons is checked by NetworkWeights itself, in the replace above)
    for neuron in (topology.hidden_neuron, topology.output_neuron):
        neuron.refractory_steps(weights.dt_ms)
    return weights


@lru_cache(maxsize=2)
def _test_set(data_dir: str | None):
    from snn_mnist.digits import mnist

    return mnist.load("test", data_dir)


def digits(point: dict[str, Any], context: Context) -> tuple[np.ndarray, np.ndarray, float]:
    """The point's test digits, rotated by its angle; and the mean fraction of ink that left the frame."""
    from snn_mnist import limits
    from snn_mnist.digits.rotation import rotate

    images, labels = _test_set(context.data_dir)
    n, start = point.get("n", 1000), point.get("start", 0)
    if not (n >= 1 and 0 <= start and start + n <= len(images)):
        raise PointError(f"digits {start}..{start + n - 1} are not all in the test set (0..{len(images) - 1})")
    images, labels = images[start:start + n], labels[start:start + n]
    angle = limits.angle(point.get("rotate", 0.0), "rotate")
    lost = 0.0
    if angle:
        images, lost = rotate(images, angle)
    return images, labels.astype(np.int64), lost


#: this worker's compiled network (a process holds one: Brian2's device is one per process)
_compiled = None


def _close_compiled() -> None:
    global _compiled
    if _compiled is not None:
        _compiled.close()
        _compiled = None


atexit.register(_close_compiled)


def compiled_for(weights, n_images: int, build_root: str | None):
    """The worker's binary for this shape under ``build_root``, compiled now if the one it has is of another
    shape, or lived in a build folder since removed (a sweep that ended); and whether it was compiled now."""
    global _compiled
    from snn_mnist.networks.compiled import CompiledNetwork

    if (_compiled is not None and _compiled.fits(weights, n_images) and _compiled.directory.is_dir()
            and _compiled.build_root == build_root):
        return _compiled, False
    _close_compiled()
    _compiled = CompiledNetwork(weights, n_images, build_root=build_root)
    return _compiled, True


def evaluate(point: dict[str, Any], context: Context) -> dict[str, Any]:
    """Run one ``evaluate`` point: its row of figures."""
    from snn_mnist import limits
    from snn_mnist.readout.energy import snn_cost
    from snn_mnist.readout.metrics import accuracy
    from snn_mnist.readout.spike_count import predict

    t0 = time.perf_counter()
    with user_errors():
        weights = network(point, context)
        images, labels, lost = digits(point, context)
        seed = limits.seed(point.get("seed", 0))
    binary, compiled = compiled_for(weights, len(images), context.build_root)
    result = binary.run(weights, images, seed)
    predictions = predict(result.output_counts, result.output_first_step)
    cost = snn_cost(weights, result.synaptic_events, len(images))
    t = weights.topology
    return {
        "accuracy": accuracy(predictions, labels),
        "correct": int((predictions == labels).sum()),
        "ink_lost": lost,
        "input_spikes_per_image": cost.synaptic_events["input_hidden"] / t.n_hidden,
        "hidden_spikes_per_image": cost.synaptic_events["hidden_output"] / t.n_outputs,
        "output_spikes_per_image": float(result.output_counts.sum() / len(images)),
        "hidden_rate_hz": result.physiology["hidden"]["mean_rate_hz"],
        "synaptic_events_per_image": cost.total_events,
        "energy_nJ_per_image": cost.energy_nJ,
        "energy_with_updates_nJ_per_image": cost.energy_with_updates_nJ,
        "run_seconds": result.run_seconds,
        "images_per_second": len(images) / result.run_seconds,
        "compiled": compiled,
        "compile_seconds": binary.compile_seconds if compiled else 0.0,
        "seconds": time.perf_counter() - t0,
    }


# --- stdp --------------------------------------------------------------------------------------------
def train_stdp(point: dict[str, Any], context: Context, name: str) -> dict[str, Any]:
    """Run one ``stdp`` point: ``snn-mnist stdp train`` with its settings, the network kept as
    ``<out_dir>/<name>.npz``; its row: the label-set accuracy and the training speed. A point whose
    training stopped early goes on from its checkpoint (``--resume``), as one uninterrupted run would."""
    from snn_mnist.plasticity import network_file
    from snn_mnist.plasticity.training import checkpoint_path

    t0 = time.perf_counter()
    out = Path(context.out_dir) / f"{name}.npz"
    neurons = point.get("neurons", 100)
    command = [sys.executable, "-m", "snn_mnist.cli", "stdp", "train", "--out", str(out), "--neurons", str(neurons)]
    for key in ("epochs", "n_train", "n_label", "seed", "chunk"):
        if key in point:
            command += [f"--{key.replace('_', '-')}", str(point[key])]
    for setting in point.get("set", []):
        command += ["--set", setting]
    if checkpoint_path(out, neurons).is_file():
        command.append("--resume")  # this point stopped early (its worker, or the sweep, ended): go on from there
    if context.data_dir:
        command += ["--data-dir", context.data_dir]
    Path(context.out_dir).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode == 2:  # the command's own one-line refusal: a bad value
        raise PointError(done.stderr.strip().splitlines()[-1].removeprefix("snn-mnist stdp: error: "))
    if done.returncode != 0:
        raise RuntimeError(f"stdp train exited with {done.returncode}: {(done.stderr.strip() or '?').splitlines()[-1]}")
    provenance = network_file.load(out).provenance
    return {
        "label_set_accuracy": provenance["label_set_accuracy"],
        "train_images_per_second": provenance["train_images_per_second"],
        "network": os.path.relpath(out, context.spec_dir),
        "compiled": True,
        "seconds": time.perf_counter() - t0,
    }


@contextlib.contextmanager
def user_errors():
    """Turns the errors a point's values cause into :class:`PointError` (one line, not retried)."""
    from snn_mnist.digits.mnist import DataError
    from snn_mnist.encoding import EncodingError
    from snn_mnist.neuron_models import ParameterError
    from snn_mnist.weights import WeightsError

    try:
        yield
    except PointError:
        raise
    except (ValueError, TypeError, DataError, EncodingError, ParameterError, WeightsError, FileNotFoundError) as exc:
        raise PointError(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__) from None


def run(task: str, point: dict[str, Any], context: Context, name: str) -> dict[str, Any]:
    """One point of ``task``, in a worker: ``status`` "ok" and its figures, or "failed" and the reason a
    value of it gave (not retried). Anything else raises, for the sweep to retry elsewhere."""
    import socket

    try:
        figures = train_stdp(point, context, name) if task == "stdp" else evaluate(point, context)
    except PointError as exc:
        return {"status": "failed", "error": str(exc)}
    return {"status": "ok", **figures, "worker": f"{socket.gethostname()}:{os.getpid()}"}
