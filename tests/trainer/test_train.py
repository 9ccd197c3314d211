"""Training learns, checkpoints, resumes exactly, and exports a loadable weights file."""

import io
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from snn_mnist import weights
from snn_mnist.trainer.train import TrainConfig, Trainer


@pytest.fixture
def data_dir():
    path = os.environ.get("SNN_MNIST_DATA")
    if not path or not os.path.isdir(path):
        pytest.skip("set SNN_MNIST_DATA to the MNIST directory to run training tests")
    return path


def small_config(data_dir, epochs):
    return TrainConfig(model="lif-lif", epochs=epochs, hidden=32, steps=10, batch_size=64,
                       n_train=2048, seed=7, lr=5e-3, data_dir=data_dir)


def test_training_learns_and_exports(data_dir, tmp_path):
    trainer = Trainer(small_config(data_dir, epochs=2), tmp_path / "ckpt")
    history = trainer.run(log=lambda line: None)
    assert [h["epoch"] for h in history] == [1, 2]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_accuracy"] > 0.5  # chance is 0.1
    assert (tmp_path / "ckpt" / "curves.png").stat().st_size > 1000
    exported = trainer.export(tmp_path / "w.npz")
    loaded = weights.load(tmp_path / "w.npz")
    np.testing.assert_array_equal(loaded.w_input_hidden, exported.w_input_hidden)
    assert loaded.topology.n_hidden == 32 and loaded.steps == 10
    assert loaded.provenance["test_accuracy_trainer"] == history[-1]["test_accuracy"]
    # exported in mV: unit-scale weights times the threshold gap (15 mV)
    gap = 15.0
    np.testing.assert_allclose(loaded.w_input_hidden, trainer.model.w_input_hidden.detach().numpy() * gap, rtol=1e-6)


def test_resume_reproduces_the_uninterrupted_run(data_dir, tmp_path):
    straight = Trainer(small_config(data_dir, epochs=2), tmp_path / "a")
    straight.run(log=lambda line: None)

    first = Trainer(small_config(data_dir, epochs=1), tmp_path / "b")
    first.run(log=lambda line: None)
    resumed = Trainer(small_config(data_dir, epochs=2), tmp_path / "b")
    resumed.resume()
    assert resumed.epoch == 1
    resumed.run(log=lambda line: None)
    assert torch.equal(resumed.model.w_input_hidden, straight.model.w_input_hidden)
    assert resumed.history[-1]["test_accuracy"] == straight.history[-1]["test_accuracy"]


def test_resume_refuses_a_checkpoint_made_with_other_settings(data_dir, tmp_path):
    Trainer(small_config(data_dir, epochs=1), tmp_path / "c").run(log=lambda line: None)
    other = small_config(data_dir, epochs=2)
    other.hidden = 16
    with pytest.raises(ValueError, match="hidden: 32 != 16"):
        Trainer(other, tmp_path / "c").resume()


def test_resume_refuses_a_broken_checkpoint_naming_it(data_dir, tmp_path):
    """NaN weights, a truncated file, text, another pickle: each refused on loading, in one line that names
    the checkpoint, before any training."""
    import pickle

    from snn_mnist.trainer.train import CheckpointError

    Trainer(small_config(data_dir, epochs=1), tmp_path / "c").run(log=lambda line: None)
    path = tmp_path / "c" / "checkpoint.pt"
    good = path.read_bytes()
    state = torch.load(path, weights_only=True)
    state["model"]["w_hidden_output"][3, 2] = float("nan")
    torch.save(state, path)
    breakages = {
        "w_hidden_output hold NaN or infinite values": None,
        "unreadable": good[: len(good) // 2],
        "unreadable ": b"just some text\n",
        "unreadable  ": pickle.dumps({"config": print}),
    }
    for message, content in breakages.items():
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(CheckpointError) as error:
            Trainer(small_config(data_dir, epochs=2), tmp_path / "c").resume()
        text = str(error.value)
        assert text.startswith(f"checkpoint {path}: ") and message.strip() in text and "\n" not in text, text
    state = torch.load(io.BytesIO(good), weights_only=True)
    del state["optimizer"]
    torch.save(state, path)
    with pytest.raises(CheckpointError, match="not a checkpoint of snn-mnist train \\(missing optimizer\\)"):
        Trainer(small_config(data_dir, epochs=2), tmp_path / "c").resume()


def test_the_spike_penalty_lowers_the_hidden_spikes(data_dir, tmp_path):
    """The same short run with and without a penalty on hidden spikes: the penalised network fires
    markedly less, and both still learn; the spikes per image are logged beside the loss."""
    import dataclasses

    runs = {}
    for penalty in (0.0, 1e-3):
        config = dataclasses.replace(small_config(data_dir, epochs=2), spike_penalty=penalty)
        runs[penalty] = Trainer(config, tmp_path / str(penalty)).run(log=lambda line: None)[-1]
    free, penalised = runs[0.0], runs[1e-3]
    assert penalised["test_hidden_spikes_per_image"] < 0.7 * free["test_hidden_spikes_per_image"], runs
    assert penalised["train_hidden_spikes_per_image"] < 0.7 * free["train_hidden_spikes_per_image"]
    assert min(free["test_accuracy"], penalised["test_accuracy"]) > 0.3  # chance is 0.1


@pytest.mark.parametrize("synapse", ["cuba", "coba"])
def test_current_and_conductance_synapses_train_and_export_their_model(data_dir, tmp_path, synapse):
    """A short run learns; the weights file names the synapse model, keeps coba's conductances as they are
    (no voltage scale) and cuba's in mV, and Brian2 reproduces the trainer on it."""
    import dataclasses

    from snn_mnist.networks.simulation import input_spikes, simulate
    from snn_mnist.trainer.model import reference_counts

    config = dataclasses.replace(small_config(data_dir, epochs=1), synapse={"kind": synapse}, steps=40,
                                 max_rate_hz=200.0)
    trainer = Trainer(config, tmp_path / "ckpt")
    history = trainer.run(log=lambda line: None)
    assert history[-1]["test_accuracy"] > 0.15  # chance is 0.1 (+- 0.003 on 10,000 digits); one short epoch: 0.2
    exported = trainer.export(tmp_path / "w.npz")
    loaded = weights.load(tmp_path / "w.npz")
    assert loaded.synapse.kind == synapse and loaded.provenance["synapse"] == {"kind": synapse}
    scale = 15.0 if synapse == "cuba" else 1.0
    np.testing.assert_allclose(loaded.w_input_hidden, trainer.model.w_input_hidden.detach().numpy() * scale, rtol=1e-6)
    images = trainer.test_x[:20].numpy()
    spikes = input_spikes(images, exported, seed=1)
    sim = simulate(loaded, images, backend="runtime", input_mode="frozen", frozen=spikes)
    np.testing.assert_array_equal(sim.output_counts, reference_counts(loaded, spikes).output)


def test_training_can_start_from_a_weights_file_of_its_network(data_dir, tmp_path):
    """--init: fine-tuning starts from the file's weights (an epoch at a vanishing rate leaves them), and a
    checkpoint resumes only from the same start; a file of another network is refused, naming what differs."""
    import dataclasses

    first = Trainer(small_config(data_dir, epochs=1), tmp_path / "a")
    first.run(log=lambda line: None)
    start = first.export(tmp_path / "start.npz")
    config = dataclasses.replace(small_config(data_dir, epochs=1), lr=1e-12, init=str(tmp_path / "start.npz"),
                                 init_md5="x")
    with pytest.raises(weights.WeightsError, match="changed since this training started"):
        Trainer(config, tmp_path / "b")
    from snn_mnist.digits.mnist import md5

    config = dataclasses.replace(config, init_md5=md5(tmp_path / "start.npz"))
    tuned = Trainer(config, tmp_path / "b")
    tuned.run(log=lambda line: None)
    after = tuned.export(tmp_path / "after.npz")
    np.testing.assert_allclose(after.w_input_hidden, start.w_input_hidden, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after.w_hidden_output, start.w_hidden_output, rtol=1e-5, atol=1e-6)
    assert after.provenance["started_from"]["md5"] == config.init_md5

    other = dataclasses.replace(config, model="if-lif", init_md5=None)
    with pytest.raises(weights.WeightsError, match="not a start for this training: topology"):
        Trainer(other, tmp_path / "c")
