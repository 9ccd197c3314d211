"""Write files so that a crash or a second process never leaves a half-written one behind, and the
one container the project's files share: a NumPy ``.npz`` of named arrays plus a JSON ``metadata``."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import zipfile
from pathlib import Path
from typing import Iterator

import numpy as np


class OutputError(ValueError):
    """An output path that cannot or must not be written, in one line."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    The temporary name keeps ``path``'s suffix, so writers that choose a format by suffix
    (matplotlib, ``np.savez``) behave as they would on ``path`` itself. A symlink is written through
    to its target; what exists and is not a regular file (a device, a pipe, a directory) is never
    replaced (:class:`OutputError`). The new file has the mode and owner of the file it replaces, or
    the mode a plain ``open`` would give it (0666 less the umask, which the OS applies: the
    process-wide umask is never changed, so threads may write at once).
    """
    path = Path(os.path.realpath(check_output(path)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.stem}.{secrets.token_hex(6)}{path.suffix}"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        with contextlib.suppress(FileNotFoundError):
            old = os.stat(path)
            if not stat.S_ISREG(old.st_mode):  # appeared while we wrote
                raise OutputError(f"{path}: not a regular file (a directory, device or pipe); not replaced")
            os.chmod(tmp, stat.S_IMODE(old.st_mode))
            if (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(PermissionError):
                    os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def check_output(path: str | os.PathLike, formats: tuple[str, ...] = (), *, directory: bool = False) -> Path:
    """``path`` if a file (or, with ``directory``, a folder) can be written there, else
    :class:`OutputError`: checked before any work starts, so that nothing is computed for an output
    that would fail. ``formats``: the suffixes allowed (lower case, with the dot), if any."""
    if str(path).strip() == "":
        raise OutputError("an output path is empty")
    path = Path(path)
    target = Path(os.path.realpath(path))
    if target.exists():
        if directory and not target.is_dir():
            raise OutputError(f"{path}: not a folder")
        if not directory and not target.is_file():
            kind = "a folder" if target.is_dir() else "not a regular file (a device, pipe or socket)"
            raise OutputError(f"{path}: {kind}; give a file name to write")
    folder = target if directory else target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise OutputError(f"{path}: no permission to write {'there' if not target.exists() else 'it'}")
    if formats and not directory and path.suffix.lower() not in formats:
        raise OutputError(f"{path}: unknown format {path.suffix or '(no suffix)'}; use one of {', '.join(formats)}")
    return path


def check_distinct(outputs: dict[str, str | os.PathLike], inputs: dict[str, str | os.PathLike]) -> None:
    """:class:`OutputError` if an output would overwrite an input of the same run, or another output
    (through a symlink or a hard link too). Keys name the option, for the message."""
    def identity(path):
        real = os.path.realpath(path)
        try:
            info = os.stat(real)
            return (info.st_dev, info.st_ino)
        except OSError:
            return real

    seen: dict = {}
    for name, path in inputs.items():
        seen.setdefault(identity(path), ("input", name, path))
    for name, path in outputs.items():
        key = identity(path)
        if key in seen:
            role, other, other_path = seen[key]
            raise OutputError(f"{name} {path} is the {role} {other} ({other_path}); refusing to overwrite it")
        seen[key] = ("output", name, path)


def write_json(path: str | os.PathLike, data) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2) + "\n")


def save_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray], metadata: dict, *, compressed: bool = True) -> None:
    """Write ``arrays`` and ``metadata`` (as a JSON string under ``"metadata"``) to ``path``, atomically."""
    write = np.savez_compressed if compressed else np.savez
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            write(f, **arrays, metadata=np.array(json.dumps(metadata)))


def load_npz(path: str | os.PathLike, names: tuple[str, ...], *, what: str,
             error: type[Exception] = ValueError, optional: tuple[str, ...] = ()) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays ``names`` (and those of ``optional`` that the file has) and the metadata of a file
    :func:`save_npz` wrote.

    Anything wrong (no such file, not a zip, a missing array, metadata that is not JSON) raises
    ``error`` with one line that calls the file ``what`` ("weights file", "checkpoint", ...).
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} not found: {path}")
    try:
        archive_kind = zipfile.is_zipfile(path)
    except OSError as exc:
        raise error(f"{path}: unreadable {what} ({exc.strerror or exc})") from None
    if not archive_kind:  # text, a bare .npy renamed: never NumPy's advice on pickles
        raise error(f"{path}: not a {what} (not an .npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in (*names, "metadata") if k not in archive.files]
            arrays = {k: archive[k] for k in (*names, *optional) if k not in missing and k in archive.files}
            metadata = json.loads(str(archive["metadata"])) if "metadata" not in missing else None
    except Exception as exc:  # whatever a damaged archive raises (zlib, zipfile, NumPy): the file is unreadable
        raise error(f"{path}: unreadable {what} ({exc})") from None
    if missing:
        raise error(f"{path}: not a {what} (missing {', '.join(missing)})")
    if not isinstance(metadata, dict):
        raise error(f"{path}: unreadable {what} (its metadata is not a JSON object)")
    return arrays, metadata
