"""``snn-mnist serve``: a local web page to upload a digit and watch the network classify it."""

from __future__ import annotations

import argparse

from snn_mnist.cli import options


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("serve", help="serve a local web page: upload a digit, see spikes and potentials")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; the page runs simulations "
                        "for anyone who can reach it)")
    p.add_argument("--weights", nargs="+", default=[], metavar="MODEL=FILE",
                   help="serve these weights files (default: every model with pretrained weights)")
    options.backend(p, default="runtime", why=": no compile step per request")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from snn_mnist.cli.main import UserError
    from snn_mnist.web.server import App, make_server
    from snn_mnist.weights.pretrained import DEFAULT_MODEL
    from snn_mnist.weights.pretrained import loaders as model_loaders

    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must lie in [0, 65535], got {args.port}")
    loaders = model_loaders(args.weights)
    if not loaders:
        raise UserError("no pretrained weights yet; serve a weights file with --weights MODEL=FILE")
    try:
        server = make_server(App(loaders, backend=args.backend, default=DEFAULT_MODEL), args.host, args.port)
    except OSError as exc:
        raise UserError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    host, port = server.server_address[:2]
    print(f"serving {', '.join(loaders)} on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
