"""Bounds on the numbers a user passes (command-line options, the web page's requests), checked where
they enter: each check returns the value or raises ``ValueError`` with a one-line reason."""

from __future__ import annotations

import math

SEEDS = 2**32  # NumPy's and Brian2's seeds lie in [0, 2**32)
MAX_ANGLE_DEG = 360.0  # a rotation of a digit, either way
MAX_THREADS = 256  # OpenMP threads of one simulation (Brian2 serialises synaptic writes: a few cores is the most used)


def seed(value, name: str = "seed") -> int:
    """A seed in [0, 2**32), from an int or its decimal string."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if isinstance(value, bool) or not 0 <= number < SEEDS:
        raise ValueError(f"{name} must lie in [0, 2**32), got {value}")
    return number


def angle(value, name: str = "rotation") -> float:
    """An angle in degrees within [-360, 360]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number of degrees, got {value!r}") from None
    if not (math.isfinite(number) and abs(number) <= MAX_ANGLE_DEG):
        raise ValueError(f"{name} must be a finite angle within [-360, 360] degrees, got {value}")
    return number


def threads(value, name: str = "threads") -> int:
    """A number of OpenMP threads in [0, MAX_THREADS] (0: none), from an int or its decimal string."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if isinstance(value, bool) or not 0 <= number <= MAX_THREADS:
        raise ValueError(f"{name} must lie in [0, {MAX_THREADS}], got {value}")
    return number
