"""Trained weights: the file format (``weights.format``), NIR import and export (``weights.nir_io``)
and the bundled pretrained models (``weights.pretrained``)."""

from __future__ import annotations

from pathlib import Path

from .format import NetworkWeights, WeightsError, save


def load(path: str | Path) -> NetworkWeights:
    """Read and validate a weights file, ``.npz`` (``weights.format``) or ``.nir`` (``weights.nir_io``);
    any problem raises :class:`WeightsError`."""
    if Path(path).suffix.lower() == ".nir":
        from .nir_io import load as load_nir

        return load_nir(Path(path))
    from .format import load_npz_weights

    return load_npz_weights(path)


__all__ = ["NetworkWeights", "WeightsError", "load", "save"]
