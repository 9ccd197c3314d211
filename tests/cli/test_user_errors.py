"""Whatever a user gets wrong ends in one line on stderr and exit status 2, never a traceback."""

import os
import stat

import pytest

from snn_mnist.weights import pretrained


def assert_one_line_error(result, pattern: str):
    import re

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]


SIM = ["simulate", "--model", "lif-lif", "--backend", "runtime", "--sample"]


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["simulate", "--model", "lif-gru"], r"argument --model: invalid choice: 'lif-gru'"),
        (["simulate", "--model", "lif-lif", "--backend", "tpu"], r"argument --backend: invalid choice: 'tpu'"),
        (["simulate", "--model", "lif-lif", "--n", "ten"], r"argument --n: invalid int value"),
        (["simulate", "--model", "lif-lif", "--sample", "--data-dir", "x"], r"not allowed with argument"),
        (["trace", "--model", "lif-lif", "--out", "x.png"], r"required: --index"),
        (["fly"], r"invalid choice: 'fly'"),
        ([*SIM, "--weights", "/nonexistent/w.npz"], r"simulate: error: weights file not found: /nonexistent/w.npz"),
    ],
)
def test_bad_arguments(cli, args, pattern):
    assert_one_line_error(cli(*args), pattern)


@pytest.mark.parametrize(
    "extra, pattern",
    [
        (["--n", "0"], r"--n must lie in \[1, 300\] for the bundled sample"),
        (["--n", "301"], r"--n must lie in \[1, 300\]"),
        (["--start", "295", "--n", "10"], r"--n must lie in \[1, 5\] .* from --start 295"),
        (["--start", "300"], r"--start must lie in \[0, 299\]"),
        (["--start", "-1"], r"--start must lie in \[0, 299\]"),
        (["--steps", "0"], r"--steps must be at least 1"),
        (["--threads", "-2"], r"--threads: must lie in \[0, 256\], got -2"),
        (["--threads", "100000"], r"--threads: must lie in \[0, 256\], got 100000"),
        (["--build-only"], r"--build-only needs a standalone backend \(cpp or cuda\)"),
        (["--compute-capability", "9.0"], r"--compute-capability applies to --backend cuda only"),
    ],
)
def test_bad_numbers(cli, weights_file, extra, pattern):
    assert_one_line_error(cli(*SIM, "--weights", weights_file, *extra), pattern)


def test_corrupt_weights_file(cli, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip archive at all")
    assert_one_line_error(cli(*SIM, "--weights", bad), r"bad.npz: not a weights file \(not an .npz archive\)")


def test_weights_of_another_model(cli, weights_file):
    args = ["simulate", "--model", "if-if", "--backend", "runtime", "--sample", "--weights", weights_file]
    assert_one_line_error(cli(*args), r"holds a lif-lif network, not if-if")


def test_missing_pretrained_weights(monkeypatch, tmp_path, capsys):
    """Every model ships weights, so the command runs in this process with an empty pretrained folder."""
    from snn_mnist.cli.main import main

    monkeypatch.setattr(pretrained, "DIRECTORY", tmp_path)
    assert main(["simulate", "--model", "if-lif", "--sample", "--backend", "runtime"]) == 2
    err = capsys.readouterr().err
    assert err == "snn-mnist simulate: error: no pretrained weights for if-lif (bundled: none); pass --weights FILE\n"


def test_missing_data_dir(cli, weights_file, tmp_path):
    args = ["simulate", "--model", "lif-lif", "--backend", "runtime", "--weights", weights_file]
    assert_one_line_error(cli(*args, "--data-dir", tmp_path / "nowhere"), r"MNIST file .* not found")
    assert_one_line_error(cli(*args, env={"SNN_MNIST_DATA": str(tmp_path)}), r"MNIST file .* not found")


def test_unavailable_backend(cli, weights_file):
    # cuda without brian2cuda, nvcc or a GPU: refused with the reason, never swapped for another
    result = cli("simulate", "--model", "lif-lif", "--backend", "cuda", "--sample", "--n", "2", "--weights", weights_file)
    if result.returncode == 0:
        pytest.skip("this machine runs the cuda backend")
    assert_one_line_error(result, r"simulate: error: .*(cuda|CUDA|GPU|nvcc)")


@pytest.mark.parametrize(
    "extra, pattern",
    [
        (["--index", "300"], r"--index must lie in \[0, 299\] for the bundled sample"),
        (["--index", "0", "--neurons", "input:0"], r"--neurons 'input:0': expected LAYER:all"),
        (["--index", "0", "--neurons", "hidden:32"], r"the hidden layer has neurons 0..31, not 32"),
        (["--index", "0", "--neurons", "output:1,x"], r"is not a comma-separated list"),
    ],
)
def test_trace_errors(cli, weights_file, tmp_path, extra, pattern):
    result = cli("trace", "--model", "lif-lif", "--sample", "--weights", weights_file, "--out", tmp_path / "t.png", *extra)
    assert_one_line_error(result, pattern)
    assert not (tmp_path / "t.png").exists()


def test_download_into_an_unwritable_place(cli, tmp_path):
    (tmp_path / "file").write_text("")
    assert_one_line_error(cli("download", "--data-dir", tmp_path / "file" / "mnist"), r"download: error: cannot write to")


@pytest.mark.parametrize("command", [["simulate"], ["trace"], ["classify", "x.png"], ["figures", "confusion"],
                                     ["stdp", "train"], ["stdp", "eval"], ["parity"], ["train"]])
@pytest.mark.parametrize("seed, pattern", [("-1", r"must lie in \[0, 2\*\*32\), got -1"),
                                           ("4294967296", r"must lie in \[0, 2\*\*32\), got 4294967296"),
                                           ("1.5", r"must be a whole number, got '1.5'")])
def test_seeds_outside_numpys_range_are_refused_by_every_command(cli, command, seed, pattern):
    assert_one_line_error(cli(*command, "--seed", seed), r"argument --seed: " + pattern)


@pytest.mark.parametrize("extra", [["--rotate", "1e400"], ["--rotate", "nan"], ["--rotate", "-400"],
                                   ["--rotate-range", "-20", "inf"]])
def test_rotations_beyond_a_turn_are_refused(cli, extra):
    assert_one_line_error(cli("classify", "x.png", *extra), r"argument --rotate(-range)?: must be a finite angle "
                                                            r"within \[-360, 360\] degrees")


@pytest.mark.parametrize("args, pattern", [
    (["classify", "{photo}", "--prepared", "{photo}"], r"--prepared .*photo.jpg is the input IMAGE"),
    ([*SIM, "--weights", "{weights}", "--json", "{weights}"], r"--json .* is the input --weights"),
    ([*SIM, "--json", "{folder}"], r"a folder; give a file name to write"),
    ([*SIM, "--json", "{file}/out.json"], r"is a file, not a folder"),
    ([*SIM, "--json", ""], r"an output path is empty"),
    ([*SIM, "--json", "{fifo}"], r"not a regular file \(a device, pipe or socket\)"),
    ([*SIM, "--confusion", "c.xyz"], r"c.xyz: unknown format \.xyz; use one of \.png, \.pdf"),
    (["trace", "--model", "lif-lif", "--sample", "--index", "0", "--out", "t.xyz"], r"unknown format \.xyz"),
    (["figures", "digit", "{photo}", "--out-dir", "{file}"], r"not a folder"),
    (["figures", "digit", "{photo}", "--name", "../../x"], r"--name: must be a plain file name prefix"),
    (["figures", "confusion", "--out-dir", "{file}"], r"not a folder"),
    (["stdp", "train", "--neurons", "10", "--out", "{folder}"], r"a folder; give a file name to write"),
    (["stdp", "train", "--neurons", "10", "--out", "{folder}/net.npz", "--checkpoint-dir", "{file}"], r"not a folder"),
    (["train", "--model", "lif-lif", "--out", "w.txt"], r"w.txt: unknown format \.txt; use one of \.npz"),
    (["export", "--model", "lif-lif", "x.json"], r"unknown format \.json; use one of \.nir"),
    (["models", "--json", "{folder}"], r"a folder"),
])
def test_outputs_are_refused_before_any_work_and_inputs_are_never_overwritten(cli, tmp_path, weights_file, args,
                                                                              pattern):
    photo, folder, file = tmp_path / "photo.jpg", tmp_path / "folder", tmp_path / "file.txt"
    os.mkfifo(tmp_path / "fifo")  # like /dev/full, which root could otherwise replace: not a regular file
    photo.write_bytes(b"a photo, as far as this test goes")
    folder.mkdir()
    file.write_text("mine")
    before = {p: p.read_bytes() for p in (photo, file, weights_file)}
    values = {"photo": photo, "folder": folder, "file": file, "weights": weights_file, "fifo": tmp_path / "fifo"}
    result = cli(*(a.format(**values) for a in args))
    assert_one_line_error(result, pattern)
    assert {p: p.read_bytes() for p in before} == before
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)


def test_frozen_input_too_large_for_the_machine_is_refused_up_front(cli, weights_file):
    """300 digits x 100,000 steps x 784 pixels of frozen input is 23.5 GB: refused before it is drawn."""
    result = cli(*SIM, "--weights", weights_file, "--input", "frozen", "--steps", "100000", timeout=60)
    assert_one_line_error(result, r"frozen input of 300 images x 100,000 steps would take .* GiB \(at most \d+\); "
                                  r"use fewer images or steps, or Poisson input")


@pytest.mark.parametrize("steps, pattern", [("1000001", r"steps must be a whole number in \[1, 100,000\]"),
                                            ("0", r"--steps must be at least 1")])
def test_steps_are_bounded(cli, weights_file, steps, pattern):
    assert_one_line_error(cli(*SIM, "--weights", weights_file, "--steps", steps), pattern)


@pytest.mark.parametrize("dt, pattern", [("1e-300", r"dt must be a number of ms in \[0.001, 10\]"),
                                         ("inf", r"dt must be a number of ms in \[0.001, 10\]"),
                                         ("0.3", r"not a whole number of 0.3 ms steps")])
def test_dt_is_bounded(cli, weights_file, dt, pattern):
    assert_one_line_error(cli(*SIM, "--weights", weights_file, "--dt", dt), pattern)


@pytest.mark.parametrize("args, pattern", [
    (["figures", "digit", "--index", "0", "--fps", "1e308"], r"--fps must lie in \[0.01, 100\], got 1e\+308"),
    (["figures", "digit", "--index", "0", "--fps", "nan"], r"--fps must lie in \[0.01, 100\], got nan"),
    (["stdp", "train", "--neurons", "100000000", "--out", "n.npz"], r"--neurons must lie in \[1, 10,000\]"),
    (["train", "--model", "lif-lif", "--hidden", "10000000", "--out", "w.npz"], r"--hidden must lie in \[1, 10,000\]"),
    (["train", "--model", "lif-lif", "--lr", "inf", "--out", "w.npz"], r"--lr must lie in"),
    (["train", "--model", "lif-lif", "--shift", "40", "--out", "w.npz"], r"--shift must lie in \[0, 27\]"),
])
def test_huge_or_non_finite_numbers_are_bounded_where_parsed(cli, tmp_path, args, pattern):
    assert_one_line_error(cli(*args), pattern)


@pytest.mark.parametrize("extra, pattern", [
    (["--encoding", "poisson", "--latency-threshold", "0.3"], r"--latency-threshold does not apply to poisson input"),
    (["--encoding", "latency", "--max-rate", "50"], r"--max-rate does not apply to latency input"),
    (["--encoding", "latency", "--latency-threshold", "1.5"], r"latency threshold must lie in \(0, 1\)"),
    (["--encoding", "latency", "--latency-window", "40"], r"the latency window \(40 ms\) must end within the image's 25 ms"),
    (["--encoding", "morse"], r"argument --encoding: invalid choice: 'morse'"),
])
def test_input_codes_that_cannot_work_are_refused(cli, weights_file, extra, pattern):
    assert_one_line_error(cli(*SIM, "--weights", weights_file, *extra), pattern)


def test_a_latency_run_reports_its_code_and_energy(cli, weights_file, tmp_path):
    import json

    result = cli(*SIM, "--weights", weights_file, "--n", "5", "--encoding", "latency", "--latency-window", "12",
                 "--json", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["encoding"] == {"type": "latency", "threshold": 0.25, "window_ms": 12.0}
    assert report["max_input_rate_hz"] == 40.0  # one spike per 25 ms image at most
    assert 0 < report["synaptic_events_per_image_by_pathway"]["input_hidden"] <= 784 * 32
