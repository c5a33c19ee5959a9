"""Case-management extracts: read them, read the placement mapping, write the counts.

An extract is a ``.csv`` or ``.xlsx`` file with one row per EHC plan and a
header row (the first non-blank row). Headers match loosely: case, spaces,
underscores and punctuation are ignored (``child_id``, ``CHILD ID`` and
``Child-ID`` are all ``Child ID``); two short aliases are accepted, ``DOB``
for ``Date of birth`` and ``Placement`` for ``Placement type``. Extra
columns are ignored; a missing column is refused, naming it and the file.

``.xlsx`` is read with python-calamine (the first sheet), which keeps a
national extract (about 640,000 rows) to seconds; a sheet of more than
:data:`SHEET_BLOCK_BYTES` of XML a block of rows at a time, so that memory
stays under 400 MiB. ``.csv`` with pandas' C parser (the csv module for
ragged files; pyarrow's reader, where it is installed, for a file without
quotes), every cell as text (UTF-8, or Windows-1252 as Excel saves it).
Cells are passed on as read: dates are parsed, and bad ones reported, by
:func:`models.caseload.caseload_counts`.

Hostile files are refused before or while reading, naming file, row and
column (:class:`~models.errors.InputError`):

- sizes over the limits of :mod:`workbooks.limits` (zip bombs, huge shared
  strings, DTDs, over-long CSV lines), before any parser runs;
- a control character (bytes 0-8, 11, 12, 14-31) in one of the extract's six
  columns: no workbook can hold it, and in an ID, date or label it is damage
  to fix at the source. In the other columns, which are neither read nor
  written, it is harmless and ignored;
- a CSV field running over a line end: one stray quote silently swallows
  every later row, so every such field is refused, naming the row where the
  quote opens (found by comparing the rows read with the lines in the file).

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
import io
import itertools
import operator
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

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
from workbooks.publish import candidates, publish
from workbooks.safe_text import text_cell, write_only_row

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell

# openpyxl (the counts workbook) and python-calamine (.xlsx extracts) are imported where
# they are used: a CSV extract counted to the screen needs neither, and importing them
# would be a tenth of that whole run.

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
        if not where and len(headers) == 1:
            separator = next((c for c in (";", "\t", "|") if c in str(headers[0])), None)
            if separator is not None:
                shown = "tabs" if separator == "\t" else repr(separator)
                problems.append(
                    Problem(
                        source,
                        "",
                        f"the header is one column separated by {shown}, not commas: save "
                        "the extract as 'CSV UTF-8 (Comma delimited)' and run again",
                    )
                )
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


def _csv_columns(
    p: Path, head: int, cols: Sequence[int], encoding: str, *, categories: bool
) -> pd.DataFrame:
    """The extract's columns of a CSV file after its header line, with pandas' C parser.

    Every cell as its text (no blanks made NaN); the Child ID column as ``str``
    objects, the others as categoricals of their texts where ``categories``.
    """
    return pd.read_csv(
        p,
        header=None,
        skiprows=head + 1,
        usecols=sorted(set(cols)),
        dtype={
            c: object if name == "Child ID" or not categories else "category"
            for name, c in zip(EXTRACT_COLUMNS, cols, strict=True)
        },
        keep_default_na=False,
        na_filter=False,
        encoding=encoding,
        engine="c",
        skip_blank_lines=False,
    )


#: Bytes pyarrow's CSV reader parses at a time: a national extract in a few blocks, so that
#: few threads' results are joined (a line longer than a block is read without pyarrow).
_ARROW_BLOCK_BYTES = 8 * 1024 * 1024


def _arrow_columns(p: Path, cols: Sequence[int], scan: CsvScan) -> pd.DataFrame | None:
    """The extract's columns as :func:`_csv_columns` gives them, read by pyarrow; or None.

    Where pyarrow is installed (it is not a dependency), its reader parses a
    national extract on every core. It is used only where it cannot read a
    cell differently from pandas' C parser: UTF-8 text with the header on the
    first line and no double quote anywhere (:attr:`CsvScan.quotes`), so that
    a cell is exactly the text between two commas. Anything it does not read
    cleanly (a blank or ragged line, a bad byte, rows other than the file's
    lines) gives None, and the file is read as without pyarrow.
    """
    if scan.quotes:
        return None
    try:
        import pyarrow as pa
        from pyarrow import csv as arrow_csv
    except ImportError:
        return None
    used = sorted(set(cols))
    try:
        table = arrow_csv.read_csv(
            p,
            read_options=arrow_csv.ReadOptions(
                skip_rows=1,
                autogenerate_column_names=True,
                encoding="utf8",
                block_size=_ARROW_BLOCK_BYTES,
            ),
            parse_options=arrow_csv.ParseOptions(ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(
                include_columns=[f"f{c}" for c in used],
                column_types={f"f{c}": pa.string() for c in used},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if 1 + table.num_rows != scan.lines:
        return None
    child_id = cols[EXTRACT_COLUMNS.index("Child ID")]
    grid = {}
    for c in used:
        column = table.column(f"f{c}")
        if c == child_id:
            grid[c] = pd.Series(column.to_numpy(), dtype=object)
        else:
            # Coded by arrow; only the distinct texts become Python objects.
            encoded = column.combine_chunks().dictionary_encode()
            texts = pd.Index(encoded.dictionary.to_pandas())
            grid[c] = pd.Series(
                pd.Categorical.from_codes(
                    encoded.indices.to_numpy(), dtype=pd.CategoricalDtype(texts)
                )
            )
            del encoded
    del table, column
    # pyarrow's allocator keeps what the table held (about 90 MB at 640,000 rows) for its
    # next use; there is none, and the model's own peak comes next: give it back now.
    pa.default_memory_pool().release_unused()
    return pd.DataFrame(grid)


def _refuse_utf16(p: Path, source: str) -> None:
    """Refuse a UTF-16 file (Excel's "Unicode Text" save) by name, before it is misread.

    Read as UTF-8 or Windows-1252 its every second byte is a NUL and no header
    matches, which would be reported as missing columns with unreadable headers.
    """
    with open(p, "rb") as f:
        start = f.read(4)
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(start) == 4 and b"\0\0" in (start[0::2], start[1::2])
    ):
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    "is UTF-16 text (Excel's 'Unicode Text'), not a CSV file: save the extract "
                    "as 'CSV UTF-8 (Comma delimited)' and run again",
                )
            ]
        )


def _read_csv(p: Path, source: str, scan: CsvScan | None = None) -> Extract:
    # pandas' C parser first (an order of magnitude faster than the csv module on a national
    # extract), reading only the extract's columns, every cell as its text. Child IDs (nearly
    # all distinct) come as Python str: never pyarrow strings, which pandas makes where
    # pyarrow is installed and which cost a second copy when the model takes them as objects
    # (615 MiB at 640,000 rows). The other five columns (dates, placement, need: a few
    # thousand distinct texts over hundreds of thousands of rows) come as categoricals: the
    # parser hashes each cell's bytes and makes a text only for each distinct value, which
    # is both the read and the model's factorising done once. Where pyarrow is installed and
    # the file has no quote, its reader does the same on every core (:func:`_arrow_columns`).
    # The rows read are checked against the lines the file has: fewer means a field ran over
    # a line end (a stray quote), and the csv module, which also pads ragged rows, then reads
    # the file again and names the row.
    _refuse_utf16(p, source)
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
                arrow = (
                    _arrow_columns(p, cols, scan) if head == 0 and encoding == "utf-8-sig" else None
                )
                grid = (
                    arrow
                    if arrow is not None
                    else _csv_columns(p, head, cols, encoding, categories=True)
                )
                if not all(
                    pd.api.types.is_string_dtype(grid[c].cat.categories)
                    for c in grid.columns
                    if isinstance(grid[c].dtype, pd.CategoricalDtype)
                ):
                    # The parser turns a categorical column whose every text is a number
                    # (or True/False) into numbers, losing the text ('01', '45000' as a
                    # date): such a file is read again, every cell a str.
                    grid = _csv_columns(p, head, cols, encoding, categories=False)
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


class _RowsOutOfOrder(Exception):
    """A sheet's rows are not in ascending order: it is read whole instead."""


#: A segment of a sheet: (first row, first column, rows), 0-based, rows of equal width.
Segment = tuple[int, int, Sequence[Sequence[object]]]


def _whole_sheet(p: Path) -> Iterator[Segment]:
    """The first sheet through calamine in one piece, a block of rows at a time."""
    from python_calamine import CalamineWorkbook  # the caseload path's only: not for the functions

    book = CalamineWorkbook.from_path(str(p))
    sheet = book.get_sheet_by_index(0)
    start = sheet.start
    first_col = start[1] if start else 0
    rows = sheet.iter_rows()  # every row from the sheet's first, columns from its first
    first = 0
    while block := list(itertools.islice(rows, _BLOCK_ROWS)):
        yield first, first_col, block
        first += len(block)


#: A first sheet whose XML inflates to more than this is read a block of rows at a time,
#: so that calamine never holds a national extract whole (about 80 bytes a cell, twice).
SHEET_BLOCK_BYTES = 24 * 1024 * 1024

_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData(?:\s[^>]*)?(/?)>")
_DIMENSION_ELEMENT = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_EMPTY_SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
#: Parts calamine reads to open a workbook and turn a sheet's cells into values.
_BOOK_PARTS = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|"
    r"xl/styles\.xml|xl/sharedStrings\.xml)$",
    re.IGNORECASE,
)


def _first_sheet_part(zf: zipfile.ZipFile) -> str | None:
    """The zip part of the workbook's first sheet (the one calamine reads), or None."""
    from defusedxml.ElementTree import fromstring

    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    book = fromstring(zf.read("xl/workbook.xml"))
    rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    first = next((e for e in book.iter() if e.tag.endswith("}sheet")), None)
    if first is None:
        return None
    rid = next((v for k, v in first.attrib.items() if k.endswith("}id")), None)
    target = next(
        (
            e.get("Target")
            for e in rels.iter()
            if e.tag.endswith("Relationship") and e.get("Id") == rid
        ),
        None,
    )
    if not target:
        return None
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return part if part in names else None


def _sheet_in_blocks(p: Path) -> Iterator[Segment] | None:
    """The first sheet a block of rows at a time, or None where it is small or unusual.

    The sheet's XML is inflated as a stream and cut between rows into blocks of
    about :data:`SHEET_BLOCK_BYTES`; each block is put, with the workbook's
    styles and shared strings, into a small workbook held in memory that
    calamine reads. Every block's first row must carry its row number (Excel
    and openpyxl always write one); otherwise, or for a sheet in another
    format, the sheet is read whole.
    """
    if p.suffix.casefold() not in (".xlsx", ".xlsm"):
        return None
    with zipfile.ZipFile(p) as zf:
        part = _first_sheet_part(zf)
        if part is None or zf.getinfo(part).file_size <= SHEET_BLOCK_BYTES:
            return None
        with zf.open(part) as stream:
            opening = stream.read(1 << 20)
        found = _SHEET_DATA.search(opening)
        if found is None or found.group(2):
            return None
    return _blocks(p, part)


def _blocks(p: Path, part: str) -> Iterator[Segment]:
    with zipfile.ZipFile(p) as zf, _ScratchFile() as scratch:
        book = {i.filename: zf.read(i) for i in zf.infolist() if _BOOK_PARTS.match(i.filename)}
        for name in zf.namelist():  # the other sheets, empty (never read)
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and name != part:
                book[name] = _EMPTY_SHEET
        with zf.open(part) as stream:
            buffer = bytearray()
            head = tail = row_end = prefix = b""
            done = False
            while not done:
                more = stream.read(_READ_BYTES)
                done = not more
                buffer += more
                del more
                if not head:
                    found = _SHEET_DATA.search(buffer)
                    if found is None:
                        if len(buffer) < _READ_BYTES * 4 and not done:
                            continue
                        raise _RowsOutOfOrder  # not a sheet this reader understands
                    prefix = found.group(1) or b""
                    head = _DIMENSION_ELEMENT.sub(b"", bytes(buffer[: found.end()]))
                    tail = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
                    row_end = b"</" + prefix + b"row>"
                    del buffer[: found.end()]
                if done:
                    close = buffer.find(b"</" + prefix + b"sheetData>")
                    cut = close if close >= 0 else len(buffer)
                elif len(buffer) < SHEET_BLOCK_BYTES:
                    continue
                else:
                    cut = buffer.rfind(row_end)
                    if cut < 0:
                        continue
                    cut += len(row_end)
                if buffer.find(b"<" + prefix + b"row", 0, cut) >= 0:
                    yield _block(
                        scratch, book, part, (head, memoryview(buffer)[:cut], tail), prefix
                    )
                del buffer[:cut]


#: Bytes inflated from the sheet at a time.
_READ_BYTES = 4 * 1024 * 1024


class _ScratchFile:
    """A file for one block's small workbook, gone when the read ends.

    On Linux an anonymous in-memory file (never on disk, never left behind,
    even if the process is killed); elsewhere a file in a temporary folder,
    removed on exit.
    """

    def __enter__(self) -> _ScratchFile:
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
            self.fd = os.memfd_create("dsg-caseload-block")
            self.path = f"/proc/self/fd/{self.fd}"
        else:
            self._folder = tempfile.TemporaryDirectory(prefix=".~dsg-")
            self.path = os.path.join(self._folder.name, "block.xlsx")
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self

    def rewrite(self) -> io.BufferedRandom:
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        return open(self.fd, "w+b", closefd=False)

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)
        if self._folder is not None:
            self._folder.cleanup()


def _block(
    scratch: _ScratchFile,
    book: dict[str, bytes],
    part: str,
    sheet: tuple[bytes, memoryview, bytes],
    prefix: bytes,
) -> Segment:
    head, rows, tail = sheet
    start_at = bytes(rows[:4096])
    opening = start_at.find(b"<" + prefix + b"row")
    numbered = re.match(
        rb"<" + re.escape(prefix) + rb"row\b[^>]*?\sr=\"(\d+)\"", start_at[max(opening, 0) :]
    )
    if opening < 0 or numbered is None:
        raise _RowsOutOfOrder  # the block's first row has no number: read the sheet whole
    with scratch.rewrite() as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as out:
        for name, data in book.items():
            out.writestr(name, data)
        with out.open(part, "w") as stream:
            stream.write(head)
            stream.write(rows)
            stream.write(tail)
    rows.release()
    from python_calamine import CalamineWorkbook

    reader = CalamineWorkbook.from_path(scratch.path)
    try:
        values = reader.get_sheet_by_index(0)
        start = values.start
        cells = values.to_python(skip_empty_area=True) if start else []
    finally:
        reader.close()
    if not start:
        return int(numbered.group(1)) - 1, 0, []
    return start[0], start[1], cells


def _collect(
    segments: Iterator[Segment], source: str
) -> tuple[list[list[object]], list[dict[object, object]], int]:
    """The extract's columns from a sheet's segments: values, their caches, the header row.

    Row gaps between segments are blank rows; a column a segment does not
    reach is blank in it. Equal texts and dates are kept as one object each
    (:func:`_shared`), Child IDs as they come (nearly all distinct).
    """
    values: list[list[object]] = [[] for _ in EXTRACT_COLUMNS]
    caches: list[dict[object, object]] = [{} for _ in EXTRACT_COLUMNS]
    cols: list[int] | None = None
    head = next_row = 0
    ids = values[EXTRACT_COLUMNS.index("Child ID")]
    for first_row, first_col, rows in segments:
        i = 0
        if cols is None:
            while i < len(rows) and _blank_row(rows[i]):
                i += 1
            if i == len(rows):
                continue
            head = first_row + i
            where = _locate(
                ["" if v is None else str(v) for v in rows[i]],
                EXTRACT_COLUMNS,
                source,
                HEADER_ALIASES,
            )
            cols = [first_col + where[c] for c in EXTRACT_COLUMNS]
            next_row = head + 1
            i += 1
        start = first_row + i
        if start < next_row:
            raise _RowsOutOfOrder
        body = rows[i:] if i else rows
        width = len(body[0]) if body else 0
        for kept, cache, c in zip(values, caches, cols, strict=True):
            kept.extend([""] * (start - next_row))
            j = c - first_col
            if 0 <= j < width and kept is ids:  # nearly all distinct: nothing to share
                kept.extend(map(operator.itemgetter(j), body))
            elif 0 <= j < width:
                kept.extend(_shared(list(map(operator.itemgetter(j), body)), cache))
            else:
                kept.extend([""] * len(body))
        next_row = start + len(body)
        del body, rows
    if cols is None:
        raise InputError([Problem(source, "", "the first sheet has no header row")])
    return values, caches, head


def _read_sheet(p: Path, source: str) -> Extract:
    gc_was_enabled = gc.isenabled()
    try:
        # Keep only the extract's columns, column-wise, a block of rows at a time. The
        # cyclic garbage collector is paused meanwhile: the rows are lists, and it would
        # otherwise rescan every list made so far, again and again, finding nothing.
        gc.disable()
        try:
            blocks = _sheet_in_blocks(p)
            values, caches, head = _collect(blocks or _whole_sheet(p), source)
        except _RowsOutOfOrder:
            values, caches, head = _collect(_whole_sheet(p), source)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for bad files
        what = f"cannot be read as a workbook: {exc}"
        if "larger than its declared" in str(exc) or "Bad CRC-32" in str(exc):
            what += (
                " (a part inflates past the size the file declares for it: the file is "
                "damaged or crafted, and reading stopped at the declared size)"
            )
        raise InputError([Problem(source, "", what)]) from None
    finally:
        if gc_was_enabled:
            gc.enable()
    # Control characters: the distinct texts of each column are searched at once (the
    # Child IDs, not shared, all of them).
    ids = values[EXTRACT_COLUMNS.index("Child ID")]
    if CONTROL_CHARACTERS.search("".join(v for v in ids if v.__class__ is str)) or any(
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


def _header_cells(ws, names: Sequence[str]) -> list[WriteOnlyCell]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = text_cell(WriteOnlyCell(ws), name)
        cell.font = bold
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

    from openpyxl import Workbook

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
