"""The trainer's discrete-time neuron: pure step functions, the same model as the Brian2 groups.

One step of a layer follows Brian2's schedule within a time step (see networks/builder.py):

1. state update   ``since += 1``; a neuron is refractory while ``since < refractory_steps``;
                  non-refractory neurons take the model's ``free_step`` (``neuron_models.lif``:
                  ``v = v_rest + (v - v_rest) * exp(-dt/tau_m)``; ``neuron_models.if_``: ``v``),
                  Brian2's exact integration
2. threshold      ``spike = (v > v_th) and not refractory``
3. synapses       the step's input arrives: ``v += current`` for neurons neither refractory nor spiking
                  (``neuron_models.delta``), or into the synaptic current or conductances, ungated
                  (``cuba``, ``coba``), whose state update in step 1 then carries it to ``v``
4. reset          spiking neurons: ``v = v_reset``, ``since = 0``

A constant input per step (``bias``, a weights file's ``bias_hidden``/``bias_output``) is added with
the state update, as Brian2 integrates ``v_drive``. With ``input_first`` (``step_order``
"input-first", snnTorch's and Norse's order) the step's input counts in its own step's threshold test:
a jump (delta) arrives after the state update, a current or conductance before it (Norse's LIFCell
adds the step's input to its current, then integrates); then the threshold is tested, and a neuron that
fires keeps the input of its step until the reset.

Spikes use the fast-sigmoid surrogate gradient ``1 / (1 + slope*|v - v_th| / (v_th - v_rest))**2``;
the reset and the refractory mask carry no gradient. Potentials can be in mV or in any affine
rescaling of them: :class:`LayerConstants` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

from snn_mnist.neuron_models import DELTA, NeuronParameters, SynapseParameters

DEFAULT_SLOPE = 25.0


class FastSigmoidSpike(torch.autograd.Function):
    """Heaviside step forward; derivative of a fast sigmoid backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, slope: float) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad_output / (ctx.slope * x.abs() + 1.0) ** 2, None


@dataclass(frozen=True)
class LayerConstants:
    """A neuron parameter set turned into per-step constants, in a chosen voltage scale.

    ``scale="mV"`` keeps millivolts (what Brian2 simulates); ``scale="unit"`` measures
    potentials from rest in units of ``v_th - v_rest`` (rest 0, threshold 1), which keeps
    weights of order one for the optimiser. A weight ``w`` in unit scale is ``w * gap_mV`` mV.
    """

    decay: float
    v_rest: float
    v_th: float
    v_reset: float
    refractory_steps: int
    gap_mV: float
    free_step: Callable  # the model's state update without input (NeuronParameters.free_step)
    synapse: SynapseParameters = DELTA  # the synapse model (neuron_models.synapse): its trainer step
    syn: dict = field(default_factory=dict)  # its per-step constants, potentials in this scale

    @classmethod
    def from_params(cls, params: NeuronParameters, dt_ms: float, scale: str = "unit",
                    synapse: SynapseParameters = DELTA) -> "LayerConstants":
        gap = params.v_th_mV - params.v_rest_mV
        if scale == "mV":
            potential = lambda mV: mV  # noqa: E731
        elif scale == "unit":
            potential = lambda mV: (mV - params.v_rest_mV) / gap  # noqa: E731
        else:
            raise ValueError(f"unknown voltage scale {scale!r}")
        rest, th, reset = (potential(x) for x in (params.v_rest_mV, params.v_th_mV, params.v_reset_mV))
        return cls(params.decay(dt_ms), rest, th, reset, params.refractory_steps(dt_ms), gap, params.free_step,
                   synapse, synapse.step_constants(params, dt_ms, potential))


@dataclass
class LayerState:
    v: torch.Tensor  # membrane potential
    since: torch.Tensor  # steps since the last spike (int)
    syn: tuple = ()  # the synapse model's state: () for delta, (I,) for cuba, (ge, gi) for coba

    @classmethod
    def at_rest(cls, shape, c: LayerConstants, like: torch.Tensor) -> "LayerState":
        v = torch.full(shape, c.v_rest, dtype=like.dtype, device=like.device)
        since = torch.full(shape, c.refractory_steps, dtype=torch.int32, device=like.device)
        return cls(v, since, c.synapse.initial_state(v))


def layer_step(
    currents, state: LayerState, c: LayerConstants, slope: float = DEFAULT_SLOPE,
    bias: torch.Tensor | float = 0.0, input_first: bool = False,
) -> tuple[torch.Tensor, LayerState]:
    """Advance one layer by one step given this step's synaptic input (a tensor, or the synapse model's
    tuple: ``(exc, inh)`` for coba); return (spikes, state)."""
    currents = currents if isinstance(currents, tuple) else (currents,)
    since = state.since + 1
    active = since >= c.refractory_steps
    v, syn = state.v, state.syn
    receive_first = input_first and not c.synapse.JUMPS_V  # the input reaches v through this step's update
    if receive_first:
        v, syn = c.synapse.receive(v, syn, currents, active, torch.zeros_like(active), torch)
    v, syn = c.synapse.advance(v, syn, c, active, bias, torch)
    if input_first and not receive_first:
        v, syn = c.synapse.receive(v, syn, currents, active, torch.zeros_like(active), torch)
    spikes = FastSigmoidSpike.apply((v - c.v_th) / (c.v_th - c.v_rest), slope) * active
    fired = spikes.detach() > 0
    if not input_first:
        v, syn = c.synapse.receive(v, syn, currents, active, fired, torch)
    v = torch.where(fired, torch.full_like(v, c.v_reset), v)
    since = torch.where(fired, torch.zeros_like(since), since)
    return spikes, LayerState(v, since, syn)


def run_layer(
    currents, c: LayerConstants, slope: float = DEFAULT_SLOPE, record_v: bool = False,
    bias: torch.Tensor | float = 0.0, input_first: bool = False, fast: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Run a layer over all steps of ``currents`` (steps, batch, neurons; or the synapse model's tuple of
    them), starting at rest.

    ``fast`` lets a synapse model whose state no spike touches (``cuba``, ``coba``) compute its
    membrane map for all steps first (:func:`run_mapped_layer`, threshold-first order only): the same
    network up to rounding, about twice as fast to train. Without it, every step runs Brian2's arithmetic
    (what parity and the reference counts use).

    Returns the spikes (steps, batch, neurons) and, if asked, the membrane potential after each step.
    """
    currents = currents if isinstance(currents, tuple) else (currents,)
    if fast and c.synapse.HAS_MEMBRANE_MAP and not record_v and not input_first:
        return run_mapped_layer(*MembraneMap.apply(c, bias, *currents), c, slope), None
    state = LayerState.at_rest(currents[0].shape[1:], c, currents[0])
    spikes, voltages = [], []
    for step in zip(*(x.unbind(0) for x in currents)):  # unbind: one backward node for all steps
        s, state = layer_step(step, state, c, slope, bias, input_first)
        spikes.append(s)
        if record_v:
            voltages.append(state.v)
    return torch.stack(spikes), (torch.stack(voltages) if record_v else None)


def run_mapped_layer(
    p: torch.Tensor | float, q: torch.Tensor, c: LayerConstants, slope: float = DEFAULT_SLOPE,
) -> torch.Tensor:
    """Run a layer whose free neurons step ``v -> p[t] v + q[t]`` (the synapse model's
    ``membrane_map``: its input and state already folded in), with :func:`layer_step`'s threshold,
    reset and refractoriness, in the threshold-first order (a step's input reaches ``v`` in the next
    step's update); return the spikes (steps, batch, neurons). ``p`` is a number or a tensor shaped
    like ``q``."""
    if not isinstance(p, torch.Tensor):
        p = torch.tensor(float(p), dtype=q.dtype)
    return MappedLayer.apply(p, q, c, slope)


class MembraneMap(torch.autograd.Function):
    """The synapse model's ``membrane_map_vjp`` as one autograd node: ``(P, Q)`` from the currents, and
    its vector-Jacobian product as the backward pass instead of a graph over every step (``bias`` is a
    constant: the trainer learns no biases)."""

    @staticmethod
    def forward(ctx, c: LayerConstants, bias, *currents: torch.Tensor):
        p, q, ctx.vjp = c.synapse.membrane_map_vjp(currents, c, bias, torch)
        if not isinstance(p, torch.Tensor):  # a leak's decay: a number, no gradient
            p = torch.tensor(float(p), dtype=q.dtype)
            ctx.mark_non_differentiable(p)
        return p, q

    @staticmethod
    def backward(ctx, grad_p: torch.Tensor, grad_q: torch.Tensor):
        return (None, None, *ctx.vjp(grad_p, grad_q))


class MappedLayer(torch.autograd.Function):
    """:func:`run_mapped_layer` with its backward pass written out: the gradient of :func:`layer_step`
    (surrogate through the threshold, none through reset and refractoriness) for the map
    ``v -> p v + q``, in two tensor operations per step instead of an autograd graph of a dozen."""

    @staticmethod
    def forward(ctx, p: torch.Tensor, q: torch.Tensor, c: LayerConstants, slope: float) -> torch.Tensor:
        per_step = p.unbind(0) if p.dim() else [p] * len(q)
        v = torch.full(q.shape[1:], c.v_rest, dtype=q.dtype)
        since = torch.full(q.shape[1:], c.refractory_steps, dtype=torch.int32)
        v_before, updated, active, fired = [], [], [], []
        for p_t, q_t in zip(per_step, q.unbind(0)):
            since += 1
            free = since >= c.refractory_steps
            v_before.append(v)
            v = torch.where(free, torch.addcmul(q_t, p_t, v), v)
            spike = (v > c.v_th) & free
            updated.append(v)
            v = v.masked_fill(spike, c.v_reset)
            since.masked_fill_(spike, 0)
            active.append(free)
            fired.append(spike)
        active, fired = torch.stack(active), torch.stack(fired)
        ctx.save_for_backward(p, torch.stack(v_before), torch.stack(updated), active, fired)
        ctx.slope, ctx.v_th, ctx.gap = slope, c.v_th, c.v_th - c.v_rest
        return fired.to(q.dtype)

    @staticmethod
    def backward(ctx, grad_spikes: torch.Tensor):
        p, v_before, updated, active, fired = ctx.saved_tensors
        # d spike / d v after the update: the fast sigmoid's slope at (v - v_th) / (v_th - v_rest), where
        # the neuron was free; computed in place, one tensor of all steps at a time
        surrogate = (updated - ctx.v_th).abs_().mul_(ctx.slope / ctx.gap).add_(1.0).square_().mul_(ctx.gap)
        direct = torch.div(grad_spikes, surrogate, out=surrogate).mul_(active).unbind(0)
        kept = (~fired).to(grad_spikes.dtype).unbind(0)  # the reset passes no gradient
        through = torch.where(active, p, torch.ones_like(p)).expand_as(updated).unbind(0)  # d v_t / d v_{t-1}
        grad_v = torch.zeros_like(updated[0])
        grad_q = torch.empty_like(updated)
        for t in range(len(direct) - 1, -1, -1):
            g = torch.addcmul(direct[t], grad_v, kept[t], out=grad_q[t])  # d loss / d v after the update of step t
            grad_v = g * through[t]
        grad_q.mul_(active)
        grad_p = (grad_q * v_before).sum() if p.dim() == 0 else grad_q * v_before
        return (grad_p if ctx.needs_input_grad[0] else None), grad_q, None, None
