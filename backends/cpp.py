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


def reseed_from(variable, stride: int = 1) -> None:
    """Make the seed of Brian2's random numbers a value of each run of the binary being generated.

    Brian2 compiles ``seed(n)`` into a standalone binary, so runs of one binary through ``run_args``
    would all draw the same numbers. This puts Brian2's ``set_from_command_line`` (the run's values)
    here, followed by C++ that seeds random generator ``i`` with the shared variable ``variable``'s
    value plus ``stride * i``; a run then gives the seed as a run argument like any other value.
    With ``stride`` 1 a run draws what ``brian2.seed(value)`` in place of this call would have drawn."""
    from brian2 import device

    device.apply_run_args()
    array = device.get_array_name(variable)
    device.insert_code(
        "main",
        "for (size_t _i = 0; _i < brian::_random_generators.size(); _i++)\n"
        f"    brian::_random_generators[_i].seed((unsigned long) brian::{array}[0] + {int(stride)} * _i);",
    )


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
