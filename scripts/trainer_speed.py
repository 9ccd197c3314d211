"""Seconds per training epoch over the 60,000 MNIST training images: the delta baseline against the
physiological regime, in one run.

    SNN_MNIST_DATA=/path/to/mnist python scripts/trainer_speed.py [--model lif-lif] [--threads 1]
        [--n-train 60000]

Times one epoch of BPTT (batch 128, Poisson input drawn per batch, 1-pixel shifts) and one pass over
the 10,000 test images for two configurations of the same topology:

- ``delta``: 25 steps of 1 ms at up to 1000 Hz (the seeds' models, ``scripts/train_pretrained.sh``);
- ``coba``: 100 steps of 1 ms at up to 100 Hz (``scripts/train_physiological.sh``),

and writes results/trainer_speed.md with the ratio of the two (the goal: the 100-step epoch costs at
most 2.5 times the 25-step one). Wall-clock figures move with the machine and whatever else runs on
it; the ratio, measured in one run, much less. ``--n-train`` times a part of the epoch and scales it.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import torch

from snn_mnist.atomic_files import atomic_path
from snn_mnist.trainer.train import TrainConfig, Trainer

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = {
    "delta, 25 steps, 1000 Hz": {"steps": 25, "max_rate_hz": 1000.0, "synapse": {"kind": "delta"}},
    "coba, 100 steps, 100 Hz": {"steps": 100, "max_rate_hz": 100.0, "synapse": {"kind": "coba"}},
}


def time_epoch(model: str, n_train: int, data_dir: str | None, **config) -> tuple[float, float]:
    """Seconds for one training epoch (scaled to 60,000 images) and for the test pass."""
    trainer = Trainer(TrainConfig(model=model, epochs=1, n_train=n_train, shift=1, data_dir=data_dir, **config),
                      ROOT / "runs" / "speed")
    t0 = time.perf_counter()
    trainer.train_epoch()
    train_s = (time.perf_counter() - t0) * 60000 / len(trainer.train_x)
    t0 = time.perf_counter()
    trainer.evaluate()
    return train_s, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lif-lif")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    times = {name: time_epoch(args.model, args.n_train, args.data_dir, **config) for name, config in CONFIGS.items()}
    (delta_train, _), (coba_train, _) = times.values()
    rows = "".join(f"| {name} | {train:.1f} | {test:.1f} |\n" for name, (train, test) in times.items())
    part = "" if args.n_train == 60000 else f" (timed on {args.n_train:,} images and scaled)"
    text = (
        "# Trainer speed\n\n"
        f"Made by `python scripts/trainer_speed.py --model {args.model} --threads {args.threads}"
        f"{'' if args.n_train == 60000 else f' --n-train {args.n_train}'}` on "
        f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores), torch {torch.__version__}.\n\n"
        f"| {args.model}, batch 128, dt 1 ms | one training epoch, 60,000 images{part} (s) | "
        "evaluation of the 10,000 test images (s) |\n|---|---:|---:|\n"
        f"{rows}\n"
        f"An epoch at 100 steps costs **{coba_train / delta_train:.2f}x** an epoch at 25 steps (goal: at most 2.5x).\n"
    )
    with atomic_path(ROOT / "results" / "trainer_speed.md") as tmp:
        tmp.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
