"""STDP receptive fields forming: a Diehl & Cook network of 100 excitatory neurons learns, without
labels, from its first few hundred images; its input weights are drawn after every chunk.

    python examples/stdp_receptive_fields.py [--images 300] [--chunk 100] [--out FOLDER]

The images are the bundled 300 test digits unless ``--data-dir`` (or ``$SNN_MNIST_DATA``) points at
MNIST, whose training images are then used. The network is compiled once (C++ standalone) and
every chunk re-runs the binary with new values (Brian2's ``run_args``).
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt

import snn_mnist as snn
from snn_mnist.plasticity.diehl_cook import DiehlCookParameters
from snn_mnist.plasticity.figures import tile
from snn_mnist.plasticity.runner import Simulator
from snn_mnist.plasticity.training import STDPConfig, final_weights, initial_state, train

parser = argparse.ArgumentParser(description="STDP receptive fields forming")
parser.add_argument("--images", type=int, default=300, help="images to learn from")
parser.add_argument("--chunk", type=int, default=100, help="images between two snapshots")
parser.add_argument("--neurons", type=int, default=100, help="excitatory neurons")
parser.add_argument("--data-dir", default=None, help="MNIST directory (default: the bundled digits)")
parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
args = parser.parse_args()

images, _, source = snn.digits(n=args.images, data_dir=args.data_dir, split="train" if args.data_dir else "test")
params = DiehlCookParameters()  # the paper's parameters
config = STDPConfig(n_exc=args.neurons, n_train=len(images), epochs=1, seed=0, params=params)
snapshots = [(0, final_weights(initial_state(config), params))]


def keep(state, total):
    snapshots.append((state.position, final_weights(state, params)))
    print(f"{state.position}/{total} images", flush=True)


with Simulator(args.neurons, params, backend="cpp", n_slots=args.chunk) as sim:
    train(sim, images, config, progress=keep)

fig, axes = plt.subplots(1, len(snapshots), figsize=(3.2 * len(snapshots), 3.6))
for ax, (seen, w) in zip(axes, snapshots):
    ax.imshow(tile(w), cmap="hot_r", interpolation="nearest")
    ax.set_title(f"after {seen} images")
    ax.set_axis_off()
fig.suptitle(f"{args.neurons} excitatory neurons' input weights ({source})")
fig.tight_layout()
args.out.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out / "stdp_receptive_fields.png", dpi=100)
print(f"wrote {args.out / 'stdp_receptive_fields.png'}")
