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


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    The temporary name keeps ``path``'s suffix, so writers that choose a format by suffix
    (matplotlib, ``np.savez``) behave as they would on ``path`` itself. The new file has the mode
    a plain ``open`` would give it (0666 less the umask, which the OS applies: the process-wide
    umask is never changed, so threads may write at once), or the mode of the file it replaces.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.stem}.{secrets.token_hex(6)}{path.suffix}"
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.stat(path).st_mode):
                os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


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
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in (*names, "metadata") if k not in archive.files]
            arrays = {k: archive[k] for k in (*names, *optional) if k not in missing and k in archive.files}
            metadata = json.loads(str(archive["metadata"])) if "metadata" not in missing else None
    except (OSError, ValueError, TypeError, AttributeError, zipfile.BadZipFile, EOFError) as exc:
        raise error(f"{path}: unreadable {what} ({exc})") from None
    if missing:
        raise error(f"{path}: not a {what} (missing {', '.join(missing)})")
    if not isinstance(metadata, dict):
        raise error(f"{path}: unreadable {what} (its metadata is not a JSON object)")
    return arrays, metadata
