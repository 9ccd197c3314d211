"""``snn-mnist export``: write a network as a NIR graph (``weights.nir_io``) for other SNN tools."""

from __future__ import annotations

import argparse
from pathlib import Path

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("export", help="write a network as a NIR graph (needs the 'nir' extra)")
    options.model(p, required=True)
    options.weights(p)
    p.add_argument("out", metavar="OUT.nir", help="NIR file to write")
    options.writes(p, "out", "OUT.nir", (".nir",))
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.weights import nir_io
    from snn_mnist.weights.pretrained import resolve

    out = Path(args.out)  # a .nir file that can be written (checked before the command runs)
    weights, source = resolve(args.model, args.weights, args.nir_convention)
    nir_io.write(weights, out)
    t = weights.topology
    refractory = sorted({p.tau_ref_ms for p in (t.hidden_neuron, t.output_neuron)})
    note = ""
    if any(refractory):
        note = (f"; the refractory period ({'/'.join(f'{r:g}' for r in refractory)} ms) is kept only in the "
                "file's metadata: NIR has none, other tools will run without it")
    print(f"wrote {out}: {t.name} {t.n_inputs}-{t.n_hidden}-{t.n_outputs} from {source}, "
          f"{weights.synapse.kind} synapses, time in s, voltage in mV from rest, dt {weights.dt_ms:g} ms{note}")
    return 0
