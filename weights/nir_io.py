"""NIR, the Neuromorphic Intermediate Representation: trained networks in and out.

NIR (PyPI ``nir``) writes a network as a graph of continuous-time primitives. This module
exports :class:`~weights.NetworkWeights` as the graph

    Input(784) -> Linear|Affine -> LIF|IF -> Linear|Affine -> LIF|IF -> Output(10)

(``Affine`` where the network has biases; ``CubaLIF`` for both neuron layers of a ``cuba`` network)
and imports graphs of that shape (a ``Flatten`` of the whole input right after ``Input`` is skipped).
Anything else is refused with a :class:`~weights.WeightsError` naming what is unsupported, and so are
networks NIR cannot say: ``coba`` synapses (NIR has no conductance-based neuron) and an IF with
``cuba`` synapses (NIR's ``CubaLIF`` leaks; there is no current-based IF).

NIR's neurons (``nir.ir.neuron``), time in seconds::

    LIF:  tau dv/dt = (v_leak - v) + r I      IF:  dv/dt = r I
    CubaLIF:  tau_syn dI/dt = -I + w_in x,  tau_mem dv/dt = (v_leak - v) + r I
    spike when v > v_threshold, then v = v_reset

NIR fixes neither a time step nor what a spike delivers, so each exporter brings a convention
(:data:`CONVENTIONS`); one simulation step here stands for one step of the exporter:

``snn-mnist`` (our export)  time in seconds (``tau`` = tau_m / 1000) and voltage in mV measured
    from rest; ``step`` = our dt; a spike is a unit pulse lasting one step, so a weight ``W``
    moves a LIF by ``r W step / tau`` and an IF by ``r W step``. We write ``r = 1``, so a jump
    of ``w`` mV is the NIR weight ``W = w tau / step`` (LIF) or ``w / step`` (IF, step in
    seconds), biases alike. The decay is exact, ``exp(-step/tau)``, as Brian2 integrates it.
    (Files written before times were in seconds say "time ms" in their ``units`` metadata and
    are read in ms.) What the other importers make of it (checked in their source: snnTorch
    1.0.0 ``snntorch/import_nir.py``, installed and tested; Norse ``norse/torch/utils/import_nir.py``
    at commit 22a17ec, read, not run): snnTorch steps at 0.1 ms, ``beta = 1 - 1e-4 / tau`` and
    divides the threshold by ``r 1e-4 / tau``, so a LIF keeps its 20 ms and its
    jump-to-threshold ratio per 1 ms of pulse; it refuses nothing but turns an IF into a leaky
    neuron with beta 0.9. Norse steps at 1 ms with Euler, ``v += dt/tau (v_leak - v + W x)``,
    warns unless ``r = 1`` and otherwise ignores ``r``: with ``r = 1`` it gives our jumps
    exactly, its decay ``1 - dt/tau`` against our ``exp(-dt/tau)``, and tests the threshold
    after the step's input; its IF adds ``W x`` unscaled, 1000 times our jump at 1 ms.
``snntorch``  ``snntorch/export_nir.py`` fixes ``dt = 1e-4`` and writes ``Leaky(beta)`` as
    ``tau = dt / (1 - beta)``, ``r = tau / dt``, ``v_leak = 0``, ``v_reset = 0``: per step
    ``v = beta v + W x + b`` (Euler). It writes ``v_reset = 0`` whatever ``reset_mechanism`` the
    module had: only ``reset_mechanism="zero"`` is exported faithfully.
``norse``  ``norse/torch/utils/export_nir.py`` writes ``r = 1`` and tau in seconds;
    ``from_nir`` steps LIFs with Euler at ``dt = 1e-3``: ``v += dt/tau (v_leak - v + W x + b)``;
    its IF adds ``W x + b`` unscaled. Its ``LIFCell`` (a LIF with a decaying current) exports as
    ``CubaLIF`` (``tau_mem``, ``tau_syn`` = 1 / the inverse time constants, ``r = w_in = 1``); we
    reproduce what ``LIFCell`` computes (``norse/torch/functional/lif.py``,
    ``lif_feed_forward_step``, Euler at 1 ms): ``J = I + W x``, ``v += dt/tau_mem (v_leak - v + J)``,
    ``I = J (1 - dt/tau_syn)``, threshold, reset; the weights are mapped in ``CubaSynapse.nir_timing``.
    (Norse's own ``from_nir`` turns a ``CubaLIF`` into two Euler-stepped box cells, another
    discretisation, which we do not follow.) Biases into a ``CubaLIF``'s current are refused.
``norse-1.1``  Norse 1.1.0, the release on PyPI, whose ``export_nir.py`` writes every time constant
    as ``dt / tau_inv`` (``dt = 1e-3`` by default), that is ``dt * tau``: a default ``LIFCell`` (10 ms,
    5 ms) comes out as ``tau_mem = 1e-5``, ``tau_syn = 5e-6``. Otherwise Norse's convention; the taus
    are read as ``written / step``. It cannot be told from the file (the graph carries no version,
    and a file exported with another ``dt`` would read as other taus), so it is chosen by the user
    (``convention="norse-1.1"``, ``--nir-convention norse-1.1``); a Norse graph whose taus are not
    longer than its step is refused with a message that names the option. It assumes the export's
    and the ``LIFCell``'s ``dt`` of 1 ms, their defaults.

Which ``CubaLIF`` conventions are mapped: ours (export and import, round trip exact) and Norse's
``LIFCell`` (import). Refused: snnTorch's ``Synaptic`` export (``r = tau_mem/dt``, ``w_in =
tau_syn/dt``; not mapped yet), per-neuron time constants, and layers whose ``tau_syn`` differ (a
network here has one synapse model).

The mapping onto the Brian2 equations (``neuron_models``; each model's ``to_nir``, ``nir_origin``
and ``nir_timing`` hold its part):

* voltage: 1 NIR unit = 1 mV, measured from the neuron's origin (``v_leak`` for LIF, 0 for
  IF, where the exporters start their neurons), placed at rest ``v_rest`` (our metadata, or
  the project's default LIF rest otherwise). Each neuron's voltage scale is free (inputs
  are jumps), so per-neuron ``r``, ``v_leak`` and ``v_threshold`` are folded into the
  weights and biases: neuron j is measured in units of ``median(gap) / gap_j`` mV, with
  ``gap`` = ``v_threshold - origin``. Per-neuron ``tau``, or resets that differ relative to
  ``gap``, cannot be folded and are refused: a Brian2 layer here has one parameter set.
* time: ``tau_m = tau`` for ``snn-mnist``; for the discrete-time exporters the per-step decay
  ``d = 1 - step/tau`` is kept exactly: ``tau_m = -dt / ln d``.
* biases: a constant input, ``b`` mV every step, enters the equations as the ``v_drive`` that
  adds exactly that in one step (``NeuronParameters.drive_for``).
* schedule: snnTorch and Norse add a step's input, then test the threshold, then reset, layer
  after layer within the step; a neuron keeps the input of the step in which it fires. Their
  graphs are imported with ``step_order = "input-first"``, which schedules the Brian2 network
  the same way (``networks.builder.input_first``), so Brian2 reproduces them spike for spike.
* refractory period: NIR has none. Imported networks get ``tau_ref = 0``; our export keeps
  ``tau_ref`` only in the graph's metadata (read back by this module, ignored elsewhere).

Our graphs carry the full weights metadata (``METADATA_KEY``) so that export then import
gives identical arrays and parameters; values read from the graph itself take precedence
over the metadata copy whenever the two disagree beyond rounding.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path
from snn_mnist.encoding import PoissonCode, code_from_dict
from snn_mnist.neuron_models import DELTA, LIF, MODELS, CubaSynapse, NeuronParameters, ParameterError
from snn_mnist.neuron_models.base import NirNode
from snn_mnist.neuron_models.topology import N_CLASSES, N_INPUTS, Topology

from .format import NetworkWeights, WeightsError

METADATA_KEY = "snn_mnist"
SHAPE = "Input -> Affine|Linear -> LIF|IF|CubaLIF -> Affine|Linear -> LIF|IF|CubaLIF -> Output"
INSTALL_HINT = "NIR files need the 'nir' package: pip install 'snn-mnist[nir]'"


@dataclass(frozen=True)
class Convention:
    """How an exporter's NIR parameters translate into discrete steps."""

    name: str
    step: float | None  # one simulation step in the graph's time unit; None: our dt
    discrete: bool  # trained in discrete time: Euler decay, threshold tested after the step's input
    if_pulse: bool  # an IF integrates a spike as a one-step pulse (r w step), not a jump (r w)
    ms_per_unit: float = 1000.0  # the graph's time unit in ms: NIR's seconds
    tau_times_step: bool = False  # time constants written as step * tau (Norse 1.1.0's export)


CONVENTIONS = {
    c.name: c
    for c in (
        Convention("snn-mnist", step=None, discrete=False, if_pulse=True),
        Convention("snntorch", step=1e-4, discrete=True, if_pulse=True),
        Convention("norse", step=1e-3, discrete=True, if_pulse=False),
        Convention("norse-1.1", step=1e-3, discrete=True, if_pulse=False, tau_times_step=True),
    )
}
TAUS = ("tau", "tau_mem", "tau_syn")  # the time constants of NIR's neurons
#: Our export before times were written in seconds (its ``units`` metadata says "time ms")
_OURS_IN_MS = Convention("snn-mnist", step=None, discrete=False, if_pulse=True, ms_per_unit=1.0)

_SNNTORCH_DT = CONVENTIONS["snntorch"].step
_RTOL = 1e-5  # "equal" for parameters stored as float32 by the exporters


def _nir():
    try:
        import nir
    except ImportError:
        raise WeightsError(INSTALL_HINT) from None
    return nir


# --- export ---------------------------------------------------------------------------------
def to_nir(weights: NetworkWeights):
    """The network as a ``nir.NIRGraph`` in the ``snn-mnist`` convention (see module docstring)."""
    nir = _nir()
    t = weights.topology
    synapse = weights.synapse
    if synapse.kind == "coba":
        raise WeightsError("NIR has no conductance-based neuron: a coba network has no NIR form")
    if synapse.kind not in ("delta", "cuba"):  # a model registered since: no NIR form is known for it
        raise WeightsError(f"no NIR form is known for {synapse.kind} synapses (delta and cuba networks export)")
    try:
        if synapse.kind == "cuba":  # the neuron and its current: a CubaLIF
            hidden, to_hidden = synapse.to_nir(t.hidden_neuron, nir, t.n_hidden, weights.dt_ms)
            output, to_output = synapse.to_nir(t.output_neuron, nir, t.n_outputs, weights.dt_ms)
        else:  # delta: the neuron alone, jumped by its input
            hidden, to_hidden = t.hidden_neuron.to_nir(nir, t.n_hidden, weights.dt_ms)
            output, to_output = t.output_neuron.to_nir(nir, t.n_outputs, weights.dt_ms)
    except ParameterError as exc:
        raise WeightsError(str(exc)) from None

    def dense(w: np.ndarray, bias: np.ndarray | None, scale: float):
        w = np.ascontiguousarray(w.T, dtype=np.float64) * scale
        return nir.Linear(weight=w) if bias is None else nir.Affine(weight=w, bias=np.asarray(bias, np.float64) * scale)

    nodes = {
        "input": nir.Input(input_type=np.array([t.n_inputs])),
        "input_hidden": dense(weights.w_input_hidden, weights.bias_hidden, to_hidden),
        "hidden": hidden,
        "hidden_output": dense(weights.w_hidden_output, weights.bias_output, to_output),
        "output_layer": output,
        "output": nir.Output(output_type=np.array([t.n_outputs])),
    }
    names = list(nodes)
    metadata = {
        METADATA_KEY: json.dumps(weights.metadata()),
        "units": f"time s, voltage mV from rest, r = 1; a spike is a unit pulse of one step "
                 f"(dt = {weights.dt_ms / 1000:g} s)",
    }
    return nir.NIRGraph(nodes=nodes, edges=list(zip(names, names[1:])), metadata=metadata)


def write(weights: NetworkWeights, path: str | Path) -> None:
    """Write ``weights`` as a NIR file (HDF5), atomically."""
    graph = to_nir(weights)
    with atomic_path(path) as tmp:
        _nir().write(tmp, graph)


# --- import: structure ------------------------------------------------------------------------
def _kind(node) -> str:
    return type(node).__name__


def _chain(graph, source: str) -> list[tuple[str, object]]:
    """The nodes from Input to Output in order; refuse anything but a single feed-forward chain."""
    nir = _nir()
    nodes, edges = graph.nodes, [tuple(e) for e in graph.edges]
    for a, b in edges:
        for end in (a, b):
            if end not in nodes:
                raise WeightsError(f"{source}: edge {a!r} -> {b!r} names no node {end!r}")
    for name, node in nodes.items():
        if isinstance(node, nir.NIRGraph):
            raise WeightsError(f"{source}: node {name!r} is a subgraph (recurrent layer?); only {SHAPE} is supported")
    inputs = [k for k, n in nodes.items() if isinstance(n, nir.Input)]
    if len(inputs) != 1:
        raise WeightsError(f"{source}: the graph has {len(inputs)} Input nodes; {SHAPE} needs exactly one")
    successors = {k: [b for a, b in edges if a == k] for k in nodes}
    order, seen = [inputs[0]], {inputs[0]}
    while not isinstance(nodes[order[-1]], nir.Output):
        nxt = successors[order[-1]]
        if len(nxt) != 1:
            raise WeightsError(
                f"{source}: node {order[-1]!r} has {len(nxt)} outgoing edges; only a feed-forward chain {SHAPE} is supported"
            )
        if nxt[0] in seen:
            raise WeightsError(f"{source}: recurrent edge {order[-1]!r} -> {nxt[0]!r}; only {SHAPE} is supported")
        order.append(nxt[0])
        seen.add(nxt[0])
    extra = sorted(set(nodes) - seen)
    if extra:
        raise WeightsError(f"{source}: node {extra[0]!r} is not on the chain from input to output; only {SHAPE} is supported")
    for a, b in edges:
        if order.index(b) != order.index(a) + 1:
            raise WeightsError(f"{source}: edge {a!r} -> {b!r} leaves the feed-forward chain; only {SHAPE} is supported")
    if len(order) > 2 and isinstance(nodes[order[1]], nir.Flatten):
        order.pop(1)  # flattening the whole input (e.g. 28x28 -> 784, row-major) changes nothing here
    chain = [(k, nodes[k]) for k in order]
    kinds = [_kind(n) for _, n in chain]
    neurons = ("LIF", "IF", "CubaLIF")
    pattern = [("Input",), ("Affine", "Linear"), neurons, ("Affine", "Linear"), neurons, ("Output",)]
    if len(kinds) != len(pattern) or any(k not in allowed for k, allowed in zip(kinds, pattern)):
        raise WeightsError(f"{source}: unsupported graph {' -> '.join(kinds)}; supported: {SHAPE}")
    if (kinds[2] == "CubaLIF") != (kinds[4] == "CubaLIF"):
        raise WeightsError(f"{source}: {kinds[2]} and {kinds[4]} layers mix current-based and voltage-jump "
                           "synapses; a network here has one synapse model")
    return chain


def _weight(name: str, node, n_in: int, source: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The (out, in) matrix of a Linear/Affine node and its bias (None if it has none or all zero)."""
    w = np.asarray(node.weight, dtype=np.float64)
    if w.ndim != 2 or w.shape[1] != n_in:
        raise WeightsError(f"{source}: {_kind(node)} {name!r} has weight shape {w.shape}, expected (n, {n_in})")
    if not np.all(np.isfinite(w)):
        raise WeightsError(f"{source}: {_kind(node)} {name!r} has NaN or infinite weights")
    bias = getattr(node, "bias", None)
    if bias is None:
        return w, None
    bias = np.asarray(bias, dtype=np.float64).ravel()
    if bias.size not in (1, w.shape[0]) or not np.all(np.isfinite(bias)):
        raise WeightsError(f"{source}: Affine {name!r} has {bias.size} biases (or NaN) for {w.shape[0]} neurons")
    bias = np.broadcast_to(bias, (w.shape[0],))
    return w, (bias if np.any(bias != 0) else None)


def _per_neuron(node, field: str, n: int, name: str, source: str) -> np.ndarray:
    value = np.asarray(getattr(node, field), dtype=np.float64).ravel()
    if value.size not in (1, n):
        raise WeightsError(f"{source}: {_kind(node)} {name!r} has {value.size} values of {field} for {n} neurons")
    if not np.all(np.isfinite(value)):
        raise WeightsError(f"{source}: {_kind(node)} {name!r} has NaN or infinite {field}")
    return np.broadcast_to(value, (n,))


def _uniform(values: np.ndarray, field: str, node, name: str, source: str, why: str = "") -> float:
    """The common value of a per-neuron parameter; refuse values that differ."""
    lo, hi = float(values.min()), float(values.max())
    if hi - lo > _RTOL * max(abs(lo), abs(hi)) + 1e-12:
        raise WeightsError(
            f"{source}: {_kind(node)} {name!r} has per-neuron {field} from {lo:.6g} to {hi:.6g}; "
            f"a layer here has one value{why}"
        )
    return float(np.median(values))


# --- import: parameters -----------------------------------------------------------------------
class _Node(NirNode):
    """One NIR neuron node under import, as the models' NIR hooks (``neuron_models``) see it."""

    def __init__(self, name: str, node, n: int, conv: Convention, dt_ms: float, source: str):
        self.name, self.node, self.n, self.source = name, node, n, source
        self.convention, self.discrete, self.if_pulse = conv.name, conv.discrete, conv.if_pulse
        self.ms_per_unit = conv.ms_per_unit
        self.step = conv.step if conv.step is not None else dt_ms / conv.ms_per_unit  # one step in the graph's unit
        self.tau_times_step = conv.tau_times_step

    def field(self, name: str) -> np.ndarray:
        values = _per_neuron(self.node, name, self.n, self.name, self.source)
        return values / self.step if self.tau_times_step and name in TAUS else values

    def uniform(self, name: str, why: str = "") -> float:
        return _uniform(self.field(name), name, self.node, self.name, self.source, why)

    def fail(self, message: str):
        raise WeightsError(f"{self.source}: {_kind(self.node)} {self.name!r} {message}")


def _layer(name: str, node, n: int, conv: Convention, dt_ms: float, v_rest: float, source: str):
    """The neuron parameters (tau_ref 0), the factor turning NIR weights into mV, per neuron, and the
    synapse's ``tau_syn_ms`` (a ``CubaLIF``; else None)."""
    cuba = _kind(node) == "CubaLIF"
    model = MODELS["LIF"] if cuba else MODELS[_kind(node)]
    view = _Node(name, node, n, conv, dt_ms, source)
    origin = model.nir_origin(view)
    gap = view.field("v_threshold") - origin
    if np.any(gap <= 0):
        view.fail("has v_threshold at or below its resting potential")
    scale = np.ones(n) if np.all(gap == gap[0]) else np.median(gap) / gap  # mV per NIR unit, per neuron
    reset = _uniform(scale * (view.field("v_reset") - origin), "v_reset (relative to v_threshold)", node, name, source)
    tau_syn_ms = None
    if cuba:
        tau_m_ms, tau_syn_ms, jump = CubaSynapse.nir_timing(view, dt_ms)
    else:
        tau_m_ms, jump = model.nir_timing(view, dt_ms)
    threshold = float(np.median(gap * scale))
    try:
        params = model(
            tau_m_ms=tau_m_ms, v_rest_mV=v_rest, v_th_mV=v_rest + threshold, v_reset_mV=v_rest + reset, tau_ref_ms=0.0
        )
    except ParameterError as exc:
        raise WeightsError(f"{source}: {_kind(node)} {name!r}: {exc}") from None
    return params, scale * jump, tau_syn_ms


def detect_convention(graph, source: str = "graph") -> Convention:
    """Which exporter's convention the graph follows (see the module docstring)."""
    nir = _nir()
    if METADATA_KEY in (graph.metadata or {}):
        units = (graph.metadata or {}).get("units", "")
        units = units.decode() if isinstance(units, bytes) else str(units)
        return _OURS_IN_MS if units.startswith("time ms") else CONVENTIONS["snn-mnist"]
    neurons = [n for n in graph.nodes.values() if isinstance(n, (nir.LIF, nir.IF, nir.CubaLIF))]
    r = [np.asarray(n.r, dtype=np.float64) for n in neurons]
    if neurons and all(
        isinstance(n, nir.LIF) and np.allclose(ri, np.asarray(n.tau) / _SNNTORCH_DT, rtol=_RTOL, atol=0)
        for n, ri in zip(neurons, r)
    ):
        return CONVENTIONS["snntorch"]
    if neurons and all(np.allclose(ri, 1.0, rtol=_RTOL, atol=0) for ri in r):
        return CONVENTIONS["norse"]
    raise WeightsError(
        f"{source}: cannot tell which time step the graph was trained with: r is neither tau/{_SNNTORCH_DT:g} "
        "(snnTorch's export) nor 1 (Norse's), and the graph was not written by snn-mnist"
    )


def _refuse_norse_1_1(chain, source: str) -> None:
    """A Norse graph whose time constants are not longer than Norse's step cannot be stepped by its
    convention; Norse 1.1.0 writes them so (``dt * tau``): refuse, naming the option that reads them."""
    step = CONVENTIONS["norse"].step
    taus = [float(np.min(np.asarray(getattr(node, f), dtype=np.float64))) for _, node in chain for f in TAUS
            if getattr(node, f, None) is not None]
    if taus and min(taus) <= step:
        raise WeightsError(
            f"{source}: a Norse graph with a time constant of {min(taus):g} s, not longer than Norse's {step:g} s "
            "step; Norse 1.1.0 writes dt * tau (a 10 ms tau_mem as 1e-05): if Norse 1.1.0 exported it, import it "
            "with --nir-convention norse-1.1 (convention='norse-1.1')")


def _our_metadata(graph, source: str) -> dict | None:
    raw = (graph.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return None
    try:
        meta = json.loads(raw.decode() if isinstance(raw, bytes) else str(raw))
        for key in ("dt_ms", "steps", "encoding", "hidden_neuron", "output_neuron", "topology"):
            meta[key]
        return meta
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsError(f"{source}: malformed {METADATA_KEY} metadata ({exc})") from None


def _reconcile(graph: NeuronParameters, stored: NeuronParameters) -> NeuronParameters:
    """Our metadata's exact parameters where the graph agrees with them up to rounding.

    The graph decides what it carries (potentials, and tau for a LIF); the metadata adds what
    NIR cannot say (the refractory period, and tau_m of an IF, which never reads it).
    """
    carried = ["v_rest_mV", "v_th_mV", "v_reset_mV"] + (["tau_m_ms"] if graph.leaky else [])
    if graph.kind == stored.kind and all(
        math.isclose(getattr(graph, k), getattr(stored, k), rel_tol=1e-9, abs_tol=1e-9) for k in carried
    ):
        return stored
    extra = {"tau_ref_ms": stored.tau_ref_ms} | ({} if graph.leaky else {"tau_m_ms": stored.tau_m_ms})
    try:
        return replace(graph, **extra)
    except ParameterError as exc:
        raise WeightsError(f"graph and metadata disagree: {exc}") from None


def from_nir(
    graph,
    *,
    convention: str | None = None,
    dt_ms: float = 1.0,
    steps: int = 25,
    max_rate_hz: float = 1000.0,
    source: str = "graph",
) -> NetworkWeights:
    """Import a NIR graph of the supported shape as :class:`NetworkWeights`.

    ``convention`` is detected unless given (``snn-mnist``, ``snntorch``, ``norse``, ``norse-1.1``). For
    graphs written here, ``dt_ms``, ``steps``, the input code, rest potentials and
    refractory periods come from the graph's metadata; otherwise from the arguments (Poisson input
    at ``max_rate_hz``), with rest at the project's default and no refractory period.
    """
    encoding = PoissonCode(max_rate_hz)
    if convention is not None and convention not in CONVENTIONS:
        raise WeightsError(f"unknown NIR convention {convention!r} (choose from {', '.join(CONVENTIONS)})")
    conv = CONVENTIONS[convention] if convention else detect_convention(graph, source)
    chain = _chain(graph, source)
    if convention is None and conv.name == "norse":
        _refuse_norse_1_1(chain, source)
    meta = _our_metadata(graph, source) if conv.name == "snn-mnist" else None
    stored = None
    if meta is not None:
        try:
            stored = [NeuronParameters.from_dict(meta[k]) for k in ("hidden_neuron", "output_neuron")]
            dt_ms, steps = float(meta["dt_ms"]), int(meta["steps"])
            encoding = code_from_dict(meta["encoding"])
        except (ParameterError, KeyError, TypeError, ValueError) as exc:
            raise WeightsError(f"{source}: malformed {METADATA_KEY} metadata ({exc})") from None

    (_, inp), (n1, lin1), (h, hidden), (n2, lin2), (o, out), _ = chain
    n_inputs = int(np.prod(inp.input_type["input"]))
    w1, b1 = _weight(n1, lin1, n_inputs, source)
    w2, b2 = _weight(n2, lin2, w1.shape[0], source)
    if (n_inputs, w2.shape[0]) != (N_INPUTS, N_CLASSES):
        raise WeightsError(
            f"{source}: the network maps {n_inputs} inputs to {w2.shape[0]} outputs; "
            f"MNIST networks here take {N_INPUTS} pixels to {N_CLASSES} classes"
        )
    layers = []
    for i, (name, node, n) in enumerate(((h, hidden, w1.shape[0]), (o, out, w2.shape[0]))):
        v_rest = stored[i].v_rest_mV if stored else LIF.v_rest_mV
        params, to_mV, tau_syn_ms = _layer(name, node, n, conv, dt_ms, v_rest, source)
        if stored:
            params = _reconcile(params, stored[i])
        layers.append((params, to_mV, tau_syn_ms))
    (hidden_params, s1, tau_syn_h), (output_params, s2, tau_syn_o) = layers
    synapse = DELTA
    if tau_syn_h is not None:
        if not math.isclose(tau_syn_h, tau_syn_o, rel_tol=_RTOL):
            raise WeightsError(f"{source}: the CubaLIF layers have tau_syn {tau_syn_h:.6g} and {tau_syn_o:.6g} ms; "
                               "a network here has one synapse model")
        if b1 is not None or b2 is not None:
            raise WeightsError(f"{source}: Affine biases into a CubaLIF's current are not supported")
        synapse = CubaSynapse(tau_syn_ms=tau_syn_h)
        if meta is not None and meta.get("synapse", {}).get("kind") == "cuba":
            stored_synapse = CubaSynapse(**{k: v for k, v in meta["synapse"].items() if k != "kind"})
            if math.isclose(stored_synapse.tau_syn_ms, tau_syn_h, rel_tol=1e-9):
                synapse = stored_synapse
    if conv.discrete:
        step_order = "input-first"
    else:
        step_order = meta.get("step_order", "threshold-first") if meta else "threshold-first"
    name = meta["topology"]["name"] if meta else f"{hidden_params.kind}-{output_params.kind}".lower()
    provenance = dict(meta.get("provenance", {})) if meta else {}
    if not meta:
        provenance.update({"imported_from": "nir", "nir_convention": conv.name})
    return NetworkWeights(
        topology=Topology(name, hidden_params, output_params, n_hidden=w1.shape[0], n_inputs=n_inputs, n_outputs=N_CLASSES),
        w_input_hidden=(w1.T * s1[None, :]).astype(np.float32),
        w_hidden_output=(w2.T * s2[None, :]).astype(np.float32),
        dt_ms=dt_ms,
        steps=steps,
        encoding=encoding,
        provenance=provenance,
        bias_hidden=None if b1 is None else (b1 * s1).astype(np.float32),
        bias_output=None if b2 is None else (b2 * s2).astype(np.float32),
        step_order=step_order,
        synapse=synapse,
    )


def load(path: str | Path, **options) -> NetworkWeights:
    """Read a ``.nir`` file and import it (:func:`from_nir`); problems raise :class:`WeightsError`."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"weights file not found: {path}")
    nir = _nir()
    try:
        graph = nir.read(path, type_check=False)
    except Exception as exc:  # h5py and nir raise OSError, KeyError, ValueError, AssertionError, ...
        raise WeightsError(f"{path}: unreadable NIR file ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(graph, nir.NIRGraph):
        raise WeightsError(f"{path}: holds a single {_kind(graph)} node, not a graph; supported: {SHAPE}")
    return from_nir(graph, source=str(path), **options)
