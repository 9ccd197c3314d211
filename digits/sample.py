"""A small sample of MNIST test digits shipped with the package, so the main job runs offline.

``sample_digits.npz`` holds the first ``N`` images and labels of the official MNIST test set
(``scripts/make_sample.py`` regenerates it from the IDX files and checks it against them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

PATH = Path(__file__).with_name("sample_digits.npz")


def load() -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 ``(n, 784)`` and labels uint8 ``(n,)`` of the bundled sample."""
    with np.load(PATH, allow_pickle=False) as archive:
        return archive["images"], archive["labels"]
