"""One digit through a network with everything recorded: what ``classify``, the figures and the
web page show.

The input spike trains are drawn once in NumPy from ``seed`` (``networks.simulation.input_spikes``)
and replayed to Brian2, so the input raster drawn afterwards is exactly the input the network saw,
and the same seed gives the same spikes on every backend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snn_mnist.weights import NetworkWeights


@dataclass(frozen=True)
class DigitActivity:
    """Spikes of every layer and potentials of chosen neurons while one digit was shown."""

    weights: NetworkWeights
    pixels: np.ndarray  # (n_inputs,) uint8, the prepared digit
    input_spikes: np.ndarray  # bool (steps, n_inputs)
    output_counts: np.ndarray  # (n_outputs,) int
    output_first_step: np.ndarray  # (n_outputs,) int: step of each output neuron's first spike, steps if none
    hidden_counts: np.ndarray  # (n_hidden,) int
    trains: dict  # layer -> (times_ms, indices) for "hidden" and "output"
    voltages: dict  # layer -> (neurons tuple, times_ms (steps,), v_mV (neurons, steps)); may be empty
    prediction: int  # readout.spike_count.UNDECIDED (-1) when silent or an unbroken tie

    @property
    def verdict(self) -> str:
        """The prediction in words, saying when it rests on a tie or when there is none."""
        from snn_mnist.readout.spike_count import verdict

        return verdict(self.output_counts, self.output_first_step)

    def layer_trace(self, layer: str):
        """The ``readout.figures.LayerTrace`` of ``layer`` ("hidden" or "output") for plotting."""
        from snn_mnist.readout.figures import LayerTrace

        topology = self.weights.topology
        params = {"hidden": topology.hidden_neuron, "output": topology.output_neuron}[layer]
        n = {"hidden": topology.n_hidden, "output": topology.n_outputs}[layer]
        neurons, times, v = self.voltages.get(layer, ((), np.zeros(0), np.zeros((0, 0))))
        return LayerTrace(name=layer, params=params, n_neurons=n, spike_times_ms=self.trains[layer][0],
                          spike_indices=self.trains[layer][1], neurons=tuple(neurons), times_ms=times, v_mV=v,
                          reversal_mV=self.weights.synapse.reversal_potentials())


def most_active(counts: np.ndarray, k: int) -> tuple[int, ...]:
    """The ``k`` neurons with the most spikes (ties to the lower index), in index order."""
    order = np.lexsort((np.arange(len(counts)), -np.asarray(counts)))
    return tuple(sorted(int(i) for i in order[:k]))


def run_digit(
    weights: NetworkWeights,
    pixels: np.ndarray,
    *,
    seed: int = 0,
    backend: str = "runtime",
    voltages: dict[str, tuple[int, ...]] | None = None,
    threads: int = 0,
) -> DigitActivity:
    """Show one digit (784 uint8 pixels) to the network for ``weights.steps`` steps.

    ``voltages`` maps "hidden"/"output" to the neurons whose membrane potential is recorded.
    """
    from snn_mnist.networks.simulation import input_spikes, simulate
    from snn_mnist.readout.spike_count import predict

    image = np.asarray(pixels, dtype=np.uint8).reshape(1, -1)
    spikes = input_spikes(image, weights, seed)
    chosen = {layer: tuple(int(i) for i in neurons) for layer, neurons in (voltages or {}).items() if len(neurons)}
    result = simulate(weights, image, backend=backend, input_mode="frozen", frozen=spikes, seed=seed,
                      record_hidden=True, record_voltages=chosen or None, threads=threads)
    recorded = {
        layer: (chosen[layer], result.voltages[layer][0], result.voltages[layer][1])
        for layer in chosen
    }
    return DigitActivity(
        weights=weights,
        pixels=image[0],
        input_spikes=spikes[0],
        output_counts=result.output_counts[0],
        output_first_step=result.output_first_step[0],
        hidden_counts=result.hidden_counts[0],
        trains={"hidden": result.hidden_spike_trains, "output": result.output_spike_trains},
        voltages=recorded,
        prediction=int(predict(result.output_counts, result.output_first_step)[0]),
    )
