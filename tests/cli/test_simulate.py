"""``snn-mnist simulate`` end to end on the runtime backend."""

import json
import re

import numpy as np
import pytest

from snn_mnist import weights
from snn_mnist.digits import sample
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.spike_count import predict

FIELDS = {"model", "backend", "n_images", "steps", "accuracy", "predictions", "labels", "build_seconds",
          "run_seconds", "images_per_second", "seed", "input", "weights", "data", "ties",
          "ties_broken_by_first_spike", "ties_undecided", "silent"}


def test_writes_the_results(cli, weights_file, tmp_path):
    out = tmp_path / "results.json"
    result = cli("simulate", "--model", "lif-lif", "--backend", "runtime", "--sample", "--start", "2", "--n", "5",
                 "--steps", "12", "--input", "frozen", "--seed", "4", "--weights", weights_file,
                 "--json", out, "--confusion", tmp_path / "c.png")
    assert result.returncode == 0, result.stderr
    assert "data: bundled sample (300 MNIST test digits)" in result.stdout
    report = json.loads(out.read_text())
    assert FIELDS <= report.keys()
    _, labels = sample.load()
    assert report["labels"] == labels[2:7].tolist()
    assert (report["model"], report["backend"], report["n_images"], report["steps"]) == ("lif-lif", "runtime", 5, 12)
    assert (report["input"], report["seed"], report["weights"]) == ("frozen", 4, str(weights_file))
    assert len(report["predictions"]) == 5 and all(isinstance(p, int) for p in report["predictions"])
    assert report["accuracy"] == np.mean(np.array(report["predictions"]) == labels[2:7])
    assert f"accuracy {report['accuracy']:.4f}" in result.stdout
    assert report["run_seconds"] > 0 and report["images_per_second"] == 5 / report["run_seconds"]
    assert (tmp_path / "c.png").stat().st_size > 0
    # the regime and the physiology, measured inside the simulation
    assert (report["synapse"], report["dt_ms"], report["presentation_ms"]) == ("delta", 1.0, 12.0)
    assert report["max_input_rate_hz"] == weights.load(weights_file).max_rate_hz
    for layer in ("hidden", "output"):
        assert report[layer]["v_min_mV"] <= report[layer]["v_max_mV"] and report[layer]["mean_rate_hz"] >= 0
    assert report["synaptic_events_per_image"] > 0

    # the same frozen input in this process gives the same answers
    import dataclasses

    w = dataclasses.replace(weights.load(weights_file), steps=12)
    images, _ = sample.load()
    direct = simulate(w, images[2:7], backend="runtime", input_mode="frozen", seed=4)
    assert predict(direct.output_counts, direct.output_first_step).tolist() == report["predictions"]
    assert report["silent"] == int((direct.output_counts.sum(axis=1) == 0).sum())
    top = direct.output_counts == direct.output_counts.max(axis=1, keepdims=True)
    assert report["ties"] == int(((top.sum(axis=1) > 1) & (direct.output_counts.sum(axis=1) > 0)).sum())


def test_reads_mnist_from_the_environment(cli, weights_file, mnist_dir, tmp_path):
    out = tmp_path / "r.json"
    result = cli("simulate", "--model", "lif-lif", "--backend", "runtime", "--start", "9998", "--weights", weights_file,
                 "--json", out, env={"SNN_MNIST_DATA": str(mnist_dir)})
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["data"].startswith("MNIST test set in") and report["n_images"] == 2
    assert report["labels"] == [5, 6]  # the last two test digits


@pytest.mark.slow
def test_build_only_compiles_and_runs_nothing(cli, weights_file, tmp_path):
    out = tmp_path / "build.json"
    result = cli("simulate", "--model", "lif-lif", "--backend", "cpp", "--build-only", "--sample", "--n", "3",
                 "--weights", weights_file, "--json", out)
    assert result.returncode == 0, result.stderr
    assert "built lif-lif for 3 digits on cpp in" in result.stdout and "not run" in result.stdout
    assert "accuracy" not in result.stdout
    report = json.loads(out.read_text())
    assert (report["build_only"], report["backend"], report["n_images"]) == (True, "cpp", 3)
    assert report["build_seconds"] > 0 and "accuracy" not in report


def test_models_lists_the_bundled_models(cli):
    from snn_mnist.weights import pretrained

    listed = cli("models", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [row["name"] for row in rows] == pretrained.available()
    assert {"lif-lif", "if-lif", "lif-if", "if-if", "lif-lif-coba"} <= {row["name"] for row in rows}
    fields = {"name", "topology", "synapse", "encoding", "steps", "dt_ms", "max_input_rate_hz", "test_accuracy"}
    assert all(fields <= row.keys() for row in rows)
    coba = next(row for row in rows if row["name"] == "lif-lif-coba")
    assert (coba["topology"], coba["synapse"], coba["steps"]) == ("lif-lif", "coba", 100)
    assert coba["max_input_rate_hz"] == 100.0
    table = cli("models")
    assert table.returncode == 0 and re.search(r"^lif-lif-coba +lif-lif +coba +poisson", table.stdout, re.M)
    run = cli("simulate", "--model", "lif-lif-coba", "--backend", "runtime", "--sample", "--n", "2", "--input",
              "frozen")
    assert run.returncode == 0 and "lif-lif-coba (784-256-10, coba synapses)" in run.stdout, run.stderr
    unknown = cli("simulate", "--model", "lif-lif-alpha")
    assert unknown.returncode == 2 and "invalid choice: 'lif-lif-alpha'" in unknown.stderr


@pytest.mark.parametrize("args, reason", [
    (["--workers", "2", "--backend", "runtime"], "--workers and --scheduler run the cpp backend"),
    (["--workers", "2", "--input", "frozen"], "--workers and --scheduler run the cpp backend"),
    (["--workers", "0"], "--workers must lie in [1, 1,024]"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "give one of them"),
    (["--scheduler", "nowhere"], "--scheduler must be an address"),
    (["--scheduler", "udp://127.0.0.1:8786"], "unknown transport 'udp'"),
    (["--scheduler", "tcp://127.0.0.1"], "give a host and a port"),
    (["--scheduler", "tcp://127.0.0.1:1"], "cannot reach the Dask scheduler at tcp://127.0.0.1:1 within 10 s"),
])
@pytest.mark.parametrize("command", ["simulate", "sweep"])
def test_workers_are_refused_in_one_line_where_they_cannot_run(cli, args, reason, command, tmp_path):
    if command == "sweep":
        if "--backend" in args or "--input" in args:
            return  # simulate's options
        spec = tmp_path / "s.toml"
        spec.write_text('[fixed]\nmodel = "lif-lif"\nn = 10\n')
        done = cli("sweep", spec, *args)
    else:
        done = cli("simulate", "--n", "10", *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], done.stderr
    if command == "simulate" and "cannot reach" not in reason:
        assert done.stdout == ""  # refused before any work


@pytest.mark.parametrize("content, reason", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "not a CSV results table"),
    (b"name,value\nx,1\n", "not a results table (no point and status columns)"),
])
def test_a_sweep_refuses_results_it_cannot_read_in_one_line_before_starting_workers(cli, tmp_path, content, reason):
    spec = tmp_path / "s.toml"
    spec.write_text('[fixed]\nmodel = "lif-lif"\nn = 10\n')
    (tmp_path / "s.csv").write_bytes(content)
    done = cli("sweep", spec, "--workers", "1")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], done.stderr
    assert (tmp_path / "s.csv").read_bytes() == content
