"""The four shallow topologies: 784 inputs -> hidden layer -> 10 outputs.

Pure Python (no Brian2, no PyTorch): read by the Brian2 builder and by the trainer.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import IF, LIF, NeuronParameters

N_INPUTS = 784
N_CLASSES = 10
DEFAULT_HIDDEN = 256


@dataclass(frozen=True)
class Topology:
    """Which neuron model each layer uses, and how many hidden neurons there are."""

    name: str
    hidden_neuron: NeuronParameters
    output_neuron: NeuronParameters
    n_hidden: int = DEFAULT_HIDDEN
    n_inputs: int = N_INPUTS
    n_outputs: int = N_CLASSES

    def with_hidden(self, n_hidden: int) -> "Topology":
        if n_hidden < 1:
            raise ValueError(f"the hidden layer needs at least one neuron, got {n_hidden}")
        return Topology(self.name, self.hidden_neuron, self.output_neuron, n_hidden)


TOPOLOGIES: dict[str, Topology] = {
    "if-if": Topology("if-if", IF, IF),
    "lif-lif": Topology("lif-lif", LIF, LIF),
    "if-lif": Topology("if-lif", IF, LIF),  # IF hidden layer, LIF output layer
    "lif-if": Topology("lif-if", LIF, IF),
}


def topology(name: str) -> Topology:
    """The topology called ``name``; a ValueError names the known ones otherwise."""
    try:
        return TOPOLOGIES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown model {name!r} (choose from {', '.join(TOPOLOGIES)})") from None
