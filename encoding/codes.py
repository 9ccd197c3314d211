"""The input codes a network is trained and simulated with, one frozen parameter object each, in physical
units (Hz, ms), so that a network keeps its input when it moves to another time step. A weights file
stores one under ``encoding``; Brian2 (``networks.builder``) and the trainer read the same object."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from . import latency
from .poisson import DEFAULT_MAX_RATE_HZ, EncodingError, frozen_spikes, spike_probabilities


@dataclass(frozen=True)
class PoissonCode:
    """Rate coding: a pixel of intensity ``x`` (a fraction of 255) fires at ``x * max_rate_hz``, a
    Bernoulli draw every step, drawn inside the simulation."""

    max_rate_hz: float = DEFAULT_MAX_RATE_HZ
    kind: ClassVar[str] = "poisson"

    def check(self, dt_ms: float, duration_ms: float) -> None:
        if not (isinstance(self.max_rate_hz, (int, float)) and math.isfinite(self.max_rate_hz)
                and 0 < self.max_rate_hz * dt_ms / 1000 <= 1):
            raise EncodingError(f"max rate {self.max_rate_hz} Hz is not usable at dt {dt_ms} ms")

    def peak_rate_hz(self, duration_ms: float) -> float:
        """The highest mean rate of one input neuron (a white pixel)."""
        return float(self.max_rate_hz)

    def frozen(self, images: np.ndarray, steps: int, dt_ms: float, rng: np.random.Generator) -> np.ndarray:
        """Spike trains drawn once (n, steps, pixels), for runs that must see identical input."""
        return frozen_spikes(images, steps, self.max_rate_hz, dt_ms, rng)

    def describe(self) -> str:
        return f"poisson input up to {self.max_rate_hz:g} Hz"

    def to_dict(self) -> dict:
        return {"type": self.kind, **asdict(self)}


@dataclass(frozen=True)
class LatencyCode:
    """Time-to-first-spike coding (``encoding.latency``): one spike per pixel at or above ``threshold``,
    ``(1 - x) / (1 - threshold) * window_ms`` after the image's start."""

    threshold: float = 0.25
    window_ms: float = 10.0
    kind: ClassVar[str] = "latency"

    def check(self, dt_ms: float, duration_ms: float) -> None:
        latency.check(self.threshold, self.window_ms)
        if self.window_ms >= duration_ms:
            raise EncodingError(f"the latency window ({self.window_ms:g} ms) must end within the image's "
                                f"{duration_ms:g} ms")

    def peak_rate_hz(self, duration_ms: float) -> float:
        """One spike per image at most."""
        return 1000.0 / duration_ms

    def spike_steps(self, images: np.ndarray, dt_ms: float) -> np.ndarray:
        return latency.spike_steps(images, self.threshold, self.window_ms, dt_ms)

    def frozen(self, images: np.ndarray, steps: int, dt_ms: float, rng: np.random.Generator | None = None):
        return latency.latency_spikes(images, steps, self.threshold, self.window_ms, dt_ms)

    def describe(self) -> str:
        return f"latency input (threshold {self.threshold:g}, window {self.window_ms:g} ms)"

    def to_dict(self) -> dict:
        return {"type": self.kind, **asdict(self)}


CODES = {code.kind: code for code in (PoissonCode, LatencyCode)}
InputCode = PoissonCode | LatencyCode


def code_from_dict(data: dict) -> InputCode:
    """The input code a ``to_dict()`` wrote; :class:`EncodingError` in one line otherwise."""
    if not isinstance(data, dict) or data.get("type") not in CODES:
        kind = data.get("type") if isinstance(data, dict) else data
        raise EncodingError(f"unknown encoding {kind!r} (choose from {', '.join(CODES)})")
    cls = CODES[data["type"]]
    values = {k: v for k, v in data.items() if k != "type"}
    unknown = set(values) - set(cls.__dataclass_fields__)
    if unknown:
        raise EncodingError(f"{cls.kind} encoding has no parameter {sorted(unknown)[0]!r}")
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EncodingError(f"{cls.kind} encoding: {name} must be a number, got {value!r}")
    return cls(**{k: float(v) for k, v in values.items()})


__all__ = ["CODES", "InputCode", "LatencyCode", "PoissonCode", "code_from_dict", "spike_probabilities"]
