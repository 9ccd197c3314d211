"""One digit through the pretrained LIF-LIF network: input raster, hidden and output spikes, and
the membrane potentials of a few neurons.

    python examples/one_digit.py [--index 0] [--out FOLDER]

The network is 784 Poisson inputs -> 256 LIF -> 10 LIF with delta synapses (a spike moves the
target's potential at once, the trainer's discrete-time model), shown for 25 steps of 1 ms.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import SpikeMonitor, StateMonitor, ms, mV, seed

import snn_mnist as snn

parser = argparse.ArgumentParser(description="one digit through LIF-LIF")
parser.add_argument("--index", type=int, default=0, help="which of the bundled test digits")
parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
args = parser.parse_args()

weights = snn.load("lif-lif")
images, labels, _ = snn.digits(n=1, start=args.index)
with snn.backend("runtime") as device:
    seed(0)  # fixes the Poisson input spikes (after the device is chosen, so that it applies to it)
    net = snn.build(weights, images=images, dt_ms=weights.dt_ms, record_hidden=True)
    input_spikes = SpikeMonitor(net.input, name="input_raster")
    hidden_v = StateMonitor(net.hidden, "v", record=[0, 1, 2, 3], name="hidden_trace")
    output_v = StateMonitor(net.output, "v", record=True, name="output_trace")
    net.network.add(input_spikes, hidden_v, output_v)
    device.run(net.network, net.duration)
    counts = net.counts("output")[0]
    predicted = int(snn.predict(net.counts("output"), net.first_spikes())[0])

print(f"digit {args.index}: label {labels[0]}, predicted {predicted}; output spikes {counts.tolist()}")

fig, axes = plt.subplots(5, 1, figsize=(7, 10), sharex=True)
axes[0].plot(input_spikes.t / ms, input_spikes.i, "|k", markersize=2)
axes[0].set_ylabel("input pixel")
axes[1].plot(net.hidden_spikes.t / ms, net.hidden_spikes.i, "|", color="C0", markersize=3)
axes[1].set_ylabel("hidden neuron")
axes[2].plot(net.output_spikes.t / ms, net.output_spikes.i, "|", color="C3", markersize=8)
axes[2].set_ylabel("output neuron")
axes[2].set_yticks(range(10))
for k in range(len(hidden_v.record)):
    axes[3].plot(hidden_v.t / ms, hidden_v.v[k] / mV, label=f"hidden {hidden_v.record[k]}")
axes[3].set_ylabel("v (mV)")
axes[3].legend(fontsize=7, loc="upper right")
for k in np.argsort(counts)[-3:]:
    axes[4].plot(output_v.t / ms, output_v.v[k] / mV, label=f"output {k} ({counts[k]} spikes)")
axes[4].set_ylabel("v (mV)")
axes[4].set_xlabel("time (ms)")
axes[4].legend(fontsize=7, loc="upper right")
fig.suptitle(f"LIF-LIF, test digit {args.index} (label {labels[0]}): predicted {predicted}")
args.out.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out / "one_digit.png", dpi=100)
print(f"wrote {args.out / 'one_digit.png'}")
