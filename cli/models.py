"""``snn-mnist models``: the bundled pretrained models, what they are and how well they classify."""

from __future__ import annotations

import argparse
import json

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("models", help="list the bundled pretrained models (names for --model)")
    p.add_argument("--json", nargs="?", const="-", default=None, metavar="FILE",
                   help="write the list as JSON to FILE (to standard output without FILE)")
    options.writes(p, "json", "--json")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.atomic_files import write_json
    from snn_mnist.weights import pretrained

    rows = [pretrained.describe(model) for model in pretrained.available()]
    if args.json == "-":
        print(json.dumps(rows, indent=2))
        return 0
    if args.json:
        write_json(args.json, rows)
        print(f"wrote {args.json}")
        return 0
    percent = lambda x: "–" if x is None else f"{100 * x:.2f}%"  # noqa: E731
    header = ("name", "topology", "synapse", "encoding", "steps x dt", "input", "energy", "Brian2 test accuracy",
              "at 0.1 ms", "trainer")
    table = [header] + [
        (r["name"], r["topology"], r["synapse"], r["encoding"], f"{r['steps']} x {r['dt_ms']:g} ms",
         f"<= {r['max_input_rate_hz']:g} Hz",
         "–" if r.get("energy_nJ_per_image") is None else f"{r['energy_nJ_per_image']:.1f} nJ",
         percent(r["test_accuracy"]), percent(r["test_accuracy_at_0.1ms"]),
         percent(r["test_accuracy_trainer"]))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print("Test accuracy and energy (synaptic events at 0.9 pJ): all 10,000 MNIST test digits, Brian2 cpp, input made "
          "inside the simulation, seed 0 (scripts/physiology.py); trainer: the trainer's own, at the end of training.")
    return 0
