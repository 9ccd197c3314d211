"""Figures: the confusion matrix, and one digit's passage through a network (input spike map,
spike rasters with membrane potentials, and an animation (GIF) of the potentials).

Figures are drawn on matplotlib's Agg canvas directly (no pyplot, no display, no global state)
and written atomically; the file's suffix picks the format (``.png``, ``.pdf``, ``.svg``). The
static traces and the animation take the same ``LayerTrace`` records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from snn_mnist.atomic_files import atomic_path
from snn_mnist.neuron_models import NeuronParameters

SPIKE_HEIGHT_MV = 15.0  # head room above threshold for the spike impulses


def _save(fig: Figure, path: str | Path, dpi: int = 110) -> None:
    FigureCanvasAgg(fig)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi)


#: matplotlib's default colours with black for its grey, which marks the spikes of neurons not traced
PALETTE = [f"C{c}" for c in (0, 1, 2, 3, 4, 5, 6, 8, 9)] + ["black"]


def confusion_figure(matrix: np.ndarray, path: str | Path, title: str = "") -> None:
    """Draw ``matrix[true, predicted]`` with its counts written in the cells; a last column beyond the
    classes (``metrics.confusion``) holds the images that got no class."""
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
    columns = [str(k) for k in range(n)] + ["none"] * (matrix.shape[1] - n)
    ax.set(xticks=range(matrix.shape[1]), xticklabels=columns, yticks=range(n), xlabel="predicted class",
           ylabel="true class", title=title)
    _save(fig, path, dpi=120)


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
    reversal_mV: dict = field(default_factory=dict)  # the synapses' reversal potentials by name (coba)


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
        _mark_reversal_potentials(traces, layer)
        traces.set(ylabel="v (mV)")
        traces.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title="neuron", title_fontsize=7)
    axes[-1].set_xlabel("time (ms)")
    if title:
        fig.suptitle(title)
    _save(fig, path, dpi=120)


def _mark_reversal_potentials(ax, layer: LayerTrace) -> None:
    """Dotted lines at the reversal potentials near the traces; one far above or below them (E_exc at
    0 mV over potentials below -45 mV) is named at that edge of the panel, so the traces keep their scale."""
    if not layer.reversal_mV:
        return
    p = layer.params
    shown = np.concatenate([[p.v_reset_mV, p.v_rest_mV, p.v_th_mV], np.ravel(layer.v_mV)])
    low, high = np.nanmin(shown), np.nanmax(shown)
    margin = 15.0  # mV beyond the traces' range within which a reversal potential is drawn as a line
    for name, potential in layer.reversal_mV.items():
        label = f"{name} = {potential:g} mV"
        if low - margin <= potential <= high + margin:
            ax.axhline(potential, color="tab:purple", ls=":", lw=1.0, label=label)
        else:
            above = potential > high
            ax.annotate(f"{label} {'↑' if above else '↓'}", xy=(0.99, 0.9 if above else 0.1),
                        xycoords="axes fraction", ha="right", va="top" if above else "bottom", fontsize=7,
                        color="tab:purple", bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})


def input_spike_map_figure(pixels: np.ndarray, spikes: np.ndarray, dt_ms: float, path: str | Path,
                           title: str = "") -> None:
    """The digit, its input spikes per pixel (28x28) and the input raster.

    ``pixels``: 784 intensities (uint8); ``spikes``: bool (steps, 784), the trains the network saw.
    """
    pixels, spikes = np.asarray(pixels).reshape(-1), np.asarray(spikes, dtype=bool)
    side = int(round(np.sqrt(pixels.size)))
    steps = spikes.shape[0]
    fig = Figure(figsize=(11, 3.4), layout="constrained")
    ax_digit, ax_map, ax_raster = fig.subplots(1, 3, width_ratios=[1, 1.2, 1.8])

    ax_digit.imshow(pixels.reshape(side, side), cmap="gray", vmin=0, vmax=255)
    ax_digit.set(title="digit (28x28)", xticks=[], yticks=[])

    counts = spikes.sum(axis=0).reshape(side, side)
    image = ax_map.imshow(counts, cmap="magma", vmin=0, vmax=max(1, steps))
    fig.colorbar(image, ax=ax_map, label="spikes")
    ax_map.set(title=f"input spikes per pixel in {steps * dt_ms:g} ms", xticks=[], yticks=[])

    step, neuron = np.nonzero(spikes)
    ax_raster.scatter(step * dt_ms, neuron, s=2, marker="|", color="k", linewidths=0.6)
    ax_raster.set(xlim=(-0.5 * dt_ms, steps * dt_ms), ylim=(pixels.size - 0.5, -0.5), xlabel="time (ms)",
                  ylabel="input pixel (row-major)", title=f"input raster: {spikes.sum()} spikes")
    if title:
        fig.suptitle(title)
    _save(fig, path)


def raster_figure(hidden: LayerTrace, output: LayerTrace, duration_ms: float, path: str | Path,
                  title: str = "", prediction: int | None = None) -> None:
    """Spike rasters of the hidden and output layers, each with its spike count per neuron beside it."""
    fig = Figure(figsize=(10, 6), layout="constrained")
    axes = fig.subplots(2, 2, sharey="row", width_ratios=[5, 1], height_ratios=[2.2, 1])
    for row, layer in enumerate((hidden, output)):
        raster, bars = axes[row]
        counts = np.bincount(np.asarray(layer.spike_indices, dtype=np.int64), minlength=layer.n_neurons)
        colors = np.full(len(layer.spike_indices), "k", dtype=object)
        bar_colors = ["0.4"] * layer.n_neurons
        if layer.name == "output" and prediction is not None:
            colors[np.asarray(layer.spike_indices) == prediction] = "tab:red"
            bar_colors[prediction] = "tab:red"
        raster.scatter(layer.spike_times_ms, layer.spike_indices, s=12 if layer.n_neurons <= 20 else 3,
                       marker="|", c=list(colors), linewidths=1.0 if layer.n_neurons <= 20 else 0.6)
        raster.set(xlim=(0, duration_ms), ylim=(layer.n_neurons - 0.5, -0.5), ylabel=f"{layer.name} neuron",
                   title=f"{layer.name} layer ({layer.params.kind}): {len(layer.spike_times_ms)} spikes")
        bars.barh(np.arange(layer.n_neurons), counts, height=0.8 if layer.n_neurons <= 20 else 1.0,
                  color=bar_colors)
        bars.set(xlabel="spikes", title="count")
        bars.set_xlim(0, 1.3 * max(1, counts.max()))  # room for the numbers
        if layer.n_neurons <= 20:
            raster.set_yticks(range(layer.n_neurons))
            for k, c in enumerate(counts):
                bars.text(c, k, f" {c}", va="center", fontsize=7)
    axes[1, 0].set_xlabel("time (ms)")
    if title:
        fig.suptitle(title)
    _save(fig, path)


def _panels(layers: list[LayerTrace]) -> list[tuple[LayerTrace, int, np.ndarray, np.ndarray]]:
    """(layer, neuron, its potential, its spike times) for every recorded neuron."""
    return [
        (layer, neuron, layer.v_mV[row], np.asarray(layer.spike_times_ms)[np.asarray(layer.spike_indices) == neuron])
        for layer in layers
        for row, neuron in enumerate(layer.neurons)
    ]


def voltage_animation(layers: list[LayerTrace], path: str | Path, title: str = "", fps: float = 6.0,
                      hold_frames: int = 6) -> int:
    """A GIF of the membrane potential of every recorded neuron, growing step by step.

    Each panel shows the potential (sampled at the start of every step, drawn as steps), the
    threshold (red dashed) and reset (grey dashed) levels, and each spike as an impulse rising
    from the threshold to the top of the panel at its time. The last frame is held for ``hold_frames`` frames.
    Returns the number of frames written.
    """
    panels = _panels(layers)
    if not panels:
        raise ValueError("no neuron's potential was recorded")
    times = np.asarray(panels[0][0].times_ms)
    dt = float(times[1] - times[0]) if len(times) > 1 else 1.0
    columns = 1 if len(panels) <= 5 else 2
    rows = -(-len(panels) // columns)
    fig = Figure(figsize=(5.2 * columns, 0.3 + 1.35 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, columns, squeeze=False, sharex=True).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)

    artists = []
    for ax, (layer, neuron, v, spike_times) in zip(axes, panels):
        p = layer.params
        low = min(float(v.min()), p.v_reset_mV, p.v_rest_mV) - 2
        high = max(float(v.max()), p.v_th_mV + SPIKE_HEIGHT_MV) + 2
        ax.axhline(p.v_th_mV, color="tab:red", ls="--", lw=0.8)
        ax.axhline(p.v_reset_mV, color="0.5", ls="--", lw=0.8)
        ax.set(xlim=(times[0], times[-1] + dt), ylim=(low, high), ylabel="mV")
        ax.tick_params(labelsize=7)
        line, = ax.plot([], [], drawstyle="steps-post", lw=1.2, color="tab:blue")
        impulses = LineCollection([], colors="k", linewidths=1.5)
        ax.add_collection(impulses)
        cursor = ax.axvline(times[0], color="0.7", lw=0.8)
        name = f"output {neuron} (digit {neuron})" if layer.name == "output" else f"{layer.name} {neuron}"
        label = ax.set_title(f"{name}: 00 spikes", fontsize=8, loc="left")  # room for the text to come
        artists.append((line, impulses, cursor, label, name, v, spike_times, (p.v_th_mV, high)))
    for ax in axes[len(panels) - columns:len(panels)]:
        ax.set_xlabel("time (ms)")
    heading = fig.suptitle(title or " ")
    fig.canvas.draw()  # lay the panels out once, then keep them still (and spare a layout per frame)
    fig.set_layout_engine("none")

    def draw(frame: int):
        k = min(frame, len(times) - 1)
        now = times[k]
        for line, impulses, cursor, label, name, v, spike_times, (v_th, top) in artists:
            line.set_data(np.append(times[: k + 1], now + dt), np.append(v[: k + 1], v[k]))
            shown = spike_times[spike_times <= now]
            impulses.set_segments([[(t, v_th), (t, top)] for t in shown])
            cursor.set_xdata([now, now])
            label.set_text(f"{name}: {len(shown)} spike{'s' if len(shown) != 1 else ''}")
        heading.set_text(f"{title}  t = {now:g} ms".strip())
        return []

    frames = len(times) + hold_frames
    animation = FuncAnimation(fig, draw, frames=frames, blit=False, repeat=False)
    with atomic_path(path) as tmp:
        animation.save(tmp, writer=PillowWriter(fps=fps), dpi=90)
    return frames
