"""snn-mnist: Brian2 spiking neural networks that classify MNIST digits.

The few calls a simulation script needs (the README's "Python API")::

    import snn_mnist as snn
    from brian2 import StateMonitor, mV, ms

    weights = snn.load("lif-lif")                 # a bundled model, or a file: snn.load("mine.npz")
    images, labels, _ = snn.digits(n=10)          # the bundled test digits, or MNIST with data_dir=
    with snn.backend("cpp") as device:            # "runtime", "cpp" or "cuda"
        net = snn.build(weights, images=images, dt_ms=weights.dt_ms)   # at its own step (1 ms)
        v = StateMonitor(net.hidden, "v", record=[0, 1, 2])
        net.network.add(v)
        device.run(net.network, net.duration)
        counts = net.counts("output")             # spikes per image and output neuron
        first = net.first_spikes()                # the step of each output neuron's first spike
    predicted = snn.predict(counts, first)        # the output neuron with the most spikes

``snn.simulate(weights, images, backend="cpp")`` does all of that in one call and returns the
spike counts. One package a stage of the data flow (the README's layout table says which may
import which): ``digits`` -> ``encoding`` -> ``neuron_models`` + ``networks`` -> ``readout``,
and ``trainer`` -> ``weights`` -> ``networks``; ``backends`` chooses Brian2's device,
``plasticity`` holds STDP, ``cli`` and ``web`` are the command and the local page.
Importing ``snn_mnist`` imports nothing else (Brian2 comes with the first call that needs it).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["backend", "build", "digits", "load", "predict", "simulate"]


def load(model_or_file, *, nir_convention: str | None = None):
    """The weights of a bundled model (``"lif-lif"``, ``"if-lif"``, ``"lif-if"``, ``"if-if"``, and the
    physiological ones such as ``"lif-lif-coba"``: ``snn-mnist models`` lists them) or of a weights file
    (``.npz``, or ``.nir`` from snnTorch, Norse or our export; ``nir_convention="norse-1.1"`` for a file
    Norse 1.1.0 exported, which writes its time constants as dt * tau)."""
    from snn_mnist.weights import load as load_file
    from snn_mnist.weights import pretrained

    if str(model_or_file) in pretrained.NAMES and nir_convention is None:
        return pretrained.load(str(model_or_file))
    return load_file(model_or_file, nir_convention=nir_convention)


def digits(n: int | None = None, start: int = 0, *, data_dir=None, split: str = "test"):
    """``images, labels, source``: the bundled 300 test digits, or MNIST's ``split`` from ``data_dir``
    (or ``$SNN_MNIST_DATA``) when one is given."""
    from snn_mnist.digits.selection import select

    return select(data_dir, n, start, split=split)


def backend(name: str = "runtime", **options):
    """A context manager that makes ``name`` Brian2's device and yields the backend to ``run`` with
    (see ``snn_mnist.backends.activate`` for the options: ``threads``, ``build_only``, ...)."""
    from snn_mnist.backends import activate

    return activate(name, **options)


def build(weights, *, dt_ms: float | None = None, **inputs):
    """The Brian2 network of ``weights`` (``images=`` for Poisson input drawn in the simulation, or
    ``frozen=`` spike trains), as ``snn_mnist.networks.builder.SpikingNetwork``, run at the step ``dt_ms``:
    the weights' own (``weights.dt_ms``) or a finer one (``weights.at_dt``). Without ``dt_ms``, Brian2's
    ``defaultclock.dt`` must be the weights' step (it is never silently replaced); the build sets
    ``defaultclock.dt`` to the network's step."""
    from snn_mnist.networks.builder import build_network

    return build_network(weights, dt_ms=dt_ms, **inputs)


def simulate(weights, images, **options):
    """Run ``images`` through ``weights`` on a backend and return the spike counts
    (``snn_mnist.networks.simulation.simulate``)."""
    from snn_mnist.networks.simulation import simulate as run

    return run(weights, images, **options)


def predict(counts, first_spikes):
    """The class of each image from its output spike counts (images, 10) and the step of each output
    neuron's first spike (``net.first_spikes()``): the neuron that fired most, a tie to the one that
    fired first, -1 where neither decides (``snn_mnist.readout.spike_count.predict``)."""
    from snn_mnist.readout.spike_count import predict as readout

    return readout(counts, first_spikes)
