"""CUDA through brian2cuda (not available yet: see issue 4)."""

from __future__ import annotations

from .base import BackendError, StandaloneBackend


class CudaBackend(StandaloneBackend):
    name = "cuda"


def configure_cuda(directory, **options) -> None:
    raise BackendError("the cuda backend is not available in this version; use --backend cpp")
