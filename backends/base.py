"""The backend protocol, the registry the backends add themselves to, and :func:`activate`.

As Brian2's devices do (``brian2.devices.device.all_devices``), each backend registers itself
(:func:`register`) when its module is imported, and declares the options it takes with their
defaults; nothing here lists them. ``backends/__init__.py`` imports the built-in ones.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator


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
    """Runs a Brian2 ``Network`` for a duration and reports where the time went.

    A subclass names itself (``name``), declares its options with their defaults (``options``),
    and makes its Brian2 device active in :meth:`activated`, which yields the backend to run with.
    """

    name: ClassVar[str] = ""
    options: ClassVar[dict[str, Any]] = {}
    #: builds a project in a directory of its own (standalone); runtime builds nothing
    standalone: ClassVar[bool] = False

    @classmethod
    def prepare(cls) -> None:
        """Whatever must happen before Brian2's preferences are backed up (e.g. importing a package
        that adds preferences); a BackendError here says the backend cannot be used."""

    @classmethod
    @contextlib.contextmanager
    def activated(cls, directory: Path | None, **options) -> Iterator["Backend"]:
        raise NotImplementedError
        yield

    def run(self, network, duration, progress: ProgressCallback | None = None) -> Timings:
        raise NotImplementedError


class StandaloneBackend(Backend):
    """A Brian2 standalone device: generate a project, compile it, run the binary (unless ``build_only``)."""

    standalone = True

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
        """Brian2's build, its ``make`` run as a process group of its own: an interrupt (Ctrl-C, or SIGTERM
        turned into an exception by the command line) ends every compiler process before it propagates,
        and a failed compilation is a one-line :class:`BackendError` that says where the messages are."""
        from brian2 import device

        try:
            with _make_in_its_own_group():
                device.build(directory=str(self.directory), compile=True, run=False)
        except RuntimeError as exc:
            if "compilation failed" not in str(exc):
                raise
            raise BackendError(f"compiling the generated {self.name} project failed; "
                               f"{self.compiler_messages()}") from None

    def compiler_messages(self) -> str:
        """Where a failed compilation's messages are: Brian2 prints them and keeps them in a log file."""
        from brian2.utils.logger import std_silent

        log = getattr(std_silent, "dest_fname_stderr", None)
        return "the compiler's messages are above" + (f" (and in {log})" if log else "")

    def execute(self, with_output: bool) -> None:
        from brian2 import device

        device.run(directory=str(self.directory), with_output=with_output)


@contextlib.contextmanager
def _make_in_its_own_group() -> Iterator[None]:
    """While active, ``os.system`` (what Brian2 runs ``make`` with) starts the command in a new process
    group and, if the wait is interrupted, ends that whole group (``make`` and every compiler it started)
    before the interrupt goes on. ``system()`` itself would ignore Ctrl-C in this process and leave a
    killed parent's compilers running."""
    def system(command: str) -> int:
        child = subprocess.Popen(command, shell=True, start_new_session=True)
        try:
            return child.wait() << 8  # os.system's wait status for an exit code
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
            child.wait()
            raise

    original, os.system = os.system, system
    try:
        yield
    finally:
        os.system = original


#: name -> backend class, in the order they registered
REGISTRY: dict[str, type[Backend]] = {}


def register(backend: type[Backend]) -> type[Backend]:
    """Class decorator: make ``backend`` available under its name."""
    if not backend.name or backend.name in REGISTRY:
        raise ValueError(f"backend name {backend.name!r} is empty or taken")
    REGISTRY[backend.name] = backend
    return backend


def names() -> tuple[str, ...]:
    """The registered backends' names, e.g. for a command's ``choices``."""
    return tuple(REGISTRY)


def _build_directory(name: str, build_root: str | os.PathLike | None) -> Path:
    """A fresh build folder under ``build_root`` ($SNN_MNIST_BUILD_DIR, else the temp folder)."""
    root = Path(build_root or os.environ.get("SNN_MNIST_BUILD_DIR") or tempfile.gettempdir())
    try:
        root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"snn-mnist-{name}-", dir=root))
    except OSError as exc:
        raise BackendError(f"cannot build in {root} ({exc.strerror or exc}); set SNN_MNIST_BUILD_DIR to a folder "
                           "you can write") from None


#: Options that only tune speed: a backend without them ignores them (``threads`` on runtime or cuda).
HINTS = frozenset({"threads"})


def _options(backend: type[Backend], given: dict) -> dict:
    """``given`` checked against what ``backend`` declares, its defaults filled in. An option another
    backend has is ignored while it holds a default-like value (0, False, None) or is a speed hint
    (:data:`HINTS`), and refused otherwise: it would change what is run."""
    known = {k for b in REGISTRY.values() for k in b.options}
    chosen = dict(backend.options)
    for key, value in given.items():
        if key in backend.options:
            chosen[key] = value
        elif key not in known:
            raise BackendError(f"unknown backend option {key!r}")
        elif value and key not in HINTS:
            takers = [b.name for b in REGISTRY.values() if key in b.options]
            raise BackendError(f"{key.replace('_', '-')} needs the {' or '.join(takers)} backend, not {backend.name}")
    return chosen


@contextlib.contextmanager
def activate(
    name: str,
    *,
    build_root: str | os.PathLike | None = None,
    keep_build: bool = False,
    **options,
) -> Iterator[Backend]:
    """Make backend ``name`` the active Brian2 device for the duration of the block.

    ``options`` are the backend's own (``REGISTRY[name].options``: ``threads`` and ``build_only``
    for cpp, ``build_only`` and ``compute_capability`` for cuda). Standalone backends build in a
    fresh directory under ``build_root`` (default: the ``SNN_MNIST_BUILD_DIR`` environment
    variable, else the system temp directory), so two processes never share one; it is deleted
    afterwards unless ``keep_build`` is set. Brian2's preferences are restored on exit.
    """
    if name not in REGISTRY:
        raise BackendError(f"unknown backend {name!r} (choose from {', '.join(REGISTRY)})")
    backend = REGISTRY[name]
    if options.get("build_only") and not backend.standalone:
        standalone = " or ".join(b.name for b in REGISTRY.values() if b.standalone)
        raise BackendError(f"--build-only needs a standalone backend ({standalone}); {name} has nothing to build")
    chosen = _options(backend, options)
    backend.prepare()

    from brian2 import prefs, set_device

    prefs._backup()  # Brian2's preferences are global: restored on exit
    directory = _build_directory(name, build_root) if backend.standalone else None
    try:
        with backend.activated(directory, **chosen) as active:
            yield active
    finally:
        set_device("runtime")
        prefs._restore()
        if directory is not None and not keep_build:
            shutil.rmtree(directory, ignore_errors=True)
