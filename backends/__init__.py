"""Code-generation backends, chosen in one place: Brian2 runtime, C++ standalone, CUDA.

    with backends.activate("cpp", threads=2) as backend:
        ...build Brian2 objects...
        timings = backend.run(network, duration)
        ...read monitors...

Model code never branches on the backend: it builds Brian2 objects inside the ``with`` block
and hands the network to ``backend.run``. Leaving the block returns Brian2 to runtime mode and
removes the standalone build directory, which is private to this process.
"""

from .base import BACKENDS, Backend, BackendError, Timings, activate

__all__ = ["BACKENDS", "Backend", "BackendError", "Timings", "activate"]
