"""Backend selection and the run protocol shared by every backend."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

BACKENDS = ("runtime", "cpp", "cuda")


class BackendError(RuntimeError):
    """A backend that cannot be used on this machine, with the reason."""


@dataclass
class Timings:
    """Seconds spent generating and compiling code, and running the simulation.

    ``run_seconds`` is None when the backend only built the project (``build_only``): then
    the network has not been simulated and its monitors hold nothing.
    """

    build_seconds: float
    run_seconds: float | None


ProgressCallback = Callable[[float], None]  # fraction of simulated time done, in [0, 1]


class Backend:
    """Runs a Brian2 ``Network`` for a duration and reports where the time went."""

    name = ""

    def run(self, network, duration, progress: ProgressCallback | None = None) -> Timings:
        raise NotImplementedError


class RuntimeBackend(Backend):
    """Brian2's runtime mode with NumPy code generation: no compiler needed."""

    name = "runtime"

    def run(self, network, duration, progress=None) -> Timings:
        from brian2 import second

        t0 = time.perf_counter()
        network.run(0 * second)  # generates the code objects
        t1 = time.perf_counter()
        report = None
        if progress is not None:
            report = lambda elapsed, complete, start, total: progress(float(complete))  # noqa: E731
        network.run(duration, report=report, report_period=1 * second)
        return Timings(build_seconds=t1 - t0, run_seconds=time.perf_counter() - t1)


class StandaloneBackend(Backend):
    """A Brian2 standalone device: generate a project, compile it, run the binary (unless ``build_only``)."""

    def __init__(self, directory: Path, *, build_only: bool = False):
        self.directory = directory
        self.build_only = build_only

    def run(self, network, duration, progress=None) -> Timings:
        t0 = time.perf_counter()
        network.run(duration, report="text" if progress is not None else None)
        self.compile()
        t1 = time.perf_counter()
        if self.build_only:
            return Timings(build_seconds=t1 - t0, run_seconds=None)
        self.execute(with_output=progress is not None)
        if progress is not None:
            progress(1.0)
        return Timings(build_seconds=t1 - t0, run_seconds=time.perf_counter() - t1)

    def compile(self) -> None:
        from brian2 import device

        device.build(directory=str(self.directory), compile=True, run=False)

    def execute(self, with_output: bool) -> None:
        from brian2 import device

        device.run(directory=str(self.directory), with_output=with_output)


class CppBackend(StandaloneBackend):
    name = "cpp"


def _build_root(build_root: str | os.PathLike | None) -> Path:
    root = Path(build_root or os.environ.get("SNN_MNIST_BUILD_DIR") or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    return root


def _require_compiler() -> None:
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    compiler, _ = get_compiler_and_args()
    candidates = [os.environ.get("CXX"), "g++", "c++", "clang++"] if compiler in (None, "unix", "gcc") else [compiler]
    if not any(c and shutil.which(c) for c in candidates):
        raise BackendError("no C++ compiler found (install g++ or set CXX); try --backend runtime")


@contextlib.contextmanager
def activate(
    name: str,
    *,
    threads: int = 0,
    build_root: str | os.PathLike | None = None,
    keep_build: bool = False,
    build_only: bool = False,
    cuda_options: dict | None = None,
) -> Iterator[Backend]:
    """Make ``name`` the active Brian2 device for the duration of the block.

    Standalone backends build in a fresh directory under ``build_root`` (default: the
    ``SNN_MNIST_BUILD_DIR`` environment variable, else the system temp directory), so two
    processes never share one; it is deleted afterwards unless ``keep_build`` is set.
    ``threads`` > 0 asks the C++ backend for that many OpenMP threads. ``build_only`` makes a
    standalone backend compile without running (``Timings.run_seconds`` is then None).
    ``cuda_options`` go to :func:`backends.cuda.configure_cuda` (``compute_capability``).
    """
    if name not in BACKENDS:
        raise BackendError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
    if build_only and name == "runtime":
        raise BackendError("--build-only needs a standalone backend (cpp or cuda); runtime has nothing to build")
    if name == "cuda":
        from .cuda import import_brian2cuda

        import_brian2cuda()  # before the backup below, which then covers brian2cuda's preferences

    from brian2 import device, prefs, set_device

    prefs._backup()  # Brian2's preferences are global: restored on exit
    directory: Path | None = None
    try:
        if name == "runtime":
            set_device("runtime")
            prefs.codegen.target = "numpy"
            yield RuntimeBackend()
            return
        directory = Path(tempfile.mkdtemp(prefix=f"snn-mnist-{name}-", dir=_build_root(build_root)))
        if name == "cpp":
            _require_compiler()
            set_device("cpp_standalone", directory=str(directory), build_on_run=False)
            prefs.devices.cpp_standalone.openmp_threads = max(0, int(threads))
            yield CppBackend(directory, build_only=build_only)
        else:
            from .cuda import CudaBackend, configure_cuda

            configure_cuda(directory, build_only=build_only, **(cuda_options or {}))
            yield CudaBackend(directory, build_only=build_only)
    finally:
        if name != "runtime":
            device.reinit()
            device.activate()
        set_device("runtime")
        prefs._restore()
        if directory is not None and not keep_build:
            shutil.rmtree(directory, ignore_errors=True)
