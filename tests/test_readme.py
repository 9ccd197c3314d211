"""The README's code runs as written: every Python block, read from the README itself, and every
``snn-mnist`` command line that finishes within a minute on the bundled digits, run by the installed
command in a fresh process. A command line that is not run is listed here with the reason, so a new
line in the README is either run or explained."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()

#: command lines not run here, by their start, and why
NOT_RUN = {
    "snn-mnist simulate --model if-lif --n 10000": "10,000 digits need the MNIST files (the bundled sample has 300)",
    "snn-mnist simulate --model lif-lif-coba --dt 0.1 --n 1000": "1,000 digits need the MNIST files",
    "snn-mnist simulate --model lif-lif-cuba-latency --n 10000": "10,000 digits need the MNIST files",
    "snn-mnist simulate --model lif-lif --n 10000 --workers 2": "10,000 digits need the MNIST files; "
                                                               "tests/sweep/test_installed_command.py runs --workers 2",
    "snn-mnist train": "training takes minutes to hours (tests/trainer trains toy networks)",
    "snn-mnist serve": "a server that runs until stopped (tests/web serves the page)",
    "snn-mnist simulate --model lif-lif --weights my.npz": "my.npz is what the train line writes",
    "snn-mnist parity --model lif-lif --n 1000": "1,000 digits need the MNIST files (tests/cli runs parity)",
    "snn-mnist stdp eval --neurons 400 --n 10000": "10,000 digits need the MNIST files",
    "snn-mnist stdp train": "about 30 minutes of training",
    "snn-mnist sweep results/sweeps/rotation.toml": "56,000 digits of MNIST (tests/sweep runs sweeps)",
    "snn-mnist sweep results/sweeps/rotation.toml --scheduler": "needs a SLURM cluster's scheduler",
}


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def command_lines() -> list[str]:
    """Every snn-mnist command line of the README's bash blocks, continuation lines joined, comments cut."""
    lines = []
    for block in blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].strip()
            if "snn-mnist " in line:
                lines.append("snn-mnist " + line.split("snn-mnist ", 1)[1].strip())
    return lines


def reason_not_run(line: str) -> str | None:
    starts = [start for start in NOT_RUN if line.startswith(start)]
    return NOT_RUN[max(starts, key=len)] if starts else None


def environment() -> dict[str, str]:
    """As a user's shell: no MNIST directory (the bundled digits), no pytest variables."""
    return {k: v for k, v in os.environ.items() if k != "SNN_MNIST_DATA" and not k.startswith("PYTEST")} | {
        "MPLBACKEND": "Agg"}


def test_the_readme_has_the_blocks_this_test_reads():
    assert len(blocks("python")) >= 2 and len(command_lines()) >= 20
    assert command_lines()[0] == "snn-mnist simulate"  # the main job, in the README's first lines
    assert all(reason_not_run(line) is None for line in RUN_ALONE)


def test_the_python_api_block_runs(tmp_path):
    block = next(b for b in blocks("python") if "snn.build" in b)
    done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, env=environment(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = re.search(r"(\d+)% of 10 digits, hidden neuron 0 from (-?[\d.]+) mV", done.stdout)
    assert found, done.stdout
    assert int(found[1]) >= 80  # the trained network on the first ten bundled digits
    assert float(found[2]) < -60  # the trace was recorded: a potential below v_th, near rest


def test_the_dask_jobqueue_block_writes_a_job_that_starts_a_worker(tmp_path):
    """The SLURM block, run with stand-ins for SLURM's sbatch and scancel that keep the job script: it is
    what SLURM would run (no SLURM here)."""
    pytest.importorskip("dask_jobqueue", reason="dask-jobqueue is in the dev extra")
    block = next(b for b in blocks("python") if "SLURMCluster" in b)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "sbatch").write_text('#!/bin/sh\ncp "$1" "$(dirname "$0")/job$$.sh"\necho "Submitted batch job $$"\n')
    (bin_dir / "scancel").write_text("#!/bin/sh\n")
    for tool in ("sbatch", "scancel"):
        (bin_dir / tool).chmod(0o755)
    env = environment() | {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    script = block + "\nimport time; time.sleep(2); cluster.close()\n"
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.match(r"tcp://[\d.]+:\d+", done.stdout.strip())
    jobs = sorted(bin_dir.glob("job*.sh"))
    assert len(jobs) == 32
    job = jobs[0].read_text()
    assert "export SNN_MNIST_DATA=/shared/mnist" in job and "--nthreads 1" in job and "distributed.cli.dask_worker" in job


def test_the_sweep_spec_block_is_the_spec_it_names():
    from snn_mnist.sweep.spec import load, parse

    block = next(b for b in blocks("toml") if "[grid]" in b)
    import tomllib

    named = re.match(r"# (\S+)", block)[1]
    assert parse(tomllib.loads(block)).points == load(ROOT / named).points


#: command lines run here, each with what its run must show
RUN_ALONE = {
    "snn-mnist simulate": r"accuracy 0\.9\d+ \(\d+/300\)",
    "snn-mnist models": r"lif-lif-coba",
    "snn-mnist simulate --model lif-lif --backend runtime --n 200 --input frozen --seed 3": r"accuracy 0\.9\d+ \(\d+/200\)",
    "snn-mnist trace --model lif-lif --index 0 --out trace.png": r"trace\.png",
    "snn-mnist classify my_digit.png --rotate-range -30 30 --seed 1 --json answer.json": r"prediction: 7",  # test digit 0
    "snn-mnist figures digit --index 0 --out-dir figs": r"figs",
    "snn-mnist export --model lif-lif lif-lif.nir": r"lif-lif\.nir",
}


def test_every_command_line_is_run_or_says_why_not():
    lines = command_lines()
    unaccounted = [line for line in lines if line not in RUN_ALONE and reason_not_run(line) is None]
    assert not unaccounted, f"README command lines neither run by tests/test_readme.py nor listed in NOT_RUN: {unaccounted}"
    assert set(RUN_ALONE) <= set(lines)  # no stale entry


@pytest.mark.slow
@pytest.mark.parametrize("line", list(RUN_ALONE))
def test_a_readme_command_runs_as_written(line, tmp_path):
    command = shutil.which("snn-mnist", path=str(Path(sys.executable).parent))
    assert command, "no installed snn-mnist beside this Python"
    if "my_digit.png" in line:  # the user's own digit: a bundled test digit saved as a picture
        from PIL import Image

        from snn_mnist.digits import sample

        images, _ = sample.load()
        Image.fromarray(images[0].reshape(28, 28).astype(np.uint8)).save(tmp_path / "my_digit.png")
    done = subprocess.run([command, *shlex.split(line)[1:]], cwd=tmp_path, env=environment(), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(RUN_ALONE[line], done.stdout), done.stdout[-2000:]
    if "--json" in line:
        assert json.loads((tmp_path / "answer.json").read_text())
