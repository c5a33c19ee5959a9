"""The served add-in: xlwings Server with the add-in's project, settings and download route.

:func:`create_app` checks the settings (:mod:`addin.server.settings`), puts
them in the environment xlwings Server reads, imports it and returns the ASGI
application (``uvicorn addin.server.app:app`` or ``dsg serve``). xlwings
Server reads its settings once, when first imported, so one process serves
one configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from addin.server.downloads import ReturnStore
from addin.server.settings import ServerSettings, from_environ, xlwings_environ

#: The path, under the app path, of the download route (``routers/custom.py``).
DOWNLOAD_PATH = "/dsg/returns"
#: The base URL of the request being served (set by a middleware, for links).
BASE_URL: ContextVar[str] = ContextVar("dsg_base_url", default="")


@dataclass(frozen=True)
class State:
    settings: ServerSettings
    store: ReturnStore


_state: State | None = None


def state() -> State:
    """The running server's settings and returns store."""
    if _state is None:
        raise RuntimeError("the served add-in is not configured: call create_app() first")
    return _state


def download_base() -> str:
    """Where download links point: the configured host name, else the request's own URL."""
    s = state().settings
    base = f"https://{s.hostname}" if s.hostname else BASE_URL.get().rstrip("/")
    from xlwings_server.config import settings as xl

    return f"{base}{xl.app_path}{DOWNLOAD_PATH}"


def configure(env: Mapping[str, str] | None = None) -> State:
    """Check the settings and put xlwings Server's variables in ``os.environ``."""
    global _state
    s = from_environ(env)
    os.environ.update(xlwings_environ(s))
    store = ReturnStore(
        root=s.returns_dir,
        secret_key=s.secret_key,
        link_seconds=s.link_minutes * 60,
        keep_seconds=s.keep_minutes * 60,
    )
    _state = State(settings=s, store=store)
    return _state


def create_app(env: Mapping[str, str] | None = None) -> Any:
    """The ASGI application of the served add-in, configured from ``env`` (or ``os.environ``).

    Once per process: xlwings Server keeps the settings it was first imported with.
    """
    import sys

    if "xlwings_server.main" in sys.modules:
        raise RuntimeError("the served add-in is already configured in this process")
    st = configure(env)
    from xlwings_server import main as server
    from xlwings_server.config import settings as xl

    if xl.environment != st.settings.environment or bool(xl.auth_providers) != st.settings.sign_in:
        raise RuntimeError(
            "xlwings Server was imported before its settings were applied: "
            "create_app() must run before anything imports xlwings_server"
        )

    @server.app.middleware("http")
    async def remember_base_url(request: Any, call_next: Any) -> Any:
        base = str(request.base_url)
        if request.headers.get("x-forwarded-proto") == "https":
            base = base.replace("http://", "https://", 1)
        token = BASE_URL.set(base)
        try:
            return await call_next(request)
        finally:
            BASE_URL.reset(token)

    st.store.sweep()
    return server.main_app


_app: Any = None


def __getattr__(name: str) -> Any:
    # ``uvicorn addin.server.app:app`` builds the app from the environment on first use
    global _app
    if name == "app":
        if _app is None:
            _app = create_app()
        return _app
    raise AttributeError(name)
