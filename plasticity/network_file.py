"""The file of a trained Diehl & Cook network (``.npz``, format version 1).

``weights``        float32 (784, n): input -> excitatory weights, pre x post, dimensionless
                   conductance increments (``ge += w``)
``theta_mV``       float32 (n,): learned threshold increments
``assignments``    int16 (n,): class of each neuron (-1: silent), from label assignment
``readout_coef``   float32 (10, n) and ``readout_intercept`` float32 (10,): linear readout
``metadata``       JSON: format, format_version, n_exc, parameters (with units in their keys,
                   see :class:`plasticity.diehl_cook.DiehlCookParameters`), provenance
                   (seed, images, epochs, throughput, data checksum, ...)

Problems raise :class:`weights.WeightsError` with a one-line reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import load_npz, save_npz
from snn_mnist.readout.label_assignment import LinearReadout
from snn_mnist.weights import WeightsError

from .diehl_cook import N_INPUTS, DiehlCookParameters, NetworkError

FORMAT = "snn-mnist-stdp"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrainedNetwork:
    params: DiehlCookParameters
    weights: np.ndarray
    theta_mV: np.ndarray
    assignments: np.ndarray
    readout: LinearReadout
    provenance: dict = field(default_factory=dict)

    @property
    def n_exc(self) -> int:
        return self.weights.shape[1]

    def __post_init__(self) -> None:
        n = self.weights.shape[1] if self.weights.ndim == 2 else -1
        shapes = {
            "weights": (self.weights, (N_INPUTS, n)),
            "theta_mV": (self.theta_mV, (n,)),
            "assignments": (self.assignments, (n,)),
            "readout_coef": (self.readout.coef, (10, n)),
            "readout_intercept": (self.readout.intercept, (10,)),
        }
        for name, (array, shape) in shapes.items():
            if n < 1 or np.shape(array) != shape:
                raise WeightsError(f"{name} has shape {np.shape(array)}, expected {shape}")
        for name in ("weights", "theta_mV", "readout_coef"):
            if not np.all(np.isfinite(shapes[name][0])):
                raise WeightsError(f"{name} contains NaN or infinite values")
        if np.any((self.assignments < -1) | (self.assignments > 9)):
            raise WeightsError("assignments must be classes 0-9 or -1")


def save(net: TrainedNetwork, path: str | Path) -> None:
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "n_exc": net.n_exc,
        "parameters": net.params.to_dict(),
        "provenance": net.provenance,
    }
    save_npz(path, {
        "weights": net.weights.astype(np.float32),
        "theta_mV": net.theta_mV.astype(np.float32),
        "assignments": net.assignments.astype(np.int16),
        "readout_coef": net.readout.coef.astype(np.float32),
        "readout_intercept": net.readout.intercept.astype(np.float32),
    }, metadata)


def load(path: str | Path) -> TrainedNetwork:
    arrays, metadata = load_npz(path, ("weights", "theta_mV", "assignments", "readout_coef", "readout_intercept"),
                                what="STDP network file", error=WeightsError)
    if metadata.get("format") != FORMAT or metadata.get("format_version") != FORMAT_VERSION:
        raise WeightsError(f"{path}: not an STDP network file of format version {FORMAT_VERSION}")
    try:
        params = DiehlCookParameters.from_dict(metadata["parameters"])
    except (KeyError, NetworkError) as exc:
        raise WeightsError(f"{path}: {exc}") from None
    return TrainedNetwork(
        params=params,
        weights=arrays["weights"].astype(np.float64),
        theta_mV=arrays["theta_mV"].astype(np.float64),
        assignments=arrays["assignments"].astype(np.int64),
        readout=LinearReadout(arrays["readout_coef"].astype(np.float64), arrays["readout_intercept"].astype(np.float64)),
        provenance=dict(metadata.get("provenance", {})),
    )
