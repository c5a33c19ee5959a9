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
it is written to a temporary file in the target folder and then renamed, and
never replaces an existing file (``_v2``, ``_v3``... are added).
"""

from __future__ import annotations

import csv
import datetime as _dt
import gc
import itertools
import operator
import os
import re
import tempfile
import zipfile
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
from workbooks.limits import (
    EXTRACT_CSV_LIMITS,
    EXTRACT_LIMITS,
    CsvScan,
    check_csv,
    check_xlsx,
    human_bytes,
)

__all__ = [
    "HEADER_ALIASES",
    "DEFAULT_MAPPING",
    "Extract",
    "header_key",
    "control_cells",
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
    are reported as problems) so that row numbers match the file. Sizes are
    checked before the file is parsed (:mod:`workbooks.limits`).

    Raises
    ------
    InputError
        The file is missing, not a .csv/.xlsx, over a size limit, unreadable,
        empty or lacks a column (every missing column is named); a cell holds a
        control character; a CSV field runs over a line end (a stray quote).
    """
    p = Path(path)
    source = p.name
    if not p.is_file():
        raise InputError([Problem(str(p), "", "file not found")])
    suffix = p.suffix.casefold()
    if suffix == ".csv":
        scan = check_csv(p, EXTRACT_CSV_LIMITS, argument=source)
        return _read_csv(p, source, scan)
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        if suffix == ".xls" and not zipfile.is_zipfile(p):
            _check_file_size(p, source)  # the old binary format: no zip to look into
        else:
            check_xlsx(p, EXTRACT_LIMITS, argument=source)
        return _read_sheet(p, source)
    raise InputError([Problem(source, "", "is not a .csv or .xlsx file")])


def _check_file_size(p: Path, source: str) -> None:
    size = p.stat().st_size
    if size > EXTRACT_LIMITS.part_bytes:
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    f"is {human_bytes(size)}; the limit is "
                    f"{human_bytes(EXTRACT_LIMITS.part_bytes)}, {EXTRACT_LIMITS.reason}",
                )
            ]
        )


#: Control characters no workbook can hold (XML 1.0 forbids them; openpyxl refuses them).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

#: Cells with a control character named before "and N more".
SHOWN_CELLS = 10


def control_cells(table: pd.DataFrame, header_row: int, source: str) -> list[Problem]:
    r"""Every cell of the extract's columns holding a control character, as problems.

    Rule
    ----
    Bytes 0-8, 11, 12 and 14-31 (tab, line feed and carriage return aside)
    cannot be written to a workbook (XML 1.0 forbids them), and in a Child
    ID, a date or a placement label they are damage from another system:
    the file is refused naming row and column, so the record is fixed at
    its source. No cell is changed silently.

    >>> t = pd.DataFrame({c: ["x"] for c in EXTRACT_COLUMNS})
    >>> t.loc[0, "Child ID"] = "C\x07"
    >>> [str(p) for p in control_cells(t, 1, "e.csv")]  # doctest: +ELLIPSIS
    ["e.csv row 2, column 'Child ID': holds the control character U+0007 ('C\\x07'), ..."]
    """
    found: list[tuple[int, str, str]] = []
    for name in EXTRACT_COLUMNS:
        values = table[name].to_numpy(dtype=object)
        hits = [
            i
            for i, v in enumerate(values)
            if v.__class__ is str and CONTROL_CHARACTERS.search(v) is not None
        ]
        found += [(i, name, values[i]) for i in hits]
    found.sort(key=lambda hit: hit[0])
    problems = []
    for i, name, value in found[:SHOWN_CELLS]:
        char = CONTROL_CHARACTERS.search(value)
        code = ord(char.group(0)) if char else 0
        problems.append(
            Problem(
                source,
                f"row {i + 1 + header_row}, column '{name}'",
                f"holds the control character U+{code:04X} ({value[:40]!r}), which no "
                "workbook can hold and no case record should: remove it in the "
                "case-management system (or the file) and export again",
            )
        )
    if len(found) > SHOWN_CELLS:
        problems.append(
            Problem(
                source,
                "",
                f"and {len(found) - SHOWN_CELLS:,} more cells with control characters",
            )
        )
    return problems


def _refuse_control(table: pd.DataFrame, header_row: int, source: str) -> None:
    problems = control_cells(table, header_row, source)
    if problems:
        raise InputError(problems)


def _spanning(source: str, start: int, end: int, eof: bool, column: str) -> InputError:
    """The refusal of a CSV field that runs from line ``start`` over line ends to ``end``."""
    breaks = end - start
    to = "the end of the file" if eof else f"line {end:,}"
    return InputError(
        [
            Problem(
                source,
                f"row {start:,}, column {column}",
                f"a quote opens a field here that runs over {breaks:,} line "
                f'end{"s" if breaks != 1 else ""} to {to}: one stray quote (") makes '
                "every line after it part of one cell, and those rows would not be "
                "counted. Fix the quote (or remove the line breaks inside the cell) and "
                "export again",
            )
        ]
    )


def _csv_rows(p: Path, source: str) -> list[list[str]]:
    """The rows of a CSV file in UTF-8 (with or without BOM) or, failing that, Windows-1252.

    A field running over a line end is refused, naming the row (CSV line) where
    its quote opens and the column: in an extract it is nearly always a stray
    quote, and it silently swallows every row after it.
    """
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with open(p, newline="", encoding=encoding) as handle:
                reader = csv.reader(handle)
                rows: list[list[str]] = []
                header: list[str] | None = None
                line = 0
                for row in reader:
                    start = line + 1
                    line = reader.line_num
                    if line > start:
                        at = next(
                            (j for j, v in enumerate(row) if "\n" in v or "\r" in v),
                            len(row) - 1,
                        )
                        named = (
                            f"'{header[at].strip()}'"
                            if header is not None and at < len(header) and header[at].strip()
                            else f"{at + 1}"
                        )
                        eof = handle.read(1) == ""
                        raise _spanning(source, start, line, eof, named)
                    if header is None and not _blank_row(row):
                        header = row
                    rows.append(row)
                return rows
        except UnicodeDecodeError:
            continue
        except csv.Error as exc:
            raise InputError([Problem(source, "", f"cannot be read as CSV: {exc}")]) from None
    raise InputError([Problem(source, "", "is neither UTF-8 nor Windows-1252 text")])


def _csv_header(p: Path, encoding: str) -> tuple[int, list[str]] | None:
    """The line index and cells of the first non-blank CSV row (None: no such row)."""
    with open(p, newline="", encoding=encoding) as handle:
        for head, row in enumerate(csv.reader(handle)):
            if not _blank_row(row):
                return head, row
    return None


def _read_csv(p: Path, source: str, scan: CsvScan | None = None) -> Extract:
    # pandas' C parser first (an order of magnitude faster on a national extract), reading
    # only the extract's columns, every cell as a Python str (never pyarrow strings, whose
    # conversion would double the memory). The rows it gives are checked against the lines
    # the file has: fewer means a field ran over a line end (a stray quote), and the csv
    # module, which pads ragged rows, then reads the file again and names the row.
    scan = scan or check_csv(p, EXTRACT_CSV_LIMITS, argument=source)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            found = _csv_header(p, encoding)
            if found is None:
                break
            head, headers = found
            where = _locate(headers, EXTRACT_COLUMNS, source, HEADER_ALIASES)
            cols = [where[c] for c in EXTRACT_COLUMNS]
            try:
                grid = pd.read_csv(
                    p,
                    header=None,
                    skiprows=head + 1,
                    usecols=sorted(set(cols)),
                    dtype=object,
                    keep_default_na=False,
                    na_filter=False,
                    encoding=encoding,
                    engine="c",
                    skip_blank_lines=False,
                )
            except pd.errors.EmptyDataError:
                grid = pd.DataFrame({c: pd.Series(dtype=object) for c in sorted(set(cols))})
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, ValueError, csv.Error):
            break
        if head + 1 + len(grid) != scan.lines:
            break
        body = pd.DataFrame({name: grid[c] for name, c in zip(EXTRACT_COLUMNS, cols, strict=True)})
        body = _drop_trailing_blank(body)
        if scan.control:
            _refuse_control(body, head + 1, source)
        return Extract(table=body, header_row=head + 1, source=source)
    rows = _csv_rows(p, source)
    if not rows:
        raise InputError([Problem(source, "", "is empty")])
    # Rows may be ragged: short rows are padded with blanks (cells past the header are ignored).
    width = max(map(len, rows))
    if min(map(len, rows)) < width:
        rows = [r + [""] * (width - len(r)) if len(r) < width else r for r in rows]
    extract = _from_grid_frame(pd.DataFrame(rows, dtype=object), source)
    if scan.control:
        _refuse_control(extract.table, extract.header_row, source)
    return extract


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
        what = f"cannot be read as a workbook: {exc}"
        if "larger than its declared" in str(exc):
            what += (
                " (a part inflates past the size the file declares for it: the file is "
                "damaged or crafted, and reading stopped at the declared size)"
            )
        raise InputError([Problem(source, "", what)]) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    del rows, sheet, book  # release the parsed sheet
    # Control characters: the distinct texts of each column are searched at once.
    if any(
        CONTROL_CHARACTERS.search("".join(k for k in cache if k.__class__ is str))
        for cache in caches
    ):
        table = pd.DataFrame(
            {
                n: pd.Series(_objects(v), dtype=object)
                for n, v in zip(EXTRACT_COLUMNS, values, strict=True)
            }
        )
        _refuse_control(table, head + 1, source)
    del caches
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
    scan = check_csv(p, EXTRACT_CSV_LIMITS, argument=source)
    rows = _csv_rows(p, source)
    if scan.control:
        damaged = [
            Problem(source, f"line {i + 1}", "holds a control character: remove it")
            for i, row in enumerate(rows)
            if any(CONTROL_CHARACTERS.search(v) for v in row)
        ]
        if damaged:
            raise InputError(damaged[:SHOWN_CELLS])
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
        cell = WriteOnlyCell(ws, value=name)
        cell.font = _BOLD
        cell.alignment = Alignment(vertical="top")
        cells.append(cell)
    return cells


def _free_name(folder: Path, stem: str, suffix: str = ".xlsx") -> Path:
    candidate = folder / f"{stem}{suffix}"
    version = 2
    while candidate.exists():
        candidate = folder / f"{stem}_v{version}{suffix}"
        version += 1
    return candidate


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
    out_dir.mkdir(parents=True, exist_ok=True)
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
        ws.append([label, int(value)])
    ws.append([])
    ws.append(_header_cells(ws, ["Rows of the extract", "Rows"]))
    ws.append(["Rows in the extract", result.rows])
    ws.append(["Counted (active at census, no problem)", result.counted])
    ws.append(["Excluded rows (at least one problem)", result.excluded])
    ws.append(["Not active at census", result.not_active])
    ws.append(["  of which ended before the census date", result.ended_before])
    ws.append(["  of which start after the census date", result.starts_after])
    ws.append([])
    ws.append(_header_cells(ws, ["Problems by reason", "Problems"]))
    summary = result.reason_summary()
    if len(summary):
        for reason, value in summary.items():
            ws.append([reason, int(value)])
    else:
        ws.append(["No problems found", 0])
    ws.append([])
    ws.append(["Census date", census])
    ws.append(["Ages taken on", result.age_on.date().isoformat()])
    if source:
        ws.append(["Extract", source])

    ws = sheet("By age", 24, ["Age group", "Count"])
    for label, value in result.by_age.items():
        ws.append([label, int(value)])

    ws = wb.create_sheet("Data quality")
    for letter, width in zip("ABCDE", (10, 16, 16, 28, 80), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    problems = result.problems
    if len(problems):
        ws.auto_filter.ref = f"A1:E{len(problems) + 1}"
    ws.append(_header_cells(ws, list(PROBLEM_COLUMNS)))
    for row in problems[list(PROBLEM_COLUMNS)].itertuples(index=False, name=None):
        ws.append([int(row[0]), int(row[1]), row[2], row[3], row[4]])

    target = _free_name(out_dir, stem)
    handle, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=out_dir)
    os.close(handle)
    try:
        wb.save(tmp)
        target = _free_name(out_dir, stem)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target
