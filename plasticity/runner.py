"""Run a Diehl & Cook network on chunks of images: compiled once, fed through ``run_args``.

With the ``cpp`` backend the network of :func:`plasticity.diehl_cook.build` is generated
and compiled once; every chunk then runs the same binary with new values on its command
line (Brian2's ``device.run(run_args=...)``): the chunk's image rates (the ``stimulus``
TimedArray), the input weights, the thresholds ``theta``, whether to learn, the boost carried
over from the previous chunk and a seed for the random numbers. Brian2 seeds a standalone
binary once, when it is generated; a chunk run again with that seed would draw the same
Poisson spikes, so a line of C++ inserted after the command-line values are applied
re-seeds every random generator from ``controller.rng_seed``, which each chunk sets to its
own value. With the ``runtime`` backend the network is rebuilt for each chunk (no compiler
needed; slow, meant for tests and small runs).
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn_mnist import backends
from snn_mnist.encoding import rates_hz

from .diehl_cook import N_INPUTS, DiehlCookParameters, NetworkError, build


@dataclass
class ChunkResult:
    """What one run of a chunk of images left behind."""

    completed: int  # images of the chunk that drew enough spikes and were passed
    counts: np.ndarray  # (completed, n_exc) excitatory spike counts during each passed presentation
    slots: int  # presentations run (passed + repeated + unused)
    boost: int  # boost of the image that comes next
    weights: np.ndarray  # (784, n_exc) after the chunk
    theta_mV: np.ndarray  # (n_exc,) after the chunk
    cpu_seconds: float = 0.0  # CPU time of the simulation itself (the binary, or this process at runtime)


#: Backends the network supports: re-seeding each run relies on the C++ standalone random generators.
SUPPORTED_BACKENDS = ("runtime", "cpp")

#: Give up on an image after this many louder repeats (the paper has no limit; a dead network would loop).
MAX_BOOST = 64


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished child processes (the compiled binary).

    On a shared machine the wall-clock time of a chunk says more about the neighbours than about
    the simulation; the CPU time is what a free core would need.
    """
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def seed_for(seed: int, chunk: int) -> int:
    """A 31-bit seed for chunk ``chunk`` of a run seeded with ``seed``."""
    return int(np.random.SeedSequence([int(seed), int(chunk)]).generate_state(1)[0] & 0x7FFFFFFF)


def passed_slots(slot_counts: np.ndarray, min_spikes: int) -> np.ndarray:
    """Indices of the presentations that moved on to the next image (the controller's rule)."""
    return np.flatnonzero(slot_counts.sum(axis=1) >= min_spikes)


class Simulator:
    """A Diehl & Cook network of ``n_exc`` neurons with room for ``n_slots`` presentations per run.

    Use as a context manager; :meth:`run` may be called any number of times inside it.
    """

    def __init__(self, n_exc: int, params: DiehlCookParameters, *, backend: str = "cpp",
                 n_slots: int = 1000, threads: int = 0, build_root: str | os.PathLike | None = None):
        if backend not in SUPPORTED_BACKENDS:
            raise backends.BackendError(f"the STDP network runs on {' or '.join(SUPPORTED_BACKENDS)}, not {backend!r}")
        self.n_exc, self.params, self.backend, self.n_slots = n_exc, params, backend, n_slots
        self._threads, self._build_root = threads, build_root
        self._stack = contextlib.ExitStack()
        self._net = None
        self.build_seconds = 0.0

    def __enter__(self) -> "Simulator":
        self._runner = self._stack.enter_context(
            backends.activate(self.backend, threads=self._threads, build_root=self._build_root)
        )
        if self.backend != "runtime":
            from brian2 import second

            from snn_mnist.backends.cpp import reseed_from

            t0 = time.perf_counter()
            self._net = build(self.n_exc, self.n_slots, self.params)
            reseed_from(self._net.controller.variables["rng_seed"], stride=7919)
            self._net.network.run(self.n_slots * self.params.present_ms * 1e-3 * second, namespace={})
            self._runner.compile()
            self.build_seconds = time.perf_counter() - t0
        return self

    def __exit__(self, *exc) -> None:
        self._net = None
        self._stack.close()

    def run(self, images: np.ndarray, weights: np.ndarray, theta_mV: np.ndarray, *, learning: bool,
            seed: int, boost: int = 0) -> ChunkResult:
        """Show ``images`` (uint8, at most ``n_slots`` of them) in order, learning or not."""
        from brian2 import Hz, mV, second

        images = np.asarray(images)
        if images.ndim != 2 or images.shape[1] != N_INPUTS or len(images) > self.n_slots:
            raise NetworkError(f"a chunk holds up to {self.n_slots} images of {N_INPUTS} pixels, got {images.shape}")
        if weights.shape != (N_INPUTS, self.n_exc) or theta_mV.shape != (self.n_exc,):
            raise NetworkError(f"weights {weights.shape} / theta {theta_mV.shape} do not fit {self.n_exc} neurons")
        rates = np.zeros((self.n_slots, N_INPUTS))
        rates[: len(images)] = rates_hz(images, self.params.max_rate_hz)
        eta = self.params.rule.learning_rates() if learning else {k: 0.0 for k in self.params.rule.learning_rates()}
        w = np.ascontiguousarray(weights, dtype=np.float64).ravel()
        values = {
            "w": w,
            "w_sum": weights.sum(axis=0).astype(np.float64),
            "theta": np.asarray(theta_mV, dtype=np.float64) * mV,
            "learning": 1.0 if learning else 0.0,
            "n_images": len(images),
            "boost": int(boost),
            "rng_seed": int(seed),
            **eta,
        }

        if self.backend == "runtime":
            from brian2 import seed as brian_seed

            net = build(self.n_exc, self.n_slots, self.params, rates_hz=rates)
            self._assign(net, values, lambda view, value: view.__setitem__(slice(None), value))
            brian_seed(seed)
            cpu0 = time.process_time()
            net.network.run(self.n_slots * self.params.present_ms * 1e-3 * second, namespace={})
            cpu_seconds = time.process_time() - cpu0
        else:
            from brian2 import device

            net = self._net
            run_args = {net.stimulus: rates * Hz}
            self._assign(net, values, run_args.__setitem__)
            cpu0 = _children_cpu()
            device.run(directory=str(self._runner.directory), with_output=False, run_args=run_args)
            cpu_seconds = _children_cpu() - cpu0
            for name in device.run_args_arrays:  # one file per chunk and variable: do not let them pile up
                with contextlib.suppress(FileNotFoundError):
                    (Path(self._runner.directory) / "static_arrays" / name).unlink()
        result = self._collect(net)
        result.cpu_seconds = cpu_seconds
        return result

    @staticmethod
    def _assign(net, values: dict, setter) -> None:
        owners = {"w": net.input_exc, "eta_dep": net.input_exc, "eta_pot": net.input_exc,
                  "w_sum": net.excitatory, "theta": net.excitatory, "learning": net.excitatory,
                  "n_images": net.controller, "boost": net.controller, "rng_seed": net.controller}
        for name, value in values.items():
            setter(getattr(owners[name], name), value)

    def _collect(self, net) -> ChunkResult:
        from brian2 import mV

        steps = np.round(np.asarray(net.spikes.t_) / (self.params.dt_ms * 1e-3)).astype(np.int64)
        slot = steps // self.params.slot_steps
        flat = slot * self.n_exc + np.asarray(net.spikes.i, dtype=np.int64)
        slot_counts = np.bincount(flat, minlength=self.n_slots * self.n_exc).reshape(self.n_slots, self.n_exc)
        completed = int(net.controller.image[0])
        passed = passed_slots(slot_counts, self.params.min_spikes)
        if len(passed) != completed:
            raise RuntimeError(f"controller passed {completed} images but the spike record shows {len(passed)}")
        return ChunkResult(
            completed=completed,
            counts=slot_counts[passed],
            slots=self.n_slots,
            boost=int(net.controller.boost[0]),
            weights=np.array(net.input_exc.w[:]).reshape(N_INPUTS, self.n_exc),  # a copy: Brian2 2.10 frees it with the network
            theta_mV=np.asarray(net.excitatory.theta[:] / mV),
        )


@dataclass
class Responses:
    counts: np.ndarray  # (n_images, n_exc) spike counts during each image's passed presentation
    presentations: int  # presentations run, repeats and unused slots of the last chunk included
    seconds: float  # wall-clock time of the runs
    cpu_seconds: float  # CPU time of the simulation

    @property
    def images_per_cpu_second(self) -> float:
        return len(self.counts) / self.cpu_seconds if self.cpu_seconds > 0 else float("nan")


def respond(sim: Simulator, images: np.ndarray, weights: np.ndarray, theta_mV: np.ndarray, *, seed: int,
            progress=None) -> Responses:
    """Spike counts of a frozen network (no learning) to every image, in order."""
    counts, done, boost, chunk, cpu = [], 0, 0, 0, 0.0
    t0 = time.perf_counter()
    while done < len(images):
        result = sim.run(images[done : done + sim.n_slots], weights, theta_mV, learning=False,
                         seed=seed_for(seed, chunk), boost=boost)
        counts.append(result.counts)
        cpu += result.cpu_seconds
        done += result.completed
        boost, chunk = result.boost, chunk + 1
        if done < len(images) and boost > MAX_BOOST:
            raise NetworkError(f"the network stays silent even at {boost} input boosts; are the weights trained?")
        if progress is not None:
            progress(done)
    return Responses(np.concatenate(counts)[: len(images)], chunk * sim.n_slots, time.perf_counter() - t0, cpu)
