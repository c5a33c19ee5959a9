"""``dsg serve``: the add-in for Excel on the web and Mac, served by xlwings Server.

``dsg serve [--host HOST] [--port PORT] [--certs DIR]`` checks the settings
(environment variables ``DSG_...``, see ``docs/deployment.md``) and starts
uvicorn on :func:`addin.server.app.create_app`. With ``--certs DIR`` it serves
HTTPS from ``DIR/cert.pem`` and ``DIR/key.pem``, as Office.js requires (on a
developer's machine ``mkcert localhost`` makes a trusted pair; in production the
council's certificate, or TLS ended at a reverse proxy). Needs the optional
extra: ``pip install -e ".[server]"``.

Exit codes: 0 stopped normally, 2 a setting or argument is wrong (message on
stderr), 1 the server could not start.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from models.errors import InputError, Problem

CERT, KEY = "cert.pem", "key.pem"


def register(subparsers) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="serve the add-in to Excel on the web and Mac (xlwings Server)",
        description="Serve the add-in (functions, scripts, manifest, task pane, downloads) "
        "with xlwings Server. Settings come from DSG_... environment variables "
        "(docs/deployment.md); production signs people in with Microsoft Entra ID.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--certs",
        type=Path,
        metavar="DIR",
        help=f"serve HTTPS with DIR/{CERT} and DIR/{KEY} (Office.js needs HTTPS)",
    )
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    problems = []
    if importlib.util.find_spec("xlwings_server") is None:
        problems.append(
            Problem("dsg serve", "", 'needs xlwings Server: pip install -e ".[server]"')
        )
    if not 0 < args.port < 65536:
        problems.append(Problem("--port", str(args.port), "is not a port number (1-65535)"))
    tls: dict[str, str] = {}
    if args.certs is not None:
        for name in (CERT, KEY):
            if not (args.certs / name).is_file():
                problems.append(Problem("--certs", str(args.certs), f"has no {name}"))
        tls = {"ssl_certfile": str(args.certs / CERT), "ssl_keyfile": str(args.certs / KEY)}
    if problems:
        raise InputError(problems)

    import uvicorn

    from addin.server.app import create_app

    app = create_app()  # checks the settings: a ServerSettingsError is exit 2
    scheme = "https" if tls else "http"
    print(f"dsg serve: manifest at {scheme}://{args.host}:{args.port}/manifest.xml", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True, **tls)  # type: ignore[arg-type]
    return 0
