"""The weights file: round trip, and a one-line WeightsError for every kind of bad file."""

import json

import numpy as np
import pytest

from snn_mnist import weights
from snn_mnist.encoding import PoissonCode
from snn_mnist.weights import NetworkWeights, WeightsError


def write_raw(path, w_input_hidden, w_hidden_output, metadata):
    """An .npz written by hand, bypassing the checks of ``weights.save``."""
    np.savez(path, w_input_hidden=w_input_hidden, w_hidden_output=w_hidden_output,
             metadata=np.array(metadata if isinstance(metadata, str) else json.dumps(metadata)))
    return path


def test_round_trip(small_weights, tmp_path):
    path = tmp_path / "w.npz"
    weights.save(small_weights, path)
    loaded = weights.load(path)
    np.testing.assert_array_equal(loaded.w_input_hidden, small_weights.w_input_hidden)
    np.testing.assert_array_equal(loaded.w_hidden_output, small_weights.w_hidden_output)
    assert loaded.topology == small_weights.topology
    assert (loaded.dt_ms, loaded.steps, loaded.max_rate_hz) == (1.0, 25, 1000.0)
    assert loaded.provenance == small_weights.provenance
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]  # no temporary file left behind


def test_round_trip_keeps_non_default_settings(random_weights, tmp_path):
    import dataclasses

    w = dataclasses.replace(random_weights("if-lif", n_hidden=5), dt_ms=0.5, steps=40, encoding=PoissonCode(200.0))
    weights.save(w, tmp_path / "w.npz")
    loaded = weights.load(tmp_path / "w.npz")
    assert (loaded.topology.name, loaded.topology.n_hidden) == ("if-lif", 5)
    assert (loaded.dt_ms, loaded.steps, loaded.max_rate_hz) == (0.5, 40, 200.0)
    assert loaded.topology.hidden_neuron.kind == "IF" and loaded.topology.output_neuron.kind == "LIF"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w: {"w_input_hidden": w.w_input_hidden[:-1]}, r"shape \(783, 32\), expected \(784, 32\)"),
        (lambda w: {"w_hidden_output": w.w_hidden_output.T.copy()}, "w_hidden_output has shape"),
        (lambda w: {"w_input_hidden": np.where(np.eye(784, 32, dtype=bool), np.nan, w.w_input_hidden)}, "NaN"),
        (lambda w: {"w_hidden_output": np.full((32, 10), np.inf, np.float32)}, "infinite"),
        (lambda w: {"w_input_hidden": w.w_input_hidden.astype(np.int32)}, "floating-point"),
        (lambda w: {"steps": 0}, r"steps must be a whole number in \[1, 100,000\], got 0"),
        (lambda w: {"steps": True}, r"steps must be a whole number in \[1, 100,000\], got True"),
        (lambda w: {"steps": 25.5}, r"steps must be a whole number"),
        (lambda w: {"steps": 10**9}, r"steps must be a whole number in \[1, 100,000\]"),
        (lambda w: {"dt_ms": -1.0}, r"dt must be a number of ms in \[0.001, 10\], got -1.0"),
        (lambda w: {"dt_ms": 1e-300}, r"dt must be a number of ms in \[0.001, 10\]"),
        (lambda w: {"dt_ms": "1"}, r"dt must be a number of ms in \[0.001, 10\], got '1'"),
        (lambda w: {"encoding": PoissonCode(5000.0)}, "max rate 5000.0 Hz is not usable"),
    ],
)
def test_invalid_weights_are_refused(small_weights, change, message):
    import dataclasses

    with pytest.raises(WeightsError, match=message):
        dataclasses.replace(small_weights, **change(small_weights))


def _arrays_and_metadata(w):
    return w.w_input_hidden, w.w_hidden_output, w.metadata()


def test_file_with_wrong_shape(small_weights, tmp_path):
    wih, who, meta = _arrays_and_metadata(small_weights)
    meta["topology"]["n_hidden"] = 64
    with pytest.raises(WeightsError, match=r"has shape \(784, 32\), expected \(784, 64\)"):
        weights.load(write_raw(tmp_path / "w.npz", wih, who, meta))


def test_file_with_nan(small_weights, tmp_path):
    wih, who, meta = _arrays_and_metadata(small_weights)
    who = who.copy()
    who[3, 4] = np.nan
    with pytest.raises(WeightsError, match="NaN"):
        weights.load(write_raw(tmp_path / "w.npz", wih, who, meta))


def test_file_with_wrong_dtype(small_weights, tmp_path):
    wih, who, meta = _arrays_and_metadata(small_weights)
    with pytest.raises(WeightsError, match="dtype float64, expected float32"):
        weights.load(write_raw(tmp_path / "w.npz", wih.astype(np.float64), who, meta))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.update(format_version=2), "format version 2 is not supported"),
        (lambda m: m.pop("dt_ms"), "malformed metadata.*dt_ms"),
        (lambda m: m["encoding"].update(type="morse"), "unknown encoding 'morse' \\(choose from poisson, latency\\)"),
        (lambda m: m["encoding"].update(max_rate_hz="fast"), "poisson encoding: max_rate_hz must be a number"),
        (lambda m: m["hidden_neuron"].update(v_reset_mV=-40.0), "bad neuron parameters.*v_reset"),
        (lambda m: m["output_neuron"].update(kind="HH"), "unknown neuron model"),
        (lambda m: m["topology"].update(n_hidden="many"), "n_hidden must be a whole number, got 'many'"),
    ],
)
def test_bad_metadata(small_weights, tmp_path, edit, message):
    wih, who, meta = _arrays_and_metadata(small_weights)
    edit(meta)
    with pytest.raises(WeightsError, match=message):
        weights.load(write_raw(tmp_path / "w.npz", wih, who, meta))


@pytest.mark.parametrize(
    "edit, shapes, message",
    [
        (lambda m: m["topology"].update(n_inputs=100), ((100, 32), (32, 10)), "maps 100 inputs to 10 outputs; MNIST"),
        (lambda m: m["topology"].update(n_outputs=8), ((784, 32), (32, 8)), "maps 784 inputs to 8 outputs"),
        (lambda m: m["topology"].update(n_hidden=0), ((784, 0), (0, 10)), "needs at least one neuron, got 0"),
        (lambda m: m["topology"].update(name="if-if"), None, "called 'if-if' but its neurons are lif-lif"),
        (lambda m: m.update(steps=True), None, "steps must be a whole number, got True"),
        (lambda m: m.update(steps=25.5), None, "steps must be a whole number, got 25.5"),
        (lambda m: m.update(steps="25"), None, "steps must be a whole number, got '25'"),
        (lambda m: m.update(dt_ms="1"), None, "dt_ms must be a number, got '1'"),
        (lambda m: m.update(dt_ms=1e-300), None, r"dt must be a number of ms in \[0.001, 10\], got 1e-300"),
        (lambda m: m["topology"].update(n_hidden=32.0), None, "n_hidden must be a whole number, got 32.0"),
    ],
)
def test_metadata_that_disagrees_with_the_arrays_or_the_model_is_refused(small_weights, tmp_path, edit, shapes,
                                                                         message):
    wih, who, meta = _arrays_and_metadata(small_weights)
    if shapes:
        wih, who = np.zeros(shapes[0], np.float32), np.zeros(shapes[1], np.float32)
    edit(meta)
    path = write_raw(tmp_path / "w.npz", wih, who, meta)
    with pytest.raises(WeightsError, match=message) as error:
        weights.load(path)
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


@pytest.mark.parametrize("content", [b"hello, I am text\n", "npy"])
def test_what_is_not_an_npz_archive_is_named_so(small_weights, tmp_path, content):
    path = tmp_path / "w.npz"
    if content == "npy":
        np.save(tmp_path / "w.npy", small_weights.w_input_hidden)
        (tmp_path / "w.npy").rename(path)
    else:
        path.write_bytes(content)
    with pytest.raises(WeightsError) as error:
        weights.load(path)
    assert str(error.value) == f"{path}: not a weights file (not an .npz archive)"


def test_metadata_that_is_not_json(small_weights, tmp_path):
    wih, who, _ = _arrays_and_metadata(small_weights)
    with pytest.raises(WeightsError, match="unreadable weights file"):
        weights.load(write_raw(tmp_path / "w.npz", wih, who, "{not json"))


def test_missing_array(small_weights, tmp_path):
    np.savez(tmp_path / "w.npz", w_input_hidden=small_weights.w_input_hidden)
    with pytest.raises(WeightsError, match="not a weights file \\(missing w_hidden_output, metadata\\)"):
        weights.load(tmp_path / "w.npz")


def test_pickled_content_is_not_loaded(small_weights, tmp_path):
    wih, who, meta = _arrays_and_metadata(small_weights)
    np.savez(tmp_path / "w.npz", w_input_hidden=wih, w_hidden_output=who, metadata=np.array([meta], dtype=object))
    with pytest.raises(WeightsError, match="unreadable"):
        weights.load(tmp_path / "w.npz")


@pytest.mark.parametrize("name, content", [("missing.npz", None), ("folder", "dir"), ("text.npz", b"hello")])
def test_not_a_weights_file(tmp_path, name, content):
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(WeightsError, match="not found" if content in (None, "dir") else r"not an \.npz archive"):
        weights.load(path)


def test_weights_error_is_one_line(tmp_path):
    (tmp_path / "w.npz").write_bytes(b"PK\x03\x04 broken zip")
    with pytest.raises(WeightsError) as info:
        weights.load(tmp_path / "w.npz")
    assert "\n" not in str(info.value)


def test_network_weights_needs_float_arrays(small_weights):
    with pytest.raises(WeightsError, match="floating-point"):
        NetworkWeights(small_weights.topology, small_weights.w_input_hidden.tolist(), small_weights.w_hidden_output)


def test_synapse_model_and_step_order_survive_the_file(small_weights, tmp_path):
    import dataclasses

    from snn_mnist.neuron_models import CobaSynapse, CubaSynapse

    coba = dataclasses.replace(small_weights, synapse=CobaSynapse(tau_exc_ms=3.0, e_inh_mV=-85.0))
    weights.save(coba, tmp_path / "coba.npz")
    back = weights.load(tmp_path / "coba.npz")
    assert back.synapse == CobaSynapse(tau_exc_ms=3.0, e_inh_mV=-85.0) and back.step_order == "threshold-first"
    imported = dataclasses.replace(small_weights, step_order="input-first", bias_output=np.ones(10, np.float32))
    weights.save(imported, tmp_path / "imported.npz")
    back = weights.load(tmp_path / "imported.npz")
    assert back.step_order == "input-first" and back.synapse.kind == "delta"
    np.testing.assert_array_equal(back.bias("output"), np.ones(10))
    assert (back.bias("hidden") == 0).all() and back.bias_hidden is None
    with pytest.raises(WeightsError, match="biases"):
        dataclasses.replace(imported, synapse=CubaSynapse())


def test_a_network_moves_to_a_finer_time_step_keeping_its_image_length(small_weights):
    fine = small_weights.at_dt(0.1)
    assert (fine.dt_ms, fine.steps, fine.duration_ms) == (0.1, 250, small_weights.duration_ms)
    assert fine.max_rate_hz == small_weights.max_rate_hz and fine.topology == small_weights.topology
    for bad, reason in ((0.3, "whole number"), (0.0, "dt must be a number of ms in"), (float("nan"), "dt must be a number of ms in")):
        with pytest.raises(WeightsError, match=reason):
            small_weights.at_dt(bad)
