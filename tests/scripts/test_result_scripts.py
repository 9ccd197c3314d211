"""The result scripts on a few digits: rotation robustness and SNN against ANN."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from snn_mnist import weights
from snn_mnist.encoding import PoissonCode

ROOT = Path(__file__).resolve().parents[2]


def script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def weights_file(small_weights, tmp_path) -> Path:
    path = tmp_path / "lif-lif-random.npz"
    weights.save(small_weights, path)
    return path


def test_wilson_interval():
    rotation = script("rotation_robustness")
    low, high = rotation.wilson(50, 100)
    assert low < 0.5 < high and high - 0.5 == pytest.approx(0.5 - low)
    assert rotation.wilson(0, 10)[0] == 0 and rotation.wilson(10, 10)[1] == 1
    low, high = rotation.wilson(900, 1000)
    assert low == pytest.approx(0.8798, abs=1e-4) and high == pytest.approx(0.9171, abs=1e-4)  # by hand


@pytest.mark.slow
def test_rotation_robustness_runs_its_sweep_and_draws_it(mnist_dir, tmp_path):
    rotation = script("rotation_robustness")
    spec = tmp_path / "rotation.toml"
    spec.write_text('[fixed]\nn = 12\nseed = 0\n[grid]\nmodel = ["lif-lif"]\nrotate = [0, 90]\n')
    args = ["--spec", str(spec), "--workers", "1", "--data-dir", str(mnist_dir), "--out-dir", str(tmp_path)]
    assert rotation.main(args) == 0
    data = json.loads((tmp_path / "rotation.json").read_text())
    rows = data["models"]["lif-lif"]["rows"]
    assert [r["angle_deg"] for r in rows] == [0, 90]
    for row in rows:
        assert row["accuracy"] == row["correct"] / 12 and row["ci95"][0] <= row["accuracy"] <= row["ci95"][1]
    assert rows[0]["ink_lost"] == 0 and 0 <= rows[1]["ink_lost"] < 0.01
    assert rows[0]["correct"] > rows[1]["correct"]  # a digit on its side is harder
    table = (tmp_path / "rotation.md").read_text()
    assert "| 0° |" in table and "| 90° |" in table
    assert (tmp_path / "rotation.png").stat().st_size > 10_000
    # the sweep's table beside the spec: a second run computes nothing and writes the same figures
    before = (tmp_path / "rotation.csv").read_text()
    assert rotation.main(args) == 0
    assert (tmp_path / "rotation.csv").read_text() == before
    assert json.loads((tmp_path / "rotation.json").read_text()) == data


def test_rotated_digits_turn_in_place(sample_digits):
    rotation = script("rotation_robustness")
    images = sample_digits[0][:12]
    stack, lost = rotation.rotated(images, [0, 90])
    np.testing.assert_array_equal(stack[0], images)  # 0 degrees are the test digits themselves
    assert lost[0] == 0 and 0 <= lost[1] < 0.01


def test_snn_vs_ann(mnist_dir, weights_file, tmp_path):
    pytest.importorskip("torch")
    ann = script("snn_vs_ann")
    assert ann.main(["--weights", f"lif-lif={weights_file}", "--epochs", "3", "--seeds", "2", "--n-train", "2000",
                     "--n-test", "50",
                     "--backend", "runtime", "--threads", "1", "--data-dir", str(mnist_dir),
                     "--out-dir", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "snn_vs_ann.json").read_text())
    snn = data["snn"]["lif-lif"]
    assert snn["synaptic_ops"] == pytest.approx(snn["input_spikes"] * 32 + snn["hidden_spikes"] * 10)
    assert data["ann"]["macs_dense"] == 784 * 32 + 32 * 10
    assert 0 < data["ann"]["macs_zero_skipping"] < data["ann"]["macs_dense"]
    assert data["ann"]["accuracy"] > 0.7  # 2000 images, three epochs: well above chance
    assert data["ann"]["seeds"] == [0, 1] and data["ann"]["accuracy"] == pytest.approx(
        np.mean(data["ann"]["accuracy_per_seed"]))
    assert len(set(data["ann"]["accuracy_per_seed"])) == 2  # two seeds, two trainings
    report = (tmp_path / "snn_vs_ann.md").read_text()
    assert "| SNN lif-lif (25 steps) |" in report and "Caveats" in report


def test_physiology_reports_bounds_rates_and_both_time_steps(small_weights, tmp_path, monkeypatch):
    """The delta baseline and a conductance-based network, 4 digits at 1 ms and 0.5 ms: the delta network's
    potentials leave the physiological range, the coba network's stay above E_inh."""
    import dataclasses

    from snn_mnist.neuron_models import CobaSynapse

    monkeypatch.delenv("SNN_MNIST_DATA", raising=False)  # the bundled sample
    rng = np.random.default_rng(0)
    coba = dataclasses.replace(small_weights, synapse=CobaSynapse(), encoding=PoissonCode(100.0), steps=50,
                               w_input_hidden=rng.normal(0.02, 0.05, (784, 32)).astype(np.float32),
                               w_hidden_output=rng.normal(0.05, 0.15, (32, 10)).astype(np.float32))
    paths = [tmp_path / "delta.npz", tmp_path / "coba.npz"]
    weights.save(small_weights, paths[0])
    weights.save(coba, paths[1])
    physiology = script("physiology")
    assert physiology.main(["--weights", *map(str, paths), "--n", "4", "--dt", "0.5", "--backend", "runtime",
                            "--parity-n", "3", "--out-dir", str(tmp_path)]) == 0
    rows = {row["name"]: row for row in json.loads((tmp_path / "physiology.json").read_text())["rows"]}
    assert rows["delta"]["fine_dt"]["dt_ms"] == 0.5 and rows["delta"]["fine_dt"]["steps"] == 50
    assert not rows["delta"]["checks"]["potentials_within_bounds"]
    hidden = rows["coba"]["fine_dt"]["physiology"]["hidden"]
    assert -80.0 <= hidden["v_min_mV"] and hidden["mean_rate_hz"] > 0
    assert rows["coba"]["checks"]["input_rate_ok"] and not rows["delta"]["checks"]["input_rate_ok"]
    assert "| delta | delta |" in (tmp_path / "physiology.md").read_text()
    assert rows["coba"]["parity"]["n_images"] == 3 and rows["coba"]["parity"]["count_agreement"] == 1.0
    assert "| 100.00% / 100.00% / 100.00% (3 digits) |" in (tmp_path / "physiology.md").read_text()
