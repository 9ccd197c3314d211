"""``snn-mnist train``: surrogate-gradient training of one topology, exported as a weights file."""

from __future__ import annotations

import argparse
from pathlib import Path

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a topology with surrogate gradients (needs the 'train' extra)")
    options.model(p, required=True, topology_only=True)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--dt", type=float, default=1.0, help="time step in ms (default 1)")
    options.encoding(p, default="poisson")
    options.synapse(p)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    options.seed(p, help="seed of the initial weights, the image order and every Poisson draw (default 0)")
    p.add_argument("--shift", type=int, default=0, help="augment: translate training images by up to N pixels")
    p.add_argument("--count-scale", type=float, default=1.0, metavar="B",
                   help="the loss's logits are the output spike counts times B: above 1 it asks for a margin of a few "
                        "spikes rather than many spikes, for networks that fire little (default 1)")
    p.add_argument("--spike-penalty", type=float, default=0.0, metavar="L",
                   help="add L times the hidden spikes per image to the loss: fewer spikes for some accuracy "
                        "(default 0)")
    p.add_argument("--n-train", type=int, default=None, help="use only the first N training images")
    p.add_argument("--init", metavar="FILE", default=None,
                   help="start from these weights (.npz of this network: fine-tuning) instead of seeded random ones")
    options.reads(p, "init", "--init")
    options.threads(p, help="PyTorch CPU threads (0: PyTorch's default)")
    options.data_dir(p, help="MNIST directory (default: $SNN_MNIST_DATA)")
    p.add_argument("--checkpoint-dir", default=None, help="default: OUT's name + '.checkpoints'")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir")
    p.add_argument("--out", required=True, help="weights file to write (.npz)")
    options.writes(p, "out", "--out", (".npz",))
    options.writes(p, "checkpoint_dir", "--checkpoint-dir", directory=True)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.weights.format import MAX_STEPS

    options.within(args, {"epochs": (1, 10_000), "hidden": (1, 10_000), "steps": (1, MAX_STEPS),
                          "batch_size": (1, 60_000), "n_train": (1, 60_000), "shift": (0, 27),
                          "lr": (1e-12, 10), "dt": (0.001, 10), "spike_penalty": (0, 1),
                          "count_scale": (0.01, 100)})
    code = options.input_code(args)
    try:
        import torch
    except ImportError:
        raise UserError("training needs PyTorch: pip install 'snn-mnist[train]'") from None
    from tqdm import tqdm

    from snn_mnist.digits.mnist import md5
    from snn_mnist.trainer.train import TrainConfig, Trainer

    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    checkpoint_dir = Path(args.checkpoint_dir or out.with_name(out.stem + ".checkpoints"))
    config = TrainConfig(
        model=args.model, epochs=args.epochs, hidden=args.hidden, steps=args.steps, dt_ms=args.dt,
        **({"max_rate_hz": code.max_rate_hz} if code.kind == "poisson" else {"encoding": code.to_dict()}),
        batch_size=args.batch_size, lr=args.lr, seed=args.seed,
        n_train=args.n_train, shift=args.shift, spike_penalty=args.spike_penalty, count_scale=args.count_scale,
        data_dir=args.data_dir,
        synapse=options.synapse_model(args).to_dict(),
        init=args.init, init_md5=None if args.init is None else md5(Path(args.init)),
    )
    try:
        trainer = Trainer(config, checkpoint_dir)
        if args.resume:
            trainer.resume()
    except ValueError as exc:
        raise UserError(str(exc)) from None

    class Bar:
        def __init__(self, total: int, epoch: int):
            self.bar = tqdm(total=total, desc=f"epoch {epoch}/{config.epochs}", unit="img", leave=False)

        def update_batch(self, n: int, loss: float, hidden_spikes: float) -> None:
            self.bar.update(n)
            self.bar.set_postfix(loss=f"{loss:.3f}", hidden_spikes=f"{hidden_spikes:.0f}")

        def close(self) -> None:
            self.bar.close()

    trainer.run(log=lambda line: tqdm.write(line), progress_factory=Bar)
    weights = trainer.export(out)
    print(f"wrote {out} (trainer test accuracy {weights.provenance['test_accuracy_trainer']:.4f}); "
          f"checkpoints and curves in {checkpoint_dir}")
    return 0
