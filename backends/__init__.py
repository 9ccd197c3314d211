"""Code-generation backends, chosen in one place: Brian2 runtime, C++ standalone, CUDA.

    with backends.activate("cpp", threads=2) as backend:
        ...build Brian2 objects...
        timings = backend.run(network, duration)
        ...read monitors...

Model code never branches on the backend: it builds Brian2 objects inside the ``with`` block
and hands the network to ``backend.run``. Leaving the block returns Brian2 to runtime mode and
removes the standalone build directory, which is private to this process. Each backend is one
module that registers itself (``base.register``); importing this package imports them all.
"""

from . import runtime, cpp, cuda
from .base import REGISTRY, Backend, BackendError, Timings, activate, names, register

#: The registered backends' names: runtime, cpp, cuda.
BACKENDS = names()

__all__ = ["BACKENDS", "REGISTRY", "Backend", "BackendError", "Timings", "activate", "names", "register"]
