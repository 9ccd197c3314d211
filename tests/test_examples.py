"""The scripts in examples/ run as a user runs them (few digits), each ending in its figure."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name: str, *args, out: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SNN_MNIST_DATA"} | {"MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, EXAMPLES / f"{name}.py", *map(str, args), "--out", out],
                          cwd=out.parent, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (out / f"{name}.png").stat().st_size > 10_000
    return done.stdout


def test_every_example_is_tested():
    tested = set(re.findall(r'run_example\("(\w+)"', Path(__file__).read_text()))
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


@pytest.mark.slow
def test_one_digit(tmp_path):
    out = run_example("one_digit", "--index", 0, out=tmp_path / "fig")
    assert "digit 0: label 7, predicted 7" in out


@pytest.mark.slow
def test_runtime_vs_cpp_gives_the_same_spikes(tmp_path):
    out = run_example("runtime_vs_cpp", "--n", 5, out=tmp_path / "fig")
    assert "identical output spike counts on both backends: True" in out
    assert re.search(r"cpp: build [\d.]+ s, run [\d.]+ s, accuracy 1\.000", out)


@pytest.mark.slow
def test_own_monitor_and_tau(tmp_path):
    out = run_example("own_monitor_and_tau", "--n", 10, "--backend", "runtime", "--neurons", 5, 6, out=tmp_path / "fig")
    accuracy = {float(t): float(a) for t, a in re.findall(r"tau_m = (\d+) ms: accuracy ([\d.]+) on 10 digits", out)}
    assert set(accuracy) == {10.0, 20.0, 40.0}
    assert accuracy[20.0] >= 0.8  # the trained network on the first ten bundled digits


@pytest.mark.slow
def test_stdp_receptive_fields(tmp_path):
    out = run_example("stdp_receptive_fields", "--images", 30, "--chunk", 15, "--neurons", 9, out=tmp_path / "fig")
    assert "30/30 images" in out
