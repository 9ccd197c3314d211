"""IF and LIF neurons as Brian2 equation-defined NeuronGroups.

Both models share threshold, reset and refractoriness; they differ in one equation:

    LIF:  dv/dt = (v_rest - v + v_drive) / tau_m      (unless refractory)
    IF:   dv/dt = v_drive / tau_m                     (unless refractory)

``v_drive`` (volt, per neuron) is a constant drive R*I, zero inside the networks, whose
synapses move ``v`` by instantaneous jumps instead. A neuron fires when ``v > v_th``,
is set to ``v_reset`` and ignores input while refractory (see ``ON_PRE``).
"""

from __future__ import annotations

from brian2 import NeuronGroup

from .parameters import NeuronParameters

# model -> (equations, integration method). Both are integrated exactly: the LIF by
# Brian2's linear solver, the IF by Euler, which is exact for a right-hand side free of v.
MODELS = {
    "LIF": (
        """
        dv/dt = (v_rest - v + v_drive) / tau_m : volt (unless refractory)
        v_drive : volt
        """,
        "exact",
    ),
    "IF": (
        """
        dv/dt = v_drive / tau_m : volt (unless refractory)
        v_drive : volt
        """,
        "euler",
    ),
}

THRESHOLD = "v > v_th"
RESET = "v = v_reset"

#: Synaptic pathway onto these neurons: a jump of ``w`` unless the target is refractory.
ON_PRE = "v_post += w * int(not_refractory_post)"

#: Code that returns a group to rest and ends any refractory period (between images).
REST_STATE = "v = v_rest\nlastspike = -1e4*second"


def neuron_group(params: NeuronParameters, n: int, name: str) -> NeuronGroup:
    """A group of ``n`` neurons of the model ``params`` describes, at rest."""
    equations, method = MODELS[params.kind]
    group = NeuronGroup(
        n,
        equations,
        threshold=THRESHOLD,
        reset=RESET,
        refractory="tau_ref",
        method=method,
        namespace=params.namespace(),
        name=name,
    )
    group.v = "v_rest"
    return group
