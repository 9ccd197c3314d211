"""A small local web page: upload a digit, pick a model and a rotation range, see what the network does.

    GET  /                   the page (``web/index.html``)
    GET  /api/models         {"models": [...], "default": ...}
    POST /api/classify?model=M&rotate_min=A&rotate_max=B&seed=S
                             body: the image file's bytes; answer: prediction, spike counts and
                             figures (PNG as data URLs), or {"error": "..."} with status 400

Standard library only (``http.server``), bound to 127.0.0.1 by default. Brian2 keeps global
state, so simulations run one at a time behind a lock; the page stays responsive meanwhile.

What any web page open in the user's browser, or any client, can and cannot do:

- only requests for this server's own host are answered, and a request that carries an ``Origin``
  must come from the page itself (403 otherwise): no other site can start simulations or, by DNS
  rebinding, read the answers;
- at most ``MAX_CONNECTIONS`` connections are served at once (more are closed unanswered), each
  socket read waits at most ``TIMEOUT_S``, and at most ``MAX_IN_WORK`` uploads are prepared and
  simulated at once (503 beyond); an image is refused from its header above
  ``digits.user_image.MAX_PIXELS`` and decoded at most ``MAX_SIDE`` pixels a side;
- a request the server cannot serve gets 400, 404, 411, 413 or 503 with ``{"error": reason}``; a
  client that goes away mid-answer is let go without a word.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlparse

import numpy as np

from snn_mnist import limits

PAGE = Path(__file__).with_name("index.html")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_CONNECTIONS = 32  # served at once; more are closed unanswered
MAX_IN_WORK = 2  # uploads decoded and simulated at once; more get 503
TIMEOUT_S = 10.0  # the longest one read from a client's socket may wait
LOOPBACK = ("127.0.0.1", "localhost", "::1")
SHOWN_HIDDEN = 4  # hidden neurons whose potential is drawn: the most active ones


class RequestError(ValueError):
    """A request the page can explain to its user (status 400, or ``status``)."""

    def __init__(self, message: str, status: int = HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.status = status


class App:
    """What the server does, without HTTP: testable on its own.

    ``models`` maps a model name to a function returning its weights; weights are loaded on
    first use and kept.
    """

    def __init__(self, models: dict[str, Callable], backend: str = "runtime", default: str | None = None):
        if not models:
            raise ValueError("no models to serve")
        self.loaders = dict(models)
        self.backend = backend
        self.default = default if default in self.loaders else next(iter(self.loaders))
        self._weights: dict = {}
        self._lock = threading.Lock()
        self._in_work = threading.BoundedSemaphore(MAX_IN_WORK)

    def models(self) -> dict:
        return {"models": list(self.loaders), "default": self.default}

    def weights(self, model: str):
        if model not in self.loaders:
            raise RequestError(f"unknown model {model!r} (served: {', '.join(self.loaders)})")
        if model not in self._weights:
            from snn_mnist.weights import WeightsError

            try:
                self._weights[model] = self.loaders[model]()
            except WeightsError as exc:
                raise RequestError(str(exc)) from None
        return self._weights[model]

    def classify(self, image: bytes, model: str, rotate_min: float, rotate_max: float, seed: int) -> dict:
        """Prepare the image, run the network, draw the figures; a dict ready for JSON."""
        if not image:
            raise RequestError("no image was uploaded")
        try:
            seed = limits.seed(seed)
            rotate_min, rotate_max = limits.angle(rotate_min, "rotate_min"), limits.angle(rotate_max, "rotate_max")
        except ValueError as exc:
            raise RequestError(str(exc)) from None
        if not rotate_min <= rotate_max:
            raise RequestError(f"the rotation range needs from <= to, got {rotate_min:g} and {rotate_max:g}")
        angle = float(np.random.default_rng(seed).uniform(rotate_min, rotate_max))  # as classify --rotate-range
        if not self._in_work.acquire(blocking=False):
            raise RequestError(f"busy with {MAX_IN_WORK} digits already; try again in a moment",
                               HTTPStatus.SERVICE_UNAVAILABLE)
        try:
            return self._classify(image, model, angle, seed)
        finally:
            self._in_work.release()

    def _classify(self, image: bytes, model: str, angle: float, seed: int) -> dict:
        from snn_mnist.digits import user_image
        from snn_mnist.readout import figures
        from snn_mnist.readout.inspection import most_active, run_digit

        try:
            prepared = user_image.load(bytes(image), angle)
        except user_image.ImageError as exc:
            raise RequestError(str(exc)) from None
        with self._lock:
            weights = self.weights(model)
            t = weights.topology
            activity = run_digit(weights, prepared.flat, seed=seed, backend=self.backend,
                                 voltages={"hidden": tuple(range(t.n_hidden)), "output": tuple(range(t.n_outputs))})
        busiest = most_active(activity.hidden_counts, SHOWN_HIDDEN)
        _, times, v = activity.voltages["hidden"]
        activity = dataclasses.replace(activity, voltages={**activity.voltages, "hidden": (busiest, times, v[list(busiest)])})
        title = f"{model}: predicted {activity.verdict}"
        hidden, output = activity.layer_trace("hidden"), activity.layer_trace("output")
        with tempfile.TemporaryDirectory(prefix="snn-mnist-web-") as tmp:
            files = {name: Path(tmp) / f"{name}.png" for name in ("digit", "input", "raster", "traces")}
            _digit_png(prepared.pixels, files["digit"])
            figures.input_spike_map_figure(activity.pixels, activity.input_spikes, weights.dt_ms, files["input"], title)
            figures.raster_figure(hidden, output, weights.duration_ms, files["raster"], title,
                                  prediction=activity.prediction)
            figures.trace_figure([hidden, output], files["traces"], title)
            images = {name: "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode() for name, path
                      in files.items()}
        return {
            "model": model,
            "seed": seed,
            "angle_deg": angle,
            "reading": prepared.describe(),
            "inverted": prepared.inverted,
            "thickened": prepared.thickened,
            "prediction": activity.prediction,
            "verdict": activity.verdict,
            "first_spike_step": activity.output_first_step.tolist(),
            "counts": activity.output_counts.tolist(),
            "hidden_spikes": int(activity.hidden_counts.sum()),
            "input_spikes": int(activity.input_spikes.sum()),
            "images": images,
        }


def _digit_png(pixels: np.ndarray, path: Path) -> None:
    from PIL import Image

    Image.fromarray(pixels).resize((112, 112), Image.Resampling.NEAREST).save(path)


def _number(query: dict, name: str, kind, default):
    values = query.get(name)
    if not values or values[0] == "":
        return default
    try:
        return kind(values[0])
    except ValueError:
        raise RequestError(f"{name} must be a {'whole ' if kind is int else ''}number, got {values[0]!r}") from None


class Handler(BaseHTTPRequestHandler):
    app: App  # set by make_server
    hosts: frozenset  # the Host headers this server answers (empty: any); set by make_server
    server_version = "snn-mnist"
    timeout = TIMEOUT_S  # on every read from the client's socket

    def log_message(self, format, *args):  # quiet: one line per request on stderr is noise here
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            if status == HTTPStatus.SERVICE_UNAVAILABLE:
                self.send_header("Retry-After", "5")
            self.end_headers()
            self.wfile.write(body)
        except (ConnectionError, TimeoutError):  # the client went away: nobody to tell
            self.close_connection = True

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def _refused(self) -> str | None:
        """Why this request is not for us (wrong Host: DNS rebinding; foreign Origin: another site), or None."""
        host = (self.headers.get("Host") or "").strip().lower()
        if self.hosts and host not in self.hosts:
            return f"this server answers requests for {' or '.join(sorted(self.hosts))} only"
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() != f"http://{host}":
            return "requests from other sites are refused"
        return None

    def do_GET(self) -> None:
        if reason := self._refused():
            self._json(HTTPStatus.FORBIDDEN, {"error": reason})
            return
        path = urlparse(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif path == "/api/models":
            self._json(HTTPStatus.OK, self.app.models())
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})

    def _body(self) -> bytes:
        """The request's body, at most ``MAX_UPLOAD_BYTES``: by Content-Length, or chunked."""
        too_large = RequestError(f"images up to {MAX_UPLOAD_BYTES // 2**20} MiB, please",
                                 HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, size = [], 0
            while True:
                line = self.rfile.readline(64).split(b";")[0].strip()
                try:
                    length = int(line, 16)
                except ValueError:
                    raise RequestError("a malformed chunked upload") from None
                if length == 0:
                    break
                size += length
                if size > MAX_UPLOAD_BYTES:
                    raise too_large
                chunks.append(self.rfile.read(length))
                self.rfile.readline(64)  # the CRLF after the chunk
            while self.rfile.readline(1024).strip():  # trailers
                pass
            return b"".join(chunks)
        declared = self.headers.get("Content-Length")
        if declared is None:
            raise RequestError("the upload needs a Content-Length or chunked encoding", HTTPStatus.LENGTH_REQUIRED)
        if not declared.strip().isdigit():
            raise RequestError(f"Content-Length must be a whole number of bytes, got {declared!r}")
        if int(declared) > MAX_UPLOAD_BYTES:
            raise too_large
        return self.rfile.read(int(declared))

    def do_POST(self) -> None:
        if reason := self._refused():
            self.close_connection = True  # its body is not read
            self._json(HTTPStatus.FORBIDDEN, {"error": reason})
            return
        url = urlparse(self.path)
        if url.path != "/api/classify":
            self.close_connection = True
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {url.path}"})
            return
        query = parse_qs(url.query)
        try:
            body = self._body()
            result = self.app.classify(
                body,
                model=(query.get("model") or [self.app.default])[0],
                rotate_min=_number(query, "rotate_min", float, 0.0),
                rotate_max=_number(query, "rotate_max", float, 0.0),
                seed=_number(query, "seed", int, 0),
            )
        except RequestError as exc:
            self.close_connection = True  # an unread body may remain
            self._json(exc.status, {"error": str(exc)})
            return
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        except Exception as exc:  # keep serving; the page shows the reason in one line
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(exc).__name__}: {exc}"})
            return
        self._json(HTTPStatus.OK, result)


class Server(ThreadingHTTPServer):
    """A thread per connection, at most ``MAX_CONNECTIONS`` of them; a client's disconnect is no error."""

    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def process_request(self, request, client_address):
        if not self._connections.acquire(blocking=False):
            self.shutdown_request(request)  # full: closed unanswered
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connections.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """An HTTP server for ``app`` (port 0: any free port; see ``server.server_address``). Bound to a
    loopback address, it answers requests for ``127.0.0.1``, ``localhost`` and ``[::1]`` at its port
    only; bound to another address, requests for that address (any, for 0.0.0.0 or ::)."""
    server = Server((host, port), type("AppHandler", (Handler,), {"app": app, "hosts": frozenset()}))
    port = server.server_address[1]
    if host in LOOPBACK:
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    elif host in ("", "0.0.0.0", "::"):
        hosts = set()
    else:
        hosts = {f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"}
    server.RequestHandlerClass.hosts = frozenset(hosts)
    return server
