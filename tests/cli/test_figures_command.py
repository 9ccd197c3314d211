"""``snn-mnist figures digit`` and ``figures confusion``: files written, numbers consistent."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from snn_mnist.cli.main import main


def test_digit_figures_for_an_mnist_digit(weights_file, tmp_path, capsys):
    assert main(["figures", "digit", "--index", "3", "--weights", str(weights_file), "--rotate", "30",
                 "--neurons", "output:0,1", "hidden:2", "--out-dir", str(tmp_path), "--name", "d"]) == 0
    printed = capsys.readouterr().out
    for suffix in ("input.png", "raster.png", "traces.png", "voltage.gif"):
        path = tmp_path / f"d_{suffix}"
        assert f"wrote {path}" in printed
        assert Image.open(path).width > 300
    gif = Image.open(tmp_path / "d_voltage.gif")
    assert gif.n_frames == 25  # one frame per step (the held last frames are stored as one)
    assert gif.height < 600  # three panels, not fourteen


def test_confusion_figure_and_numbers(weights_file, tmp_path, capsys):
    assert main(["figures", "confusion", "--models", "lif-lif", "--weights", str(weights_file), "--n", "30",
                 "--backend", "runtime", "--out-dir", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "confusion_lif-lif.json").read_text())
    matrix = np.array(data["confusion"])
    assert matrix.shape == (10, 11) and matrix.sum() == 30 == data["n_images"]  # the last column: no class
    assert matrix[:, 10].sum() == data["ties_undecided"] + data["silent"]
    assert data["accuracy"] == np.trace(matrix) / 30
    # rows are true classes: the first 30 test digits' labels
    from snn_mnist.digits import sample

    labels = sample.load()[1][:30]
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(labels, minlength=10))
    assert Image.open(tmp_path / "confusion_lif-lif.png").format == "PNG"
    assert f"accuracy {data['accuracy']:.4f}" in capsys.readouterr().out


def test_figure_errors_are_one_line(cli, weights_file, tmp_path):
    for args, message in (
        (["figures", "digit", "--weights", weights_file], "give either an IMAGE or --index"),
        (["figures", "digit", "--index", "0", "--weights", weights_file, "--neurons", "output:99"], "neurons 0..9"),
        (["figures", "confusion", "--models", "lif-lif", "if-if", "--weights", weights_file], "exactly one"),
    ):
        done = cli(*args)
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1, \
            done.stderr
