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

# Each backend registers itself when imported, in this order, which is the order they are listed in.
from . import runtime  # isort: skip
from . import cpp  # isort: skip
from . import cuda  # isort: skip
from .base import REGISTRY, Backend, BackendError, Timings, activate, names, register

#: The registered backends' names: runtime, cpp, cuda.
BACKENDS = names()

__all__ = ["runtime", "cpp", "cuda", "BACKENDS", "REGISTRY", "Backend", "BackendError", "Timings", "activate", "names", "register"]
