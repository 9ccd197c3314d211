"""``snn-mnist classify``: your own image through a Brian2 network, prediction and spike counts out."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw

from snn_mnist import weights
from snn_mnist.cli.classify import rotation_angle
from snn_mnist.cli.main import UserError, main
from snn_mnist.digits import user_image
from snn_mnist.networks.simulation import input_spikes
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.spike_count import predict, verdict


def drawing(path, shape, size=(240, 320), ink=(0, 0, 0, 255), paper=(255, 255, 255, 255), mode="RGBA"):
    image = Image.new(mode, size, paper)
    w, h = size
    pen = ImageDraw.Draw(image)
    if shape == "zero":
        pen.ellipse([0.1 * w, 0.15 * h, 0.9 * w, 0.85 * h], outline=ink, width=round(0.07 * h))
    else:  # "one": a slanted stroke
        pen.line([(0.55 * w, 0.1 * h), (0.45 * w, 0.9 * h)], fill=ink, width=round(0.07 * h))
    image.save(path)
    return path


def knowing_weights(sample_digits) -> weights.NetworkWeights:
    """A network that knows the digits: hidden neuron k's input weights are a ridge-regression
    readout of class k fitted to the bundled sample, and it excites output k only. A test
    fixture, not a model."""
    images, labels = sample_digits
    x = images / 255.0
    targets = 2.0 * np.eye(10)[labels] - 1.0
    readout = np.linalg.solve(x.T @ x + np.eye(x.shape[1]), x.T @ targets)
    return weights.NetworkWeights(
        topology=TOPOLOGIES["lif-lif"].with_hidden(10),
        w_input_hidden=(10 * readout).astype(np.float32),
        w_hidden_output=(20 * np.eye(10) - 2).astype(np.float32),
        provenance={"note": "ridge readout of the bundled sample, written by the tests"},
    )


def test_classify_prints_and_writes_counts(cli, weights_file, tmp_path):
    """As a user runs it: counts in the JSON are the network's, the prediction follows from them."""
    image = drawing(tmp_path / "seven.png", "one", mode="L", paper=255, ink=0)
    out = tmp_path / "answer.json"
    prepared_png = tmp_path / "prepared.png"
    done = cli("classify", image, "--model", "lif-lif", "--weights", weights_file, "--rotate", "12", "--seed", "3",
               "--json", out, "--prepared", prepared_png)
    assert done.returncode == 0, done.stderr
    answer = json.loads(out.read_text())
    counts = np.array(answer["counts"])
    assert counts.shape == (10,) and counts.sum() > 0
    assert answer["prediction"] == int(predict(counts[None], np.array(answer["first_spike_step"])[None])[0])
    assert answer["angle_deg"] == 12 and answer["inverted"] and answer["seed"] == 3
    assert f"prediction: {verdict(counts, np.array(answer['first_spike_step']))}" in done.stdout
    assert "spike count:  " + "".join(f"{c:>3}" for c in counts) in done.stdout
    expected = user_image.load(image, 12).pixels
    np.testing.assert_array_equal(np.asarray(Image.open(prepared_png)), expected)


def test_classify_counts_match_the_trainer_model(weights_file, tmp_path, capsys):
    """The counts printed are those an independent implementation (the trainer's PyTorch model)
    computes from the same prepared digit and the same input spikes."""
    torch_model = pytest.importorskip("snn_mnist.trainer.model")
    image = drawing(tmp_path / "zero.png", "zero", ink=(255, 255, 255, 255), paper=(0, 0, 0, 0))
    out = tmp_path / "answer.json"
    assert main(["classify", str(image), "--weights", str(weights_file), "--seed", "5", "--json", str(out)]) == 0
    answer = json.loads(out.read_text())
    w = weights.load(weights_file)
    spikes = input_spikes(user_image.load(image).flat[None], w, seed=5)
    reference, _, first = torch_model.reference_counts(w, spikes)
    assert answer["counts"] == reference[0].tolist()
    assert answer["first_spike_step"] == first[0].tolist()
    assert answer["prediction"] == predict(reference, first)[0]


@pytest.mark.parametrize("shape, digit", [("one", 1), ("zero", 0)])
def test_a_network_that_knows_digits_reads_drawn_ones_and_zeros(sample_digits, tmp_path, shape, digit, capsys):
    """End to end with meaningful weights: a drawn 1 and a drawn 0 (white ink on a transparent
    canvas) come out as 1 and 0, so preparation, polarity and orientation are right."""
    path = tmp_path / "knowing.npz"
    weights.save(knowing_weights(sample_digits), path)
    image = drawing(tmp_path / f"{shape}.png", shape, ink=(255, 255, 255, 255), paper=(0, 0, 0, 0))
    out = tmp_path / "answer.json"
    assert main(["classify", str(image), "--weights", str(path), "--json", str(out)]) == 0
    answer = json.loads(out.read_text())
    assert answer["prediction"] == digit, answer["counts"]
    assert answer["counts"][digit] > max(c for k, c in enumerate(answer["counts"]) if k != digit)


def test_rotate_range_draws_a_seeded_angle():
    angles = [rotation_angle(None, (-30, 30), seed) for seed in range(20)]
    assert all(-30 <= a <= 30 for a in angles)
    assert angles[0] == rotation_angle(None, (-30, 30), 0)
    assert len(set(angles)) == 20 and min(angles) < -10 and max(angles) > 10
    assert rotation_angle(None, (7, 7), 3) == 7 and rotation_angle(15, None, 0) == 15
    assert rotation_angle(None, None, 0) == 0
    with pytest.raises(UserError, match="A <= B"):
        rotation_angle(None, (10, 5), 0)


@pytest.mark.parametrize("make, args, message", [
    (lambda p: Image.new("L", (50, 50), 255).save(p), [], "no digit found"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n garbage"), [], "unreadable image"),
    (lambda p: None, [], "image file not found"),
    (lambda p: drawing(p, "one"), ["--rotate-range", "10", "5"], "A <= B"),
    (lambda p: drawing(p, "one"), ["--rotate", "5", "--rotate-range", "1", "2"], "not allowed with"),
    (lambda p: drawing(p, "one"), ["--threads", "-1"], "--threads"),
])
def test_bad_input_gives_one_line_errors(cli, weights_file, tmp_path, make, args, message):
    image = tmp_path / "digit.png"
    make(image)
    done = cli("classify", image, "--weights", weights_file, *args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
