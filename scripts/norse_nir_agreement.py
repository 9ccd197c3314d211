"""A network trained in Norse 1.1.0 (the release on PyPI), exported by Norse itself, classified by Brian2.

    pip install --no-deps norse==1.1.0      # beside the CPU PyTorch of the 'train' extra, and the 'dev' extra
    SNN_MNIST_DATA=/path/to/mnist python scripts/norse_nir_agreement.py [--epochs 3] [--hidden 256]

Trains Norse's ``SequentialState(Linear, LIFCell, Linear, LIFCell)`` (784-H-10, Norse's default
``LIFCell``: tau_mem 10 ms, tau_syn 5 ms, threshold 1, reset to 0, dt 1 ms, given one a neuron, since
``nir.write`` takes no 0-d arrays; ``Linear`` without bias)
with BPTT on the output spike counts (cross-entropy, Adam at lr 5e-3, batch 128), on Poisson spike trains of the MNIST training images (a white
pixel fires every 1 ms step, 25 steps), exports it with Norse's own ``norse.torch.utils.export_nir.to_nir``
(which writes its time constants as ``dt * tau``), imports the file with
``weights.load(..., nir_convention="norse-1.1")`` and classifies all test digits in Brian2 (C++ standalone,
Poisson input drawn inside the simulation). Norse's own accuracy is measured on the same test digits
with its own Poisson draw. Both read out by the same rule (``readout.spike_count``). Also runs both on
the same frozen spike trains (Norse in float64) and counts the output spike counts that agree.

Writes ``results/norse_nir.json`` and ``results/norse_nir.md``, the exported network
``results/norse_1.1_lifcell_784-H-10.nir``, and with ``--test-file`` a 784-16-10 network exported by
Norse 1.1.0 with the counts Norse gives on frozen input, for ``tests/weights/test_nir_norse.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path, save_npz, write_json
from snn_mnist.digits import mnist
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.spike_count import first_spike_steps, predict
from snn_mnist.weights import load

ROOT = Path(__file__).resolve().parents[1]
STEPS = 25


def norse_net(n_hidden: int, seed: int):
    import norse.torch as norse
    import torch

    def cell(n: int):  # Norse's default LIFCell, its parameters one a neuron: NIR's writer takes no 0-d arrays
        from norse.torch.functional.lif import LIFParameters

        defaults = LIFParameters()
        return norse.LIFCell(p=LIFParameters(**{f: getattr(defaults, f) * torch.ones(n) if f not in ("method", "alpha")
                                                 else getattr(defaults, f) for f in LIFParameters._fields}))

    torch.manual_seed(seed)
    net = norse.SequentialState(torch.nn.Linear(784, n_hidden, bias=False), cell(n_hidden),
                                torch.nn.Linear(n_hidden, 10, bias=False), cell(10))
    with torch.no_grad():  # PyTorch's default init leaves a LIFCell with threshold 1 silent: start it firing
        net[0].weight.mul_(8.0)
        net[2].weight.mul_(4.0)
    return net


def poisson(images: np.ndarray, generator):
    """(steps, images, 784) float spikes: a pixel of brightness x/255 fires with probability x/255 a step."""
    import torch

    p = torch.as_tensor(images, dtype=torch.float32) / 255.0
    return (torch.rand((STEPS, *p.shape), generator=generator) < p).float()


def run(net, spikes):
    """Output spikes (steps, images, 10) of the network on input spikes (steps, images, 784): a cell is one
    step, its state carried to the next."""
    import torch

    state, out = None, []
    for x in spikes:
        z, state = net(x, state)
        out.append(z)
    return torch.stack(out)


def counts_and_first(out) -> tuple[np.ndarray, np.ndarray]:
    z = out.detach().numpy()  # steps, images, 10
    return z.sum(axis=0), first_spike_steps(z)


def train(net, images, labels, *, epochs: int, seed: int, batch: int = 128, lr: float = 5e-3, log=print):
    import torch

    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    x_all, y_all = torch.as_tensor(images), torch.as_tensor(labels, dtype=torch.long)
    for epoch in range(epochs):
        t0, order = time.perf_counter(), torch.randperm(len(x_all), generator=generator)
        total = correct = 0
        for k in range(0, len(order), batch):
            idx = order[k:k + batch]
            out = run(net, poisson(x_all[idx].numpy(), generator))
            counts = out.sum(dim=0)
            loss = torch.nn.functional.cross_entropy(counts, y_all[idx])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += len(idx)
            correct += int((counts.argmax(1) == y_all[idx]).sum())
        log(f"epoch {epoch + 1}/{epochs}: training accuracy {correct / total:.4f} [{time.perf_counter() - t0:.0f} s]")


def norse_accuracy(net, images, labels, seed: int, batch: int = 1000) -> float:
    import torch

    generator = torch.Generator().manual_seed(seed)
    right = 0
    with torch.no_grad():
        for k in range(0, len(images), batch):
            counts, first = counts_and_first(run(net, poisson(images[k:k + batch], generator)))
            right += int((predict(counts, first) == labels[k:k + batch]).sum())
    return right / len(images)


def export(net, path: Path) -> None:
    import nir
    import torch
    from norse.torch.utils.export_nir import to_nir

    graph = to_nir(net, torch.zeros(1, 784))  # Norse 1.1.0's exporter, dt 1e-3
    with atomic_path(path) as tmp:
        nir.write(tmp, graph)


def on_frozen(net, weights, images: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Output spike counts of Norse (float64) and of Brian2 (runtime, float64) on the same frozen spikes."""
    import copy

    import torch

    from snn_mnist.networks.simulation import input_spikes

    spikes = input_spikes(images, weights, seed)  # (images, steps, 784) booleans
    net64 = copy.deepcopy(net).double()
    with torch.no_grad():
        norse_counts = run(net64, torch.as_tensor(spikes.transpose(1, 0, 2), dtype=torch.float64)).numpy().sum(axis=0)
    brian = simulate(weights, images, backend="cpp", input_mode="frozen", frozen=spikes)
    return norse_counts.astype(np.int64), brian.output_counts


def main(argv: list[str] | None = None) -> int:
    import norse
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-test", type=int, default=10000)
    parser.add_argument("--n-frozen", type=int, default=1000, help="test digits run on the same frozen spikes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out-dir", default=str(ROOT / "results"))
    parser.add_argument("--test-file", action="store_true",
                        help="also write tests/data/norse_1.1_lifcell_784-16-10.nir and its counts")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    out = Path(args.out_dir)

    train_x, train_y = mnist.load("train", args.data_dir)
    test_x, test_y = mnist.load("test", args.data_dir)
    test_x, test_y = test_x[:args.n_test], test_y[:args.n_test].astype(np.int64)

    if args.test_file:  # a small network, a few batches trained: the test compares spikes, not accuracy
        small = norse_net(16, args.seed)
        train(small, train_x[:2560], train_y[:2560], epochs=1, seed=args.seed)
        path = ROOT / "tests" / "data" / "norse_1.1_lifcell_784-16-10.nir"
        export(small, path)
        weights = load(path, nir_convention="norse-1.1")
        norse_counts, brian_counts = on_frozen(small, weights, test_x[:50], seed=1)
        save_npz(path.with_suffix(".npz"), {"norse_counts": norse_counts.astype(np.int16)},
                 {"images": "the first 50 MNIST test digits", "input": "networks.simulation.input_spikes, seed 1",
                  "norse": norse.__version__ if hasattr(norse, "__version__") else "1.1.0"})
        print(f"wrote {path}: Brian2 = Norse on {int((norse_counts == brian_counts).all(1).sum())}/50 digits' counts")

    net = norse_net(args.hidden, args.seed)
    t0 = time.perf_counter()
    train(net, train_x, train_y, epochs=args.epochs, seed=args.seed)
    train_seconds = time.perf_counter() - t0
    nir_path = out / f"norse_1.1_lifcell_784-{args.hidden}-10.nir"
    export(net, nir_path)

    weights = load(nir_path, nir_convention="norse-1.1")
    norse_acc = norse_accuracy(net, test_x, test_y, seed=args.seed)
    brian = simulate(weights, test_x, backend="cpp", seed=args.seed)
    brian_acc = float((predict(brian.output_counts, brian.output_first_step) == test_y).mean())
    norse_counts, brian_counts = on_frozen(net, weights, test_x[:args.n_frozen], seed=args.seed)
    result = {
        "norse": "1.1.0", "torch": torch.__version__, "network": f"784-{args.hidden}-10 LIFCell (Norse defaults)",
        "epochs": args.epochs, "train_seconds": train_seconds, "nir_file": os.path.relpath(nir_path, ROOT),
        "imported_as": {"tau_m_ms": weights.topology.hidden_neuron.tau_m_ms, "tau_syn_ms": weights.synapse.tau_syn_ms,
                        "step_order": weights.step_order, "dt_ms": weights.dt_ms, "steps": weights.steps},
        "n_test": len(test_x), "norse_accuracy": norse_acc, "brian2_accuracy": brian_acc,
        "difference_points": 100 * (brian_acc - norse_acc),
        "frozen_input": {"digits": int(len(norse_counts)),
                         "output_counts_equal": float((norse_counts == brian_counts).mean()),
                         "digits_with_all_counts_equal": float((norse_counts == brian_counts).all(1).mean())},
    }
    write_json(out / "norse_nir.json", result)
    text = "\n".join([
        "# A Norse 1.1.0 network, exported by Norse, classified by Brian2", "",
        f"Made by `scripts/norse_nir_agreement.py`: {result['network']} trained {args.epochs} epochs in Norse 1.1.0 "
        f"(PyTorch {torch.__version__}, Poisson input, 25 steps of 1 ms), exported by Norse's `to_nir` "
        f"([`{nir_path.name}`]({nir_path.name})), imported with `--nir-convention norse-1.1` "
        f"(tau_m {weights.topology.hidden_neuron.tau_m_ms:.3f} ms and tau_syn {weights.synapse.tau_syn_ms:.3f} ms: "
        "Norse's Euler decays kept exactly).", "",
        "| | accuracy on the MNIST test digits |", "|---|---:|",
        f"| Norse 1.1.0 (its own Poisson draw) | {100 * norse_acc:.2f}% |",
        f"| Brian2 cpp (Poisson input drawn in the simulation) | {100 * brian_acc:.2f}% |",
        f"| difference | {100 * (brian_acc - norse_acc):+.2f} points |", "",
        f"On the same frozen spike trains ({len(norse_counts):,} digits, Norse in float64): "
        f"{100 * result['frozen_input']['output_counts_equal']:.2f}% of the output spike counts equal, "
        f"{100 * result['frozen_input']['digits_with_all_counts_equal']:.2f}% of the digits with every count equal.", "",
    ])
    with atomic_path(out / "norse_nir.md") as tmp:
        tmp.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
