"""The accuracy-energy frontier: results/energy.md, results/energy.json and results/energy.png.

    SNN_MNIST_DATA=/path/to/mnist python scripts/energy_frontier.py [--n 10000] [--jobs 2]
        [--weights NAME=FILE ...]
    python scripts/energy_frontier.py --reprice   # the tables again from results/energy.json's measured events

Every bundled model (``snn-mnist models``), the low-energy networks trained by
``scripts/train_energy.sh`` (``weights/checkpoints/energy-*/weights.npz``, where present) and any
``--weights`` are simulated in Brian2 (cpp, input made inside the simulation, seed 0) on the first
``--n`` MNIST test digits, and their operations are counted in the simulation
(``readout.energy``): synaptic events per image, priced at 0.9 pJ (the headline energy), and with
the neuron updates (the multiplies and adds of the state update Brian2 generates, every neuron every
step) at 3.7 and 0.9 pJ. ``--reprice`` counts and prices the events measured in ``energy.json`` again
with today's ``readout.energy`` (the updates depend on the network's shape, not on its run). The same-shape ANN sits on the same axes, dense and
zero-skipping, from ``results/snn_vs_ann.json`` (``scripts/snn_vs_ann.py``: trained with the SNNs'
recipe, mean of three seeds). Accuracy depends on the Poisson draw (seed 0) for rate-coded
networks; latency-coded input has no random draw.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.readout.energy import SOURCE, ann_cost, snn_cost

ROOT = Path(__file__).resolve().parents[1]
GOALS = ((0.980, 92.0), (0.975, 37.0))  # (accuracy at least, nJ per image at most): half and a fifth of the ANN's
ANN_ZERO_SKIPPING_NJ = 184.0  # the goal's reference: energy_with_updates must stay below it


def measure(name: str, path: str, n: int, data_dir: str | None, seed: int) -> dict:
    """One Brian2 cpp run of the weights in ``path`` on the first ``n`` test digits."""
    from snn_mnist.digits.selection import select
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout.metrics import accuracy
    from snn_mnist.readout.spike_count import predict
    from snn_mnist.weights import load

    weights = load(path)
    images, labels, _ = select(data_dir, n, 0)
    sim = simulate(weights, images, backend="cpp", seed=seed)
    t, file = weights.topology, Path(path).resolve()
    return priced({
        "name": name, "weights": str(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file),
        "topology": f"{t.name} 784-{t.n_hidden}-10", "synapse": weights.synapse.kind,
        "encoding": weights.encoding.to_dict(), "steps": weights.steps, "dt_ms": weights.dt_ms,
        "accuracy": accuracy(predict(sim.output_counts, sim.output_first_step), labels),
        "input_spikes_per_image": sim.synaptic_events["input_hidden"] / len(images) / t.n_hidden,
        "hidden_spikes_per_image": sim.synaptic_events["hidden_output"] / len(images) / t.n_outputs,
    }, weights, sim.synaptic_events, len(images))


def priced(row: dict, weights, synaptic_events: dict, n_images: int) -> dict:
    """``row`` with the cost of its run's synaptic events and its network's neuron updates."""
    cost = snn_cost(weights, synaptic_events, n_images)
    stale = [k for k in row if k.startswith(("neuron_update", "energy_", "synaptic_events_per_image"))]
    return {**{k: v for k, v in row.items() if k not in stale}, **cost.to_json()}


def ann_points() -> list[dict]:
    data = json.loads((ROOT / "results" / "snn_vs_ann.json").read_text())["ann"]
    points = []
    for label, macs in (("ANN 784-256-10, dense", data["macs_dense"]),
                        ("ANN 784-256-10, zero inputs and activations skipped", data["macs_zero_skipping"])):
        points.append({"name": label, "accuracy": data["accuracy"], "macs_per_image": macs,
                       "energy_nJ_per_image": ann_cost(784, 256, 10).energy_nJ * macs / data["macs_dense"]})
    return points


def table(rows: list[dict], anns: list[dict]) -> str:
    lines = ["| network | input | accuracy | spikes per image, input / hidden | synaptic events per image "
             "| energy (nJ) | with neuron updates (nJ) |", "|---|---|---:|---|---:|---:|---:|"]
    for r in sorted(rows, key=lambda r: r["energy_nJ_per_image"]):
        code = r["encoding"]
        text = (f"latency {code['threshold']:g}, {code['window_ms']:g} ms" if code["type"] == "latency"
                else f"Poisson {code['max_rate_hz']:g} Hz")
        lines.append(f"| {r['name']} ({r['topology']}, {r['synapse']}) | {text}, {r['steps']} x {r['dt_ms']:g} ms "
                     f"| {100 * r['accuracy']:.2f}% | {r['input_spikes_per_image']:,.0f} / "
                     f"{r['hidden_spikes_per_image']:,.0f} | {r['synaptic_events_per_image']:,.0f} "
                     f"| {r['energy_nJ_per_image']:,.1f} | {r['energy_with_updates_nJ_per_image']:,.1f} |")
    for a in anns:
        lines.append(f"| {a['name']} | pixels | {100 * a['accuracy']:.2f}% | – | {a['macs_per_image']:,.0f} MACs "
                     f"| {a['energy_nJ_per_image']:,.1f} | {a['energy_nJ_per_image']:,.1f} |")
    return "\n".join(lines)


def goals(rows: list[dict]) -> str:
    lines = []
    for accuracy, nJ in GOALS:
        on_events = [r for r in rows if r["accuracy"] >= accuracy and r["energy_nJ_per_image"] <= nJ]
        met = [r for r in on_events if r["energy_with_updates_nJ_per_image"] < ANN_ZERO_SKIPPING_NJ]
        best = max((r for r in rows if r["energy_nJ_per_image"] <= nJ), key=lambda r: r["accuracy"], default=None)
        if met:
            verdict = f"**met** by {', '.join(r['name'] for r in met)}"
        elif on_events:
            verdict = ("**not met**: on the synaptic events by " + ", ".join(
                f"{r['name']} ({100 * r['accuracy']:.2f}% at {r['energy_nJ_per_image']:.1f} nJ)" for r in on_events)
                + ", but not with the neuron updates (" + ", ".join(
                f"{r['energy_with_updates_nJ_per_image']:,.1f} nJ" for r in on_events) + ")")
        else:
            verdict = "**not met**" + (f": the most accurate network within {nJ:g} nJ is {best['name']} at "
                                       f"{100 * best['accuracy']:.2f}%" if best else f": no network within {nJ:g} nJ")
        lines.append(f"- at least {100 * accuracy:.1f}% at most {nJ:g} nJ per image (and under "
                     f"{ANN_ZERO_SKIPPING_NJ:g} nJ with the updates): {verdict}")
    return "\n".join(lines)


def plot(rows: list[dict], anns: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    groups: dict = {}  # networks of one synapse model and input code sit together: one label for them
    for r in rows:
        latency = r["encoding"]["type"] == "latency"
        ax.scatter(r["energy_nJ_per_image"], 100 * r["accuracy"], marker="o" if latency else "s",
                   color="tab:green" if latency else ("tab:blue" if r["synapse"] == "delta" else "tab:purple"))
        key = (r["synapse"], r["encoding"]["type"], r["steps"], r["topology"].split()[1])
        groups.setdefault(key if not latency else r["name"], []).append(r)
    for members in groups.values():
        spikes = [r["input_spikes_per_image"] + r["hidden_spikes_per_image"] for r in members]
        best = max(members, key=lambda r: r["accuracy"])
        names = ", ".join(r["name"].split("-" + best["synapse"])[0] for r in members)
        label = best["name"] if len(members) == 1 else f"{len(members)} {best['synapse']} networks ({names})"
        ax.annotate(f"{label}\n{min(spikes):,.0f}-{max(spikes):,.0f} spikes" if len(members) > 1
                    else f"{label}\n{spikes[0]:,.0f} spikes", (best["energy_nJ_per_image"], 100 * best["accuracy"]),
                    fontsize=7, xytext=(4, 2), textcoords="offset points")
    for a in anns:
        ax.scatter(a["energy_nJ_per_image"], 100 * a["accuracy"], marker="D", color="tab:red")
        short = "ANN, dense" if "dense" in a["name"] else "ANN, zeros skipped"
        ax.annotate(short, (a["energy_nJ_per_image"], 100 * a["accuracy"]), fontsize=7, xytext=(-6, 4),
                    textcoords="offset points", ha="right")
    for accuracy, nJ in GOALS:
        ax.plot([nJ], [100 * accuracy], marker="*", color="gold", markersize=14, markeredgecolor="black")
    ax.set_xscale("log")
    ax.set_xlabel("energy per image (nJ, synaptic events at 0.9 pJ; ANN: MACs at 4.6 pJ)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Accuracy against energy (stars: the goals)")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--weights", nargs="+", default=[], metavar="NAME=FILE")
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    parser.add_argument("--replot", action="store_true", help="only draw energy.png again from energy.json")
    parser.add_argument("--reprice", action="store_true",
                        help="count and price energy.json's measured events again with today's readout.energy")
    args = parser.parse_args(argv)
    out = Path(args.out_dir)
    if args.replot:
        data = json.loads((out / "energy.json").read_text())
        plot(data["snn"], data["ann"], out / "energy.png")
        return 0
    if args.reprice:
        from snn_mnist.weights import load

        data = json.loads((out / "energy.json").read_text())
        rows = [priced(r, load(ROOT / r["weights"]), r["synaptic_events_per_image_by_pathway"], 1) for r in data["snn"]]
        return report(rows, data["n_images"], data["seed"], out)
    from snn_mnist.weights import pretrained

    networks = {name: str(pretrained.path(name)) for name in pretrained.available()}
    bundled = {Path(p).read_bytes() for p in networks.values()}
    networks |= {p.parent.name.removeprefix("energy-"): str(p)  # those not bundled already
                 for p in sorted((ROOT / "weights" / "checkpoints").glob("energy-*/weights.npz"))
                 if p.read_bytes() not in bundled}
    networks |= dict(item.split("=", 1) for item in args.weights)
    work = [(name, path, args.n, args.data_dir, args.seed) for name, path in networks.items()]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(measure, *zip(*work)))
    else:
        rows = [measure(*job) for job in work]
    return report(rows, args.n, args.seed, out)


def report(rows: list[dict], n: int, seed: int, out: Path) -> int:
    anns = ann_points()
    plot(rows, anns, out / "energy.png")
    write_json(out / "energy.json", {"n_images": n, "seed": seed, "prices": SOURCE, "snn": rows, "ann": anns})
    text = "\n".join([
        "# Accuracy against energy", "",
        f"Made by `scripts/energy_frontier.py` on {n:,} MNIST test digits, Brian2 cpp, input made inside the "
        f"simulation (seed {seed}). Operations counted in the simulation ({SOURCE}); the neuron updates as "
        "Brian2 generates them, every neuron every step (coba's expm1 counted, not priced); the ANN from "
        "`results/snn_vs_ann.json`.", "",
        table(rows, anns), "", "Goals:", "", goals(rows), "",
        "Caveats: arithmetic only (moving weights and state costs more than computing with them); the "
        "savings per operation appear only on event-driven hardware; on a CPU or GPU the SNN is simulated "
        "step by step and costs far more than the ANN.", "",
        "![accuracy against energy](energy.png)", "",
    ])
    with atomic_path(out / "energy.md") as tmp:
        tmp.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
