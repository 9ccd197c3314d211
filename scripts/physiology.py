"""How physiological each bundled model is, and how well it classifies: results/physiology.md (+ .json).

    SNN_MNIST_DATA=/path/to/mnist python scripts/physiology.py [--weights FILE ...] [--n 10000] [--dt 0.1]
        [--jobs 2]

For every bundled model (``snn-mnist models``; or the given weights files) this simulates the first
``--n`` MNIST test digits in Brian2 (cpp, Poisson input drawn inside the simulation, ``--seed``) twice:
at the time step the network was trained with and at ``--dt`` (0.1 ms: the image shown as long, the
input at the same rates in Hz). For each run it reports the accuracy and what the simulation tracked
inside itself (``networks.builder``, ``track_potentials``): every neuron's lowest and highest
membrane potential over all digits, the mean firing rate of each layer and the synaptic events per
digit. The physiological standard checked: potentials within [E_inh, threshold + 5 mV] = [-80, -45]
mV, hidden neurons at 30 Hz or less, input at 100 Hz or less, images of 100 ms or less, and the
fine-dt accuracy within 0.5 point of the training-dt accuracy. The delta models are the seeds'
baseline and are expected to fail it.

Run on the bundled models over the whole test set (the defaults), it also writes what it measured into
``weights/pretrained/measured.json``, which ``snn-mnist models`` shows, and draws the same test digit
through the delta and the coba LIF-LIF (``snn-mnist trace``, the coba one at 0.1 ms) into
``results/trace_lif-lif.png`` and ``results/trace_lif-lif-coba.png`` (``--traces-only``: just those).
``--jobs`` runs that many simulations at once, each in its own process and build directory.
``--parity-n`` (default 1000; 0: none) also compares each network with the trainer's model on that
many digits of identical frozen input at its training dt (``snn-mnist parity``, cpp, float64; needs
PyTorch): label and spike-count agreement.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.digits.selection import select
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.energy import snn_cost
from snn_mnist.readout.metrics import accuracy
from snn_mnist.readout.spike_count import predict
from snn_mnist.weights import load, pretrained

ROOT = Path(__file__).resolve().parents[1]
BOUNDS_MV = (-80.0, -45.0)
MAX_HIDDEN_HZ, MAX_INPUT_HZ, MAX_IMAGE_MS, MAX_ACCURACY_DROP = 30.0, 100.0, 100.0, 0.005


def run(path: Path, dt_ms: float | None, n: int, data_dir: str | None, seed: int, backend: str = "cpp") -> dict:
    """One Brian2 run of the weights in ``path`` over the first ``n`` test digits, at ``dt_ms`` (None: the
    training time step)."""
    weights = load(path)
    weights = weights if dt_ms is None else weights.at_dt(dt_ms)
    images, labels, _ = select(data_dir, n, 0)
    sim = simulate(weights, images, backend=backend, seed=seed, track_potentials=True)
    cost = snn_cost(weights, sim.synaptic_events, len(images))
    return {"dt_ms": weights.dt_ms, "steps": weights.steps,
            "accuracy": accuracy(predict(sim.output_counts, sim.output_first_step), labels),
            "physiology": sim.physiology, "synaptic_events_per_image": cost.total_events,
            "energy_nJ_per_image": cost.energy_nJ, "run_seconds": sim.run_seconds}


def parity(path: Path, n: int, data_dir: str | None, seed: int, backend: str = "cpp") -> dict:
    """The trainer's model against Brian2 on the first ``n`` test digits of identical frozen input."""
    from snn_mnist.trainer.parity import compare

    images, labels, _ = select(data_dir, n, 0)
    figures = compare(load(path), images, labels, backend=backend, seed=seed)
    return {key: figures[key] for key in ("n_images", "label_agreement", "count_agreement", "hidden_count_agreement",
                                          "first_spike_agreement")}


def verdict(name: str, weights, coarse: dict, fine: dict) -> dict:
    lowest = min(p["v_min_mV"] for p in fine["physiology"].values())
    highest = max(p["v_max_mV"] for p in fine["physiology"].values())
    return {
        "potentials_within_bounds": bool(BOUNDS_MV[0] <= lowest and highest <= BOUNDS_MV[1]),
        "hidden_rate_ok": fine["physiology"]["hidden"]["mean_rate_hz"] <= MAX_HIDDEN_HZ,
        "input_rate_ok": weights.max_rate_hz <= MAX_INPUT_HZ,
        "image_duration_ok": weights.duration_ms <= MAX_IMAGE_MS,
        "accuracy_kept": coarse["accuracy"] - fine["accuracy"] <= MAX_ACCURACY_DROP,
    }


def _input(row: dict) -> str:
    code = row.get("encoding", {"type": "poisson"})
    if code["type"] == "latency":
        return f"latency ({code['threshold']:g}, {code['window_ms']:g} ms)"
    return f"{row['max_rate_hz']:g} Hz"


def table(rows: list[dict]) -> str:
    mark = lambda ok: "yes" if ok else "**no**"  # noqa: E731
    lines = [
        "| network | synapse | input, image | dt (ms) | accuracy | potentials (mV), hidden / output "
        "| rate (Hz), hidden / output | synaptic events per digit | within [-80, -45] mV | hidden ≤ 30 Hz "
        "| accuracy kept at the fine dt | trainer = Brian2 (frozen input, training dt): labels / output / hidden "
        "counts |",
        "|---|---|---|---:|---:|---|---|---:|---|---|---|---|",
    ]
    for row in rows:
        for run_ in (row["training_dt"], row["fine_dt"]):
            h, o = run_["physiology"]["hidden"], run_["physiology"]["output"]
            checks = row["checks"] if run_ is row["fine_dt"] else None
            lines.append(
                f"| {row['name']} | {row['synapse']} | {_input(row)}, {row['duration_ms']:g} ms "
                f"| {run_['dt_ms']:g} | {100 * run_['accuracy']:.2f}% "
                f"| {h['v_min_mV']:.1f} to {h['v_max_mV']:.1f} "
                f"/ {o['v_min_mV']:.1f} to {o['v_max_mV']:.1f} "
                f"| {h['mean_rate_hz']:.1f} / {o['mean_rate_hz']:.1f} | {run_['synaptic_events_per_image']:,.0f} "
                + ("| | | " if checks is None else
                   f"| {mark(checks['potentials_within_bounds'])} | {mark(checks['hidden_rate_ok'])} "
                   f"| {mark(checks['accuracy_kept'])} ")
                + ("| |" if checks is not None or not row.get("parity") else
                   f"| {100 * row['parity']['label_agreement']:.2f}% / {100 * row['parity']['count_agreement']:.2f}% "
                   f"/ {100 * row['parity']['hidden_count_agreement']:.2f}% ({row['parity']['n_images']:,} digits) |")
            )
    return "\n".join(lines)


def traces(out: Path, data_dir: str | None, index: int = 0) -> None:
    """The same test digit through the delta LIF-LIF (at its 1 ms) and the coba LIF-LIF (at 0.1 ms)."""
    from snn_mnist.cli.main import main as snn_mnist

    data = ["--data-dir", data_dir] if data_dir else []
    for model, dt in (("lif-lif", []), ("lif-lif-coba", ["--dt", "0.1"])):
        if model in pretrained.available():
            snn_mnist(["trace", "--model", model, *dt, "--index", str(index), *data, "--neurons", "hidden:0,1,2,3",
                       "output:all", "--out", str(out / f"trace_{model}.png")])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", nargs="+", default=None, metavar="FILE",
                        help="weights files (default: the bundled models)")
    parser.add_argument("--jobs", type=int, default=1, help="simulations run at once (default 1)")
    parser.add_argument("--parity-n", type=int, default=1000,
                        help="digits of the trainer-vs-Brian2 comparison per network (default 1000; 0: none)")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--dt", type=float, default=0.1, help="the fine time step in ms (default 0.1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default="cpp")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    parser.add_argument("--traces-only", action="store_true", help="draw the two traces, measure nothing")
    args = parser.parse_args(argv)
    if args.traces_only:
        traces(Path(args.out_dir), args.data_dir)
        return 0
    bundled = not args.weights
    names = pretrained.available() if bundled else [Path(f).stem for f in args.weights]
    files = [pretrained.path(m) for m in names] if bundled else [Path(f) for f in args.weights]
    images, labels, source = select(args.data_dir, args.n, 0)
    common = {"n": args.n, "data_dir": args.data_dir, "seed": args.seed, "backend": args.backend}
    jobs = {(path, dt): (run, path, dt) for path in files for dt in (None, args.dt)}
    if args.parity_n:
        jobs |= {(path, "parity"): (parity, path) for path in files}
    common_parity = common | {"n": args.parity_n}
    kwargs = lambda key: common_parity if key[1] == "parity" else common  # noqa: E731
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = {key: pool.submit(*job, **kwargs(key)) for key, job in jobs.items()}
            runs = {key: future.result() for key, future in futures.items()}
    else:
        runs = {key: job[0](*job[1:], **kwargs(key)) for key, job in jobs.items()}
    rows = []
    for name, path in zip(names, files):
        weights = load(path)
        coarse, fine = runs[path, None], runs[path, args.dt]
        rows.append({"name": name, "file": str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path),
                     "synapse": weights.synapse.kind, "max_rate_hz": weights.max_rate_hz,
                     "encoding": weights.encoding.to_dict(),
                     "duration_ms": weights.duration_ms,
                     "training_dt": coarse, "fine_dt": fine, "checks": verdict(name, weights, coarse, fine),
                     "parity": runs.get((path, "parity"))})
        print(f"{name}: accuracy {coarse['accuracy']:.4f} at {weights.dt_ms:g} ms, {fine['accuracy']:.4f} at "
              f"{args.dt:g} ms; {rows[-1]['checks']}", flush=True)
    if bundled and len(images) == 10000 and args.backend == "cpp" and args.seed == 0 and args.dt == 0.1:
        write_json(pretrained.MEASURED, {row["name"]: {
            "accuracy": row["training_dt"]["accuracy"], "accuracy_fine_dt": row["fine_dt"]["accuracy"],
            "energy_nJ_per_image": row["training_dt"]["energy_nJ_per_image"],
            "fine_dt_ms": args.dt, "physiology_fine_dt": row["fine_dt"]["physiology"],
            "measured_by": "scripts/physiology.py: 10,000 MNIST test digits, Brian2 cpp, input made inside the "
                           "simulation, seed 0",
        } for row in rows})
        print(f"wrote {pretrained.MEASURED}")
        traces(Path(args.out_dir), args.data_dir)
    out = Path(args.out_dir)
    write_json(out / "physiology.json", {"n_images": len(images), "data": source, "seed": args.seed, "rows": rows})
    with atomic_path(out / "physiology.md") as tmp:
        tmp.write_text(
            "# How physiological the networks are\n\n"
            f"Made by `scripts/physiology.py` on {len(images):,} MNIST test digits, Brian2 {args.backend}, "
            "input made "
            f"inside the simulation (seed {args.seed}); each network at the time step it was trained with and at "
            f"{args.dt:g} ms. Potentials and rates are tracked inside the simulation: every neuron's lowest and "
            "highest membrane potential over all digits (sampled after the state update and at the end of every "
            "step), and each layer's mean rate per neuron.\n\n"
            f"{table(rows)}\n"
        )
    print(f"wrote {out / 'physiology.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
