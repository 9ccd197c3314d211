"""One network compiled once (C++ standalone) and run again and again with new weights, digits and seed.

Brian2's standalone device (2.6 and later) re-runs a compiled binary with new values through
``device.run(run_args=...)``: the synapses' ``w``, the neurons' constant drive ``v_drive``
(biases) and the input code's per-image table (rates or spike steps, a ``TimedArray``) are
read from files named on the binary's command line, and so are the neuron and synapse parameters
(``tau_m``, ``v_th``, ``tau_syn``, ..., shared variables of each group: ``neuron_models.group``), so
nothing is generated or compiled again. What stays compiled in is the network's *shape*
(:class:`Shape`): which neuron and synapse models, the width, the steps and dt, the kind of input
code and how many digits one run holds (the simulated time).

The Poisson seed is a run argument too (``backends.cpp.reseed_from``, a one-neuron group ``seed``
holding it): Brian2 would compile ``seed(n)`` into the binary. The generators are seeded where
``seed(n)`` would have acted, as it would have (nothing draws a random number before the network
runs), so a compiled run draws what :func:`networks.simulation.simulate` draws with the same seed,
spike for spike (``tests/networks/test_compiled.py``).

Brian2's device is one per process: a process holds one compiled network at a time, in a build
folder of its own (``backends.activate``), removed by :meth:`CompiledNetwork.close`.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from snn_mnist import backends
from snn_mnist.weights import NetworkWeights

from .simulation import SimulationResult

@dataclass(frozen=True)
class Shape:
    """What a compiled binary fixes; two weights of one shape run on one binary."""

    hidden_neuron: str  # the models' kinds; their parameters are run arguments
    output_neuron: str
    synapse: str
    n_hidden: int
    steps: int
    dt_ms: float
    code: str  # the input code's kind: poisson or latency
    step_order: str
    n_images: int
    track_potentials: bool

    @classmethod
    def of(cls, weights: NetworkWeights, n_images: int, track_potentials: bool = True) -> "Shape":
        t = weights.topology
        return cls(t.hidden_neuron.kind, t.output_neuron.kind, weights.synapse.kind, t.n_hidden, weights.steps,
                   weights.dt_ms, weights.encoding.kind, weights.step_order, n_images, track_potentials)


class CompiledNetwork:
    """The C++ standalone binary of one :class:`Shape`, built on creation, run by :meth:`run`.

    Use as a context manager, or call :meth:`close` to remove the build folder and return Brian2 to
    runtime mode. ``compile_seconds`` says what the build cost; ``runs`` counts the runs since;
    ``last_run`` holds when the last run of the binary started and ended (``time.time()``), what its
    result's ``run_seconds`` measures: not the reading of its results.
    """

    def __init__(self, weights: NetworkWeights, n_images: int, *, track_potentials: bool = True,
                 build_root: str | os.PathLike | None = None):
        from brian2 import NeuronGroup

        from snn_mnist.backends.cpp import reseed_from
        from snn_mnist.neuron_models.group import at_rest

        from .builder import build_network

        if n_images < 1:
            raise ValueError("a compiled network holds at least one digit")
        self.shape = Shape.of(weights, n_images, track_potentials)
        self.build_root = build_root
        self.runs = 0
        self.last_run: tuple[float, float] | None = None
        self._stack = contextlib.ExitStack()
        t0 = time.perf_counter()
        try:
            runner = self._stack.enter_context(backends.activate("cpp", build_root=build_root))
            self.directory = Path(runner.directory)
            blank = np.zeros((n_images, weights.topology.n_inputs), dtype=np.uint8)
            self.net = build_network(weights, dt_ms=weights.dt_ms, images=blank, track_potentials=track_potentials)
            # float: a seed up to 2**32 (limits.seed) held exactly
            self.seed = NeuronGroup(1, "rng_seed : 1 (shared, constant)", name="seed")
            self.net.network.add(self.seed)
            reseed_from(self.seed.variables["rng_seed"])  # after the synapses exist, before the run
            for group in (self.net.hidden, self.net.output):
                at_rest(group)  # again, at the run's own v_rest: the run arguments apply from here on
            self.net.network.run(self.net.duration)
            runner.compile()
        except BaseException:
            self._stack.close()
            raise
        self.compile_seconds = time.perf_counter() - t0

    # --- running -------------------------------------------------------------------------------------
    def fits(self, weights: NetworkWeights, n_images: int, track_potentials: bool = True) -> bool:
        """Whether ``weights`` and ``n_images`` digits run on this binary (else build another)."""
        return self.shape == Shape.of(weights, n_images, track_potentials)

    def run_args(self, weights: NetworkWeights, images: np.ndarray) -> dict:
        """What changes between runs, as Brian2's ``run_args``: weights, drives, the neurons' and synapses'
        parameters and the input table."""
        from snn_mnist.neuron_models.group import parameters

        from .builder import drive, input_table, synapse_values

        net, t = self.net, weights.topology
        values = {
            getattr(group, name): value
            for group, neuron in ((net.hidden, t.hidden_neuron), (net.output, t.output_neuron))
            for name, value in parameters(neuron, weights.synapse).items()
        }
        return {
            **values,
            net.input_hidden.w: synapse_values(weights.w_input_hidden, weights.synapse),
            net.hidden_output.w: synapse_values(weights.w_hidden_output, weights.synapse),
            net.hidden.v_drive: drive(weights, "hidden"),
            net.output.v_drive: drive(weights, "output"),
            net.stimulus: input_table(images, weights),
        }

    def seed_arg(self, seed: int) -> dict:
        return {self.seed.rng_seed: float(seed)}

    def run(self, weights: NetworkWeights, images: np.ndarray, seed: int) -> SimulationResult:
        """Simulate ``images`` (the shape's ``n_images`` of them) through ``weights`` with Poisson draws from
        ``seed``: what :func:`networks.simulation.simulate` returns for them, without recorded trains."""
        from brian2 import device

        from .builder import counts_per_image, first_steps_per_image

        n = len(images)
        if not self.fits(weights, n, self.shape.track_potentials):
            raise ValueError(f"these weights or {n} digits do not fit the compiled network ({self.shape})")
        args = {**self.run_args(weights, images), **self.seed_arg(seed)}
        started, t0 = time.time(), time.perf_counter()
        try:
            device.run(directory=str(self.directory), with_output=False, run_args=args)
            seconds = time.perf_counter() - t0
        finally:
            for name in device.run_args_arrays:  # the values' files: written again by the next run
                with contextlib.suppress(OSError):
                    os.remove(self.directory / "static_arrays" / name)
        self.runs += 1
        self.last_run = (started, started + seconds)
        net, t = self.net, weights.topology
        steps, dt = weights.steps, weights.dt_ms
        return SimulationResult(
            output_counts=counts_per_image(net.output_spikes, t.n_outputs, n, steps, dt),
            output_first_step=first_steps_per_image(net.output_spikes, t.n_outputs, n, steps, dt), hidden_counts=None, input_counts=None,
            build_seconds=0.0, run_seconds=seconds,
            physiology=net.physiology() if self.shape.track_potentials else None,
            synaptic_events=net.synaptic_events(),
        )

    # --- the end ----------------------------------------------------------------------------------------
    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> "CompiledNetwork":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
