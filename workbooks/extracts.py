"""Case-management extracts: read them, read the placement mapping, write the counts.

An extract is a ``.csv`` or ``.xlsx`` file with one row per EHC plan and a
header row (the first non-blank row). Headers match loosely: case, spaces,
underscores and punctuation are ignored (``child_id``, ``CHILD ID`` and
``Child-ID`` are all ``Child ID``); two short aliases are accepted, ``DOB``
for ``Date of birth`` and ``Placement`` for ``Placement type``. Extra
columns are ignored; a missing column is refused, naming it and the file.

``.xlsx`` is read with python-calamine (the first sheet), which keeps a
national extract (about 640,000 rows) to seconds; ``.csv`` with the csv
module, every cell as text (UTF-8, or Windows-1252 as Excel saves it). Cells are
passed on as read: dates are parsed, and bad ones reported, by
:func:`models.caseload.caseload_counts`.

The counts workbook has sheets ``Counts``, ``By age`` and ``Data quality``;
it is published through :func:`workbooks.publish.publish` (a temporary file
in the target folder, named once whole) and never replaces an existing file
(``_v2``, ``_v3``... are added). Every text cell (Child IDs, details, the
extract's name) is written as text, never as a formula
(:mod:`workbooks.safe_text`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import gc
import itertools
import operator
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from python_calamine import CalamineWorkbook

from models.caseload import (
    EXTRACT_COLUMNS,
    PROBLEM_COLUMNS,
    CaseloadCounts,
    normalise_label,
    placement_mapping,
)
from models.errors import InputError, Problem
from workbooks.publish import candidates, publish
from workbooks.safe_text import text_cell, write_only_row

__all__ = [
    "HEADER_ALIASES",
    "DEFAULT_MAPPING",
    "Extract",
    "header_key",
    "read_extract",
    "read_mapping",
    "write_caseload_workbook",
]

#: The placement mapping shipped with the package (common case-system labels).
DEFAULT_MAPPING = Path(__file__).resolve().parent / "mappings" / "placement_mapping.csv"

#: Other headers accepted for a column (compared as :func:`header_key`).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "Date of birth": ("DOB",),
    "Placement type": ("Placement",),
}

MAPPING_COLUMNS: tuple[str, str] = ("Placement label", "Category")


def header_key(value: object) -> str:
    """A header as it is compared: lower case, letters and digits only.

    >>> header_key(" Child_ID "), header_key("Plan start-date"), header_key(None)
    ('childid', 'planstartdate', '')
    """
    if value is None:
        return ""
    return re.sub(r"[\W_]+", "", str(value)).casefold()


@dataclass(frozen=True)
class Extract:
    """An extract as read: canonical columns, cells as the file holds them.

    ``header_row`` is the spreadsheet (or CSV line) number of the header, so
    that data row ``r`` is spreadsheet row ``r + header_row``.
    """

    table: pd.DataFrame
    header_row: int
    source: str


def _locate(
    headers: Sequence[object],
    wanted: Sequence[str],
    source: str,
    aliases: dict[str, tuple[str, ...]],
) -> dict[str, int]:
    keys = [header_key(h) for h in headers]
    where: dict[str, int] = {}
    problems: list[Problem] = []
    for name in wanted:
        accepted = {header_key(name), *(header_key(a) for a in aliases.get(name, ()))}
        found = [i for i, k in enumerate(keys) if k in accepted]
        if not found:
            problems.append(Problem(source, "", f"missing column '{name}'"))
        elif len(found) > 1:
            shown = ", ".join(repr(str(headers[i]).strip()) for i in found)
            problems.append(
                Problem(source, "", f"column '{name}' appears {len(found)} times ({shown})")
            )
        else:
            where[name] = found[0]
    if problems:
        seen = ", ".join(repr(str(h).strip()) for h in headers if str(h).strip())
        last = problems[-1]
        problems[-1] = Problem(last.argument, last.where, f"{last.what} (headers found: {seen})")
        raise InputError(problems)
    return where


def _blank_row(row: Sequence[object]) -> bool:
    return all(
        v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)
        for v in row
    )


def read_extract(path: str | os.PathLike[str]) -> Extract:
    """Read a caseload extract (``.csv`` or ``.xlsx``) into the canonical columns.

    Trailing blank rows are dropped; blank rows inside the data are kept (they
    are reported as problems) so that row numbers match the file.

    Raises
    ------
    InputError
        The file is missing, not a .csv/.xlsx, unreadable, empty or lacks a
        column (every missing column is named).
    """
    p = Path(path)
    source = p.name
    if not p.is_file():
        raise InputError([Problem(str(p), "", "file not found")])
    suffix = p.suffix.casefold()
    if suffix == ".csv":
        return _read_csv(p, source)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        return _read_sheet(p, source)
    raise InputError([Problem(source, "", "is not a .csv or .xlsx file")])


def _csv_rows(p: Path, source: str) -> list[list[str]]:
    """The rows of a CSV file in UTF-8 (with or without BOM) or, failing that, Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with open(p, newline="", encoding=encoding) as handle:
                return list(csv.reader(handle))
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise InputError([Problem(source, "", f"cannot be read as CSV: {exc}")]) from None
    raise InputError([Problem(source, "", "is neither UTF-8 nor Windows-1252 text")])


def _read_csv(p: Path, source: str) -> Extract:
    # pandas' C parser first (an order of magnitude faster on a national extract); it keeps
    # every cell as text, as the csv module does. Ragged or unusual files fall back to the
    # csv module below, which pads short rows.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            grid = pd.read_csv(
                p,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=encoding,
                engine="c",
                skip_blank_lines=False,
            )
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
            break
        return _from_grid_frame(grid.astype(object), source)
    rows = _csv_rows(p, source)
    if not rows:
        raise InputError([Problem(source, "", "is empty")])
    # Rows may be ragged: short rows are padded with blanks (cells past the header are ignored).
    width = max(map(len, rows))
    if min(map(len, rows)) < width:
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    return _from_grid_frame(pd.DataFrame(rows, dtype=object), source)


#: Cell types whose equal values are stored once (a value equals only values of its own
#: type here, so sharing one object cannot change any cell; numbers are left alone,
#: since ``1.0 == True``).
_SHAREABLE = frozenset({str, _dt.date, _dt.datetime})

#: Rows taken from the sheet at a time.
_BLOCK_ROWS = 65536


def _shared(values: Sequence[object], cache: dict[object, object]) -> list[object]:
    """The cells of a column with equal text and dates as one object each.

    An extract repeats a few placement labels and needs, and a few thousand
    dates, over hundreds of thousands of rows: one object per distinct value
    keeps memory to a fraction, and later look-ups hash each value once.
    """
    share = cache.setdefault
    kinds = set(map(type, values))
    if kinds <= _SHAREABLE:  # text and dates only: share every cell, without a Python loop
        return list(map(share, values, values))
    if kinds.isdisjoint(_SHAREABLE):
        return list(values)
    return [share(v, v) if v.__class__ in _SHAREABLE else v for v in values]


def _read_sheet(p: Path, source: str) -> Extract:
    gc_was_enabled = gc.isenabled()
    try:
        book = CalamineWorkbook.from_path(str(p))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
        head = 0
        header = next(rows, None)
        while header is not None and _blank_row(header):
            head += 1
            header = next(rows, None)
        if header is None:
            raise InputError([Problem(source, "", "the first sheet has no header row")])
        where = _locate(
            ["" if v is None else str(v) for v in header], EXTRACT_COLUMNS, source, HEADER_ALIASES
        )
        cols = [where[c] for c in EXTRACT_COLUMNS]
        # Keep only the extract's columns, column-wise, a block of rows at a time. The
        # cyclic garbage collector is paused meanwhile: the rows are lists, and it would
        # otherwise rescan every list made so far, again and again, finding nothing.
        values: list[list[object]] = [[] for _ in cols]
        caches: list[dict[object, object]] = [{} for _ in cols]
        gc.disable()
        while block := list(itertools.islice(rows, _BLOCK_ROWS)):
            for kept, cache, c in zip(values, caches, cols, strict=True):
                kept.extend(_shared(list(map(operator.itemgetter(c), block)), cache))
            del block
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for bad files
        raise InputError([Problem(source, "", f"cannot be read as a workbook: {exc}")]) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    del rows, sheet, book, caches  # release the parsed sheet
    body = pd.DataFrame(
        {
            name: pd.Series(_objects(kept), dtype=object)
            for name, kept in zip(EXTRACT_COLUMNS, values, strict=True)
        }
    )
    del values
    return Extract(table=_drop_trailing_blank(body), header_row=head + 1, source=source)


def _objects(values: list[object]) -> np.ndarray:
    """A list of cells as a 1-D object array (never a 2-D one, whatever the cells)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _drop_trailing_blank(body: pd.DataFrame) -> pd.DataFrame:
    last = len(body)
    while last > 0 and _blank_row(body.iloc[last - 1].tolist()):
        last -= 1
    return body.iloc[:last].reset_index(drop=True)


def _from_grid_frame(frame: pd.DataFrame, source: str) -> Extract:
    """Canonical columns from a grid whose first non-blank row is the header."""
    head = 0
    while head < len(frame) and _blank_row(frame.iloc[head].tolist()):
        head += 1
    if head >= len(frame):
        raise InputError([Problem(source, "", "has no header row")])
    headers = ["" if v is None else str(v) for v in frame.iloc[head].tolist()]
    where = _locate(headers, EXTRACT_COLUMNS, source, HEADER_ALIASES)
    body = frame.iloc[head + 1 :, [where[c] for c in EXTRACT_COLUMNS]]
    body.columns = list(EXTRACT_COLUMNS)
    body = _drop_trailing_blank(body.reset_index(drop=True))
    return Extract(table=body, header_row=head + 1, source=source)


def read_mapping(path: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """Read a placement mapping CSV (``Placement label,Category``) into a dict.

    Without a path, the mapping shipped with the package. Headers match as
    for extracts. The categories are checked by
    :func:`models.caseload.placement_mapping` when counting; here blank rows
    are skipped and a blank label or a label given twice is refused, naming
    its CSV line.
    """
    p = Path(path) if path is not None else DEFAULT_MAPPING
    source = p.name
    if not p.is_file():
        raise InputError([Problem(str(p), "", "mapping file not found")])
    rows = _csv_rows(p, source)
    if not rows:
        raise InputError([Problem(source, "", "is empty")])
    where = _locate(rows[0], MAPPING_COLUMNS, source, {})
    out: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        row = row + [""] * (len(rows[0]) - len(row))
        label, category = row[where["Placement label"]].strip(), row[where["Category"]].strip()
        if not label and not category:
            continue
        if not label:
            problems.append(
                Problem(source, f"line {line}", f"blank placement label (category {category!r})")
            )
            continue
        key = normalise_label(label)
        if key in first_line:
            problems.append(
                Problem(
                    source,
                    f"line {line} {label!r}",
                    f"label given twice (also line {first_line[key]})",
                )
            )
            continue
        first_line[key] = line
        try:
            placement_mapping({label: category}, argument=source)
        except InputError as exc:
            problems.extend(Problem(source, f"line {line} {label!r}", p.what) for p in exc.problems)
            continue
        out[label] = category
    if problems:
        raise InputError(problems)
    return out


# --------------------------------------------------------------------------- writing

_BOLD = Font(bold=True)


def _header_cells(ws, names: Sequence[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        cell = text_cell(WriteOnlyCell(ws), name)
        cell.font = _BOLD
        cell.alignment = Alignment(vertical="top")
        cells.append(cell)
    return cells


def _free_name(folder: Path, stem: str, suffix: str = ".xlsx") -> Path:
    """The first of ``<stem><suffix>``, ``<stem>_v2<suffix>``... not taken in ``folder`` now.

    Only a hint: :func:`workbooks.publish.publish` claims the name atomically.
    """
    for name in candidates(f"{stem}{suffix}"):
        if not (folder / name).exists():
            return folder / name
    return folder / f"{stem}{suffix}"


def write_caseload_workbook(
    result: CaseloadCounts,
    folder: str | os.PathLike[str],
    *,
    source: str = "",
    stem: str | None = None,
) -> Path:
    """Write the counts and the data-quality list to a new workbook in ``folder``.

    Sheets: ``Counts`` (the seven categories, ``Total``, then how the rows of
    the extract were used and problems by reason), ``By age`` and ``Data
    quality`` (every problem, one line per row and reason). The name is
    ``caseload_<census date>.xlsx``, with ``_v2``, ``_v3``... when taken.

    Returns
    -------
    Path
        The file written.
    """
    out_dir = Path(folder)
    census = result.census.date().isoformat()
    stem = stem or f"caseload_{census}"

    wb = Workbook(write_only=True)

    def sheet(title: str, first_width: float, header: list[str]):
        new = wb.create_sheet(title)
        new.column_dimensions["A"].width = first_width
        new.column_dimensions["B"].width = 14
        new.freeze_panes = "A2"
        new.append(_header_cells(new, header))
        return new

    ws = sheet("Counts", 50, ["Category", "Count"])
    for label, value in result.by_category.items():
        ws.append(write_only_row(ws, [label, int(value)]))
    ws.append([])
    ws.append(_header_cells(ws, ["Rows of the extract", "Rows"]))
    ws.append(write_only_row(ws, ["Rows in the extract", result.rows]))
    ws.append(write_only_row(ws, ["Counted (active at census, no problem)", result.counted]))
    ws.append(write_only_row(ws, ["Excluded rows (at least one problem)", result.excluded]))
    ws.append(write_only_row(ws, ["Not active at census", result.not_active]))
    ws.append(write_only_row(ws, ["  of which ended before the census date", result.ended_before]))
    ws.append(write_only_row(ws, ["  of which start after the census date", result.starts_after]))
    ws.append([])
    ws.append(_header_cells(ws, ["Problems by reason", "Problems"]))
    summary = result.reason_summary()
    if len(summary):
        for reason, value in summary.items():
            ws.append(write_only_row(ws, [reason, int(value)]))
    else:
        ws.append(write_only_row(ws, ["No problems found", 0]))
    ws.append([])
    ws.append(write_only_row(ws, ["Census date", census]))
    ws.append(write_only_row(ws, ["Ages taken on", result.age_on.date().isoformat()]))
    if source:
        ws.append(write_only_row(ws, ["Extract", source]))

    ws = sheet("By age", 24, ["Age group", "Count"])
    for label, value in result.by_age.items():
        ws.append(write_only_row(ws, [label, int(value)]))

    ws = wb.create_sheet("Data quality")
    for letter, width in zip("ABCDE", (10, 16, 16, 28, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    problems = result.problems
    if len(problems):
        ws.auto_filter.ref = f"A1:E{len(problems) + 1}"
    ws.append(_header_cells(ws, list(PROBLEM_COLUMNS)))
    for row in problems[list(PROBLEM_COLUMNS)].itertuples(index=False, name=None):
        ws.append(write_only_row(ws, [int(row[0]), int(row[1]), row[2], row[3], row[4]]))

    return publish(out_dir, f"{stem}.xlsx", wb.save)
