"""The MNIST data set: IDX files from a configurable directory, checked against known MD5 sums.

The directory is, in order of precedence, the ``data_dir`` argument (``--data-dir`` on the
command line), the ``SNN_MNIST_DATA`` environment variable, or ``~/.cache/snn-mnist/mnist``.
:func:`download` fetches the official files into it when the machine is online.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np

from snn_mnist.atomic_files import atomic_path

ENV_VAR = "SNN_MNIST_DATA"
DEFAULT_DIR = Path.home() / ".cache" / "snn-mnist" / "mnist"

FILES = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


class DataError(RuntimeError):
    """MNIST files that are missing, corrupt or unreadable."""


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """Where the MNIST files are looked for."""
    return Path(explicit or os.environ.get(ENV_VAR) or DEFAULT_DIR).expanduser()


def md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise DataError(
            f"MNIST file {path} not found; point --data-dir or ${ENV_VAR} at the MNIST files, "
            "or run 'snn-mnist download'"
        )
    try:
        digest = md5(path)
    except OSError as exc:
        raise DataError(f"MNIST file {path} is unreadable ({exc.strerror or exc})") from None
    if digest != FILES[name]:
        raise DataError(f"MNIST file {path} is corrupt (MD5 mismatch); delete it and download it again")
    return path


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"MNIST file {path} is unreadable ({exc})") from None
    magic = int.from_bytes(raw[:4], "big")
    if magic != 0x800 + ndim:
        raise DataError(f"MNIST file {path} is not an IDX file of {ndim} dimension(s)")
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise DataError(f"MNIST file {path} is truncated")
    return data.reshape(shape)


def load(split: str = "test", directory: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Images as uint8 ``(n, 784)`` and labels as uint8 ``(n,)`` of the ``train`` or ``test`` split."""
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r} (choose train or test)")
    directory = data_dir(directory)
    images_name, labels_name, n = SPLITS[split]
    images = _read_idx(_checked(directory, images_name), 3).reshape(-1, 28 * 28)
    labels = _read_idx(_checked(directory, labels_name), 1)
    if len(images) != n or len(labels) != n:
        raise DataError(f"MNIST {split} split in {directory} has {len(images)} images, expected {n}")
    return images, labels


def checksum(split: str) -> str:
    """MD5 of the images file of ``split``: identifies the data a model was trained on."""
    return FILES[SPLITS[split][0]]


def download(directory: str | os.PathLike | None = None, timeout: float = 60.0) -> Path:
    """Fetch any missing or corrupt official MNIST file into ``directory``, verifying each."""
    directory = data_dir(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, expected in FILES.items():
        path = directory / name
        if path.is_file() and md5(path) == expected:
            continue
        errors = []
        for mirror in MIRRORS:
            try:
                with urllib.request.urlopen(mirror + name, timeout=timeout) as response:
                    payload = response.read()
            except OSError as exc:
                errors.append(f"{mirror}: {exc}")
                continue
            if hashlib.md5(payload).hexdigest() != expected:
                errors.append(f"{mirror}: checksum mismatch")
                continue
            with atomic_path(path) as tmp:
                tmp.write_bytes(payload)
            break
        else:
            raise DataError(f"could not download {name}: {'; '.join(errors)}")
    return directory
