"""The download of a written return: ``GET {app path}/dsg/returns/{token}``.

The caller signs in as for every other request (the task pane sends the
person's Entra ID token); the token must be theirs, unexpired and unused
(:mod:`addin.server.downloads`). The file is deleted once sent.
"""

import asyncio

from fastapi import APIRouter
from fastapi.responses import FileResponse, PlainTextResponse
from starlette.background import BackgroundTask
from xlwings_server import dependencies as dep
from xlwings_server.config import settings

from addin.server.app import DOWNLOAD_PATH, state
from addin.server.downloads import DownloadRefused

router = APIRouter(prefix=f"{settings.app_path}{DOWNLOAD_PATH}")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{token}")
async def download_return(token: str, current_user: dep.User):
    store = state().store
    try:
        claimed = await asyncio.to_thread(store.claim, token, str(current_user.id or "n/a"))
    except DownloadRefused as e:
        return PlainTextResponse(str(e), status_code=e.status)
    name = claimed.name.split("-", 2)[2]
    return FileResponse(
        claimed,
        media_type=XLSX,
        filename=name,
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(claimed.unlink, missing_ok=True),
    )
