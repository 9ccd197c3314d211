"""Neuron and synapse models, one file each, found through a registry.

``base``  what all neurons share (threshold, reset, refractoriness, the rest), the registry
          ``MODELS`` and ``neuron_group``
``lif``   the leaky integrate-and-fire neuron      ``if_``  the integrate-and-fire neuron
``delta`` the delta synapse (a voltage jump)       ``topology``  784 -> hidden -> 10, by name

Adding a neuron model is one new file here, a ``NeuronParameters`` subclass decorated with
``@register``, imported below.
"""

from .base import MODELS, NeuronParameters, ParameterError, neuron_group, register
from .if_ import IF, IFParameters
from .lif import LIF, LIFParameters

__all__ = ["IF", "LIF", "MODELS", "IFParameters", "LIFParameters", "NeuronParameters", "ParameterError",
           "neuron_group", "register"]
