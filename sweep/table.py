"""A sweep's results: kept in an SQLite database, ``OUT.sqlite``, and written from it as the CSV table
``OUT.csv`` that users read.

Each finished point is one row of the database, committed as it comes. The CSV is written again from
every committed row (an atomic replace) under the database's write lock, at most every
:data:`CSV_SECONDS` and when the table is closed (the sweep ends, or is interrupted), and on opening,
so a CSV a crash left behind is brought up to date. Two sweeps that write the same results, with the
same spec or others, each add their rows and neither rewrites the other's away; a crash loses no
committed row.

CSV columns: ``point`` (the point's identity, :func:`sweep.spec.point_id`), ``status`` (ok or failed),
the points' keys, then the figures the points returned, ``error`` and ``worker``. A row whose status is
ok is done: a second run of a spec skips it. A failed row is run again.

A CSV without its database (a table from before the database, or one copied alone) is read into a new
database once. Each of its rows must read back whole: every column of the header present and no more,
its point a 16-digit identity, its status ok or failed, and an ok row with every figure filled in and
no error. A row that is not whole is reported and not counted as done (its point runs again); the file
as it was is kept beside it (``OUT.damaged.csv``). A file that is not a CSV table at all, or a database
that SQLite cannot read, is refused in one line (:class:`TableError`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from snn_mnist.atomic_files import atomic_path

POINT = re.compile(r"[0-9a-f]{16}")
STATUSES = ("ok", "failed")
LAST = ("error", "worker")  # the columns written last
WAIT_SECONDS = 120  # how long a writer waits for another's transaction (a CSV written) before giving up
CSV_SECONDS = 2.0  # the CSV is written again at most this often while points finish


class TableError(ValueError):
    """Results that cannot be read or written: one line naming the file."""


class Table:
    """The rows of one results table, by point: ``rows[point]`` is its CSV row (column -> text).

    ``read_only``: read what is there (the database, else the CSV's whole rows) and write nothing: what
    a script that reads a sweep's results uses."""

    def __init__(self, path: str | Path, keys: list[str], *, read_only: bool = False):
        self.path = Path(path)
        self.database = self.path.with_suffix(".sqlite")
        self.keys = keys
        self.read_only = read_only
        self.damaged: list[str] = []  # rows of a CSV read without its database that were not whole, and why
        self.kept: Path | None = None  # where that CSV, as it was, is kept when it had such rows
        self._db = None
        if read_only and not self.database.exists():
            whole, self.damaged = self._csv_records() if self.path.exists() else ([], [])
            self.rows = {r["point"]: _row(r["point"], r["status"], _values(r), {}) for r in whole}
            return
        fresh = not self.database.exists()
        try:
            if read_only:
                self._db = sqlite3.connect(f"{self.database.resolve().as_uri()}?mode=ro", uri=True, timeout=WAIT_SECONDS)
            else:
                self._db = sqlite3.connect(self.database, timeout=WAIT_SECONDS, isolation_level=None)
                self._db.execute("CREATE TABLE IF NOT EXISTS results (point TEXT PRIMARY KEY, status TEXT NOT NULL, "
                                 "point_values TEXT NOT NULL, outcome TEXT NOT NULL)")
        except sqlite3.Error as exc:
            raise TableError(f"{self.database}: not a results database SQLite can read ({exc})") from None
        if read_only:
            self.rows = self._read()
            return
        if fresh and self.path.exists():
            self._import_csv()
        self.flush()  # also reads the rows
        self._written = 0.0  # the first point finished goes into the CSV at once

    # --- reading ---------------------------------------------------------------------------------
    def _read(self) -> dict[str, dict[str, str]]:
        try:
            stored = self._db.execute("SELECT point, status, point_values, outcome FROM results ORDER BY rowid").fetchall()
        except sqlite3.Error as exc:
            raise TableError(f"{self.database}: cannot read the results ({exc})") from None
        rows = {}
        for point, status, values, outcome in stored:
            try:
                rows[point] = _row(point, status, json.loads(values), json.loads(outcome))
            except (ValueError, TypeError):
                raise TableError(f"{self.database}: the row of point {point} does not read back") from None
        return rows

    def done(self, point: str) -> bool:
        return self.rows.get(point, {}).get("status") == "ok"

    def _csv_records(self) -> tuple[list[dict[str, str]], list[str]]:
        """The CSV's whole rows, and why each other row is not whole."""
        try:
            text = self.path.read_bytes().decode("utf-8")
            if "\0" in text:
                raise ValueError("it holds NUL bytes")
            reader = csv.DictReader(io.StringIO(text, newline=""))
            header = reader.fieldnames or []
            records = list(reader)
        except (ValueError, csv.Error) as exc:  # UnicodeDecodeError is a ValueError
            raise TableError(f"{self.path}: not a CSV results table ({exc}); move it away or name another --out") from None
        if records and ("point" not in header or "status" not in header):
            raise TableError(f"{self.path}: not a results table (no point and status columns); move it away or "
                             "name another --out")
        whole, damaged = [], []
        for number, record in enumerate(records, start=1):
            reason = _damage(record, header)
            if reason:
                damaged.append(f"row {number}: {reason}")
            else:
                whole.append({k: record[k] for k in header})
        return whole, damaged

    def _import_csv(self) -> None:
        """Read the CSV's whole rows into the new database; report the others and keep the file as it was."""
        whole, self.damaged = self._csv_records()
        with self._transaction():
            for record in whole:
                self._db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)",
                                 (record["point"], record["status"], json.dumps(_values(record)), json.dumps({})))
        if self.damaged:
            self.kept = _free_name(self.path.with_suffix(".damaged.csv"))
            shutil.copy2(self.path, self.kept)

    # --- writing ---------------------------------------------------------------------------------
    def add(self, point: str, values: dict[str, Any], outcome: dict[str, Any]) -> None:
        """Record a finished point (its values and what it returned); the CSV follows (:meth:`flush`)."""
        if self.read_only:
            raise TableError(f"{self.path}: opened read-only")
        outcome = dict(outcome)
        status = outcome.pop("status")
        texts = {k: _text(v) for k, v in values.items()}
        figures = {k: _text(v) for k, v in outcome.items()}
        try:
            with self._transaction():
                self._db.execute("INSERT INTO results VALUES (?, ?, ?, ?) ON CONFLICT(point) DO UPDATE SET "
                                 "status = excluded.status, point_values = excluded.point_values, "
                                 "outcome = excluded.outcome", (point, status, json.dumps(texts), json.dumps(figures)))
        except sqlite3.Error as exc:
            raise TableError(f"{self.database}: cannot record point {point} ({exc})") from None
        self.rows[point] = _row(point, status, texts, figures)
        if time.monotonic() - self._written >= CSV_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the CSV from every committed row (this process's and any other's), under the write lock."""
        try:
            with self._transaction():
                self.rows = self._read()
                self.write()
        except sqlite3.Error as exc:
            raise TableError(f"{self.database}: cannot write the table ({exc})") from None
        self._written = time.monotonic()

    def _transaction(self):
        return _Transaction(self._db)

    def columns(self) -> list[str]:
        first = ["point", "status", *self.keys]
        rest = dict.fromkeys(k for row in self.rows.values() for k in row if k not in first)
        return first + [k for k in rest if k not in LAST] + [k for k in LAST if k in rest]

    def write(self) -> None:
        columns = self.columns()
        with atomic_path(self.path) as tmp, open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(self.rows.values())

    def close(self) -> None:
        """Write the CSV a last time and let the database go."""
        if self._db is None:
            return
        try:
            if not self.read_only:
                self.flush()
        finally:
            self._db.close()
            self._db = None


class _Transaction:
    """``BEGIN IMMEDIATE``: the database's write lock from the start, so that a CSV is written by one
    process at a time, from every committed row."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False


def _row(point: str, status: str, values: dict[str, str], outcome: dict[str, str]) -> dict[str, str]:
    if not POINT.fullmatch(point) or status not in STATUSES:
        raise ValueError(point)
    return {"point": point, "status": status, **values, **outcome}


def _values(record: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in record.items() if k not in ("point", "status") and v != ""}


def _damage(record: dict, header: list[str]) -> str | None:
    """Why a CSV row is not whole, or None."""
    if None in record:
        return "more fields than the header has columns"
    missing = [k for k in header if record.get(k) is None]
    if missing:
        return f"cut short (no {missing[0]})"
    if not POINT.fullmatch(record["point"]):
        return f"point {record['point'][:40]!r} is not a point's identity"
    if record["status"] not in STATUSES:
        return f"status {record['status'][:40]!r} is neither ok nor failed"
    if record["status"] == "ok":
        if record.get("error"):
            return "an ok row with an error"
        if "worker" in header and not record["worker"]:
            return "an ok row without its figures"
    return None


def _free_name(path: Path) -> Path:
    candidate, k = path, 1
    while candidate.exists():
        candidate, k = path.with_name(f"{path.stem}.{k}{path.suffix}"), k + 1
    return candidate


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)  # read back exactly
    return str(value)
