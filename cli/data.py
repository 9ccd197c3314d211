"""What the commands run on: which digits (MNIST or the bundled sample) and which weights."""

from __future__ import annotations

import os

import numpy as np

from snn_mnist.digits import mnist, sample


def load_images(data_dir: str | None, n: int | None, start: int = 0, split: str = "test"):
    """``n`` digits from ``start``: MNIST's ``split`` when a data directory is given (option or
    ``$SNN_MNIST_DATA``), else the bundled sample of test digits. Returns images, labels, source."""
    from snn_mnist.cli.main import UserError

    if data_dir is None and not os.environ.get(mnist.ENV_VAR):
        images, labels = sample.load()
        source = f"bundled sample ({len(images)} MNIST test digits)"
    else:
        images, labels = mnist.load(split, data_dir)
        source = f"MNIST {split} set in {mnist.data_dir(data_dir)}"
    if start < 0 or start >= len(images):
        raise UserError(f"--start must lie in [0, {len(images) - 1}] for the {source}")
    n = len(images) - start if n is None else n
    if n < 1 or start + n > len(images):
        raise UserError(f"--n must lie in [1, {len(images) - start}] for the {source} from --start {start}")
    return images[start : start + n], labels[start : start + n].astype(np.int64), source


def load_weights(model: str, path: str | None):
    """The weights file at ``path``, else the bundled pretrained ``model``; returns weights, source."""
    from snn_mnist.cli.main import UserError
    from snn_mnist.weights import load, pretrained

    if path is None:
        return pretrained.load(model), f"pretrained {model}"
    weights = load(path)
    if weights.topology.name != model:
        raise UserError(f"{path} holds a {weights.topology.name} network, not {model}")
    return weights, str(path)
