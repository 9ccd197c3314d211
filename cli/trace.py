"""``snn-mnist trace``: membrane potentials of chosen neurons for one digit, under its spike raster."""

from __future__ import annotations

import argparse

from snn_mnist.cli import options
from snn_mnist.cli.options import add_network_options, digits, network_weights

LAYERS = ("hidden", "output")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("trace", help="plot membrane potentials and spikes of chosen neurons for one digit")
    add_network_options(p, backend_default="runtime")
    p.add_argument("--index", type=int, required=True, metavar="I", help="index of the digit in the data")
    p.add_argument("--neurons", nargs="+", default=["hidden:0,1,2", "output:all"], metavar="LAYER:WHICH",
                   help="neurons whose potential is recorded, e.g. hidden:0,1,2 output:all (the default)")
    p.add_argument("--out", required=True, metavar="FILE", help="image file to write (.png, .pdf, .svg)")
    options.writes(p, "out", "--out", options.FIGURE_FORMATS)
    p.set_defaults(run=run)


def parse_neurons(specs: list[str], sizes: dict[str, int]) -> dict[str, tuple[int, ...]]:
    """``["hidden:0,1,2", "output:all"]`` -> ``{"hidden": (0, 1, 2), "output": (0, ..., 9)}``."""
    from snn_mnist.cli.main import UserError

    chosen: dict[str, tuple[int, ...]] = {}
    for spec in specs:
        layer, _, which = spec.partition(":")
        if layer not in LAYERS or not which:
            raise UserError(f"--neurons {spec!r}: expected LAYER:all or LAYER:i,j,... with LAYER hidden or output")
        if which == "all":
            indices = tuple(range(sizes[layer]))
        else:
            try:
                indices = tuple(dict.fromkeys(int(i) for i in which.split(",")))
            except ValueError:
                raise UserError(f"--neurons {spec!r}: {which!r} is not a comma-separated list of indices") from None
            bad = [i for i in indices if not 0 <= i < sizes[layer]]
            if bad:
                raise UserError(f"--neurons {spec!r}: the {layer} layer has neurons 0..{sizes[layer] - 1}, not {bad[0]}")
        chosen[layer] = tuple(sorted(set(chosen.get(layer, ())) | set(indices)))
    return chosen


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout.figures import LayerTrace, trace_figure
    from snn_mnist.readout.spike_count import verdict

    weights, weights_file = network_weights(args)
    topology = weights.topology
    sizes = {"hidden": topology.n_hidden, "output": topology.n_outputs}
    neurons = parse_neurons(args.neurons, sizes)
    images, labels, data_source = digits(args, None, 0)
    if not 0 <= args.index < len(images):
        raise UserError(f"--index must lie in [0, {len(images) - 1}] for the {data_source}")
    images, labels = images[args.index : args.index + 1], labels[args.index : args.index + 1]

    result = simulate(weights, images, backend=args.backend, input_mode=args.input, seed=args.seed,
                      threads=args.threads, record_hidden=True, record_voltages=neurons)
    trains = {"hidden": result.hidden_spike_trains, "output": result.output_spike_trains}
    params = {"hidden": topology.hidden_neuron, "output": topology.output_neuron}
    layers = [
        LayerTrace(name=layer, params=params[layer], n_neurons=sizes[layer],
                   spike_times_ms=trains[layer][0], spike_indices=trains[layer][1], neurons=neurons[layer],
                   times_ms=result.voltages[layer][0], v_mV=result.voltages[layer][1],
                   reversal_mV=weights.synapse.reversal_potentials())
        for layer in LAYERS if layer in neurons
    ]
    counts = result.output_counts[0]
    predicted = verdict(result.output_counts[0], result.output_first_step[0])
    trace_figure(layers, args.out, title=f"{args.model} on {args.backend}, digit {args.index}: "
                                         f"label {labels[0]}, predicted {predicted}")
    print(f"digit {args.index} ({data_source}; weights {weights_file}): label {labels[0]}, predicted {predicted}, "
          f"output spike counts {counts.tolist()}")
    print(f"wrote {args.out}")
    return 0
