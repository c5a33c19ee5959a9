"""Read the model's input tables from an open book, through xlwings.

Works the same on the classic Windows add-in (COM) and on xlwings Server's
Office.js book: each Excel Table (ListObject) is found by name on whichever
sheet holds it, and read as its header row and data body (a totals row, if
shown, is left out), as plain rows (no pandas). The result is the same :class:`~models.inputs.ModelInputs`
the file reader builds, so the refresh computes and validates alike. A cell
holding an Excel error comes back as its text (``#REF!``), as openpyxl reads
it from the file, so the models name it as an error rather than a blank.
"""

from __future__ import annotations

from typing import Any

from models.inputs import OPTIONAL_TABLES, TABLE_NAMES, ModelInputs


def _rows(rng: Any) -> list[list[Any]]:
    if rng is None:
        return []
    value = rng.options(ndim=2, err_to_str=True).value
    return [list(r) for r in (value or [])]


def read_table(table: Any) -> list[list[Any]]:
    """One Excel Table as its rows: the header row, then the data body (as the file reader)."""
    header = _rows(table.header_row_range)
    body = _rows(table.data_body_range)
    columns = header[0] if header else []
    width = len(columns)
    body = [r + [None] * (width - len(r)) for r in body]
    return [list(columns), *body] if columns else []


def read_book(book: Any) -> ModelInputs:
    """Every model input table found in ``book``, by name (case-insensitive).

    A table the model lacks is simply absent: the models name it when they
    need it.
    """
    wanted = {name.casefold(): name for name in TABLE_NAMES + OPTIONAL_TABLES}
    tables: dict[str, list[list[Any]]] = {}
    for sheet in book.sheets:
        for table in sheet.tables:
            name = wanted.get(str(table.name).strip().casefold())
            if name is not None and name not in tables:
                tables[name] = read_table(table)
    return ModelInputs(tables, source=str(book.name))
