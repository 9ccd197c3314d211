"""``snn-mnist stdp``: one-line errors for bad input, and a tiny train -> eval round trip."""

from __future__ import annotations

import json

import pytest

from snn_mnist.cli.main import main
from snn_mnist.plasticity import network_file


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (["stdp", "train", "--neurons", "0", "--out", "{tmp}/n.npz"], "--neurons must lie in [1, 10,000], got 0"),
        (["stdp", "train", "--neurons", "4", "--n-train", "70000", "--out", "{tmp}/n.npz"], "--n-train"),
        (["stdp", "train", "--neurons", "4", "--set", "tau_theta=1", "--out", "{tmp}/n.npz"],
         "DiehlCookParameters has no parameter 'tau_theta'"),
        (["stdp", "eval", "--neurons", "7"], "no bundled STDP network with 7 neurons"),
        (["stdp", "eval", "--weights", "{tmp}/missing.npz"], "not found"),
        (["stdp", "eval", "--weights", "{tmp}/junk.npz"], "not a STDP network file (not an .npz archive)"),
    ],
)
def test_bad_input_ends_in_one_line_and_status_2(argv, phrase, tmp_path, capsys):
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1 and "Traceback" not in err


def test_resume_without_checkpoint_is_a_user_error(tmp_path, capsys, mnist_dir):
    argv = ["stdp", "train", "--neurons", "3", "--n-train", "2", "--resume", "--checkpoint-dir", str(tmp_path),
            "--out", str(tmp_path / "n.npz")]
    assert main(argv) == 2
    assert "no checkpoint to resume from" in capsys.readouterr().err


@pytest.mark.slow
def test_train_then_eval_round_trip(tmp_path, mnist_dir):
    out = tmp_path / "n3.npz"
    assert main(["stdp", "train", "--neurons", "3", "--n-train", "3", "--n-label", "3", "--backend", "runtime",
                 "--set", "theta_plus_mV=0.1", "--checkpoint-dir", str(tmp_path / "ckpt"), "--out", str(out)]) == 0
    assert (tmp_path / "ckpt" / "stdp_3.npz").is_file()
    trained = network_file.load(out)
    assert trained.params.theta_plus_mV == 0.1 and trained.provenance["settings"] == ["theta_plus_mV=0.1"]
    assert main(["stdp", "eval", "--weights", str(out), "--n", "3", "--backend", "runtime",
                 "--json", str(tmp_path / "r.json")]) == 0
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["n_images"] == 3 and result["n_neurons"] == 3
    assert 0.0 <= result["accuracy"] <= 1.0 and result["mean_spikes_per_image"] >= 5


@pytest.mark.slow
def test_the_bundled_400_neuron_network_classifies_without_training(tmp_path):
    """`stdp eval --neurons 400` with no training: the first 100 test digits ($SNN_MNIST_DATA, else the bundled sample)."""
    out = tmp_path / "r.json"
    assert main(["stdp", "eval", "--neurons", "400", "--n", "100", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["n_images"] == 100 and result["n_neurons"] == 400
    assert result["accuracy"] >= 0.8  # 90.39% on the 10,000 test digits (results/stdp.md)
