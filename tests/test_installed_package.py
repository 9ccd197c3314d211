"""The wheel a user installs: one import name, its data files, and a command that runs from it.

The wheel is built from the checkout as it is (its tests, scripts, results, virtual environments and
any ``build/`` beside the package folders), as ``pip install .`` builds it, and must hold only
``snn_mnist/`` with its data. It is installed without its dependencies into a fresh virtual
environment that borrows this environment's packages, and ``snn-mnist`` is run from there in an
empty folder, with no MNIST directory set.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: top-level folders of the checkout that are not the package: none of them may reach the wheel
NOT_PACKAGE = {"tests", "scripts", "results", "examples", "build", "dist", ".git", "runs", "checkpoints"}


def run(*command, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    had_build = (ROOT / "build").exists()
    try:
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "dist", ROOT,
            cwd=tmp)
    finally:
        if not had_build:  # setuptools' build folder, made in the checkout by this build
            shutil.rmtree(ROOT / "build", ignore_errors=True)
    (path,) = (tmp / "dist").glob("snn_mnist-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; its dependencies come from this environment through a .pth file
    (listed paths only: this environment's own .pth files, among them an editable install, are not read)."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=venv).stdout.strip())
    (purelib / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=venv)
    return venv


@pytest.mark.slow
def test_the_wheel_adds_one_import_name_and_keeps_its_data_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"snn_mnist", "-".join(wheel.name.split("-")[:2]) + ".dist-info"}
    strays = [n for n in names if n.count("/") > 1 and n.split("/")[1] in NOT_PACKAGE or any(
        part.startswith((".venv", "venv")) or part.endswith(".egg-info") for part in n.split("/"))]
    assert not strays, strays[:10]
    assert not [n for n in names if n.endswith((".pyc", ".sqlite", ".csv"))]
    for data in ("snn_mnist/weights/pretrained/lif-lif.npz", "snn_mnist/weights/pretrained/stdp_400.npz",
                 "snn_mnist/digits/sample_digits.npz", "snn_mnist/digits/examples/seven.jpg", "snn_mnist/web/index.html"):
        assert data in names


@pytest.mark.slow
def test_the_installed_command_simulates_and_classifies(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SNN_MNIST_DATA"}
    env["SNN_MNIST_BUILD_DIR"] = str(tmp_path / "build")
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = run(installed / "bin" / "python", "-c", "import snn_mnist; print(snn_mnist.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(installed)

    run(installed / "bin" / "snn-mnist", "simulate", "--n", "20", "--json", "sim.json", cwd=tmp_path, env=env)
    sim = json.loads((tmp_path / "sim.json").read_text())
    assert sim["n_images"] == 20 and sim["backend"] == "cpp"
    assert sim["accuracy"] >= 0.85  # the pretrained LIF-LIF on the first 20 bundled digits

    seven = Path(where.stdout.strip()).parent / "digits" / "examples" / "seven.jpg"
    run(installed / "bin" / "snn-mnist", "classify", seven, "--json", "digit.json", cwd=tmp_path, env=env)
    assert json.loads((tmp_path / "digit.json").read_text())["prediction"] == 7
