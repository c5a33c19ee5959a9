"""Who a served script runs for, and where it may read and deliver.

The served scripts (:mod:`addin.server.scripts`) set :data:`CURRENT` around
each run; :mod:`addin.refresh` and :mod:`addin.import_history` read it, so the
same script works in the classic add-in, xlwings Lite and a test (where it is
``None``) and, when served, delivers the return to the person who asked and
reads DfE files only under the server's data root. Imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Delivery:
    """How a written return reaches the person: the link text and when it stops working."""

    url: str
    expires: str  # "HH:MM UTC"


@dataclass(frozen=True)
class ServedRequest:
    """One script run on the server, for one signed-in person."""

    user_id: str
    user_name: str
    #: The only folder DfE files are read from (``DSG_DATA_ROOT``); ``None``: not configured.
    data_root: Path | None
    #: This person's folder for returns.
    returns_folder: Path
    #: A single-use download link for a return written into ``returns_folder``.
    deliver: Callable[[Path], Delivery]


#: The request a served script is running for; ``None`` outside the server.
CURRENT: ContextVar[ServedRequest | None] = ContextVar("dsg_served_request", default=None)
