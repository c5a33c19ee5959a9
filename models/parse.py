"""The model workbook's tables, read once into the typed model (:class:`models.model.DSGModel`).

:func:`parse_model` is the edge of the models for the refresh and ``dsg
show``: it checks every table and every Settings value with one collector
(:class:`models.errors.Problems`) and reports every problem at once, naming
the table, the row and the column. What it returns holds no blank, text or
Excel error where a number belongs, so the return's figures
(:mod:`models.return_figures`) compute without further checks.

Rules (beyond the columns' kinds; the model workbook's About sheet states the
same rules to its readers)
----------------------------------------------------------------------------
- ``LA code`` is DfE's three-digit LA number (``873``).
- ``Return period`` is a financial year and a quarter; ``2024/25 q2`` is read
  as ``2024-25 Q2``, the form used everywhere after.
- ``Period end date`` is the last day of that quarter (Q1 30 June, Q2 30
  September, Q3 31 December, Q4 31 March).
- Money (Settings ``Opening cumulative deficit`` and every column of
  pounds) is at most :data:`MONEY_LIMIT` either way, and a count of children
  at most :data:`COUNT_LIMIT`: no council needs more, and a return cannot
  show it (a sum of such figures loses its pence, then its units).
- The Placements table has at least one row: the projection of spend starts
  from it. HighNeedsLines, EHCPHistory, EHCPPeriod and EHCPByAge have the
  return's rows. An empty Moves, Agreement or Conditions table is accepted:
  no planned moves, no Safety Valve agreement, no conditions.
- A cell holding an Excel error (``#REF!``, ``#N/A``...) is named as such.
- The current year (the period's) is a Funding year; a Transfer rate is at
  most 1; Agreement years are unique and, within the Funding years,
  consecutive; HighNeedsLines, EHCPHistory, EHCPPeriod and EHCPByAge list
  exactly the return's rows; a Condition's RAG is Green, Amber or Red.
- Settings ``High Needs Block basis`` (optional): ``after deductions`` (the
  default) or ``before deductions``, any case: the basis of the High Needs
  Block income, and so of Section 251 line 1.0.2 (ESFA's DSG allocations;
  Section 251 guidance).
- The Sources table (optional) gives each figure's ``Status``: Actual,
  Estimate, Assumption or Plan (any case); the return's Notes sheet lists
  every one that is not an actual (RETURN.md, Notes).
- Funding ``Forum decision`` (optional) is the schools forum's decision on
  the year's transfer: ``Approved``, ``Refused`` or blank (not yet decided),
  any case; a decision on a year with no transfer is refused (METHOD.md,
  BLOCK_TRANSFER_IMPACT).
- An EHCPHistory census cell may hold DfE's ``x``, ``c`` or ``z`` (a figure
  DfE suppressed or does not publish): it is kept as not a number (NaN),
  never 0, and the return shows ``x`` (DfE's statistics conventions).
- Agreement ``DfE payment expected`` (optional: a model built before it had
  none) is what the council expects DfE to pay in each current and later year:
  on time, later or never. Without the column every instalment is expected
  when due (the agreement's own profile), never silently dropped.
- The Mitigations table (optional: a model built before it has no savings
  listed) is read by :meth:`models.mitigations.Mitigations.from_rows`: each
  row's Year a Funding year, Planned and Delivered saving money of 0 or more
  within :data:`MONEY_LIMIT`, Confidence 0 to 1, RAG Green, Amber or Red (any
  case). The Funding and Placements inputs are the *mitigated* plan: the
  savings never change its figures (the About sheet's convention).
- Settings ``Write-off year``, ``Write-off share``, ``Override end`` and
  ``Usable reserves`` (optional, METHOD.md DEFICIT_WRITE_OFF): a row absent or
  blank reads as its default: no write-off, 0.9, ``2027-28``, not given. A
  write-off year given must be a Funding year and so must the year before it
  (the deficit at its 31 March is what is written off); an override end given
  must be a Funding year; the share is 0 to 1; usable reserves are money of 0
  or more within :data:`MONEY_LIMIT`. Settings names match ignoring case and
  spaces; a name close to an optional row the table lacks (``Write off
  year``) is named as a likely misspelling, never silently ignored.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.errors import InputError, Problem, Problems, cell_of, show, summarise_blank_columns
from models.forecast_growth import resolve_forecast_growth
from models.inputs import OPTIONAL_SETTINGS, SETTINGS, TABLE_COLUMNS, ModelInputs
from models.mitigations import MITIGATION_COLUMNS, Mitigations
from models.model import (
    Agreement,
    Condition,
    DSGModel,
    EHCPNumbers,
    Funding,
    Grid,
    HighNeedsLines,
    Keyed,
    Moves,
    Placements,
    Settings,
    Source,
    keyed,
    year_series,
)
from models.return_figures import projected_spend
from models.transfers import forum_decision
from models.validation import Column, is_blank, parse_year, read_columns, read_scalar, rows_of
from models.years import year_label, year_start

__all__ = [
    "MONEY_LIMIT",
    "EXCEL_ERRORS",
    "RAG_VALUES",
    "S251_LINES",
    "parse_model",
    "normalise_period",
    "quarter_end",
    "read_date",
    "census_label",
    "s251_code",
]

#: The largest sum of money, either way, a model may hold: £1 trillion
#: (England's whole DSG is about £65 billion a year).
MONEY_LIMIT = 1e12
MONEY_LIMIT_TEXT = "£1,000,000,000,000 (one trillion pounds)"

#: The error values Excel shows in a cell.
EXCEL_ERRORS: tuple[str, ...] = (
    "#NULL!",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#N/A",
    "#GETTING_DATA",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#PYTHON!",
)

RAG_VALUES: tuple[str, ...] = ("Green", "Amber", "Red")

#: Section 251 high needs lines: (code, description); the return's label is both.
S251_LINES: tuple[tuple[str, str], ...] = (
    ("1.0.2", "High needs place funding within Individual Schools Budget"),
    ("1.2.1", "Top-up funding - maintained schools"),
    ("1.2.2", "Top-up funding - academies, free schools and colleges"),
    ("1.2.3", "Top-up and other funding - non-maintained and independent providers"),
    ("1.2.4", "Additional high needs targeted funding for mainstream schools and academies"),
    ("1.2.5", "SEN support services"),
    ("1.2.6", "Hospital education services"),
    ("1.2.7", "Other alternative provision services"),
    ("1.2.8", "Support for inclusion"),
    ("1.2.9", "Special schools and PRUs in financial difficulty"),
    ("1.2.10", "PFI/BSF costs at special schools, AP/PRUs and post 16 institutions only"),
    ("1.2.11", "Direct payments (SEN and disability)"),
    ("1.2.13", "Therapies and other health related services"),
)
S251_CODES: tuple[str, ...] = tuple(code for code, _ in S251_LINES)

FUNDING_COLUMNS: tuple[Column, ...] = (
    Column("Year", "year"),
    Column("High Needs Block income", minimum=0),
    Column("Schools block", minimum=0),
    Column("Transfer rate", minimum=0),
    Column("Other high needs spend", minimum=0),
    Column("Other blocks in-year deficit"),
    Column("Council contribution"),
    Column("Other contributions"),
    Column("Forum decision", "text", required=False),
)
PLACEMENT_COLUMNS: tuple[Column, ...] = (
    Column("Placement", "name", unique=True),
    Column("Count", minimum=0),
    Column("Cost per place", minimum=0),
    Column("Growth", above=-1),
    Column("Inflation", above=-1),
)
MOVE_COLUMNS: tuple[Column, ...] = (
    Column("Placement", "name"),
    Column("Year", "year"),
    Column("Change"),
)
AGREEMENT_COLUMNS: tuple[Column, ...] = (
    Column("Year", "year"),
    Column("DfE payment due", minimum=0),
    Column("DfE payment received", minimum=0),
    Column("Council contribution", minimum=0),
    Column("Agreed cumulative deficit"),
    Column("DfE payment expected", minimum=0, required=False),
)
LINE_COLUMNS: tuple[Column, ...] = (
    Column("Line", "name", unique=True),
    Column("Budget"),
    Column("Forecast outturn"),
)
PERIOD_COLUMNS: tuple[Column, ...] = (
    Column("Category", "name", unique=True),
    Column("Actual", minimum=0),
    Column("Plan", minimum=0),
)
AGE_COLUMNS: tuple[Column, ...] = (
    Column("Age group", "name", unique=True),
    Column("Actual", minimum=0),
)
CONDITION_COLUMNS: tuple[Column, ...] = (
    Column("Condition", "name", unique=True),
    Column("RAG", "text"),
    Column("Commentary", "text"),
)

#: Columns of pounds, by table: each within MONEY_LIMIT.
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "Funding": (
        "High Needs Block income",
        "Schools block",
        "Other high needs spend",
        "Other blocks in-year deficit",
        "Council contribution",
        "Other contributions",
    ),
    "Placements": ("Cost per place",),
    "Agreement": (
        "DfE payment due",
        "DfE payment received",
        "Council contribution",
        "Agreed cumulative deficit",
        "DfE payment expected",
    ),
    "HighNeedsLines": ("Budget", "Forecast outturn"),
}

#: The largest number of children a count may hold: ten million (England has
#: fewer than a million EHC plans).
COUNT_LIMIT = 1e7
COUNT_LIMIT_TEXT = "10,000,000 children"

#: Columns of counts of children, by table (EHCPHistory: every census column).
COUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "Placements": ("Count",),
    "Moves": ("Change",),
    "EHCPPeriod": ("Actual", "Plan"),
    "EHCPByAge": ("Actual",),
}

#: The projection's arguments, as the tables a person reads.
PROJECTION_ARGUMENTS: dict[str, str] = {
    "placements": "Placements",
    "moves": "Moves",
    "growth": "Placements column 'Growth'",
    "inflation": "Placements column 'Inflation'",
}

_CODE = re.compile(r"^\s*(\d+\.\d+\.\d+)(?!\.?\d)")
_CENSUS = re.compile(r"^\s*(\d{4})(?:\.0+)?\s*$")
_PERIOD = re.compile(r"^\s*(\d{4}\s*[-/]\s*\d{2})\s*Q\s*([1-4])\s*$", re.IGNORECASE)
_LA_CODE = re.compile(r"^[0-9]{3}$")


# --- small readers ------------------------------------------------------------------------


def excel_error(value: Any) -> str | None:
    """The Excel error a cell holds (``#REF!``), else None.

    >>> excel_error("#REF!"), excel_error(" #n/a "), excel_error("#1 school")
    ('#REF!', '#N/A', None)
    """
    if isinstance(value, str):
        text = value.strip().upper()
        if text in EXCEL_ERRORS:
            return text
    return None


def s251_code(label: Any) -> str | None:
    """The Section 251 code a line label starts with, or None.

    >>> s251_code("1.2.3 Top-up"), s251_code(" 1.2.10"), s251_code("Total")
    ('1.2.3', '1.2.10', None)
    """
    m = _CODE.match("" if label is None else str(label))
    return m.group(1) if m else None


def census_label(header: Any) -> str:
    """The return's column header for an EHCPHistory census column.

    A bare year (``2019``, ``"2019"``) becomes ``January 2019`` (the SEN2
    census is taken in January); any other header is kept as written.

    >>> census_label(2019), census_label("Jan 2020")
    ('January 2019', 'Jan 2020')
    """
    text = str(header).strip()
    m = _CENSUS.match(text)
    return f"January {m.group(1)}" if m else text


def text_of(value: Any) -> str:
    """A cell as text: blank is ``""``, a whole float loses its ``.0``.

    >>> text_of(873.0), text_of(None), text_of(" Cambridgeshire ")
    ('873', '', 'Cambridgeshire')
    """
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_date(value: Any) -> dt.date | None:
    """A date from a cell: a date, an ISO or dd/mm/yyyy text, or an Excel serial number.

    >>> read_date("2024-09-30"), read_date("30/09/2024"), read_date(45565)
    (datetime.date(2024, 9, 30), datetime.date(2024, 9, 30), datetime.date(2024, 9, 30))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        if 1 <= value < 2958466:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
        return None
    if isinstance(value, str):
        text = value.strip()
        for fmt in (
            "%Y-%m-%d",
            "%d/%m/%Y",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%d %B %Y",
            "%d %b %Y",
        ):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    return None


def normalise_period(value: Any) -> tuple[str | None, str | None]:
    """A return period as ``YYYY-YY Qn``, or what is wrong with it.

    >>> normalise_period("2024/25 q2"), normalise_period(" 2024-25  Q4 ")
    (('2024-25 Q2', None), ('2024-25 Q4', None))
    >>> normalise_period("2024-25 Month 6")[1]
    "'2024-25 Month 6' is not a return period like '2024-25 Q2' (a financial year, then the quarter Q1 to Q4)"
    """
    text = text_of(value)
    m = _PERIOD.match(text)
    if not m:
        return None, (
            f"{show(text)} is not a return period like '2024-25 Q2' "
            "(a financial year, then the quarter Q1 to Q4)"
        )
    year, err = parse_year(m.group(1))
    if err:
        return None, err
    return f"{year} Q{m.group(2)}", None


def quarter_end(period: str) -> dt.date:
    """The last day of a return period's quarter (the financial year starts in April).

    Notes
    -----
    ::

        Q1 -> 30 June, Q2 -> 30 September, Q3 -> 31 December of the year's start,
        Q4 -> 31 March of the year after

    References
    ----------
    ../shared/spec/RETURN.md, Cover: ``Period end date`` is the end of the return period.

    >>> quarter_end("2024-25 Q2"), quarter_end("2024-25 Q4")
    (datetime.date(2024, 9, 30), datetime.date(2025, 3, 31))
    """
    start, quarter = year_start(period[:7]), int(period[-1])
    month_day = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}[quarter]
    return dt.date(start + (quarter == 4), *month_day)


# --- tables -------------------------------------------------------------------------------


def _header_positions(header: list[Any], columns: Sequence[Column]) -> dict[int, str]:
    """{position: column name} of the columns the model reads."""
    wanted = {c.name.casefold(): c.name for c in columns}
    out: dict[int, str] = {}
    for i, h in enumerate(header):
        key = "" if is_blank(h) else str(h).strip().casefold()
        if key in wanted:
            out[i] = wanted[key]
    return out


#: The most characters an Excel cell holds (Excel's specifications and limits).
EXCEL_CELL_CHARS = 32_767


def _excel_errors(
    rows: list[list[Any]], name: str, columns: Sequence[Column], found: Problems
) -> set[tuple[int, str]]:
    """Name every cell that cannot be read: an Excel error, or text longer than a cell holds.

    The (row, column) of each. A workbook written by Excel never holds more than
    :data:`EXCEL_CELL_CHARS` characters in a cell; a file that does was not, and what
    the return wrote from it would not open cleanly in Excel.
    """
    if not rows:
        return set()
    positions = _header_positions(rows[0], columns)
    name_col = next((c.name for c in columns if c.kind == "name"), None)
    name_pos = next((i for i, c in positions.items() if c == name_col), None)
    cells: set[tuple[int, str]] = set()
    for r, row in enumerate(rows[1:], start=1):
        label = ""
        if name_pos is not None and name_pos < len(row) and not is_blank(row[name_pos]):
            label = f" {show(str(row[name_pos]).strip())}"
        for i, column in positions.items():
            value = row[i] if i < len(row) else None
            error = excel_error(value)
            if error:
                cells.add((r, column))
                found.add(
                    name,
                    f"row {r}{label}, column '{column}'",
                    f"holds the Excel error {error}: correct the cell or type the value",
                )
            elif isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
                cells.add((r, column))
                found.add(
                    name,
                    f"row {r}{label}, column '{column}'",
                    f"holds {len(value):,} characters; an Excel cell holds at most "
                    f"{EXCEL_CELL_CHARS:,}: shorten it",
                )
    return cells


def _body_rows(rows: list[list[Any]]) -> int:
    body = rows[1:]
    while body and all(is_blank(v) for v in body[-1]):
        body.pop()
    return len(body)


#: A table checked by :func:`models.validation.read_columns`: {column: float array or list of
#: str}, one element per data row.
Table = dict[str, Any]


def _length(table: Table) -> int:
    """The number of data rows of a checked table."""
    return len(next(iter(table.values()))) if table else 0


def _within_limit(frame: Table, name: str, label: str | None, found: Problems) -> None:
    """Money within MONEY_LIMIT and counts within COUNT_LIMIT, each cell beyond named."""
    money = MONEY_COLUMNS.get(name, ())
    if name == "EHCPHistory":  # one column per census
        counts = [c for c in frame if c != label]
    else:
        counts = list(COUNT_COLUMNS.get(name, ()))
    for columns, limit, beyond in (
        (
            money,
            MONEY_LIMIT,
            f"beyond {MONEY_LIMIT_TEXT}, more than any council's DSG: "
            "check the figure (pounds, not pence)",
        ),
        (
            counts,
            COUNT_LIMIT,
            f"beyond {COUNT_LIMIT_TEXT}, more than any council has: check the figure",
        ),
    ):
        for column in (c for c in columns if c in frame):  # an optional column may be absent
            values = np.asarray(frame[column], dtype=float)
            for i in np.flatnonzero(np.abs(values) > limit).tolist():
                where_label = f" {show(frame[label][i])}" if label else ""
                found.add(
                    name,
                    f"row {i + 1}{where_label}, column '{column}'",
                    f"{float(values[i]):g} is {beyond}",
                )


def read_model_table(
    inputs: ModelInputs,
    name: str,
    columns: Sequence[Column],
    found: Problems,
    keep_errors: bool = False,
) -> Table | None:
    """One table checked into its columns (:data:`Table`), or None with its problems kept.

    Excel errors are named as such, a column blank in every row is said once
    (:func:`models.errors.summarise_blank_columns`), money is checked against
    :data:`MONEY_LIMIT`. ``keep_errors``: return the table even when a text
    cell holds an Excel error (named already), so its other cells are checked.
    """
    raw = inputs.tables.get(name)
    if raw is None:
        found.add(
            name,
            "",
            f"the model workbook has no Excel Table named '{name}' "
            f"(columns {' | '.join(TABLE_COLUMNS[name])})",
        )
        return None
    rows = rows_of(raw)
    errors = _excel_errors(rows, name, columns, found)
    own = Problems()
    frame = own.run(read_columns, rows, name, list(columns), limit=None)
    problems = [p for p in own.items if cell_of(p.where) not in errors]
    found.items.extend(summarise_blank_columns(problems, _body_rows(rows)))
    if frame is None or (errors and not keep_errors):
        return None
    label = next((c.name for c in columns if c.kind == "name"), None)
    before = len(found)
    _within_limit(frame, name, label, found)
    return frame if len(found) == before else None


def _labels(
    frame: Table,
    column: str,
    wanted: tuple[str, ...],
    table: str,
    found: Problems,
    key: Callable[[str], str | None] = lambda s: s.casefold(),
    shown: tuple[str, ...] | None = None,
) -> dict[str, int]:
    """Each wanted label's row position; unknown, repeated and missing labels are problems."""
    if _length(frame) == 0:
        found.add(
            table,
            f"row 1, column '{column}'",
            f"the table has no rows: add one row for each of the return's rows "
            f"({'; '.join(shown or wanted)}), 0 where there is none",
        )
        return {}
    keys = {key(w): w for w in wanted}
    index: dict[str, int] = {}
    for pos, name in enumerate(frame[column]):
        k = key(str(name))
        where = f"row {pos + 1} {show(name)}, column '{column}'"
        if k not in keys:
            found.add(
                table, where, f"is not one of the return's rows ({'; '.join(shown or wanted)})"
            )
        elif keys[k] in index:
            found.add(table, where, f"appears twice (also row {index[keys[k]] + 1})")
        else:
            index[keys[k]] = pos
    for w in wanted:
        if w not in index:
            found.add(table, f"column '{column}'", f"has no row {w!r}: add it (0 if there is none)")
    return index


# --- Settings -----------------------------------------------------------------------------


#: How alike (difflib's ratio, 0 to 1) a Settings name must be to an optional setting's
#: to be taken for a misspelling of it (``Write off year``, ``Usable reserve``).
NEAR_NAME = 0.8


def _setting_key(name: Any) -> str:
    """A Settings name as matched: case and the spaces around and between words ignored.

    >>> _setting_key("  Write-off   YEAR ")
    'write-off year'
    """
    return " ".join(str(name).split()).casefold()


def _settings_cells(inputs: ModelInputs, found: Problems) -> dict[str, tuple[str, Any]] | None:
    """{setting: (where, raw value)} of the Settings rows present; every missing row named.

    A value holding an Excel error is named here and left out. Names match
    ignoring case and spaces; a row whose name is close to an optional
    setting the table lacks (``Write off year``) is named as a likely
    misspelling, since an optional row not found silently takes its default.

    >>> rows = [["Setting", "Value"], ["Usable reserve", 5e6]]
    >>> found = Problems()
    >>> _ = _settings_cells(ModelInputs({"Settings": rows}), found)
    >>> [p.what for p in found.items if "did you mean" in p.what][0][:58]
    "is not a setting the model reads: did you mean 'Usable res"
    """
    columns = (Column("Setting", "name", unique=True), Column("Value", "text"))
    frame = read_model_table(inputs, "Settings", columns, found, keep_errors=True)
    if frame is None:
        return None
    rows = rows_of(inputs.tables["Settings"])
    header = ["" if is_blank(h) else str(h).strip().casefold() for h in rows[0]]
    value_at = header.index("value")
    present: dict[str, tuple[int, Any]] = {}
    for r, setting in enumerate(frame["Setting"], start=1):
        row = rows[r]
        key = _setting_key(setting)
        if key in present:  # the same name but for its spaces (an exact repeat is named already)
            if str(setting).strip().casefold() != str(rows[present[key][0]][0]).strip().casefold():
                found.add(
                    "Settings",
                    f"row {r} {show(setting)}, column 'Setting'",
                    f"duplicate name (also row {present[key][0]})",
                )
            continue
        present[key] = (r, row[value_at] if value_at < len(row) else None)
    known = {_setting_key(s) for s in (*SETTINGS, *OPTIONAL_SETTINGS)}
    for setting in OPTIONAL_SETTINGS:  # a misspelt optional row would be silently ignored
        key = _setting_key(setting)
        near = [
            (r, name)
            for name, (r, _) in present.items()
            if key not in present
            and name not in known
            and difflib.SequenceMatcher(None, name, key).ratio() >= NEAR_NAME
        ]
        for r, _ in near:
            found.add(
                "Settings",
                f"row {r} {show(str(rows[r][0]).strip())}, column 'Setting'",
                f"is not a setting the model reads: did you mean '{setting}'? (otherwise the "
                "row is ignored and its default used)",
            )
    out: dict[str, tuple[str, Any]] = {}
    for setting in (*SETTINGS, *OPTIONAL_SETTINGS):
        if _setting_key(setting) in present:
            r, value = present[_setting_key(setting)]
            if excel_error(value) is None:
                out[setting] = (f"row {r} '{setting}', column 'Value'", value)
        elif setting in SETTINGS:
            found.add(
                "Settings",
                "column 'Setting'",
                f"has no row '{setting}': add the row '{setting}' with its value",
            )
    return out


def _settings(cells: dict[str, tuple[str, Any]], found: Problems) -> Settings | None:
    """The Settings values, each checked; None when any is wrong or missing (its problem kept)."""
    before = len(found)
    value = {name: raw for name, (_, raw) in cells.items()}
    where = {name: w for name, (w, _) in cells.items()}

    def required_text(name: str) -> str:
        if name not in cells:  # missing, or an Excel error: named already
            return ""
        text = text_of(value[name])
        if not text:
            found.add("Settings", where[name], "is blank")
        return text

    la_name = required_text("Local authority")
    la_code = required_text("LA code")
    if la_code and not _LA_CODE.match(la_code):
        found.add(
            "Settings",
            where["LA code"],
            f"{show(la_code)} is not an LA code: give DfE's three-digit LA number (e.g. 873)",
        )
    period: str | None = None
    if required_text("Return period"):
        period, err = normalise_period(value["Return period"])
        if err:
            found.add("Settings", where["Return period"], err)
    end = None
    if "Period end date" in cells:
        raw_end = value["Period end date"]
        end = read_date(raw_end)
        if end is None:
            shown = "blank" if is_blank(raw_end) else show(raw_end)
            found.add(
                "Settings", where["Period end date"], f"{shown} is not a date (e.g. 30/09/2024)"
            )
        elif period is not None and end != quarter_end(period):
            found.add(
                "Settings",
                where["Period end date"],
                f"{end:%d/%m/%Y} is not the end of {period}: the period ends on "
                f"{quarter_end(period):%d/%m/%Y}",
            )
    opening = None
    if "Opening cumulative deficit" in cells:
        opening = found.run_as(
            lambda: read_scalar(value["Opening cumulative deficit"], "Settings"),
            where=where["Opening cumulative deficit"],
        )
        if opening is not None and abs(opening) > MONEY_LIMIT:
            found.add(
                "Settings",
                where["Opening cumulative deficit"],
                f"{opening:g} is beyond {MONEY_LIMIT_TEXT}, more than any council's DSG: "
                "check the figure (pounds, not pence)",
            )
    basis = AFTER_DEDUCTIONS
    if HNB_BASIS in cells and not is_blank(value[HNB_BASIS]):
        written = text_of(value[HNB_BASIS]).casefold()
        basis = next((b for b in HNB_BASES if b == " ".join(written.split())), "")
        if not basis:
            found.add(
                "Settings",
                where[HNB_BASIS],
                f"{show(text_of(value[HNB_BASIS]))} is not a basis: "
                f"'{AFTER_DEDUCTIONS}' (the default) or '{BEFORE_DEDUCTIONS}'",
            )
    write_off = _write_off_settings(cells, found)
    if len(found) > before or any(name not in cells for name in SETTINGS):
        return None
    assert period is not None and end is not None and opening is not None
    return Settings(
        **write_off,
        la_name=la_name,
        la_code=la_code,
        period=period,
        current_year=period[:7],
        period_end=end,
        prepared_by=text_of(value["Prepared by"]),
        opening_deficit=float(opening),
        dfe_data_folder=text_of(value.get("DfE data folder")) or None,
        hnb_basis=basis,
    )


#: Settings rows of the deficit write-off (METHOD.md, DEFICIT_WRITE_OFF) and the reserves
#: it is set against; each optional (a model built before them reads as the defaults).
WRITE_OFF_YEAR = "Write-off year"
WRITE_OFF_SHARE = "Write-off share"
OVERRIDE_END = "Override end"
USABLE_RESERVES = "Usable reserves"


def _given(cells: dict[str, tuple[str, Any]], name: str) -> bool:
    """The Settings row ``name`` is present with a value (not blank, not an Excel error)."""
    return name in cells and not is_blank(cells[name][1])


def _write_off_settings(cells: dict[str, tuple[str, Any]], found: Problems) -> dict[str, Any]:
    """The write-off Settings, each checked on its own; a row absent or blank is its default.

    Defaults (:class:`models.model.Settings`): no write-off, share 0.9, override
    end ``2027-28``, usable reserves not given. Whether the years are Funding
    years is checked with the Funding table (:func:`_write_off_years`).

    >>> found = Problems()
    >>> cells = {"Write-off year": ("row 8", "2026/27"), "Write-off share": ("row 9", 1.5)}
    >>> _write_off_settings(cells, found)["write_off_year"], found.items[0].what
    ('2026-27', '1.5 is above 1')
    """
    out: dict[str, Any] = {}
    for name, field_name in ((WRITE_OFF_YEAR, "write_off_year"), (OVERRIDE_END, "override_end")):
        if _given(cells, name):
            where, raw = cells[name]
            year, err = parse_year(text_of(raw))
            if err is not None or year is None:
                found.add(
                    "Settings", where, f"{err or 'is blank'}: give a financial year (2026-27)"
                )
            else:
                out[field_name] = year
    if _given(cells, WRITE_OFF_SHARE):
        where, raw = cells[WRITE_OFF_SHARE]
        share = found.run_as(
            lambda: read_scalar(raw, "Settings", minimum=0, maximum=1), where=where
        )
        if share is not None:
            out["write_off_share"] = float(share)
    if _given(cells, USABLE_RESERVES):
        where, raw = cells[USABLE_RESERVES]
        reserves = found.run_as(lambda: read_scalar(raw, "Settings", minimum=0), where=where)
        if reserves is not None and reserves > MONEY_LIMIT:
            found.add(
                "Settings",
                where,
                f"{reserves:g} is beyond {MONEY_LIMIT_TEXT}, more than any council holds: "
                "check the figure (pounds, not pence)",
            )
        elif reserves is not None:
            out["usable_reserves"] = float(reserves)
    return out


def _write_off_years(
    cells: dict[str, tuple[str, Any]], years: Sequence[str], found: Problems
) -> None:
    """A write-off year given, the year before it and an override end given are Funding years.

    A year that is not a financial year is named already (:func:`_write_off_settings`).
    """
    span = f"({years[0]} to {years[-1]})"

    def year_of(name: str) -> str | None:
        return parse_year(text_of(cells[name][1]))[0] if _given(cells, name) else None

    wy, end = year_of(WRITE_OFF_YEAR), year_of(OVERRIDE_END)
    if wy is not None:
        where = cells[WRITE_OFF_YEAR][0]
        previous = year_label(year_start(wy) - 1)
        if wy not in years:
            found.add("Settings", where, f"{wy} is not one of the Funding years {span}")
        elif previous not in years:
            found.add(
                "Settings",
                where,
                f"needs {previous}, the year before {wy}, among the Funding years {span}: the "
                f"deficit at 31 March {year_start(wy)} is what is written off",
            )
    if end is not None and end not in years:
        found.add(
            "Settings", cells[OVERRIDE_END][0], f"{end} is not one of the Funding years {span}"
        )


# --- the parts ----------------------------------------------------------------------------


def _funding(frame: Table, found: Problems) -> Funding | None:
    before = len(found)
    years = found.run_as(lambda: _years(list(frame["Year"])), rename={"years": "Funding"})
    for i, rate in enumerate(frame["Transfer rate"]):
        if rate > 1:
            found.add(
                "Funding",
                f"row {i + 1} {frame['Year'][i]!r}, column 'Transfer rate'",
                f"{rate:g} is above 1 (a rate is a decimal: 0.01 is 1%)",
            )
    decisions: list[str] = []
    for i, text in enumerate(frame.get("Forum decision") or [""] * len(frame["Year"])):
        decision = forum_decision(text)
        where = f"row {i + 1} {frame['Year'][i]!r}, column 'Forum decision'"
        if decision is None:
            found.add(
                "Funding",
                where,
                f"{show(text)} is not a forum decision: Approved, Refused or blank",
            )
        elif decision and not frame["Transfer rate"][i] > 0:
            found.add(
                "Funding",
                where,
                f"{show(decision)} is a forum decision on a year with no transfer (Transfer rate 0): "
                "leave it blank",
            )
        decisions.append(decision or "")
    if len(found) > before or years is None:
        return None

    def column(name: str) -> Keyed:
        return year_series(frame[name], years, name)

    return Funding(
        years=tuple(years),
        income=column("High Needs Block income"),
        schools_block=column("Schools block"),
        transfer_rate=column("Transfer rate"),
        other_high_needs_spend=column("Other high needs spend"),
        other_blocks_deficit=column("Other blocks in-year deficit"),
        council_contribution=column("Council contribution"),
        other_contributions=column("Other contributions"),
        forum_decision=tuple(decisions),
    )


def _years(labels: list[str]) -> list[str]:
    """Funding years: consecutive and ascending, problems placed at the row and column."""
    problems: list[Problem] = []
    for i in range(1, len(labels)):
        if year_start(labels[i]) != year_start(labels[i - 1]) + 1:
            problems.append(
                Problem(
                    "Funding",
                    f"row {i + 1}, column 'Year'",
                    f"years must be consecutive and ascending: {labels[i]} follows {labels[i - 1]}",
                )
            )
    if not labels:
        problems.append(Problem("Funding", "column 'Year'", "has no years"))
    if problems:
        raise InputError(problems)
    return labels


def _placements(frame: Table, moves: Table, found: Problems) -> Placements | None:
    if _length(frame) == 0:
        found.add(
            "Placements",
            "row 1, column 'Placement'",
            "the table has no rows: fill in one row per placement type (Placement, Count, "
            "Cost per place, Growth, Inflation); the projected High Needs spend starts from them",
        )
        return None
    names = tuple(frame["Placement"])
    part = Placements(
        names=names,
        count=keyed(frame["Count"], names, "Count"),
        cost_per_place=keyed(frame["Cost per place"], names, "Cost per place"),
        growth=keyed(frame["Growth"], names, "Growth"),
        inflation=keyed(frame["Inflation"], names, "Inflation"),
        moves=(
            Moves(moves["Placement"], moves["Year"], moves["Change"]) if _length(moves) else None
        ),
    )
    return part


def _agreement(frame: Table, funding_years: Sequence[str], found: Problems) -> Agreement | None:
    before = len(found)
    first: dict[str, int] = {}
    for i, y in enumerate(frame["Year"]):
        if y in first:
            found.add(
                "Agreement",
                f"row {i + 1} {y!r}, column 'Year'",
                f"appears twice (also row {first[y] + 1})",
            )
        else:
            first[y] = i
    listed = [k for k, y in enumerate(funding_years) if y in first]
    if listed:
        missing = [
            funding_years[k]
            for k in range(listed[0], listed[-1] + 1)
            if funding_years[k] not in first
        ]
        if missing:
            found.add(
                "Agreement",
                "column 'Year'",
                f"has no row for {', '.join(missing)}: the agreed profile must cover "
                "consecutive years",
            )
    if len(found) > before:
        return None
    ordered = sorted(first, key=year_start)
    rows = [first[y] for y in ordered]

    def column(name: str) -> Keyed:
        return year_series(np.asarray(frame[name], dtype=float)[rows], ordered, name)

    return Agreement(
        years=tuple(ordered),
        dfe_payment_due=column("DfE payment due"),
        dfe_payment_received=column("DfE payment received"),
        council_contribution=column("Council contribution"),
        agreed_deficit=column("Agreed cumulative deficit"),
        dfe_payment_expected=(
            column("DfE payment expected") if "DfE payment expected" in frame else None
        ),
    )


def _high_needs(frame: Table, found: Problems) -> HighNeedsLines | None:
    before = len(found)
    rows = _labels(frame, "Line", S251_CODES, "HighNeedsLines", found, key=s251_code)
    if len(found) > before:
        return None
    order = [rows[code] for code in S251_CODES]
    return HighNeedsLines(
        budget=keyed(np.asarray(frame["Budget"])[order], S251_CODES, "Budget"),
        forecast=keyed(
            np.asarray(frame["Forecast outturn"])[order], S251_CODES, "Forecast outturn"
        ),
    )


#: The Sources table's statuses: what a figure is (RETURN.md, Notes lists every one not Actual).
STATUSES: tuple[str, ...] = ("Actual", "Estimate", "Assumption", "Plan")
SOURCE_COLUMNS_READ: tuple[Column, ...] = (
    Column("Item", "text"),
    Column("Figure", "text"),
    Column("Source", "text"),
    Column("Status", "text"),
    Column("Sheet", "text", required=False),
)


def _sources(inputs: ModelInputs, found: Problems) -> tuple[Source, ...]:
    """The Sources table, when the model has one: every row with an item needs a Status.

    >>> from models.errors import Problems
    >>> rows = [["Item", "Figure", "Source", "Status"], ["Income", "1", "ESFA", "estimate"]]
    >>> _sources(ModelInputs({"Sources": rows}), Problems())[0].status
    'Estimate'
    """
    if "Sources" not in inputs.tables:
        return ()
    if _excel_errors(rows_of(inputs.tables["Sources"]), "Sources", SOURCE_COLUMNS_READ, found):
        return ()
    table = found.run_as(
        lambda: read_columns(inputs.tables["Sources"], "Sources", list(SOURCE_COLUMNS_READ)),
        rename={},
    )
    if table is None:
        return ()
    out = []
    sheets = table.get("Sheet") or [""] * len(table["Item"])
    for i, (item, figure, source, status, sheet) in enumerate(
        zip(table["Item"], table["Figure"], table["Source"], table["Status"], sheets, strict=True)
    ):
        if not item:
            continue
        known = next((s for s in STATUSES if s.casefold() == status.casefold()), None)
        if known is None:
            found.add(
                "Sources",
                f"row {i + 1} {show(item)}, column 'Status'",
                f"{show(status) if status else 'blank'} is not a status: "
                f"{', '.join(STATUSES[:-1])} or {STATUSES[-1]}",
            )
            continue
        out.append(Source(item, figure, source, known, sheet or ""))
    return tuple(out)


#: Settings ``High Needs Block basis``: the High Needs Block income is ESFA's allocation
#: after deductions (the place funding it pays academies and FE colleges directly taken off:
#: the default) or before them; Section 251 line 1.0.2 must be on the same basis.
HNB_BASIS = "High Needs Block basis"
AFTER_DEDUCTIONS = "after deductions"
BEFORE_DEDUCTIONS = "before deductions"
HNB_BASES: tuple[str, ...] = (AFTER_DEDUCTIONS, BEFORE_DEDUCTIONS)

#: DfE's symbols for a figure it does not publish (its statistics' conventions): ``x``
#: suppressed or not available, ``c`` confidential, ``z`` not applicable. EHCPHistory
#: accepts each, any case, as a suppressed figure: never 0.
SUPPRESSED: tuple[str, ...] = ("x", "c", "z")
#: What the person reads when an EHCPHistory cell is blank: DfE's download leaves it so.
_BLANK_HISTORY = " (a figure DfE suppressed: type x, as DfE's files show it; never 0)"


def is_suppressed(value: Any) -> bool:
    """A cell holding DfE's symbol for a suppressed figure (``x``, ``c`` or ``z``).

    >>> is_suppressed(" X "), is_suppressed("c"), is_suppressed(0), is_suppressed("n/a")
    (True, True, False, False)
    """
    return isinstance(value, str) and value.strip().casefold() in SUPPRESSED


def _without_suppressed(inputs: ModelInputs) -> tuple[ModelInputs, set[tuple[int, str]]]:
    """EHCPHistory with each suppressed census cell read as 0, and where they were.

    The positions are ``(data row, census header)``; :func:`_ehcp` puts NaN
    back there, so a suppressed figure is never counted as 0.
    """
    raw = inputs.tables.get("EHCPHistory")
    rows = rows_of(raw) if raw is not None else []
    if not rows:
        return inputs, set()
    header = rows[0]
    census = {
        i: str(h).strip()
        for i, h in enumerate(header)
        if not is_blank(h) and str(h).strip().casefold() != "category"
    }
    where: set[tuple[int, str]] = set()
    body = []
    for r, row in enumerate(rows[1:]):
        new = list(row)
        for i, name in census.items():
            if i < len(new) and is_suppressed(new[i]):
                new[i] = 0.0
                where.add((r, name))
        body.append(new)
    if not where:
        return inputs, where
    tables = {**inputs.tables, "EHCPHistory": [list(header), *body]}
    return ModelInputs(tables, inputs.source), where


def _history_columns(inputs: ModelInputs, found: Problems) -> list[Column]:
    head = rows_of(inputs.tables["EHCPHistory"])
    census = [
        h
        for h in (head[0] if head else [])
        if not is_blank(h) and str(h).strip().casefold() != "category"
    ]
    if head and not census:
        found.add(
            "EHCPHistory",
            "",
            "has no census columns: add one column per January census (e.g. 2019) after 'Category'",
        )
    return [Column("Category", "name", unique=True)] + [
        Column(str(h).strip(), minimum=0) for h in census
    ]


def _ehcp(
    history: Table,
    period: Table,
    by_age: Table,
    found: Problems,
    suppressed: set[tuple[int, str]] | None = None,
) -> EHCPNumbers | None:
    before = len(found)
    hist_rows = _labels(history, "Category", PLACEMENT_CATEGORIES, "EHCPHistory", found)
    period_rows = _labels(period, "Category", PLACEMENT_CATEGORIES, "EHCPPeriod", found)
    age_rows = _labels(by_age, "Age group", AGE_GROUPS, "EHCPByAge", found)
    if len(found) > before:
        return None
    census = [c for c in history if c != "Category"]
    history_rows = [hist_rows[c] for c in PLACEMENT_CATEGORIES]
    columns = {c: np.array(history[c], dtype=float) for c in census}
    for r, c in suppressed or ():  # DfE's x, c or z: not a number, never 0
        columns[c][r] = np.nan
    values = np.array([columns[c][history_rows] for c in census])
    table = Grid(
        PLACEMENT_CATEGORIES,
        tuple(census_label(h) for h in census),
        values.T if len(census) else np.zeros((len(PLACEMENT_CATEGORIES), 0)),
    )
    order = [period_rows[c] for c in PLACEMENT_CATEGORIES]
    return EHCPNumbers(
        history=table,
        actual=keyed(np.asarray(period["Actual"])[order], PLACEMENT_CATEGORIES, "Actual"),
        plan=keyed(np.asarray(period["Plan"])[order], PLACEMENT_CATEGORIES, "Plan"),
        by_age=keyed(
            np.asarray(by_age["Actual"])[[age_rows[a] for a in AGE_GROUPS]],
            AGE_GROUPS,
            "Actual",
        ),
    )


#: The Mitigations table's columns as the Excel-error check reads them.
MITIGATION_COLUMNS_READ: tuple[Column, ...] = (
    Column(MITIGATION_COLUMNS[0], "name"),
    *(Column(c) for c in MITIGATION_COLUMNS[1:]),
)


def _mitigations(inputs: ModelInputs, found: Problems) -> Mitigations | None:
    """The Mitigations table, every cell checked; empty when the model has none.

    A cell holding an Excel error is named as such; money beyond
    :data:`MONEY_LIMIT` and a RAG other than Green, Amber or Red (any case)
    are named by row and column. Whether each Year is a Funding year is
    checked with the Funding table (:func:`_mitigation_years`).

    >>> rows = [["Workstream", "Year", "Planned saving", "Delivered saving", "Confidence", "RAG"],
    ...         ["ERB places", "2025-26", 5e5, 0, 0.7, "amber"]]
    >>> _mitigations(ModelInputs({"Mitigations": rows}), Problems()).rag
    ('Amber',)
    """
    raw = inputs.tables.get("Mitigations")
    if raw is None:
        return Mitigations.empty()
    rows = rows_of(raw)
    errors = _excel_errors(rows, "Mitigations", MITIGATION_COLUMNS_READ, found)
    if errors:  # named already: read the other cells, an error cell as blank
        rows = [list(rows[0])] + [[None if excel_error(v) else v for v in row] for row in rows[1:]]
    own = Problems()
    table = own.run(
        Mitigations.from_rows,
        rows,
        MONEY_LIMIT,
        f"beyond {MONEY_LIMIT_TEXT}, more than any council's DSG: check the figure (pounds, not pence)",
    )
    found.items.extend(p for p in own.items if cell_of(p.where) not in errors)
    if table is None or errors:
        return None
    before = len(found)
    rags = []
    for i, (w, rag) in enumerate(zip(table.workstream, table.rag, strict=True)):
        match = next((r for r in RAG_VALUES if r.casefold() == rag.casefold()), None)
        if match is None:
            found.add(
                "Mitigations",
                f"row {i + 1} {show(w)}, column 'RAG'",
                f"{show(rag) if rag else 'blank'} is not one of Green, Amber, Red",
            )
        rags.append(match or "")
    if len(found) > before:
        return None
    return Mitigations(
        table.workstream, table.year, table.planned, table.delivered, table.confidence, tuple(rags)
    )


def _mitigation_years(mitigations: Mitigations, years: Sequence[str], found: Problems) -> None:
    """Each mitigation's Year is a Funding year; a row outside them is named."""
    found.run(mitigations.year_index, tuple(years))


def _conditions(frame: Table, found: Problems) -> tuple[Condition, ...] | None:
    before = len(found)
    out = []
    for i, (name, rag, text) in enumerate(
        zip(frame["Condition"], frame["RAG"], frame["Commentary"], strict=True), start=1
    ):
        match = [r for r in RAG_VALUES if r.casefold() == rag.casefold()]
        if not match:
            found.add(
                "Conditions",
                f"row {i} {show(name)}, column 'RAG'",
                f"{show(rag) if rag else 'blank'} is not one of Green, Amber, Red",
            )
            continue
        out.append(Condition(name, match[0], text))
    return tuple(out) if len(found) == before else None


# --- the model ----------------------------------------------------------------------------


def parse_model(inputs: ModelInputs) -> DSGModel:
    """The model workbook's tables, checked, as the typed model.

    Parameters
    ----------
    inputs : ModelInputs
        The tables as read (header row as columns, cells as Excel holds them).

    Returns
    -------
    DSGModel
        Settings, Funding, Placements (with Moves), Agreement, HighNeedsLines,
        EHCP numbers, Conditions and Mitigations, typed.

    Raises
    ------
    InputError
        Naming every problem at once: table, row and column, and what is
        wrong (the module docstring lists the rules).

    Examples
    --------
    >>> from models.samples import sample_inputs
    >>> parse_model(sample_inputs()).settings.period_end
    datetime.date(2024, 9, 30)
    """
    inputs = resolve_forecast_growth(inputs)  # Placements Growth 'forecast': its P50 growth
    inputs, suppressed = _without_suppressed(inputs)
    found = Problems()
    # every table's cells, so the person sees every problem at once
    cells = _settings_cells(inputs, found)
    funding_table = read_model_table(inputs, "Funding", FUNDING_COLUMNS, found)
    placement_table = read_model_table(inputs, "Placements", PLACEMENT_COLUMNS, found)
    move_table = read_model_table(inputs, "Moves", MOVE_COLUMNS, found)
    agreement_table = read_model_table(inputs, "Agreement", AGREEMENT_COLUMNS, found)
    line_table = read_model_table(inputs, "HighNeedsLines", LINE_COLUMNS, found)
    history_table = read_model_table(
        inputs,
        "EHCPHistory",
        _history_columns(inputs, found) if "EHCPHistory" in inputs.tables else [],
        found,
    )
    found.items = [  # a blank census cell is most often a figure DfE suppressed
        Problem(p.argument, p.where, p.what + _BLANK_HISTORY)
        if p.argument == "EHCPHistory" and "blank" in p.what and "row" in p.where
        else p
        for p in found.items
    ]
    period_table = read_model_table(inputs, "EHCPPeriod", PERIOD_COLUMNS, found)
    age_table = read_model_table(inputs, "EHCPByAge", AGE_COLUMNS, found)
    condition_table = read_model_table(inputs, "Conditions", CONDITION_COLUMNS, found)
    mitigations = _mitigations(inputs, found)
    table_problems = len(found)
    settings = _settings(cells, found) if cells is not None else None
    if table_problems:  # the tables cannot be read further; bad Settings values alone can
        found.raise_if_any()
    assert funding_table is not None and placement_table is not None and move_table is not None
    assert agreement_table is not None and line_table is not None and history_table is not None
    assert period_table is not None and age_table is not None and condition_table is not None

    # the rows and values the return counts, checked across tables
    funding = _funding(funding_table, found)
    period = (
        normalise_period(cells["Return period"][1])[0]
        if cells and "Return period" in cells
        else None
    )
    if period is not None and funding is not None and period[:7] not in funding.years:
        found.add(
            "Settings",
            cells["Return period"][0] if cells else "",
            f"the period's year {period[:7]} is not one of the Funding years "
            f"({funding.years[0]} to {funding.years[-1]})",
        )
    if funding is not None and cells is not None:
        _write_off_years(cells, funding.years, found)
    if mitigations is not None and funding is not None:
        _mitigation_years(mitigations, funding.years, found)
    agreement = _agreement(agreement_table, funding.years if funding else (), found)
    high_needs = _high_needs(line_table, found)
    ehcp = _ehcp(history_table, period_table, age_table, found, suppressed)
    conditions = _conditions(condition_table, found)
    placements = _placements(placement_table, move_table, found)
    sources = _sources(inputs, found)
    found.raise_if_any()
    assert settings is not None and funding is not None and placements is not None
    assert agreement is not None and high_needs is not None and ehcp is not None
    assert conditions is not None and mitigations is not None
    model = DSGModel(
        settings=settings,
        funding=funding,
        placements=placements,
        agreement=agreement,
        high_needs=high_needs,
        ehcp=ehcp,
        conditions=conditions,
        sources=sources,
        mitigations=mitigations,
    )
    # the moves name placements and years of the projection, and no count goes negative
    found.run_as(lambda: projected_spend(model), rename=PROJECTION_ARGUMENTS)
    found.raise_if_any()
    return model
