"""Atomic writes and the shared .npz + JSON container."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from snn_mnist.atomic_files import (
    OutputError,
    atomic_path,
    check_distinct,
    check_output,
    load_npz,
    save_npz,
    write_json,
)


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
    with pytest.raises(ValueError, match=r"bad.npz: not a thing file \(not an .npz archive\)"):
        load_npz(tmp_path / "bad.npz", ("a",), what="thing file")


def test_a_symlink_is_written_through_and_keeps_its_target_mode(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("{}")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_json(link, {"x": 2})
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == '{\n  "x": 2\n}\n' and mode(target) == 0o600


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_what_is_not_a_regular_file_is_never_replaced(tmp_path, kind):
    path = tmp_path / "out.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/null")
    with pytest.raises(OutputError, match="give a file name to write"):
        write_json(path, {"x": 1})
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISDIR if kind == "folder" else stat.S_ISCHR)(
        os.stat(path).st_mode)


@pytest.mark.parametrize("path, formats, directory, message", [
    ("", (), False, "an output path is empty"),
    ("c.xyz", (".png", ".pdf"), False, r"unknown format \.xyz; use one of \.png, \.pdf"),
    ("file.txt/out.json", (), False, r"file.txt is a file, not a folder"),
    ("file.txt", (), True, "not a folder"),
    ("sub", (), False, "a folder; give a file name"),
])
def test_outputs_are_checked_before_any_work(tmp_path, monkeypatch, path, formats, directory, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file.txt").write_text("mine")
    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputError, match=message):
        check_output(path, formats, directory=directory)
    assert (tmp_path / "file.txt").read_text() == "mine"
    check_output("new/deeper/out.png", (".png",))  # folders yet to be made are fine
    check_output("new/folder", directory=True)


def test_an_output_that_is_an_input_is_refused(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")
    (tmp_path / "alias.jpg").symlink_to(photo)
    os.link(photo, tmp_path / "hard.jpg")
    for output in (photo, tmp_path / "alias.jpg", tmp_path / "hard.jpg", tmp_path / "x" / ".." / "photo.jpg"):
        with pytest.raises(OutputError, match=r"--prepared .* is the input IMAGE .*refusing to overwrite it"):
            check_distinct({"--prepared": output}, {"IMAGE": photo})
    with pytest.raises(OutputError, match="is the output --json"):
        check_distinct({"--json": tmp_path / "a.json", "--out": tmp_path / "a.json"}, {})
    check_distinct({"--prepared": tmp_path / "prepared.png"}, {"IMAGE": photo})
