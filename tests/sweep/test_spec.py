"""A sweep's spec: the points it describes, and a malformed one refused in one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from snn_mnist.cli.main import main
from snn_mnist.sweep.spec import SpecError, load, parse, point_id


def test_fixed_grid_and_listed_points_cross():
    spec = parse({
        "fixed": {"model": "lif-lif", "n": 50},
        "grid": {"seed": [0, 1], "rotate": [0, 15, 30]},
        "points": [{}, {"hidden": {"tau_m_ms": 10.0}}],  # TOML's dotted key, as tomllib returns it
    })
    assert spec.task == "evaluate" and len(spec.points) == 2 * 2 * 3
    assert spec.points[0] == {"model": "lif-lif", "n": 50, "seed": 0, "rotate": 0}
    assert spec.points[-1] == {"model": "lif-lif", "n": 50, "seed": 1, "rotate": 30, "hidden.tau_m_ms": 10.0}
    assert spec.keys == ["model", "n", "seed", "rotate", "hidden.tau_m_ms"]


def test_the_repository_specs_load():
    root = Path(__file__).resolve().parents[2] / "results" / "sweeps"
    specs = {p.stem: load(p) for p in root.glob("*.toml")}
    assert {"rotation", "poisson_seeds", "stdp_settings"} <= set(specs)
    assert specs["stdp_settings"].task == "stdp" and len(specs["stdp_settings"].points) == 10
    assert len(specs["rotation"].points) == 4 * 7


def test_a_point_is_known_by_its_values_and_its_files():
    a = point_id("evaluate", {"model": "lif-lif", "seed": 0}, {"weights": "abc"})
    assert a == point_id("evaluate", {"seed": 0, "model": "lif-lif"}, {"weights": "abc"})  # order does not matter
    assert a != point_id("evaluate", {"model": "lif-lif", "seed": 1}, {"weights": "abc"})
    assert a != point_id("evaluate", {"model": "lif-lif", "seed": 0}, {"weights": "abd"})  # the file changed


@pytest.mark.parametrize("text, named", [
    ('[fixed]\nmodel = "lif-lif"\nrotat = 3', "'rotat'"),
    ('[grid]\nmodel = "lif-lif"', "grid.model must be a non-empty list"),
    ('[grid]\nmodel = []', "grid.model must be a non-empty list"),
    ('[fixed]\nmodel = "lif-lif"\nn = "many"', "fixed.n must be an integer"),
    ('[fixed]\nmodel = "lif-lif"\nseed = true', "fixed.seed must be an integer"),
    ('[fixed]\nmodel = "lif-lif"\nhidden.tau_m = 3', "'hidden.tau_m'"),
    ('[fixed]\nmodel = "lif-lif"\n[grid]\nn = [1, 2]\n[[points]]\nn = 3', "points[0].n is also in [grid]"),
    ('[fixed]\nn = 3', "points[0] names no network"),
    ('task = "train"', "task must be one of evaluate, stdp"),
    ('[fixd]\nn = 3', "unknown key 'fixd'"),
    ('task = "stdp"\n[fixed]\nset = [1]', "set must be a list of NAME=VALUE strings"),
    ('[fixed\n', "not valid TOML"),
])
def test_a_malformed_spec_is_refused_in_one_line_naming_the_key(tmp_path, capsys, text, named):
    spec = tmp_path / "bad.toml"
    spec.write_text(text)
    with pytest.raises(SpecError, match=None) as caught:
        load(spec)
    assert named in str(caught.value) and str(spec) in str(caught.value)
    assert main(["sweep", str(spec)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and named in err[0] and err[0].startswith("snn-mnist sweep: error:")


def test_a_missing_spec_and_conflicting_options_are_one_line(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "none.toml")]) == 2
    assert "no such spec file" in capsys.readouterr().err
    spec = tmp_path / "s.toml"
    spec.write_text('[fixed]\nmodel = "lif-lif"')
    assert main(["sweep", str(spec), "--workers", "2", "--scheduler", "tcp://x:1"]) == 2
    assert "give one of them" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--scheduler", "x:1"]) == 2
    assert "--scheduler must be an address" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--out", str(tmp_path / "t.txt")]) == 2
