"""A Brian2 group of neurons of one model driven by one synapse model: the two put together."""

from __future__ import annotations

from .base import REST_STATE, RESET, THRESHOLD, NeuronParameters
from .delta import DELTA
from .synapse import SynapseParameters


#: Each neuron's lowest and highest potential so far (``track_potentials``)
EXTREMES = """
v_lowest : volt
v_highest : volt
"""
#: Brian2 code that folds the present potential into them (the language has no min or max)
TRACK = ("v_lowest += int(v < v_lowest) * (v - v_lowest)\n"
         "v_highest += int(v > v_highest) * (v - v_highest)")


def parameters(params: NeuronParameters, synapse: SynapseParameters = DELTA) -> dict:
    """The values a group of ``params`` neurons driven by ``synapse`` holds, as Brian2 quantities named as
    in its equations: the neuron's parameters and the synapse's."""
    return {**params.namespace(), **synapse.namespace()}


def _declarations(values: dict) -> str:
    """Each parameter as a shared, constant variable of the group: one value for all its neurons, which a
    compiled binary reads at each run (``networks.compiled`` passes new ones as run arguments)."""
    from brian2.units.fundamentalunits import get_dimensions, get_unit

    lines = []
    for name, value in values.items():
        dims = get_dimensions(value)
        unit = "1" if dims.is_dimensionless else repr(get_unit(dims))
        lines.append(f"{name} : {unit} (shared, constant)")
    return "\n" + "\n".join(lines) + "\n"


def neuron_group(params: NeuronParameters, n: int, name: str, synapse: SynapseParameters = DELTA,
                 track_potentials: bool = False):
    """A Brian2 ``NeuronGroup`` of ``n`` neurons of the model ``params`` describes, driven by the synapse
    model ``synapse`` (default: delta), at rest.

    The parameters (``tau_m``, ``v_th``, ``tau_syn``, ...) are variables of the group, shared by its
    neurons and constant during a run (:func:`parameters`); Brian2 computes what depends on them alone
    (e.g. ``exp(-dt/tau_m)``) once per step, outside the loop over neurons.

    ``track_potentials`` keeps each neuron's lowest and highest potential inside the simulation
    (``v_lowest``, ``v_highest``), sampled twice a step: after the state update, before the threshold
    (the highest value a neuron reaches before its reset), and at the step's end (after a delta
    synapse's jump). No potential is recorded."""
    from brian2 import NeuronGroup

    values = parameters(params, synapse)
    group = NeuronGroup(
        n,
        synapse.equations(params) + _declarations(values) + (EXTREMES if track_potentials else ""),
        threshold=THRESHOLD,
        reset=RESET,
        refractory="tau_ref",
        method=synapse.method(params),
        name=name,
    )
    for parameter, value in values.items():
        setattr(group, parameter, value)
    at_rest(group)
    if track_potentials:
        for when in ("before_thresholds", "end"):
            group.run_regularly(TRACK, when=when, name=f"{name}_extremes_{when}")
    return group


def at_rest(group) -> None:
    """Put every neuron of ``group`` at its rest potential (its lowest and highest so far too, where they
    are tracked). A compiled binary given new parameters sets them where this is called again."""
    group.v = "v_rest"
    if "v_lowest" in group.variables:
        group.v_lowest = group.v_highest = "v_rest"


def rest_state(synapse: SynapseParameters = DELTA) -> str:
    """The rest between images (``base.REST_STATE``) with the synapse model's state cleared too."""
    return "\n".join(code for code in (REST_STATE, synapse.REST) if code)


def rest_at_image_start(synapse: SynapseParameters = DELTA) -> str:
    """:func:`rest_state` as code run every step on the network's own clock, taking effect in the first
    step of each image (``image_steps``, a name the group's namespace must give): :func:`at_period_start`."""
    return at_period_start(rest_state(synapse), "image_steps")


def at_period_start(code: str, period_steps: str) -> str:
    """Assignments (``name = value``, one a line) as code run every step on the network's own clock that
    takes effect in the first step of every period of ``period_steps`` steps (a name the group's
    namespace gives); the code may use ``first`` (1 in that step, else 0) in lines added after it.

    Why not ``run_regularly(code, dt=period)``: that puts the code on a second clock, and Brian2's C++
    standalone device runs two clocks together only while their times agree within 1e-14 s. From
    about a minute of simulated time on, ``k * period`` and ``n * dt`` differ by more than that for some
    periods, and the code then runs one step late (seen: one image in five from image 641 of a 100 ms
    network; 343 of the 1,000 slots of a Diehl & Cook chunk). Counting whole steps is exact at any time."""
    lines = [f"first = int(timestep(t, dt) % {period_steps} == 0)"]
    for line in code.splitlines():
        name, value = (part.strip() for part in line.split("=", 1))
        if value == "True":  # a flag: set it at the image's start, keep it otherwise
            lines.append(f"{name} = {name} or first == 1")
        elif value.split("*")[0].strip() in ("0", "0.0"):  # cleared: no unit needed
            lines.append(f"{name} = (1 - first) * {name}")
        else:
            lines.append(f"{name} = first * ({value}) + (1 - first) * {name}")
    return "\n".join(lines)
