"""A StateMonitor of your own on chosen hidden neurons, and what a changed membrane time constant
does: the trained LIF-LIF network with tau_m = 20 ms (as trained) against 10 ms and 40 ms.

    python examples/own_monitor_and_tau.py [--n 100] [--neurons 3 17 42] [--backend cpp] [--out FOLDER]

The parameters live in one frozen, unit-carrying object per layer (``weights.topology.hidden_neuron``);
``replace`` makes a validated copy, and the Brian2 network holds its values as shared variables of
each group (``net.hidden.tau_m``), which a compiled binary also takes as run arguments.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import StateMonitor, ms, mV, seed

import snn_mnist as snn

parser = argparse.ArgumentParser(description="own monitor, other tau_m")
parser.add_argument("--n", type=int, default=100, help="number of bundled test digits")
parser.add_argument("--neurons", type=int, nargs="+", default=[3, 17, 42], help="hidden neurons to record")
parser.add_argument("--backend", default="cpp", help="runtime, cpp or cuda")
parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
args = parser.parse_args()

trained = snn.load("lif-lif")
images, labels, _ = snn.digits(n=args.n)
fig, axes = plt.subplots(2, 1, figsize=(7, 6))
accuracy = {}
for tau_m in (10.0, 20.0, 40.0):
    hidden = trained.topology.hidden_neuron.replace(tau_m_ms=tau_m)
    output = trained.topology.output_neuron.replace(tau_m_ms=tau_m)
    weights = trained.with_neurons(hidden=hidden, output=output)
    with snn.backend(args.backend) as device:
        seed(0)  # the same Poisson input for every tau_m
        net = snn.build(weights, images=images, dt_ms=weights.dt_ms)
        v = StateMonitor(net.hidden, "v", record=args.neurons, name="my_hidden_v")
        net.network.add(v)
        device.run(net.network, net.duration)
        accuracy[tau_m] = float(np.mean(snn.predict(net.counts("output"), net.first_spikes()) == labels))
        first = v.t < weights.duration_ms * ms  # the first digit only
        axes[0].plot(v.t[first] / ms, v.v[0][first] / mV, label=f"tau_m = {tau_m:g} ms")
    print(f"tau_m = {tau_m:g} ms: accuracy {accuracy[tau_m]:.3f} on {args.n} digits")

axes[0].set_xlabel("time (ms)")
axes[0].set_ylabel(f"v of hidden {args.neurons[0]} (mV)")
axes[0].legend(fontsize=8)
axes[1].plot(list(accuracy), list(accuracy.values()), "o-")
axes[1].set_xscale("log", base=2)
axes[1].set_xlabel("tau_m (ms); trained with 20 ms")
axes[1].set_ylabel(f"accuracy, {args.n} digits")
fig.tight_layout()
args.out.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out / "own_monitor_and_tau.png", dpi=100)
print(f"wrote {args.out / 'own_monitor_and_tau.png'}")
