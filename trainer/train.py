"""Surrogate-gradient training (BPTT, Adam, cross-entropy on output spike counts).

Poisson input is drawn on the fly for every batch; one ``seed`` fixes the initial weights,
the order of the training images and every Poisson draw. A checkpoint is written after each
epoch (atomically) and ``resume`` continues from it, reproducing the uninterrupted run.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.digits import mnist
from snn_mnist.encoding import PoissonCode, code_from_dict
from snn_mnist.neuron_models import SynapseParameters
from snn_mnist.neuron_models.topology import topology as topology_named
from snn_mnist.readout.spike_count import first_spike_steps, predict
from snn_mnist.weights import NetworkWeights, save

from .dynamics import DEFAULT_SLOPE
from .model import SPARSE_BELOW, SpikingMLP


@dataclass
class TrainConfig:
    model: str
    epochs: int = 20
    hidden: int = 256
    steps: int = 25
    dt_ms: float = 1.0
    max_rate_hz: float = PoissonCode.max_rate_hz  # the Poisson code's rate (without ``encoding``)
    batch_size: int = 128
    lr: float = 2e-3
    slope: float = DEFAULT_SLOPE
    seed: int = 0
    n_train: int | None = None  # first n training images (None: all 60,000)
    shift: int = 0  # augmentation: translate each training image by up to this many pixels
    synapse: dict = field(default_factory=lambda: {"kind": "delta"})  # neuron_models.synapse, as its to_dict()
    spike_penalty: float = 0.0  # added to the loss per hidden spike per image: trades accuracy for spikes
    count_scale: float = 1.0  # the loss's logits are the output spike counts times this: >1 asks for margins
                              # of a few spikes, not many spikes (networks that fire little)
    encoding: dict | None = None  # the input code (encoding.codes), as its to_dict(); None: Poisson at max_rate_hz
    data_dir: str | None = None
    init: str | None = None  # a weights file to start from (fine-tuning) instead of the seeded random weights
    init_md5: str | None = None  # its digest: a checkpoint resumes only from the same start


def cosine_factor(epoch: int, epochs: int) -> float:
    """The learning rate's factor at ``epoch`` of ``epochs``: cosine decay from 1 to 0."""
    return 0.5 * (1 + math.cos(math.pi * epoch / max(1, epochs)))


def random_shift(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each 28x28 image (batch, 784) by a random whole number of pixels, filling with 0."""
    n = len(images)
    padded = torch.nn.functional.pad(images.view(n, 28, 28), (max_shift,) * 4)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, n), generator=generator)
    rows = (torch.arange(28)[None, :] + dy[:, None])[:, :, None]
    cols = (torch.arange(28)[None, :] + dx[:, None])[:, None, :]
    return padded[torch.arange(n)[:, None, None], rows, cols].reshape(n, 784)


def latency_batch(images: torch.Tensor, code, steps: int, dt_ms: float) -> torch.Tensor:
    """The latency code's spikes (steps, batch, pixels) for uint8 images (batch, pixels), as a sparse tensor:
    one spike per pixel at most, in the step ``encoding.latency`` computes (what Brian2 is given too)."""
    when = torch.from_numpy(code.spike_steps(images.numpy(), dt_ms))
    image, pixel = ((when >= 0) & (when < steps)).nonzero(as_tuple=True)
    indices = torch.stack([when[image, pixel], image, pixel])
    return torch.sparse_coo_tensor(indices, torch.ones(len(image)), (steps, *images.shape),
                                   check_invariants=False).coalesce()


def poisson_batch(images: torch.Tensor, p_max: float, steps: int, generator: torch.Generator) -> torch.Tensor:
    """Bernoulli spikes (steps, batch, pixels) for uint8 images (batch, pixels), drawn for the pixels that
    have ink only (a fifth of MNIST's): a black pixel never spikes. A sparse tensor when fewer than
    ``SPARSE_BELOW`` of the entries are expected to spike (physiological rates), else a dense one."""
    p = images.float() * (p_max / 255.0)
    image, pixel = p.nonzero(as_tuple=True)
    fired = torch.rand((steps, len(image)), generator=generator) < p[image, pixel]
    if p.mean() >= SPARSE_BELOW:
        spikes = torch.zeros((steps, *p.shape))
        spikes[:, image, pixel] = fired.float()
        return spikes
    step, which = fired.nonzero(as_tuple=True)
    indices = torch.stack([step, image[which], pixel[which]])
    return torch.sparse_coo_tensor(indices, torch.ones(len(step)), (steps, *p.shape), is_coalesced=True,
                                   check_invariants=False)


def _correct(output: torch.Tensor, labels: torch.Tensor) -> int:
    """Images classified correctly by Brian2's readout (most spikes, ties to the first spike), from
    output spikes (steps, batch, outputs)."""
    spikes = output.detach().cpu().numpy()
    predictions = predict(spikes.sum(0), first_spike_steps(spikes))
    return int((predictions == labels.cpu().numpy()).sum())


def initial_weights(config: TrainConfig, topo) -> NetworkWeights:
    """The weights file ``config.init`` names, checked against the network ``config`` trains (shape, neuron
    models and parameters, synapse, step and input code) and against its digest."""
    from snn_mnist.weights import WeightsError, load

    weights = load(config.init)
    if config.init_md5 is not None and mnist.md5(Path(config.init)) != config.init_md5:
        raise WeightsError(f"--init {config.init}: the file changed since this training started")
    code = code_from_dict(config.encoding) if config.encoding else PoissonCode(config.max_rate_hz)
    wanted = {"topology": topo, "synapse": SynapseParameters.from_dict(config.synapse).to_dict(),
              "steps": config.steps, "dt_ms": config.dt_ms, "encoding": code.to_dict()}
    found = {"topology": weights.topology, "synapse": weights.synapse.to_dict(), "steps": weights.steps,
             "dt_ms": weights.dt_ms, "encoding": weights.encoding.to_dict()}
    differ = [k for k in wanted if wanted[k] != found[k]]
    if differ or weights.bias_hidden is not None or weights.bias_output is not None:
        what = ", ".join(f"{k} {found[k]} (training {wanted[k]})" for k in differ) or "biases, which the trainer has not"
        raise WeightsError(f"--init {config.init}: not a start for this training: {what}")
    return weights


class CheckpointError(ValueError):
    """A checkpoint that cannot be resumed, in one line that names it."""


CHECKPOINT_KEYS = ("config", "epoch", "model", "optimizer", "schedule", "generator", "history")


class Trainer:
    def __init__(self, config: TrainConfig, checkpoint_dir: str | Path):
        self.config = config
        self.checkpoint_dir = Path(checkpoint_dir)
        self.code = code_from_dict(config.encoding) if config.encoding else PoissonCode(config.max_rate_hz)
        self.code.check(config.dt_ms, config.steps * config.dt_ms)
        self.p_max = self.code.max_rate_hz * config.dt_ms / 1000.0 if isinstance(self.code, PoissonCode) else None
        topo = topology_named(config.model).with_hidden(config.hidden)
        self.model = SpikingMLP(topo, config.dt_ms, config.steps, config.slope,
                                SynapseParameters.from_dict(config.synapse))
        self.generator = torch.Generator().manual_seed(config.seed)
        self.model.reset_parameters(self.generator)
        if config.init is not None:
            self.model.load_weights(initial_weights(config, topo))
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self.lr_factor)
        self.epoch = 0
        self.history: list[dict] = []
        train_x, train_y = mnist.load("train", config.data_dir)
        test_x, test_y = mnist.load("test", config.data_dir)
        if config.n_train is not None:
            train_x, train_y = train_x[: config.n_train], train_y[: config.n_train]
        self.train_x, self.train_y = torch.from_numpy(train_x.copy()), torch.from_numpy(train_y.astype(np.int64))
        self.test_x, self.test_y = torch.from_numpy(test_x.copy()), torch.from_numpy(test_y.astype(np.int64))

    def lr_factor(self, epoch: int) -> float:
        """Cosine decay of the learning rate over ``config.epochs`` epochs."""
        return cosine_factor(epoch, self.config.epochs)

    # --- checkpoints --------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.checkpoint_dir / "checkpoint.pt"

    def save_checkpoint(self) -> None:
        state = {
            "config": asdict(self.config),
            "epoch": self.epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "schedule": self.schedule.state_dict(),
            "generator": self.generator.get_state(),
            "history": self.history,
        }
        with atomic_path(self.checkpoint_path) as tmp:
            torch.save(state, tmp)

    def resume(self) -> None:
        """Continue from the checkpoint, validated first: a file that is truncated, not ours, made with other
        settings, or holding non-finite weights raises :class:`CheckpointError` naming it."""
        path = self.checkpoint_path
        if not path.is_file():
            raise FileNotFoundError(f"no checkpoint to resume from at {path}")
        try:
            state = torch.load(path, weights_only=True)  # tensors and plain data only: no code from a file
        except Exception as exc:  # truncated, not a torch file, or a pickle of anything else
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CheckpointError(f"checkpoint {path}: unreadable ({reason})") from None
        missing = [k for k in CHECKPOINT_KEYS if not isinstance(state, dict) or k not in state]
        if missing:
            raise CheckpointError(f"checkpoint {path}: not a checkpoint of snn-mnist train "
                                  f"(missing {', '.join(missing)})")
        bad = [name for name, value in state["model"].items()
               if not isinstance(value, torch.Tensor) or not torch.isfinite(value).all()]
        if bad:
            raise CheckpointError(f"checkpoint {path}: {', '.join(bad)} hold NaN or infinite values; "
                                  "resume from an earlier copy or start afresh")
        if not (isinstance(state["epoch"], int) and 0 <= state["epoch"] == len(state["history"])):
            raise CheckpointError(f"checkpoint {path}: its epoch ({state['epoch']!r}) and history disagree")
        # settings checkpoints from before them did not write: delta synapses, no spike penalty, Poisson
        older = {"synapse": {"kind": "delta"}, "spike_penalty": 0.0, "encoding": None, "count_scale": 1.0, "init": None,
                 "init_md5": None}
        saved = older | {k: v for k, v in state["config"].items() if k not in ("epochs", "data_dir")}
        mine = {k: v for k, v in asdict(self.config).items() if k not in ("epochs", "data_dir")}
        if saved != mine:
            diff = ", ".join(f"{k}: {saved[k]} != {mine[k]}" for k in saved if saved[k] != mine.get(k))
            raise CheckpointError(f"checkpoint {path} was made with other settings ({diff})")
        try:
            self.model.load_state_dict(state["model"])
            self.optimizer.load_state_dict(state["optimizer"])
            self.schedule.load_state_dict(state["schedule"])
            self.generator.set_state(state["generator"])
        except (RuntimeError, ValueError, KeyError, TypeError) as exc:
            reason = str(exc).strip().splitlines()[0]
            raise CheckpointError(f"checkpoint {path}: does not fit this network ({reason})") from None
        self.epoch, self.history = state["epoch"], state["history"]
        # the schedule follows this run's --epochs, which may extend the checkpoint's
        for group, base_lr in zip(self.optimizer.param_groups, self.schedule.base_lrs):
            group["lr"] = base_lr * self.lr_factor(self.epoch)

    # --- epochs -------------------------------------------------------------------------
    def _batches(self, x: torch.Tensor, y: torch.Tensor, train: bool):
        order = torch.randperm(len(x), generator=self.generator) if train else torch.arange(len(x))
        for start in range(0, len(x), self.config.batch_size):
            idx = order[start : start + self.config.batch_size]
            images = x[idx]
            if train and self.config.shift:
                images = random_shift(images, self.config.shift, self.generator)
            if self.p_max is None:
                yield latency_batch(images, self.code, self.config.steps, self.config.dt_ms), y[idx]
            else:
                yield poisson_batch(images, self.p_max, self.config.steps, self.generator), y[idx]

    def train_epoch(self, progress=None) -> tuple[float, float, float]:
        """One pass over the training images: mean loss, accuracy and hidden spikes per image. The loss is
        the cross-entropy of the output spike counts plus ``spike_penalty`` times the hidden spikes per
        image (the batch's mean)."""
        self.model.train()
        total_loss, correct, seen, hidden_spikes = 0.0, 0, 0, 0.0
        for spikes, labels in self._batches(self.train_x, self.train_y, train=True):
            output, hidden = self.model(spikes)
            per_image = hidden.sum((0, 2))
            loss = F.cross_entropy(output.sum(0) * self.config.count_scale, labels)
            if self.config.spike_penalty:
                loss = loss + self.config.spike_penalty * per_image.mean()
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total_loss += loss.item() * len(labels)
            correct += _correct(output, labels)
            hidden_spikes += per_image.sum().item()
            seen += len(labels)
            if progress is not None:
                progress(len(labels), loss.item(), per_image.mean().item())
        return total_loss / seen, correct / seen, hidden_spikes / seen

    @torch.no_grad()
    def evaluate(self) -> tuple[float, float, float]:
        """Mean loss (cross-entropy, no penalty), accuracy and hidden spikes per image on the test images."""
        self.model.eval()
        total_loss, correct, hidden_spikes = 0.0, 0, 0.0
        for spikes, labels in self._batches(self.test_x, self.test_y, train=False):
            output, hidden = self.model(spikes)
            total_loss += F.cross_entropy(output.sum(0) * self.config.count_scale, labels, reduction="sum").item()
            correct += _correct(output, labels)
            hidden_spikes += hidden.sum().item()
        n = len(self.test_x)
        return total_loss / n, correct / n, hidden_spikes / n

    def run(self, log=print, progress_factory=None) -> list[dict]:
        """Train until ``config.epochs``; checkpoint, log and plot after every epoch."""
        while self.epoch < self.config.epochs:
            t0 = time.perf_counter()
            bar = progress_factory(len(self.train_x), self.epoch + 1) if progress_factory else None
            train_loss, train_acc, train_spikes = self.train_epoch(bar.update_batch if bar else None)
            if bar:
                bar.close()
            train_seconds = time.perf_counter() - t0
            test_loss, test_acc, test_spikes = self.evaluate()
            self.schedule.step()
            self.epoch += 1
            self.history.append(
                {
                    "epoch": self.epoch,
                    "train_loss": train_loss,
                    "train_accuracy": train_acc,
                    "test_loss": test_loss,
                    "test_accuracy": test_acc,
                    "train_hidden_spikes_per_image": train_spikes,
                    "test_hidden_spikes_per_image": test_spikes,
                    "train_seconds": train_seconds,
                    "lr": self.optimizer.param_groups[0]["lr"],
                }
            )
            self.save_checkpoint()
            write_json(self.checkpoint_dir / "history.json", self.history)
            plot_history(self.history, self.checkpoint_dir / "curves.png", self.config.model)
            log(
                f"epoch {self.epoch}/{self.config.epochs}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
                f"test loss {test_loss:.4f} acc {test_acc:.4f} | hidden spikes per image {test_spikes:.1f} | "
                f"{train_seconds:.1f} s"
            )
        return self.history

    def weights(self) -> NetworkWeights:
        last = self.history[-1] if self.history else {}
        penalty = self.config.spike_penalty
        provenance = {
            "trainer": "snn-mnist surrogate-gradient BPTT (trainer/)",
            "surrogate": {"kind": "fast_sigmoid", "slope": self.config.slope,
                          "argument": "(v - v_th) / (v_th - v_rest)"},
            "loss": "cross-entropy on output spike counts"
                    + (f" x {self.config.count_scale:g}" if self.config.count_scale != 1 else "")
                    + (f" + {penalty:g} x hidden spikes per image" if penalty else ""),
            "synapse": self.config.synapse,
            "optimizer": {"kind": "Adam", "lr": self.config.lr, "schedule": "cosine",
                          "batch_size": self.config.batch_size},
            "seed": self.config.seed,
            **({"started_from": {"weights": self.config.init, "md5": self.config.init_md5}} if self.config.init else {}),
            "augmentation": {"random_shift_pixels": self.config.shift},
            "epochs": self.epoch,
            "n_train": len(self.train_x),
            "train_data_md5": mnist.checksum("train"),
            "test_accuracy_trainer": last.get("test_accuracy"),
            "train_accuracy_trainer": last.get("train_accuracy"),
            "test_hidden_spikes_per_image_trainer": last.get("test_hidden_spikes_per_image"),
            "torch": torch.__version__,
        }
        return self.model.to_weights(self.code, provenance)

    def export(self, path: str | Path) -> NetworkWeights:
        weights = self.weights()
        save(weights, path)
        return weights


def plot_history(history: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.2))
    for split in ("train", "test"):
        ax_loss.plot(epochs, [h[f"{split}_loss"] for h in history], marker="o", label=split)
        ax_acc.plot(epochs, [100 * h[f"{split}_accuracy"] for h in history], marker="o", label=split)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title=f"{title}: loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title=f"{title}: accuracy (trainer, Poisson input)")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120)
    plt.close(fig)


def load_history(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text())
