"""Networks: the four topologies (``networks.topology``, pure Python) and their Brian2 builder
(``networks.builder``) and simulation driver (``networks.simulation``)."""
