"""Property-based: whatever option values or corruption of a weights file a user brings, ``snn-mnist``
either succeeds with a valid result (exit 0) or refuses in one line (exit 2); it never ends in a
traceback and never changes an input file. Run in-process, so that any uncaught exception (what a
user would see as a traceback) fails the test."""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snn_mnist import weights
from snn_mnist.cli.main import main

pytestmark = pytest.mark.slow

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory) -> Path:
    """Seeded random 784-32-10 lif-lif weights (a test fixture, not a model)."""
    from snn_mnist.neuron_models.topology import TOPOLOGIES

    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("invariants") / "w.npz"
    weights.save(weights.NetworkWeights(topology=TOPOLOGIES["lif-lif"].with_hidden(32),
                                        w_input_hidden=rng.normal(0.4, 2.0, (784, 32)).astype(np.float32),
                                        w_hidden_output=rng.normal(1.0, 6.0, (32, 10)).astype(np.float32)), path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(capsys, *argv) -> tuple[int, str, str]:
    """``snn-mnist argv`` in this process: exit status, stdout, stderr (argparse's exit is a status too)."""
    capsys.readouterr()
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


def assert_valid_or_one_line(status: int, out: str, err: str, command: str) -> None:
    assert status in (0, 2), (status, err)
    if status == 0:
        assert "accuracy " in out, out
    else:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"snn-mnist {command}: error: "), err


numbers = st.one_of(st.integers(-3, 3), st.sampled_from([10**9, -(10**9), 2**32, 2**64]))
reals = st.one_of(st.sampled_from([0.0, -1.0, math.nan, math.inf, -math.inf, 1e-300, 1e300, 0.3, 0.5, 1.0, 2.5, 11.0]),
                  st.floats(0.2, 5.0))
option_values = st.fixed_dictionaries({}, optional={
    "--n": numbers.map(lambda n: abs(n) % 4 if abs(n) < 10 else n),
    "--start": st.one_of(st.integers(-2, 3), st.just(299), st.just(300), st.just(10**12)),
    "--steps": st.one_of(st.integers(-2, 30), st.sampled_from([0, 100_001, 10**9])),
    "--dt": reals,
    "--seed": st.one_of(st.integers(-(2**33), 2**33), st.sampled_from(["1.5", "x", "", "-0"])),
    "--threads": st.integers(-2, 2),
    "--input": st.sampled_from(["poisson", "frozen", "latency"]),
})


@SETTINGS
@given(values=option_values)
def test_any_option_values_give_a_result_or_one_line(capsys, weights_file, values):
    before = digest(weights_file)
    argv = ["simulate", "--backend", "runtime", "--sample", "--weights", weights_file]
    for option, value in values.items():
        if value is not None:
            argv += [option, value]
    if "--n" not in values:
        argv += ["--n", 2]
    status, out, err = run(capsys, *argv)
    assert_valid_or_one_line(status, out, err, "simulate")
    assert digest(weights_file) == before


def metadata_of(path: Path) -> dict:
    with np.load(path) as archive:
        return json.loads(str(archive["metadata"]))


def rewritten(path: Path, target: Path, metadata: dict) -> None:
    """``path``'s archive with its metadata replaced, written to ``target``."""
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files if k != "metadata"}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, metadata=np.array(json.dumps(metadata)))
    target.write_bytes(buffer.getvalue())


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(),
                                     st.text(max_size=8)),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                        max_size=3),
                           max_leaves=5)


def paths_into(metadata: dict, prefix=()) -> list[tuple]:
    found = []
    for key, value in metadata.items():
        found.append((*prefix, key))
        if isinstance(value, dict):
            found += paths_into(value, (*prefix, key))
    return found


corruptions = st.one_of(
    st.tuples(st.just("bytes"), st.lists(st.tuples(st.integers(0, 10**7), st.integers(0, 255)), min_size=1,
                                         max_size=8)),
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("metadata"), st.integers(0, 10**6), json_values),
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
)


@SETTINGS
@given(corruption=corruptions)
def test_any_corruption_of_a_weights_file_gives_a_result_or_one_line(capsys, weights_file, tmp_path_factory,
                                                                      corruption):
    target = tmp_path_factory.mktemp("corrupt") / "w.npz"
    data = bytearray(weights_file.read_bytes())
    kind = corruption[0]
    if kind == "bytes":
        for offset, value in corruption[1]:
            data[offset % len(data)] = value
        target.write_bytes(bytes(data))
    elif kind == "truncate":
        target.write_bytes(bytes(data[: int(len(data) * corruption[1])]))
    else:
        metadata = metadata_of(weights_file)
        where = paths_into(metadata)[corruption[1] % len(paths_into(metadata))]
        holder = metadata
        for key in where[:-1]:
            holder = holder[key]
        if kind == "metadata":
            holder[where[-1]] = corruption[2]
        else:
            del holder[where[-1]]
        rewritten(weights_file, target, metadata)
    before = digest(target)
    status, out, err = run(capsys, "simulate", "--backend", "runtime", "--sample", "--n", 2, "--weights", target)
    assert_valid_or_one_line(status, out, err, "simulate")
    assert digest(target) == before
    assert zipfile.is_zipfile(weights_file)  # the original is untouched too
