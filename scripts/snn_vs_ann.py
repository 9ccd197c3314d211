"""SNN against ANN: accuracy, operations per image and an energy estimate: results/snn_vs_ann.md (+ .json).

    SNN_MNIST_DATA=/path/to/mnist python scripts/snn_vs_ann.py [--epochs 60] [--seeds 3] [--n-test 10000]
    python scripts/snn_vs_ann.py --reprice     # the tables again from results/snn_vs_ann.json, at today's counts

The ANN has the SNN's shape, 784-H-10 with ReLU (H from the SNN weights, 256), and is trained
with the SNNs' recipe and budget (``trainer.train``): the same 60,000 MNIST training images
shifted at random by up to one pixel, Adam at lr 2e-3 with the cosine schedule, batch 128,
cross-entropy, 60 epochs (the longest of the bundled SNNs' 40-60), pixels scaled to [0, 1]. It
is trained with ``--seeds`` seeds and reported as their mean. Its cost is counted in
multiply-accumulates (MACs): every weight once per image (784*H + H*10), and also the MACs left
if zero inputs and zero ReLU outputs were skipped.

The SNN's cost is counted from its simulation: every spike is delivered to all its targets, and
each delivery is one accumulate (AC), so synaptic operations per image = input spikes * H +
hidden spikes * 10, from the spike counts recorded per image. Every neuron's state update costs
the multiplies and adds of the code Brian2 generates for it, every step (``readout.energy``: 4
multiplies and 6 adds for a delta LIF, 3 and 3 for an IF, the refractoriness test included).
Energy: 4.6 pJ per 32-bit floating-point MAC, 3.7 pJ per multiply and 0.9 pJ per add, Horowitz
(ISSCC 2014), 45 nm, 0.9 V. ``--reprice`` writes the tables again from the measured spikes in
``results/snn_vs_ann.json`` with the operation counts and prices of today's ``readout.energy``
(they depend on the network's shape, not on its run), training and simulating nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.backends import BACKENDS
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.energy import PJ_PER_AC, PJ_PER_MAC, PJ_PER_MUL, ann_cost, neuron_updates, snn_cost

CAVEATS = """\
Caveats:

- The energies count arithmetic only. Moving the operands costs more than computing with them:
  Horowitz gives about 10-100 pJ for a 64-bit read from an 8 kB-1 MB SRAM and over 1 nJ from
  DRAM, against 0.9-4.6 pJ for the arithmetic. Both networks read every weight they use; the
  SNN reads a row of weights per spike, once per time step, the ANN each weight once per image.
- Savings per operation appear only on hardware that does work per spike (event-driven,
  neuromorphic chips). On a CPU or GPU, and in this project's Brian2 simulations, the SNN is
  simulated step by step and costs far more than the ANN.
- The SNN counts assume 32-bit floating-point accumulates; the ANN could equally run in 8-bit
  integers (0.2-0.03 pJ per operation in Horowitz's table), which changes both sides.
- The input encoding (drawing Poisson spikes), threshold comparisons, resets and the ANN's
  bias additions and ReLUs are not counted; each is small next to the synaptic work here.
- The SNN's spike counts, and so its operation count, depend on the digit and on the random
  input spikes; the table gives the mean over the test images.
- The SNN needs its time steps one after the other: an answer after steps x dt of simulated
  time, against one pass of the ANN."""


def train_ann(train_x, train_y, n_hidden: int, *, epochs: int, seed: int, shift: int = 1, batch_size: int = 128,
              lr: float = 2e-3):
    """A 784-H-10 ReLU network trained as the SNNs are (``trainer.train``: random shifts of up to ``shift``
    pixels, Adam, cosine schedule over ``epochs``) on pixels in [0, 1]; returns the torch module."""
    import torch

    from snn_mnist.trainer.train import cosine_factor, random_shift

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(train_x.shape[1], n_hidden), torch.nn.ReLU(),
                                torch.nn.Linear(n_hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: cosine_factor(epoch, epochs))
    x = torch.from_numpy(np.array(train_x, dtype=np.uint8))
    y = torch.from_numpy(train_y.astype(np.int64))
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            images = random_shift(x[batch], shift, generator) if shift else x[batch]
            loss = torch.nn.functional.cross_entropy(model(images.float() / 255.0), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
    return model


def evaluate_ann(model, test_x, test_y) -> dict:
    """Accuracy, and the MACs per image left when zero inputs and zero hidden activations are skipped."""
    import torch

    with torch.no_grad():
        x = torch.from_numpy(np.array(test_x, dtype=np.float32)) / 255.0
        hidden = model[1](model[0](x))
        logits = model[2](hidden)
    n_hidden, n_outputs = model[0].out_features, model[2].out_features
    return {
        "accuracy": float((logits.argmax(1).numpy() == test_y).mean()),
        "macs_dense": int(ann_cost(x.shape[1], n_hidden, n_outputs).macs),
        "macs_zero_skipping": ann_cost(x.shape[1], n_hidden, n_outputs, x.numpy(), hidden.numpy()).macs,
    }


def measure_snn(weights, images, labels, *, backend: str, seed: int, threads: int) -> dict:
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout.spike_count import predict

    t = weights.topology
    result = simulate(weights, images, backend=backend, seed=seed, threads=threads, record_input=True,
                      record_hidden=True)
    return {
        "accuracy": float((predict(result.output_counts, result.output_first_step) == labels).mean()),
        "input_spikes": float(result.input_counts.sum(1).mean()),
        "hidden_spikes": float(result.hidden_counts.sum(1).mean()),
        "synaptic_ops": snn_cost(weights, result.synaptic_events, len(images)).total_events,
        **updates(weights),
        "steps": weights.steps,
        "n_hidden": t.n_hidden,
    }


def updates(weights) -> dict:
    ops = neuron_updates(weights)
    return {"update_multiplies": ops.multiplies, "update_adds": ops.adds}


def energy_pj(macs: float = 0.0, acs: float = 0.0, multiplies: float = 0.0) -> float:
    return macs * PJ_PER_MAC + acs * PJ_PER_AC + multiplies * PJ_PER_MUL


def report(ann: dict, snns: dict, setting: str) -> str:
    ann_energy = energy_pj(macs=ann["macs_dense"])
    lines = [
        "# SNN against ANN: accuracy, operations and energy per image",
        "",
        setting,
        "",
        "| network | test accuracy | MACs, or multiplies + adds of the neuron updates | ACs (synaptic ops) | energy (nJ) | vs ANN |",
        "|---|---:|---:|---:|---:|---:|",
        f"| ANN 784-{ann['n_hidden']}-10 ReLU (mean of {len(ann['seeds'])} seeds) | {100 * ann['accuracy']:.2f}% "
        f"± {100 * ann['accuracy_sd']:.2f} | {ann['macs_dense']:,} | 0 | "
        f"{ann_energy / 1000:.1f} | 1 |",
        f"| ANN, zero inputs and activations skipped | {100 * ann['accuracy']:.2f}% | "
        f"{ann['macs_zero_skipping']:,.0f} | 0 | {energy_pj(macs=ann['macs_zero_skipping']) / 1000:.1f} | "
        f"{energy_pj(macs=ann['macs_zero_skipping']) / ann_energy:.2f} |",
    ]
    for model, s in snns.items():
        e = energy_pj(acs=s["synaptic_ops"] + s["update_adds"], multiplies=s["update_multiplies"])
        lines.append(f"| SNN {model} ({s['steps']} steps) | {100 * s['accuracy']:.2f}% | "
                     f"{s['update_multiplies']:,.0f} + {s['update_adds']:,.0f} | "
                     f"{s['synaptic_ops']:,.0f} | {e / 1000:.1f} | {e / ann_energy:.2f} |")
    lines += [
        "",
        "Spikes per image (mean): " + "; ".join(
            f"{model}: {s['input_spikes']:.0f} input, {s['hidden_spikes']:.1f} hidden" for model, s in snns.items()),
        "",
        f"Energy = MACs x {PJ_PER_MAC} pJ + multiplies x {PJ_PER_MUL} pJ + adds and ACs x {PJ_PER_AC} pJ (32-bit "
        "floating point, Horowitz 2014, 45 nm). MACs of the ANN: 784 x H + H x 10 per image; ACs of the SNN: input "
        "spikes x H + hidden spikes x 10, counted in the simulation; the SNN's neuron updates: the multiplies and adds "
        "of the state update Brian2 generates, every neuron every step (readout.energy).",
        "",
        CAVEATS,
        "",
        "Made by `scripts/snn_vs_ann.py`.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from snn_mnist.digits import mnist
    from snn_mnist.digits.selection import select
    from snn_mnist.weights.pretrained import loaders as model_loaders

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=list(TOPOLOGIES), default=None,
                        help="models to measure (default: every model with pretrained weights)")
    parser.add_argument("--weights", nargs="+", default=[], metavar="MODEL=FILE",
                        help="weights files to use instead of the pretrained ones")
    parser.add_argument("--epochs", type=int, default=60, help="ANN training epochs (default 60, as LIF-LIF)")
    parser.add_argument("--shift", type=int, default=1, help="random shift of training images, pixels (default 1)")
    parser.add_argument("--seeds", type=int, default=3,
                        help="train the ANN with seeds seed .. seed+SEEDS-1 (default 3)")
    parser.add_argument("--n-train", type=int, default=None, help="train the ANN on the first N images (default all)")
    parser.add_argument("--n-test", type=int, default=10000, help="test digits for both networks (default 10000)")
    parser.add_argument("--backend", choices=BACKENDS, default="cpp")
    parser.add_argument("--seed", type=int, default=0, help="seed of the ANN's training and of the SNN's input")
    parser.add_argument("--threads", type=int, default=0, help="OpenMP threads (cpp) and PyTorch threads")
    parser.add_argument("--data-dir", default=None, help="MNIST directory (default: $SNN_MNIST_DATA)")
    parser.add_argument("--out-dir", default="results")
    parser.add_argument("--reprice", action="store_true",
                        help="write the tables again from OUT_DIR/snn_vs_ann.json at today's operation counts and prices")
    args = parser.parse_args(argv)
    if args.reprice:
        return reprice(Path(args.out_dir))

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    loaders = model_loaders(args.weights, args.models)
    if not loaders:
        sys.exit("no pretrained weights yet (weights/pretrained/*.npz); pass --weights MODEL=FILE")
    train_x, train_y = mnist.load("train", args.data_dir)
    if args.n_train:
        train_x, train_y = train_x[: args.n_train], train_y[: args.n_train]
    test_x, test_y, source = select(args.data_dir, args.n_test, 0)

    snns = {}
    for model, load in loaders.items():
        weights = load()
        t0 = time.perf_counter()
        snns[model] = measure_snn(weights, test_x, test_y, backend=args.backend, seed=args.seed, threads=args.threads)
        print(f"SNN {model}: accuracy {snns[model]['accuracy']:.4f}, {snns[model]['synaptic_ops']:,.0f} synaptic "
              f"ops per image [{time.perf_counter() - t0:.0f} s]", flush=True)
    n_hidden = next(iter(snns.values()))["n_hidden"]

    per_seed = []
    for seed in range(args.seed, args.seed + args.seeds):
        t0 = time.perf_counter()
        ann_model = train_ann(train_x, train_y, n_hidden, epochs=args.epochs, seed=seed, shift=args.shift)
        per_seed.append({**evaluate_ann(ann_model, test_x, test_y), "seed": seed,
                         "train_seconds": time.perf_counter() - t0})
        print(f"ANN 784-{n_hidden}-10, seed {seed}: accuracy {per_seed[-1]['accuracy']:.4f} after {args.epochs} "
              f"epochs [{per_seed[-1]['train_seconds']:.0f} s]", flush=True)
    accuracies = np.array([r["accuracy"] for r in per_seed])
    ann = {
        "accuracy": float(accuracies.mean()),
        "accuracy_sd": float(accuracies.std(ddof=1)) if len(accuracies) > 1 else 0.0,
        "accuracy_per_seed": accuracies.tolist(),
        "macs_dense": per_seed[0]["macs_dense"],
        "macs_zero_skipping": float(np.mean([r["macs_zero_skipping"] for r in per_seed])),
        "n_hidden": n_hidden, "epochs": args.epochs, "shift": args.shift, "seeds": [r["seed"] for r in per_seed],
        "train_seconds": float(np.sum([r["train_seconds"] for r in per_seed])),
    }

    setting = (f"ANN trained as the SNNs are: {args.epochs} epochs on {len(train_x)} MNIST training images shifted "
               f"by up to {args.shift} pixel, Adam lr 2e-3 with cosine schedule, batch 128; accuracy and MACs are the "
               f"mean over training seeds {', '.join(str(s) for s in ann['seeds'])} "
               f"({', '.join(f'{100 * a:.2f}%' for a in accuracies)}). Both tested on {len(test_x)} test digits "
               f"({source}); SNNs on the {args.backend} backend with Poisson input, seed {args.seed}, read out by "
               f"most spikes with ties to the first spike.")
    out = Path(args.out_dir)
    write_json(out / "snn_vs_ann.json", {"setting": setting, "ann": ann, "snn": snns,
                                         "pj_per_mac": PJ_PER_MAC, "pj_per_ac": PJ_PER_AC, "pj_per_multiply": PJ_PER_MUL})
    with atomic_path(out / "snn_vs_ann.md") as tmp:
        tmp.write_text(report(ann, snns, setting))
    print(f"wrote {out / 'snn_vs_ann.md'} and {out / 'snn_vs_ann.json'}")
    return 0


def reprice(out: Path) -> int:
    """The measured spikes of ``out/snn_vs_ann.json``, counted and priced by today's ``readout.energy``."""
    import json

    from snn_mnist.weights import pretrained

    measured = json.loads((out / "snn_vs_ann.json").read_text())
    for model, s in measured["snn"].items():
        s.pop("leak_macs", None)
        s.update(updates(pretrained.load(model)))
    write_json(out / "snn_vs_ann.json", {**measured, "pj_per_mac": PJ_PER_MAC, "pj_per_ac": PJ_PER_AC,
                                         "pj_per_multiply": PJ_PER_MUL})
    with atomic_path(out / "snn_vs_ann.md") as tmp:
        tmp.write_text(report(measured["ann"], measured["snn"], measured["setting"]))
    print(f"wrote {out / 'snn_vs_ann.md'} and {out / 'snn_vs_ann.json'}")
    return 0


if __name__ == "__main__":
    from snn_mnist.cli.main import user_errors

    try:
        sys.exit(main())
    except user_errors() as exc:  # bad input, missing data or weights: one line, no traceback
        sys.exit(f"{Path(__file__).name}: error: {exc}")
