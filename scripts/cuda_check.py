"""What the cuda backend still owes on a GPU: identical spikes to cpp, and images/s against cpp.

Run it on a machine with an NVIDIA GPU; without one it stops at once and says so.

    python scripts/cuda_check.py equivalence [--models if-if lif-lif if-lif lif-if] [--images 300]
    python scripts/cuda_check.py benchmark [--model lif-lif] [--batches 10 100 1000 10000]
    ... [--out results/cuda] [--compute-capability 9.0]

``equivalence`` feeds the same frozen input spike trains (NumPy, seeded) to the same weights on
cpp and on cuda and compares the spike counts of every image, hidden and output neurons alike;
it passes only if they are identical for every model. ``benchmark`` times the simulation (not
the build) of batches of more and more images, one after the other in one run, Poisson input,
on cpp (one OpenMP thread per core) and on cuda. Weights are the pretrained ones where they
exist, else seeded random weights (said so in the output); images are the bundled MNIST
sample (300 test digits), repeated for batches larger than that. Each part writes
``<out>/cuda_<part>.json`` and ``.md``, with the GPU, the versions and the command.

On the lent GPU machines (Python 3.12, CUDA 13, no network) brian2 2.10.1 and brian2cuda 1.0b1
are the pair. Fetch their wheels here, in the repository root, once:

    echo /.whl/ >> .git/info/exclude
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \\
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl \\
        brian2==2.10.1 brian2cuda==1.0b1

and there (the device tool's run, with carry [".whl"], timeout 600; the equivalence of all four
models may need two calls, ``--models if-if lif-lif`` then ``--models if-lif lif-if``):

    python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl \\
      && export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 \\
      && python3 scripts/cuda_check.py equivalence --out $OUT

The machine's image already has nvcc 13, nvidia-curand, numpy, sympy, jinja2, pyparsing and
the project's other dependencies. Copy what comes back under $OUT into results/cuda/.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from snn_mnist import backends
from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.backends import cuda
from snn_mnist.digits import sample
from snn_mnist.networks.simulation import input_spikes, simulate
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import NetworkWeights, pretrained

ROOT = Path(__file__).resolve().parents[1]

SEED = 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("equivalence", "benchmark"))
    parser.add_argument("--models", nargs="+", default=list(TOPOLOGIES), choices=list(TOPOLOGIES))
    parser.add_argument("--images", type=int, default=300, help="images for the equivalence (at least 200)")
    parser.add_argument("--model", default="lif-lif", choices=list(TOPOLOGIES), help="the benchmark's model")
    parser.add_argument("--batches", type=int, nargs="+", default=[10, 100, 1000, 10000])
    parser.add_argument("--compute-capability", type=cuda.parse_compute_capability, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "cuda")
    args = parser.parse_args()

    gpus = cuda.visible_gpus()
    if not gpus:
        print("cuda_check: no NVIDIA GPU on this machine: run it where nvidia-smi lists one", file=sys.stderr)
        return 2
    try:
        cuda.import_brian2cuda()
        environment = describe_environment(gpus)
        print(environment)
        if args.part == "equivalence":
            if args.images < 200:
                parser.error("the equivalence needs at least 200 images")
            report = equivalence(args.models, args.images, args.compute_capability)
        else:
            report = benchmark(args.model, args.batches, args.compute_capability)
    except backends.BackendError as exc:
        print(f"cuda_check: {exc}", file=sys.stderr)
        return 2
    report = {"command": " ".join(["python scripts/cuda_check.py", *sys.argv[1:]]), "environment": environment, **report}
    write_json(args.out / f"cuda_{args.part}.json", report)
    with atomic_path(args.out / f"cuda_{args.part}.md") as tmp:
        tmp.write_text(MARKDOWN[args.part](report))
    print(MARKDOWN[args.part](report))
    return 0 if report.get("identical", True) else 1


def describe_environment(gpus: list[str]) -> dict:
    import brian2
    import brian2cuda

    toolkit = cuda.find_toolkit()
    driver = subprocess.run(
        ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True
    ).stdout.split()
    return {
        "gpus": [gpu.split(" (UUID")[0] for gpu in gpus],
        "gpu_compute_capability": cuda.gpu_compute_capability(),
        "driver": driver[0] if driver else None,
        "nvcc": toolkit.version,
        "python": platform.python_version(),
        "brian2": brian2.__version__,
        "brian2cuda": brian2cuda.__version__,
        "numpy": np.__version__,
        "cpu": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
    }


def load_weights(model: str) -> tuple[NetworkWeights, str]:
    """The pretrained weights of ``model``, else seeded random ones that keep both layers firing."""
    if model in pretrained.available():
        return pretrained.load(model), "pretrained"
    rng = np.random.default_rng(SEED)
    n_hidden = 256
    weights = NetworkWeights(
        topology=TOPOLOGIES[model].with_hidden(n_hidden),
        w_input_hidden=rng.normal(0.4, 2.0, (784, n_hidden)).astype(np.float32),
        w_hidden_output=rng.normal(1.0, 6.0, (n_hidden, 10)).astype(np.float32),
    )
    return weights, f"random (seed {SEED})"


def images(n: int) -> np.ndarray:
    digits, _ = sample.load()
    return np.resize(digits, (n, digits.shape[1]))  # the sample, repeated past its 300 digits


def equivalence(models: list[str], n_images: int, compute_capability: float | None) -> dict:
    rows = []
    for model in models:
        weights, source = load_weights(model)
        batch = images(n_images)
        frozen = input_spikes(batch, weights, SEED)
        results = {
            backend: simulate(
                weights,
                batch,
                backend=backend,
                input_mode="frozen",
                frozen=frozen,
                seed=SEED,
                record_hidden=True,
                threads=os.cpu_count() or 1,
                backend_options={"compute_capability": compute_capability} if backend == "cuda" else None,
            )
            for backend in ("cpp", "cuda")
        }
        cpp, gpu = results["cpp"], results["cuda"]
        row = {
            "model": model,
            "weights": source,
            "images": n_images,
            "output_spikes_cpp": int(cpp.output_counts.sum()),
            "hidden_spikes_cpp": int(cpp.hidden_counts.sum()),
            "images_with_different_output_counts": int(np.any(cpp.output_counts != gpu.output_counts, axis=1).sum()),
            "images_with_different_hidden_counts": int(np.any(cpp.hidden_counts != gpu.hidden_counts, axis=1).sum()),
            "same_predictions": int((cpp.output_counts.argmax(1) == gpu.output_counts.argmax(1)).sum()),
        }
        row["identical"] = row["images_with_different_output_counts"] == row["images_with_different_hidden_counts"] == 0
        rows.append(row)
        print(row, flush=True)
    return {"identical": all(r["identical"] for r in rows), "rows": rows}


def benchmark(model: str, batches: list[int], compute_capability: float | None) -> dict:
    weights, source = load_weights(model)
    rows = []
    for n in batches:
        for backend in ("cpp", "cuda"):
            t0 = time.perf_counter()
            result = simulate(
                weights,
                images(n),
                backend=backend,
                input_mode="poisson",
                seed=SEED,
                threads=os.cpu_count() or 1,
                backend_options={"compute_capability": compute_capability} if backend == "cuda" else None,
            )
            rows.append(
                {
                    "backend": backend,
                    "images": n,
                    "build_s": round(result.build_seconds, 2),
                    "run_s": round(result.run_seconds, 3),
                    "images_per_s": round(n / result.run_seconds, 1),
                    "total_s": round(time.perf_counter() - t0, 2),
                }
            )
            print(rows[-1], flush=True)
    return {"model": model, "weights": source, "n_hidden": weights.topology.n_hidden, "rows": rows}


def _header(report: dict) -> str:
    env = report["environment"]
    return (
        f"Made by `{report['command']}` on {', '.join(env['gpus'])} (compute capability "
        f"{env['gpu_compute_capability']}, driver {env['driver']}, nvcc {env['nvcc']}), {env['cpu']}; "
        f"Python {env['python']}, brian2 {env['brian2']}, brian2cuda {env['brian2cuda']}, numpy {env['numpy']}.\n"
    )


def _equivalence_md(report: dict) -> str:
    lines = [
        "# cuda against cpp: frozen input, spike counts per image\n",
        _header(report),
        "| model | weights | images | output spikes (cpp) | images with other output counts | "
        "images with other hidden counts | same prediction |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        lines.append(
            f"| {r['model']} | {r['weights']} | {r['images']} | {r['output_spikes_cpp']} | "
            f"{r['images_with_different_output_counts']} | {r['images_with_different_hidden_counts']} | "
            f"{r['same_predictions']}/{r['images']} |"
        )
    lines.append(f"\nIdentical on every image and model: {'yes' if report['identical'] else 'NO'}.\n")
    return "\n".join(lines)


def _benchmark_md(report: dict) -> str:
    lines = [
        f"# Images per second, cuda against cpp ({report['model']}, 784-{report['n_hidden']}-10, Poisson input)\n",
        _header(report),
        "Images are simulated one after the other in one run; run time excludes the build.\n",
        "| images | backend | build s | run s | images/s |",
        "|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        lines.append(f"| {r['images']} | {r['backend']} | {r['build_s']} | {r['run_s']} | {r['images_per_s']} |")
    return "\n".join(lines) + "\n"


MARKDOWN = {"equivalence": _equivalence_md, "benchmark": _benchmark_md}


if __name__ == "__main__":
    sys.exit(main())
