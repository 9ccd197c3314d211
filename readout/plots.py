"""Figures: confusion matrix, and membrane potentials under a spike raster.

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no display, no global
state) and written atomically; the file's suffix picks the format (``.png``, ``.pdf``, ``.svg``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from snn_mnist.atomic_files import atomic_path
from snn_mnist.neuron_models import NeuronParameters

#: matplotlib's default colours with black for its grey, which marks the spikes of neurons not traced
PALETTE = [f"C{c}" for c in (0, 1, 2, 3, 4, 5, 6, 8, 9)] + ["black"]


def _save(fig: Figure, path: str | Path) -> None:
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)


def confusion_figure(matrix: np.ndarray, path: str | Path, title: str = "") -> None:
    """Draw ``matrix[true, predicted]`` with its counts written in the cells."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    fig = Figure(figsize=(5.2, 4.6), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax, label="images")
    half = matrix.max() / 2 if matrix.size else 0
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > half else "black")
    ax.set(xticks=range(n), yticks=range(n), xlabel="predicted class", ylabel="true class", title=title)
    _save(fig, path)


@dataclass(frozen=True)
class LayerTrace:
    """What one layer did during one digit: its spikes and the potentials of chosen neurons."""

    name: str  # "hidden", "output"
    params: NeuronParameters  # for the threshold and reset lines
    n_neurons: int
    spike_times_ms: np.ndarray
    spike_indices: np.ndarray
    neurons: tuple[int, ...]  # neurons whose potential was recorded, in the order of v_mV's rows
    times_ms: np.ndarray  # (steps,)
    v_mV: np.ndarray  # (len(neurons), steps)


def trace_figure(layers: list[LayerTrace], path: str | Path, title: str = "") -> None:
    """For each layer, a spike raster with the membrane potentials of its chosen neurons below it.

    The potential is recorded at the start of every step, after the synaptic jumps of the step
    before and before this step's leak and threshold test: a value above threshold at step k
    fires at step k unless the leak takes it back below (a triangle at threshold marks each
    spike), and the reset shows at step k+1. Dashed lines: threshold (red) and reset (grey).
    """
    fig = Figure(figsize=(9, 3.2 * len(layers)), layout="constrained")
    axes = fig.subplots(2 * len(layers), 1, sharex=True, height_ratios=[1, 2] * len(layers), squeeze=False)[:, 0]
    for k, layer in enumerate(layers):
        raster, traces = axes[2 * k], axes[2 * k + 1]
        colors = {neuron: PALETTE[k % len(PALETTE)] for k, neuron in enumerate(layer.neurons)}
        chosen = np.isin(layer.spike_indices, layer.neurons)
        raster.scatter(layer.spike_times_ms[~chosen], layer.spike_indices[~chosen], s=4, marker="|", color="0.6")
        raster.scatter(layer.spike_times_ms[chosen], layer.spike_indices[chosen], s=16, marker="|",
                       color=[colors[i] for i in layer.spike_indices[chosen]])
        raster.set(ylim=(-0.5, layer.n_neurons - 0.5), ylabel=f"{layer.name}\nneuron",
                   title=f"{layer.name} layer ({layer.params.kind}): {len(layer.spike_times_ms)} spikes")

        p = layer.params
        for row, neuron in enumerate(layer.neurons):
            traces.plot(layer.times_ms, layer.v_mV[row], color=colors[neuron], lw=1, label=f"{neuron}",
                        drawstyle="steps-post")
            spikes = layer.spike_times_ms[layer.spike_indices == neuron]
            traces.plot(spikes, np.full(spikes.shape, p.v_th_mV), "v", color=colors[neuron], ms=4)
        traces.axhline(p.v_th_mV, color="tab:red", ls="--", lw=0.8, label="threshold")
        traces.axhline(p.v_reset_mV, color="0.4", ls="--", lw=0.8, label="reset")
        traces.set(ylabel="v (mV)")
        traces.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title="neuron", title_fontsize=7)
    axes[-1].set_xlabel("time (ms)")
    if title:
        fig.suptitle(title)
    _save(fig, path)
