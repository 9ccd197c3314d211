"""Atomic writes and the shared .npz + JSON container."""

from __future__ import annotations

import os
import stat
import threading

import numpy as np
import pytest

from snn_mnist.atomic_files import atomic_path, load_npz, save_npz, write_json


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_umask_mode_and_the_umask_is_left_alone(tmp_path):
    old = os.umask(0o027)
    try:
        write_json(tmp_path / "a.json", {"x": 1})
        assert mode(tmp_path / "a.json") == 0o640
        assert os.umask(0o027) == 0o027  # nobody changed it meanwhile
    finally:
        os.umask(old)


def test_a_replaced_file_keeps_its_mode_and_no_temporary_is_left(tmp_path):
    target = tmp_path / "w.json"
    target.write_text("{}")
    target.chmod(0o600)
    write_json(target, {"y": 2})
    assert mode(target) == 0o600 and target.read_text() == '{\n  "y": 2\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["w.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_threads_write_at_once_without_clashing(tmp_path):
    threads = [threading.Thread(target=write_json, args=(tmp_path / f"{k}.json", {"k": k})) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{k}.json" for k in range(16))


def test_the_container_round_trips_and_names_what_is_wrong(tmp_path):
    save_npz(tmp_path / "c.npz", {"a": np.arange(3.0)}, {"format_version": 1})
    arrays, meta = load_npz(tmp_path / "c.npz", ("a",), what="thing file")
    assert arrays["a"].tolist() == [0.0, 1.0, 2.0] and meta == {"format_version": 1}
    with pytest.raises(ValueError, match=r"c.npz: not a thing file \(missing b\)"):
        load_npz(tmp_path / "c.npz", ("a", "b"), what="thing file")
    with pytest.raises(KeyError, match="thing file not found"):
        load_npz(tmp_path / "none.npz", ("a",), what="thing file", error=KeyError)
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="unreadable thing file"):
        load_npz(tmp_path / "bad.npz", ("a",), what="thing file")
