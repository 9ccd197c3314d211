"""A sweep's spec: a small TOML file that lists the points to run.

    task = "evaluate"            # or "stdp": STDP training runs (snn-mnist stdp train)

    [fixed]                      # what every point shares
    n = 1000
    seed = 0

    [grid]                       # every combination of these lists
    model = ["lif-lif", "if-if"]
    rotate = [0, 15, 30]

    [[points]]                   # and/or points listed one by one, each crossed with the grid
    hidden.tau_m_ms = 10.0       # a field of the hidden neurons' model
    [[points]]
    encoding.type = "latency"    # the input code and its fields (encoding.threshold = 0.1)

A point is ``fixed``, then one combination of ``grid``, then one listed point (none: the grid
alone); a spec of more than :data:`MAX_POINTS` points is refused (counted before any is made). A key may come from one place only. Keys are checked here, each with its type: an unknown
key, a grid entry that is not a list, or a value of the wrong type refuses the whole spec in one
line naming the key (:class:`SpecError`). Whether a value makes sense (a model that exists, an
angle within ±360°, a membrane time constant above zero) is the point's own business: a point
with a bad value fails alone, with its reason, and the others run.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snn_mnist.encoding import CODES
from snn_mnist.neuron_models import SYNAPSES
from snn_mnist.neuron_models.base import NeuronParameters


class SpecError(ValueError):
    """A spec that cannot be read: one line naming the file and the key."""


NUMBER = (int, float)

#: task -> key -> the types its value may have
KEYS: dict[str, dict[str, tuple[type, ...]]] = {
    "evaluate": {
        "model": (str,),  # a bundled model (snn-mnist models)
        "weights": (str,),  # or a weights file, relative to the spec's folder
        "n": (int,),  # digits evaluated, from
        "start": (int,),  # this index of the test set
        "seed": (int,),  # the Poisson draw
        "rotate": NUMBER,  # degrees, counter-clockwise, each digit about its centre of mass
        "steps": (int,),
        "dt_ms": NUMBER,
        "encoding.type": (str,),  # the input code: poisson or latency, and its fields
        **{f"encoding.{field}": NUMBER for code in CODES.values() for field in code.__dataclass_fields__},
        **{f"{layer}.{field}": NUMBER for layer in ("hidden", "output")
           for field in NeuronParameters.__dataclass_fields__},
        **{f"synapse.{field}": NUMBER for model in SYNAPSES.values() for field in model.__dataclass_fields__},
    },
    "stdp": {
        "neurons": (int,),
        "epochs": (int,),
        "n_train": (int,),
        "n_label": (int,),
        "seed": (int,),
        "chunk": (int,),
        "set": (list,),  # NAME=VALUE settings of plasticity.diehl_cook.DiehlCookParameters
    },
}
TABLES = ("fixed", "grid", "points")
MAX_POINTS = 100_000  # points in one spec: each is a row of the results and at least one simulation


@dataclass(frozen=True)
class Spec:
    """The points of a sweep, each a flat dict of keys and values, in the order the spec gives them."""

    path: Path
    task: str
    points: tuple[dict[str, Any], ...]

    @property
    def keys(self) -> list[str]:
        """Every key some point sets, in the order of first appearance."""
        return list(dict.fromkeys(k for p in self.points for k in p))


def point_id(task: str, point: dict[str, Any], inputs: dict[str, str] | None = None) -> str:
    """A point's identity: its task and values, and the digests of the files it reads (``inputs``), so
    that a changed weights file is a new point."""
    text = json.dumps({"task": task, "point": point, "inputs": inputs or {}}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _flat(table: dict, prefix: str = "") -> dict[str, Any]:
    """TOML's dotted keys (``hidden.tau_m_ms``) come back as nested tables: flattened again."""
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _typed(path: Path, task: str, where: str, key: str, value) -> None:
    known = KEYS[task]
    if key not in known:
        raise SpecError(f"{path}: unknown key {where}{key!r} for task {task!r} (known: {', '.join(known)})")
    types = known[key]
    if isinstance(value, bool) or not isinstance(value, types):
        what = {NUMBER: "a number", (int,): "an integer", (str,): "a string", (list,): "a list"}[types]
        raise SpecError(f"{path}: {where}{key} must be {what}, got {value!r}")
    if key == "set" and not all(isinstance(s, str) for s in value):
        raise SpecError(f"{path}: {where}set must be a list of NAME=VALUE strings, got {value!r}")


def load(path: str | Path) -> Spec:
    """Read and check the spec in ``path``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"{path}: no such spec file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read the spec ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None
    return parse(data, path)


def parse(data: dict, path: Path = Path("<spec>")) -> Spec:
    """The points ``data`` (a parsed TOML document) describes."""
    task = data.get("task", "evaluate")
    if task not in KEYS:
        raise SpecError(f"{path}: task must be one of {', '.join(KEYS)}, got {task!r}")
    for key in data:
        if key not in (*TABLES, "task"):
            raise SpecError(f"{path}: unknown key {key!r} (a spec has task, [fixed], [grid] and [[points]])")

    fixed = data.get("fixed", {})
    grid = data.get("grid", {})
    listed = data.get("points", [{}])
    if not isinstance(fixed, dict):
        raise SpecError(f"{path}: fixed must be a table ([fixed])")
    if not isinstance(grid, dict):
        raise SpecError(f"{path}: grid must be a table ([grid])")
    if not isinstance(listed, list) or not listed or not all(isinstance(p, dict) for p in listed):
        raise SpecError(f"{path}: points must be a non-empty array of tables ([[points]])")
    fixed, grid, listed = _flat(fixed), _flat(grid), [_flat(p) for p in listed]

    for key, value in fixed.items():
        _typed(path, task, "fixed.", key, value)
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise SpecError(f"{path}: grid.{key} must be a non-empty list of values, got {values!r}")
        for value in values:
            _typed(path, task, "grid.", key, value)
    for k, point in enumerate(listed):
        for key, value in point.items():
            _typed(path, task, f"points[{k}].", key, value)

    for k, point in enumerate(listed):
        for key in point:
            if key in fixed or key in grid:
                raise SpecError(f"{path}: points[{k}].{key} is also in {'[fixed]' if key in fixed else '[grid]'}; "
                                "a key comes from one place")
    for key in grid:
        if key in fixed:
            raise SpecError(f"{path}: grid.{key} is also in [fixed]; a key comes from one place")
    if task == "evaluate":
        for k, point in enumerate(listed):
            if not any(key in {**fixed, **grid, **point} for key in ("model", "weights")):
                raise SpecError(f"{path}: points[{k}] names no network (give model or weights)")

    count = len(listed) * math.prod(len(values) for values in grid.values())
    if count > MAX_POINTS:
        raise SpecError(f"{path}: {count:,} points ({' x '.join(str(len(v)) for v in grid.values()) or '1'} grid x "
                        f"{len(listed)} listed), more than the {MAX_POINTS:,} one spec may hold; split it")
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())] if grid else [{}]
    points = tuple({**fixed, **combo, **point} for point in listed for combo in combos)
    return Spec(path=path, task=task, points=points)
