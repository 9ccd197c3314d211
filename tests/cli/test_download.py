"""``snn-mnist download`` with the files already in place: checked, not fetched again."""


def test_download_checks_present_files(cli, mnist_dir):
    result = cli("download", "--data-dir", mnist_dir)
    assert result.returncode == 0, result.stderr
    assert f"MNIST files in {mnist_dir} (MD5 checked)" in result.stdout
