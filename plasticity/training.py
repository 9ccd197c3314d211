"""Unsupervised training of a Diehl & Cook network, chunk by chunk, with checkpoints and resume.

The images are shown in a seeded order (a fresh permutation of the training images each
epoch), ``Simulator.n_slots`` presentations per chunk. After every chunk the learned state
(weights, thresholds, where in the order training stands, the input boost of the next
image) is written atomically to the checkpoint file; :func:`train` started again from that
checkpoint continues exactly where it stopped, with the same random numbers for the chunks
still to come (chunk ``k`` always draws from ``runner.seed_for(seed, k)``).

Epoch ``e``'s order depends on ``(seed, e)`` only, so the schedule of a run of ``k`` epochs
is the start of the schedule of a longer run: a finished checkpoint may be resumed with more
epochs than it was made for, and trains on through the same images. It is the same *model* as
training that long from the start, but not the same numbers: the shorter run's last chunk
stopped at the end of its schedule, where the longer run's chunk went on into the next epoch,
so from there the chunk boundaries (and the random numbers of each chunk) differ.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import load_npz, save_npz
from snn_mnist.weights import WeightsError

from .diehl_cook import DiehlCookParameters, initial_weights, normalise
from .runner import Simulator, seed_for


@dataclass(frozen=True)
class STDPConfig:
    """How an STDP run is set up (the surrogate-gradient trainer has its own, ``trainer.train.TrainConfig``)."""

    n_exc: int
    n_train: int
    epochs: int
    seed: int
    params: DiehlCookParameters

    def identity(self) -> dict:
        """What a checkpoint must match to be resumed under this configuration (``epochs`` may grow)."""
        return {"n_exc": self.n_exc, "n_train": self.n_train, "epochs": self.epochs, "seed": self.seed,
                "parameters": self.params.to_dict()}


@dataclass
class TrainState:
    weights: np.ndarray  # (784, n_exc)
    theta_mV: np.ndarray  # (n_exc,)
    position: int = 0  # images of the schedule done
    boost: int = 0  # input boost of the next image
    chunk: int = 0  # chunks run (numbers the random seeds)
    slots: int = 0  # presentations run, repeats included
    seconds: float = 0.0  # wall-clock time spent running chunks (compilation excluded)
    cpu_seconds: float = 0.0  # CPU time of the simulation in the chunks that measured it
    cpu_images: int = 0  # images done in those chunks

    @property
    def images_per_second(self) -> float:
        return self.position / self.seconds if self.seconds > 0 else float("nan")

    @property
    def images_per_cpu_second(self) -> float:
        return self.cpu_images / self.cpu_seconds if self.cpu_seconds > 0 else float("nan")


def initial_state(config: STDPConfig) -> TrainState:
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0xD1E4]))
    theta = np.full(config.n_exc, config.params.theta_offset_mV)  # the paper's theta starts at its offset
    return TrainState(weights=initial_weights(config.n_exc, config.params, rng), theta_mV=theta)


def schedule(config: STDPConfig) -> np.ndarray:
    """Image indices in the order they are shown: one permutation of ``range(n_train)`` per epoch."""
    return np.concatenate([
        np.random.default_rng(np.random.SeedSequence([config.seed, 0x5EED, epoch])).permutation(config.n_train)
        for epoch in range(config.epochs)
    ])


def checkpoint_path(out: str | Path, n_exc: int, directory: str | Path | None = None) -> Path:
    """Where ``snn-mnist stdp train --out OUT`` keeps its checkpoint: ``directory`` (default: OUT's name +
    ``.checkpoints``) / ``stdp_N.npz``."""
    out = Path(out)
    return Path(directory or out.with_name(out.stem + ".checkpoints")) / f"stdp_{n_exc}.npz"


def save_checkpoint(path: str | Path, config: STDPConfig, state: TrainState) -> None:
    scalars = {k: v for k, v in asdict(state).items() if k not in ("weights", "theta_mV")}
    save_npz(path, {"weights": state.weights, "theta_mV": state.theta_mV},
             {"config": config.identity(), "state": scalars}, compressed=False)


def load_checkpoint(path: str | Path, config: STDPConfig) -> TrainState:
    if not Path(path).is_file():
        raise WeightsError(f"no checkpoint to resume from at {path}")
    arrays, metadata = load_npz(path, ("weights", "theta_mV"), what="checkpoint", error=WeightsError)
    weights, theta = arrays["weights"], arrays["theta_mV"]
    saved = dict(metadata.get("config") or {})
    wanted = json.loads(json.dumps(config.identity()))
    saved_epochs = saved.pop("epochs", None)
    differs = sorted(k for k in wanted if k != "epochs" and saved.get(k) != wanted[k])
    if differs:
        raise WeightsError(f"{path} was made by another configuration (differs in {', '.join(differs)}); "
                           "use the same --neurons/--n-train/--seed/--set or another --checkpoint-dir")
    if not isinstance(saved_epochs, int) or saved_epochs > config.epochs:
        raise WeightsError(f"{path} was made for {saved_epochs} epochs; it can be resumed for as many or more, "
                           f"not {config.epochs}")
    if weights.shape != (784, config.n_exc) or theta.shape != (config.n_exc,):
        raise WeightsError(f"{path}: arrays do not fit {config.n_exc} neurons")
    return TrainState(weights=weights, theta_mV=theta, **metadata["state"])


def train(sim: Simulator, images: np.ndarray, config: STDPConfig, state: TrainState | None = None, *,
          checkpoint: str | Path | None = None, progress=None) -> TrainState:
    """Train until the schedule is done; ``progress(state, total)`` is called after each chunk."""
    order = schedule(config)
    state = state or initial_state(config)
    while state.position < len(order):
        chunk = images[order[state.position : state.position + sim.n_slots]]
        t0 = time.perf_counter()
        result = sim.run(chunk, state.weights, state.theta_mV, learning=True,
                         seed=seed_for(config.seed, state.chunk), boost=state.boost)
        state = TrainState(
            weights=result.weights,
            theta_mV=result.theta_mV,
            position=state.position + result.completed,
            boost=result.boost,
            chunk=state.chunk + 1,
            slots=state.slots + result.slots,
            seconds=state.seconds + time.perf_counter() - t0,
            cpu_seconds=state.cpu_seconds + result.cpu_seconds,
            cpu_images=state.cpu_images + result.completed,
        )
        if checkpoint is not None:
            save_checkpoint(checkpoint, config, state)
        if progress is not None:
            progress(state, len(order))
    return state


def final_weights(state: TrainState, params: DiehlCookParameters) -> np.ndarray:
    """The weights as the next image would see them: normalised."""
    return normalise(state.weights, params.w_total)
