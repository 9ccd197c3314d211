"""A sweep's results: one CSV row per point, the file replaced atomically each time a point finishes.

Columns: ``point`` (the point's identity, :func:`sweep.spec.point_id`), ``status`` (ok or failed),
the spec's keys, then the figures the points returned, ``error`` and ``worker``. A row whose status
is ok is done: a second run of the same spec skips it. A failed row is run again.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from snn_mnist.atomic_files import atomic_path


class Table:
    """The rows of one results file, by point."""

    def __init__(self, path: str | Path, keys: list[str]):
        self.path = Path(path)
        self.keys = keys
        self.rows: dict[str, dict[str, str]] = {}
        if self.path.is_file():
            with open(self.path, newline="") as f:
                for row in csv.DictReader(f):
                    if row.get("point"):
                        self.rows[row["point"]] = row

    def done(self, point: str) -> bool:
        return self.rows.get(point, {}).get("status") == "ok"

    def add(self, point: str, values: dict[str, Any], outcome: dict[str, Any]) -> None:
        """Record a finished point (its values and what it returned) and write the file again."""
        row = {"point": point, **{k: _text(v) for k, v in values.items()}, **{k: _text(v) for k, v in outcome.items()}}
        self.rows[point] = row
        self.write()

    def columns(self) -> list[str]:
        first = ["point", "status", *self.keys]
        rest = dict.fromkeys(k for row in self.rows.values() for k in row if k not in first)
        last = [k for k in ("error", "worker") if k in rest]
        return first + [k for k in rest if k not in last] + last

    def write(self) -> None:
        columns = self.columns()
        with atomic_path(self.path) as tmp, open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(self.rows.values())


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)  # read back exactly
    return str(value)
