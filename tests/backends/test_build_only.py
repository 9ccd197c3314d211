"""``activate(..., build_only=True)``: a standalone backend compiles and stops before running."""

from __future__ import annotations

import os

import pytest

from snn_mnist import backends
from snn_mnist.backends import BackendError
from snn_mnist.networks.builder import build_network
from snn_mnist.networks.simulation import input_spikes


def test_runtime_has_nothing_to_build():
    with pytest.raises(BackendError, match=r"--build-only needs a standalone backend \(cpp or cuda\)"):
        with backends.activate("runtime", build_only=True):
            pass


@pytest.mark.slow
def test_cpp_build_only_compiles_without_running(random_weights, sample_digits):
    weights = random_weights("if-lif", n_hidden=8, seed=1)
    images, _ = sample_digits
    with backends.activate("cpp", build_only=True) as backend:
        net = build_network(weights, dt_ms=weights.dt_ms, frozen=input_spikes(images[:2], weights, seed=0))
        timings = backend.run(net.network, net.duration)
        assert os.access(backend.directory / "main", os.X_OK)
        assert not any((backend.directory / "results").iterdir())  # the program never ran
    assert timings.run_seconds is None and timings.build_seconds > 0


def test_each_backend_registers_itself_with_its_options():
    assert backends.BACKENDS == ("runtime", "cpp", "cuda")
    assert backends.REGISTRY["cpp"].options == {"threads": 0, "build_only": False}
    assert backends.REGISTRY["cuda"].options == {"build_only": False, "compute_capability": None}
    assert [b.standalone for b in backends.REGISTRY.values()] == [False, True, True]


def test_an_option_of_another_backend_is_refused_unless_left_at_its_default_or_a_speed_hint():
    with backends.activate("runtime", threads=0, compute_capability=None):  # defaults: nothing asked for
        pass
    with backends.activate("runtime", threads=2) as runtime:  # threads only tune speed: ignored
        assert runtime.name == "runtime"
    with pytest.raises(BackendError, match="compute-capability needs the cuda backend, not cpp"):
        with backends.activate("cpp", compute_capability=8.0):
            pass
    with pytest.raises(BackendError, match="unknown backend option 'colour'"):
        with backends.activate("cpp", colour="red"):
            pass
