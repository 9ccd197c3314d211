"""IF and LIF neuron models: parameters (pure Python) and Brian2 groups (``neuron_models.groups``)."""

from .parameters import IF, LIF, MODELS, IFParameters, LIFParameters, NeuronParameters, ParameterError

__all__ = ["IF", "LIF", "MODELS", "IFParameters", "LIFParameters", "NeuronParameters", "ParameterError"]
