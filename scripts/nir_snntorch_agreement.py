"""How closely Brian2 reproduces a network trained in snnTorch and brought over through NIR.

    SNN_MNIST_DATA=/path/to/mnist python scripts/nir_snntorch_agreement.py [--n-train 10000] [--n-test 1000]

Trains snnTorch's Linear -> Leaky -> Linear -> Leaky (784-H-10, beta 0.9, threshold 1, reset to
zero, ``nn.Linear`` with its default biases) with BPTT on spike counts, exports it with
``snntorch.export_nir``, imports the file with ``weights.load`` and runs both on the same frozen
Poisson spike trains of the MNIST test images, snnTorch in its own float32 and Brian2 in float64.
Both are read out by the same rule (``readout.spike_count``). Writes ``results/nir_snntorch.json``:
prediction and count agreement, both accuracies, spike counts of both layers. Needs ``snntorch``,
``nirtorch`` and the ``nir`` extra.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import write_json
from snn_mnist.digits import mnist
from snn_mnist.encoding import frozen_spikes
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.spike_count import first_spike_steps, predict
from snn_mnist.weights import load

ROOT = Path(__file__).resolve().parents[1]


def snntorch_net(n_hidden: int):
    import snntorch as snn
    import torch

    def leaky(n, **kw):  # per-neuron tensors: snnTorch 1.0 exports scalars as 0-d arrays NIR rejects
        return snn.Leaky(beta=torch.full((n,), 0.9), threshold=torch.ones(n), reset_mechanism="zero",
                         init_hidden=True, **kw)

    return torch.nn.Sequential(torch.nn.Linear(784, n_hidden), leaky(n_hidden),
                               torch.nn.Linear(n_hidden, 10), leaky(10, output=True))


def run(net, spikes: np.ndarray):
    """Hidden spike counts per image and output spikes (steps, images, 10) of the snnTorch network."""
    import torch
    from snntorch import utils

    utils.reset(net)
    x = torch.as_tensor(spikes, dtype=torch.float32)
    hidden, output = 0, []
    with torch.no_grad():
        for t in range(x.shape[1]):
            h = net[1](net[0](x[:, t]))
            hidden = hidden + h
            output.append(net[3](net[2](h))[0])
    return hidden.numpy(), torch.stack(output).numpy()


def train(net, images, labels, *, epochs: int, steps: int, rng: np.random.Generator, batch: int = 128):
    import torch
    from snntorch import utils

    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    for epoch in range(epochs):
        order, losses = rng.permutation(len(images)), []
        for start in range(0, len(images), batch):
            idx = order[start:start + batch]
            x = torch.as_tensor(frozen_spikes(images[idx], steps, 1000.0, 1.0, rng), dtype=torch.float32)
            utils.reset(net)
            counts = sum(net(x[:, t])[0] for t in range(steps))
            loss = torch.nn.functional.cross_entropy(counts, torch.as_tensor(labels[idx], dtype=torch.long))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        print(f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f}", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-train", type=int, default=10000)
    p.add_argument("--n-test", type=int, default=1000)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--backend", default="cpp")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--out", default=str(ROOT / "results" / "nir_snntorch.json"))
    args = p.parse_args()

    import nir
    import snntorch
    import torch
    from snntorch.export_nir import export_to_nir

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    train_x, train_y = (a[: args.n_train] for a in mnist.load("train", args.data_dir))
    test_x, test_y = (a[: args.n_test] for a in mnist.load("test", args.data_dir))

    net = snntorch_net(args.hidden)
    t0 = time.perf_counter()
    train(net, train_x, train_y, epochs=args.epochs, steps=25, rng=rng)
    train_seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snntorch.nir"
        nir.write(path, export_to_nir(net, torch.zeros(1, 784), ignore_dims=[0]))
        weights = load(path)

    spikes = frozen_spikes(test_x, weights.steps, weights.max_rate_hz, weights.dt_ms, rng)
    ref_hidden, ref_trains = run(net, spikes)
    ref_output = ref_trains.sum(0)
    sim = simulate(weights, test_x, backend=args.backend, input_mode="frozen", frozen=spikes, record_hidden=True)
    ref_pred = predict(ref_output, first_spike_steps(ref_trains))
    sim_pred = predict(sim.output_counts, sim.output_first_step)
    figures = {
        "n_train": len(train_x), "n_test": len(test_x), "hidden": args.hidden, "epochs": args.epochs,
        "steps": weights.steps, "dt_ms": weights.dt_ms, "backend": args.backend, "seed": args.seed,
        "step_order": weights.step_order, "biases": weights.bias_hidden is not None,
        "label_agreement": float(np.mean(ref_pred == sim_pred)),
        "output_count_agreement": float(np.mean(np.all(ref_output == sim.output_counts, axis=1))),
        "hidden_count_agreement": float(np.mean(np.all(ref_hidden == sim.hidden_counts, axis=1))),
        "accuracy_snntorch": float(np.mean(ref_pred == test_y)),
        "accuracy_brian2": float(np.mean(sim_pred == test_y)),
        "output_spikes_per_image": {"snntorch": float(ref_output.sum(1).mean()),
                                    "brian2": float(sim.output_counts.sum(1).mean())},
        "hidden_spikes_per_image": {"snntorch": float(ref_hidden.sum(1).mean()),
                                    "brian2": float(sim.hidden_counts.sum(1).mean())},
        "output_count_correlation": float(np.corrcoef(ref_output.ravel(), sim.output_counts.ravel())[0, 1]),
        "hidden_count_correlation": float(np.corrcoef(ref_hidden.ravel(), sim.hidden_counts.ravel())[0, 1]),
        "imported_neurons": {k: v.to_dict() for k, v in (("hidden", weights.topology.hidden_neuron),
                                                          ("output", weights.topology.output_neuron))},
        "train_seconds": train_seconds,
        "versions": {"snntorch": snntorch.__version__, "nir": nir.__version__, "torch": torch.__version__,
                     "python": platform.python_version()},
    }
    write_json(args.out, figures)
    print(f"predictions agree on {figures['label_agreement']:.4f} of {len(test_x)} test digits, all output counts "
          f"on {figures['output_count_agreement']:.4f}; accuracy snnTorch "
          f"{figures['accuracy_snntorch']:.4f}, Brian2 {figures['accuracy_brian2']:.4f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
