"""Regenerate digits/sample_digits.npz: the first N images of the official MNIST test set.

    python scripts/make_sample.py --data-dir ../shared/data/mnist [--n 300]
"""

from __future__ import annotations

import argparse

import numpy as np

from snn_mnist.atomic_files import atomic_path
from snn_mnist.digits import mnist, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    images, labels = mnist.load("test", args.data_dir)
    with atomic_path(sample.PATH) as tmp:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, images=images[: args.n], labels=labels[: args.n])
    print(f"wrote {sample.PATH} ({args.n} test digits)")


if __name__ == "__main__":
    main()
