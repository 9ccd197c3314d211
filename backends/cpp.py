"""C++ standalone: Brian2 generates a C++ project, compiles it once and runs the binary."""

from __future__ import annotations

import contextlib
import os
import shutil

from .base import BackendError, StandaloneBackend, register


def require_compiler() -> None:
    """A one-line BackendError unless a C++ compiler is on this machine."""
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    compiler, _ = get_compiler_and_args()
    candidates = [os.environ.get("CXX"), "g++", "c++", "clang++"] if compiler in (None, "unix", "gcc") else [compiler]
    if not any(c and shutil.which(c) for c in candidates):
        raise BackendError("no C++ compiler found (install g++ or set CXX); try --backend runtime")


@register
class CppBackend(StandaloneBackend):
    """``threads`` > 0 asks for that many OpenMP threads; ``build_only`` compiles without running."""

    name = "cpp"
    options = {"threads": 0, "build_only": False}

    @classmethod
    @contextlib.contextmanager
    def activated(cls, directory, *, threads: int, build_only: bool):
        from brian2 import device, prefs, set_device

        require_compiler()
        set_device("cpp_standalone", directory=str(directory), build_on_run=False)
        prefs.devices.cpp_standalone.openmp_threads = max(0, int(threads))
        try:
            yield cls(directory, build_only=build_only)
        finally:
            device.reinit()
            device.activate()
