"""The learned receptive fields: each excitatory neuron's 784 input weights as a 28 x 28 image."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from snn_mnist.atomic_files import atomic_path


def tile(weights: np.ndarray, columns: int | None = None) -> np.ndarray:
    """Arrange the columns of ``weights`` (784, n) as 28 x 28 tiles in a grid, 1-pixel gaps (NaN)."""
    n = weights.shape[1]
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.full((rows * 29 - 1, columns * 29 - 1), np.nan)
    for k in range(n):
        r, c = divmod(k, columns)
        grid[r * 29 : r * 29 + 28, c * 29 : c * 29 + 28] = weights[:, k].reshape(28, 28)
    return grid


def receptive_fields_figure(weights: np.ndarray, path: str | Path, title: str = "",
                            assignments: np.ndarray | None = None) -> None:
    """Draw every neuron's input weights; with ``assignments``, neurons are sorted by class."""
    order = np.argsort(assignments, kind="stable") if assignments is not None else np.arange(weights.shape[1])
    grid = tile(weights[:, order])
    size = min(12.0, max(4.0, grid.shape[0] / 50))
    fig = Figure(figsize=(size, size * grid.shape[0] / grid.shape[1] + 0.4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="hot_r", vmin=0, vmax=np.nanmax(grid), interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, shrink=0.6, label="weight")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=100)
