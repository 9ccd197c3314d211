"""``snn-mnist export``: a network written as NIR, read back by ``simulate --weights FILE.nir``."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("nir")

from snn_mnist.cli.main import main
from snn_mnist.weights import load, save


def test_export_then_simulate_the_nir_file(tmp_path, random_weights, capsys):
    weights = random_weights("lif-if", n_hidden=32, seed=4)
    save(weights, tmp_path / "w.npz")
    out = tmp_path / "net.nir"
    assert main(["export", "--model", "lif-if", "--weights", str(tmp_path / "w.npz"), str(out)]) == 0
    message = capsys.readouterr().out
    assert "lif-if 784-32-10" in message and "refractory period (2 ms)" in message
    back = load(out)
    assert back.topology == weights.topology
    np.testing.assert_array_equal(back.w_input_hidden, weights.w_input_hidden)

    for file in ("w.npz", "net.nir"):
        code = main(["simulate", "--model", "lif-if", "--weights", str(tmp_path / file), "--backend", "runtime",
                     "--sample", "--n", "4", "--input", "frozen", "--json", str(tmp_path / f"{file}.json")])
        assert code == 0
    npz, nir_file = (json.loads((tmp_path / f"{f}.json").read_text()) for f in ("w.npz", "net.nir"))
    assert nir_file["weights"].endswith("net.nir")
    assert nir_file["predictions"] == npz["predictions"] and nir_file["accuracy"] == npz["accuracy"]


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (["export", "--model", "lif-lif", "--weights", "{npz}", "{tmp}/out.npz"], "unknown format .npz; use one of .nir"),
        (["export", "--model", "if-if", "--weights", "{npz}", "{tmp}/out.nir"], "holds a lif-lif network, not if-if"),
        (["export", "--model", "lif-lif", "--weights", "{tmp}/missing.npz", "{tmp}/out.nir"], "not found"),
    ],
)
def test_export_errors_are_one_line(tmp_path, small_weights, capsys, argv, phrase):
    save(small_weights, tmp_path / "w.npz")
    argv = [a.format(npz=tmp_path / "w.npz", tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1
    assert not (tmp_path / "out.nir").exists()
