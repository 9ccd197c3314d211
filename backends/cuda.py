"""CUDA through brian2cuda: generate a CUDA project, compile it with nvcc, run it on a GPU.

What it needs, each checked before anything is generated, with a one-line error otherwise:

* brian2cuda (``pip install 'snn-mnist[cuda]'``, which also brings the cuRAND wheel);
* ``nvcc``: ``$CUDA_PATH/bin/nvcc`` when ``CUDA_PATH`` is set, else the one on ``PATH``;
* cuRAND: the CUDA toolkit's own, else the one in the ``nvidia-curand`` wheel, found through
  the installed ``nvidia`` package (no fixed paths);
* an NVIDIA GPU, only to run: with ``build_only`` the project is compiled for
  ``compute_capability`` (default :data:`DEFAULT_COMPUTE_CAPABILITY`) and not run, which is how a
  machine without a GPU (CI) checks the CUDA path.

brian2cuda's own GPU detection is always off: this module finds the GPU, and its compute
capability, itself, so that the same settings serve a build on a machine without one.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .base import BackendError, StandaloneBackend, register

#: Hopper (H100, H200): what a build without a GPU targets unless told otherwise.
DEFAULT_COMPUTE_CAPABILITY = 9.0

#: brian2cuda's templates ask for C++11, which CUDA 13's headers refuse.
CXX_STANDARD = "-std=c++17"

_INSTALL_HINT = "pip install 'snn-mnist[cuda]'"
_NO_GPU_HINT = "compile without running with --build-only, or use --backend cpp"


@dataclass(frozen=True)
class Toolkit:
    """The CUDA compiler found on this machine and what it knows."""

    nvcc: Path
    version: float  # major.minor, e.g. 13.0
    architectures: tuple[float, ...]  # compute capabilities nvcc compiles for, e.g. (7.5, ..., 12.1)
    include_dirs: tuple[Path, ...]  # nvcc's own -I and -L directories
    library_dirs: tuple[Path, ...]


@dataclass(frozen=True)
class Curand:
    """cuRAND from the ``nvidia-curand`` wheel: its headers and its shared library."""

    include_dir: Path
    library: Path  # e.g. .../nvidia/cu13/lib/libcurand.so.10


def import_brian2cuda() -> None:
    """Import brian2cuda, which registers the ``cuda_standalone`` device and its preferences."""
    if importlib.util.find_spec("brian2cuda") is None:
        raise BackendError(f"the cuda backend needs brian2cuda ({_INSTALL_HINT}); or use --backend cpp")
    importlib.import_module("brian2cuda")
    _keep_info_off_the_console("brian2cuda")


class _NoInfoFrom(logging.Filter):
    """Drops the records of one package (``name``) below WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(self.name)


def _keep_info_off_the_console(package: str) -> None:
    """brian2cuda logs every one of its preferences at INFO on each build: keep its INFO messages
    off the console (its warnings still show there; Brian2's log file keeps everything)."""
    from brian2.utils.logger import BrianLogger

    handler = BrianLogger.console_handler
    if handler is not None and not any(isinstance(f, _NoInfoFrom) and f.name == package for f in handler.filters):
        handler.addFilter(_NoInfoFrom(package))


def find_nvcc() -> Path:
    """``$CUDA_PATH/bin/nvcc`` if ``CUDA_PATH`` is set, else ``nvcc`` on ``PATH``."""
    cuda_path = os.environ.get("CUDA_PATH")
    if cuda_path:
        nvcc = Path(cuda_path) / "bin" / "nvcc"
        if not os.access(nvcc, os.X_OK):
            raise BackendError(f"CUDA_PATH={cuda_path} has no bin/nvcc; fix CUDA_PATH or unset it")
        return nvcc
    found = shutil.which("nvcc")
    if found is None:
        raise BackendError(
            "nvcc (the CUDA compiler) is not on PATH; install the CUDA toolkit or set CUDA_PATH, "
            "or use --backend cpp"
        )
    return Path(found)


def find_toolkit() -> Toolkit:
    """Ask ``nvcc`` for its version, its target architectures and its include/library paths."""
    nvcc = find_nvcc()
    version = re.search(r"release (\d+)\.(\d+)", _nvcc(nvcc, "--version"))
    if version is None:
        raise BackendError(f"{nvcc} --version does not name a CUDA release")
    architectures = sorted(
        int(code) / 10 for code in re.findall(r"^compute_(\d+)$", _nvcc(nvcc, "--list-gpu-arch"), re.MULTILINE)
    )
    with tempfile.TemporaryDirectory(prefix="snn-mnist-nvcc-") as scratch:
        source = Path(scratch) / "empty.cu"
        source.write_text("")
        # --dryrun prints the commands nvcc would run, with its own -I and -L directories
        plan = _nvcc(nvcc, "--dryrun", "-c", str(source), "-o", str(Path(scratch) / "empty.o"))
    paths = lambda flag: tuple(Path(p) for p in re.findall(rf'"{flag}([^"]+)"', plan))  # noqa: E731
    return Toolkit(
        nvcc=nvcc,
        version=float(f"{version[1]}.{version[2]}"),
        architectures=tuple(architectures),
        include_dirs=paths("-I"),
        library_dirs=paths("-L"),
    )


def _nvcc(nvcc: Path, *args: str) -> str:
    try:
        done = subprocess.run([str(nvcc), *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendError(f"{nvcc} {args[0]} failed: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackendError(f"{nvcc} {args[0]} failed: {last}")
    return done.stdout + done.stderr


def toolkit_has_curand(toolkit: Toolkit) -> bool:
    """Whether nvcc finds cuRAND by itself, as in a full CUDA toolkit installation."""
    header = any((d / "curand.h").is_file() for d in toolkit.include_dirs)
    library = any((d / "libcurand.so").exists() for d in toolkit.library_dirs if d.name != "stubs")
    return header and library


def find_curand_wheel(cuda_major: int) -> Curand | None:
    """cuRAND from the ``nvidia-curand`` wheel (``nvidia/<cuXX or curand>/{include,lib}``), if installed.

    Where several CUDA versions are installed, the one matching ``cuda_major`` is preferred.
    """
    spec = importlib.util.find_spec("nvidia")
    if spec is None or not spec.submodule_search_locations:
        return None
    found = []
    for location in spec.submodule_search_locations:
        for header in sorted(Path(location).glob("*/include/curand.h")):
            libraries = sorted((header.parent.parent / "lib").glob("libcurand.so*"))
            if libraries:
                found.append(Curand(include_dir=header.parent, library=libraries[-1]))
    found.sort(key=lambda c: c.include_dir.parent.name != f"cu{cuda_major}")
    return found[0] if found else None


def parse_compute_capability(text: str) -> float:
    """``"9.0"`` -> 9.0: a GPU compute capability, major.minor. ValueError for anything else."""
    if not re.fullmatch(r"\d{1,2}\.\d", text.strip()):
        raise ValueError(f"compute capability must look like 9.0 or 8.6, got {text!r}")
    return float(text)


def check_compute_capability(capability: float, toolkit: Toolkit) -> float:
    """``capability`` if this nvcc compiles for it; BackendError naming the ones it does otherwise."""
    if capability not in toolkit.architectures:
        known = ", ".join(f"{a:.1f}" for a in toolkit.architectures)
        raise BackendError(
            f"nvcc {toolkit.version:.1f} cannot compile for compute capability {capability:.1f} "
            f"(it compiles for {known})"
        )
    return capability


def visible_gpus() -> list[str]:
    """Names of the NVIDIA GPUs this process may use: ``nvidia-smi -L``, honouring CUDA_VISIBLE_DEVICES.

    Nothing is compiled or run on the GPU to find out. Without ``nvidia-smi`` the driver's
    ``/proc/driver/nvidia/gpus`` entries are counted instead.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and visible.strip() in ("", "-1"):
        return []
    smi = shutil.which("nvidia-smi")
    if smi is not None:
        try:
            done = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return []
        gpus = [line for line in done.stdout.splitlines() if line.startswith("GPU ")] if done.returncode == 0 else []
    else:
        proc = Path("/proc/driver/nvidia/gpus")
        gpus = sorted(p.name for p in proc.iterdir()) if proc.is_dir() else []
    if visible is not None:
        chosen = [int(i) for i in visible.split(",") if i.strip().isdigit()]
        gpus = [gpus[i] for i in chosen if i < len(gpus)]
    return gpus


def gpu_compute_capability() -> float:
    """The compute capability of the first visible GPU, as ``nvidia-smi`` reports it."""
    smi = shutil.which("nvidia-smi")
    done = None
    if smi is not None:
        try:
            done = subprocess.run(
                [smi, "--query-gpu=compute_cap", "--format=csv,noheader"], capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.TimeoutExpired):
            done = None
    lines = done.stdout.split() if done is not None and done.returncode == 0 else []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "")
    first = int(visible.split(",")[0]) if visible.split(",")[0].strip().isdigit() else 0
    try:
        return parse_compute_capability(lines[first])
    except (IndexError, ValueError):
        raise BackendError("cannot read the GPU's compute capability from nvidia-smi; give --compute-capability") from None


def configure_cuda(directory: Path, *, compute_capability: float | None = None, build_only: bool = False) -> None:
    """Make ``cuda_standalone`` the Brian2 device, building in ``directory``.

    Called by :meth:`CudaBackend.activated` after :func:`backends.activate` backed up Brian2's
    preferences (it restores them afterwards), so every preference set here holds for one activation only.
    """
    import_brian2cuda()
    from brian2 import prefs, set_device
    from brian2cuda.utils import gputools

    toolkit = find_toolkit()
    curand = None
    if not toolkit_has_curand(toolkit):
        curand = find_curand_wheel(int(toolkit.version))
        if curand is None:
            raise BackendError(
                f"cuRAND not found: nvcc {toolkit.version:.1f} has none and the nvidia-curand wheel is not "
                f"installed ({_INSTALL_HINT})"
            )
    if not build_only:
        if not visible_gpus():
            raise BackendError(f"no NVIDIA GPU found to run on; {_NO_GPU_HINT}")
        if compute_capability is None:
            compute_capability = gpu_compute_capability()
    if compute_capability is None:
        compute_capability = DEFAULT_COMPUTE_CAPABILITY
    check_compute_capability(compute_capability, toolkit)

    set_device("cuda_standalone", directory=str(directory), build_on_run=False)
    cuda = prefs.devices.cuda_standalone.cuda_backend
    cuda.detect_gpus = False  # the GPU (if any) was found above; a build needs none
    cuda.gpu_id = 0  # the first visible one
    cuda.compute_capability = float(compute_capability)
    cuda.cuda_path = str(toolkit.nvcc.parent.parent)  # brian2cuda runs <cuda_path>/bin/nvcc
    cuda.cuda_runtime_version = toolkit.version
    # brian2's default "make -j" starts every nvcc at once (over a hundred processes, ~10 GB); and brian2cuda's
    # makefile hands $(CXX) to nvcc as its host compiler (-ccbin $(CXX)), which must be one program: a launcher in
    # CXX ("ccache g++", as the README suggests for cpp) would reach nvcc as a second input file
    prefs.devices.cpp_standalone.extra_make_args_unix = [f"-j{os.cpu_count() or 1}", *host_compiler_for_nvcc()]
    # New lists, never in-place edits: the preference backup holds the old list objects.
    cuda.extra_compile_args_nvcc = [*cuda.extra_compile_args_nvcc, CXX_STANDARD]
    prefs.codegen.cpp.extra_compile_args_gcc = [
        a for a in prefs.codegen.cpp.extra_compile_args_gcc if not a.startswith("-std=")
    ] + [CXX_STANDARD]
    if curand is not None:
        _link_curand(curand, Path(directory) / "curand", prefs)
    gputools.reset_cuda_installation()  # brian2cuda caches these per process: re-read them from the prefs
    gputools.reset_gpu_selection()


def host_compiler_for_nvcc() -> list[str]:
    """``make`` arguments that give nvcc one host compiler: ``CXX`` without a launcher such as ccache."""
    words = os.environ.get("CXX", "").split()
    return [f"CXX={words[-1]}"] if len(words) > 1 else []


def _link_curand(curand: Curand, link_dir: Path, prefs) -> None:
    """Let nvcc find the wheel's cuRAND: its headers, a ``libcurand.so`` name for ``-lcurand``,
    and an rpath to the wheel's library directory for the built program."""
    link_dir.mkdir(parents=True, exist_ok=True)
    (link_dir / "libcurand.so").symlink_to(curand.library)
    cuda = prefs.devices.cuda_standalone.cuda_backend
    cuda.extra_compile_args_nvcc = [*cuda.extra_compile_args_nvcc, f"-I{curand.include_dir}"]
    prefs.codegen.cpp.include_dirs = [*prefs.codegen.cpp.include_dirs, str(curand.include_dir)]
    prefs.codegen.cpp.library_dirs = [*prefs.codegen.cpp.library_dirs, str(link_dir)]
    prefs.codegen.cpp.runtime_library_dirs = [*prefs.codegen.cpp.runtime_library_dirs, str(curand.library.parent)]


@register
class CudaBackend(StandaloneBackend):
    """brian2cuda's ``cuda_standalone`` device; its build and run failures end in one line.

    ``build_only`` compiles without running (no GPU needed), for ``compute_capability`` (default: the
    GPU's own, or :data:`DEFAULT_COMPUTE_CAPABILITY` without one).
    """

    name = "cuda"
    options = {"build_only": False, "compute_capability": None}

    @classmethod
    def prepare(cls) -> None:
        import_brian2cuda()  # before activate's preference backup, which then covers brian2cuda's

    @classmethod
    @contextlib.contextmanager
    def activated(cls, directory, *, build_only: bool, compute_capability: float | None):
        from brian2 import device

        configure_cuda(directory, build_only=build_only, compute_capability=compute_capability)
        try:
            yield cls(directory, build_only=build_only)
        finally:
            device.reinit()
            device.activate()

    def compiler_messages(self) -> str:
        return "nvcc's output is above"

    def execute(self, with_output: bool) -> None:
        try:
            super().execute(with_output)
        except RuntimeError as exc:
            reason = str(exc).split(".")[0]
            raise BackendError(f"the CUDA program failed ({reason}); its output is above; {_NO_GPU_HINT}") from None
