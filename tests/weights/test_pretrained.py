"""Pretrained weights: found by model name; a model that has none is refused, never faked."""

from pathlib import Path

import numpy as np
import pytest

from snn_mnist import weights
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.weights import WeightsError, pretrained


def test_path_names_the_model():
    assert pretrained.path("if-lif") == pretrained.DIRECTORY / "if-lif.npz"
    assert pretrained.path("if-lif-coba") == pretrained.DIRECTORY / "if-lif-coba.npz"
    assert pretrained.DIRECTORY.name == "pretrained" and pretrained.DIRECTORY.parent.name == "weights"


def test_a_name_is_a_topology_and_a_synapse_model():
    """The seeds' delta models keep their names; the others add their synapse model."""
    assert pretrained.parse("lif-if") == ("lif-if", "delta", "poisson", 256)
    assert pretrained.parse("lif-if-coba") == ("lif-if", "coba", "poisson", 256)
    assert pretrained.parse("lif-lif-cuba-latency") == ("lif-lif", "cuba", "latency", 256)
    assert pretrained.parse("lif-lif-cuba-latency-512") == ("lif-lif", "cuba", "latency", 512)
    assert [pretrained.name(*pretrained.parse(n)) for n in pretrained.NAMES] == pretrained.NAMES
    assert pretrained.NAMES[:4] == ["if-if", "lif-lif", "if-lif", "lif-if"] and "lif-lif-delta" not in pretrained.NAMES
    assert len([n for n in pretrained.NAMES if pretrained.parse(n).hidden == 256]) == 4 * 3 * 2
    for wrong in ("lif-lif-alpha", "lif-lif-256", "lif-lif-0", "lif-lif-latency-cuba"):
        with pytest.raises(WeightsError, match=f"unknown model '{wrong}'"):
            pretrained.parse(wrong)


def test_unknown_model():
    with pytest.raises(WeightsError, match="unknown model 'lif-lstm'"):
        pretrained.path("lif-lstm")


def test_missing_pretrained_file_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setattr(pretrained, "DIRECTORY", tmp_path)
    missing = r"^no pretrained weights for lif-if \(bundled: none\); pass --weights FILE$"
    with pytest.raises(WeightsError, match=missing):
        pretrained.load("lif-if")
    assert pretrained.available() == []


def test_loads_a_pretrained_file(monkeypatch, tmp_path, small_weights):
    monkeypatch.setattr(pretrained, "DIRECTORY", tmp_path)
    weights.save(small_weights, tmp_path / "lif-lif.npz")
    assert pretrained.available() == ["lif-lif"]
    assert pretrained.load("lif-lif").topology == small_weights.topology


def test_file_of_another_model_is_refused(monkeypatch, tmp_path, small_weights):
    monkeypatch.setattr(pretrained, "DIRECTORY", tmp_path)
    weights.save(small_weights, tmp_path / "if-if.npz")  # lif-lif weights under the wrong name
    with pytest.raises(WeightsError, match="holds a lif-lif network, not if-if"):
        pretrained.load("if-if")
    weights.save(small_weights, tmp_path / "lif-lif-coba.npz")  # a delta network under a coba name
    with pytest.raises(WeightsError, match="holds a lif-lif network, not lif-lif-coba"):
        pretrained.load("lif-lif-coba")


@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_shipped_pretrained_weights_are_valid(model):
    assert pretrained.path(model).is_file(), f"{model} must ship pretrained weights"
    w = pretrained.load(model)
    assert w.topology.name == model and w.topology.n_inputs == 784 and w.topology.n_outputs == 10
    for key in ("trainer", "seed", "epochs", "train_data_md5", "test_accuracy_trainer"):  # where they came from
        assert key in w.provenance, f"{model}'s provenance lacks {key}"
    assert 0.95 < w.provenance["test_accuracy_trainer"] < 1


PHYSIOLOGICAL = ["lif-lif-coba", "if-lif-coba", "lif-if-coba", "if-if-coba", "lif-lif-cuba"]


@pytest.mark.parametrize("model", PHYSIOLOGICAL)
def test_the_physiological_models_ship_in_their_regime(model):
    """The four coba topologies and a cuba LIF-LIF are bundled: 100 ms at 100 Hz, trained at dt 1 ms, and
    scripts/physiology.py has measured each (snn-mnist models shows those figures)."""
    assert model in pretrained.available(), f"{model} must ship pretrained weights"
    w = pretrained.load(model)
    topology, synapse, _, _ = pretrained.parse(model)
    assert (w.topology.name, w.synapse.kind) == (topology, synapse)
    assert (w.dt_ms, w.steps, w.max_rate_hz) == (1.0, 100, 100.0) and w.step_order == "threshold-first"
    assert w.provenance["synapse"]["kind"] == synapse and 0.97 < w.provenance["test_accuracy_trainer"] < 1
    described = pretrained.describe(model)
    assert described["presentation_ms"] == 100.0 and described["max_input_rate_hz"] == 100.0
    assert described["test_accuracy"] is not None and described["test_accuracy_at_0.1ms"] is not None


SAVED = Path(__file__).resolve().parents[1] / "data" / "trainer_counts.npz"


def saved_trainer_counts(model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The trainer's output and hidden counts and output first-spike steps for ``model`` kept by
    ``scripts/trainer_reference.py``."""
    import hashlib

    with np.load(SAVED, allow_pickle=False) as saved:
        digest = str(saved[f"{model}/weights_sha256"])
        counts = saved[f"{model}/output"], saved[f"{model}/hidden"], saved[f"{model}/output_first_step"]
    assert digest == hashlib.sha256(pretrained.path(model).read_bytes()).hexdigest(), (
        f"{SAVED.name} was made for other {model} weights: rerun python scripts/trainer_reference.py"
    )
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_shipped_models_reproduce_the_trainers_spike_counts_in_brian2(model, sample_digits):
    """The bundled weights in Brian2 (runtime, frozen input, seed 0) against the trainer's counts saved in
    tests/data: every output and hidden count, and MNIST-level accuracy on the 300 bundled test digits.
    Needs no PyTorch, so it checks each Brian2 version the package supports."""
    from snn_mnist.networks.simulation import input_spikes, simulate
    from snn_mnist.readout.spike_count import predict

    expected_output, expected_hidden, expected_first = saved_trainer_counts(model)
    w = pretrained.load(model)
    images, labels = sample_digits
    sim = simulate(w, images, backend="runtime", input_mode="frozen", frozen=input_spikes(images, w, seed=0),
                   record_hidden=True)
    np.testing.assert_array_equal(sim.output_counts, expected_output)
    np.testing.assert_array_equal(sim.hidden_counts, expected_hidden)
    np.testing.assert_array_equal(sim.output_first_step, expected_first)
    assert (predict(sim.output_counts, sim.output_first_step) == labels).mean() >= 0.95


@pytest.mark.parametrize("model", list(TOPOLOGIES))
def test_the_saved_counts_are_what_the_trainer_gives_now(model, sample_digits):
    pytest.importorskip("torch")
    from snn_mnist.networks.simulation import input_spikes
    from snn_mnist.trainer.model import reference_counts

    w = pretrained.load(model)
    images, _ = sample_digits
    output, hidden, first = reference_counts(w, input_spikes(images, w, seed=0))
    saved_output, saved_hidden, saved_first = saved_trainer_counts(model)
    np.testing.assert_array_equal(output, saved_output)
    np.testing.assert_array_equal(hidden, saved_hidden)
    np.testing.assert_array_equal(first, saved_first)


@pytest.mark.parametrize("model, hidden, accuracy, budget_nJ", [
    ("lif-lif-cuba-latency", 256, 0.975, 37.0),  # a fifth of the zero-skipping ANN's 184 nJ
    ("lif-lif-cuba-latency-512", 512, 0.980, 92.0),  # half of it
])
def test_the_low_energy_models_ship_measured_within_their_budgets(model, hidden, accuracy, budget_nJ):
    """The energy frontier's two goals, as bundled models that scripts/physiology.py measured in Brian2 on all test
    digits: the accuracy and the energy of the synaptic events (0.9 pJ each). (With the neuron updates as Brian2
    generates them, 6 multiplies and 7 adds per neuron and step, they cost more than the zero-skipping ANN's
    184 nJ: results/energy.md.)"""
    from snn_mnist.readout.energy import neuron_updates

    assert model in pretrained.available()
    w = pretrained.load(model)
    assert (w.encoding.kind, w.synapse.kind, w.topology.n_hidden, w.steps) == ("latency", "cuba", hidden, 25)
    described = pretrained.describe(model)
    assert described["encoding"] == "latency" and described["max_input_rate_hz"] == 40.0
    assert described["test_accuracy"] >= accuracy and described["energy_nJ_per_image"] <= budget_nJ
    updates = neuron_updates(w)  # every neuron, every step: the latency code's sparse spikes do not lower it
    assert updates.multiplies == (hidden + 10) * 25 * 6 and updates.energy_nJ > 184.0
