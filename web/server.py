"""A small local web page: upload a digit, pick a model and a rotation range, see what the network does.

    GET  /                   the page (``web/index.html``)
    GET  /api/models         {"models": [...], "default": ...}
    POST /api/classify?model=M&rotate_min=A&rotate_max=B&seed=S
                             body: the image file's bytes; answer: prediction, spike counts and
                             figures (PNG as data URLs), or {"error": "..."} with status 400

Standard library only (``http.server``), bound to 127.0.0.1 by default. Brian2 keeps global
state, so simulations run one at a time behind a lock; the page stays responsive meanwhile.
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

PAGE = Path(__file__).with_name("index.html")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SHOWN_HIDDEN = 4  # hidden neurons whose potential is drawn: the most active ones


class RequestError(ValueError):
    """A request the page can explain to its user (status 400)."""


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
        from snn_mnist.digits import user_image
        from snn_mnist.readout import figures
        from snn_mnist.readout.inspection import most_active, run_digit

        if not image:
            raise RequestError("no image was uploaded")
        if not (np.isfinite(rotate_min) and np.isfinite(rotate_max) and rotate_min <= rotate_max):
            raise RequestError(f"the rotation range needs finite from <= to, got {rotate_min:g} and {rotate_max:g}")
        angle = float(np.random.default_rng(seed).uniform(rotate_min, rotate_max))  # as classify --rotate-range
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
    server_version = "snn-mnist"

    def log_message(self, format, *args):  # quiet: one line per request on stderr is noise here
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data).encode(), "application/json")

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif path == "/api/models":
            self._json(HTTPStatus.OK, self.app.models())
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})

    def do_POST(self) -> None:
        url = urlparse(self.path)
        if url.path != "/api/classify":
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such endpoint: {url.path}"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_UPLOAD_BYTES:
            self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       {"error": f"images up to {MAX_UPLOAD_BYTES // 2**20} MiB, please"})
            return
        body = self.rfile.read(length)
        query = parse_qs(url.query)
        try:
            result = self.app.classify(
                body,
                model=(query.get("model") or [self.app.default])[0],
                rotate_min=_number(query, "rotate_min", float, 0.0),
                rotate_max=_number(query, "rotate_max", float, 0.0),
                seed=_number(query, "seed", int, 0),
            )
        except RequestError as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        except Exception as exc:  # keep serving; the page shows the reason in one line
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(exc).__name__}: {exc}"})
            return
        self._json(HTTPStatus.OK, result)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server for ``app`` (port 0: any free port; see ``server.server_address``)."""
    handler = type("AppHandler", (Handler,), {"app": app})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
