"""A sweep's results hold up: concurrent writers each add their rows, a row counts as done only when it
reads back whole, a damaged file is refused in one line or its damaged rows recomputed (and the file
kept), and a spec's size is checked before any point is made."""

from __future__ import annotations

import csv
import multiprocessing
import sqlite3
import time

import pytest

from snn_mnist.sweep.spec import MAX_POINTS, SpecError, parse
from snn_mnist.sweep.table import Table, TableError

KEYS = ["model", "seed"]


def point(k: int, writer: str = "a") -> str:
    return f"{writer}{k:015x}"[-16:] if writer != "a" else f"{k:016x}"


def outcome(k: int) -> dict:
    return {"status": "ok", "accuracy": 0.9 + k / 1e4, "correct": 90 + k, "seconds": 1.5, "worker": f"host:{k}"}


def csv_rows(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _writer(path: str, prefix: str, n: int) -> None:
    table = Table(path, KEYS)
    for k in range(n):
        table.add(f"{prefix}{k:015x}", {"model": f"m{prefix}", "seed": k}, outcome(k))
    table.close()


def test_two_processes_writing_one_table_each_add_their_rows(tmp_path):
    out = tmp_path / "results.csv"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(out), prefix, 40)) for prefix in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    rows = csv_rows(out)
    assert len(rows) == 80 and len({r["point"] for r in rows}) == 80
    assert {r["model"] for r in rows} == {"ma", "mb"}
    again = Table(out, KEYS)
    assert sum(again.done(p) for p in again.rows) == 80
    again.close()


def test_a_second_spec_on_the_same_results_adds_its_rows(tmp_path):
    out = tmp_path / "results.csv"
    first, second = Table(out, ["model"]), Table(out, ["rotate"])  # two runs, open at once
    first.add(point(1), {"model": "lif-lif"}, outcome(1))
    second.add(point(2), {"rotate": 15.0}, outcome(2))
    first.add(point(3), {"model": "if-if"}, outcome(3))
    first.close()
    second.close()
    rows = {r["point"]: r for r in csv_rows(out)}
    assert set(rows) == {point(1), point(2), point(3)}
    assert rows[point(2)]["rotate"] == "15.0" and rows[point(1)]["model"] == "lif-lif"
    assert rows[point(3)]["accuracy"] == repr(0.9003)  # read back exactly


def _old_table(path, rows: list[dict]) -> None:
    """A CSV as a sweep wrote it before the database (or copied without it)."""
    columns = ["point", "status", *KEYS, "accuracy", "correct", "seconds", "error", "worker"]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def _ok(k: int) -> dict:
    return {"point": point(k), "status": "ok", "model": "lif-lif", "seed": k, **{
        k_: v for k_, v in outcome(k).items() if k_ != "status"}}


def test_a_row_cut_after_its_ok_status_is_not_done_and_is_reported(tmp_path):
    out = tmp_path / "results.csv"
    _old_table(out, [_ok(0), _ok(1)])
    text = out.read_text()
    cut = text[:text.rindex(f"{point(1)},ok,") + len(f"{point(1)},ok,")]  # the last row ends after its status
    out.write_text(cut)
    table = Table(out, KEYS)
    assert table.done(point(0)) and not table.done(point(1))
    assert any("row 2: cut short" in d for d in table.damaged)
    kept = tmp_path / "results.damaged.csv"
    assert table.kept == kept and len(table.damaged) == 1
    assert kept.read_text() == cut  # the file as it was
    table.add(point(1), {"model": "lif-lif", "seed": 1}, outcome(1))  # its point, run again
    table.close()
    assert [r["status"] for r in csv_rows(out)] == ["ok", "ok"]


def test_an_unbalanced_quote_keeps_no_garbage_row(tmp_path):
    out = tmp_path / "results.csv"
    _old_table(out, [_ok(0), _ok(1), _ok(2)])
    lines = out.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("lif-lif", '"lif-lif', 1)  # row 2 opens a quote it never closes
    out.write_text("".join(lines))
    table = Table(out, KEYS)
    assert table.done(point(0))
    assert not table.done(point(1)) and not table.done(point(2))  # swallowed into one field: not whole
    assert table.damaged and set(table.rows) == {point(0)}
    table.close()


@pytest.mark.parametrize("content, reason", [
    (bytes(range(256)) * 8, "not a CSV results table"),
    (b"a,b\n\x00\x01,2\n", "NUL"),
    (b"name,value\nx,1\n", "no point and status columns"),
])
def test_a_file_that_is_not_a_results_table_is_refused_in_one_line(tmp_path, content, reason):
    out = tmp_path / "results.csv"
    out.write_bytes(content)
    with pytest.raises(TableError, match=reason) as refused:
        Table(out, KEYS)
    assert "\n" not in str(refused.value)
    assert out.read_bytes() == content  # left as it was


def test_a_damaged_database_is_refused_in_one_line(tmp_path):
    out = tmp_path / "results.csv"
    out.with_suffix(".sqlite").write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(TableError, match="not a results database SQLite can read"):
        Table(out, KEYS)


def test_the_csv_follows_the_database_after_a_crash(tmp_path):
    out = tmp_path / "results.csv"
    table = Table(out, KEYS)
    table.add(point(0), {"model": "lif-lif", "seed": 0}, outcome(0))
    table.add(point(1), {"model": "lif-lif", "seed": 1}, outcome(1))  # within CSV_SECONDS: not yet in the CSV
    table._db.close()  # the process dies: no close(), no last CSV
    assert len(csv_rows(out)) == 1
    reopened = Table(out, KEYS)  # the next run brings the CSV up to date before it starts
    assert len(csv_rows(out)) == 2 and reopened.done(point(1))
    reopened.close()
    with sqlite3.connect(out.with_suffix(".sqlite")) as db:
        assert db.execute("SELECT count(*) FROM results").fetchone() == (2,)


def test_read_only_reads_a_csv_without_writing_anything(tmp_path):
    out = tmp_path / "results.csv"
    _old_table(out, [_ok(0)])
    before = out.read_bytes()
    table = Table(out, KEYS, read_only=True)
    assert table.done(point(0))
    table.close()
    assert out.read_bytes() == before and not out.with_suffix(".sqlite").exists()


def test_a_huge_grid_is_refused_before_any_point_is_made():
    grid = {"seed": list(range(1000)), "rotate": list(range(720)), "n": list(range(1000))}  # 720 million
    started = time.perf_counter()
    with pytest.raises(SpecError, match=r"720,000,000 points .* more than the 100,000"):
        parse({"fixed": {"model": "lif-lif"}, "grid": grid})
    assert time.perf_counter() - started < 5
    assert len(parse({"fixed": {"model": "lif-lif"}, "grid": {"seed": list(range(MAX_POINTS))}}).points) == MAX_POINTS
