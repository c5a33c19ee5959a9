"""Fill a copy of the DfE monitoring return template by sheet name, row label and column header.

RETURN.md, "Labels are the contract":

- a row is found by the text in its label column (the column headed
  ``Measure``, ``Line``, ``Category``, ...; column A on the Cover, whose value
  is in column B); a Section 251 row may be matched by its code alone
  (``1.2.3``); a column by its header. Matching ignores case and surrounding
  spaces (and runs of inner spaces);
- rows that are one per year, movement or condition are found by their label
  when the template has them, otherwise written into the block's next blank
  rows; year columns likewise are found by header or written into the next
  blank header cells to the right; census columns are found by header or
  written, oldest first, into the blank header cells between ``Category`` and
  ``<period> actual`` (the spare ones are then hidden, so no gap shows or
  prints), or to the right of the last header in a template without such
  cells; ``<period>`` in a header stands for the return period;
- a template missing a required sheet, label or header is refused with a
  message naming each sheet and label; nothing is written.

The writer fills values only: it keeps the template's formatting, notes,
formulas (a template cell holding a formula is left to compute), data
validation and any sheet it does not know; a blank figure (a year without an
agreed profile, an age group's plan) leaves its cell as the template has it. Money is written in pounds
rounded half-up to the penny (``models.money.round_half_up(x, 2)``), once,
here; counts and rates as computed.

The sheets that come with later work (``Mitigations``, ``Scenarios``,
``Notes``) are added after ``Checks`` when the template lacks them, and
their two checks in the next blank rows under the checks. Mitigations rows
repeat workstreams over years, so each goes in the next blank row, then the
``Total`` row; the Scenarios sheet has a row per year, the write-off columns
when the figures have them, the band column and the note on P10/P50/P90,
and a native fan chart (:func:`workbooks.scenarios_workbook.fan_chart`)
written here, since a template may carry no drawing.

The ``Checks`` sheet gets live Excel formulas pointing at the cells just
filled, so the department's recalculation shows the same ``PASS``/``FAIL``;
the same checks are evaluated here on the written values for the refresh's
own report. An audit block under the checks records the tool version, the
time, the SHA-256 of the inputs and the Scenarios sheet's number of
scenarios and seed.

Free text (the LA name, Prepared by, census headers, conditions and
commentary, the audit block) is written as text, never as a formula
(:mod:`workbooks.safe_text`); the checks are the only formulas written. The
checks allow half a penny per figure plus the float error of the sums, and a
check over many year columns is one ``SUMPRODUCT`` over the row ranges, so
that it stays within Excel's 8,192-character formula limit.

The return is saved as ``<LA code>_<period>_DSG_monitoring_return.xlsx`` in
the output folder, never over an existing file (``_v2``, ``_v3``...), through
:func:`workbooks.publish.publish` (a temporary file in the same folder,
published under its name only once whole), so no half-written return can
exist. The audit block names the model's file, not its folders.
openpyxl drops charts, images and form controls when it saves; a template
carrying any is refused rather than losing them silently. Cell comments
(notes) are kept: their VML drawing part holds only note shapes, which
openpyxl reads and writes again.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

from models import monitoring as m
from models.errors import DSGError
from models.money import round_half_up
from models.monitoring import MonitoringReturn, ReturnTable, s251_code
from models.years import year_start
from workbooks import return_spec as spec
from workbooks.publish import OutputError as OutputError
from workbooks.publish import publish
from workbooks.return_spec import Block
from workbooks.safe_text import set_text

#: Drawing parts openpyxl would drop on saving.
_DRAWING_PARTS = ("xl/drawings/", "xl/charts/", "xl/media/", "xl/embeddings/")


class TemplateError(DSGError):
    """The template cannot be filled: a missing sheet, label or header, or drawings."""

    def __init__(self, template: Path | str, problems: list[str]):
        self.template = str(template)
        self.problems = list(problems)
        super().__init__(f"template {Path(template).name}: " + "; ".join(self.problems))


#: Excel's longest formula, in characters (Microsoft, "Excel specifications and limits").
FORMULA_LIMIT = 8192


class ReturnTooLargeError(DSGError):
    """A check's formula would be longer than Excel accepts; nothing is written."""

    def __init__(self, check: str, length: int):
        self.check = check
        super().__init__(
            f"the check {check!r} would need a formula of {length:,} characters, more than "
            f"Excel's {FORMULA_LIMIT:,}: the model has more years or columns than a return can "
            "check; nothing was written"
        )


@dataclass(frozen=True)
class Audit:
    """What the audit block records."""

    tool: str
    version: str
    refreshed_at: str
    model: str
    sha256: str


@dataclass(frozen=True)
class CheckResult:
    """One check as evaluated on the written values (the workbook holds the live formula)."""

    check: str
    passed: bool
    detail: str

    @property
    def result(self) -> str:
        return spec.PASS if self.passed else spec.FAIL


@dataclass(frozen=True)
class WrittenReturn:
    """The path written and the checks' results; the fan of its scenarios for the book.

    ``fan`` holds the rows of the model workbook's Refresh sheet block
    (:func:`workbooks.refresh_sheet.fan_rows`: positive = deficit) and
    ``fan_caption`` what they are; both empty until the refresh fills them.
    """

    path: Path
    checks: list[CheckResult] = field(default_factory=list)
    fan: list[list[Any]] = field(default_factory=list)
    fan_caption: str = ""


def norm(value: Any) -> str:
    """A label as matched: text, surrounding spaces dropped, inner spaces collapsed, case folded.

    >>> norm("  Block  transfers IN ")
    'block transfers in'
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip().casefold()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


Cell = tuple[str, int, int]  # sheet, row, column


class _Grid:
    """A located block: its header row, label column, and where its rows and columns are."""

    def __init__(
        self,
        ws: Worksheet,
        block: Block,
        header_row: int | None,
        label_col: int,
        last_row: int | None,
        period: str,
        problems: list[str],
    ):
        self.ws, self.block, self.header_row, self.label_col = ws, block, header_row, label_col
        self.last_row = last_row  # None: the block runs to the end of the sheet
        self.period = period
        self.problems = problems
        first = (header_row or 0) + 1
        end = last_row if last_row is not None else ws.max_row
        self.rows: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        for r in range(first, end + 1):
            v = ws.cell(r, label_col).value
            if _blank(v):
                continue
            self.rows.setdefault(norm(v), r)
            code = s251_code(v) if block.by_code else None
            if code:
                self.codes.setdefault(code, r)
        self.cols: dict[str, int] = {}
        self.next_col = label_col + 1
        if header_row is not None:
            for c in range(1, ws.max_column + 1):
                v = ws.cell(header_row, c).value
                if c != label_col and not _blank(v):
                    self.cols.setdefault(norm(v), c)
                    self.next_col = max(self.next_col, c + 1)
        self.free_rows = (r for r in self._blank_rows(first))

    def _blank_rows(self, first: int) -> Iterable[int]:
        r = first
        width = max(self.next_col - 1, self.label_col)
        while self.last_row is None or r <= self.last_row:
            if all(_blank(self.ws.cell(r, c).value) for c in range(1, width + 1)):
                yield r
            r += 1

    def where(self) -> str:
        return f"sheet '{self.ws.title}'"

    def col(self, header: str, place: bool = False) -> int | None:
        """The column headed ``header`` (``<period>`` headers match both forms)."""
        keys = [norm(header)]
        if self.period and self.period in header:
            keys.append(norm(header.replace(self.period, spec.PERIOD)))
        for k in keys:
            if k in self.cols:
                c = self.cols[k]
                hr = self.header_row
                if hr is not None and norm(self.ws.cell(hr, c).value) != keys[0]:
                    set_text(self.ws, hr, c, header)  # <period> -> the period
                return c
        if place and self.header_row is not None:
            c = self.next_col
            self.next_col += 1
            self.cols[keys[0]] = c
            set_text(self.ws, self.header_row, c, header)
            return c
        self.problems.append(
            f"sheet '{self.ws.title}' has no column headed {header!r}"
            + (f" in the header row {self.header_row}" if self.header_row else "")
        )
        return None

    def in_order(self, headers: list[str], before: int | None) -> tuple[dict[str, int], list[int]]:
        """The columns of ``headers`` (census years, oldest first) and the blank slots left unused.

        A header the template already has keeps its column. The others go, in
        order, into the blank header cells between the label column and
        column ``before`` (the template's history slots, ahead of
        ``<period> actual``): each into the first blank slot right of the
        previous header, else the first blank slot left; with no blank slot
        left (or a template whose history follows ``Variance``), into the next
        blank header cell to the right of the last header.
        """
        slots = (
            []
            if before is None or self.header_row is None
            else [
                c
                for c in range(self.label_col + 1, before)
                if _blank(self.ws.cell(self.header_row, c).value)
            ]
        )
        out: dict[str, int] = {}
        cursor = 0
        for header in headers:
            c = self.cols.get(norm(header))
            if c is None:
                c = next((s for s in slots if s > cursor), slots[0] if slots else None)
                if c is None:
                    c = self.col(header, place=True)
                elif self.header_row is not None:  # slots exist only under a header row
                    slots.remove(c)
                    self.cols[norm(header)] = c
                    set_text(self.ws, self.header_row, c, header)
            if c is None:
                continue
            out[header] = cursor = c
        return out, slots

    def row(self, label: str, place: bool = False) -> int | None:
        """The row labelled ``label`` (Section 251 rows also by code)."""
        r = self.rows.get(norm(label))
        if r is None and self.block.by_code:
            code = s251_code(label)
            r = self.codes.get(code) if code else None
        if r is not None:
            return r
        if place:
            r = next(self.free_rows, None)
            if r is not None:
                set_text(self.ws, r, self.label_col, label)
                self.rows[norm(label)] = r
                return r
            self.problems.append(
                f"sheet '{self.ws.title}' has no blank row left under "
                f"{self.block.label!r} for {label!r}"
            )
            return None
        self.problems.append(f"sheet '{self.ws.title}' has no row labelled {label!r}")
        return None


def _find_header(ws: Worksheet, block: Block, period: str) -> tuple[int, int] | str:
    """(header row, label column) of a block, or what is missing."""
    want = [norm(block.label)]
    first_hit = None
    for row in ws.iter_rows():
        texts = {norm(c.value): c.column for c in row if not _blank(c.value)}
        if want[0] not in texts:
            continue
        first_hit = first_hit or (row[0].row, texts)
        missing = [
            h
            for h in block.columns
            if norm(h) not in texts and norm(h.replace(spec.PERIOD, period)) not in texts
        ]
        if not missing:
            return row[0].row, texts[want[0]]
    if first_hit is None:
        return f"sheet '{ws.title}' has no header {block.label!r}"
    texts = first_hit[1]
    missing = [
        h
        for h in block.columns
        if norm(h) not in texts and norm(h.replace(spec.PERIOD, period)) not in texts
    ]
    return f"sheet '{ws.title}' header row {first_hit[0]} has no column " + ", ".join(
        repr(h) for h in missing
    )


_VML_OBJECT = re.compile(rb'ObjectType\s*=\s*"([^"]*)"')


def _notes_only(z: zipfile.ZipFile, part: str) -> bool:
    """A legacy VML drawing holding cell comments (notes) only: openpyxl keeps those."""
    if not part.lower().endswith(".vml"):
        return False
    kinds = set(_VML_OBJECT.findall(z.read(part)))
    return kinds <= {b"Note"}


def _check_drawings(template: Path) -> None:
    try:
        with zipfile.ZipFile(template) as z:
            parts = [
                n for n in z.namelist() if n.startswith(_DRAWING_PARTS) and not _notes_only(z, n)
            ]
    except zipfile.BadZipFile:
        raise TemplateError(template, ["is not an .xlsx workbook"]) from None
    if parts:
        raise TemplateError(
            template,
            [
                f"carries charts or images or form controls ({', '.join(parts[:3])}"
                f"{'...' if len(parts) > 3 else ''}), which openpyxl would drop when saving the filled return: "
                "remove them from the template (keep them in a separate workbook), then refresh again"
            ],
        )


def _locate(wb: openpyxl.Workbook, template: Path, period: str) -> dict[Block, _Grid]:
    problems: list[str] = []
    grids: dict[Block, _Grid] = {}
    missing_sheets = [s for s in spec.SHEETS if s not in wb.sheetnames]
    lookup = {norm(n): n for n in wb.sheetnames}
    for s in missing_sheets:
        if norm(s) not in lookup:
            problems.append(f"has no sheet {s!r}")
    if problems:
        raise TemplateError(template, problems)
    headers: dict[Block, tuple[int, int]] = {}
    for block in spec.BLOCKS:
        ws = wb[lookup[norm(block.sheet)]]
        if block.label is None:
            headers[block] = (0, 1)
            continue
        found = _find_header(ws, block, period)
        if isinstance(found, str):
            problems.append(found)
        else:
            headers[block] = found
    for block, (hr, lc) in headers.items():
        ws = wb[lookup[norm(block.sheet)]]
        below = [h for b, (h, _) in headers.items() if b.sheet == block.sheet and h > hr]
        last = min(below) - 1 if below else None
        grids[block] = _Grid(ws, block, hr or None, lc, last, period, problems)
        for label in block.rows:
            grids[block].row(label)
        for header in block.columns:
            grids[block].col(header.replace(spec.PERIOD, period))
    if problems:
        raise TemplateError(template, problems)
    return grids


def _value(x: Any, money: bool) -> Any:
    if x is None:
        return None
    if isinstance(x, float):
        if money:
            return round_half_up(x, 2)
        return int(x) if x.is_integer() and abs(x) < 2**53 else x
    return x


class _Filler:
    """Collects every cell to write, so nothing is written before every label is found."""

    def __init__(self, template: Path):
        self.template = template
        self.writes: dict[tuple[Worksheet, int, int], Any] = {}
        self.values: dict[Cell, Any] = {}
        self.problems: list[str] = []

    def put(self, grid: _Grid, r: int | None, c: int | None, value: Any) -> Cell | None:
        if r is None or c is None:
            return None
        cell = grid.ws.cell(r, c)
        if isinstance(cell, MergedCell):
            self.problems.append(
                f"sheet '{grid.ws.title}' cell {cell.coordinate} is inside merged cells"
            )
            return None
        key = (grid.ws.title, r, c)
        if value is not None and not _is_formula(
            cell.value
        ):  # a blank figure leaves the cell as it is
            self.writes[(grid.ws, r, c)] = value
        self.values[key] = value
        return key


def _ref(cell: Cell) -> str:
    sheet, r, c = cell
    return f"{quote_sheetname(sheet)}!${get_column_letter(c)}${r}"


def _num(values: dict[Cell, Any], cell: Cell | None) -> float:
    v = values.get(cell) if cell else None
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


#: Half a penny: the most a figure rounded to the penny is away from its exact value.
HALF_PENNY = 0.005
#: 2**-52, twice the unit round-off of a double: bounds the float error of the model's
#: sum and of the spreadsheet's, each relative to the sum of the magnitudes added.
FLOAT_EPS = 2.0**-52


@dataclass
class _Sum:
    """sum(sign x cell) + const is zero, to within half a penny per figure and float error.

    Notes
    -----
    With n figures (the cells, and the constant when there is one), each
    written rounded half-up to the penny, the exact figures' identity leaves
    the written ones at most ``n x 0.005`` apart. The model and the
    spreadsheet add in doubles; each sum of n terms is off by at most
    ``n x 2**-53 x sum |term|``, so the two together::

        |sum(sign x cell) + const| <= n x 0.005 + n x 2**-52 x (sum |cell| + |const|)

    The second term is below a penny up to sums of about 10**13 pounds: an
    error of one pound is seen at any council's scale, and 200 years of
    cumulative deficits in the hundreds of billions still pass when right.
    The formula is two-sided (``ABS``): a figure one pound high and one pound
    low both FAIL.
    """

    terms: list[tuple[int, Cell]]
    const: float = 0.0

    @property
    def figures(self) -> int:
        return len(self.terms) + (1 if self.const else 0)

    def formula(self) -> str:
        expr = "".join(("+" if s > 0 else "-") + _ref(c) for s, c in self.terms)
        sizes = "+".join(f"ABS({_ref(c)})" for _, c in self.terms)
        if self.const:
            expr += f"{self.const:+.2f}"
            sizes += f"+{abs(self.const):.2f}"
        n = self.figures
        eps = repr(n * FLOAT_EPS).upper()  # 6.66E-16: the exponent as spreadsheets write it
        return f"ABS({expr.lstrip('+')})<={n * HALF_PENNY!r}+{eps}*({sizes})"

    def ok(self, values: dict[Cell, Any]) -> bool:
        figures = [s * _num(values, c) for s, c in self.terms]
        total = sum(figures) + self.const
        sizes = sum(abs(x) for x in figures) + abs(self.const)
        n = self.figures
        return abs(total) <= n * HALF_PENNY + n * FLOAT_EPS * sizes


def _span(cells: list[Cell]) -> str | None:
    """``'Sheet'!$B$5:$F$5`` when ``cells`` run along one row, one column apart; else None."""
    sheet, r, c = cells[0]
    if any(cell != (sheet, r, c + k) for k, cell in enumerate(cells)):
        return None
    return f"{_ref(cells[0])}:${get_column_letter(c + len(cells) - 1)}${r}"


@dataclass
class _SumRun:
    """Several :class:`_Sum` of the same shape, one per year column, tested by one formula.

    A check of 200 years written condition by condition would pass Excel's
    8,192-character formula limit; when each term's cells run along a row
    (a year per column), the conditions are one array comparison::

        SUMPRODUCT(--(ABS(t1 + t2 ...) > n x 0.005 + n x 2**-52 x (ABS(t1) + ABS(t2) ...))) = 0

    with ``t1``, ``t2`` ... the terms' row ranges: the same test as each
    :class:`_Sum`, element by element.
    """

    sums: list[_Sum]
    spans: list[tuple[int, str]]

    def formula(self) -> str:
        expr = "".join(("+" if s > 0 else "-") + span for s, span in self.spans)
        sizes = "+".join(f"ABS({span})" for _, span in self.spans)
        n = self.sums[0].figures
        eps = repr(n * FLOAT_EPS).upper()
        return f"SUMPRODUCT(--(ABS({expr.lstrip('+')})>{n * HALF_PENNY!r}+{eps}*({sizes})))=0"

    def ok(self, values: dict[Cell, Any]) -> bool:
        return all(s.ok(values) for s in self.sums)


def _runs(conds: list[Any]) -> list[Any]:
    """``conds`` with each run of same-shaped :class:`_Sum` along year columns as one :class:`_SumRun`.

    Two sums are of the same shape when they have the same signs, no
    constant, and each term's cell is one column right of the same term in
    the sum before.
    """
    out: list[Any] = []
    run: list[_Sum] = []

    def close() -> None:
        if len(run) > 1:
            spans = [_span([s.terms[i][1] for s in run]) for i in range(len(run[0].terms))]
            if all(spans):
                signs = [sign for sign, _ in run[0].terms]
                out.append(
                    _SumRun(
                        list(run), [(sg, sp) for sg, sp in zip(signs, spans, strict=True) if sp]
                    )
                )
                run.clear()
                return
        out.extend(run)
        run.clear()

    def follows(a: _Sum, b: _Sum) -> bool:
        return (
            not a.const
            and not b.const
            and [s for s, _ in a.terms] == [s for s, _ in b.terms]
            and all(
                cb == (ca[0], ca[1], ca[2] + 1)
                for (_, ca), (_, cb) in zip(a.terms, b.terms, strict=True)
            )
        )

    for cond in conds:
        if isinstance(cond, _Sum) and run and follows(run[-1], cond):
            run.append(cond)
            continue
        close()
        if isinstance(cond, _Sum) and not cond.const:
            run.append(cond)
        else:
            out.append(cond)
    close()
    return out


@dataclass
class _PeriodYear:
    """The cover's period falls in one of the year columns."""

    period: Cell
    years: list[Cell]

    def formula(self) -> str:
        p = f"LEFT(TRIM({_ref(self.period)}),7)"
        span = _span(self.years) if len(self.years) > 1 else None
        if span is not None:  # the year headers along one row: one comparison, any number of years
            return f"SUMPRODUCT(--({span}={p}))>0"
        return "OR(" + ",".join(f"{p}={_ref(y)}" for y in self.years) + ")"

    def ok(self, values: dict[Cell, Any]) -> bool:
        p = str(values.get(self.period) or "").strip()[:7].casefold()
        return any(p == str(values.get(y) or "").casefold() for y in self.years)


@dataclass
class _PeriodHeader:
    """A header reads '<cover period> <suffix>'."""

    period: Cell
    header: Cell
    suffix: str

    def formula(self) -> str:
        return f'TRIM({_ref(self.header)})=TRIM({_ref(self.period)})&" {self.suffix}"'

    def ok(self, values: dict[Cell, Any]) -> bool:
        want = f"{str(values.get(self.period) or '').strip()} {self.suffix}"
        return str(values.get(self.header) or "").strip().casefold() == want.casefold()


def _checks(
    g: dict[Block, _Grid], f: _Filler, fig: MonitoringReturn, cells: dict[str, Any]
) -> dict[str, tuple[list[Any], str]]:
    """Each check's conditions and detail text."""
    out: dict[str, tuple[list[Any], str]] = {}
    hn = cells["high_needs"]
    conds: list[Any] = []
    for col in ("Budget", "Forecast outturn", "Variance"):
        terms = [(1, hn[(label, col)]) for label in m.S251_LABELS] + [
            (-1, hn[(m.TOTAL_HIGH_NEEDS, col)])
        ]
        conds.append(_Sum(terms))
    out[spec.CHECK_LINES] = (
        conds,
        f"The {len(m.S251_LABELS)} Section 251 lines add up to "
        f"'{m.TOTAL_HIGH_NEEDS}' for Budget, Forecast outturn and Variance.",
    )

    fs = cells["financial_summary"]
    now = fig.current_year
    out[spec.CHECK_EXPENDITURE] = (
        [_Sum([(1, hn[(m.TOTAL_HIGH_NEEDS, "Forecast outturn")]), (-1, fs[(m.EXPENDITURE, now)])])],
        f"'{m.TOTAL_HIGH_NEEDS}' forecast outturn equals Financial summary '{m.EXPENDITURE}' for {now}.",
    )

    e = cells["ehcp"]
    actual = m.period_actual(fig.period)
    conds = []
    suppressed = m.suppressed_columns(fig.ehcp_table)
    for col in fig.ehcp_columns:
        if col in suppressed:  # a figure DfE suppressed cannot be added up: skipped, never 0
            continue
        conds.append(
            _Sum([(1, e[(cat, col)]) for cat in m.PLACEMENT_CATEGORIES] + [(-1, e[(m.TOTAL, col)])])
        )
    conds.append(
        _Sum([(1, e[(age, actual)]) for age in m.AGE_GROUPS] + [(-1, e[(m.TOTAL_BY_AGE, actual)])])
    )
    conds.append(_Sum([(1, e[(m.TOTAL, actual)]), (-1, e[(m.TOTAL_BY_AGE, actual)])]))
    out[spec.CHECK_EHCP] = (
        conds,
        f"Each column's placements add up to '{m.TOTAL}', the age groups to "
        f"'{m.TOTAL_BY_AGE}', and the two totals of '{actual}' agree."
        + (
            f" Not added up: {', '.join(suppressed)}, which hold figures {m.SUPPRESSED_NOTE} (x)."
            if suppressed
            else ""
        ),
    )

    first = fig.years[0]
    conds = [_Sum([(1, fs[(m.BROUGHT_FORWARD, first)])], round_half_up(fig.opening_deficit, 2))]
    for last, y in zip(fig.years, fig.years[1:], strict=False):
        conds.append(_Sum([(1, fs[(m.BROUGHT_FORWARD, y)]), (-1, fs[(m.CUMULATIVE, last)])]))
    for y in fig.years:
        terms = [
            (1, fs[(row, y)])
            for row in (
                m.BROUGHT_FORWARD,
                m.IN_YEAR,
                m.DFE_CONTRIBUTION,
                m.COUNCIL_CONTRIBUTION,
                m.OTHER_CONTRIBUTIONS,
            )
        ]
        conds.append(_Sum([*terms, (-1, fs[(m.CUMULATIVE, y)])]))
    out[spec.CHECK_ROLL_FORWARD] = (
        conds,
        (
            f"Each year: '{m.BROUGHT_FORWARD}' is last year's carried forward, and brought forward "
            "+ in-year surplus/(deficit) + the three contributions = carried forward. The first "
            f"year, {fig.years[0]}, brings forward the deficit of "
            f"£{round_half_up(fig.opening_deficit, 2):,.2f} (Settings), shown as "
            f"({round_half_up(fig.opening_deficit, 2):,.2f})."
        ),
    )

    conds = [
        _PeriodYear(cells["period"], [cells["year_headers"][y] for y in fig.years]),
        _PeriodHeader(cells["period"], cells["ehcp_headers"][actual], "actual"),
        _PeriodHeader(cells["period"], cells["ehcp_headers"][m.period_plan(fig.period)], "plan"),
    ]
    out[spec.CHECK_PERIOD] = (
        conds,
        "The Cover's return period falls in one of the Financial summary's "
        "year columns, and heads the EHCP actual and plan columns.",
    )

    conds = []
    for y in fig.years:
        conds.append(
            _Sum(
                [
                    (1, fs[(m.INCOME, y)]),
                    (1, fs[(m.TRANSFERS_IN, y)]),
                    (-1, fs[(m.EXPENDITURE, y)]),
                    (-1, fs[(m.OTHER_BLOCKS, y)]),
                    (-1, fs[(m.IN_YEAR, y)]),
                ]
            )
        )
    out[spec.CHECK_IN_YEAR] = (
        conds,
        "Each year: income + block transfers in - expenditure - other blocks' "
        "deficit = in-year surplus/(deficit).",
    )

    conds = []
    sv = cells["safety_valve"]
    for y in fig.years:
        if (y, m.AGREED_SURPLUS) in sv and (m.AGREEMENT_PROFILE, y) in fs:
            conds.append(_Sum([(1, fs[(m.AGREEMENT_PROFILE, y)]), (-1, sv[(y, m.AGREED_SURPLUS)])]))
            conds.append(_Sum([(1, fs[(m.CUMULATIVE, y)]), (-1, sv[(y, m.FORECAST_SURPLUS)])]))
            conds.append(_Sum([(1, fs[(m.VARIANCE_TO_AGREEMENT, y)]), (-1, sv[(y, m.VARIANCE)])]))
    out[spec.CHECK_AGREEMENT] = (
        conds,
        "Year by year, the Financial summary's agreement profile, cumulative surplus/(deficit) "
        "carried forward and variance to agreement equal the Safety Valve sheet's agreed and "
        "forecast cumulative surplus/(deficit) and variance (one sign: negative for a deficit, "
        "and when worse than agreed).",
    )

    # Safety Valve payments: withheld = due - received up to the current year; the Total row
    # adds up each money column; the Financial summary's DfE contribution is what was
    # received (closed years) or is expected (the current year on).
    conds = []
    listed = [label for label in fig.safety_valve_table.column("Year") if label != m.SV_TOTAL]
    for y in listed:
        if _sv_figure(fig, y, m.DFE_WITHHELD) is not None:
            conds.append(
                _Sum(
                    [
                        (1, sv[(y, m.DFE_DUE)]),
                        (-1, sv[(y, m.DFE_RECEIVED)]),
                        (-1, sv[(y, m.DFE_WITHHELD)]),
                    ]
                )
            )
    if (m.SV_TOTAL, m.DFE_DUE) in sv:
        for col in m.SV_TOTALLED:
            terms = [(1, sv[(y, col)]) for y in listed if _sv_figure(fig, y, col) is not None]
            conds.append(_Sum([*terms, (-1, sv[(m.SV_TOTAL, col)])]))
    start = year_start(fig.current_year)
    for y in fig.years:
        if (y, m.DFE_DUE) not in sv:
            continue
        source = m.DFE_RECEIVED if year_start(y) < start else m.DFE_EXPECTED
        conds.append(_Sum([(1, fs[(m.DFE_CONTRIBUTION, y)]), (-1, sv[(y, source)])]))
    out[spec.CHECK_SAFETY_VALVE] = (
        conds,
        "Each year up to the current one: DfE payment due - received = withheld. The Total row "
        "adds up due, received, withheld, expected and the council contribution. The Financial "
        f"summary's '{m.DFE_CONTRIBUTION}' is the payment received before {fig.current_year} "
        "and the payment expected from it on.",
    )

    # Mitigations: each row's Variance = Delivered - Planned; the Total row adds up each
    # money column.
    mit = cells["mitigations"]
    keys = [k for k in dict.fromkeys(k for k, _ in mit) if k != m.MITIGATIONS_TOTAL]
    conds = _down(
        [
            _Sum(
                [(1, mit[(k, m.DELIVERED)]), (-1, mit[(k, m.PLANNED)]), (-1, mit[(k, m.VARIANCE)])]
            )
            for k in keys
        ]
    )
    for col in m.MITIGATIONS_TOTALLED:
        if (m.MITIGATIONS_TOTAL, col) in mit:
            conds.append(
                _column_total([mit[(k, col)] for k in keys], mit[(m.MITIGATIONS_TOTAL, col)])
            )
    out[spec.CHECK_MITIGATIONS] = (
        conds,
        f"Each workstream's {m.VARIANCE} = {m.DELIVERED} - {m.PLANNED}, and the "
        f"'{m.MITIGATIONS_TOTAL}' row adds up {', '.join(m.MITIGATIONS_TOTALLED)} "
        f"({len(keys)} row{'' if len(keys) == 1 else 's'}).",
    )

    # Scenarios: the Mitigated view is the plan, so it is the Financial summary's carried forward.
    sc = cells["scenarios"]
    conds = [
        _Same(sc[(y, m.MITIGATED)], fs[(m.CUMULATIVE, y)])
        for y in fig.years
        if sc.get((y, m.MITIGATED)) is not None
    ]
    out[spec.CHECK_SCENARIOS] = (
        conds,
        f"Each year, the Scenarios sheet's '{m.MITIGATED}' (the plan) equals the Financial "
        f"summary's '{m.CUMULATIVE}'; both negative for a deficit. Run: "
        f"{fig.scenario_count:,} scenarios, seed {fig.scenario_seed}.",
    )
    return out


@dataclass
class _Same:
    """Two figures the return shows twice agree: ``|a - b| <= 0.01``.

    Each is written rounded half-up to the penny from the same unrounded
    figure, so they are equal; a penny allows half a penny on each. A
    difference of two doubles this close is exact (Sterbenz), so no float
    term is needed, and the condition stays short enough for 70 years in one
    formula. Two-sided: a pound either way FAILs.
    """

    a: Cell
    b: Cell

    def formula(self) -> str:
        return f"ABS({_ref(self.a)}-{_ref(self.b)})<={2 * HALF_PENNY!r}"

    def ok(self, values: dict[Cell, Any]) -> bool:
        return abs(_num(values, self.a) - _num(values, self.b)) <= 2 * HALF_PENNY


def _column_span(cells: list[Cell]) -> str | None:
    """``'Sheet'!$C$4:$C$9`` when ``cells`` run down one column, one row apart; else None."""
    if not cells:
        return None
    sheet, r, c = cells[0]
    if any(cell != (sheet, r + k, c) for k, cell in enumerate(cells)):
        return None
    return f"{_ref(cells[0])}:${get_column_letter(c)}${r + len(cells) - 1}"


@dataclass
class _ColumnTotal:
    """A column's cells add up to its total: :class:`_Sum` of the cells and minus the total,
    written over the column's range (``SUM``), so a long table stays one short formula::

        ABS(SUM(range) - total) <= n x 0.005 + n x 2**-52 x (SUMPRODUCT(ABS(range)) + ABS(total))
    """

    terms: _Sum
    span: str
    total: Cell

    def formula(self) -> str:
        n = self.terms.figures
        eps = repr(n * FLOAT_EPS).upper()
        t = _ref(self.total)
        return (
            f"ABS(SUM({self.span})-{t})<={n * HALF_PENNY!r}+{eps}*"
            f"(SUMPRODUCT(ABS({self.span}))+ABS({t}))"
        )

    def ok(self, values: dict[Cell, Any]) -> bool:
        return self.terms.ok(values)


def _column_total(cells: list[Any], total: Any) -> Any:
    """The condition that ``cells`` add up to ``total``: over a range when they run down a column."""
    terms = _Sum([*((1, c) for c in cells), (-1, total)])
    span = _column_span(cells)
    return _ColumnTotal(terms, span, total) if span is not None else terms


def _down(sums: list[_Sum]) -> list[Any]:
    """``sums`` as one :class:`_SumRun` when each term's cells run down a column (a row per
    sum, as the Mitigations rows); otherwise as they are."""
    if len(sums) < 2 or any(s.const for s in sums):
        return list(sums)
    spans = [_column_span([s.terms[i][1] for s in sums]) for i in range(len(sums[0].terms))]
    signs = [[sign for sign, _ in s.terms] for s in sums]
    if not all(spans) or any(sg != signs[0] for sg in signs):
        return list(sums)
    return [_SumRun(list(sums), [(sg, sp) for sg, sp in zip(signs[0], spans, strict=True) if sp])]


def _sv_figure(fig: MonitoringReturn, year: str, column: str) -> Any:
    """The Safety Valve figure of ``year`` (a row label) and ``column``; None when blank."""
    table = fig.safety_valve_table
    for row in table.cells:
        if row[0] == year:
            return row[table.columns.index(column)]
    return None


#: Title and header of each sheet that comes with later work (RETURN.md).
_LATER: dict[str, tuple[str, tuple[str, ...]]] = {
    spec.MITIGATIONS: (spec.MITIGATIONS_TITLE, spec.MITIGATION_COLUMNS),
    spec.SCENARIOS: (spec.SCENARIOS_TITLE, spec.SCENARIO_COLUMNS),
    spec.NOTES: (spec.NOTES_TITLE, spec.NOTE_COLUMNS),
}


def add_notes_sheet(ws: Worksheet) -> None:
    """The Notes sheet's title and header, for a template that has none (RETURN.md, Notes)."""
    add_later_sheet(ws, spec.NOTES)


def add_later_sheet(ws: Worksheet, name: str) -> None:
    """A later sheet's title (row 1) and header (row 3), for a template that has none."""
    title, columns = _LATER[name]
    ws.cell(1, 1, title)
    for c, header in enumerate(columns, start=1):
        ws.cell(3, c, header)


def add_later_sheets(wb: openpyxl.Workbook) -> None:
    """Add each sheet that comes with later work the template lacks, in return order.

    RETURN.md: these sheets follow ``Checks``; a template without them is
    complete. Each one missing goes right after the return's sheet before it.
    """
    for name in spec.LATER_SHEETS:
        names = [norm(n) for n in wb.sheetnames]
        if norm(name) in names:
            continue
        before = spec.SHEETS[spec.SHEETS.index(name) - 1]
        at = names.index(norm(before)) + 1 if norm(before) in names else len(names)
        add_later_sheet(wb.create_sheet(name, at), name)


def _dimension(ws: Worksheet, c: int) -> ColumnDimension | None:
    """The column dimension that covers column ``c`` (one ``<col>`` may cover a run of columns)."""
    letter = get_column_letter(c)
    if letter in ws.column_dimensions:
        return ws.column_dimensions[letter]
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.max is not None and dim.min <= c <= dim.max:
            return dim
    return None


def _width(ws: Worksheet, c: int) -> float:
    dim = _dimension(ws, c)
    return (dim.width if dim is not None else None) or 8.43


def _hide_column(ws: Worksheet, c: int) -> None:
    """Hide column ``c``, first splitting a ``<col>`` run that covers it into one per column."""
    dim = _dimension(ws, c)
    if dim is not None and dim.min is not None and dim.max is not None and dim.max > dim.min:
        for k in range(dim.min, dim.max + 1):
            part = copy(dim)
            part.index = get_column_letter(k)
            part.min = part.max = k
            ws.column_dimensions[part.index] = part
    ws.column_dimensions[get_column_letter(c)].hidden = True


def _fit_rows(grid: _Grid, labels: list[str], rows: Iterable[int] = ()) -> None:
    """Give each wrapped row the height its longest text needs.

    Neither Excel nor LibreOffice grows a row for wrapped text in a file it
    opens, so long conditions and commentary would print over each other.
    The height is estimated from the text length and the cell's width (the
    sum of its columns' widths for merged cells; about 0.9 characters per
    unit of width, 15 points a line). The rows are those labelled ``labels``
    and the ``rows`` given by number (workstreams, whose labels repeat).
    """
    ws = grid.ws
    spans = {
        (rng.min_row, rng.min_col): range(rng.min_col, rng.max_col + 1)
        for rng in ws.merged_cells.ranges
    }
    numbers = [grid.row(label) for label in labels] + list(rows)
    last_column = ws.max_column  # once: openpyxl counts every cell to find it
    for r in dict.fromkeys(numbers):
        if r is None:
            continue
        lines = 1
        for c in range(1, last_column + 1):
            value = ws.cell(r, c).value
            if not isinstance(value, str) or not ws.cell(r, c).alignment.wrap_text:
                continue
            width = sum(_width(ws, k) for k in spans.get((r, c), (c,)))
            per_line = max(1, int(width * 0.9))
            lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in value.split("\n")))
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15, 15 * lines)


def _print_used_area(ws: Worksheet, at_least: tuple[int, int] = (1, 1)) -> None:
    """Print the columns that hold something, unless the template sets its own print area.

    The template formats spare year and census columns for the model's years;
    printed empty, they would shrink the page (fit to width) until the figures
    cannot be read. The area runs to the last column holding a value or a
    merged note, and to the last row holding a value; ``at_least`` (last row,
    last column) takes in a chart.
    """
    if ws.print_area:
        return
    last_row, last_col = at_least
    for row in ws.iter_rows():
        for cell in row:
            if not _blank(cell.value):
                last_col, last_row = max(last_col, cell.column), max(last_row, cell.row)
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= last_row:
            last_col = max(last_col, merged.max_col)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"


def _fill(
    wb: openpyxl.Workbook, template: Path, fig: MonitoringReturn, audit: Audit
) -> list[CheckResult]:
    g = _locate(wb, template, fig.period)
    f = _Filler(template)
    cells: dict[str, Any] = {}

    cover = g[spec.COVER_BLOCK]
    for label in spec.COVER_FILLED:
        v = fig.cover[label]
        if label == "LA code" and isinstance(v, str) and v.isdigit():
            v = int(v)
        key = f.put(cover, cover.row(label), 2, v)
        if label == "Return period":
            cells["period"] = key

    fsg = g[spec.FINANCIAL_SUMMARY_BLOCK]
    year_cols = {y: fsg.col(y, place=True) for y in fig.years}
    cells["year_headers"] = {y: (fsg.ws.title, fsg.header_row, c) for y, c in year_cols.items()}
    for y in fig.years:
        f.values[cells["year_headers"][y]] = y
    cells["financial_summary"] = fs = {}
    for label in spec.FINANCIAL_SUMMARY_ROWS:
        r = fsg.row(label)
        for y in fig.years:
            money = label in spec.MONEY_ROWS[spec.FINANCIAL_SUMMARY]
            v = fig.financial_summary_table.at(label, y)
            fs[(label, y)] = f.put(fsg, r, year_cols[y], _value(v, money))

    hg = g[spec.HIGH_NEEDS_BLOCK]
    cells["high_needs"] = hn = {}
    high_needs = fig.high_needs_table
    for label, cells_of_line in zip(high_needs.index, high_needs.cells, strict=True):
        r = hg.row(label)
        for col, v in zip(high_needs.columns, cells_of_line, strict=True):
            money = col in spec.MONEY_COLUMNS[spec.HIGH_NEEDS]
            hn[(label, col)] = f.put(hg, r, hg.col(col), _value(v, money))

    eg = g[spec.EHCP_BLOCK]
    cells["ehcp"] = e = {}
    cells["ehcp_headers"] = {}
    ehcp_cols = {
        col: eg.col(col)
        for col in (m.period_actual(fig.period), m.period_plan(fig.period), m.VARIANCE)
    }
    history, spare = eg.in_order(list(fig.ehcp_history), ehcp_cols[m.period_actual(fig.period)])
    for c in spare:  # no gap between the last census and the period's actual
        _hide_column(eg.ws, c)
    for col in fig.ehcp_columns:
        ec = history.get(col) if col in history else ehcp_cols.get(col)
        cells["ehcp_headers"][col] = (eg.ws.title, eg.header_row, ec)
        f.values[cells["ehcp_headers"][col]] = col
        for label, v in zip(fig.ehcp_table.index, fig.ehcp_table.column(col), strict=True):
            e[(label, col)] = f.put(eg, eg.row(label), ec, _value(v, False))

    def table(block: Block, rows: ReturnTable, name: str) -> None:
        grid = g[block]
        cols = {col: grid.col(col) for col in rows.columns[1:]}
        money = spec.MONEY_COLUMNS.get(block.sheet, frozenset())
        cells[name] = out = {}
        for row in rows.cells:
            label = row[0]
            r = grid.row(label, place=True)
            f.put(grid, r, grid.label_col, label)
            for col, v in zip(rows.columns[1:], row[1:], strict=True):
                out[(label, col)] = f.put(
                    grid,
                    r,
                    cols[col],
                    _value(v, col in money and block is not spec.CONDITIONS_BLOCK),
                )

    table(spec.BLOCK_MOVEMENTS_BLOCK, fig.block_movements_table, "block_movements")
    table(spec.SAFETY_VALVE_BLOCK, fig.safety_valve_table, "safety_valve")
    table(spec.CONDITIONS_BLOCK, fig.conditions_table, "conditions")

    notes = g[spec.NOTES_BLOCK]  # rows in order, each in the next blank row (labels repeat)
    item_col = notes.col("Item")
    for row in fig.notes_table.cells:
        r = next(notes.free_rows, None)
        if r is None or item_col is None:
            notes.problems.append(f"sheet '{notes.ws.title}' has no blank row left for a note")
            break
        set_text(notes.ws, r, item_col, row[1])  # taken now: the next note needs the next row
        f.put(notes, r, notes.label_col, row[0] or None)
        for col, v in zip(fig.notes_table.columns[2:], row[2:], strict=True):
            f.put(notes, r, notes.col(col), v)

    cells["mitigations"] = _fill_mitigations(g[spec.MITIGATIONS_BLOCK], f, fig)
    cells["scenarios"], chart = _fill_scenarios(g[spec.SCENARIOS_BLOCK], f, fig)

    problems = cover.problems + f.problems + notes.problems
    if problems:
        raise TemplateError(template, list(dict.fromkeys(problems)))

    checks = _checks(g, f, fig, cells)
    cg = g[spec.CHECKS_BLOCK]
    rc, dc = cg.col("Result"), cg.col("Detail")
    results = []
    for label in spec.CHECK_LABELS:
        conds, detail = checks[label]
        r = cg.row(label, place=label in spec.LATER_CHECKS)  # a template without them gets them
        if r is None or rc is None or dc is None:  # _locate has refused such a template
            raise TemplateError(template, list(dict.fromkeys(cg.problems)))
        formula = (
            ("=IF(AND(" + ",".join(c.formula() for c in _runs(conds)) + '),"PASS","FAIL")')
            if conds
            else '="PASS"'
        )
        if len(formula) > FORMULA_LIMIT:
            raise ReturnTooLargeError(label, len(formula))
        cg.ws.cell(r, rc).value = formula
        f.writes[(cg.ws, r, dc)] = detail
        results.append(CheckResult(label, all(c.ok(f.values) for c in conds), detail))

    # audit block under the checks (found by its labels when the template has them)
    ws = cg.ws
    found = {label: cg.rows.get(norm(label)) for label in spec.AUDIT_ROWS}
    rows = {label: r for label, r in found.items() if r is not None}
    if len(rows) < len(found):
        top = max(ws.max_row, max(cg.rows.values(), default=cg.header_row or 1)) + 2
        ws.cell(top, cg.label_col, spec.AUDIT_HEADING).font = copy(
            ws.cell(cg.header_row or 1, cg.label_col).font
        )
        for i, label in enumerate(spec.AUDIT_ROWS, start=1):
            if label not in rows:
                rows[label] = top + i
                ws.cell(top + i, cg.label_col, label)
    values = {
        spec.AUDIT_TOOL: audit.tool,
        spec.AUDIT_VERSION: audit.version,
        spec.AUDIT_TIME: audit.refreshed_at,
        spec.AUDIT_MODEL: model_name(audit.model),
        spec.AUDIT_SHA: audit.sha256,
        spec.AUDIT_SCENARIOS: fig.scenario_count or None,
        spec.AUDIT_SEED: fig.scenario_seed,
    }
    for label, r in rows.items():
        if values[label] is not None:
            f.writes[(ws, r, cg.label_col + 1)] = values[label]

    for (sheet, r, c), v in f.writes.items():
        set_text(sheet, r, c, v)  # free text as text: only the checks above are formulas
    for (label, col), key in e.items():  # DfE's x: a note on the cell says what it means
        if key is not None and fig.ehcp_table.at(label, col) == m.SUPPRESSED_MARK:
            cell = eg.ws.cell(key[1], key[2])
            cell.comment = Comment(f"{m.SUPPRESSED_MARK} = {m.SUPPRESSED_NOTE}", "DSG add-in")
    _fit_rows(
        g[spec.CONDITIONS_BLOCK], [str(row[0]) for row in fig.conditions_table.cells]
    )  # on the written text
    _fit_rows(g[spec.MITIGATIONS_BLOCK], [], (c[1] for c in cells["mitigations"].values() if c))
    if chart is not None:
        chart_ws, drawn, anchor_row = chart
        chart_ws.add_chart(drawn, f"A{anchor_row}")
        _print_used_area(chart_ws, (anchor_row + CHART_ROWS, CHART_COLUMNS))
    for block in spec.BLOCKS:  # a sheet with two blocks is done once: its print area is then set
        _print_used_area(g[block].ws)
    return results


#: Rows and columns of the Scenarios sheet the fan chart covers (22 x 11 cm), for the print area.
CHART_ROWS = 23
CHART_COLUMNS = 10


def _fill_mitigations(grid: _Grid, f: _Filler, fig: MonitoringReturn) -> dict[Any, Cell | None]:
    """The Mitigations sheet: each workstream-year in the next blank row (workstreams repeat
    over years, so rows are not found by label), then the ``Total`` row, found by its label
    when the template has one. The workstream is free text, written as text.

    Returns {(row number in the table, column): cell}, the Total row's keyed by ``Total``.
    """
    table = fig.mitigations_table
    money = spec.MONEY_COLUMNS[spec.MITIGATIONS]
    cols = {col: grid.col(col) for col in table.columns[1:]}
    out: dict[Any, Cell | None] = {}
    last = len(table) - 1
    for k, row in enumerate(table.cells):
        label = row[0]
        if k == last and label == m.MITIGATIONS_TOTAL:
            key: Any = label
            r = grid.row(label, place=True)
        else:
            key = k
            r = next(grid.free_rows, None)
            if r is None:
                grid.problems.append(
                    f"sheet '{grid.ws.title}' has no blank row left for a workstream"
                )
                break
            set_text(grid.ws, r, grid.label_col, label)  # taken now: the next needs the next row
        for col, v in zip(table.columns[1:], row[1:], strict=True):
            out[(key, col)] = f.put(grid, r, cols[col], _value(v, col in money))
    return out


def _fill_scenarios(
    grid: _Grid, f: _Filler, fig: MonitoringReturn
) -> tuple[dict[Any, Cell | None], tuple[Worksheet, Any, int] | None]:
    """The Scenarios sheet: a row per year (found by its label or placed), the write-off
    columns placed when the figures have them, the chart's band column (P10 - P90, the band's
    width), the note saying what P10/P50/P90 are, and the fan chart
    (:func:`workbooks.scenarios_workbook.fan_chart`), drawn when the year rows run down
    the sheet one after another.

    Returns {(year, column): cell} and (sheet, chart, the row to anchor it at), or None.
    """
    table = fig.scenarios_table
    money = spec.MONEY_COLUMNS[spec.SCENARIOS]
    cols = {col: grid.col(col, place=col not in spec.SCENARIO_COLUMNS) for col in table.columns[1:]}
    out: dict[Any, Cell | None] = {}
    if not len(table):
        return out, None
    band = grid.col(spec.BAND, place=True)
    rows: list[int] = []
    for row in table.cells:
        year = row[0]
        r = grid.row(year, place=True)
        if r is None:
            continue
        rows.append(r)
        f.put(grid, r, grid.label_col, year)
        for col, v in zip(table.columns[1:], row[1:], strict=True):
            out[(year, col)] = f.put(grid, r, cols[col], _value(v, col in money))
        p10, p90 = (row[table.columns.index(p)] for p in ("P10", "P90"))
        f.put(grid, r, band, round_half_up(_value(p10, True) - _value(p90, True), 2))
    next(grid.free_rows, None)  # a blank row between the table and the note
    note = None
    for line in (*scenarios_note(fig.scenario_count, fig.scenario_seed), *fig.write_off_lines):
        note = next(grid.free_rows, None)
        if note is not None:
            set_text(grid.ws, note, grid.label_col, line)  # taken now: the next line below
    if not rows or rows != list(range(rows[0], rows[0] + len(rows))) or band is None:
        return out, None
    need = ("P90", "P50", m.AGREED)
    if grid.header_row is None or any(cols.get(c) is None for c in need):
        return out, None
    from workbooks.scenarios_workbook import fan_chart

    chart = fan_chart(
        grid.ws,
        header_row=grid.header_row,
        rows=(rows[0], rows[-1]),
        year=grid.label_col,
        base=cols["P90"],  # type: ignore[arg-type]
        band=band,
        p50=cols["P50"],  # type: ignore[arg-type]
        agreed=cols[m.AGREED],  # type: ignore[arg-type]
        title="Cumulative surplus/(deficit): P10-P90, P50 and the agreed profile",
        number_format=_axis_format(grid.ws, rows[0], cols["P50"]),
    )
    return out, (grid.ws, chart, (note or rows[-1]) + 2)


def _axis_format(ws: Worksheet, r: int, c: int | None) -> str:
    """The number format of the cell (``r``, ``c``): the chart's axis shows pounds as the sheet does."""
    fmt = ws.cell(r, c).number_format if c is not None else "General"
    return fmt if fmt and fmt != "General" else "#,##0;(#,##0)"


def scenarios_note(n: int, seed: int | None) -> tuple[str, ...]:
    """What P10, P50 and P90 are, with the run's size and seed: the note's lines under the table.

    >>> scenarios_note(10_000, 1)[0]
    'P10, P50, P90: percentiles of the cumulative deficit over 10,000 scenarios (seed 1), shown like every position here as a surplus/(deficit), negative for a deficit.'
    """
    return (
        f"P10, P50, P90: percentiles of the cumulative deficit over {n:,} scenarios (seed "
        f"{seed}), shown like every position here as a surplus/(deficit), negative for a deficit.",
        "P90: nine scenarios in ten end no worse than it; P50: half do; P10: one in ten does. "
        "P(on track): the share of scenarios at or better than Agreed.",
        f"{spec.BAND}: the width of the band the chart shades (P10 - P90), not a position.",
    )


def model_name(source: str) -> str:
    r"""The model's file name without its folders, which would expose the person's name and folders.

    >>> model_name(r"C:\Users\jsmith\Finance\dsg_model.xlsx"), model_name("/home/j/m.xlsx")
    ('dsg_model.xlsx', 'm.xlsx')
    """
    return PureWindowsPath(str(source)).name or str(source)


def return_name(la_code: Any, period: str) -> str:
    """``<LA code>_<period>_DSG_monitoring_return.xlsx``, made safe for a file name.

    >>> return_name("873", "2024-25 Q2")
    '873_2024-25_Q2_DSG_monitoring_return.xlsx'
    """

    def safe(text: Any) -> str:
        return re.sub(r"[^A-Za-z0-9.-]+", "_", str(text).strip()).strip("_.") or "return"

    return f"{safe(la_code)}_{safe(period)}_DSG_monitoring_return.xlsx"


def write_return(
    fig: MonitoringReturn, template: Path, out_dir: Path, audit: Audit
) -> WrittenReturn:
    """Fill a copy of ``template`` with ``fig`` and save it in ``out_dir``.

    Raises
    ------
    TemplateError
        A sheet, label or header is missing, or the template carries charts
        or images; nothing is written.
    OutputError
        The output folder is a file, or cannot be created or written.
    """
    template, out_dir = Path(template), Path(out_dir)
    if not template.is_file():
        raise TemplateError(template, [f"not found at {template}"])
    _check_drawings(template)
    try:
        wb = openpyxl.load_workbook(template)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TemplateError(template, [f"cannot be opened as an .xlsx workbook ({exc})"]) from None
    for ws in wb.worksheets:
        if getattr(ws, "_charts", None) or getattr(ws, "_images", None):
            raise TemplateError(
                template,
                [
                    f"sheet '{ws.title}' carries charts or images, which openpyxl "
                    "would drop when saving the filled return"
                ],
            )
    add_later_sheets(wb)  # RETURN.md: sheets that come with later work, added when absent
    results = _fill(wb, template, fig, audit)
    path = publish(out_dir, return_name(fig.cover["LA code"], fig.period), wb.save)
    return WrittenReturn(path, results)


def now_text() -> str:
    """The local time, to the second, with its UTC offset."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")
