"""``snn-mnist trace``: one digit's potentials and spikes, drawn."""


def test_draws_one_digit(cli, weights_file, tmp_path):
    out = tmp_path / "trace.png"
    result = cli("trace", "--model", "lif-lif", "--index", "1", "--sample", "--weights", weights_file,
                 "--neurons", "hidden:0,4", "hidden:4,9", "output:all", "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "label 2, predicted" in result.stdout  # the sample's digit 1 is a 2
    counts = result.stdout.split("output spike counts [")[1].split("]")[0]
    assert len(counts.split(",")) == 10
