"""snn-mnist: Brian2 spiking neural networks that classify MNIST digits.

One package a stage of the data flow (the README's layout table says which may import which):
``digits`` -> ``encoding`` -> ``neuron_models`` + ``networks`` -> ``readout``, and
``trainer`` -> ``weights`` -> ``networks``; ``backends`` chooses Brian2's device, ``plasticity``
holds STDP, ``cli`` and ``web`` are the command and the local page.
"""

__version__ = "0.1.0"
