"""``snn-mnist simulate``: classify digits with a Brian2 network and report accuracy and speed."""

from __future__ import annotations

import argparse
import sys

from snn_mnist.cli import options
from snn_mnist.cli.options import add_network_options, digits, network_weights


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("simulate", help="classify digits with a spiking network and report accuracy")
    add_network_options(p, backend_default="cpp")
    options.digit_range(p)
    options.json_out(p)
    p.add_argument("--confusion", metavar="FILE", default=None, help="draw the confusion matrix into this image file")
    options.writes(p, "confusion", "--confusion", options.FIGURE_FORMATS)
    from snn_mnist.cli.sweep import workers

    workers(p)
    p.add_argument("--build-only", action="store_true",
                   help="generate and compile the network (cpp or cuda) without running it, e.g. cuda without a GPU")
    p.add_argument("--compute-capability", metavar="X.Y", default=None,
                   help="cuda: the GPU generation to compile for (default: the GPU's own; 9.0 with --build-only)")
    p.set_defaults(run=run)


def _progress(backend: str, n_images: int):
    """A progress display on an interactive terminal: a tqdm bar for runtime, Brian2's report otherwise."""
    if not sys.stderr.isatty():
        return None, lambda: None
    if backend != "runtime":
        return (lambda fraction: None), lambda: None  # the compiled binary prints Brian2's text report
    from tqdm import tqdm

    bar = tqdm(total=n_images, unit="img", desc="simulating", file=sys.stderr)
    return (lambda fraction: bar.update(round(fraction * n_images) - bar.n)), bar.close


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.cli.sweep import check_workers

    check_workers(args)
    if (args.workers is not None or args.scheduler) and (args.backend != "cpp" or args.input != "poisson" or args.threads):
        raise UserError("--workers and --scheduler run the cpp backend, input made inside the simulation "
                        "(--input poisson) and no OpenMP threads")
    weights, weights_file = network_weights(args)
    images, labels, data_source = digits(args, args.n, args.start)
    if args.build_only or args.compute_capability is not None:
        return build_only(args, weights, weights_file, images)

    from snn_mnist.atomic_files import write_json
    from snn_mnist.networks.simulation import simulate
    from snn_mnist.readout import energy, figures, metrics
    from snn_mnist.readout.spike_count import predict, tally

    n = len(images)
    print(f"data: {data_source}, digits {args.start}..{args.start + n - 1}")
    print(f"weights: {weights_file}")
    print(f"{args.model} ({weights.topology.n_inputs}-{weights.topology.n_hidden}-{weights.topology.n_outputs}, "
          f"{weights.synapse.kind} synapses) on {args.backend}: {n} digits x {weights.steps} steps of "
          f"{weights.dt_ms:g} ms, "
          f"{args.input} input, seed {args.seed}", flush=True)

    if args.workers is not None or args.scheduler:
        result, blocks = split(args, weights, images)
    else:
        progress, close = _progress(args.backend, n)
        try:
            result = simulate(weights, images, backend=args.backend, input_mode=args.input, seed=args.seed,
                              threads=args.threads, progress=progress, track_potentials=True)
        finally:
            close()
        blocks = 1

    predictions = predict(result.output_counts, result.output_first_step)
    readout = tally(result.output_counts, result.output_first_step)
    accuracy = metrics.accuracy(predictions, labels)
    confusion = metrics.confusion(predictions, labels, weights.topology.n_outputs)
    images_per_second = n / result.run_seconds if result.run_seconds > 0 else float("inf")
    print(f"accuracy {accuracy:.4f} ({int((predictions == labels).sum())}/{n}); ties in spike count "
          f"{readout['ties']} ({readout['ties_broken_by_first_spike']} broken by the first spike, "
          f"{readout['ties_undecided']} undecided), {readout['silent']} without an output spike (counted as errors)")
    for layer, p in result.physiology.items():
        print(f"{layer}: potentials {p['v_min_mV']:.1f} to {p['v_max_mV']:.1f} mV, "
              f"{p['mean_rate_hz']:.1f} Hz per neuron")
    cost = energy.snn_cost(weights, result.synaptic_events, n)
    print(f"per digit: {cost.total_events:,.0f} synaptic events (spikes delivered through synapses), "
          f"neuron updates {cost.neuron_updates.multiplies:,.0f} multiplies and {cost.neuron_updates.adds:,.0f} adds"
          + (f" (and {cost.neuron_updates.expm1:,.0f} expm1)" if cost.neuron_updates.expm1 else "")
          + f"; {cost.energy_nJ:,.1f} nJ ({cost.energy_with_updates_nJ:,.1f} nJ with the updates; 0.9 pJ an event "
          "or add, 3.7 pJ a multiply)")
    print(f"build {result.build_seconds:.1f} s, run {result.run_seconds:.2f} s ({images_per_second:.0f} digits/s)")

    if args.confusion:
        figures.confusion_figure(confusion, args.confusion,
                               title=f"{args.model} on {args.backend}: accuracy {accuracy:.4f} ({n} digits)")
        print(f"wrote {args.confusion}")
    if args.json:
        write_json(args.json, {
            "model": args.model,
            "backend": args.backend,
            "n_images": n,
            "start": args.start,
            "steps": weights.steps,
            "dt_ms": weights.dt_ms,
            "presentation_ms": weights.duration_ms,
            "max_input_rate_hz": weights.max_rate_hz,
            "encoding": weights.encoding.to_dict(),
            "synapse": weights.synapse.kind,
            "synapse_parameters": weights.synapse.to_dict(),
            "n_hidden": weights.topology.n_hidden,
            "accuracy": accuracy,
            **readout,
            "predictions": predictions.tolist(),
            "labels": labels.tolist(),
            "confusion": confusion.tolist(),
            **result.physiology,  # "hidden", "output": v_min_mV, v_max_mV, mean_rate_hz
            **cost.to_json(),  # synaptic events (total and per pathway), neuron updates, energy
            "build_seconds": result.build_seconds,
            "run_seconds": result.run_seconds,
            "images_per_second": images_per_second,
            "threads": args.threads,
            "blocks": blocks,
            "seed": args.seed,
            "input": args.input,
            "weights": weights_file,
            "data": data_source,
        })
        print(f"wrote {args.json}")
    return 0


def split(args: argparse.Namespace, weights, images):
    """--workers / --scheduler: the digits in one block a worker, each compiled and run on a Dask worker."""
    from snn_mnist.cli.sweep import cluster
    from snn_mnist.sweep import run as runner

    with cluster(args) as client:
        blocks = min(len(images), len(client.scheduler_info()["workers"]))
        print(f"{blocks} blocks of digits on {blocks} Dask workers, block k's input drawn from a seed derived from "
              f"({args.seed}, k)", flush=True)
        return runner.simulate_split(weights, images, seed=args.seed, client=client, blocks=blocks), blocks


def build_only(args: argparse.Namespace, weights, weights_file: str, images) -> int:
    """--build-only (and --compute-capability): compile the network for these digits, run nothing."""
    from snn_mnist.atomic_files import write_json
    from snn_mnist.backends import cuda
    from snn_mnist.cli.main import UserError
    from snn_mnist.networks.simulation import compile_only

    capability = None
    if args.compute_capability is not None:
        if args.backend != "cuda":
            raise UserError("--compute-capability applies to --backend cuda only")
        if not args.build_only:
            raise UserError("--compute-capability goes with --build-only; a run compiles for the GPU it runs on")
        try:
            capability = cuda.parse_compute_capability(args.compute_capability)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    if args.backend == "cuda" and capability is None:
        capability = cuda.DEFAULT_COMPUTE_CAPABILITY
    build_seconds = compile_only(weights, images, backend=args.backend, input_mode=args.input, seed=args.seed,
                                 threads=args.threads, compute_capability=capability)
    target = f" for compute capability {capability:.1f}" if capability is not None else ""
    print(f"built {args.model} for {len(images)} digits on {args.backend}{target} in {build_seconds:.1f} s; not run")
    if args.json:
        write_json(args.json, {"model": args.model, "backend": args.backend, "n_images": len(images),
                               "steps": weights.steps, "build_only": True, "build_seconds": build_seconds,
                               "compute_capability": capability, "weights": weights_file})
        print(f"wrote {args.json}")
    return 0
