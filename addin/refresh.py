"""The refresh: one implementation behind three buttons.

``refresh(inputs, template, out_dir)`` computes every figure of the DfE
monitoring return from the model's input tables (:mod:`models.monitoring`,
never from formula results in the workbook), fills a copy of the return
template by its labels (:mod:`workbooks.return_writer`) and returns the path
written. The buttons:

1. the classic add-in's *Run* button: :func:`main` (``RunPython
   "import addin.refresh; addin.refresh.main()"`` or the ribbon's Run main),
   reading the calling book; the return goes to ``returns/`` beside the
   workbook;
2. Excel on the web / Mac through xlwings Server (``dsg serve``): the
   Office.js script :func:`refresh_return`; the return is kept in the
   person's own folder on the server and handed over by a single-use, signed
   download link shown on the Refresh sheet and in the task pane
   (:mod:`addin.server.downloads`); run outside the server (a test, xlwings
   Lite) it goes to the folder ``DSG_RETURNS_DIR`` (default ``./returns``);
3. the command ``dsg refresh [MODEL]`` (:mod:`addin.cli_refresh`).

In the book, the outcome (the file written, the download link when served,
every check's result, or what is wrong with the model) is written to the
``Refresh`` sheet, so the person sees it without a server log. The served
script never shows a path on the server: only the file's name and its link.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import xlwings as xw

from addin.book_reader import read_book
from addin.refresh_core import (
    DEFAULT_TEMPLATE,
    DISTRIBUTION,
    LOG_ROWS,
    LOG_SHEET,
    RETURNS_DIR_ENV,
    describe,
    problem_lines,
    refresh,
    run_refresh,
    table_sheets,
    tool_version,
)
from addin.server.request import CURRENT, Delivery
from models.errors import DSGError
from workbooks.refresh_sheet import FAN_COLUMN, fan_block
from workbooks.return_writer import WrittenReturn, now_text

#: The column letter of the Refresh sheet's fan block.
FAN_LETTER = "ABCDEFGHIJ"[FAN_COLUMN - 1]

__all__ = [
    "DEFAULT_TEMPLATE",
    "DISTRIBUTION",
    "DOWNLOAD_ROW",
    "LOG_ROWS",
    "LOG_SHEET",
    "RETURNS_DIR_ENV",
    "describe",
    "main",
    "problem_lines",
    "refresh",
    "refresh_return",
    "run_refresh",
    "table_sheets",
    "tool_version",
    "write_log",
]


def _book_sheets(book: Any) -> dict[str, str]:
    try:
        return table_sheets((s.name, t.name) for s in book.sheets for t in s.tables)
    except Exception:  # the log must not fail because a sheet could not be listed
        return {}


#: The Refresh sheet's row (0-based) that carries the download link when served.
DOWNLOAD_ROW = 4


def write_log(
    book: Any,
    result: WrittenReturn | None,
    message: str = "",
    delivery: Delivery | None = None,
    show_path: bool = True,
) -> None:
    """Write the refresh's outcome to the book's ``Refresh`` sheet and show it.

    Beside the log, from column E, the fan of the refresh's scenarios
    (:mod:`workbooks.refresh_sheet`), which the Dashboard's fan chart reads; a
    refused refresh leaves the last one's fan as it was.

    ``show_path=False`` names the return by its file name only (a path on the
    server means nothing to the person); ``delivery`` adds its download link.
    """
    names = [s.name for s in book.sheets]
    sheet = (
        book.sheets[LOG_SHEET]
        if LOG_SHEET in names
        else book.sheets.add(LOG_SHEET, after=book.sheets[-1])
    )
    rows: list[list[Any]] = [["Refresh log", None, None]]
    if result is not None:
        passed = all(c.passed for c in result.checks)
        rows += [
            ["Status", "Return written" + ("" if passed else ": a check FAILS, see below"), None],
            ["Return", str(result.path) if show_path else result.path.name, None],
            ["Refreshed at", now_text(), None],
            (
                [
                    "Download",
                    delivery.url,
                    f"works once, until {delivery.expires}: open it from the task pane "
                    "(Open the return), signed in",
                ]
                if delivery is not None
                else [None, None, None]
            ),
            ["Check", "Result", "Detail"],
        ]
        rows += [[c.check, c.result, c.detail] for c in result.checks]
    else:
        rows += [
            ["Status", "Refused: nothing written", None],
            ["Problem", message, None],
            ["Refreshed at", now_text(), None],
        ]
    rows += [[None, None, None]] * (LOG_ROWS - len(rows))
    sheet.range("A1").value = rows
    if result is not None and result.fan:  # the Dashboard's fan chart reads this block
        sheet.range(f"{FAN_LETTER}1").value = fan_block(result.fan, result.fan_caption)
    sheet.activate()


def main() -> None:
    """The classic add-in's Run button: refresh from the calling book, report in the book."""
    book = xw.Book.caller()  # classic (Windows) add-in only
    try:
        inputs = read_book(book)
        folder = Path(book.fullname).resolve().parent / "returns"
        result = run_refresh(inputs, DEFAULT_TEMPLATE, folder)
    except DSGError as e:
        message = describe(e, _book_sheets(book))
        write_log(book, None, message)
        book.app.alert(message, title="DSG monitoring return: refused")
        return
    write_log(book, result)
    failed = [c.check for c in result.checks if not c.passed]
    message = f"Return written to {result.path}"
    if failed:
        n = f"{len(failed)} check{'s' if len(failed) > 1 else ''} FAIL{'' if len(failed) > 1 else 'S'}"
        message += f", but {n}: " + "; ".join(failed) + ". See the Refresh sheet."
    book.app.alert(message, title="DSG monitoring return")


@xw.script(name="Refresh DfE monitoring return")
def refresh_return(book: xw.Book):
    """Office.js button: refresh from the book and hand the return to the person.

    Served (``dsg serve``), the return goes to the signed-in person's folder and the
    Refresh sheet shows its single-use download link; elsewhere it goes to
    ``DSG_RETURNS_DIR``. Either way the sheet names the file, never a server path.
    """
    served = CURRENT.get()
    folder = (
        served.returns_folder
        if served is not None
        else Path(os.environ.get(RETURNS_DIR_ENV, "returns"))
    )
    try:
        result = run_refresh(read_book(book), DEFAULT_TEMPLATE, folder)
    except DSGError as e:
        write_log(book, None, describe(e, _book_sheets(book)))
        return
    delivery = served.deliver(result.path) if served is not None else None
    write_log(book, result, delivery=delivery, show_path=False)
