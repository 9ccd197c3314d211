"""The options the commands share, written once, and their reading."""

from __future__ import annotations

import argparse
import dataclasses
import warnings
from pathlib import Path

from snn_mnist import limits
from snn_mnist.backends import BACKENDS
from snn_mnist.networks.simulation import INPUT_MODES
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights.pretrained import DEFAULT_MODEL

# Importing brian2 imports setuptools' MSVC helper, which warns on every import
# (pypa/distutils#340); stderr stays for the command's own messages.
warnings.filterwarnings("ignore", message="_get_vc_env is private", category=UserWarning)


# --- one function an option, so that every command spells it, defaults it and explains it alike ---------
def model(p, *, required: bool = False, default: str | None = DEFAULT_MODEL, topology_only: bool = False) -> None:
    """``--model``: a bundled model's name (``lif-lif``, ``lif-lif-coba``; ``snn-mnist models`` lists
    them), or with ``topology_only`` a topology (``train``, whose synapse is ``--synapse``)."""
    from snn_mnist.weights.pretrained import NAMES

    choices = list(TOPOLOGIES) if topology_only else NAMES
    what = ("hidden-output neuron models" if topology_only
            else "model: hidden-output neurons[-synapse] (snn-mnist models)")
    p.add_argument("--model", required=required, default=None if required else default, choices=choices,
                   metavar="{" + ",".join(TOPOLOGIES) + "}" + ("" if topology_only else "[-cuba|-coba]"),
                   help=what + ("" if required else f" (default {default})"))


def weights(p, *, help: str = "weights file, .npz or .nir (default: the pretrained weights of --model)") -> None:
    from snn_mnist.weights.nir_io import CONVENTIONS

    p.add_argument("--weights", metavar="FILE", default=None, help=help)
    reads(p, "weights", "--weights")
    p.add_argument("--nir-convention", choices=list(CONVENTIONS), default=None,
                   help="the exporter whose convention a .nir --weights file follows (default: detected; "
                        "norse-1.1: Norse 1.1.0, which writes its time constants as dt * tau)")


def within(args: argparse.Namespace, bounds: dict[str, tuple[float, float]]) -> None:
    """Each option ``args.<name>`` (if given) a finite number in its ``[low, high]``, else one line. The
    bounds keep numbers that would overflow, or take all memory, from reaching the work."""
    import math

    from snn_mnist.cli.main import UserError

    for name, (low, high) in bounds.items():
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise UserError(f"--{name.replace('_', '-')} must lie in [{low:,g}, {high:,g}], got {value:g}")


# --- what a command reads and writes, declared with its options, checked before any work starts -------
FIGURE_FORMATS = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".eps", ".ps")
IMAGE_FORMATS = (".png", ".jpg", ".jpeg")


def writes(p, dest: str, option: str, formats: tuple[str, ...] = (), *, directory: bool = False) -> None:
    """Declare that ``args.<dest>`` (given as ``option``) names a file (or folder) the command writes;
    ``cli.main`` checks it before the command runs."""
    p.set_defaults(_writes=[*(p.get_default("_writes") or []), (dest, option, formats, directory)])


def reads(p, dest: str, option: str) -> None:
    """Declare that ``args.<dest>`` names a file the command reads (never to be overwritten by an output)."""
    p.set_defaults(_reads=[*(p.get_default("_reads") or []), (dest, option)])



def backend(p, *, default: str, choices=BACKENDS, why: str = "") -> None:
    p.add_argument("--backend", choices=choices, default=default, help=f"Brian2 backend (default {default}{why})")


def checked(check, name: str):
    """An argparse ``type`` from one of :mod:`snn_mnist.limits`' checks: its reason, in one line, exit 2."""
    def parse(text: str):
        try:
            return check(text, name)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc).removeprefix(f"{name} ")) from None

    parse.__name__ = name  # argparse names the type in its message
    return parse


def seed(p, *, help: str = "seed of the input spike trains (default 0)") -> None:
    p.add_argument("--seed", type=checked(limits.seed, "seed"), default=0, help=help)


def threads(p, *, help: str = "OpenMP threads of the cpp backend (default 0: none)") -> None:
    p.add_argument("--threads", type=checked(limits.threads, "threads"), default=0, metavar="N",
                   help=f"{help}; at most {limits.MAX_THREADS}")


def data_dir(p, *, help: str = "MNIST directory (default: $SNN_MNIST_DATA, else the bundled sample)") -> None:
    p.add_argument("--data-dir", metavar="DIR", default=None, help=help)


def digit_range(p, *, n: int | None = None) -> None:
    """--n and --start: which digits, from the data set's start."""
    p.add_argument("--n", type=int, default=n, metavar="N",
                   help=f"number of digits (default: {n if n is not None else 'all from --start'})")
    p.add_argument("--start", type=int, default=0, metavar="K", help="index of the first digit (default 0)")


def json_out(p, *, what: str = "the results") -> None:
    p.add_argument("--json", metavar="FILE", default=None, help=f"write {what} to this JSON file")
    writes(p, "json", "--json")


def encoding(p, *, default: str | None = None) -> None:
    """``--encoding`` and its parameters: the input code (``encoding.codes``). With ``default`` None the
    network's own code stays unless one of these options is given (simulate, classify, parity)."""
    from snn_mnist.encoding import CODES, LatencyCode, PoissonCode

    group = p.add_argument_group("input code")
    keep = " (default: the network's own)" if default is None else f" (default {default})"
    group.add_argument("--encoding", choices=list(CODES), default=default, help="input code" + keep)
    group.add_argument("--max-rate", type=float, default=None, metavar="HZ",
                       help=f"poisson: rate of a white pixel in Hz (default {PoissonCode.max_rate_hz:g})")
    group.add_argument("--latency-threshold", type=float, default=None, metavar="X",
                       help="latency: intensity (fraction of white) below which a pixel stays silent "
                            f"(default {LatencyCode.threshold:g})")
    group.add_argument("--latency-window", type=float, default=None, metavar="MS",
                       help="latency: a pixel at the threshold spikes this long after the image's start, a white "
                            f"one at once (default {LatencyCode.window_ms:g} ms)")


#: each input-code option: the code it belongs to and the field it sets
CODE_OPTIONS = {"max_rate": ("poisson", "max_rate_hz"), "latency_threshold": ("latency", "threshold"),
                "latency_window": ("latency", "window_ms")}


def input_code(args: argparse.Namespace, current=None):
    """The input code the encoding options ask for, built on ``current`` (a network's own) where it is of
    the same kind, else on the code's defaults; ``current`` itself when no option is given."""
    from snn_mnist.cli.main import UserError
    from snn_mnist.encoding import CODES

    given = {option: getattr(args, option) for option in CODE_OPTIONS if getattr(args, option) is not None}
    if args.encoding is None and not given:
        return current
    kind = args.encoding or (current.kind if current is not None else "poisson")
    for option in given:
        if CODE_OPTIONS[option][0] != kind:
            raise UserError(f"--{option.replace('_', '-')} does not apply to {kind} input")
    base = current if current is not None and current.kind == kind else CODES[kind]()
    return dataclasses.replace(base, **{CODE_OPTIONS[option][1]: value for option, value in given.items()})


def with_input_code(args: argparse.Namespace, weights):
    """``weights`` with the input code the encoding options ask for (unchanged without them)."""
    code = input_code(args, weights.encoding)
    return weights if code is weights.encoding else dataclasses.replace(weights, encoding=code)


def synapse(p) -> None:
    from snn_mnist.neuron_models import SYNAPSES

    p.add_argument("--synapse", choices=list(SYNAPSES), default="delta",
                   help="synapse model: delta (a voltage jump), cuba (a decaying current), coba (decaying "
                        "conductances with reversal potentials); default delta")


def synapse_model(args: argparse.Namespace):
    """The synapse model ``--synapse`` names, with its default parameters (``neuron_models``)."""
    from snn_mnist.neuron_models import synapse_named

    return synapse_named(args.synapse)


def add_network_options(p: argparse.ArgumentParser, *, backend_default: str) -> None:
    """--model, --backend, --weights, --steps, --seed, --input and the choice of data (simulate, trace)."""
    model(p)
    backend(p, default=backend_default)
    weights(p)
    p.add_argument("--steps", type=int, default=None, metavar="T",
                   help="time steps per image (default: the steps the weights were trained with)")
    p.add_argument("--dt", type=float, default=None, metavar="MS",
                   help="simulate at this time step in ms, the image shown as long as in training and the "
                        "input keeping its rates in Hz (default: the training dt)")
    seed(p, help="seed of Brian2's random numbers and of frozen input (default 0)")
    p.add_argument("--input", choices=INPUT_MODES, default="poisson",
                   help="poisson: spikes made inside the simulation by the network's input code (Poisson draws "
                        "or latency); frozen: made once in NumPy from --seed and replayed")
    encoding(p)
    data = p.add_mutually_exclusive_group()
    data_dir(data)
    data.add_argument("--sample", action="store_true",
                      help="use the bundled sample of 300 MNIST test digits even if $SNN_MNIST_DATA is set")
    threads(p)


def network_weights(args: argparse.Namespace):
    """The weights to simulate, with ``--steps`` applied; returns weights and their file."""
    from snn_mnist.cli.main import UserError
    from snn_mnist.weights import pretrained
    from snn_mnist.weights.pretrained import resolve

    if args.steps is not None and args.steps < 1:
        raise UserError(f"--steps must be at least 1, got {args.steps}")
    weights, _ = resolve(args.model, args.weights, args.nir_convention)
    if args.steps is not None:
        weights = dataclasses.replace(weights, steps=args.steps)
    weights = with_input_code(args, weights)
    if args.dt is not None:
        try:
            weights = weights.at_dt(args.dt)
        except ValueError as exc:
            raise UserError(f"--dt {args.dt:g}: {exc}") from None
    return weights, str(Path(args.weights) if args.weights else pretrained.path(args.model))


def digits(args: argparse.Namespace, n: int | None, start: int):
    """Images, labels (int64) and a description of where they came from (``--sample`` forces the sample)."""
    from snn_mnist.digits.selection import select

    return select(args.data_dir, n, start, use_sample=args.sample)
