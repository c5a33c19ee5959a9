"""Sizes checked before any parser reads a file: workbooks (zips) and CSV text.

A workbook is a zip of XML parts. Its central directory declares each part's
compressed and inflated size, so a file that would inflate to gigabytes (a
"zip bomb": a few MB of repeated XML) is seen for what it is by reading a few
kilobytes, before openpyxl or calamine builds anything. Both readers stop a
part at its declared size (Python's ``zipfile`` then fails the part's CRC,
calamine reports "File is larger than its declared uncompressed size"), so a
file whose declared sizes lie is still bounded by what it declares, and those
declarations are what is checked here.

What is checked, each against a named limit with its reason:

- :func:`check_zip`: the number of parts, the total and each part's inflated
  size, and the compression ratio of every large part;
- :func:`check_xlsx`: those, with separate limits for the sheets and the
  shared strings, the rows and cells a sheet's ``<dimension>`` declares,
  and no DTD in any XML part (a workbook never has one; its entities can
  expand a few bytes into gigabytes, the "billion laughs"; defusedxml, which
  openpyxl uses when installed, refuses them too, but with a message no
  finance officer can act on);
- :func:`check_csv`: the file's size and the length of its longest line.

Refusals are :class:`~models.errors.InputError` (or the class the caller
names) saying what was found, the limit and why, e.g. ``sheet
'xl/worksheets/sheet1.xml' inflates to 1.0 GB; the limit is 200 MB, far
above any council model``.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.errors import InputError, Problem

__all__ = [
    "ZipLimits",
    "CsvLimits",
    "MODEL_LIMITS",
    "EXTRACT_LIMITS",
    "DFE_LIMITS",
    "EXTRACT_CSV_LIMITS",
    "DFE_CSV_LIMITS",
    "RATIO_FLOOR",
    "PROLOG_BYTES",
    "CsvScan",
    "check_zip",
    "check_xlsx",
    "check_csv",
    "human_bytes",
]

MB = 1_000_000

#: Parts smaller than this are not checked for their compression ratio: small XML
#: parts (styles, a short sheet) can compress very well and cost nothing to read.
RATIO_FLOOR = 8 * MB

#: How much of each XML part's start is read to look for a DTD. A DTD can only sit in
#: the prolog, before the first element; a prolog longer than this is itself refused.
PROLOG_BYTES = 65_536


@dataclass(frozen=True)
class ZipLimits:
    """What a zip (a workbook) may declare, and why: each limit is far above real files.

    Attributes
    ----------
    what : str
        The kind of file, as messages name it (``council model``).
    total_bytes, part_bytes, shared_strings_bytes : int
        Inflated sizes: all parts together, any one part, the shared strings.
    ratio : float
        Inflated size over compressed size allowed for a part above
        :data:`RATIO_FLOOR`. Real sheet XML inflates 5 to 20 times; zip
        bombs several hundred to a thousand times.
    parts : int
        Parts in the zip.
    rows, cells : int
        Rows, and rows times columns, a sheet's ``<dimension>`` may declare.
    reason : str
        Why the limits are where they are, quoted in every refusal.
    """

    what: str
    total_bytes: int
    part_bytes: int
    shared_strings_bytes: int
    ratio: float
    parts: int
    rows: int
    cells: int
    reason: str


#: The council's model workbook. The example model is 127 kB inflated (41 parts, its
#: largest sheet 24 kB); its tables run to tens of rows.
MODEL_LIMITS = ZipLimits(
    what="model workbook",
    total_bytes=500 * MB,
    part_bytes=200 * MB,
    shared_strings_bytes=100 * MB,
    ratio=100.0,
    parts=10_000,
    rows=100_000,
    cells=10_000_000,
    reason="far above any council model (the example model inflates to 127 kB)",
)

#: A case-management extract. A national one (640,000 plans, 7 columns, written by
#: openpyxl with inline strings) is a 214 MB sheet compressed 9 times; Excel holds at
#: most 1,048,576 rows.
EXTRACT_LIMITS = ZipLimits(
    what="caseload extract",
    total_bytes=2_000 * MB,
    part_bytes=1_000 * MB,
    shared_strings_bytes=500 * MB,
    ratio=100.0,
    parts=10_000,
    rows=1_048_576,
    cells=30_000_000,
    reason="far above a national extract (640,000 plans: a 214 MB sheet, 4.5 million cells)",
)

#: DfE statistics downloads (.xlsx, .ods, .zip). The largest DfE file read here is 6 MB.
DFE_LIMITS = ZipLimits(
    what="DfE statistics file",
    total_bytes=1_000 * MB,
    part_bytes=500 * MB,
    shared_strings_bytes=200 * MB,
    ratio=100.0,
    parts=10_000,
    rows=1_048_576,
    cells=50_000_000,
    reason="far above any DfE statistics release (the largest read here is 6 MB)",
)


@dataclass(frozen=True)
class CsvLimits:
    """What a CSV file may hold, and why.

    Attributes
    ----------
    what : str
        The kind of file, as messages name it.
    file_bytes : int
        The file's size on disk.
    line_bytes : int
        The longest line, in bytes.
    reason : str
        Why, quoted in every refusal.
    """

    what: str
    file_bytes: int
    line_bytes: int
    reason: str


#: A national extract as CSV (640,000 plans) is about 40 MB, its lines about 60 bytes;
#: an Excel cell holds at most 32,767 characters.
EXTRACT_CSV_LIMITS = CsvLimits(
    what="caseload extract",
    file_bytes=1_000 * MB,
    line_bytes=1 * MB,
    reason="far above a national extract (640,000 plans: 40 MB, lines of about 60 bytes)",
)

#: DfE's CSV releases: the largest read here is 6 MB, with lines under 2 kB.
DFE_CSV_LIMITS = CsvLimits(
    what="DfE statistics file",
    file_bytes=500 * MB,
    line_bytes=1 * MB,
    reason="far above any DfE statistics release (the largest read here is 6 MB)",
)


def human_bytes(n: float) -> str:
    """A size as people read it, in decimal units.

    >>> human_bytes(1_000_000_000), human_bytes(200_000_000), human_bytes(65_536)
    ('1.0 GB', '200 MB', '66 kB')
    """
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{int(n)} bytes"


def _refuse(error: type[InputError], argument: str, where: str, what: str) -> InputError:
    return error([Problem(argument, where, what)])


_SHEET = re.compile(r"^(xl/worksheets/[^/]+\.(xml|bin)|content\.xml)$", re.IGNORECASE)
_SHARED = re.compile(r"^xl/sharedStrings\.(xml|bin)$", re.IGNORECASE)
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?\""
)
_FIRST_ELEMENT = re.compile(r"<(?![?!])")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n


def check_zip(
    path: str | os.PathLike[str],
    limits: ZipLimits = DFE_LIMITS,
    *,
    argument: str | None = None,
    where: str = "",
    error: type[InputError] = InputError,
) -> None:
    """Check a zip's declared sizes against ``limits``, reading only its directory.

    Parameters
    ----------
    path : path
        The file.
    limits : ZipLimits
        What may be declared.
    argument, where : str
        How refusals name the file (default: its name) and where in it.
    error : type
        The :class:`~models.errors.InputError` class raised.

    Raises
    ------
    InputError
        Not a zip; too many parts; a part, the shared strings or the whole
        inflating past its limit; a large part compressed more than the
        ratio allows.

    Notes
    -----
    ::

        ratio = inflated size / compressed size,  for parts inflating to RATIO_FLOOR or more
    """
    _open_checked(path, limits, argument, where, error).close()


def _open_checked(
    path: str | os.PathLike[str],
    limits: ZipLimits,
    argument: str | None,
    where: str,
    error: type[InputError],
) -> zipfile.ZipFile:
    """:func:`check_zip`, returning the open zip (the caller closes it)."""
    name = argument if argument is not None else Path(path).name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(
            error, name, where, f"cannot be read as a workbook: it is not a zip archive ({exc})"
        ) from None
    try:
        infos = zf.infolist()
        why = f"{limits.reason}: refused before reading it"
        if len(infos) > limits.parts:
            raise _refuse(
                error,
                name,
                where,
                f"holds {len(infos):,} parts; the limit is {limits.parts:,}, {why}",
            )
        for info in infos:
            shared = bool(_SHARED.match(info.filename))
            cap = limits.shared_strings_bytes if shared else limits.part_bytes
            kind = (
                "shared-strings part"
                if shared
                else "sheet"
                if _SHEET.match(info.filename)
                else "part"
            )
            if info.file_size > cap:
                raise _refuse(
                    error,
                    name,
                    where,
                    f"{kind} '{info.filename}' inflates to {human_bytes(info.file_size)}; "
                    f"the limit is {human_bytes(cap)}, {why}",
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size >= RATIO_FLOOR and ratio > limits.ratio:
                raise _refuse(
                    error,
                    name,
                    where,
                    f"{kind} '{info.filename}' inflates {ratio:,.0f} times "
                    f"({human_bytes(info.compress_size)} to {human_bytes(info.file_size)}); "
                    f"the limit is {limits.ratio:,.0f} times (sheets compress 5 to 20 times, "
                    f"zip bombs hundreds of times), {why}",
                )
        total = sum(i.file_size for i in infos)
        if total > limits.total_bytes:
            raise _refuse(
                error,
                name,
                where,
                f"inflates to {human_bytes(total)}; the limit is "
                f"{human_bytes(limits.total_bytes)}, {why}",
            )
    except BaseException:
        zf.close()
        raise
    return zf


def _prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with zf.open(info) as part:
        return part.read(PROLOG_BYTES)


def check_xlsx(
    path: str | os.PathLike[str],
    limits: ZipLimits = EXTRACT_LIMITS,
    *,
    argument: str | None = None,
    where: str = "",
    error: type[InputError] = InputError,
) -> None:
    """Check a workbook (.xlsx, .xlsm, .ods) before any parser reads it.

    :func:`check_zip`, then for every XML part the start of the part only:
    no DTD (``<!DOCTYPE``, ``<!ENTITY``) before the first element, and for
    each sheet the rows and cells its ``<dimension>`` declares.

    Raises
    ------
    InputError
        The first limit exceeded, naming the part, the size or count, the
        limit and why.

    Examples
    --------
    >>> from workbooks.extracts import DEFAULT_MAPPING
    >>> check_xlsx(Path(DEFAULT_MAPPING).parents[1] / "examples" / "cambridgeshire.xlsx",
    ...            MODEL_LIMITS)
    """
    name = argument if argument is not None else Path(path).name
    zf = _open_checked(path, limits, name, where, error)
    why = f"{limits.reason}: refused before reading it"
    with zf:
        for info in zf.infolist():
            lower = info.filename.lower()
            if not lower.endswith((".xml", ".rels", ".vml")) or info.is_dir():
                continue
            try:
                head = _prolog(zf, info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
                raise _refuse(
                    error,
                    name,
                    where,
                    f"cannot be read as a workbook: part '{info.filename}' is damaged, "
                    f"encrypted or compressed in a way workbooks are not ({exc})",
                ) from None
            text = _decode(head)
            first = _FIRST_ELEMENT.search(text)
            prolog = text if first is None else text[: first.start()]
            if "<!DOCTYPE" in prolog or "<!ENTITY" in prolog:
                raise _refuse(
                    error,
                    name,
                    where,
                    f"part '{info.filename}' declares a DTD (<!DOCTYPE ...>): workbooks never "
                    "hold one, and its entities can expand a few bytes into gigabytes "
                    "(the 'billion laughs' attack); the file is damaged or crafted, and refused",
                )
            if first is None and len(head) >= PROLOG_BYTES:
                raise _refuse(
                    error,
                    name,
                    where,
                    f"part '{info.filename}' has no element in its first "
                    f"{human_bytes(PROLOG_BYTES)}: the file is damaged or crafted, and refused",
                )
            if _SHEET.match(info.filename):
                _check_dimension(head, info.filename, limits, name, where, error, why)


def _decode(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


def _check_dimension(
    head: bytes,
    part: str,
    limits: ZipLimits,
    name: str,
    where: str,
    error: type[InputError],
    why: str,
) -> None:
    found = _DIMENSION.search(head)
    if found is None:
        return
    first_col, first_row, last_col, last_row = found.groups()
    if last_row is None:  # a single cell: "A1"
        last_col, last_row = first_col, first_row
    if first_row is None or last_row is None:
        return
    rows = int(last_row) - int(first_row) + 1
    cols = _column_number(last_col or b"A") - _column_number(first_col or b"A") + 1
    ref = found.group(0).split(b'"')[1].decode("ascii")
    if rows > limits.rows:
        raise _refuse(
            error,
            name,
            where,
            f"sheet '{part}' declares {rows:,} rows (dimension {ref}); the limit is "
            f"{limits.rows:,}, {why}",
        )
    if rows * cols > limits.cells:
        raise _refuse(
            error,
            name,
            where,
            f"sheet '{part}' declares {rows * cols:,} cells (dimension {ref}); the limit is "
            f"{limits.cells:,}, {why}",
        )


@dataclass(frozen=True)
class CsvScan:
    """What :func:`check_csv` saw in one pass over the bytes.

    Attributes
    ----------
    size : int
        Bytes in the file.
    line_breaks : int
        Line ends: ``\\n`` (so also ``\\r\\n``), or ``\\r`` in a file without
        any ``\\n`` (old Mac text).
    ends_with_break : bool
        The last line has its line end.
    longest_line : int
        Bytes in the longest line (a ``\\r`` before its ``\\n`` included).
    control : bool
        A control character other than tab, line feed and carriage return
        (bytes 0-8, 11, 12, 14-31) is somewhere in the file.
    quotes : bool
        A double quote is somewhere in the file (without one, no field can
        run over a line end).
    """

    size: int
    line_breaks: int
    ends_with_break: bool
    longest_line: int
    control: bool
    quotes: bool

    @property
    def lines(self) -> int:
        """Lines in the file (a last line without its line end counts)."""
        if self.size == 0:
            return 0
        return self.line_breaks + (0 if self.ends_with_break else 1)


#: Bytes read at a time by :func:`check_csv`.
_CHUNK = 8 * 1024 * 1024

#: Control characters other than tab, line feed and carriage return, as bytes (deleted from a
#: block by ``bytes.translate``: a shorter block holds one, found at C speed).
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def check_csv(
    path: str | os.PathLike[str],
    limits: CsvLimits = DFE_CSV_LIMITS,
    *,
    argument: str | None = None,
    where: str = "",
    error: type[InputError] = InputError,
) -> CsvScan:
    """Check a CSV file's size, then its line lengths in one pass, before it is parsed.

    The size is checked from the file system before a byte is read; the
    lines are then read in 8 MB blocks (memory stays at a block) and the
    first line over the limit is refused, naming its line number.

    Returns
    -------
    CsvScan
        Lines, longest line, and whether control characters or quotes occur.

    Raises
    ------
    InputError
        The file or a line is over its limit.
    """
    p = Path(path)
    name = argument if argument is not None else p.name
    size = p.stat().st_size
    if size > limits.file_bytes:
        raise _refuse(
            error,
            name,
            where,
            f"is {human_bytes(size)}; the limit is {human_bytes(limits.file_bytes)}, "
            f"{limits.reason}: refused before reading it",
        )
    breaks = longest = offset = 0
    line_start = 0  # offset of the current line's first byte
    control = quotes = False
    end_byte: int | None = None  # 10, or 13 in a file without any line feed
    last = b""
    with open(p, "rb") as handle:
        while block := handle.read(_CHUNK):
            b = np.frombuffer(block, dtype=np.uint8)
            control = control or len(block.translate(None, _CONTROL_BYTES)) != len(block)
            quotes = quotes or b'"' in block
            if end_byte is None and b"\n" in block:
                end_byte = 10
            ends = np.flatnonzero(b == (end_byte or 10)) + offset
            if end_byte is None and not len(ends) and b"\r" in block:
                ends = np.flatnonzero(b == 13) + offset
            if len(ends):
                starts = np.concatenate(([line_start], ends[:-1] + 1))
                lengths = ends - starts
                over = np.flatnonzero(lengths > limits.line_bytes)
                if len(over):
                    _long_line(error, name, where, limits, breaks + int(over[0]) + 1)
                longest = max(longest, int(lengths.max()))
                breaks += len(ends)
                line_start = int(ends[-1]) + 1
            offset += len(b)
            last = block[-1:]
            if offset - line_start > limits.line_bytes:
                _long_line(error, name, where, limits, breaks + 1)
    if end_byte is None and last == b"\r":
        end_byte = 13
    longest = max(longest, offset - line_start)
    return CsvScan(
        size=size,
        line_breaks=breaks,
        ends_with_break=bool(last) and last[0] == (end_byte or 10),
        longest_line=longest,
        control=control,
        quotes=quotes,
    )


def _long_line(
    error: type[InputError], name: str, where: str, limits: CsvLimits, line: int
) -> None:
    raise _refuse(
        error,
        name,
        where or f"line {line:,}",
        f"is longer than {human_bytes(limits.line_bytes)}; the limit is "
        f"{human_bytes(limits.line_bytes)} a line, {limits.reason}: refused before parsing it",
    )
