"""The cuda backend on a machine without a GPU: it compiles through brian2cuda, and says clearly
what is missing (brian2cuda, nvcc, cuRAND, a GPU to run on).

Running on a GPU, and comparing spikes with cpp, is ``scripts/cuda_check.py``'s job.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest

from snn_mnist import backends
from snn_mnist.backends import BackendError, cuda
from snn_mnist.networks.builder import build_network
from snn_mnist.networks.simulation import input_spikes

HAVE_BRIAN2CUDA = importlib.util.find_spec("brian2cuda") is not None
HAVE_NVCC = bool(os.environ.get("CUDA_PATH")) or shutil.which("nvcc") is not None

needs_brian2cuda = pytest.mark.skipif(not HAVE_BRIAN2CUDA, reason="brian2cuda is not installed (pip install 'snn-mnist[cuda]')")
needs_nvcc = pytest.mark.skipif(not HAVE_NVCC, reason="nvcc (the CUDA compiler) is not on PATH and CUDA_PATH is unset")


@pytest.fixture
def no_gpu(monkeypatch):
    """Hide every GPU from this process, as CUDA itself does with an empty CUDA_VISIBLE_DEVICES."""
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")


def test_missing_brian2cuda_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "brian2cuda", None)  # as if it were not installed
    with pytest.raises(BackendError, match=r"needs brian2cuda \(pip install 'snn-mnist\[cuda\]'\)"):
        with backends.activate("cuda", build_only=True):
            pass


def test_missing_nvcc_is_reported(monkeypatch, tmp_path):
    monkeypatch.delenv("CUDA_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a directory with no nvcc in it
    with pytest.raises(BackendError, match=r"nvcc \(the CUDA compiler\) is not on PATH.*--backend cpp"):
        cuda.find_nvcc()
    if HAVE_BRIAN2CUDA:  # and the backend stops there, before anything is generated
        with pytest.raises(BackendError, match="nvcc"):
            with backends.activate("cuda", build_only=True):
                pass


def test_cuda_path_without_nvcc_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("CUDA_PATH", str(tmp_path))
    with pytest.raises(BackendError, match=r"CUDA_PATH=.* has no bin/nvcc"):
        cuda.find_nvcc()


def test_compute_capability_is_major_dot_minor():
    assert cuda.parse_compute_capability("9.0") == 9.0
    assert cuda.parse_compute_capability(" 12.1 ") == 12.1
    for bad in ("90", "sm_90", "9", "9.0.1", "nine", ""):
        with pytest.raises(ValueError, match="compute capability must look like 9.0"):
            cuda.parse_compute_capability(bad)


def test_compute_capability_outside_nvccs_list_is_refused():
    toolkit = cuda.Toolkit(nvcc=None, version=13.0, architectures=(7.5, 8.0, 9.0), include_dirs=(), library_dirs=())
    assert cuda.check_compute_capability(8.0, toolkit) == 8.0
    with pytest.raises(BackendError, match=r"nvcc 13.0 cannot compile for compute capability 6.1 \(it compiles for 7.5, 8.0, 9.0\)"):
        cuda.check_compute_capability(6.1, toolkit)


@pytest.mark.cuda
@needs_nvcc
def test_toolkit_is_read_from_nvcc():
    toolkit = cuda.find_toolkit()
    assert toolkit.version >= 11.0
    assert cuda.DEFAULT_COMPUTE_CAPABILITY in toolkit.architectures
    assert all(5.0 <= a < 20 for a in toolkit.architectures)
    assert any((d / "cuda_runtime.h").is_file() for d in toolkit.include_dirs)


def test_hidden_gpus_are_not_visible(no_gpu):
    assert cuda.visible_gpus() == []


@pytest.mark.cuda
@needs_brian2cuda
@needs_nvcc
def test_running_without_a_gpu_points_to_build_only_and_cpp(no_gpu):
    with pytest.raises(BackendError, match=r"no NVIDIA GPU found to run on; .*--build-only.*--backend cpp"):
        with backends.activate("cuda"):
            pass


@pytest.mark.cuda
@needs_brian2cuda
@needs_nvcc
@pytest.mark.skipif(bool(cuda.visible_gpus()), reason="this machine has a GPU")
def test_this_machine_without_a_gpu_refuses_to_run():
    with pytest.raises(BackendError, match="no NVIDIA GPU found"):
        with backends.activate("cuda"):
            pass


@pytest.mark.cuda
@needs_brian2cuda
@needs_nvcc
def test_missing_curand_is_reported(monkeypatch):
    if cuda.toolkit_has_curand(cuda.find_toolkit()):
        pytest.skip("this CUDA toolkit ships its own cuRAND")
    monkeypatch.setitem(sys.modules, "nvidia", None)  # as if the nvidia-curand wheel were not installed
    with pytest.raises(BackendError, match=r"cuRAND not found: .*pip install 'snn-mnist\[cuda\]'"):
        with backends.activate("cuda", build_only=True):
            pass


@pytest.mark.cuda
@needs_brian2cuda
@needs_nvcc
def test_unsupported_compute_capability_is_refused_before_building():
    with pytest.raises(BackendError, match="cannot compile for compute capability 3.5"):
        with backends.activate("cuda", build_only=True, compute_capability=3.5):
            pass


@pytest.mark.slow
@pytest.mark.cuda
@needs_brian2cuda
@needs_nvcc
def test_build_only_compiles_a_784_16_10_network_for_the_chosen_gpu(random_weights, sample_digits):
    """The whole CUDA path short of a GPU: brian2cuda generates the project, nvcc compiles and
    links it against cuRAND, and the program finds cuRAND after the build directory is gone."""
    weights = random_weights("lif-lif", n_hidden=16, seed=0)
    images, _ = sample_digits
    frozen = input_spikes(images[:2], weights, seed=0)
    with backends.activate("cuda", build_only=True, keep_build=False, compute_capability=8.0) as backend:
        net = build_network(weights, dt_ms=weights.dt_ms, frozen=frozen)
        timings = backend.run(net.network, net.duration)
        program = backend.directory / "main"
        makefile = (backend.directory / "makefile").read_text()
        libraries = subprocess.run(["ldd", str(program)], capture_output=True, text=True).stdout
        assert os.access(program, os.X_OK)
    assert timings.run_seconds is None and timings.build_seconds > 0
    assert "-arch=sm_80" in makefile and "-std=c++17" in makefile
    curand = re.search(r"libcurand\.so\.\d+ => (\S+)", libraries)
    assert curand is not None, libraries
    assert os.path.isfile(curand[1]) and not curand[1].startswith(str(backend.directory))
    assert not backend.directory.exists()  # the private build directory is removed afterwards


@pytest.mark.parametrize("cxx, args", [("ccache g++", ["CXX=g++"]), ("g++", []), (None, [])])
def test_nvcc_gets_one_host_compiler_when_cxx_has_a_launcher(monkeypatch, cxx, args):
    """brian2cuda's makefile runs nvcc -ccbin $(CXX): with CXX="ccache g++" make is told CXX=g++ (the build
    failed with "nvcc fatal: A single input file is required" before)."""
    if cxx is None:
        monkeypatch.delenv("CXX", raising=False)
    else:
        monkeypatch.setenv("CXX", cxx)
    assert cuda.host_compiler_for_nvcc() == args
