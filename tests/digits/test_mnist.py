"""The MNIST loader: the real files, and every way a file can be wrong."""

import gzip
import shutil

import numpy as np
import pytest

from snn_mnist.digits import mnist
from snn_mnist.digits.mnist import DataError

IMAGES, LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"


def test_reads_the_real_test_set(mnist_dir):
    images, labels = mnist.load("test", mnist_dir)
    assert images.shape == (10000, 784) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert images.max() == 255 and 0.1 < (images > 0).mean() < 0.25  # digits: mostly dark


def test_reads_the_real_training_set(mnist_dir):
    images, labels = mnist.load("train", mnist_dir)
    assert images.shape == (60000, 784)
    assert np.bincount(labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_directory_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path / "env"))
    assert mnist.data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert mnist.data_dir() == tmp_path / "env"
    monkeypatch.delenv(mnist.ENV_VAR)
    assert mnist.data_dir() == mnist.DEFAULT_DIR


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match=f"{IMAGES} not found.*--data-dir"):
        mnist.load("test", tmp_path)


def test_checksum_mismatch(tmp_path):
    with gzip.open(tmp_path / IMAGES, "wb") as f:
        f.write(b"\x00\x00\x08\x03" + bytes(12))
    with pytest.raises(DataError, match="corrupt \\(MD5 mismatch\\)"):
        mnist.load("test", tmp_path)


def test_truncated_copy_of_a_real_file(mnist_dir, tmp_path):
    shutil.copy(mnist_dir / IMAGES, tmp_path / IMAGES)
    data = (mnist_dir / LABELS).read_bytes()
    (tmp_path / LABELS).write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=f"{LABELS} is corrupt"):
        mnist.load("test", tmp_path)


def _accept(monkeypatch, path):
    """Make ``path``'s checksum the expected one, to reach the parser behind the MD5 check."""
    monkeypatch.setitem(mnist.FILES, path.name, mnist.md5(path))


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"\x00\x00\x08\x03" + (10000).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(784), "truncated"),
        (b"\x00\x00\x08\x01" + (10000).to_bytes(4, "big") + bytes(10000), "not an IDX file of 3 dimension"),
    ],
)
def test_bad_idx_content_behind_a_matching_checksum(monkeypatch, tmp_path, payload, message):
    path = tmp_path / IMAGES
    with gzip.open(path, "wb") as f:
        f.write(payload)
    _accept(monkeypatch, path)
    with pytest.raises(DataError, match=message):
        mnist.load("test", tmp_path)


def test_file_that_is_not_gzip(monkeypatch, tmp_path):
    path = tmp_path / IMAGES
    path.write_bytes(b"this is not a gzip file")
    _accept(monkeypatch, path)
    with pytest.raises(DataError, match="unreadable"):
        mnist.load("test", tmp_path)


def test_unknown_split():
    with pytest.raises(DataError, match="unknown split"):
        mnist.load("validation")


def test_download_keeps_intact_files_without_going_online(mnist_dir, monkeypatch):
    def offline(*args, **kwargs):
        raise AssertionError("download fetched a file that was already there")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", offline)
    assert mnist.download(mnist_dir) == mnist_dir


@pytest.mark.parametrize("error", [OSError(5, "Input/output error"), PermissionError(13, "Permission denied")])
def test_a_file_the_disk_cannot_read_is_one_line(tmp_path, monkeypatch, error):
    for name in mnist.FILES:
        (tmp_path / name).write_bytes(b"there, but unreadable")
    real_open = open

    def failing_open(path, *args, **kwargs):
        if str(path).startswith(str(tmp_path)):
            raise error
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(DataError, match=rf"MNIST file {tmp_path}/.*-ubyte.gz is unreadable \({error.strerror}\)"):
        mnist.load("test", tmp_path)
