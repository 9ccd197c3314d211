"""The delta synapse: a presynaptic spike moves the postsynaptic potential by ``w`` at once.

    on_pre:  v_post += w      (unless the target is refractory)

This is the baseline the four shipped models use; it is not physiological (a real synapse
injects a current that rises and decays over milliseconds), and the documentation says so.
In NIR it is a ``Linear`` node (or an ``Affine`` one with zero bias). One delivered spike costs
one addition per target (``ACS_PER_EVENT``).
"""

from __future__ import annotations

#: Synaptic pathway onto the neurons of ``neuron_models.base``: a jump of ``w`` unless the target is refractory.
ON_PRE = "v_post += w * int(not_refractory_post)"
#: Each synapse's state: its weight, a voltage jump.
MODEL = "w : volt"
#: additions one delivered spike costs per target neuron
ACS_PER_EVENT = 1


def deliver(v, current, receiving, where):
    """The trainer's view of ``ON_PRE``: ``v + current`` where ``receiving`` (not refractory, not
    spiking in this step), ``v`` elsewhere; ``where`` is ``torch.where`` or ``numpy.where``."""
    return where(receiving, v + current, v)
