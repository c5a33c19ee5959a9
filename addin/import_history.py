"""Import the council's DfE EHC plan history into the open model workbook.

The ``EHCPHistory`` table (``Category`` then one column per January census
year) is filled with the council's EHC plans by the return's seven
placement categories and ``Total``, from the DfE "Education, health and
care plans" caseload file (``workbooks.dfe``). Suppressed figures are left
empty.

Where the inputs come from: the ``Settings`` table (``Setting | Value``) of
the open workbook, rows ``LA code`` (3-digit DfE code or ONS code) and
``DfE data folder`` (the folder the DfE files were downloaded to, or the
release zip itself; a relative path is taken from the workbook's folder when
that is known). The folder may hold the release zip as downloaded, its
unpacked ``data/caseload.csv``, or the renamed
``ehcp2025_caseload_all_and_age.csv``; where it holds several releases the
newest January census wins (:func:`workbooks.dfe.find_caseload`).

Served by ``dsg serve``, the workbook does not choose where the server reads:
``DfE data folder`` is a folder (or zip) *under the server's data root*
(``DSG_DATA_ROOT``), given relative to it (``.`` for the root itself); an
absolute path, a drive, ``~`` or ``..`` is refused with a message before any
file is opened (:func:`served_data_folder`).

Two entry points share :func:`import_history_into`:

- :func:`import_ehcp_history`: the classic add-in's macro, called from VBA
  with ``RunPython "import addin.import_history; addin.import_history.import_ehcp_history()"``;
- :func:`import_ehcp_history_script`: the Office.js script (xlwings Server /
  Lite), given the book by the runtime.

Only the cells of the table change; the workbook is never saved here. From
the command line, ``dsg dfe-history --out PATH.xlsx`` writes a separate
workbook to paste from instead.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import xlwings as xw

from addin.server.request import CURRENT
from models.errors import DSGError
from models.inputs import OPTIONAL_SETTINGS
from models.validation import is_blank
from workbooks import dfe

SETTINGS_TABLE = "Settings"
HISTORY_TABLE = "EHCPHistory"
LA_SETTING = "LA code"
FOLDER_SETTING = OPTIONAL_SETTINGS[0]  # "DfE data folder"
#: Title of the message box shown when the import cannot run.
ALERT_TITLE = "Import EHCP history"


class ImportProblem(DSGError):
    """The workbook's settings or tables do not allow the import; the message says why."""


def _tables(book: xw.Book):
    for sheet in book.sheets:
        for table in sheet.tables:
            yield sheet, table


def find_table(book: xw.Book, name: str):
    """``(sheet, table)`` of the Excel Table ``name`` (case-insensitive), or ``(None, None)``."""
    for sheet, table in _tables(book):
        if str(table.name).strip().casefold() == name.casefold():
            return sheet, table
    return None, None


def read_settings(book: xw.Book) -> dict[str, Any]:
    """The ``Settings`` table as {setting (case-folded): value}."""
    _, table = find_table(book, SETTINGS_TABLE)
    if table is None:
        raise ImportProblem(
            f"the workbook has no '{SETTINGS_TABLE}' table (columns Setting | Value)"
        )
    rows = table.range.options(ndim=2).value
    header = [str(h).strip().casefold() if h is not None else "" for h in rows[0]]
    try:
        key, val = header.index("setting"), header.index("value")
    except ValueError:
        raise ImportProblem(
            f"table '{SETTINGS_TABLE}' needs the columns Setting and Value"
        ) from None
    return {str(r[key]).strip().casefold(): r[val] for r in rows[1:] if not is_blank(r[key])}


def setting(settings: dict[str, Any], name: str, hint: str) -> str:
    """The text of Settings row ``name``; a blank one is refused with ``hint``."""
    value = settings.get(name.casefold())
    if is_blank(value):
        raise ImportProblem(
            f"table '{SETTINGS_TABLE}', row '{name}', column 'Value' is blank: {hint}"
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel hands 873 over as 873.0
    return str(value).strip()


def _data_folder(book: xw.Book, folder: str) -> Path:
    path = Path(folder).expanduser()
    if not path.is_absolute():
        try:
            home = Path(book.fullname).parent
        except Exception:  # noqa: BLE001 - a book without a path on disk
            home = None
        if home is not None and str(home) not in ("", ".") and home.is_dir():
            path = home / path
    return path


def dfe_folder(book: xw.Book, folder: str) -> Path:
    """The DfE data folder the workbook's ``DfE data folder`` names, for every import.

    On the server (a request is being served) only a folder inside the server's
    data root (:func:`served_data_folder`); in a person's own Excel the folder as
    given, a relative one taken from the workbook's folder.
    """
    served = CURRENT.get()
    if served is not None:
        return served_data_folder(served.data_root, folder)
    return _data_folder(book, folder)


def fill_table(table: Any, rows: list[list[Any]]) -> None:
    """Write ``rows`` (header first) over ``table`` from its top-left cell, resize it, clear what it left."""
    old = table.range
    old_rows, old_cols = old.shape
    new_rows, new_cols = len(rows), len(rows[0])
    target = old[0, 0].resize(new_rows, new_cols)
    target.value = rows
    if (new_rows, new_cols) != (old_rows, old_cols):
        table.resize(target)
    if old_rows > new_rows:
        old[new_rows:old_rows, 0:old_cols].clear_contents()
    if old_cols > new_cols:
        old[0 : min(old_rows, new_rows), new_cols:old_cols].clear_contents()


def alert_problem(book: xw.Book, error: DSGError, title: str) -> None:
    """Show ``error`` to the person; on the server, never the server's own data path."""
    text = str(error)
    served = CURRENT.get()
    if served is not None and served.data_root is not None:  # no server path to the person
        text = text.replace(str(served.data_root), "<DfE data folder>")
    book.app.alert(text, title=title)


def served_data_folder(root: Path | None, folder: str) -> Path:
    """``folder`` (the workbook's ``DfE data folder``) under the server's data root ``root``.

    Raises :class:`ImportProblem` naming the setting for an absolute path, a drive, ``~``,
    ``..``, a path leading out of the root through a link, or a server without a data root.

    >>> served_data_folder(Path("/srv/dfe"), "/etc/passwd")
    Traceback (most recent call last):
    ...
    addin.import_history.ImportProblem: table 'Settings', row 'DfE data folder', column 'Value': '/etc/passwd' is an absolute path; on the server give a folder inside its DfE data folder, relative to it (e.g. ehcp-2025, or . for the folder itself)
    """
    where = f"table '{SETTINGS_TABLE}', row '{FOLDER_SETTING}', column 'Value'"
    hint = (
        "on the server give a folder inside its DfE data folder, relative to it "
        "(e.g. ehcp-2025, or . for the folder itself)"
    )
    if root is None:
        raise ImportProblem(
            f"{where}: this server has no DfE data folder (its administrator sets "
            "DSG_DATA_ROOT), so it cannot read DfE files"
        )
    win, posix = PureWindowsPath(folder), PurePosixPath(folder.replace("\\", "/"))
    if posix.is_absolute() or win.drive or win.root:
        raise ImportProblem(f"{where}: {folder!r} is an absolute path; {hint}")
    if folder.startswith("~"):
        raise ImportProblem(f"{where}: {folder!r} starts with ~ (a home folder); {hint}")
    if ".." in posix.parts:
        raise ImportProblem(f"{where}: {folder!r} goes up a folder with '..'; {hint}")
    path = (root / posix).resolve()
    if path != root and root not in path.parents:
        raise ImportProblem(f"{where}: {folder!r} leads out of the server's DfE data folder")
    return path


def import_history_into(book: xw.Book) -> dfe.History:
    """Write the council's history into the ``EHCPHistory`` table of ``book``.

    The table keeps its top-left cell and is resized to ``Category`` plus one
    column per January census year, the seven categories and ``Total``;
    cells it no longer covers are cleared. Raises :class:`ImportProblem` (or
    another :class:`~models.errors.DSGError`) naming the table, row and
    column at fault, before anything is written.
    """
    settings = read_settings(book)
    la = setting(settings, LA_SETTING, "give the council's 3-digit DfE code (873) or ONS code")
    folder = setting(
        settings,
        FOLDER_SETTING,
        "give the folder holding the DfE files (the 'Education, health and care plans' "
        "release zip, its data/caseload.csv or ehcp2025_caseload_all_and_age.csv)",
    )
    sheet, table = find_table(book, HISTORY_TABLE)
    if table is None:
        raise ImportProblem(f"the workbook has no '{HISTORY_TABLE}' table to fill")
    where = dfe_folder(book, folder)
    try:
        history = dfe.council_history(where, la)
    except FileNotFoundError as e:
        raise ImportProblem(f"table '{SETTINGS_TABLE}', row '{FOLDER_SETTING}': {e}") from None
    rows = dfe.history_rows(history)
    rows[0] = [str(h) for h in rows[0]]  # a table header is text

    fill_table(table, rows)
    return history


def _run(book: xw.Book) -> None:
    try:
        import_history_into(book)
    except DSGError as e:
        alert_problem(book, e, ALERT_TITLE)


def import_ehcp_history() -> None:
    """Classic add-in macro: fill ``EHCPHistory`` in the workbook that called it."""
    _run(xw.Book.caller())


@xw.script(name="Import EHCP history")
def import_ehcp_history_script(book: xw.Book) -> None:
    """Office.js script: fill ``EHCPHistory`` in the open workbook."""
    _run(book)
