"""Trained weights: the file format (``weights.format``), NIR import and export (``weights.nir_io``)
and the bundled pretrained models (``weights.pretrained``)."""

from __future__ import annotations

from pathlib import Path

from .format import NetworkWeights, WeightsError, save


def load(path: str | Path, *, nir_convention: str | None = None) -> NetworkWeights:
    """Read and validate a weights file, ``.npz`` (``weights.format``) or ``.nir`` (``weights.nir_io``, whose
    exporter's convention is detected unless ``nir_convention`` names it); any problem raises
    :class:`WeightsError`."""
    if Path(path).suffix.lower() == ".nir":
        from .nir_io import load as load_nir

        return load_nir(Path(path), convention=nir_convention)
    if nir_convention is not None:
        raise WeightsError(f"{path}: a NIR convention applies to .nir files only")
    from .format import load_npz_weights

    return load_npz_weights(path)


__all__ = ["NetworkWeights", "WeightsError", "load", "save"]
