"""Neuron and synapse models, one file each, found through a registry.

``base``     what all neurons share (threshold, reset, refractoriness, the rest), the registry
             ``MODELS``                               ``group``  ``neuron_group``: a model and a synapse
``lif``      the leaky integrate-and-fire neuron      ``if_``  the integrate-and-fire neuron
``synapse``  what all synapses share, the registry ``SYNAPSES``
``delta``    a voltage jump (the shipped baseline)    ``cuba``  a decaying current
``coba``     decaying excitatory and inhibitory conductances with reversal potentials
``topology`` 784 -> hidden -> 10, by name

Adding a neuron model is one new file here, a ``NeuronParameters`` subclass decorated with
``@register``; a synapse model, a ``SynapseParameters`` subclass with ``@register_synapse``;
each imported below.
"""

from .base import MODELS, NeuronParameters, ParameterError, register
from .coba import CobaSynapse
from .cuba import CubaSynapse
from .delta import DELTA, DeltaSynapse
from .group import neuron_group, rest_at_image_start
from .if_ import IF, IFParameters
from .lif import LIF, LIFParameters
from .synapse import SYNAPSES, SynapseParameters, register_synapse, synapse_named

__all__ = [
    "DELTA", "IF", "LIF", "MODELS", "SYNAPSES", "CobaSynapse", "CubaSynapse", "DeltaSynapse", "IFParameters",
    "LIFParameters", "NeuronParameters", "ParameterError", "SynapseParameters", "neuron_group", "register",
    "register_synapse", "rest_at_image_start", "synapse_named",
]
