"""Regenerate the results of the four pretrained models (issue 3) under results/.

    SNN_MNIST_DATA=/path/to/mnist python scripts/make_results.py [--n 10000] [--runtime-n 1000] [--parity-n 1000]

For each model in weights/pretrained/ it simulates the MNIST test set in Brian2 with Poisson
input on the C++ standalone backend (all ``--n`` images) and on the runtime backend (the first
``--runtime-n``, which is ~20x slower), runs the trainer-vs-Brian2 parity check on frozen input
on both backends, and writes:

    results/accuracy.md, results/results.json   accuracy table, parity, spike statistics, confusion matrices
    results/confusion_<model>.png               confusion matrix (cpp, Poisson input)
    results/training_curves.png                 loss and accuracy per epoch (results/training/*.json)
    results/seven_lif-lif_input.png, seven_lif-lif_raster.png, seven_lif-lif_traces.png, seven_lif-lif_voltage.gif
                                                the bundled photo of a seven through LIF-LIF (snn-mnist figures digit)

Every random draw follows ``--seed``: Brian2's Poisson input and the frozen parity spike trains.
How much the cpp accuracy depends on the draw comes from the sweep ``results/sweeps/poisson_seeds.toml``
(all test digits at five seeds, a Dask task a point, its table ``poisson_seeds.csv`` beside it): run
here on a local cluster, it computes only the points its table lacks.
"""

from __future__ import annotations

import argparse
import json
import platform
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.digits import mnist
from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.readout.figures import confusion_figure
from snn_mnist.readout.metrics import accuracy, confusion
from snn_mnist.readout.spike_count import predict, tally
from snn_mnist.trainer.model import reference_counts
from snn_mnist.trainer.parity import compare
from snn_mnist.weights import pretrained

ROOT = Path(__file__).resolve().parents[1]

MODELS_IN_TABLE_ORDER = ("lif-lif", "if-lif", "lif-if", "if-if")
RESULTS = ROOT / "results"


def spike_statistics(sim) -> dict:
    """Mean spikes per image per layer and how many hidden neurons stay silent."""
    return {
        "input_spikes_per_image": float(sim.input_counts.sum(1).mean()),
        "hidden_spikes_per_image": float(sim.hidden_counts.sum(1).mean()),
        "output_spikes_per_image": float(sim.output_counts.sum(1).mean()),
        "silent_hidden_share_per_image": float((sim.hidden_counts == 0).mean()),
        "hidden_never_firing": int((sim.hidden_counts.sum(0) == 0).sum()),
        "images_without_output_spike": tally(sim.output_counts, sim.output_first_step)["silent"],
    }


def _predictions(sim):
    return predict(sim.output_counts, sim.output_first_step)


SEED_SWEEP = RESULTS / "sweeps" / "poisson_seeds.toml"


def seed_sweep(data_dir: str | None) -> dict[str, tuple[list[int], list[float]]]:
    """Per model, the seeds and the cpp accuracy at each, from the sweep (run for the points not done)."""
    from snn_mnist.sweep import run as runner
    from snn_mnist.sweep.spec import load

    spec, table = load(SEED_SWEEP), SEED_SWEEP.with_suffix(".csv")
    with runner.cluster() as client:
        runner.sweep(spec, table, client, data_dir=data_dir)
    spread: dict[str, dict[int, float]] = {}
    for row in runner.finished_rows(spec, table):
        spread.setdefault(row["model"], {})[int(row["seed"])] = float(row["accuracy"])
    return {model: (sorted(acc), [acc[s] for s in sorted(acc)]) for model, acc in spread.items()}


def evaluate(model: str, images, labels, args, spread) -> dict:
    weights = pretrained.load(model)
    n_run = min(args.runtime_n, len(images))
    cpp = simulate(weights, images, backend="cpp", seed=args.seed, record_hidden=True, record_input=True)
    runtime = simulate(weights, images[:n_run], backend="runtime", seed=args.seed)
    pred = predict(cpp.output_counts, cpp.output_first_step)
    seeds, seed_accuracy = spread[model]
    matrix = confusion(pred, labels)
    confusion_figure(matrix, RESULTS / f"confusion_{model}.png",
                     title=f"{model}: Brian2 cpp, {len(images)} test images")
    parity = {
        backend: compare(weights, images[: args.parity_n], labels[: args.parity_n], backend=backend, seed=args.seed)
        for backend in ("runtime", "cpp")
    }
    trainer = reference_counts(weights, input_spikes(images, weights, args.seed))
    return {
        "model": model,
        # the trainer's model (float64) on frozen input drawn with the seed, read out by the same rule as Brian2
        "trainer_test_accuracy": accuracy(predict(trainer.output, trainer.output_first_step), labels),
        "trainer_readout": tally(trainer.output, trainer.output_first_step),
        "epochs": weights.provenance.get("epochs"),
        "cpp": {"n_images": len(images), "accuracy": accuracy(pred, labels),
                "build_seconds": cpp.build_seconds, "run_seconds": cpp.run_seconds,
                "confusion": matrix.tolist(), "readout": tally(cpp.output_counts, cpp.output_first_step),
                "seeds": seeds, "accuracy_per_seed": seed_accuracy},
        "runtime": {"n_images": n_run, "accuracy": accuracy(_predictions(runtime), labels[:n_run]),
                    "run_seconds": runtime.run_seconds},
        "parity": parity,
        "spikes": spike_statistics(cpp),
    }


def training_curves(models) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    for model in models:
        path = RESULTS / "training" / f"{model}.json"
        if not path.is_file():
            continue
        history = json.loads(path.read_text())
        epochs = [h["epoch"] for h in history]
        (line,) = ax_loss.plot(epochs, [h["train_loss"] for h in history], label=f"{model} train")
        ax_loss.plot(epochs, [h["test_loss"] for h in history], "--", color=line.get_color(), label=f"{model} test")
        ax_acc.plot(epochs, [100 * h["test_accuracy"] for h in history], marker="o", ms=3, label=model)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy on spike counts", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", title="trainer test accuracy (Poisson input)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(RESULTS / "training_curves.png") as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def digit_figures() -> None:
    """The figures of one digit: the bundled photo of a seven (digits/examples/seven.jpg) through LIF-LIF."""
    from snn_mnist.cli.main import main as snn_mnist

    snn_mnist(["figures", "digit", str(ROOT / "digits" / "examples" / "seven.jpg"), "--model", "lif-lif",
               "--out-dir", str(RESULTS), "--name", "seven_lif-lif"])


def seed_spread(cpp: dict) -> str:
    """Accuracy over the Poisson seeds as 'mean ± sd (min–max), n seeds'."""
    acc = 100 * np.array(cpp["accuracy_per_seed"])
    if len(acc) < 2:
        return "-"
    return f"{acc.mean():.2f} ± {acc.std(ddof=1):.2f} ({acc.min():.2f}–{acc.max():.2f}), {len(acc)} seeds"


def table(rows: list[dict]) -> str:
    pct = lambda x: "n/a" if x is None else f"{100 * x:.2f}"  # noqa: E731
    lines = [
        "# Pretrained models: accuracy, parity and spikes",
        "",
        "Made by `python scripts/make_results.py` "
        f"(seed {rows[0]['seed']}, {platform.processor() or platform.machine()}). Accuracy in %, on MNIST test images,",
        "Poisson input drawn inside the simulation (it depends on the seed).",
        "",
        "| model | epochs | trainer (PyTorch, frozen input) | Brian2 cpp | Brian2 cpp over Poisson seeds: mean ± sd (min–max) "
        "| Brian2 runtime | parity runtime: labels / counts | parity cpp: labels / counts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        p_rt, p_cpp = r["parity"]["runtime"], r["parity"]["cpp"]
        lines.append(
            f"| {r['model']} | {r['epochs']} | {pct(r['trainer_test_accuracy'])} ({r['cpp']['n_images']:,}) "
            f"| {pct(r['cpp']['accuracy'])} ({r['cpp']['n_images']:,}) "
            f"| {seed_spread(r['cpp'])} "
            f"| {pct(r['runtime']['accuracy'])} ({r['runtime']['n_images']:,}) "
            f"| {pct(p_rt['label_agreement'])} / {pct(p_rt['count_agreement'])} ({p_rt['n_images']:,}) "
            f"| {pct(p_cpp['label_agreement'])} / {pct(p_cpp['count_agreement'])} ({p_cpp['n_images']:,}) |"
        )
    lines += [
        "",
        "The readout (`readout/spike_count.py`): the output neuron with the most spikes; a tie in spike count",
        "goes to the tied neuron that fired first; an image on which the tied neurons also first fired in the",
        "same step, or no output neuron fired, gets no class and counts as an error. The trainer's column runs",
        "its model (float64) on input spikes frozen from the same seed, read out by the same rule.",
        "",
        "| model | ties in spike count, Brian2 cpp | broken by the first spike | undecided | silent images "
        "| ties, trainer | broken | undecided | silent |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b, t = r["cpp"]["readout"], r["trainer_readout"]
        keys = ("ties", "ties_broken_by_first_spike", "ties_undecided", "silent")
        lines.append(f"| {r['model']} | " + " | ".join(str(b[k]) for k in keys) + " | "
                     + " | ".join(str(t[k]) for k in keys) + " |")
    lines += [
        "",
        "Parity: the trainer's discrete-time model (float64, mV) and the Brian2 network on identical frozen",
        "input spike trains; *labels* is the share of images with the same predicted class, *counts* the",
        "share whose ten output spike counts are all identical.",
        "",
        "## Spikes per image (Brian2 cpp, test set)",
        "",
        "| model | input | hidden | output | hidden neurons silent on an image | hidden neurons never firing | images with no output spike |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["spikes"]
        lines.append(
            f"| {r['model']} | {s['input_spikes_per_image']:.1f} | {s['hidden_spikes_per_image']:.1f} "
            f"| {s['output_spikes_per_image']:.1f} | {100 * s['silent_hidden_share_per_image']:.1f}% "
            f"| {s['hidden_never_firing']} | {s['images_without_output_spike']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--runtime-n", type=int, default=1000)
    parser.add_argument("--parity-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=list(MODELS_IN_TABLE_ORDER))
    args = parser.parse_args()
    images, labels = mnist.load("test", args.data_dir)
    images, labels = images[: args.n], labels[: args.n].astype(np.int64)
    rows = []
    spread = seed_sweep(args.data_dir)
    for model in args.models:
        row = evaluate(model, images, labels, args, spread)
        row["seed"] = args.seed
        rows.append(row)
        print(f"{model}: cpp {row['cpp']['accuracy']:.4f}, runtime {row['runtime']['accuracy']:.4f}, "
              f"parity cpp labels {row['parity']['cpp']['label_agreement']:.4f}", flush=True)
    training_curves(args.models)
    digit_figures()
    write_json(RESULTS / "results.json", rows)
    with atomic_path(RESULTS / "accuracy.md") as tmp:
        tmp.write_text(table(rows))
    print((RESULTS / "accuracy.md").read_text())


if __name__ == "__main__":
    main()
