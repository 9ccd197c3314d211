"""A C++ build that fails, cannot start or is interrupted ends in one line, with no build folder and no
compiler left behind: the command run as a user runs it, the signal sent while ``make`` compiles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the compilers")

SIMULATE = ["simulate", "--backend", "cpp", "--sample", "--n", "2"]


def command(*args) -> list[str]:
    return [sys.executable, "-m", "snn_mnist.cli", *args]


def environment(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SNN_MNIST_DATA"}
    env.update(extra)
    return env


def working_in(folder: Path) -> list[int]:
    """The processes whose working directory lies under ``folder`` (make and the compilers it runs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")).is_relative_to(folder):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


#: what ``make`` runs while it builds (``working_in`` also finds the command itself, which Brian2 moves into
#: the build folder before and after ``make``, and the simulation binary)
BUILDING = {"make", "g++", "c++", "gcc", "cc", "cc1plus", "as", "ld", "collect2"}


def compiling_in(folder: Path) -> list[int]:
    """``working_in(folder)``'s processes that are ``make`` or a compiler."""
    found = []
    for pid in working_in(folder):
        try:
            if (Path("/proc") / str(pid) / "comm").read_text().strip() in BUILDING:
                found.append(pid)
        except OSError:
            continue
    return found


def test_a_failing_compiler_is_one_line(tmp_path):
    result = subprocess.run(command(*SIMULATE), cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=environment(CXX="/bin/false", SNN_MNIST_BUILD_DIR=str(tmp_path)))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "makefile" in result.stderr  # make's own complaint, printed for the user
    assert result.stderr.strip().splitlines()[-1].startswith(
        "snn-mnist simulate: error: compiling the generated cpp project failed; the compiler's messages are above")
    assert list(tmp_path.iterdir()) == []  # the build folder went with the failure


def test_a_build_folder_that_cannot_be_made_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("mine")
    result = subprocess.run(command(*SIMULATE), cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env=environment(SNN_MNIST_BUILD_DIR=str(tmp_path / "a-file")))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().endswith("cannot build in " + str(tmp_path / "a-file")
                                          + " (File exists); set SNN_MNIST_BUILD_DIR to a folder you can write")


@pytest.mark.parametrize("sent, status, word", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])
def test_a_signal_during_the_compile_ends_make_and_removes_the_build(tmp_path, sent, status, word):
    # as from a terminal, where Ctrl-C is not ignored (a shell without job control starts a background job
    # ignoring SIGINT, and the command would inherit that from whatever ran pytest)
    child = subprocess.Popen(command(*SIMULATE), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             # the compilers compile (a compiler cache, as CI uses, would answer at once)
                             env=environment(SNN_MNIST_BUILD_DIR=str(tmp_path), CCACHE_DISABLE="1"),
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not compiling_in(tmp_path):  # make has started compiling
        assert child.poll() is None and time.monotonic() < deadline, "the compile never started"
        time.sleep(0.05)
    time.sleep(0.5)  # compilers at work
    child.send_signal(sent)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == status, stderr
    assert stderr.strip().splitlines()[-1] == f"snn-mnist: {word}" and "Traceback" not in stderr
    time.sleep(0.5)
    assert working_in(tmp_path) == []  # no make, no compiler goes on
    assert list(tmp_path.iterdir()) == []  # the build folder is gone
