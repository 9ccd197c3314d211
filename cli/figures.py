"""``snn-mnist figures``: pictures of what the networks do, written to a folder (default results/).

``figures digit``      one digit (your image, or an MNIST test digit by --index): its input
                       spike map, the hidden and output spike rasters, the membrane potentials
                       as a still (PNG) and as an animation (GIF)
``figures confusion``  the confusion matrix of each model on MNIST test digits
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from snn_mnist.cli import options
from snn_mnist.weights.pretrained import NAMES

SHOWN_HIDDEN = 4  # hidden neurons drawn by default: the most active ones


def _file_name(text: str) -> str:
    """``--name``: a plain file name prefix, never a path out of ``--out-dir``."""
    if not text or text in (".", "..") or "/" in text or "\\" in text or "\0" in text:
        raise argparse.ArgumentTypeError(f"must be a plain file name prefix (no folders), got {text!r}")
    return text


def add_parser(subparsers) -> None:
    from snn_mnist.cli.classify import add_digit_options

    p = subparsers.add_parser("figures", help="draw spike maps, rasters, voltage animations, confusion matrices")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND")

    d = kinds.add_parser("digit", help="input spike map, rasters and voltage traces (PNG and GIF) of one digit")
    d.add_argument("image", nargs="?", metavar="IMAGE", help="PNG or JPEG of a digit (or give --index)")
    d.add_argument("--index", type=int, default=None, metavar="I", help="MNIST test digit I instead of an image")
    options.data_dir(d, help="MNIST directory for --index (default: $SNN_MNIST_DATA, else the bundled sample)")
    add_digit_options(d)
    d.add_argument("--neurons", nargs="+", default=None, metavar="LAYER:WHICH",
                   help="neurons whose potential is drawn, e.g. output:all hidden:3,17 "
                        f"(default: all output neurons and the {SHOWN_HIDDEN} most active hidden ones)")
    d.add_argument("--fps", type=float, default=6.0, help="frames (time steps) per second of the GIF")
    d.add_argument("--out-dir", default="results", metavar="DIR", help="folder for the figures (default results)")
    d.add_argument("--name", type=_file_name, default=None,
                   help="file name prefix (default: image name or mnistI, and the model)")
    options.reads(d, "image", "IMAGE")
    options.writes(d, "out_dir", "--out-dir", directory=True)
    d.set_defaults(run=run_digit_figures)

    c = kinds.add_parser("confusion", help="confusion matrix of each model on MNIST test digits")
    c.add_argument("--models", nargs="+", choices=NAMES, default=None, metavar="MODEL",
                   help="models to draw (default: every model with pretrained weights)")
    options.weights(c, help="weights file (only with one --models entry)")
    options.digit_range(c)
    options.data_dir(c)
    options.backend(c, default="cpp")
    options.seed(c, help="seed of the Poisson input (default 0)")
    options.threads(c)
    c.add_argument("--out-dir", default="results", metavar="DIR", help="folder for the figures (default results)")
    options.writes(c, "out_dir", "--out-dir", directory=True)
    c.set_defaults(run=run_confusion)


def _digit(args: argparse.Namespace, angle: float):
    """The prepared digit (PreparedDigit or raw MNIST pixels), its label if known, and a name."""
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits import user_image
    from snn_mnist.digits.selection import select

    if (args.image is None) == (args.index is None):
        raise UserError("give either an IMAGE or --index I")
    if args.image is not None:
        prepared = user_image.load(args.image, angle)
        return prepared.flat, None, Path(args.image).stem, prepared
    images, labels, source = select(args.data_dir, 1, args.index, start_name="--index")
    pixels = images[0]
    if angle:
        pixels = user_image.prepare(user_image.mnist_digit(pixels), angle).flat
    return pixels, int(labels[0]), f"mnist{args.index}", None


def run_digit_figures(args: argparse.Namespace) -> int:
    from snn_mnist.cli.classify import rotation_angle
    from snn_mnist.readout import figures
    from snn_mnist.readout.inspection import most_active, run_digit
    from snn_mnist.weights.pretrained import resolve

    options.within(args, {"fps": (0.01, 100)})
    angle = rotation_angle(args.rotate, args.rotate_range, args.seed)
    pixels, label, stem, prepared = _digit(args, angle)
    weights, weights_source = resolve(args.model, args.weights, args.nir_convention)
    weights = options.with_input_code(args, weights)
    topology = weights.topology
    sizes = {"hidden": topology.n_hidden, "output": topology.n_outputs}
    if args.neurons:
        from snn_mnist.cli.trace import parse_neurons

        recorded = parse_neurons(args.neurons, sizes)
    else:
        recorded = {layer: tuple(range(n)) for layer, n in sizes.items()}
    activity = run_digit(weights, pixels, seed=args.seed, backend=args.backend, voltages=recorded,
                         threads=args.threads)
    if not args.neurons:  # draw the busiest hidden neurons, not the first ones
        busiest = most_active(activity.hidden_counts, SHOWN_HIDDEN)
        _, times, v = activity.voltages["hidden"]
        activity = dataclasses.replace(activity, voltages={**activity.voltages,
                                                           "hidden": (busiest, times, v[list(busiest)])})

    name = args.name or f"{stem}_{args.model}"
    out = Path(args.out_dir)
    about = f"{args.model}, {stem}" + (f" (label {label})" if label is not None else "")
    about += f", rotated {angle:.0f} deg" if angle else ""
    title = f"{about}: predicted {activity.verdict}"
    layers = [activity.layer_trace(layer) for layer in ("hidden", "output") if layer in activity.voltages]
    paths = {
        "input": out / f"{name}_input.png",
        "raster": out / f"{name}_raster.png",
        "traces": out / f"{name}_traces.png",
        "animation": out / f"{name}_voltage.gif",
    }
    figures.input_spike_map_figure(activity.pixels, activity.input_spikes, weights.dt_ms, paths["input"], title)
    figures.raster_figure(activity.layer_trace("hidden"), activity.layer_trace("output"), weights.duration_ms,
                          paths["raster"], title, prediction=activity.prediction)
    figures.trace_figure(layers, paths["traces"], title)
    figures.voltage_animation(layers, paths["animation"], title=f"{args.model}, predicted {activity.verdict}",
                              fps=args.fps)
    read = f" ({prepared.describe()})" if prepared is not None else ""
    print(f"{stem}{read}: {args.model} ({weights_source}) predicts {activity.verdict}, "
          f"output spike counts {activity.output_counts.tolist()}")
    for path in paths.values():
        print(f"wrote {path}")
    return 0


def run_confusion(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import write_json
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits.selection import select
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout import figures, metrics
    from snn_mnist.readout.spike_count import predict, tally
    from snn_mnist.weights import pretrained
    from snn_mnist.weights.pretrained import resolve

    models = args.models or pretrained.available()
    if not models:
        raise UserError("no pretrained weights yet; name --models and --weights FILE")
    if args.weights and len(models) != 1:
        raise UserError("--weights goes with exactly one --models entry")
    images, labels, source = select(args.data_dir, args.n, args.start)
    out = Path(args.out_dir)
    for model in models:
        weights, weights_source = resolve(model, args.weights, args.nir_convention)
        result = simulate(weights, images, backend=args.backend, seed=args.seed, threads=args.threads)
        predictions = predict(result.output_counts, result.output_first_step)
        accuracy = metrics.accuracy(predictions, labels)
        matrix = metrics.confusion(predictions, labels, weights.topology.n_outputs)
        path = out / f"confusion_{model}.png"
        figures.confusion_figure(matrix, path, title=f"{model}: accuracy {accuracy:.2%} on {len(images)} test digits")
        write_json(path.with_suffix(".json"), {
            "model": model, "weights": weights_source, "data": source, "n_images": len(images),
            "start": args.start, "backend": args.backend, "seed": args.seed, "accuracy": accuracy,
            "confusion": matrix.tolist(), **tally(result.output_counts, result.output_first_step),
        })
        print(f"{model}: accuracy {accuracy:.4f} on {len(images)} digits ({source}); wrote {path}")
    return 0
