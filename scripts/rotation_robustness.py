"""Accuracy of the pretrained models against rotation: results/rotation.md, rotation.png, rotation.json.

    SNN_MNIST_DATA=/path/to/mnist python scripts/rotation_robustness.py [--spec results/sweeps/rotation.toml]
        [--workers N | --scheduler ADDRESS]

A thin wrapper around the sweep ``results/sweeps/rotation.toml`` (``snn-mnist sweep``): every
(model, angle) is a point, run as a Dask task on the C++ backend, its row kept in the table beside
the spec (``rotation.csv``), so a rerun computes only the points it lacks. Each of the spec's test
digits is rotated counter-clockwise by the angle about its centre of mass, in its own 28x28 frame
(``digits.rotation``): nothing else changes, so the 0-degree point is the plain test accuracy. (A
user's image goes through ``digits.user_image.prepare`` instead, which re-thresholds, stretches and
refits it.) The table gives how much ink left the frame on average, which is what rotation in place
costs beyond the tilt itself. Poisson input from the spec's seed at every angle.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path, write_json

ROOT = Path(__file__).resolve().parents[1]


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


def from_table(spec, table: Path) -> tuple[dict, dict]:
    """Per model (or weights file), in the spec's order, the rows of the sweep's table by angle, with their
    95% intervals; and the digits' count, first index and seed."""
    from snn_mnist.sweep.run import finished_rows

    results: dict[str, dict] = {}
    setting = {}
    for row in finished_rows(spec, table):
        n, correct = int(row.get("n") or 1000), int(row["correct"])
        setting = {"n": n, "start": int(row.get("start") or 0), "seed": int(row.get("seed") or 0)}
        rows = results.setdefault(row.get("model") or row["weights"], {"rows": []})["rows"]
        rows.append({"angle_deg": float(row.get("rotate") or 0), "correct": correct, "ink_lost": float(row["ink_lost"]),
                     "accuracy": correct / n, "ci95": wilson(correct, n)})
    for result in results.values():
        result["rows"].sort(key=lambda r: r["angle_deg"])
    return results, setting


def main(argv: list[str] | None = None) -> int:
    from snn_mnist.digits.selection import select
    from snn_mnist.sweep import run as runner
    from snn_mnist.sweep.spec import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default=str(ROOT / "results" / "sweeps" / "rotation.toml"),
                        help="the sweep (default results/sweeps/rotation.toml); its table is SPEC with .csv")
    parser.add_argument("--workers", type=int, default=None, help="local Dask workers (default: one a core)")
    parser.add_argument("--scheduler", default=None, help="a running Dask scheduler's address instead")
    parser.add_argument("--data-dir", default=None, help="MNIST directory (default: $SNN_MNIST_DATA)")
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    args = parser.parse_args(argv)

    spec = load(args.spec)
    table_path = Path(args.spec).with_suffix(".csv")
    with runner.cluster(scheduler=args.scheduler, workers=args.workers) as client:
        summary = runner.sweep(spec, table_path, client, data_dir=args.data_dir)
    if summary.failed:
        sys.exit("rotation sweep: " + "; ".join(summary.errors))
    results, setting = from_table(spec, table_path)
    angles = sorted({r["angle_deg"] for result in results.values() for r in result["rows"]})
    for model, result in results.items():
        accs = ", ".join(f"{100 * r['accuracy']:.1f}" for r in result["rows"])
        print(f"{model}: accuracy % at {' '.join(f'{a:g}' for a in angles)} deg: {accs}", flush=True)

    out = Path(args.out_dir)
    images, _, source = select(args.data_dir, 1, setting["start"])
    text = (f"{setting['n']:,} MNIST test digits from index {setting['start']} ({source}), cpp backend, "
            f"Poisson input seed {setting['seed']}; each model and angle a point of the sweep "
            f"`{Path(args.spec).name}` (one simulation each)")
    example = rotated(images[:1], angles)[0][:, 0]
    figure(results, example, angles, f"Accuracy against rotation ({setting['n']} test digits)", out / "rotation.png")
    write_json(out / "rotation.json", {"setting": text, "angles_deg": angles, "models": results,
                                       "spec": str(Path(args.spec).name)})
    with atomic_path(out / "rotation.md") as tmp:
        tmp.write_text(
            "# Accuracy against rotation\n\n"
            f"{text}. Each digit is rotated counter-clockwise about its centre of mass in its own "
            "28x28 frame (`digits.rotation`: bilinear, nothing re-thresholded or refitted), so 0° is the "
            "plain test accuracy. In brackets: 95% Wilson interval. Made by `scripts/rotation_robustness.py` "
            "(the sweep `results/sweeps/rotation.toml`, its rows in `rotation.csv` beside it).\n\n"
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
