"""The two-layer spiking network as a PyTorch module: weights in, output spike counts out.

The module only wires the step functions of :mod:`trainer.dynamics`: the input layer's
currents for all steps in one matrix product, the hidden layer run over time, then the
output layer. Weights are kept in unit scale (threshold gap = 1) for the optimiser and
exported in mV, pre x post, as ``weights.NetworkWeights``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch

from snn_mnist.neuron_models import DELTA, SynapseParameters
from snn_mnist.neuron_models.topology import Topology
from snn_mnist.readout.spike_count import first_spike_steps
from snn_mnist.weights import NetworkWeights

from .dynamics import DEFAULT_SLOPE, LayerConstants, run_layer


class SpikingMLP(torch.nn.Module):
    def __init__(self, topology: Topology, dt_ms: float = 1.0, steps: int = 25, slope: float = DEFAULT_SLOPE,
                 synapse: SynapseParameters = DELTA):
        super().__init__()
        self.topology, self.dt_ms, self.steps, self.slope, self.synapse = topology, dt_ms, steps, slope, synapse
        self.hidden_c = LayerConstants.from_params(topology.hidden_neuron, dt_ms, "unit", synapse)
        self.output_c = LayerConstants.from_params(topology.output_neuron, dt_ms, "unit", synapse)
        self.w_input_hidden = torch.nn.Parameter(torch.empty(topology.n_inputs, topology.n_hidden))
        self.w_hidden_output = torch.nn.Parameter(torch.empty(topology.n_hidden, topology.n_outputs))

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Kaiming-style normal initialisation, std = gain * sqrt(2 / fan_in) in unit scale, the gain the
        synapse model's (``init_gain``: 1 for a voltage jump)."""
        with torch.no_grad():
            for w, neuron in ((self.w_input_hidden, self.topology.hidden_neuron),
                              (self.w_hidden_output, self.topology.output_neuron)):
                w.normal_(0.0, self.synapse.init_gain(neuron) * math.sqrt(2.0 / w.shape[0]), generator=generator)

    def load_weights(self, weights: NetworkWeights) -> None:
        """Start from ``weights`` (a network of this shape, synapse and step): :meth:`to_weights` inverted."""
        in_mV = self.synapse.WEIGHT_UNIT == "mV"
        with torch.no_grad():
            for w, array, c in ((self.w_input_hidden, weights.w_input_hidden, self.hidden_c),
                                (self.w_hidden_output, weights.w_hidden_output, self.output_c)):
                w.copy_(torch.as_tensor(np.asarray(array, dtype=np.float64) / (c.gap_mV if in_mV else 1.0)))

    def forward(self, spikes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``spikes`` (steps, batch, inputs; dense or sparse) -> output spikes and hidden spikes,
        (steps, batch, neurons)."""
        split, fast = self.synapse.split, {"slope": self.slope, "fast": True}
        hidden, _ = run_layer(input_currents(spikes, split(self.w_input_hidden, torch)), self.hidden_c, **fast)
        output, _ = run_layer(tuple(hidden @ w for w in split(self.w_hidden_output, torch)), self.output_c, **fast)
        return output, hidden

    def to_weights(self, encoding, provenance: dict) -> NetworkWeights:
        """The weights in the synapse model's unit: mV (unit scale times the threshold gap) for delta and
        cuba, the conductances themselves for coba (they do not depend on the voltage scale)."""
        in_mV = self.synapse.WEIGHT_UNIT == "mV"
        export = lambda w, c: (w.detach().cpu().double() * (c.gap_mV if in_mV else 1.0)).numpy().astype(np.float32)  # noqa: E731
        return NetworkWeights(
            topology=self.topology,
            w_input_hidden=export(self.w_input_hidden, self.hidden_c),
            w_hidden_output=export(self.w_hidden_output, self.output_c),
            dt_ms=self.dt_ms,
            steps=self.steps,
            encoding=encoding,
            provenance=provenance,
            synapse=self.synapse,
        )


#: below this fraction of input spikes per step and pixel, a sparse product is the faster one
SPARSE_BELOW = 0.05


def input_currents(spikes: torch.Tensor, weights: tuple) -> tuple:
    """``spikes @ w`` for each of the synapse model's weight matrices, all steps at once. Sparse input
    (a sparse tensor: Poisson input at physiological rates, where about 1% of pixels spike in a step)
    takes one sparse product, the same sum in another order."""
    if not spikes.is_sparse:
        return tuple(spikes @ w for w in weights)
    steps, batch, n_in = spikes.shape
    step, image, pixel = spikes.indices()
    flat = torch.sparse_coo_tensor(torch.stack([step * batch + image, pixel]), spikes.values(), (steps * batch, n_in),
                                   check_invariants=False)
    both = torch.sparse.mm(flat, torch.cat(weights, 1)).view(steps, batch, -1)
    return both.split(weights[0].shape[1], dim=2)


class ReferenceCounts(NamedTuple):
    """What the readout needs of the trainer's model, per image: spike counts of both layers and the
    step of each output neuron's first spike (``steps`` where it never fired)."""

    output: np.ndarray  # (n, outputs)
    hidden: np.ndarray  # (n, hidden)
    output_first_step: np.ndarray  # (n, outputs)


@torch.no_grad()
def reference_counts(weights: NetworkWeights, spikes: np.ndarray, batch_size: int = 500) -> ReferenceCounts:
    """The trainer's model in float64 and mV, as Brian2 simulates it, on given input spikes
    (a boolean array (n_images, steps, inputs))."""
    t = weights.topology
    syn = weights.synapse
    hidden_c = LayerConstants.from_params(t.hidden_neuron, weights.dt_ms, "mV", syn)
    output_c = LayerConstants.from_params(t.output_neuron, weights.dt_ms, "mV", syn)
    w1 = syn.split(torch.from_numpy(weights.w_input_hidden.astype(np.float64)), torch)
    w2 = syn.split(torch.from_numpy(weights.w_hidden_output.astype(np.float64)), torch)
    b1, b2 = (torch.from_numpy(weights.bias(layer)) for layer in ("hidden", "output"))
    order = {"input_first": weights.step_order == "input-first"}
    out, hid, first = [], [], []
    for start in range(0, len(spikes), batch_size):
        x = torch.from_numpy(spikes[start : start + batch_size]).double().transpose(0, 1)
        hidden, _ = run_layer(tuple(x @ w for w in w1), hidden_c, bias=b1, **order)
        output, _ = run_layer(tuple(hidden @ w for w in w2), output_c, bias=b2, **order)
        out.append(output.sum(0).long().numpy())
        hid.append(hidden.sum(0).long().numpy())
        first.append(first_spike_steps(output.numpy()))
    return ReferenceCounts(np.concatenate(out), np.concatenate(hid), np.concatenate(first))
