"""The installed ``snn-mnist`` command, started in a fresh process as a user starts it, runs its digits and a
sweep's points on two Dask workers with whatever Brian2 is installed.

Brian2 2.9 and later install a SIGINT handler when first imported, which only a process's main thread may
do: in a fresh process nothing has imported Brian2 before the workers' tasks run, the path that the
in-process tests of ``test_sweep.py`` (where pytest has imported Brian2 long before) never take.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def installed_command() -> str:
    """The ``snn-mnist`` entry point installed beside this Python (the venv's bin folder)."""
    found = shutil.which("snn-mnist", path=str(Path(sys.executable).parent))
    assert found, f"no snn-mnist command beside {sys.executable}: install the package (pip install .)"
    return found


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([installed_command(), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_simulate_on_two_workers_in_a_fresh_process(tmp_path, mnist_dir):
    done = run("simulate", "--model", "lif-lif-cuba-latency", "--n", 40, "--workers", 2, "--data-dir", mnist_dir,
               "--json", tmp_path / "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "2 blocks of digits on 2 Dask workers" in done.stdout
    assert "Traceback" not in done.stderr
    import json

    result = json.loads((tmp_path / "out.json").read_text())
    assert result["n_images"] == 40 and result["accuracy"] >= 0.85  # a trained network, not a silent one


def test_a_sweep_on_two_workers_in_a_fresh_process(tmp_path, mnist_dir):
    spec = tmp_path / "s.toml"
    spec.write_text('[fixed]\nmodel = "lif-lif-cuba-latency"\nn = 40\n[grid]\nseed = [0, 1]\n')
    done = run("sweep", spec, "--workers", 2, "--data-dir", mnist_dir, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "2 points run, 0 failed, 0 done before" in done.stdout
    with open(tmp_path / "s.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert all(float(r["accuracy"]) >= 0.85 for r in rows)
