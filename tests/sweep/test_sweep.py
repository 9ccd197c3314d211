"""Sweeps on a real two-worker Dask LocalCluster: the rows equal the points run one by one, a rerun computes
nothing, a point with a bad value fails alone, and killing a worker mid-sweep loses no row."""

from __future__ import annotations

import csv
import dataclasses
import os
import signal

import numpy as np
import pytest

from snn_mnist.digits import mnist
from snn_mnist.digits.rotation import rotate
from snn_mnist.encoding import PoissonCode
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.metrics import accuracy
from snn_mnist.readout.spike_count import predict
from snn_mnist.sweep import run as runner
from snn_mnist.sweep.spec import parse
from snn_mnist.weights import pretrained

pytestmark = pytest.mark.slow

N = 30


@pytest.fixture(scope="module")
def client():
    with runner.cluster(workers=2) as client:
        yield client


def _rows(path) -> dict[tuple, dict]:
    with open(path, newline="") as f:
        return {(r["seed"], r["rotate"]): r for r in csv.DictReader(f)}


def test_a_sweep_gives_the_rows_of_its_points_run_one_by_one_and_a_rerun_computes_nothing(
        client, tmp_path, mnist_dir):
    grid = parse({"fixed": {"model": "lif-lif", "n": N, "start": 100},
                  "grid": {"seed": [0, 5], "rotate": [0, 20.0]},
                  "points": [{}, {"encoding": {"max_rate_hz": 500.0}, "hidden": {"tau_m_ms": 10.0}}]},
                 tmp_path / "spec.toml")
    bad = {"model": "lif-lif", "n": N, "start": 100, "seed": 0, "rotate": 400.0}  # beyond +-360 degrees
    spec = dataclasses.replace(grid, points=grid.points + (bad,))
    table = tmp_path / "table.csv"
    lines = []
    summary = runner.sweep(spec, table, client, data_dir=str(mnist_dir), report=lines.append)
    assert (summary.ok, summary.failed, summary.skipped) == (8, 1, 0)
    assert summary.compilations <= 2  # one binary a worker: every point has one shape (tau_m is a run argument)
    assert any("rotate=400.0: FAILED" in line and "360" in line for line in lines)  # the bad value, with its reason

    images, labels = mnist.load("test", mnist_dir)
    images, labels = images[100:100 + N], labels[100:100 + N]
    weights = pretrained.load("lif-lif")
    with open(table, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 9
    bad_rows = [row for row in rows if row["status"] != "ok"]
    assert len(bad_rows) == 1 and bad_rows[0]["rotate"] == "400.0" and "rotate" in bad_rows[0]["error"]
    # each axis changed once, every other point in the same run: three fresh builds stand for the eight
    checked = {("0", "0", ""), ("5", "20.0", ""), ("0", "0", "500.0")}
    compared = [row for row in rows if (row["seed"], row["rotate"], row["encoding.max_rate_hz"]) in checked]
    assert len(compared) == 3
    for row in compared:
        w = weights
        if row["encoding.max_rate_hz"]:
            assert row["hidden.tau_m_ms"] == "10.0"
            w = dataclasses.replace(w, encoding=PoissonCode(max_rate_hz=500.0))
            w = w.with_neurons(hidden=w.topology.hidden_neuron.replace(tau_m_ms=10.0))
        x = rotate(images, float(row["rotate"]))[0] if float(row["rotate"]) else images
        alone = simulate(w, x, backend="cpp", seed=int(row["seed"]))
        predictions = predict(alone.output_counts, alone.output_first_step)
        assert float(row["accuracy"]) == accuracy(predictions, labels)
        assert int(row["correct"]) == (predictions == labels).sum()
        events = sum(alone.synaptic_events.values()) / N
        assert float(row["synaptic_events_per_image"]) == pytest.approx(events, rel=1e-12)

    again = runner.sweep(spec, table, client, data_dir=str(mnist_dir), report=lines.append)
    assert (again.ok, again.skipped, again.compilations) == (0, 8, 0)  # only the failed point runs again
    assert again.failed == 1


def test_killing_a_worker_mid_sweep_loses_no_row_and_the_sweep_completes(client, tmp_path, mnist_dir):
    spec = parse({"fixed": {"model": "lif-lif", "n": N}, "grid": {"seed": list(range(8)), "rotate": [0]}},
                 tmp_path / "spec.toml")
    table = tmp_path / "table.csv"
    pids = client.run(os.getpid)  # worker address -> process id
    killed, first_rows = [], {}

    def report(line: str) -> None:
        if "done," in line and not killed:  # a point finished: kill a worker that has work
            first_rows.update(_rows(table))
            busy = [addr for addr, tasks in client.processing().items() if tasks] or list(pids)
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    summary = runner.sweep(spec, table, client, data_dir=str(mnist_dir), report=report)
    assert killed and summary.failed == 0 and summary.ok == 8
    rows = _rows(table)
    assert len(rows) == 8 and all(r["status"] == "ok" for r in rows.values())
    for key, row in first_rows.items():  # what was written before the kill is still there, unchanged
        assert rows[key] == row
    client.wait_for_workers(2, timeout=120)  # the nanny started the killed worker again


def test_simulate_split_over_workers_is_the_blocks_simulated_alone(client, mnist_dir):
    images, _ = mnist.load("test", mnist_dir)
    images = images[:2 * N + 1]
    weights = pretrained.load("lif-lif")
    split = runner.simulate_split(weights, images, seed=3, client=client, blocks=2)
    parts = np.array_split(np.arange(len(images)), 2)
    alone = [simulate(weights, images[idx], backend="cpp", seed=runner.block_seed(3, k), track_potentials=True)
             for k, idx in enumerate(parts)]
    np.testing.assert_array_equal(split.output_counts, np.concatenate([a.output_counts for a in alone]))
    np.testing.assert_array_equal(split.output_first_step, np.concatenate([a.output_first_step for a in alone]))
    assert split.synaptic_events == {k: sum(a.synaptic_events[k] for a in alone) for k in alone[0].synaptic_events}
    assert split.physiology["hidden"]["v_min_mV"] == min(a.physiology["hidden"]["v_min_mV"] for a in alone)


def test_stdp_points_train_networks_and_a_bad_setting_fails_alone(client, tmp_path, mnist_dir):
    spec = parse({"task": "stdp", "fixed": {"neurons": 5, "epochs": 1, "n_train": 20, "n_label": 20, "chunk": 20},
                  "points": [{"set": []}, {"set": ["no_such_parameter=1"]}]}, tmp_path / "stdp.toml")
    table = tmp_path / "stdp.csv"
    summary = runner.sweep(spec, table, client, data_dir=str(mnist_dir), report=lambda line: None)
    assert (summary.ok, summary.failed) == (1, 1)
    with open(table, newline="") as f:
        rows = {r["set"]: r for r in csv.DictReader(f)}
    good, bad = rows["[]"], rows['["no_such_parameter=1"]']
    assert 0 <= float(good["label_set_accuracy"]) <= 1 and (tmp_path / good["network"]).is_file()
    assert bad["status"] == "failed" and "no_such_parameter" in bad["error"]


def test_the_command_runs_a_spec_on_a_running_scheduler_and_reruns_nothing(client, tmp_path, mnist_dir, capsys):
    from snn_mnist.cli.main import main

    spec = tmp_path / "s.toml"
    spec.write_text('[fixed]\nmodel = "lif-lif"\nn = 30\n[grid]\nseed = [0, 1]\n')
    command = ["sweep", str(spec), "--scheduler", client.scheduler.address, "--data-dir", str(mnist_dir)]
    assert main(command) == 0
    assert "2 points run, 0 failed, 0 done before" in capsys.readouterr().out
    with open(tmp_path / "s.csv", newline="") as f:
        assert [r["status"] for r in csv.DictReader(f)] == ["ok", "ok"]
    assert main(command) == 0
    assert "0 points run, 0 failed, 2 done before; 0 compilations" in capsys.readouterr().out
