"""Build the Brian2 network of a topology: input -> hidden -> output, weights from arrays.

Within one time step Brian2 runs, in this order: state update (decay), threshold test,
synaptic propagation (``v += w`` for the spikes of this step), reset. An input spike at
step k therefore reaches the hidden layer after the hidden threshold test of step k, and
can make it fire at step k+1 at the earliest. The trainer's discrete-time model
(``trainer.dynamics``) follows the same order; ``tests/networks/test_schedule.py`` pins it.
Networks imported from snnTorch or Norse run those simulators' order instead (``step_order``
"input-first", :func:`input_first`).

Many images are simulated in one ``run()``: image m occupies steps [m*T, (m+1)*T) and every
neuron is returned to rest (and out of refractoriness) at the start of each image.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from brian2 import (
    Hz,
    Network,
    NeuronGroup,
    PoissonGroup,
    SpikeGeneratorGroup,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    defaultclock,
    ms,
    mV,
    second,
)

from snn_mnist.encoding import LatencyCode, rates_hz
from snn_mnist.neuron_models import neuron_group, rest_at_image_start
from snn_mnist.neuron_models.base import REST_ORDER, REST_WHEN
from snn_mnist.weights import NetworkWeights


@dataclass
class SpikingNetwork:
    """The Brian2 objects of one network, named so that monitors and plots can find them."""

    network: Network
    input: PoissonGroup | SpikeGeneratorGroup
    hidden: object
    output: object
    input_hidden: Synapses
    hidden_output: Synapses
    output_spikes: SpikeMonitor
    hidden_spikes: SpikeMonitor | None
    hidden_count: SpikeMonitor  # spikes per hidden neuron over the run, nothing recorded
    input_count: SpikeMonitor  # spikes per input neuron over the run, nothing recorded
    input_spikes: SpikeMonitor | None
    voltages: dict
    stimulus: TimedArray | None
    weights: NetworkWeights
    n_images: int

    @property
    def duration(self):
        """How long to run the network for: every image once."""
        return self.n_images * self.weights.steps * self.weights.dt_ms * ms

    def counts(self, layer: str = "output") -> np.ndarray:
        """Spike counts per image, (n_images, neurons), of ``"output"``, ``"hidden"`` or ``"input"``
        (the last two need ``record_hidden``/``record_input``); read after the run."""
        monitors = {"output": self.output_spikes, "hidden": self.hidden_spikes, "input": self.input_spikes}
        if layer not in monitors:
            raise ValueError(f"unknown layer {layer!r} (choose from {', '.join(monitors)})")
        if monitors[layer] is None:
            raise ValueError(f"the {layer} layer's spikes were not recorded: build with record_{layer}=True")
        n = monitors[layer].source.N
        return counts_per_image(monitors[layer], n, self.n_images, self.weights.steps, self.weights.dt_ms)

    def physiology(self) -> dict:
        """With ``track_potentials``: each layer's lowest and highest potential (mV) over the whole run
        and mean firing rate (Hz) per neuron; read after the run."""
        seconds = self.duration / second
        figures = {}
        for layer, group in (("hidden", self.hidden), ("output", self.output)):
            spikes = (self.hidden_count if layer == "hidden" else self.output_spikes).count[:]
            figures[layer] = {
                "v_min_mV": float(np.min(group.v_lowest[:] / mV)),
                "v_max_mV": float(np.max(group.v_highest[:] / mV)),
                "mean_rate_hz": float(np.sum(spikes) / (len(group) * seconds)),
            }
        return figures

    def synaptic_events(self) -> dict[str, int]:
        """The spikes delivered through each pathway (``input_hidden``, ``hidden_output``) over the whole
        run, every presynaptic spike counted once per target (its synapses' fan-out), from spike counts
        kept inside the simulation; read after the run."""
        events = {}
        for count, synapses in ((self.input_count, self.input_hidden), (self.hidden_count, self.hidden_output)):
            fan_out = np.bincount(np.asarray(synapses.i[:]), minlength=len(count.source))
            events[synapses.name] = int(np.dot(np.asarray(count.count[:], dtype=np.int64), fan_out))
        return events

    def first_spikes(self) -> np.ndarray:
        """Step of each output neuron's first spike within each image, (n_images, n_outputs); ``steps``
        where it did not fire. With :meth:`counts` it is what the readout needs to break ties."""
        n = self.output_spikes.source.N
        return first_steps_per_image(self.output_spikes, n, self.n_images, self.weights.steps, self.weights.dt_ms)


def input_table(images: np.ndarray, weights: NetworkWeights):
    """What the input group reads per image and pixel: the Poisson rates (Hz) or the latency code's spike
    steps; the values of its ``TimedArray`` (``networks.compiled`` passes new ones to a compiled run)."""
    code = weights.encoding
    if isinstance(code, LatencyCode):
        return code.spike_steps(images, weights.dt_ms).astype(np.float64)
    return rates_hz(images, code.max_rate_hz) * Hz


def drive(weights: NetworkWeights, layer: str):
    """The constant ``v_drive`` of each neuron of ``layer`` (its biases), with units."""
    params = getattr(weights.topology, f"{layer}_neuron")
    n = weights.topology.n_hidden if layer == "hidden" else weights.topology.n_outputs
    return params.drive_for(weights.bias(layer), weights.dt_ms) * np.ones(n) * mV


def encoded_input(images: np.ndarray, weights: NetworkWeights) -> tuple[NeuronGroup | PoissonGroup, TimedArray]:
    """784 input neurons that encode the images by the weights' input code, one image every ``steps``
    steps. Only a per-image table (n x 784 rates or spike steps) is held; spikes are made inside the
    simulation."""
    code = weights.encoding
    if isinstance(code, LatencyCode):
        return latency_input(images, weights)
    stimulus = TimedArray(input_table(images, weights), dt=weights.duration_ms * ms, name="stimulus")
    group = PoissonGroup(images.shape[1], rates="stimulus(t, i)", namespace={"stimulus": stimulus}, name="input")
    return group, stimulus


def latency_input(images: np.ndarray, weights: NetworkWeights) -> tuple[NeuronGroup, TimedArray]:
    """784 neurons that each fire once per image, in the step ``encoding.latency.spike_steps`` gives
    (never for a silent pixel), counted in whole steps of the network's clock from the image's start."""
    spike_step = TimedArray(input_table(images, weights), dt=weights.duration_ms * ms, name="spike_step")
    group = NeuronGroup(images.shape[1], "", threshold="timestep(t, dt) % image_steps == int(spike_step(t, i))",
                        reset="", namespace={"spike_step": spike_step, "image_steps": weights.steps}, name="input")
    return group, spike_step


def frozen_input(spikes: np.ndarray, weights: NetworkWeights) -> SpikeGeneratorGroup:
    """Replay fixed spike trains, a boolean array (n_images, steps, n_inputs)."""
    n_images, steps, n_inputs = spikes.shape
    image, step, neuron = np.nonzero(spikes)
    times = (image * steps + step) * weights.dt_ms * ms
    return SpikeGeneratorGroup(n_inputs, neuron, times, name="input")


def synapse_values(w: np.ndarray, synapse) -> np.ndarray:
    """A weight matrix (pre x post) as the values of its all-to-all synapses' ``w``, in their order."""
    return synapse.weights(w.ravel().astype(np.float64))


def _all_to_all(pre, post, w: np.ndarray, synapse, name: str) -> Synapses:
    synapses = Synapses(pre, post, model=synapse.MODEL, on_pre=synapse.ON_PRE, name=name)
    i, j = np.indices(w.shape)
    synapses.connect(i=i.ravel(), j=j.ravel())
    synapses.w = synapse_values(w, synapse)
    return synapses


def input_first(*chain, receive_first: bool = False) -> None:
    """Schedule a step as snnTorch and Norse do (``step_order`` "input-first"): layer by layer, the step's
    synaptic input arrives, then the threshold is tested, then the reset; a layer's spikes reach the
    next layer within the same step. ``chain`` alternates pathways and groups: ``input_hidden, hidden,
    hidden_output, output``. A jump (delta) arrives after every group's state update; with
    ``receive_first`` (a current or conductance, which reaches ``v`` only through the state update) each
    group's state update runs after its input arrives. Everything runs in the ``synapses`` slot, in the
    explicit ``order`` given here (never in name order)."""
    steps = []
    for obj in chain:
        if isinstance(obj, Synapses):
            steps += [obj.pre]
        else:
            steps += ([obj.state_updater] if receive_first else []) + [obj.thresholder["spike"], obj.resetter["spike"]]
    for order, step in enumerate(steps):
        step.when, step.order = "synapses", order


def network_step(weights: NetworkWeights, dt_ms: float | None) -> NetworkWeights:
    """``weights`` at the step ``dt_ms``: its own step, or another through :meth:`NetworkWeights.at_dt` (the
    image shown as long, input at the same rates, every time constant kept; only the discretisation changes).

    Without ``dt_ms`` the step must be said by Brian2's ``defaultclock.dt``, which must then be the weights'
    own: a ``defaultclock.dt`` set before the build is never silently replaced by the weights' step. Brian2
    starts every device at 0.1 ms, so a network trained at 1 ms needs ``dt_ms=1`` (or ``defaultclock.dt =
    1 * ms``), and ``dt_ms=0.1`` runs it at 0.1 ms."""
    if dt_ms is None:
        clock_ms = float(defaultclock.dt / ms)
        if abs(clock_ms - weights.dt_ms) > 1e-9 * weights.dt_ms:
            raise ValueError(f"Brian2's defaultclock.dt is {clock_ms:g} ms and this network's step {weights.dt_ms:g} ms: "
                             f"say which it runs at, build(..., dt_ms={weights.dt_ms:g}) (its own step) or "
                             f"dt_ms={clock_ms:g} (weights.at_dt)")
        return weights
    if abs(dt_ms - weights.dt_ms) <= 1e-9 * weights.dt_ms:
        return weights
    return weights.at_dt(dt_ms)


def build_network(
    weights: NetworkWeights,
    *,
    dt_ms: float | None = None,
    images: np.ndarray | None = None,
    frozen: np.ndarray | None = None,
    record_hidden: bool = False,
    record_input: bool = False,
    record_voltages: dict | None = None,
    track_potentials: bool = False,
) -> SpikingNetwork:
    """The network for ``weights`` fed with ``images`` (Poisson) or ``frozen`` spike trains.

    ``record_voltages`` maps ``"hidden"``/``"output"`` to neuron indices whose membrane
    potential is recorded every step; ``track_potentials`` keeps every neuron's lowest and highest
    potential inside the simulation (``neuron_models.group``) instead.

    ``dt_ms`` is the step the network runs at (:func:`network_step`); Brian2's ``defaultclock.dt`` is set
    to it, so that monitors added afterwards sample every step. ``net.weights`` is the network as run.
    """
    if (images is None) == (frozen is None):
        raise ValueError("give either images (Poisson input) or frozen spike trains")
    weights = network_step(weights, dt_ms)
    defaultclock.dt = weights.dt_ms * ms
    topology = weights.topology
    if images is not None:
        input_group, stimulus = encoded_input(images, weights)
        n_images = images.shape[0]
    else:
        if frozen.ndim != 3 or frozen.shape[1] != weights.steps:
            raise ValueError(f"frozen spike trains must be (images, {weights.steps} steps, inputs) at "
                             f"{weights.dt_ms:g} ms, got shape {frozen.shape}")
        input_group, stimulus = frozen_input(frozen, weights), None
        n_images = frozen.shape[0]

    synapse = weights.synapse
    hidden = neuron_group(topology.hidden_neuron, topology.n_hidden, name="hidden", synapse=synapse,
                          track_potentials=track_potentials)
    output = neuron_group(topology.output_neuron, topology.n_outputs, name="output", synapse=synapse,
                          track_potentials=track_potentials)
    for layer, group in (("hidden", hidden), ("output", output)):
        group.namespace["image_steps"] = weights.steps
        group.run_regularly(rest_at_image_start(synapse), when=REST_WHEN, order=REST_ORDER, name=f"{group.name}_rest")
        group.v_drive = drive(weights, layer)  # constant input (biases)

    input_hidden = _all_to_all(input_group, hidden, weights.w_input_hidden, synapse, "input_hidden")
    hidden_output = _all_to_all(hidden, output, weights.w_hidden_output, synapse, "hidden_output")
    if weights.step_order == "input-first":
        input_first(input_hidden, hidden, hidden_output, output, receive_first=not synapse.JUMPS_V)

    output_spikes = SpikeMonitor(output, name="output_spikes")
    hidden_spikes = SpikeMonitor(hidden, name="hidden_spikes") if record_hidden else None
    # spikes counted per neuron, none recorded: the hidden rate and the synaptic events of every run
    hidden_count = SpikeMonitor(hidden, record=False, name="hidden_count")
    input_count = SpikeMonitor(input_group, record=False, name="input_count")
    input_spikes = SpikeMonitor(input_group, name="input_spikes") if record_input else None
    voltages = {
        layer: StateMonitor({"hidden": hidden, "output": output}[layer], "v", record=list(idx), name=f"{layer}_v")
        for layer, idx in (record_voltages or {}).items()
    }
    objects = [input_group, hidden, output, input_hidden, hidden_output, output_spikes, *voltages.values()]
    objects += [m for m in (hidden_spikes, input_spikes, hidden_count, input_count) if m is not None]
    return SpikingNetwork(
        network=Network(*objects),
        input=input_group,
        hidden=hidden,
        output=output,
        input_hidden=input_hidden,
        hidden_output=hidden_output,
        output_spikes=output_spikes,
        hidden_spikes=hidden_spikes,
        hidden_count=hidden_count,
        input_count=input_count,
        input_spikes=input_spikes,
        voltages=voltages,
        stimulus=stimulus,
        weights=weights,
        n_images=n_images,
    )


def _per_image(monitor: SpikeMonitor, n_neurons: int, steps: int, dt_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Each recorded spike's (image * n_neurons + neuron) and its step within the image."""
    step = np.round(np.asarray(monitor.t / ms) / dt_ms).astype(np.int64)
    return (step // steps) * n_neurons + np.asarray(monitor.i, dtype=np.int64), step % steps


def counts_per_image(monitor: SpikeMonitor, n_neurons: int, n_images: int, steps: int, dt_ms: float) -> np.ndarray:
    """Spike counts of a monitored group per image, shape (n_images, n_neurons)."""
    flat, _ = _per_image(monitor, n_neurons, steps, dt_ms)
    return np.bincount(flat, minlength=n_images * n_neurons).reshape(n_images, n_neurons)


def first_steps_per_image(monitor: SpikeMonitor, n_neurons: int, n_images: int, steps: int, dt_ms: float) -> np.ndarray:
    """Step of each neuron's first spike within each image, shape (n_images, n_neurons); ``steps`` if none."""
    flat, within = _per_image(monitor, n_neurons, steps, dt_ms)
    first = np.full(n_images * n_neurons, steps, dtype=np.int64)
    np.minimum.at(first, flat, within)
    return first.reshape(n_images, n_neurons)
