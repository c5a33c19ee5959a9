"""The scripts of :data:`addin.server.SCRIPT_MODULES`, served off the event loop.

xlwings Server awaits a script on its one event loop; a script that is a
plain function (ours are: they read files and write workbooks) would hold that
loop for as long as it runs, and every other person's function calls would
wait. Each served script here is an ``async`` stand-in that runs the original
function in a worker thread (``asyncio.to_thread``) with the
:class:`~addin.server.request.ServedRequest` of the signed-in person set, and
requires ``DSG_SCRIPT_ROLE`` when sign-in is on.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Callable
from typing import Any

import xlwings as xw
from xlwings_server.models import CurrentUser

from addin.server import SCRIPT_MODULES
from addin.server.app import download_base, state
from addin.server.request import CURRENT, ServedRequest


def _request(user: Any) -> ServedRequest:
    st = state()
    user_id = str(getattr(user, "id", None) or "n/a")
    base = download_base()
    return ServedRequest(
        user_id=user_id,
        user_name=str(getattr(user, "name", None) or "Anonymous"),
        data_root=st.settings.data_root,
        returns_folder=st.store.folder(user_id),
        deliver=lambda written: st.store.delivery(user_id, written, base),
    )


def served(script: Callable[..., Any], roles: list[str]) -> Callable[..., Any]:
    """``script`` (an ``@xw.script`` function taking the book) as a served, off-loop script."""
    meta = dict(getattr(script, "__xlscript__", {}))
    original = inspect.unwrap(script)

    async def run(book: xw.Book, current_user: CurrentUser) -> None:
        state().store.sweep()
        token = CURRENT.set(_request(current_user))
        try:
            await asyncio.to_thread(original, book)
        finally:
            CURRENT.reset(token)

    run.__name__ = run.__qualname__ = original.__name__
    run.__doc__ = original.__doc__
    options = {k: v for k, v in meta.items() if k not in ("required_roles", "lazy") and v}
    return xw.script(required_roles=roles or None, **options)(run)


def served_scripts(modules: tuple[str, ...] = SCRIPT_MODULES) -> dict[str, Callable[..., Any]]:
    """{function name: served script} for every ``@xw.script`` in ``modules``."""
    roles = state().settings.script_roles
    scripts: dict[str, Callable[..., Any]] = {}
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if getattr(obj, "__xlscript__", None) is not None and obj.__module__ == module_name:
                if name in scripts:
                    raise RuntimeError(f"two served scripts are named {name}")
                scripts[name] = served(obj, roles)
    return scripts
