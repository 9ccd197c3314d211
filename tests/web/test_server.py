"""The local web page: its API in-process and over HTTP, and the page itself in headless Chromium."""

from __future__ import annotations

import base64
import http.client
import io
import json
import socket
import struct
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image, ImageDraw

from snn_mnist.digits import user_image
from snn_mnist.neuron_models.topology import TOPOLOGIES
from snn_mnist.readout.inspection import run_digit
from snn_mnist.web import headless
from snn_mnist.web.server import App, make_server
from snn_mnist.weights import NetworkWeights


def seeded_weights() -> NetworkWeights:
    """Seeded random 784-32-10 lif-lif weights: a test fixture, not a model."""
    rng = np.random.default_rng(0)
    return NetworkWeights(topology=TOPOLOGIES["lif-lif"].with_hidden(32),
                          w_input_hidden=rng.normal(0.4, 2.0, (784, 32)).astype(np.float32),
                          w_hidden_output=rng.normal(1.0, 6.0, (32, 10)).astype(np.float32))


def digit_png(blank: bool = False) -> bytes:
    image = Image.new("RGB", (200, 260), "white")
    if not blank:
        ImageDraw.Draw(image).line([(50, 40), (150, 40), (80, 230)], fill="black", width=18)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def app():
    return App({"lif-lif": seeded_weights}, backend="runtime")


@pytest.fixture(scope="module")
def server(app):
    httpd = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def request(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=600) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_classify_is_the_networks_answer(app):
    """The page's answer is run_digit's on the same prepared digit, seed and rotation."""
    answer = app.classify(digit_png(), "lif-lif", rotate_min=-20, rotate_max=20, seed=3)
    angle = float(np.random.default_rng(3).uniform(-20, 20))
    assert answer["angle_deg"] == angle and answer["inverted"]
    expected = run_digit(seeded_weights(), user_image.load(digit_png(), angle).flat, seed=3)
    assert answer["counts"] == expected.output_counts.tolist()
    assert answer["prediction"] == expected.prediction
    assert answer["input_spikes"] == int(expected.input_spikes.sum())
    for name in ("digit", "input", "raster", "traces"):
        header, data = answer["images"][name].split(",", 1)
        assert header == "data:image/png;base64"
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        assert image.format == "PNG" and image.width >= 100
    json.dumps(answer)  # ready for the wire


def test_http_api(server):
    status, page = request(server + "/")
    assert status == 200 and b'id="file"' in page and b"/api/classify" in page
    status, body = request(server + "/api/models")
    assert status == 200 and json.loads(body) == {"models": ["lif-lif"], "default": "lif-lif"}
    cases = [
        ("/api/classify?model=lif-lif", digit_png(blank=True), 400, "no digit found"),
        ("/api/classify?model=lif-lif", b"not an image", 400, "not a PNG or JPEG"),
        ("/api/classify?model=if-if", digit_png(), 400, "unknown model"),
        ("/api/classify?rotate_min=10&rotate_max=5", digit_png(), 400, "rotation range"),
        ("/api/classify?seed=abc", digit_png(), 400, "seed must be a whole number"),
        ("/api/nothing", b"", 404, "no such endpoint"),
    ]
    for path, data, expected_status, message in cases:
        status, body = request(server + path, data=data, headers={"Content-Type": "application/octet-stream"})
        assert status == expected_status and message in json.loads(body)["error"], (path, body)
    status, body = request(server + "/api/classify", data=b"x", headers={"Content-Length": str(11 * 2**20)})
    assert status == 413


@pytest.mark.slow
def test_page_in_headless_chromium(server, tmp_path):
    """Upload a digit, pick the model and a rotation range, and read the answer off the page."""
    try:
        browser_session = headless.chromium(f"--user-data-dir={tmp_path / 'profile'}")
    except headless.BrowserUnavailable as exc:
        pytest.skip(str(exc))
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    image = tmp_path / "seven.png"
    image.write_bytes(digit_png())
    try:
        browser_session.get(server + "/")
        wait = WebDriverWait(browser_session, 600)
        wait.until(lambda d: len(Select(d.find_element(By.ID, "model")).options) == 1)
        Select(browser_session.find_element(By.ID, "model")).select_by_value("lif-lif")
        browser_session.find_element(By.ID, "file").send_keys(str(image))
        for field, value in (("rotate-min", "-20"), ("rotate-max", "20"), ("seed", "3")):
            element = browser_session.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        browser_session.find_element(By.ID, "go").click()
        wait.until(ec.visibility_of_element_located((By.ID, "prediction")))
        wait.until(lambda d: d.find_element(By.ID, "status").text.startswith("done"))

        angle = float(np.random.default_rng(3).uniform(-20, 20))
        expected = run_digit(seeded_weights(), user_image.load(digit_png(), angle).flat, seed=3)
        shown = "none" if expected.prediction < 0 else str(expected.prediction)  # -1: silent or an unbroken tie
        assert browser_session.find_element(By.ID, "prediction").text == shown
        assert browser_session.find_element(By.ID, "status").text == f"done: {expected.verdict}"
        cells = browser_session.find_elements(By.CSS_SELECTOR, "#count-values td")
        assert [int(c.text) for c in cells] == expected.output_counts.tolist()
        for name in ("digit", "raster", "traces", "input"):
            width = browser_session.execute_script(f"return document.getElementById('{name}').naturalWidth")
            assert width >= 100, name  # the PNG arrived and decoded

        # a blank page is refused with a one-line reason, shown on the page
        blank = tmp_path / "blank.png"
        blank.write_bytes(digit_png(blank=True))
        browser_session.find_element(By.ID, "file").send_keys(str(blank))
        browser_session.find_element(By.ID, "go").click()
        wait.until(lambda d: "no digit found" in d.find_element(By.ID, "error").text)
        assert not browser_session.find_element(By.ID, "result").is_displayed()
    finally:
        browser_session.quit()


# --- hostile use: other sites, bad numbers, odd uploads, slow and vanishing clients ------------------
def raw(server: str, payload: bytes, timeout: float = 60.0) -> bytes:
    """Send ``payload`` as it is on a fresh connection; the whole answer."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(payload)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_other_hosts_and_other_sites_are_refused(server):
    port = server.rsplit(":", 1)[1]
    status, body = request(server + "/api/models", headers={"Host": f"evil.example:{port}"})
    assert status == 403 and "answers requests for" in json.loads(body)["error"]  # DNS rebinding
    for url in ("/api/models", "/api/classify"):
        status, body = request(server + url, data=digit_png() if "classify" in url else None,
                               headers={"Origin": "http://evil.example"})
        assert status == 403 and json.loads(body)["error"] == "requests from other sites are refused"
    status, _ = request(server + "/api/models", headers={"Origin": server})  # the page itself
    assert status == 200
    status, _ = request(f"http://localhost:{port}/api/models")
    assert status == 200


def test_bad_numbers_and_odd_uploads_get_a_reason(server):
    cases = [
        ("/api/classify?seed=4294967296", "seed must lie in [0, 2**32)"),
        ("/api/classify?seed=-1", "seed must lie in [0, 2**32)"),
        ("/api/classify?rotate_max=1e400", "rotate_max must be a finite angle"),
        ("/api/classify?rotate_min=-1e300", "rotate_min must be a finite angle"),
        ("/api/classify?rotate_min=nan", "rotate_min must be a finite angle"),
    ]
    for path, message in cases:
        status, body = request(server + path, data=digit_png())
        assert status == 400 and message in json.loads(body)["error"], (path, body)
    for length in ("-5", "abc", "1e3"):
        answer = raw(server, f"POST /api/classify HTTP/1.1\r\nHost: {server[7:]}\r\nContent-Length: {length}\r\n\r\n"
                     .encode())
        assert answer.startswith(b"HTTP/1.0 400") and b"Content-Length must be a whole number" in answer, length
    answer = raw(server, f"POST /api/classify HTTP/1.1\r\nHost: {server[7:]}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.0 411")


def test_a_chunked_upload_is_read(server, app):
    host, port = server[7:].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=600)
    data = digit_png()
    conn.request("POST", "/api/classify?seed=3", body=iter([data[:1000], data[1000:]]), encode_chunked=True,
                 headers={"Transfer-Encoding": "chunked"})
    answer = conn.getresponse()
    assert answer.status == 200
    assert json.loads(answer.read())["counts"] == app.classify(data, "lif-lif", 0.0, 0.0, 3)["counts"]


def test_uploads_beyond_those_in_work_get_503(server, app):
    from snn_mnist.web.server import MAX_IN_WORK

    for _ in range(MAX_IN_WORK):
        app._in_work.acquire()
    try:
        status, body = request(server + "/api/classify", data=digit_png())
        assert status == 503 and "busy" in json.loads(body)["error"]
    finally:
        for _ in range(MAX_IN_WORK):
            app._in_work.release()
    assert request(server + "/api/classify", data=digit_png())[0] == 200


def test_slow_clients_are_bounded_and_timed_out(app):
    """300 half-sent requests hold at most MAX_CONNECTIONS threads, each for at most the timeout; then
    the server answers again."""
    from snn_mnist.web.server import MAX_CONNECTIONS

    httpd = make_server(app, "127.0.0.1", 0)
    httpd.RequestHandlerClass.timeout = 1.0
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    before = threading.active_count()
    slow = []
    try:
        for _ in range(300):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"POST /api/classify HTTP/1.1\r\nHost: 127.0.0")  # and never the rest
            slow.append(conn)
        time.sleep(0.5)
        assert threading.active_count() - before <= MAX_CONNECTIONS
        time.sleep(2.0)  # every held connection has timed out
        assert request(f"http://127.0.0.1:{port}/api/models")[0] == 200
    finally:
        for conn in slow:
            conn.close()
        httpd.shutdown()
        httpd.server_close()


def test_a_client_that_goes_away_leaves_no_traceback(server, capfd):
    host, port = server[7:].split(":")
    data = digit_png()
    with socket.create_connection((host, int(port))) as conn:
        conn.sendall(f"POST /api/classify HTTP/1.1\r\nHost: {server[7:]}\r\nContent-Length: {len(data)}\r\n\r\n"
                     .encode() + data)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not a polite close
    time.sleep(8.0)  # the simulation ends and its answer meets the closed socket
    assert request(server + "/api/models")[0] == 200
    assert "Traceback" not in capfd.readouterr().err
