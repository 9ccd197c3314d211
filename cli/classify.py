"""``snn-mnist classify``: your own digit (PNG or JPEG), prepared like MNIST, through a network.

The image is read in any mode, inverted if it is dark ink on light paper, rotated, cropped,
fitted into 20x20 and centred by its centre of mass in 28x28 (``digits.user_image``). The
network sees Poisson spike trains drawn from ``--seed``, so a run is reproducible; another
seed is another sample of the same rates, and a digit near a decision boundary may change
its answer with it.
"""

from __future__ import annotations

import argparse

import numpy as np

from snn_mnist import limits
from snn_mnist.cli import options


def add_digit_options(p: argparse.ArgumentParser) -> None:
    """Model, weights, rotation, seed and backend: shared with ``figures digit`` and the web page."""
    options.model(p)
    options.weights(p)
    rotation = p.add_mutually_exclusive_group()
    rotation.add_argument("--rotate", type=options.checked(limits.angle, "--rotate"), default=None, metavar="DEG",
                          help="rotate the digit by DEG degrees, counter-clockwise")
    rotation.add_argument("--rotate-range", type=options.checked(limits.angle, "--rotate-range"), nargs=2, default=None,
                          metavar=("A", "B"),
                          help="rotate by an angle drawn uniformly from [A, B] degrees with --seed")
    options.seed(p, help="seed of the input spike trains and of --rotate-range's angle (default 0)")
    options.backend(p, default="runtime", why=": for one digit, faster than compiling C++")
    options.threads(p)
    options.encoding(p)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("classify", help="classify your own digit image (PNG or JPEG)")
    p.add_argument("image", metavar="IMAGE", help="PNG or JPEG of one digit, any size, dark on light or light on dark")
    add_digit_options(p)
    options.json_out(p, what="prediction and spike counts")
    p.add_argument("--prepared", metavar="FILE", default=None,
                   help="save the 28x28 digit the network saw as an image (e.g. prepared.png)")
    options.reads(p, "image", "IMAGE")
    options.writes(p, "prepared", "--prepared", options.IMAGE_FORMATS)
    p.set_defaults(run=run)


def rotation_angle(rotate: float | None, rotate_range, seed: int) -> float:
    """The angle asked for: ``--rotate``, a draw from ``--rotate-range`` seeded by ``seed``, or 0."""
    from snn_mnist.cli.main import UserError

    if rotate_range is not None:
        low, high = rotate_range
        if not low <= high:
            raise UserError(f"--rotate-range needs A <= B, got {low:g} {high:g}")
        return float(np.random.default_rng(seed).uniform(low, high))
    return float(rotate or 0.0)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import atomic_path, write_json
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits import user_image
    from snn_mnist.readout.inspection import run_digit
    from snn_mnist.weights.pretrained import resolve

    angle = rotation_angle(args.rotate, args.rotate_range, args.seed)
    prepared = user_image.load(args.image, angle)
    weights, weights_source = resolve(args.model, args.weights, args.nir_convention)
    weights = options.with_input_code(args, weights)
    activity = run_digit(weights, prepared.flat, seed=args.seed, backend=args.backend, threads=args.threads)
    counts = activity.output_counts

    print(f"image: {args.image} ({prepared.describe()})")
    print(f"network: {args.model} ({weights_source}) on {args.backend}, seed {args.seed}, "
          f"{weights.steps} steps of {weights.dt_ms:g} ms")
    print(f"prediction: {activity.verdict}")
    width = max(3, len(str(counts.max())) + 1)
    print("output neuron:" + "".join(f"{k:>{width}}" for k in range(len(counts))))
    print("spike count:  " + "".join(f"{c:>{width}}" for c in counts))
    if args.prepared:
        from PIL import Image

        try:
            with atomic_path(args.prepared) as tmp:
                Image.fromarray(prepared.pixels).save(tmp)
        except (ValueError, OSError) as exc:
            raise UserError(f"--prepared {args.prepared}: cannot write the image ({exc})") from None
        print(f"wrote {args.prepared}")
    if args.json:
        write_json(args.json, {
            "image": str(args.image),
            "model": args.model,
            "weights": weights_source,
            "backend": args.backend,
            "seed": args.seed,
            "angle_deg": prepared.angle_deg,
            "inverted": prepared.inverted,
            "thickened": prepared.thickened,
            "prediction": activity.prediction,
            "counts": counts.tolist(),
            "first_spike_step": activity.output_first_step.tolist(),
            "readout": "most spikes; a tie goes to the neuron that fired first; -1: silent, or tied in both",
        })
    return 0
