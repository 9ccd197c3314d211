"""Latency (time-to-first-spike) coding: each pixel spikes at most once per image, the brighter the
earlier, and pixels dimmer than a threshold stay silent.

A pixel of intensity ``x`` (a fraction of 255) at or above ``threshold`` spikes at

    t = (1 - x) / (1 - threshold) * window_ms

after the image's start (a white pixel at once, a pixel at the threshold at ``window_ms``), in the step
``floor(t / dt)``; a step beyond the image is no spike. No random draw is involved: the spikes are a
function of the image, computed here once for Brian2 (a TimedArray of spike steps, the spikes made
inside the simulation) and for the trainer, so both see the same spikes.
"""

from __future__ import annotations

import math

import numpy as np

from .poisson import EncodingError, _as_unit_intensity

SILENT = -1  # the spike step of a pixel that does not spike


def spike_steps(images: np.ndarray, threshold: float, window_ms: float, dt_ms: float) -> np.ndarray:
    """The step (from the image's start) of each pixel's one spike, ``SILENT`` for none: int64 (n, pixels)."""
    x = _as_unit_intensity(images)
    t_ms = (1.0 - x) / (1.0 - threshold) * window_ms
    # a small tolerance, so that a time on a step's boundary lands in that step whatever the rounding
    steps = np.floor(t_ms / dt_ms + 1e-9).astype(np.int64)
    steps[x < threshold] = SILENT
    return steps


def latency_spikes(images: np.ndarray, steps: int, threshold: float, window_ms: float, dt_ms: float) -> np.ndarray:
    """The spike trains, a boolean array (n, steps, pixels): at most one spike per pixel."""
    when = spike_steps(images, threshold, window_ms, dt_ms)
    image, pixel = np.nonzero((when >= 0) & (when < steps))
    spikes = np.zeros((when.shape[0], steps, when.shape[1]), dtype=bool)
    spikes[image, when[image, pixel], pixel] = True
    return spikes


def check(threshold: float, window_ms: float) -> None:
    if not (isinstance(threshold, (int, float)) and math.isfinite(threshold) and 0.0 < threshold < 1.0):
        raise EncodingError(f"latency threshold must lie in (0, 1) (a fraction of full intensity), got {threshold!r}")
    if not (isinstance(window_ms, (int, float)) and math.isfinite(window_ms) and window_ms > 0):
        raise EncodingError(f"latency window must be a positive number of ms, got {window_ms!r}")
