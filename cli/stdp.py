"""``snn-mnist stdp``: train a Diehl & Cook network without labels, and evaluate it.

    snn-mnist stdp train --neurons 400 --epochs 1 --out stdp_400.npz
    snn-mnist stdp eval --neurons 400 --n 10000 --json result.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from snn_mnist.cli import options
from snn_mnist.plasticity.runner import SUPPORTED_BACKENDS

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "weights" / "pretrained"


def pretrained_path(n_exc: int) -> Path:
    return PRETRAINED_DIR / f"stdp_{n_exc}.npz"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("stdp", help="unsupervised STDP network (Diehl & Cook 2015): train, eval")
    sub = p.add_subparsers(dest="stdp_command", required=True, metavar="ACTION")

    t = sub.add_parser("train", help="learn input weights and thresholds with STDP, then assign labels")
    t.add_argument("--neurons", type=int, required=True, help="excitatory (= inhibitory) neurons")
    t.add_argument("--n-train", type=int, default=60000, help="use the first N training images (default 60000)")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--n-label", type=int, default=60000,
                   help="the first N training images shown to the frozen network to assign labels and fit the "
                        "linear readout (default: all 60000, as in the paper)")
    options.seed(t, help="seed of the initial weights, the image order and every random draw (default 0)")
    t.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="settings",
                   help="change a network parameter from the paper's value (repeatable), e.g. --set tau_theta_ms=5e6 "
                        "or --set rule.eta_post=0.02; the names are those of plasticity.diehl_cook.DiehlCookParameters")
    options.backend(t, default="cpp", choices=SUPPORTED_BACKENDS)
    t.add_argument("--chunk", type=int, default=1000, help="presentations per compiled run (default 1000)")
    options.data_dir(t, help="MNIST directory (default: $SNN_MNIST_DATA)")
    t.add_argument("--checkpoint-dir", default=None, help="default: OUT's name + '.checkpoints'")
    t.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir; with a larger --epochs a finished run trains on")
    t.add_argument("--out", required=True, help="network file to write (.npz)")
    options.writes(t, "out", "--out", (".npz",))
    options.writes(t, "checkpoint_dir", "--checkpoint-dir", directory=True)
    t.set_defaults(run=run_train)

    e = sub.add_parser("eval", help="classify test digits with a trained network")
    which = e.add_mutually_exclusive_group()
    which.add_argument("--neurons", type=int, default=None, help="the bundled network of this size (default 400)")
    which.add_argument("--weights", default=None, help="a network file written by 'stdp train'")
    options.reads(e, "weights", "--weights")
    options.digit_range(e)
    options.seed(e)
    options.backend(e, default="cpp", choices=SUPPORTED_BACKENDS)
    e.add_argument("--chunk", type=int, default=1000, help="presentations per compiled run (default 1000)")
    options.data_dir(e)
    options.json_out(e)
    e.set_defaults(run=run_eval)


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_train(args: argparse.Namespace) -> int:
    return _user_errors(_train, args)


def run_eval(args: argparse.Namespace) -> int:
    return _user_errors(_eval, args)


def _user_errors(action, args) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.plasticity.diehl_cook import NetworkError

    try:
        return action(args)
    except NetworkError as exc:
        raise UserError(str(exc)) from None


def _train(args: argparse.Namespace) -> int:
    from snn_mnist.digits import mnist
    from snn_mnist.plasticity import network_file
    from snn_mnist.plasticity.diehl_cook import DiehlCookParameters, with_settings
    from snn_mnist.plasticity.runner import Simulator, respond
    from snn_mnist.plasticity.training import STDPConfig, checkpoint_path, final_weights, load_checkpoint, train
    from snn_mnist.readout.label_assignment import assign_labels, classify, fit_linear_readout
    from snn_mnist.readout.metrics import accuracy

    options.within(args, {"neurons": (1, 10_000), "epochs": (1, 1_000), "chunk": (1, 60_000),
                          "n_train": (1, 60_000), "n_label": (1, 60_000)})
    params = with_settings(DiehlCookParameters(), args.settings)
    images, labels = mnist.load("train", args.data_dir)
    out = Path(args.out)
    checkpoint = checkpoint_path(out, args.neurons, args.checkpoint_dir)
    config = STDPConfig(n_exc=args.neurons, n_train=args.n_train, epochs=args.epochs, seed=args.seed, params=params)
    state = load_checkpoint(checkpoint, config) if args.resume else None
    total = args.n_train * args.epochs
    n_slots = min(args.chunk, total)

    def progress(s, total):
        _log(f"stdp train: {s.position}/{total} images ({s.slots} presentations), "
             f"{s.images_per_second:.1f} images/s ({s.images_per_cpu_second:.1f} per CPU second), "
             f"mean theta {s.theta_mV.mean():.2f} mV")

    with Simulator(args.neurons, params, backend=args.backend, n_slots=n_slots) as sim:
        if sim.build_seconds:
            _log(f"stdp train: built and compiled in {sim.build_seconds:.1f} s")
        state = train(sim, images[: args.n_train], config, state, checkpoint=checkpoint, progress=progress)
        weights = final_weights(state, params)
        label = respond(sim, images[: args.n_label], weights, state.theta_mV, seed=args.seed + 1)
    label_counts = label.counts
    label_labels = labels[: args.n_label].astype(np.int64)
    assignments = assign_labels(label_counts, label_labels)
    readout = fit_linear_readout(label_counts, label_labels, seed=args.seed)
    provenance = {
        "trainer": "snn-mnist stdp train (Diehl & Cook 2015, triplet STDP)",
        "seed": args.seed, "n_train": args.n_train, "epochs": args.epochs, "n_label": args.n_label,
        "settings": list(args.settings),
        "backend": args.backend, "chunk": n_slots,
        "train_images_per_second": round(state.images_per_second, 2),
        "train_images_per_cpu_second": round(state.images_per_cpu_second, 2),
        "train_seconds": round(state.seconds, 1),
        "train_cpu_seconds": round(state.cpu_seconds, 1),
        "presentations": state.slots,
        "label_images_per_second": round(args.n_label / label.seconds, 2),
        "label_set_accuracy": accuracy(classify(label_counts, assignments), label_labels),
        "data_md5": mnist.checksum("train"),
    }
    network_file.save(network_file.TrainedNetwork(params, weights, state.theta_mV, assignments, readout, provenance), out)
    print(f"wrote {out}: {args.neurons} neurons, {state.position} images at {state.images_per_second:.1f} images/s; "
          f"label-set accuracy {provenance['label_set_accuracy']:.4f}; checkpoint in {checkpoint}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import write_json
    from snn_mnist.cli.main import UserError
    from snn_mnist.digits.selection import select
    from snn_mnist.plasticity import network_file
    from snn_mnist.plasticity.evaluation import evaluate

    options.within(args, {"chunk": (1, 60_000)})
    if args.weights is not None:
        path = Path(args.weights)
    else:
        n = 400 if args.neurons is None else args.neurons
        path = pretrained_path(n)
        if not path.is_file():
            bundled = sorted(int(p.stem.split("_")[1]) for p in PRETRAINED_DIR.glob("stdp_*.npz"))
            raise UserError(f"no bundled STDP network with {n} neurons (bundled: {bundled or 'none'}); "
                            "give --weights FILE from 'snn-mnist stdp train'")
    net = network_file.load(path)
    images, labels, source = select(args.data_dir, args.n, args.start)
    result = evaluate(net, images, labels, backend=args.backend, chunk=args.chunk, seed=args.seed)
    del result["counts"]
    result.update(weights=str(path), data=source)
    if args.json:
        write_json(args.json, result)
    print(f"{net.n_exc} neurons, {len(images)} digits ({source}): accuracy {result['accuracy']:.4f} "
          f"(linear readout {result['linear_readout_accuracy']:.4f}), {result['images_per_second']:.1f} images/s")
    return 0
