"""Poisson rate coding: pixel intensity -> firing rate -> Bernoulli spikes per time step.

A pixel of intensity ``x`` in [0, 255] fires at ``x/255 * max_rate_hz``; in a step of
``dt_ms`` it spikes with probability ``p = x/255 * max_rate_hz * dt_ms / 1000``. The Brian2
networks draw these spikes inside the simulation (``rates_hz`` feeds a TimedArray), the
trainer draws them per batch, and ``frozen_spikes`` draws them once, from a seed, when two
simulators must see identical input.
"""

from __future__ import annotations

import os

import numpy as np

DEFAULT_MAX_RATE_HZ = 1000.0
#: images whose uniform numbers are drawn at once by ``frozen_spikes``
CHUNK = 256


def _half_the_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


#: the most memory frozen input may take (its booleans and one chunk's float64 draws): half the machine's
MAX_FROZEN_BYTES = _half_the_memory()


class EncodingError(ValueError):
    """Encoding parameters that do not give spike probabilities in [0, 1]."""


def _as_unit_intensity(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 2:
        raise EncodingError(f"images must be an (n, pixels) array, got shape {images.shape}")
    if images.dtype == np.uint8:
        return images.astype(np.float64) / 255.0
    images = images.astype(np.float64)
    if images.size and (images.min() < 0 or images.max() > 1):
        raise EncodingError("float images must hold intensities in [0, 1]")
    return images


def spike_probabilities(images: np.ndarray, max_rate_hz: float, dt_ms: float) -> np.ndarray:
    """Per-step spike probability of each pixel, shape ``(n, pixels)``."""
    p_max = max_rate_hz * dt_ms / 1000.0
    if not 0 < p_max <= 1:
        raise EncodingError(
            f"max rate {max_rate_hz} Hz at dt {dt_ms} ms gives a spike probability of {p_max} per step; "
            "it must lie in (0, 1]"
        )
    return _as_unit_intensity(images) * p_max


def rates_hz(images: np.ndarray, max_rate_hz: float) -> np.ndarray:
    """Firing rate of each pixel in Hz, shape ``(n, pixels)``."""
    return _as_unit_intensity(images) * max_rate_hz


def frozen_spikes(
    images: np.ndarray, steps: int, max_rate_hz: float, dt_ms: float, rng: np.random.Generator
) -> np.ndarray:
    """Spike trains drawn once: a boolean array ``(n, steps, pixels)``.

    The uniform numbers are drawn a chunk of images at a time (the generator fills arrays in order,
    so the spikes are the same as from one draw), which keeps the float64 scratch to ``CHUNK`` images:
    10,000 digits need their 196 MB of booleans, not 1.6 GB of floats besides.
    """
    p = spike_probabilities(images, max_rate_hz, dt_ms)
    need = p.shape[0] * steps * p.shape[1] + min(p.shape[0], CHUNK) * steps * p.shape[1] * 8
    if need > MAX_FROZEN_BYTES:
        raise EncodingError(f"frozen input of {p.shape[0]:,} images x {steps:,} steps would take "
                            f"{need / 2**30:.1f} GiB (at most {MAX_FROZEN_BYTES / 2**30:.0f}); "
                            "use fewer images or steps, or Poisson input")
    spikes = np.empty((p.shape[0], steps, p.shape[1]), dtype=bool)
    for start in range(0, p.shape[0], CHUNK):
        part = p[start : start + CHUNK]
        spikes[start : start + CHUNK] = rng.random((part.shape[0], steps, part.shape[1])) < part[:, None, :]
    return spikes
