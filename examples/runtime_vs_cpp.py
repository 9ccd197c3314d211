"""The same network on Brian2's runtime mode and as C++ standalone: the same spikes, and the time
each took (code generation and compilation apart from the run itself).

    python examples/runtime_vs_cpp.py [--n 100] [--out FOLDER]

The input spike trains are frozen (drawn once in NumPy), so both backends see identical input and
must give identical spike counts.
"""

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import snn_mnist as snn
from snn_mnist.networks.simulation import input_spikes

parser = argparse.ArgumentParser(description="runtime against C++ standalone")
parser.add_argument("--n", type=int, default=100, help="number of bundled test digits")
parser.add_argument("--out", type=Path, default=Path("."), help="folder for the figure")
args = parser.parse_args()

weights = snn.load("lif-lif")
images, labels, _ = snn.digits(n=args.n)
spikes = input_spikes(images, weights, seed=0)  # (digits, steps, 784) booleans

timings, counts = {}, {}
for name in ("runtime", "cpp"):
    with snn.backend(name) as device:
        net = snn.build(weights, frozen=spikes, dt_ms=weights.dt_ms)
        timings[name] = device.run(net.network, net.duration)
        counts[name] = net.counts("output")
    accuracy = np.mean(counts[name].argmax(axis=1) == labels)
    print(f"{name}: build {timings[name].build_seconds:.1f} s, run {timings[name].run_seconds:.2f} s, "
          f"accuracy {accuracy:.3f}")
same = np.array_equal(counts["runtime"], counts["cpp"])
print(f"identical output spike counts on both backends: {same}")

fig, ax = plt.subplots(figsize=(5, 3.5))
names = list(timings)
ax.bar(names, [timings[k].build_seconds for k in names], label="generate and compile")
ax.bar(names, [timings[k].run_seconds for k in names], bottom=[timings[k].build_seconds for k in names],
       label=f"run {args.n} digits")
ax.set_ylabel("seconds")
ax.set_title(f"LIF-LIF, {args.n} digits: identical spikes = {same}")
ax.legend()
fig.tight_layout()
args.out.mkdir(parents=True, exist_ok=True)
fig.savefig(args.out / "runtime_vs_cpp.png", dpi=100)
print(f"wrote {args.out / 'runtime_vs_cpp.png'}")
