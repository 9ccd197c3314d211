"""Operations and energy per image: the spiking network's counted in its simulation, the same-shape
ANN's by the same rules, both priced with one table.

What is counted:

- **synaptic events**: every spike delivered through a synapse, i.e. each presynaptic spike times
  its fan-out (784 inputs -> H hidden: an input spike is H events). One event is one accumulate
  (AC), a 32-bit floating-point add. Counted from the spike counts kept inside the simulation
  (``networks.builder.SpikingNetwork.synaptic_events``), per pathway.
- **neuron updates**: the arithmetic of the state update, every neuron every step, whether or not
  it spikes, as Brian2 generates it: the multiplies, adds and ``expm1`` calls of the per-neuron loop
  (the membrane equation, the synaptic state's decays and the refractoriness test), counted per
  neuron and synapse model pair (``UPDATE_OPERATIONS`` of the synapse model: the leak is part of the
  membrane update, not an operation of its own; ``tests/readout/test_energy.py`` counts the
  generated code). A delta LIF costs 4 multiplies and 6 adds a step, a coba LIF 18 multiplies, 13
  adds and one ``expm1``. The spike rate does not enter here, and it enters the synaptic events once
  only (a published comparison multiplied by it twice).
- the ANN (784-H-10, ReLU): one MAC per weight used, dense (every weight) or skipping zero inputs
  and zero hidden activations.

Prices (Horowitz, ISSCC 2014, 45 nm, 0.9 V, 32-bit float): an add 0.9 pJ, a multiply 3.7 pJ, a
multiply-accumulate 4.6 pJ. ``energy_nJ`` is the synaptic events alone, the headline figure as the
literature counts it; ``energy_with_updates_nJ`` adds the neuron updates' multiplies and adds (a
division priced as a multiply; ``expm1``, which Horowitz does not price, is counted and left out of
the energy, so coba's figure is a lower bound). Arithmetic only: moving weights and state costs more
than computing with them, and the savings per operation appear only on hardware that works per event.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PJ_PER_AC = 0.9  # 32-bit float add, Horowitz 2014, 45 nm
PJ_PER_MUL = 3.7  # 32-bit float multiply, Horowitz 2014, 45 nm
PJ_PER_MAC = 4.6  # a multiply-accumulate: the multiply and the add
SOURCE = ("Horowitz, ISSCC 2014, 45 nm, 32-bit float: 0.9 pJ per add, 3.7 pJ per multiply, "
          "4.6 pJ per multiply-accumulate")


@dataclass(frozen=True)
class Operations:
    """The arithmetic of the neuron updates per image."""

    multiplies: float
    adds: float
    expm1: float = 0.0  # counted, not priced

    @property
    def energy_nJ(self) -> float:
        return (self.multiplies * PJ_PER_MUL + self.adds * PJ_PER_AC) / 1000.0


@dataclass(frozen=True)
class Cost:
    """Operations per image and their energy."""

    synaptic_events: dict[str, float]  # per pathway, per image (ACs)
    neuron_updates: Operations  # per image

    @property
    def total_events(self) -> float:
        return float(sum(self.synaptic_events.values()))

    @property
    def energy_nJ(self) -> float:
        """The synaptic events at 0.9 pJ each."""
        return self.total_events * PJ_PER_AC / 1000.0

    @property
    def energy_with_updates_nJ(self) -> float:
        """The synaptic events plus the neuron updates' multiplies (3.7 pJ) and adds (0.9 pJ)."""
        return self.energy_nJ + self.neuron_updates.energy_nJ

    def to_json(self) -> dict:
        return {
            "synaptic_events_per_image": self.total_events,
            "synaptic_events_per_image_by_pathway": dict(self.synaptic_events),
            "neuron_update_multiplies_per_image": self.neuron_updates.multiplies,
            "neuron_update_adds_per_image": self.neuron_updates.adds,
            "neuron_update_expm1_per_image": self.neuron_updates.expm1,
            "energy_nJ_per_image": self.energy_nJ,
            "energy_with_updates_nJ_per_image": self.energy_with_updates_nJ,
            "energy_prices": SOURCE,
        }


def neuron_updates(weights) -> Operations:
    """The arithmetic of the state updates per image: every neuron of both layers, every step."""
    t, synapse = weights.topology, weights.synapse
    per_step = np.zeros(3)
    for n, neuron in ((t.n_hidden, t.hidden_neuron), (t.n_outputs, t.output_neuron)):
        per_step += n * np.array(synapse.UPDATE_OPERATIONS[neuron.kind])
    multiplies, adds, expm1 = (float(x) for x in per_step * weights.steps)
    return Operations(multiplies, adds, expm1)


def snn_cost(weights, synaptic_events: dict[str, int], n_images: int) -> Cost:
    """The cost per image of a run of ``n_images`` whose simulation delivered ``synaptic_events``
    (per pathway, over the run)."""
    return Cost({k: v / n_images for k, v in synaptic_events.items()}, neuron_updates(weights))


@dataclass(frozen=True)
class AnnCost:
    """An ANN's multiply-accumulates per image and their energy."""

    macs: float

    @property
    def energy_nJ(self) -> float:
        return self.macs * PJ_PER_MAC / 1000.0


def ann_cost(n_inputs: int, n_hidden: int, n_outputs: int, inputs: np.ndarray | None = None,
             hidden: np.ndarray | None = None) -> AnnCost:
    """A 784-H-10 ANN's MACs per image. Dense without ``inputs``/``hidden``; given the input pixels
    (n, 784) and the hidden activations (n, H), the zero-skipping count: a zero input or a zero (ReLU)
    hidden activation costs nothing, every other one a MAC per target (the mean over the images)."""
    if inputs is None or hidden is None:
        return AnnCost(float(n_inputs * n_hidden + n_hidden * n_outputs))
    used = np.count_nonzero(inputs, axis=1) * n_hidden + np.count_nonzero(hidden, axis=1) * n_outputs
    return AnnCost(float(np.mean(used)))
