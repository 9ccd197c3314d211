"""Figures are written, atomically, in the format their suffix names."""

import numpy as np
import pytest

from snn_mnist.neuron_models import IF, LIF
from snn_mnist.readout.figures import LayerTrace, confusion_figure, trace_figure

PNG = b"\x89PNG\r\n\x1a\n"


def test_confusion_figure(tmp_path):
    matrix = np.diag(np.arange(10) + 5)
    matrix[3, 5] = 2
    confusion_figure(matrix, tmp_path / "c.png", title="test")
    assert (tmp_path / "c.png").read_bytes()[:8] == PNG
    assert [p.name for p in tmp_path.iterdir()] == ["c.png"]


def _layer(name, params, n, neurons, steps=25, seed=0):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.integers(0, steps, 30)).astype(float)
    return LayerTrace(name=name, params=params, n_neurons=n, spike_times_ms=times,
                      spike_indices=rng.integers(0, n, 30), neurons=tuple(neurons),
                      times_ms=np.arange(steps, dtype=float),
                      v_mV=rng.uniform(params.v_reset_mV, params.v_th_mV, (len(neurons), steps)))


@pytest.mark.parametrize("suffix, magic", [(".png", PNG), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_trace_figure(tmp_path, suffix, magic):
    layers = [_layer("hidden", LIF, 32, [0, 5, 7]), _layer("output", IF, 10, range(10), seed=1)]
    trace_figure(layers, tmp_path / f"t{suffix}", title="digit 0")
    assert (tmp_path / f"t{suffix}").read_bytes()[: len(magic)] == magic
    assert len(list(tmp_path.iterdir())) == 1


def test_failed_drawing_leaves_no_file(tmp_path):
    with pytest.raises(ValueError):
        confusion_figure(np.zeros((10, 10)), tmp_path / "c.unknown-format")
    assert list(tmp_path.iterdir()) == []
