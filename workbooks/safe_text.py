"""Free text written as text: never a formula in a cell, never a formula in a CSV field.

Every text we write comes from somewhere a person or a file controls: the
model's Settings (local authority, Prepared by), its census headers and
conditions, a case-management extract's Child IDs, the area names of a DfE
file. A spreadsheet reads text starting with ``=`` as a formula (and some read
``+``, ``-`` and ``@`` too), and openpyxl stores any string starting with
``=`` as a formula. So:

- in a workbook, every free-text value is stored as a string cell
  (``t="inlineStr"`` in the sheet XML, never ``<f>``), and one that a
  spreadsheet would read as a formula also gets the *quote prefix* style
  (Excel's leading apostrophe), so editing the cell keeps it text;
  :func:`text_cell` does both. The checks and totals we write on purpose are
  written as formulas by the code that builds them, never through here;
- the control characters that an .xlsx cannot hold (``\\x00``-``\\x08``,
  ``\\x0b``, ``\\x0c``, ``\\x0e``-``\\x1f``: XML 1.0 forbids them, and
  openpyxl raises ``IllegalCharacterError``) are written visibly as
  ``[U+0007]``, so a Child ID with a stray control character still reaches
  the Data quality sheet where the person can find and fix it; refusing the
  whole run for it would hide the rest of the counts (:func:`cell_text`);
- in CSV, a text field starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return, also after leading spaces, gets a leading single quote
  (OWASP, "CSV Injection"); numbers, and text that is only a number
  (``-5``, ``+3.5``), are left as they are (:func:`csv_field`).

References
----------
OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection.
W3C, Extensible Markup Language (XML) 1.0, section 2.2 "Characters".
ECMA-376 Part 1, 18.8.45 ``xf`` (``quotePrefix``).
"""

from __future__ import annotations

import re
from typing import Any

#: Characters XML 1.0 (and so an .xlsx) cannot hold; openpyxl's ILLEGAL_CHARACTERS_RE.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Lone surrogates cannot be encoded as UTF-8 at all.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: What a spreadsheet reads as the start of a formula, after any leading white space.
_FORMULA_START = re.compile(r"^[\s\u00a0\u2000-\u200b\u3000\ufeff]*[=+\-@]")
#: A field that is only a number stays as it is in CSV.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _visible(match: re.Match[str]) -> str:
    return f"[U+{ord(match.group()):04X}]"


def cell_text(text: str) -> str:
    """``text`` with the characters an .xlsx cannot hold shown as ``[U+XXXX]``.

    Examples
    --------
    >>> cell_text("AB\\x07C")
    'AB[U+0007]C'
    >>> cell_text("line one\\nline two\\ttab")
    'line one\\nline two\\ttab'
    """
    text = _ILLEGAL.sub(_visible, text)
    return _SURROGATE.sub(_visible, text)


def reads_as_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula.

    Examples
    --------
    >>> [reads_as_formula(t) for t in ("=1+1", " =HYPERLINK(1)", "\\u00a0+1", "@SUM", "Ely")]
    [True, True, True, True, False]
    """
    return bool(_FORMULA_START.match(text))


def text_cell(cell: Any, value: Any) -> Any:
    """Store ``value`` in the openpyxl ``cell``: text as a string cell, anything else as it is.

    Works for the cells of normal and write-only worksheets (``WriteOnlyCell``);
    returns the cell.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> c = text_cell(ws["A1"], "=1+1")
    >>> c.value, c.data_type, c.quotePrefix
    ('=1+1', 's', True)
    >>> text_cell(ws["A2"], -5).data_type
    'n'
    """
    if isinstance(value, str):
        text = cell_text(value)
        cell.value = None  # no parsing of the text as a formula
        cell._value = text
        cell.data_type = "s"
        if reads_as_formula(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def set_text(ws: Any, row: int, column: int, value: Any) -> Any:
    """``text_cell`` on ``ws.cell(row, column)``; returns the cell."""
    return text_cell(ws.cell(row=row, column=column), value)


def append_row(ws: Any, values: list[Any]) -> None:
    """Append ``values`` to the normal worksheet ``ws``, text as text (see :func:`text_cell`)."""
    ws.append([None if isinstance(v, str) else v for v in values])
    r = ws._current_row  # the row just appended
    for c, v in enumerate(values, start=1):
        if isinstance(v, str):
            set_text(ws, r, c, v)


def write_only_row(ws: Any, values: list[Any]) -> list[Any]:
    """``values`` as cells of the write-only worksheet ``ws``, text as text; for ``ws.append``."""
    from openpyxl.cell import WriteOnlyCell

    return [text_cell(WriteOnlyCell(ws), v) if isinstance(v, str) else v for v in values]


def csv_field(value: Any) -> Any:
    """``value`` safe for a CSV a spreadsheet opens: a formula-like text gets a leading ``'``.

    Examples
    --------
    >>> [csv_field(v) for v in ("=1+1", " @SUM(A1)", "\\t1", "-5", -5, "Ely", "+44 1223", "")]
    ["'=1+1", "' @SUM(A1)", "'\\t1", '-5', -5, 'Ely', "'+44 1223", '']
    """
    if not isinstance(value, str) or _NUMBER.match(value):
        return value
    if reads_as_formula(value) or value[:1] in ("\t", "\r"):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    """Every field of a CSV row through :func:`csv_field`."""
    return [csv_field(v) for v in values]


class SafeCsvWriter:
    """A ``csv.writer`` whose every field goes through :func:`csv_field`.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> csv_writer(out, lineterminator="\\n").writerow(["=cmd|' /C calc'!A0", -5, "-5"])
    >>> out.getvalue()
    "'=cmd|' /C calc'!A0,-5,-5\\n"
    """

    def __init__(self, stream: Any, **options: Any):
        import csv

        self._writer = csv.writer(stream, **options)

    def writerow(self, row: list[Any]) -> None:
        self._writer.writerow(csv_row(list(row)))

    def writerows(self, rows: Any) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **options: Any) -> SafeCsvWriter:
    """A CSV writer for ``stream`` that neutralises formula-like text (see :func:`csv_field`)."""
    return SafeCsvWriter(stream, **options)
