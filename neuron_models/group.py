"""A Brian2 group of neurons of one model driven by one synapse model: the two put together."""

from __future__ import annotations

from .base import REST_STATE, RESET, THRESHOLD, NeuronParameters
from .delta import DELTA
from .synapse import SynapseParameters


def neuron_group(params: NeuronParameters, n: int, name: str, synapse: SynapseParameters = DELTA):
    """A Brian2 ``NeuronGroup`` of ``n`` neurons of the model ``params`` describes, driven by the synapse
    model ``synapse`` (default: delta), at rest."""
    from brian2 import NeuronGroup

    group = NeuronGroup(
        n,
        synapse.equations(params),
        threshold=THRESHOLD,
        reset=RESET,
        refractory="tau_ref",
        method=synapse.method(params),
        namespace={**params.namespace(), **synapse.namespace()},
        name=name,
    )
    group.v = "v_rest"
    return group


def rest_state(synapse: SynapseParameters = DELTA) -> str:
    """The rest between images (``base.REST_STATE``) with the synapse model's state cleared too."""
    return "\n".join(code for code in (REST_STATE, synapse.REST) if code)
