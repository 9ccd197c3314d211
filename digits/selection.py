"""Which digits a run sees: a slice of MNIST (from a data directory) or of the bundled sample."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import mnist, sample
from .mnist import DataError


@dataclass(frozen=True)
class Digits:
    """Images uint8 (n, 784), labels int64 (n,), and where they came from, in words."""

    images: np.ndarray
    labels: np.ndarray
    source: str

    def __iter__(self):  # images, labels, source = select(...)
        return iter((self.images, self.labels, self.source))


def select(data_dir: str | os.PathLike | None = None, n: int | None = None, start: int = 0, *,
           split: str = "test", use_sample: bool = False, start_name: str = "--start") -> Digits:
    """``n`` digits (all, when None) from index ``start``.

    MNIST's ``split`` when a data directory is given (``data_dir``, else ``$SNN_MNIST_DATA``), the
    bundled sample of 300 test digits otherwise or when ``use_sample`` is set. An out-of-range
    slice raises :class:`DataError`, naming ``--n`` and ``start_name`` as the command line does.
    """
    if use_sample or (data_dir is None and not os.environ.get(mnist.ENV_VAR)):
        images, labels = sample.load()
        source = f"bundled sample ({len(images)} MNIST test digits)"
    else:
        images, labels = mnist.load(split, data_dir)
        source = f"MNIST {split} set in {mnist.data_dir(data_dir)}"
    if not 0 <= start < len(images):
        raise DataError(f"{start_name} must lie in [0, {len(images) - 1}] for the {source}")
    n = len(images) - start if n is None else n
    if not 1 <= n <= len(images) - start:
        raise DataError(f"--n must lie in [1, {len(images) - start}] for the {source} from {start_name} {start}")
    return Digits(images[start : start + n], labels[start : start + n].astype(np.int64), source)
