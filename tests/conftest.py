"""Shared test set-up.

xlwings picks its decorators when it is first imported: with
``XLWINGS_ON_SERVER=true`` they are the Office.js / xlwings Server ones, which
is how the add-in's functions are exercised on Linux. The variables are set
here, before any test module imports xlwings.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
#: The team's shared folder sits beside the checkout (and beside CI's clone).
SHARED = REPO.parent / "shared"
#: Money compared to the penny.
PENNY = 0.005


@pytest.fixture(scope="session")
def dfe_dir() -> Path:
    """The real DfE statistics in ../shared/data/dfe (read there, never copied)."""
    path = SHARED / "data" / "dfe"
    if not path.is_dir():
        pytest.fail(
            f"DfE data folder not found at {path}: the shared folder must sit beside the checkout"
        )
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """The LibreOffice binary; .ci/run installs it."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail(
            "LibreOffice (soffice) is not installed: run .ci/run or apt-get install libreoffice-calc-nogui"
        )
    return exe
