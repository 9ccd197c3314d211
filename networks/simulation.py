"""Run images through a network on a backend and collect spike counts per image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn_mnist import backends
from snn_mnist.weights import NetworkWeights

INPUT_MODES = ("poisson", "frozen")


@dataclass
class SimulationResult:
    """Spike counts per image and layer, and where the time went."""

    output_counts: np.ndarray  # (n_images, n_outputs)
    output_first_step: np.ndarray  # (n_images, n_outputs): step of the first spike in the image, steps if none
    hidden_counts: np.ndarray | None  # (n_images, n_hidden)
    input_counts: np.ndarray | None  # (n_images, n_inputs)
    build_seconds: float
    run_seconds: float
    voltages: dict | None = None  # layer -> (times_ms, v_mV of shape (neurons, steps))
    physiology: dict | None = None  # layer -> lowest and highest potential (mV), rate (Hz): track_potentials
    #: spikes delivered through each pathway (input_hidden, hidden_output), all images, counted in the run
    synaptic_events: dict[str, int] | None = None
    hidden_spike_trains: tuple | None = None  # (times_ms, indices)
    output_spike_trains: tuple | None = None


def input_spikes(images: np.ndarray, weights: NetworkWeights, seed: int) -> np.ndarray:
    """The frozen input spike trains for ``images``: the same for every backend and the trainer."""
    return weights.encoding.frozen(images, weights.steps, weights.dt_ms, np.random.default_rng(seed))


def simulate(
    weights: NetworkWeights,
    images: np.ndarray,
    *,
    backend: str = "cpp",
    input_mode: str = "poisson",
    seed: int = 0,
    frozen: np.ndarray | None = None,
    record_hidden: bool = False,
    record_input: bool = False,
    record_voltages: dict | None = None,
    track_potentials: bool = False,
    threads: int = 0,
    progress=None,
    backend_options: dict | None = None,
) -> SimulationResult:
    """Simulate every image once and count spikes.

    ``seed`` fixes Brian2's random numbers (Poisson input) and, in ``frozen`` mode, the
    spike trains drawn in NumPy; ``frozen`` may also be given directly.
    """
    from brian2 import ms, mV

    from .builder import counts_per_image

    t = weights.topology
    with backends.activate(backend, threads=threads, **(backend_options or {})) as runner:
        net = _seeded_network(
            weights, images, input_mode, seed, frozen,
            record_hidden=record_hidden, record_input=record_input, record_voltages=record_voltages,
            track_potentials=track_potentials,
        )
        timings = runner.run(net.network, net.duration, progress=progress)
        count = lambda mon, n: counts_per_image(mon, n, net.n_images, weights.steps, weights.dt_ms)  # noqa: E731
        voltages = {
            layer: (np.asarray(mon.t / ms), np.asarray(mon.v / mV))
            for layer, mon in net.voltages.items()
        }
        result = SimulationResult(
            output_counts=count(net.output_spikes, t.n_outputs),
            output_first_step=net.first_spikes(),
            hidden_counts=count(net.hidden_spikes, t.n_hidden) if net.hidden_spikes is not None else None,
            input_counts=count(net.input_spikes, t.n_inputs) if net.input_spikes is not None else None,
            build_seconds=timings.build_seconds,
            run_seconds=timings.run_seconds,
            voltages=voltages or None,
            physiology=net.physiology() if track_potentials else None,
            synaptic_events=net.synaptic_events(),
            hidden_spike_trains=_trains(net.hidden_spikes),
            output_spike_trains=_trains(net.output_spikes),
        )
    return result


def compile_only(
    weights: NetworkWeights,
    images: np.ndarray,
    *,
    backend: str,
    input_mode: str = "poisson",
    seed: int = 0,
    threads: int = 0,
    compute_capability: float | None = None,
) -> float:
    """Generate and compile the network ``simulate`` would run, without running it; returns the seconds
    taken. This is how a machine without a GPU checks the cuda backend (``compute_capability`` picks
    the GPU generation to compile for)."""
    with backends.activate(backend, threads=threads, build_only=True, compute_capability=compute_capability) as runner:
        net = _seeded_network(weights, images, input_mode, seed, None)
        return runner.run(net.network, net.duration).build_seconds


def _seeded_network(weights, images, input_mode, seed, frozen, **record):
    """The network of ``weights`` fed with ``images`` in ``input_mode``, Brian2's random numbers seeded."""
    from brian2 import seed as brian_seed

    from .builder import build_network

    if input_mode not in INPUT_MODES:
        raise ValueError(f"unknown input mode {input_mode!r} (choose from {', '.join(INPUT_MODES)})")
    if input_mode == "frozen" and frozen is None:
        frozen = input_spikes(images, weights, seed)
    brian_seed(seed)
    return build_network(
        weights,
        dt_ms=weights.dt_ms,
        images=images if input_mode == "poisson" else None,
        frozen=frozen if input_mode == "frozen" else None,
        **record,
    )


def _trains(monitor):
    from brian2 import ms

    if monitor is None:
        return None
    return np.asarray(monitor.t / ms), np.array(monitor.i)  # a copy: the monitor's memory goes with the network
