"""Images per second of the Brian2 backends on the same MNIST test images (issue 2's benchmark).

    SNN_MNIST_DATA=/path/to/mnist nice -n 15 python scripts/benchmark.py [--n 1000] [--repeats 5]

Simulates the first ``--n`` test images at 25 steps with Poisson input through 784-256-10
lif-lif on the runtime backend, on C++ standalone with one thread and with OpenMP threads 2,
and writes ``results/benchmarks.md`` and ``results/benchmarks.json``.

Time is split as the backends see it: *build* is code generation plus compilation (once per
network), *run* the simulation. A compiled binary runs once, then ``--repeats`` more times
timed in wall and CPU seconds, the best counted: on a shared machine wall time measures the
other jobs too, CPU time much less. The binary's run is split further into Brian2's own timing
of the simulation loop and the fixed cost around it (process start, loading weights and
stimulus, creating synapses, writing spikes), and a profiled build (Brian2's ``profile=True``)
attributes the loop time to its code objects.

``--command`` measures instead what a user gets (``results/benchmark_command.md``, ``.json``): the
``snn-mnist simulate`` command itself on 10,000 digits, with one worker and with ``--workers 2``
(its own report of images per second, compilation excluded), against the same networks stepped
densely in PyTorch on the same cores in the same run: snnTorch's ``Leaky`` for the delta LIF-LIF
(batched, float32, Bernoulli input), and the trainer's own PyTorch model (float32, batched, its fast
path) for the physiological and latency-coded networks, for which snnTorch has no neuron.

Weights: the pretrained ``lif-lif`` if present, else seeded random weights (NOT trained; the
output says so) whose scale gives spike counts like a trained network's. The cost is set by
the spike traffic, mostly input spikes x 256 synapses, so accuracy plays no part in speed.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

# importing brian2 imports setuptools' MSVC helper, which warns on every import (pypa/distutils#340)
warnings.filterwarnings("ignore", message="_get_vc_env is private", category=UserWarning)

from snn_mnist import backends
from snn_mnist.atomic_files import atomic_path, write_json
from snn_mnist.digits import mnist
from snn_mnist.networks.builder import build_network, counts_per_image
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.metrics import accuracy
from snn_mnist.readout.spike_count import predict
from snn_mnist.weights import NetworkWeights, WeightsError, pretrained
from snn_mnist.weights import load as load_weights

ROOT = Path(__file__).resolve().parents[1]

MODEL = "lif-lif"
RANDOM_SEED = 0
RANDOM_SCALE_MV = {"w_input_hidden": 0.8, "w_hidden_output": 2.0}  # std of zero-mean normal weights


def random_weights(steps: int) -> NetworkWeights:
    """Seeded random weights, labelled as such: ~1.7 spikes per hidden neuron and image."""
    rng = np.random.default_rng(RANDOM_SEED)
    topology = TOPOLOGIES[MODEL]
    return NetworkWeights(
        topology=topology,
        w_input_hidden=rng.normal(0, RANDOM_SCALE_MV["w_input_hidden"], (784, topology.n_hidden)).astype(np.float32),
        w_hidden_output=rng.normal(0, RANDOM_SCALE_MV["w_hidden_output"], (topology.n_hidden, 10)).astype(np.float32),
        steps=steps,
        provenance={"note": "NOT TRAINED: seeded random weights for benchmarking", "seed": RANDOM_SEED,
                    "std_mV": RANDOM_SCALE_MV},
    )


def choose_weights(path: str | None, steps: int) -> tuple[NetworkWeights, str]:
    import dataclasses

    if path:
        return dataclasses.replace(load_weights(path), steps=steps), f"weights file {path}"
    if pretrained.path(MODEL).is_file():
        return dataclasses.replace(pretrained.load(MODEL), steps=steps), f"pretrained {MODEL} ({pretrained.path(MODEL)})"
    return random_weights(steps), (
        f"seeded random weights, NOT trained (no pretrained {MODEL} yet): zero-mean normal, std "
        f"{RANDOM_SCALE_MV['w_input_hidden']} mV input->hidden and {RANDOM_SCALE_MV['w_hidden_output']} mV "
        f"hidden->output, seed {RANDOM_SEED}"
    )


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(weights, images, backend: str, *, threads: int = 0, seed: int = 0, repeats: int = 1,
            profile: bool = False) -> dict:
    """Build once and run; a compiled binary is run ``repeats`` more times, timed in wall and CPU seconds."""
    from brian2 import device, get_device, second
    from brian2 import seed as brian_seed

    with backends.activate(backend, threads=threads) as runner:
        if profile:
            get_device().build_options["profile"] = True
        brian_seed(seed)
        net = build_network(weights, dt_ms=weights.dt_ms, images=images, record_hidden=profile, record_input=profile)
        if backend == "runtime":
            t0 = time.perf_counter()
            net.network.run(0 * second)  # generates the code objects: runtime's build
            build_seconds, compile_seconds = time.perf_counter() - t0, None
            cpu0 = time.process_time()
            runs = [runner.run(net.network, net.duration).run_seconds]
            cpus, loops, binary = [time.process_time() - cpu0], [], []
        else:
            timings = runner.run(net.network, net.duration)  # build, then a first run
            build_seconds, compile_seconds = timings.build_seconds, device.timers["compile"]["make"]
            runs, cpus, loops, binary = [], [], [], []
            for _ in range(repeats):
                cpu0, t0 = _children_cpu_seconds(), time.perf_counter()
                device.run(directory=str(runner.directory), with_output=False)
                runs.append(time.perf_counter() - t0)
                cpus.append(_children_cpu_seconds() - cpu0)
                loops.append(device._last_run_time)
                binary.append(device.timers["run_binary"])
        count = lambda mon, n: counts_per_image(mon, n, len(images), weights.steps, weights.dt_ms)  # noqa: E731
        result = {
            "backend": backend,
            "threads": threads,
            "build_seconds": build_seconds,
            "compile_seconds": compile_seconds,
            "run_seconds_all": runs,
            "run_seconds": min(runs),
            "cpu_seconds": min(cpus),
            # Brian2 times its loop in CPU seconds with one thread, in wall seconds with OpenMP
            "loop_seconds": min(loops) if loops else None,
            # the binary's process alone; the rest of the run is Brian2 reading and checking results
            "binary_wall_seconds": min(binary) if binary else None,
            "images_per_second": len(images) / min(runs),
            "images_per_cpu_second": len(images) / min(cpus),
            "output_counts": count(net.output_spikes, 10),
            "output_first_step": net.first_spikes(),
        }
        if profile:
            result["profile"] = [(name, float(t)) for name, t in device.network_get_profiling_info(net.network)]
            result["hidden_counts"] = count(net.hidden_spikes, weights.topology.n_hidden)
            result["input_counts"] = count(net.input_spikes, weights.topology.n_inputs)
    return result


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    try:
        compiler = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        compiler = "unknown"
    import brian2

    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "brian2": brian2.__version__,
        "compiler": compiler,
        "nice": os.nice(0),
    }


def _label(run: dict) -> str:
    return run["backend"] + (f" ({run['threads']} threads)" if run["threads"] else "")


def markdown(report: dict) -> str:
    m, rows = report["machine"], report["runs"]
    lines = [
        "# Benchmarks: images per second of the Brian2 backends",
        "",
        f"784-{report['n_hidden']}-10 {MODEL}, MNIST test images {report['start']}..{report['start'] + report['n_images'] - 1} "
        f"({report['n_images']} images), {report['steps']} steps of {report['dt_ms']:g} ms, Poisson input "
        f"(seed {report['seed']}). Weights: {report['weights']}.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores; {m['platform']}; Python {m['python']}, Brian2 {m['brian2']}, "
        f"{m['compiler']}. Run under nice {m['nice']} on {report['date']}; load average "
        f"{report['load_before'][0]:.1f} before, {report['load_after'][0]:.1f} after: the machine is shared, "
        "so wall times depend on what else runs; CPU times much less.",
        "",
        "| backend | OpenMP threads | build (s) | of which compile (s) | run, wall (s) | images/s (wall) | "
        "run, CPU (s) | images per CPU second | simulation loop (s) | fixed cost (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        compile_s = f"{r['compile_seconds']:.1f}" if r["compile_seconds"] is not None else "-"
        loop = fixed = "-"
        if r["loop_seconds"] is not None:
            # one thread: Brian2's loop time is CPU time; OpenMP: wall time
            loop = f"{r['loop_seconds']:.2f}" + (" CPU" if not r["threads"] else " wall")
            fixed = f"{(r['run_seconds'] if r['threads'] else r['cpu_seconds']) - r['loop_seconds']:.2f}"
        runs = ", ".join(f"{s:.2f}" for s in r["run_seconds_all"])
        lines.append(f"| {r['backend']} | {r['threads'] or '-'} | {r['build_seconds']:.1f} | {compile_s} | "
                     f"{r['run_seconds']:.2f} (of {runs}) | **{r['images_per_second']:.0f}** | {r['cpu_seconds']:.2f} | "
                     f"**{r['images_per_cpu_second']:.0f}** | {loop} | {fixed} |")
    lines += [
        "",
        "*build*: code generation and compilation, once per network (runtime: preparing the NumPy code "
        "objects). *run*: the simulation, compilation excluded; for cpp the compiled binary, run "
        f"once, then timed {len(rows[-1]['run_seconds_all'])} more time(s), the best counted. *CPU* seconds are those "
        "of the simulating process (all its threads): unlike wall time they do not grow when other jobs take the "
        "cores, so *images per CPU second* is what one free core gives. Brian2 times the *simulation loop* inside "
        "the binary; the *fixed cost* is the rest of the binary's run: start-up, reading the weights and the "
        "stimulus, creating the synapses, writing the spikes. The rest of the wall time is Brian2 reading and checking "
        "the results in Python (binary alone, wall: " + ", ".join(
            f"{_label(r)} {r['binary_wall_seconds']:.2f} s" for r in rows if r["binary_wall_seconds"] is not None)
        + f"). OpenMP wait policy: {report['omp_wait_policy']}.",
        "",
        "Accuracy: " + ", ".join(f"{_label(r)} {r['accuracy']:.4f}" for r in rows) + "; predictions equal to those "
        "of cpp (1 thread): " + ", ".join(f"{_label(r)} {r['same_predictions_as_cpp']:.3f}" for r in rows)
        + (" (random weights: chance level, as expected)" if "NOT trained" in report["weights"] else "") + ".",
    ]
    if any(r["threads"] for r in rows):
        lines += [
            "",
            "OpenMP cannot speed this network up: in Brian2's C++ synapse template, a pathway whose code writes a "
            "postsynaptic variable (here `v_post += w * int(not_refractory_post)`) runs on the master thread "
            "alone, to avoid races, so the input to hidden propagation, most of the loop (below), stays serial "
            "while the other thread waits at every barrier. Only the Poisson draw and the neuron updates run in "
            "parallel, and the synchronisation costs more than they save.",
        ]
    prof = report.get("profile")
    if prof:
        total = sum(t for _, t in prof["code_objects"])
        lines += [
            "",
            "## Where the time goes",
            "",
            f"A profiled cpp build (1 thread, Brian2's `profile=True`, with extra monitors on the input and hidden "
            f"layers for the spike statistics) ran its loop in {prof['loop_seconds']:.2f} s; per code object:",
            "",
            "| code object | s | share |",
            "|---|---|---|",
        ]
        lines += [f"| `{name}` | {t:.3f} | {t / total:.0%} |" for name, t in prof["code_objects"] if t / total >= 0.005]
        share = lambda prefix: sum(t for name, t in prof["code_objects"] if name.startswith(prefix)) / total  # noqa: E731
        lines += [
            "",
            f"Input to hidden synaptic propagation (`input_hidden_*`) takes {share('input_hidden'):.0%} of the loop, "
            f"drawing the Poisson input (`input_spike_thresholder*`) {share('input_spike_thresholder'):.0%}; the "
            f"neurons' state updates, thresholds and resets and the hidden to output pathway the rest. Profiling "
            f"itself (a CPU-clock read around every code object) and the two extra monitors (`input_spikes`, "
            f"`hidden_spikes`) make this loop slower than the unprofiled one above.",
        ]
        s = prof["spikes_per_image"]
        lines += [
            "",
            f"Spikes per image: {s['input']:.0f} input, {s['hidden']:.0f} hidden ({s['hidden'] / report['n_hidden']:.2f} per "
            f"neuron), {s['output']:.1f} output; synaptic events per image: {s['input'] * report['n_hidden']:.0f} "
            f"input->hidden and {s['hidden'] * 10:.0f} hidden->output: "
            f"{1e9 * prof['loop_seconds'] / (report['n_images'] * (s['input'] * report['n_hidden'] + s['hidden'] * 10)):.1f} "
            "ns of (profiled) loop per synaptic event.",
        ]
    return "\n".join(lines) + "\n"


# --- what the command gives, against a dense PyTorch peer (--command) ----------------------------------
COMMAND_MODELS = ("lif-lif", "lif-lif-coba", "lif-lif-cuba-latency")


def command_run(model: str, n: int, workers: int | None, data_dir: str | None) -> dict:
    """``snn-mnist simulate --model MODEL --n N [--workers W] --json``: what the command reports."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        command = [sys.executable, "-m", "snn_mnist.cli", "simulate", "--model", model, "--n", str(n), "--json", str(out)]
        command += ["--workers", str(workers)] if workers else []
        command += ["--data-dir", data_dir] if data_dir else []
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        report = json.loads(out.read_text())
    return {"images_per_second": report["images_per_second"], "run_seconds": report["run_seconds"],
            "build_seconds": report["build_seconds"], "accuracy": report["accuracy"], "command_wall_seconds": wall,
            "blocks": report.get("blocks", 1)}


def best(runs: list[dict]) -> dict:
    """The fastest of several runs of the command, with every run's figure kept."""
    fastest = max(runs, key=lambda r: r["images_per_second"])
    return {**fastest, "images_per_second_all": [r["images_per_second"] for r in runs]}


def dense_input(weights, images: np.ndarray, generator):
    """The input code's spikes for a batch as a dense float32 tensor (steps, batch, 784), made in PyTorch."""
    import torch

    from snn_mnist.encoding import LatencyCode

    steps, code = weights.steps, weights.encoding
    if isinstance(code, LatencyCode):
        when = torch.from_numpy(code.spike_steps(images, weights.dt_ms))
        return (torch.arange(steps)[:, None, None] == when[None]).float()
    p = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)) / 255 * min(1.0, code.max_rate_hz * weights.dt_ms / 1000)
    return (torch.rand((steps, *p.shape), generator=generator) < p).float()


def peer_counts(weights, images: np.ndarray, *, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Output spike counts of the network stepped densely in PyTorch (float32), each output's first spike step
    (the trainer's model; None for snnTorch) and the peer's name."""
    import torch

    from snn_mnist.readout.spike_count import first_spike_steps
    from snn_mnist.trainer.dynamics import LayerConstants, run_layer

    g = torch.Generator().manual_seed(seed)
    t, syn = weights.topology, weights.synapse
    counts = []
    with torch.no_grad():
        if syn.kind == "delta" and t.name == "lif-lif":
            import snntorch as snn

            hidden, output = t.hidden_neuron, t.output_neuron
            lifs = [snn.Leaky(beta=float(p.decay(weights.dt_ms)), threshold=p.v_th_mV - p.v_rest_mV,
                              reset_mechanism="zero") for p in (hidden, output)]
            fc1, fc2 = (torch.nn.Linear(*w.shape, bias=False) for w in (weights.w_input_hidden, weights.w_hidden_output))
            fc1.weight.data = torch.from_numpy(weights.w_input_hidden.T.astype(np.float32).copy())
            fc2.weight.data = torch.from_numpy(weights.w_hidden_output.T.astype(np.float32).copy())
            for start in range(0, len(images), batch):
                x = dense_input(weights, images[start:start + batch], g)
                m1, m2 = lifs[0].init_leaky(), lifs[1].init_leaky()
                total = 0
                for step in x:
                    s1, m1 = lifs[0](fc1(step), m1)
                    s2, m2 = lifs[1](fc2(s1), m2)
                    total = total + s2
                counts.append(total.numpy())
            return np.concatenate(counts), None, f"snnTorch {snn.__version__} Leaky"
        constants = [LayerConstants.from_params(p, weights.dt_ms, "mV", syn) for p in (t.hidden_neuron, t.output_neuron)]
        w1, w2 = (syn.split(torch.from_numpy(w.astype(np.float32)), torch)
                  for w in (weights.w_input_hidden, weights.w_hidden_output))
        fast, first = syn.kind != "delta", []
        for start in range(0, len(images), batch):
            x = dense_input(weights, images[start:start + batch], g)
            hidden, _ = run_layer(tuple(x @ w for w in w1), constants[0], fast=fast)
            output, _ = run_layer(tuple(hidden @ w for w in w2), constants[1], fast=fast)
            counts.append(output.sum(0).numpy())
            first.append(first_spike_steps(output.numpy()))
    return (np.concatenate(counts), np.concatenate(first),
            f"the trainer's PyTorch model (float32{', fast path' if fast else ''})")


def peer_run(weights, images, labels, *, threads: int, batch: int, repeats: int, seed: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        counts, first, name = peer_counts(weights, images, batch=batch, seed=seed)
        seconds.append(time.perf_counter() - t0)
    # the project's readout where the first spikes are known (ties to the earliest), else the most spikes
    predictions = predict(counts, first) if first is not None else np.where(counts.max(1) > 0, counts.argmax(1), -1)
    return {"peer": name, "threads": threads, "batch": batch, "seconds_all": seconds,
            "images_per_second": len(images) / min(seconds), "accuracy": float(np.mean(predictions == labels))}


def command_markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# What `snn-mnist simulate` gives, against a dense PyTorch peer",
        "",
        f"{report['n_images']:,} MNIST test digits, compilation excluded (the command's own report: digits over the "
        f"seconds of the simulation run). Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, Brian2 "
        f"{m['brian2']}. {report['date']}; load average {report['load_before'][0]:.1f} before. Made by "
        "`python scripts/benchmark.py --command`.",
        "",
        "| model | input | command, 1 worker (digits/s) | `--workers 2` (digits/s) | 2 workers / 1 | peer | peer (digits/s) "
        "| command / peer, 1 worker | 2 workers / peer |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in report["models"]:
        one, two, peer = r["one"]["images_per_second"], r["two"]["images_per_second"], r["peer"]["images_per_second"]
        lines.append(f"| {r['model']} | {r['input']} | {one:,.0f} | {two:,.0f} | {two / one:.2f}x | {r['peer']['peer']}, "
                     f"{r['peer']['threads']} threads | {peer:,.0f} | {one / peer:.2f}x | {two / peer:.2f}x |")
    lines += [
        "",
        "Accuracy (all digits): " + "; ".join(
            f"{r['model']}: command {r['one']['accuracy']:.4f}, 2 workers {r['two']['accuracy']:.4f}, peer "
            f"{r['peer']['accuracy']:.4f}" for r in report["models"]) + ". The 2-worker run draws each block's "
        "Poisson input from its own seed, so its rate-coded accuracy differs from one worker's within the draw's "
        "spread; latency input has no draw. snnTorch's `Leaky` has no refractory period and tests the threshold "
        "after the step's input arrives, so its accuracy is not Brian2's (read out as the most spikes, ties to "
        "the lowest class); the trainer's model is the network Brian2 runs, in float32, read out by the same "
        "rule (ties to the first spike).",
        "",
        "*Command*: `snn-mnist simulate --model MODEL --n 10000` (C++ standalone, one process), and with `--workers 2` "
        "(a local Dask cluster, each worker compiles the network for its half of the digits and runs it; the time "
        "is from the first half's binary's start to the last one's end, each run counted as the one-process run is: "
        "its arguments written and the binary run, the reading of its results after excluded). *Peer*: the same "
        "weights stepped every time step "
        "for all neurons, batches of "
        f"{report['models'][0]['peer']['batch']} digits, `torch.set_num_threads({report['models'][0]['peer']['threads']})`, "
        "input drawn in PyTorch. Each figure is the best of "
        f"{len(report['models'][0]['peer']['seconds_all'])} runs (all runs in the JSON): the machine is shared.",
    ]
    return "\n".join(lines) + "\n"


def command_main(args) -> int:
    from snn_mnist.sweep.run import cores

    images, labels = mnist.load("test", args.data_dir)
    images, labels = images[: args.n], labels[: args.n]
    load_before = os.getloadavg()
    rows = []
    for model in COMMAND_MODELS:
        weights = pretrained.load(model)
        # the best of --repeats runs of each: the machine is shared, and a run slowed by another job is not ours
        one = best([command_run(model, args.n, None, args.data_dir) for _ in range(args.repeats)])
        two = best([command_run(model, args.n, 2, args.data_dir) for _ in range(args.repeats)])
        peer = peer_run(weights, images, labels, threads=cores(), batch=1000, repeats=args.repeats, seed=args.seed)
        rows.append({"model": model, "input": weights.encoding.describe(), "one": one, "two": two, "peer": peer})
        print(f"{model}: command {one['images_per_second']:.0f} digits/s, --workers 2 {two['images_per_second']:.0f}, "
              f"{peer['peer']} {peer['images_per_second']:.0f}", flush=True)
    report = {"n_images": args.n, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z"),
              "load_before": list(load_before), "load_after": list(os.getloadavg()), "models": rows}
    out = ROOT / "results" / "benchmark_command.md"
    with atomic_path(out) as tmp:
        tmp.write_text(command_markdown(report))
    write_json(out.with_suffix(".json"), report)
    print(command_markdown(report))
    print(f"wrote {out} and {out.with_suffix('.json')}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", action="store_true",
                        help="measure the snn-mnist simulate command (1 and 2 workers) against a PyTorch peer instead")
    parser.add_argument("--data-dir", default=None, help="MNIST directory (default: $SNN_MNIST_DATA)")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each compiled binary after a first one (the best counts)")
    parser.add_argument("--weights", default=None, help="weights file (default: pretrained lif-lif, else random)")
    parser.add_argument("--no-runtime", action="store_true", help="skip the (slow) runtime backend")
    parser.add_argument("--no-profile", action="store_true", help="skip the profiled cpp build")
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks.md"))
    args = parser.parse_args()
    if args.command:
        return command_main(args)

    try:
        weights, weights_source = choose_weights(args.weights, args.steps)
        images, labels = mnist.load("test", args.data_dir)
    except (WeightsError, mnist.DataError) as exc:
        print(f"benchmark: error: {exc}", file=sys.stderr)
        return 2
    if not (0 <= args.start and 1 <= args.n and args.start + args.n <= len(images)):
        print(f"benchmark: error: --start/--n must select images within 0..{len(images) - 1}", file=sys.stderr)
        return 2
    images, labels = images[args.start : args.start + args.n], labels[args.start : args.start + args.n]
    print(f"weights: {weights_source}", flush=True)

    load_before = os.getloadavg()
    configs = ([] if args.no_runtime else [("runtime", 0)]) + [("cpp", 0), ("cpp", 2)]
    runs = []
    for backend, threads in configs:
        r = measure(weights, images, backend, threads=threads, seed=args.seed,
                    repeats=1 if backend == "runtime" else args.repeats)
        predictions = predict(r.pop("output_counts"), r.pop("output_first_step"))
        r["accuracy"] = accuracy(predictions, labels)
        runs.append(r)
        if backend == "cpp" and threads == 0:
            reference = predictions
        r["_predictions"] = predictions
        print(f"{backend:8s} threads {threads}: build {r['build_seconds']:.1f} s, run {r['run_seconds']:.2f} s wall "
              f"-> {r['images_per_second']:.0f} images/s, {r['cpu_seconds']:.2f} s CPU -> "
              f"{r['images_per_cpu_second']:.0f} images per CPU second"
              + (f" (loop {r['loop_seconds']:.2f} s)" if r["loop_seconds"] is not None else ""), flush=True)
    for r in runs:  # Poisson draws differ between runtime and cpp; answers should mostly not
        r["same_predictions_as_cpp"] = float(np.mean(r.pop("_predictions") == reference))
    report = {
        "model": MODEL, "n_hidden": weights.topology.n_hidden, "n_images": len(images), "start": args.start,
        "steps": weights.steps, "dt_ms": weights.dt_ms, "seed": args.seed, "weights": weights_source,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "libgomp's default (spin, then sleep)"),
        "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M %Z"), "runs": runs,
    }
    if not args.no_profile:
        p = measure(weights, images, "cpp", seed=args.seed, repeats=args.repeats, profile=True)
        report["profile"] = {
            "loop_seconds": p["loop_seconds"],
            "code_objects": p["profile"],
            "spikes_per_image": {layer: float(p[f"{layer}_counts"].sum(axis=1).mean()) for layer in ("input", "hidden", "output")},
        }
        print(f"profiled cpp: loop {p['loop_seconds']:.2f} s; " + ", ".join(f"{n} {t:.3f} s" for n, t in p["profile"][:4]))
    report["load_before"], report["load_after"] = list(load_before), list(os.getloadavg())

    out = Path(args.out)
    with atomic_path(out) as tmp:
        tmp.write_text(markdown(report))
    write_json(out.with_suffix(".json"), report)
    print(f"wrote {out} and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
