"""Run ``snn-mnist`` as a user does: ``python -m snn_mnist.cli`` in a fresh process from the project root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from snn_mnist import weights

ROOT = Path(__file__).resolve().parents[2]


def snn_mnist(*args, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SNN_MNIST_DATA"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "snn_mnist.cli", *map(str, args)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def cli():
    """``cli(*args, env=None)`` -> CompletedProcess; $SNN_MNIST_DATA is unset unless ``env`` sets it."""
    return snn_mnist


@pytest.fixture
def weights_file(small_weights, tmp_path) -> Path:
    """Seeded random 784-32-10 lif-lif weights: a test fixture, not a trained model."""
    path = tmp_path / "lif-lif-random.npz"
    weights.save(small_weights, path)
    return path
