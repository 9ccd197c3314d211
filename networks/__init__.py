"""Networks: the Brian2 builder (``networks.builder``) of the topologies in ``neuron_models.topology``
and the simulation driver (``networks.simulation``)."""
