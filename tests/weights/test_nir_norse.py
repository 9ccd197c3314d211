"""A network that Norse 1.1.0 (the release on PyPI) trained and exported itself: Norse writes its time
constants as dt * tau, which is refused unless the user names the convention, and imported with it
Brian2 gives the output spike counts Norse gave on the same frozen input.

``tests/data/norse_1.1_lifcell_784-16-10.nir`` and its ``.npz`` of counts were written by
``scripts/norse_nir_agreement.py --test-file`` with Norse 1.1.0 installed (float64 reference run)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nir")

from snn_mnist.atomic_files import load_npz  # noqa: E402
from snn_mnist.networks.simulation import input_spikes, simulate  # noqa: E402
from snn_mnist.weights import WeightsError, load  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"
NORSE_FILE = DATA / "norse_1.1_lifcell_784-16-10.nir"


def test_a_norse_1_1_file_is_refused_with_a_message_naming_the_option():
    with pytest.raises(WeightsError, match=r"time constant of 5e-06 s.*Norse 1.1.0 writes dt \* tau.*"
                                           r"--nir-convention norse-1.1"):
        load(NORSE_FILE)


def test_imported_as_norse_1_1_its_taus_are_norses_euler_decays_kept_exactly():
    weights = load(NORSE_FILE, nir_convention="norse-1.1")
    # LIFCell's defaults, tau_mem 10 ms and tau_syn 5 ms, stepped by Euler at 1 ms: decays 0.9 and 0.8 a step
    assert weights.topology.hidden_neuron.tau_m_ms == pytest.approx(-1.0 / math.log(0.9), rel=1e-6)
    assert weights.synapse.kind == "cuba" and weights.synapse.tau_syn_ms == pytest.approx(-1.0 / math.log(0.8), rel=1e-6)
    assert (weights.dt_ms, weights.step_order, weights.topology.n_hidden) == (1.0, "input-first", 16)


@pytest.mark.parametrize("backend", ["runtime", "cpp"])
def test_brian2_gives_the_counts_norse_gave_on_the_same_input(backend, sample_digits):
    weights = load(NORSE_FILE, nir_convention="norse-1.1")
    arrays, meta = load_npz(NORSE_FILE.with_suffix(".npz"), ("norse_counts",), what="counts", error=ValueError)
    images = sample_digits[0][:50]  # the first 50 MNIST test digits
    frozen = input_spikes(images, weights, seed=1)
    brian = simulate(weights, images, backend=backend, input_mode="frozen", frozen=frozen)
    norse = arrays["norse_counts"].astype(np.int64)
    assert norse.sum() > 100  # the network fires
    np.testing.assert_array_equal(brian.output_counts, norse)


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "snn_mnist.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_the_command_names_the_option_and_runs_with_it():
    refused = cli("simulate", "--weights", NORSE_FILE, "--backend", "runtime", "--n", "5")
    assert refused.returncode == 2 and "--nir-convention norse-1.1" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = cli("simulate", "--weights", NORSE_FILE, "--nir-convention", "norse-1.1", "--backend", "runtime",
               "--n", "20")
    assert done.returncode == 0, done.stderr
    assert "accuracy" in done.stdout
