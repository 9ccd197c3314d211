"""Networks made and exported by snnTorch itself, imported through NIR and run in Brian2.

snnTorch adds a step's input (and its biases), tests the threshold, and resets, layer after layer
within the step. The import schedules the Brian2 network the same way (``step_order``
"input-first", weights/nir_io.py), so Brian2's spikes must be snnTorch's, step for step, with
input at every step and biases on every layer.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

nir = pytest.importorskip("nir")
torch = pytest.importorskip("torch")
snn = pytest.importorskip("snntorch")
pytest.importorskip("nirtorch")

from snntorch import utils as snn_utils
from snntorch.export_nir import export_to_nir

from snn_mnist.digits import sample
from snn_mnist.encoding import frozen_spikes
from snn_mnist.networks.simulation import simulate
from snn_mnist.readout.spike_count import first_spike_steps, predict
from snn_mnist.weights import load


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Small networks: PyTorch's thread pool only costs time on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def snntorch_net(n_hidden: int, hidden_threshold, seed: int, bias: bool = True) -> torch.nn.Sequential:
    """Linear -> Leaky -> Linear -> Leaky, reset to zero: the reset snnTorch's exporter writes.

    snnTorch 1.0 with nir 1.0.8 exports only per-neuron ``beta`` and ``threshold`` tensors (a
    scalar gives 0-d NIR parameters that fail NIR's type check). ``nn.Linear`` has biases, as by
    default; they become ``Affine`` nodes."""
    torch.manual_seed(seed)

    def leaky(beta, threshold, **kw):
        return snn.Leaky(beta=beta, threshold=threshold, reset_mechanism="zero", init_hidden=True, **kw)

    n_out = 10
    return torch.nn.Sequential(
        torch.nn.Linear(784, n_hidden, bias=bias),
        leaky(torch.full((n_hidden,), 0.9), torch.as_tensor(hidden_threshold, dtype=torch.float32)),
        torch.nn.Linear(n_hidden, n_out, bias=bias),
        leaky(torch.full((n_out,), 0.8), torch.ones(n_out), output=True),
    )


def run_snntorch(net, spikes: np.ndarray, dtype=torch.float64):
    """Hidden and output spikes (image, step, neuron) of the snnTorch network on frozen input.

    Runs a copy in ``dtype``, module by module: snnTorch emits float32 spikes whatever the
    membrane's type, so they are cast (0 and 1 exactly) before the next layer."""
    net = copy.deepcopy(net).to(dtype)
    snn_utils.reset(net)
    x = torch.as_tensor(spikes, dtype=dtype)
    hidden, output = [], []
    with torch.no_grad():
        for t in range(x.shape[1]):
            hidden.append(net[1](net[0](x[:, t])).to(dtype))
            output.append(net[3](net[2](hidden[-1]))[0])
    return torch.stack(hidden, 1).numpy(), torch.stack(output, 1).numpy()


def trains(times_ms, indices, n_images, steps, n, dt_ms):
    """Spike trains as a boolean array (image, step, neuron) from a Brian2 spike monitor."""
    step = np.round(np.asarray(times_ms) / dt_ms).astype(int)
    out = np.zeros((n_images, steps, n), bool)
    out[step // steps, step % steps, np.asarray(indices)] = True
    return out


@pytest.mark.parametrize("backend", ["runtime", pytest.param("cpp", marks=pytest.mark.slow)])
def test_snntorch_spikes_are_brian2s_step_for_step(tmp_path, backend):
    """Input at every step, biases on both layers, per-neuron thresholds: every hidden and output spike
    of snnTorch (run in float64) comes at the same step in Brian2."""
    n_hidden, n_images = 24, 8
    thresholds = np.resize([0.5, 1.0, 2.0], n_hidden)  # per-neuron, as learn_threshold leaves them
    net = snntorch_net(n_hidden, thresholds, seed=0)
    with torch.no_grad():
        net[0].weight.copy_(torch.randn(n_hidden, 784) * 0.12 + 0.01)
        net[0].bias.copy_(torch.randn(n_hidden) * 0.1)
        net[2].weight.copy_(torch.randn(10, n_hidden) * 0.6 + 0.1)
        net[2].bias.copy_(torch.randn(10) * 0.1 - 0.05)
    path = tmp_path / "snntorch.nir"
    nir.write(path, export_to_nir(net, torch.zeros(1, 784), ignore_dims=[0]))
    weights = load(path)

    hidden = weights.topology.hidden_neuron
    assert weights.provenance["nir_convention"] == "snntorch" and weights.step_order == "input-first"
    # beta survives up to the float32 rounding of snnTorch's tau = dt / (1 - beta)
    assert np.exp(-weights.dt_ms / hidden.tau_m_ms) == pytest.approx(0.9, rel=1e-6)
    assert hidden.tau_ref_ms == 0 and hidden.v_reset_mV == hidden.v_rest_mV
    assert weights.bias_hidden is not None and weights.bias_output is not None

    images, _ = sample.load()
    spikes = frozen_spikes(images[:n_images], weights.steps, 1000.0, 1.0, np.random.default_rng(5))
    ref_hidden, ref_output = run_snntorch(net, spikes)
    assert ref_hidden.sum() > 3 * n_images * n_hidden and ref_output.sum() > 3 * n_images, "too quiet to test"
    assert ref_hidden[..., thresholds == 2.0].sum() > 0 and ref_hidden[..., thresholds == 0.5].sum() > 0

    sim = simulate(weights, images[:n_images], backend=backend, input_mode="frozen", frozen=spikes,
                   record_hidden=True)
    hidden_trains = trains(*sim.hidden_spike_trains, n_images, weights.steps, n_hidden, weights.dt_ms)
    output_trains = trains(*sim.output_spike_trains, n_images, weights.steps, 10, weights.dt_ms)
    np.testing.assert_array_equal(hidden_trains, ref_hidden > 0)
    np.testing.assert_array_equal(output_trains, ref_output > 0)


def train(net, images, labels, *, epochs: int, steps: int, seed: int):
    """A few epochs of BPTT on spike counts with snnTorch's default (arctan) surrogate."""
    rng = np.random.default_rng(seed)
    optimiser = torch.optim.Adam(net.parameters(), lr=5e-3)
    for _ in range(epochs):
        order = rng.permutation(len(images))
        for batch in np.array_split(order, len(images) // 50):
            x = torch.as_tensor(frozen_spikes(images[batch], steps, 1000.0, 1.0, rng), dtype=torch.float32)
            snn_utils.reset(net)
            counts = sum(net(x[:, t])[0] for t in range(steps))
            loss = torch.nn.functional.cross_entropy(counts, torch.as_tensor(labels[batch], dtype=torch.long))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()


@pytest.mark.slow
def test_trained_snntorch_network_predicts_the_same_digits_in_brian2(tmp_path):
    """Trained (with biases) on 200 sample digits, compared on the 100 others with Poisson input at every
    step, snnTorch in its own float32: the same predictions by the same readout, and nearly every count."""
    images, labels = sample.load()
    net = snntorch_net(32, np.ones(32), seed=0)
    train(net, images[:200], labels[:200], epochs=8, steps=25, seed=1)
    path = tmp_path / "trained.nir"
    nir.write(path, export_to_nir(net, torch.zeros(1, 784), ignore_dims=[0]))
    weights = load(path)
    test_images, test_labels = images[200:], labels[200:]
    spikes = frozen_spikes(test_images, weights.steps, weights.max_rate_hz, weights.dt_ms, np.random.default_rng(2))
    _, ref_output = run_snntorch(net, spikes, torch.float32)
    ref_counts = ref_output.sum(1)
    sim = simulate(weights, test_images, backend="runtime", input_mode="frozen", frozen=spikes)
    ref_pred = predict(ref_counts, first_spike_steps(ref_output.transpose(1, 0, 2)))
    sim_pred = predict(sim.output_counts, sim.output_first_step)
    agreement = np.mean(ref_pred == sim_pred)
    print(f"predictions agree on {agreement:.2f} of {len(test_images)}; accuracy snnTorch "
          f"{np.mean(ref_pred == test_labels):.2f}, Brian2 {np.mean(sim_pred == test_labels):.2f}; "
          f"output spikes per image {ref_counts.sum(1).mean():.1f} vs {sim.output_counts.sum(1).mean():.1f}")
    assert np.mean(ref_pred == test_labels) > 0.6, "the snnTorch network did not learn; nothing to compare"
    assert agreement >= 0.99
    assert np.mean(np.all(ref_counts == sim.output_counts, axis=1)) >= 0.95


def test_our_export_loads_in_snntorchs_importer(tmp_path):
    """snnTorch reads NIR times in seconds and steps at its own 0.1 ms: our LIF-LIF export must come out
    as Leaky layers with tau = 20 ms at that step (beta = 1 - 1e-4 / 0.02), and weights over threshold
    as ours over the threshold gap per 1 ms pulse, scaled to its 0.1 ms pulses (a tenth)."""
    from snntorch.import_nir import import_from_nir

    from snn_mnist.weights import nir_io, pretrained

    weights = pretrained.load("lif-lif")
    path = tmp_path / "lif-lif.nir"
    nir_io.write(weights, path)
    net = import_from_nir(nir.read(path))
    modules = dict(net.named_modules())
    hidden = weights.topology.hidden_neuron
    gap = hidden.v_th_mV - hidden.v_rest_mV
    for name, layer, w in (("input_hidden", "hidden", weights.w_input_hidden),
                           ("hidden_output", "output_layer", weights.w_hidden_output)):
        leaky = modules[layer]
        np.testing.assert_allclose(leaky.beta.detach().numpy(), 1 - 1e-4 / (hidden.tau_m_ms / 1000), rtol=1e-6)
        relative = modules[name].weight.detach().numpy() / float(leaky.threshold)
        np.testing.assert_allclose(relative, w.T / gap * (0.1 / weights.dt_ms), rtol=1e-5)
        assert leaky.reset_mechanism == "zero"
    out, _ = net(torch.zeros(1, 784))  # it runs
    assert tuple(out.shape) == (1, 10)
