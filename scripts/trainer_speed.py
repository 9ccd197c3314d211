"""Seconds per training epoch over the 60,000 MNIST training images (issue 3's speed target).

    SNN_MNIST_DATA=/path/to/mnist python scripts/trainer_speed.py [--model lif-lif] [--threads 2]

Times one epoch of BPTT (25 steps, batch 128, Poisson input drawn per batch) and one pass over
the 10,000 test images, and writes results/trainer_speed.md. Wall-clock figures: they depend on
the machine and on whatever else runs on it.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="lif-lif")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    trainer = Trainer(TrainConfig(model=args.model, epochs=1, data_dir=args.data_dir), ROOT / "runs" / "speed")
    t0 = time.perf_counter()
    trainer.train_epoch()
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    trainer.evaluate()
    test_s = time.perf_counter() - t0
    text = (
        "# Trainer speed\n\n"
        f"Made by `python scripts/trainer_speed.py --model {args.model} --threads {args.threads}` on "
        f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores), torch {torch.__version__}.\n\n"
        "| what | seconds |\n|---|---|\n"
        f"| one training epoch, 60,000 images, 25 steps, batch 128 | {train_s:.1f} |\n"
        f"| evaluation of the 10,000 test images | {test_s:.1f} |\n"
    )
    with atomic_path(ROOT / "results" / "trainer_speed.md") as tmp:
        tmp.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
