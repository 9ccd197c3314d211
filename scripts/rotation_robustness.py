"""Accuracy of the pretrained models against rotation: results/rotation.md, rotation.png, rotation.json.

    SNN_MNIST_DATA=/path/to/mnist python scripts/rotation_robustness.py [--n 1000] [--backend cpp]

Each of the first ``--n`` MNIST test digits is rotated counter-clockwise by every angle about its
centre of mass, in its own 28x28 frame (``digits.rotation``): nothing else changes, so the 0-degree
point is the plain test accuracy. (A user's image goes through ``digits.user_image.prepare``
instead, which re-thresholds, stretches and refits it.) The table gives how much ink left the
frame on average, which is what rotation in place costs beyond the tilt itself.

All angles of one model run in one simulation (one C++ build), with Poisson input from --seed.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.backends import BACKENDS
from snn_mnist.neuron_models.topology import TOPOLOGIES

DEFAULT_ANGLES = (0, 15, 30, 45, 60, 75, 90)


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rotated(images: np.ndarray, angles: list[float]) -> tuple[np.ndarray, list[float]]:
    """(len(angles), n, 784) uint8: every digit rotated in place at every angle; and per angle the mean
    fraction of ink that left the frame."""
    from snn_mnist.digits.rotation import rotate

    turned = [rotate(images, angle) for angle in angles]
    return np.stack([t for t, _ in turned]), [lost for _, lost in turned]


def measure(weights, images, labels, angles, *, backend, seed, threads) -> dict:
    """Accuracy at every angle, from one simulation."""
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout.spike_count import predict

    sets, lost = rotated(images, angles)  # (angles, n, 784)
    n = len(images)
    result = simulate(weights, sets.reshape(-1, sets.shape[-1]), backend=backend, seed=seed, threads=threads)
    predictions = predict(result.output_counts, result.output_first_step).reshape(len(sets), n)
    correct = (predictions == labels[None]).sum(axis=1)
    rows = [{"angle_deg": float(a), "correct": int(c), "ink_lost": f} for a, c, f in zip(angles, correct, lost)]
    for row in rows:
        row["accuracy"] = row["correct"] / n
        row["ci95"] = wilson(row["correct"], n)
    return {"rows": rows, "build_seconds": result.build_seconds, "run_seconds": result.run_seconds}


def table(results: dict) -> str:
    models = list(results)
    lines = ["| rotation | ink left the frame | " + " | ".join(models) + " |", "|---|---:|" + "---:|" * len(models)]
    for k, row in enumerate(results[models[0]]["rows"]):
        name = f"{row['angle_deg']:g}°"
        cells = [f"{100 * row['ink_lost']:.2f}%"]
        for model in models:
            r = results[model]["rows"][k]
            low, high = r["ci95"]
            cells.append(f"{100 * r['accuracy']:.1f}% ({100 * low:.1f}–{100 * high:.1f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(results: dict, example: np.ndarray, angles: list[float], title: str, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 5.6), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 4])
    for ax, angle, digit in zip(top.subplots(1, len(angles)), angles, example):
        ax.imshow(digit.reshape(28, 28), cmap="gray", vmin=0, vmax=255)
        ax.set(xticks=[], yticks=[])
        ax.set_title(f"{angle:g}°", fontsize=8)
    ax = bottom.subplots()
    for model, result in results.items():
        rows = result["rows"]
        acc = np.array([100 * r["accuracy"] for r in rows])
        err = np.array([[100 * (r["accuracy"] - r["ci95"][0]), 100 * (r["ci95"][1] - r["accuracy"])] for r in rows]).T
        ax.errorbar([r["angle_deg"] for r in rows], acc, yerr=err, marker="o", ms=4, capsize=3, label=model)
    ax.axhline(10, color="0.6", ls=":", lw=1, label="chance")
    ax.set(xlabel="rotation (degrees, counter-clockwise)", ylabel="test accuracy (%)", ylim=(0, 100),
           xticks=angles, title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)


def main(argv: list[str] | None = None) -> int:
    from snn_mnist.digits.selection import select
    from snn_mnist.weights.pretrained import loaders as model_loaders

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(TOPOLOGIES), default=None,
                        help="models to measure (default: every model with pretrained weights)")
    parser.add_argument("--weights", nargs="+", default=[], metavar="MODEL=FILE",
                        help="weights files to use instead of the pretrained ones (default: pretrained)")
    parser.add_argument("--n", type=int, default=1000, help="test digits (default 1000)")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--angles", type=float, nargs="+", default=list(DEFAULT_ANGLES))
    parser.add_argument("--backend", choices=BACKENDS, default="cpp")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Poisson input")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--data-dir", default=None, help="MNIST directory (default: $SNN_MNIST_DATA)")
    parser.add_argument("--out-dir", default="results")
    args = parser.parse_args(argv)

    loaders = model_loaders(args.weights, args.models)
    if not loaders:
        sys.exit("no pretrained weights yet (weights/pretrained/*.npz); pass --weights MODEL=FILE")
    models = list(loaders)
    images, labels, source = select(args.data_dir, args.n, args.start)
    results, provenance = {}, {}
    for model in models:
        weights = loaders[model]()
        t0 = time.perf_counter()
        results[model] = measure(weights, images, labels, args.angles, backend=args.backend, seed=args.seed,
                                 threads=args.threads)
        provenance[model] = {k: weights.provenance.get(k) for k in ("trainer", "epochs", "seed", "test_accuracy_trainer")
                             if k in weights.provenance}
        accs = ", ".join(f"{100 * r['accuracy']:.1f}" for r in results[model]["rows"])
        print(f"{model}: accuracy % at {' '.join(f'{a:g}' for a in args.angles)} deg: {accs} "
              f"[{time.perf_counter() - t0:.0f} s]", flush=True)

    out = Path(args.out_dir)
    setting = f"{len(images):,} MNIST test digits ({source}), {args.backend} backend, Poisson input seed {args.seed}"
    example = rotated(images[:1], args.angles)[0][:, 0]
    figure(results, example, args.angles, f"Accuracy against rotation ({len(images)} test digits)", out / "rotation.png")
    write_json(out / "rotation.json", {"setting": setting, "angles_deg": args.angles, "models": results,
                                       "weights": provenance})
    with atomic_path(out / "rotation.md") as tmp:
        tmp.write_text(
            "# Accuracy against rotation\n\n"
            f"{setting}. Each digit is rotated counter-clockwise about its centre of mass in its own "
            "28x28 frame (`digits.rotation`: bilinear, nothing re-thresholded or refitted), so 0° is the "
            "plain test accuracy. In brackets: 95% Wilson interval. Made by `scripts/rotation_robustness.py`.\n\n"
            f"{table(results)}\n\n![accuracy against rotation](rotation.png)\n"
        )
    print(f"wrote {out / 'rotation.md'}, {out / 'rotation.png'}, {out / 'rotation.json'}")
    return 0


if __name__ == "__main__":
    from snn_mnist.cli.main import user_errors

    try:
        sys.exit(main())
    except user_errors() as exc:  # bad input, missing data or weights: one line, no traceback
        sys.exit(f"{Path(__file__).name}: error: {exc}")
