"""Read the council's model workbook into :class:`models.inputs.ModelInputs`.

Every input is an Excel Table (ListObject) found by its name on whichever
sheet it sits (Excel table names are unique in a workbook and match without
regard to case). Each table comes back as its rows (lists): the header row
first, then the cells as the file holds them; the models validate the
figures. No pandas is imported. The file is opened with openpyxl, read-only
(only the sheets that hold the tables are parsed, and only as far as their
tables reach), and never saved.

Refused, with a message naming what is wrong (:class:`ModelFileError`):

- a file that is missing or is not an .xlsx workbook;
- a missing table, or a table missing one of its columns
  (:data:`models.inputs.TABLE_COLUMNS`; headers match ignoring case and
  surrounding spaces, extra columns are kept);
- a formula in an input table: the reader does not calculate, so it names the
  sheet, table, row and column, and the person types the value instead.

The optional tables (:data:`models.inputs.OPTIONAL_TABLES`: EHCPForecast,
Sources, Mitigations) are read when present, with the same refusal of
formulas; a model built before one of them existed opens without it, and
:func:`models.parse.parse_model` checks its columns and cells (no Mitigations
table: no savings listed).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.table import Table
from openpyxl.xml.functions import fromstring

from models.errors import InputError, Problem
from models.inputs import OPTIONAL_TABLES, TABLE_COLUMNS, TABLE_NAMES, ModelInputs
from workbooks.limits import MODEL_LIMITS, check_xlsx

__all__ = ["ModelFileError", "read_model", "find_tables"]


class ModelFileError(InputError):
    """The model workbook cannot be read as a model (missing table, column, formula...)."""


def _norm(text: Any) -> str:
    return "" if text is None else str(text).strip().casefold()


def _is_formula(cell) -> bool:
    value = cell.value
    if isinstance(value, (ArrayFormula, DataTableFormula)):
        return True
    return cell.data_type == "f" or (isinstance(value, str) and value.startswith("="))


def _tables_of(wb, ws) -> list[Any]:
    """The Excel Tables of one sheet.

    A sheet opened read-only keeps no tables, so they are read as openpyxl
    reads them for a full load: each table part the sheet's relationships
    name, parsed by :class:`openpyxl.worksheet.table.Table`.
    """
    if not isinstance(ws, ReadOnlyWorksheet):
        return list(ws.tables.values())
    archive = wb._archive
    rels_path = get_rels_path(ws._worksheet_path)
    if rels_path not in archive.namelist():
        return []
    rels = get_dependents(archive, rels_path)
    return [Table.from_tree(fromstring(archive.read(r.target))) for r in rels.find(Table._rel_type)]


def find_tables(wb) -> dict[str, tuple[Any, Any]]:
    """Table name (case-folded) -> (worksheet, table) for every table of ``wb``.

    ``wb`` may be opened in full or read-only (as :func:`read_model` opens it).
    """
    found: dict[str, tuple[Any, Any]] = {}
    for ws in wb.worksheets:
        for table in _tables_of(wb, ws):
            found[_norm(table.displayName or table.name)] = (ws, table)
    return found


def _grid(ws, tables: list[Any]) -> list[tuple[Any, ...]]:
    """The sheet's cells from A1 to the furthest corner of ``tables``, read in one pass."""
    bounds = [range_boundaries(t.ref) for t in tables]
    max_col = max(b[2] for b in bounds)
    max_row = max(b[3] for b in bounds)
    return list(ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col))


def _read_table(
    ws, table, name: str, problems: list[Problem], grid: list[tuple[Any, ...]]
) -> list[list[Any]]:
    """The table's header row (stripped text) then its data rows, totals row left out.

    ``grid`` is the sheet's cells from A1 (:func:`_grid`).
    """
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    header_rows = table.headerRowCount if table.headerRowCount is not None else 1
    totals = table.totalsRowCount or 0
    if header_rows < 1:
        problems.append(
            Problem(
                f"table '{name}'",
                f"on sheet '{ws.title}'",
                "has no header row: switch on the table's header row",
            )
        )
        return []
    cells = [row[min_col - 1 : max_col] for row in grid[min_row - 1 : max_row - totals]]
    header = []
    for cell in cells[0]:
        if _is_formula(cell):
            problems.append(
                Problem(
                    f"table '{name}'",
                    f"sheet '{ws.title}' header cell {cell.coordinate}",
                    "holds a formula: type the column name",
                )
            )
        header.append("" if cell.value is None else str(cell.value).strip())
    rows: list[list[Any]] = [header]
    for i, row in enumerate(cells[1:], start=1):
        values: list[Any] = []
        for j, cell in enumerate(row):
            if _is_formula(cell):
                text = cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
                problems.append(
                    Problem(
                        f"table '{name}'",
                        f"sheet '{ws.title}' row {i}, column '{header[j]}' (cell {cell.coordinate})",
                        f"holds the formula {str(text)[:60]!r}: the model reads values only, "
                        "so type the figure (or paste it as a value)",
                    )
                )
                values.append(None)
            else:
                values.append(cell.value)
        rows.append(values)
    return rows


def read_model(path: str | os.PathLike) -> ModelInputs:
    """The model workbook's input tables, as held in the file.

    Raises
    ------
    ModelFileError
        Naming the file, table, sheet, row and column of every problem found.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ModelFileError([Problem("model workbook", where, "file not found")])
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            [Problem("model workbook", where, "is not an Excel .xlsx workbook (save it as .xlsx)")]
        )
    check_xlsx(path, MODEL_LIMITS, argument="model workbook", where=where, error=ModelFileError)
    try:
        wb = load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ModelFileError(
            [Problem("model workbook", where, f"cannot be opened as an .xlsx workbook ({exc})")]
        ) from None
    try:
        return _read_tables(wb, path)
    except ModelFileError:
        raise
    except Exception as exc:  # a damaged part shows only when read (the sheets load lazily)
        raise ModelFileError(
            [Problem("model workbook", where, f"cannot be opened as an .xlsx workbook ({exc})")]
        ) from None
    finally:
        wb.close()


def _read_tables(wb, path: Path) -> ModelInputs:
    """Every model table of the opened ``wb``; ModelFileError names every problem."""
    tables = find_tables(wb)
    names = TABLE_NAMES + OPTIONAL_TABLES
    wanted = [tables[_norm(n)] for n in names if _norm(n) in tables]
    sheets = {id(ws): ws for ws, _ in wanted}  # each sheet holding a table, read once
    grids = {key: _grid(ws, [t for w, t in wanted if w is ws]) for key, ws in sheets.items()}
    problems: list[Problem] = []
    frames: dict[str, list[list[Any]]] = {}
    for name in TABLE_NAMES:
        hit = tables.get(_norm(name))
        if hit is None:
            problems.append(
                Problem(
                    f"table '{name}'",
                    "",
                    f"is missing from {path.name}: the model needs an Excel "
                    f"table named {name} (Table Design > Table Name)",
                )
            )
            continue
        ws, table = hit
        frame = _read_table(ws, table, name, problems, grids[id(ws)])
        have = {_norm(c) for c in frame[0]} if frame else set()
        for column in TABLE_COLUMNS[name]:
            if _norm(column) not in have:
                problems.append(
                    Problem(
                        f"table '{name}'", f"on sheet '{ws.title}'", f"has no column '{column}'"
                    )
                )
        frames[name] = frame
    for name in OPTIONAL_TABLES:  # read when present (EHCPForecast, Sources, Mitigations)
        if (hit := tables.get(_norm(name))) is not None:
            frames[name] = _read_table(hit[0], hit[1], name, problems, grids[id(hit[0])])
    if problems:
        raise ModelFileError(problems)
    return ModelInputs(tables=frames, source=str(path))
