"""The DfE monitoring return's figures, computed from the council's model inputs.

One function, :func:`monitoring_return`, turns the model workbook's input
tables (:class:`~models.inputs.ModelInputs`) into every figure the return
shows, keyed by the return's own labels (``../shared/spec/RETURN.md``). It
validates every table first (:func:`models.validation.read_table`), so a bad
cell in the model workbook is refused with a message naming the table, the
row and the column, and nothing is computed from it.

Rules (the model workbook states the same rules to its readers)
----------------------------------------------------------------
- Years are ``Funding[Year]`` (consecutive, ascending). The current year is
  the financial year of Settings ``Return period`` (``2024-25 Q2`` ->
  ``2024-25``); it must be one of the Funding years.
- The placement projection runs from the Placements table (Count, Cost per
  place, each placement's Growth and Inflation) over the Funding years with
  Moves; the base year is the first Funding year (METHOD.md,
  PLACEMENT_PROJECTION).
- High Needs expenditure of the current year is the sum of HighNeedsLines
  ``Forecast outturn``; every other year it is the projection's spend plus
  Funding ``Other high needs spend`` (Funding's ``Other high needs spend``
  of the current year is therefore not used).
- Block transfers in = Schools block x Transfer rate (BLOCK_TRANSFER_IMPACT);
  Block movements lists one row per year with a non-zero transfer, from
  ``Schools block`` to ``High needs block``.
- DfE Safety Valve contribution = Agreement ``DfE payment received`` for years
  up to and including the current year, ``DfE payment due`` for later years
  (the plan); 0 for a year the Agreement does not list. Council and other
  contributions come from Funding. The contributions applied to the
  cumulative deficit are the three added up.
- The trajectory is DSG_TRAJECTORY with the opening deficit = Settings
  ``Opening cumulative deficit`` (brought forward into the first Funding year).
  The Financial summary shows surplus/(deficit) = minus the deficit; the
  agreement profile row = minus Agreement ``Agreed cumulative deficit``.
- Variance to agreement and RAG come from VARIANCE_TO_PLAN(forecast
  cumulative deficit, agreed cumulative deficit), for the Funding years the
  Agreement lists. The Financial summary shows the variance in its
  surplus/(deficit) sign (agreed deficit - forecast deficit: negative when the
  deficit is worse than agreed); the Safety Valve sheet, whose columns are
  deficits, shows Forecast - Agreed (positive when worse than agreed).
- High needs expenditure sheet: Budget and Forecast outturn per Section 251
  line, Variance = Forecast outturn - Budget, Variance % = Variance / |Budget|
  (blank when the Budget is 0), then the Total row.
- EHCP numbers: history columns from EHCPHistory (one per January census
  column), ``<period> actual`` and ``<period> plan`` from EHCPPeriod,
  Variance = actual - plan; age groups (actual only) from EHCPByAge; totals.

Money stays in unrounded float pounds here; the writer rounds once, half-up,
to the penny.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.errors import InputError, Problem
from models.inputs import SETTINGS, TABLE_COLUMNS, TABLE_NAMES, ModelInputs
from models.projection import placement_projection
from models.trajectory import dsg_trajectory
from models.transfers import block_transfer_impact
from models.validation import Column, is_blank, read_scalar, read_table, read_years, rows_of
from models.variance import variance_to_plan
from models.years import financial_year_of_period, year_start

# --- The return's labels (RETURN.md), spelt once ------------------------------------------

#: Cover rows, in return order; the refresh fills the first six.
COVER_ROWS: tuple[str, ...] = (
    "Local authority",
    "LA code",
    "Return period",
    "Period end date",
    "Prepared by",
    "Date prepared",
    "Section 151 officer",
    "Date signed off",
)
COVER_FILLED: tuple[str, ...] = COVER_ROWS[:6]

INCOME = "High Needs Block income"
TRANSFERS_IN = "Block transfers in"
EXPENDITURE = "High Needs expenditure"
OTHER_BLOCKS = "Other blocks in-year deficit"
IN_YEAR = "In-year surplus/(deficit)"
DFE_CONTRIBUTION = "DfE Safety Valve contribution"
COUNCIL_CONTRIBUTION = "Council contribution"
OTHER_CONTRIBUTIONS = "Other contributions"
CUMULATIVE = "Cumulative surplus/(deficit) carried forward"
AGREEMENT_PROFILE = "Agreement profile: cumulative surplus/(deficit)"
VARIANCE_TO_AGREEMENT = "Variance to agreement"
RAG = "RAG"

#: Financial summary rows, in return order.
FINANCIAL_SUMMARY_ROWS: tuple[str, ...] = (
    INCOME,
    TRANSFERS_IN,
    EXPENDITURE,
    OTHER_BLOCKS,
    IN_YEAR,
    DFE_CONTRIBUTION,
    COUNCIL_CONTRIBUTION,
    OTHER_CONTRIBUTIONS,
    CUMULATIVE,
    AGREEMENT_PROFILE,
    VARIANCE_TO_AGREEMENT,
    RAG,
)

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
S251_LABELS: tuple[str, ...] = tuple(f"{code} {text}" for code, text in S251_LINES)
TOTAL_HIGH_NEEDS = "Total high needs expenditure"
HIGH_NEEDS_COLUMNS: tuple[str, ...] = (
    "Line",
    "Budget",
    "Forecast outturn",
    "Variance",
    "Variance %",
)

EHCP_LABEL = "Category"
VARIANCE = "Variance"
EHCP_ROWS: tuple[str, ...] = (*PLACEMENT_CATEGORIES, TOTAL, *AGE_GROUPS, TOTAL_BY_AGE)

BLOCK_MOVEMENT_COLUMNS: tuple[str, ...] = (
    "Year",
    "From block",
    "To block",
    "Amount",
    "Share of schools block",
    "Schools forum approval",
    "Secretary of State approval",
)
FROM_BLOCK = "Schools block"
TO_BLOCK = "High needs block"

SAFETY_VALVE_COLUMNS: tuple[str, ...] = (
    "Year",
    "DfE payment due",
    "DfE payment received",
    "Council contribution",
    "Agreed cumulative deficit",
    "Forecast cumulative deficit",
    "Variance",
    "RAG",
)
CONDITION_COLUMNS: tuple[str, ...] = ("Condition", "RAG", "Commentary")
RAG_VALUES: tuple[str, ...] = ("Green", "Amber", "Red")

_CODE = re.compile(r"^\s*(\d+\.\d+\.\d+)(?!\.?\d)")
_CENSUS = re.compile(r"^\s*(\d{4})(?:\.0+)?\s*$")


def period_actual(period: str) -> str:
    """The EHCP column header of the period's count.

    >>> period_actual("2024-25 Q2")
    '2024-25 Q2 actual'
    """
    return f"{period} actual"


def period_plan(period: str) -> str:
    """The EHCP column header of the period's plan.

    >>> period_plan("2024-25 Q2")
    '2024-25 Q2 plan'
    """
    return f"{period} plan"


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


# --- The figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringReturn:
    """Every figure of the return, keyed by the return's labels.

    Money is in unrounded pounds; a blank cell is ``None``. Tables are
    DataFrames whose index holds the row labels (``financial_summary``,
    ``high_needs``, ``ehcp``) or whose rows are written in order
    (``block_movements``, ``safety_valve``, ``conditions``).
    """

    period: str
    current_year: str
    years: list[str]
    opening_deficit: float
    cover: dict[str, Any]
    financial_summary: pd.DataFrame
    high_needs: pd.DataFrame
    ehcp: pd.DataFrame
    ehcp_history: list[str]
    block_movements: pd.DataFrame
    safety_valve: pd.DataFrame
    conditions: pd.DataFrame
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ehcp_columns(self) -> list[str]:
        """EHCP numbers columns after ``Category``, in return order."""
        return [*self.ehcp_history, period_actual(self.period), period_plan(self.period), VARIANCE]


class _Collector:
    """Runs validation steps and keeps every problem, so all are reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def run(self, step: Callable[[], Any], rename: dict[str, str] | None = None) -> Any:
        try:
            return step()
        except InputError as e:
            for p in e.problems:
                argument = (rename or {}).get(p.argument, p.argument)
                self.problems.append(Problem(argument, p.where, p.what))
            return None

    def add(self, table: str, where: str, what: str) -> None:
        self.problems.append(Problem(table, where, what))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def _show(value: Any) -> str:
    return repr(str(value).strip())


_BLANK_CELL = re.compile(r"^row (\d+)(?: '.*')?, column '(.+)'$")


def summarise_blank_columns(problems: list[Problem], rows: int) -> list[Problem]:
    """Problems with every column blank in all ``rows`` data rows said once, not cell by cell.

    A new model's table has its labels but no figures yet; naming each empty
    cell would bury what to do. Columns blank in every row become one
    problem (in the place of the first), naming the rows and the columns.

    >>> cells = [Problem("Funding", f"row {r}, column '{c}'", "is blank") for r in (1, 2) for c in "AB"]
    >>> [str(p) for p in summarise_blank_columns(cells + [Problem("Funding", "row 2, column 'C'", "is blank")], 2)]
    ["Funding rows 1 to 2, columns 'A', 'B': blank in every row: fill them in", "Funding row 2, column 'C': is blank"]
    """
    if rows < 2:
        return problems
    blank: dict[str, set[int]] = {}
    for p in problems:
        m = _BLANK_CELL.match(p.where)
        if m and p.what == "is blank":
            blank.setdefault(m.group(2), set()).add(int(m.group(1)))
    empty = [col for col, found in blank.items() if len(found) == rows]
    if not empty:
        return problems
    out: list[Problem] = []
    for p in problems:
        m = _BLANK_CELL.match(p.where)
        if m and p.what == "is blank" and m.group(2) in empty:
            if not any(q.where.startswith(f"rows 1 to {rows}, ") for q in out):
                named = ", ".join(f"'{col}'" for col in empty)
                out.append(
                    Problem(
                        p.argument,
                        f"rows 1 to {rows}, column{'s' if len(empty) > 1 else ''} {named}",
                        f"blank in every row: fill {'them' if len(empty) > 1 else 'it'} in",
                    )
                )
            continue
        out.append(p)
    return out


def _table(
    inputs: ModelInputs, name: str, columns: list[Column], c: _Collector
) -> pd.DataFrame | None:
    raw = inputs.tables.get(name)
    if raw is None:
        c.add(
            name,
            "",
            f"the model workbook has no Excel Table named '{name}' "
            f"(columns {' | '.join(TABLE_COLUMNS[name])})",
        )
        return None
    before = len(c.problems)
    frame = c.run(lambda: read_table(raw, name, columns))
    body = rows_of(raw)[1:]
    while body and all(is_blank(v) for v in body[-1]):
        body.pop()
    c.problems[before:] = summarise_blank_columns(c.problems[before:], len(body))
    return frame


def _settings(inputs: ModelInputs, c: _Collector) -> dict[str, Any] | None:
    """Settings as {setting: (row number, raw value)}, after checking the table's shape."""
    raw = inputs.tables.get("Settings")
    frame = _table(
        inputs, "Settings", [Column("Setting", "name", unique=True), Column("Value", "text")], c
    )
    if frame is None:
        return None
    rows = rows_of(raw)
    header = ["" if is_blank(h) else str(h).strip().casefold() for h in rows[0]]
    iv = header.index("value")
    found: dict[str, tuple[int, Any]] = {}
    for r, name in enumerate(frame["Setting"], start=1):
        row = rows[r]
        found[str(name).casefold()] = (r, row[iv] if iv < len(row) else None)
    out: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.casefold() not in found:
            c.add("Settings", "", f"no row '{setting}' in column 'Setting'")
            continue
        r, value = found[setting.casefold()]
        out[setting] = (f"row {r} '{setting}', column 'Value'", value)
    return out


def _text(value: Any) -> str:
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


def _matched(
    frame: pd.DataFrame,
    column: str,
    wanted: tuple[str, ...],
    table: str,
    c: _Collector,
    key: Callable[[str], str | None] = lambda s: s.casefold(),
    shown: tuple[str, ...] | None = None,
) -> dict[str, int]:
    """Map each wanted label to its row position; unknown and missing labels are problems."""
    keys = {key(w): w for w in wanted}
    index: dict[str, int] = {}
    for pos, name in enumerate(frame[column]):
        k = key(str(name))
        if k not in keys:
            choices = "; ".join(shown or wanted)
            c.add(
                table,
                f"row {pos + 1} {_show(name)}, column '{column}'",
                f"is not one of the return's rows ({choices})",
            )
        elif keys[k] in index:
            c.add(
                table,
                f"row {pos + 1} {_show(name)}, column '{column}'",
                f"appears twice (also row {index[keys[k]] + 1})",
            )
        else:
            index[keys[k]] = pos
    for w in wanted:
        if w not in index:
            c.add(table, f"column '{column}'", f"has no row {w!r}: add it (0 if there is none)")
    return index


def _settings_values(
    cover: dict[str, Any], where: dict[str, str], raw: dict[str, Any], c: _Collector
) -> tuple[str | None, float | None]:
    """Fill the cover's values from Settings; the period's financial year and the opening deficit."""
    for name in ("Local authority", "LA code", "Return period"):
        cover[name] = _text(raw[name])
        if not cover[name]:
            c.add("Settings", where[name], "is blank")
    period = cover["Return period"]
    current = None
    if period:
        current = c.run(lambda: financial_year_of_period(period))
        if current is None:
            c.problems[-1] = Problem("Settings", where["Return period"], c.problems[-1].what)
    end = read_date(raw["Period end date"])
    if end is None:
        c.add(
            "Settings",
            where["Period end date"],
            f"{_show(raw['Period end date']) if not is_blank(raw['Period end date']) else 'blank'}"
            " is not a date (e.g. 30/09/2024)",
        )
    cover["Period end date"] = end
    cover["Prepared by"] = _text(raw["Prepared by"])
    opening = c.run(lambda: read_scalar(raw["Opening cumulative deficit"], "Settings"))
    if opening is None:
        c.problems[-1] = Problem(
            "Settings", where["Opening cumulative deficit"], c.problems[-1].what
        )
    return current, opening


def monitoring_return(inputs: ModelInputs, today: dt.date | None = None) -> MonitoringReturn:
    """Every figure of the DfE monitoring return, from the model's input tables.

    Parameters
    ----------
    inputs : ModelInputs
        The model workbook's tables, raw (header row as columns).
    today : datetime.date, optional
        ``Date prepared`` on the cover; default today.

    Returns
    -------
    MonitoringReturn
        Figures keyed by RETURN.md labels; money in unrounded pounds.

    Raises
    ------
    InputError
        Naming every bad table, row and column at once.

    Notes
    -----
    See the module docstring for the rules; in short::

        expenditure[t]    = sum(HighNeedsLines Forecast outturn)       t = current year
                          = projection spend[t] + Other high needs spend[t]   otherwise
        transfers[t]      = Schools block[t] x Transfer rate[t]
        contributions[t]  = DfE[t] + Council[t] + Other[t]
        in-year surplus   = -(expenditure - income - transfers + other blocks)
        cumulative surplus= -(cumulative deficit[t-1] + in-year deficit[t] - contributions[t])

    References
    ----------
    ../shared/spec/RETURN.md; METHOD.md (PLACEMENT_PROJECTION,
    BLOCK_TRANSFER_IMPACT, DSG_TRAJECTORY, VARIANCE_TO_PLAN).
    """
    c = _Collector()
    settings = _settings(inputs, c)
    funding = _table(
        inputs,
        "Funding",
        [
            Column("Year", "year"),
            Column("High Needs Block income", minimum=0),
            Column("Schools block", minimum=0),
            Column("Transfer rate", minimum=0),
            Column("Other high needs spend", minimum=0),
            Column("Other blocks in-year deficit"),
            Column("Council contribution"),
            Column("Other contributions"),
        ],
        c,
    )
    placements = _table(
        inputs,
        "Placements",
        [
            Column("Placement", "name", unique=True),
            Column("Count", minimum=0),
            Column("Cost per place", minimum=0),
            Column("Growth", above=-1),
            Column("Inflation", above=-1),
        ],
        c,
    )
    moves = _table(
        inputs, "Moves", [Column("Placement", "name"), Column("Year", "year"), Column("Change")], c
    )
    agreement = _table(
        inputs,
        "Agreement",
        [
            Column("Year", "year"),
            Column("DfE payment due", minimum=0),
            Column("DfE payment received", minimum=0),
            Column("Council contribution", minimum=0),
            Column("Agreed cumulative deficit"),
        ],
        c,
    )
    lines = _table(
        inputs,
        "HighNeedsLines",
        [Column("Line", "name", unique=True), Column("Budget"), Column("Forecast outturn")],
        c,
    )
    history = None
    if "EHCPHistory" in inputs.tables:
        head = rows_of(inputs.tables["EHCPHistory"])
        census = [
            h
            for h in (head[0] if head else [])
            if not is_blank(h) and str(h).strip().casefold() != "category"
        ]
        if head and not census:
            c.add(
                "EHCPHistory",
                "",
                "has no census columns: add one column per January census "
                "(e.g. 2019) after 'Category'",
            )
        history = _table(
            inputs,
            "EHCPHistory",
            [Column("Category", "name", unique=True)]
            + [Column(str(h).strip(), minimum=0) for h in census],
            c,
        )
    else:
        _table(inputs, "EHCPHistory", [], c)
    period_counts = _table(
        inputs,
        "EHCPPeriod",
        [
            Column("Category", "name", unique=True),
            Column("Actual", minimum=0),
            Column("Plan", minimum=0),
        ],
        c,
    )
    by_age = _table(
        inputs,
        "EHCPByAge",
        [Column("Age group", "name", unique=True), Column("Actual", minimum=0)],
        c,
    )
    conditions = _table(
        inputs,
        "Conditions",
        [
            Column("Condition", "name", unique=True),
            Column("RAG", "text"),
            Column("Commentary", "text"),
        ],
        c,
    )

    # Settings values (checked with the tables, so every problem is reported at once)
    table_problems = len(c.problems)
    cover: dict[str, Any] = {}
    where = {k: v[0] for k, v in (settings or {}).items()}
    raw = {k: v[1] for k, v in (settings or {}).items()}
    current = opening = None
    if settings is not None:
        current, opening = _settings_values(cover, where, raw, c)
    if table_problems:  # the tables cannot be read further; bad Settings values alone can
        c.raise_if_any()
    period = cover["Return period"]
    cover["Date prepared"] = today or dt.date.today()

    years = None
    try:
        years = read_years(list(funding["Year"]), "Funding")
    except InputError as e:
        for p in e.problems:
            c.add(
                "Funding",
                f"{p.where.replace('item', 'row')}, column 'Year'" if p.where else "column 'Year'",
                p.what,
            )
    if years is not None and current is not None and current not in years:
        c.add(
            "Settings",
            where["Return period"],
            f"the period's year {current} is not one of the Funding years ({years[0]} to {years[-1]})",
        )
    rate_bad = funding.index[funding["Transfer rate"] > 1].tolist()
    for i in rate_bad:
        c.add(
            "Funding",
            f"row {i + 1} {funding['Year'][i]!r}, column 'Transfer rate'",
            f"{funding['Transfer rate'][i]:g} is above 1 (a rate is a decimal: 0.01 is 1%)",
        )

    # Agreement years: unique
    agreed_rows: dict[str, int] = {}
    for i, y in enumerate(agreement["Year"]):
        if y in agreed_rows:
            c.add(
                "Agreement",
                f"row {i + 1} {y!r}, column 'Year'",
                f"appears twice (also row {agreed_rows[y] + 1})",
            )
        else:
            agreed_rows[y] = i

    # Labels of the rows the return counts
    line_index = _matched(
        lines,
        "Line",
        tuple(code for code, _ in S251_LINES),
        "HighNeedsLines",
        c,
        key=s251_code,
        shown=tuple(code for code, _ in S251_LINES),
    )
    cat_period = _matched(period_counts, "Category", PLACEMENT_CATEGORIES, "EHCPPeriod", c)
    cat_history = _matched(history, "Category", PLACEMENT_CATEGORIES, "EHCPHistory", c)
    age_index = _matched(by_age, "Age group", AGE_GROUPS, "EHCPByAge", c)
    rags = []
    for i, (name, value) in enumerate(
        zip(conditions["Condition"], conditions["RAG"], strict=True), start=1
    ):
        match = [r for r in RAG_VALUES if r.casefold() == value.casefold()]
        if not match:
            c.add(
                "Conditions",
                f"row {i} {_show(name)}, column 'RAG'",
                f"{_show(value) if value else 'blank'} is not one of Green, Amber, Red",
            )
        rags.append(match[0] if match else None)
    c.raise_if_any()

    # Placement projection over the Funding years
    projection = c.run(
        lambda: placement_projection(
            placements[["Placement", "Count", "Cost per place"]],
            years,
            [[g] for g in placements["Growth"]],
            [[g] for g in placements["Inflation"]],
            moves if len(moves) else None,
            "spend",
        ),
        rename={
            "placements": "Placements",
            "moves": "Moves",
            "growth": "Placements column 'Growth'",
            "inflation": "Placements column 'Inflation'",
        },
    )
    c.raise_if_any()
    projected_spend = projection.iloc[-1][years].to_numpy(float)

    f = {col: funding[col].to_numpy(float) for col in funding.columns if col != "Year"}
    n = len(years)
    k_now = years.index(current)
    line_forecast = lines["Forecast outturn"].to_numpy(float)
    spend = projected_spend + f["Other high needs spend"]
    spend[k_now] = float(line_forecast.sum())

    transfers = block_transfer_impact(years, f["Schools block"], f["Transfer rate"])
    transfer = transfers["Transfer"].to_numpy(float)

    dfe = np.zeros(n)
    agreed = [None] * n
    for k, y in enumerate(years):
        i = agreed_rows.get(y)
        if i is None:
            continue
        column = (
            "DfE payment received" if year_start(y) <= year_start(current) else "DfE payment due"
        )
        dfe[k] = float(agreement[column][i])
        agreed[k] = float(agreement["Agreed cumulative deficit"][i])
    contributions = dfe + f["Council contribution"] + f["Other contributions"]
    trajectory = dsg_trajectory(
        years,
        opening,
        f["High Needs Block income"],
        spend,
        transfer,
        contributions,
        f["Other blocks in-year deficit"],
    )
    cumulative = trajectory["Cumulative deficit"].to_numpy(float)

    # Variance to the agreed profile, for the Funding years the Agreement lists
    var: dict[str, tuple[float, str]] = {}
    planned = [k for k in range(n) if agreed[k] is not None]
    if planned:
        span = list(range(planned[0], planned[-1] + 1))
        if len(span) == len(planned):
            vt = variance_to_plan(
                [years[k] for k in span],
                [[cumulative[k]] for k in span],
                [[agreed[k]] for k in span],
            )
            for row in vt.itertuples(index=False):
                var[row.Year] = (float(row.Variance), row.RAG)
        else:
            missing = [years[k] for k in span if agreed[k] is None]
            raise InputError(
                [
                    Problem(
                        "Agreement",
                        "column 'Year'",
                        f"has no row for {', '.join(missing)}: the agreed profile must cover "
                        "consecutive years",
                    )
                ]
            )

    def neg(x: np.ndarray) -> list[float]:
        return [0.0 - float(v) for v in x]

    fs = {
        INCOME: list(map(float, f["High Needs Block income"])),
        TRANSFERS_IN: list(map(float, transfer)),
        EXPENDITURE: list(map(float, spend)),
        OTHER_BLOCKS: list(map(float, f["Other blocks in-year deficit"])),
        IN_YEAR: neg(trajectory["In-year deficit"].to_numpy(float)),
        DFE_CONTRIBUTION: list(map(float, dfe)),
        COUNCIL_CONTRIBUTION: list(map(float, f["Council contribution"])),
        OTHER_CONTRIBUTIONS: list(map(float, f["Other contributions"])),
        CUMULATIVE: neg(cumulative),
        AGREEMENT_PROFILE: [None if a is None else 0.0 - a for a in agreed],
        VARIANCE_TO_AGREEMENT: [None if y not in var else 0.0 - var[y][0] for y in years],
        RAG: [var[y][1] if y in var else None for y in years],
    }
    financial_summary = pd.DataFrame.from_dict(fs, orient="index", columns=years).astype(object)
    financial_summary = financial_summary.where(financial_summary.notna(), None)

    # High needs expenditure by Section 251 line
    hn_rows = []
    for (code, _), label in zip(S251_LINES, S251_LABELS, strict=True):
        i = line_index[code]
        b, fo = float(lines["Budget"][i]), float(lines["Forecast outturn"][i])
        hn_rows.append((label, b, fo))
    tb = float(sum(b for _, b, _ in hn_rows))
    tf = float(sum(fo for _, _, fo in hn_rows))
    hn_rows.append((TOTAL_HIGH_NEEDS, tb, tf))
    high_needs = pd.DataFrame(
        [[b, fo, fo - b, (fo - b) / abs(b) if b != 0 else None] for _, b, fo in hn_rows],
        index=[r[0] for r in hn_rows],
        columns=list(HIGH_NEEDS_COLUMNS[1:]),
        dtype=object,
    )

    # EHCP numbers
    census_columns = [c_ for c_ in history.columns if c_ != "Category"]
    labels = [census_label(h) for h in census_columns]
    actual, plan = period_actual(period), period_plan(period)
    columns = [*labels, actual, plan, VARIANCE]
    ehcp = pd.DataFrame(None, index=list(EHCP_ROWS), columns=columns, dtype=object)
    for cat in PLACEMENT_CATEGORIES:
        for h, label in zip(census_columns, labels, strict=True):
            ehcp.loc[cat, label] = float(history[h][cat_history[cat]])
        a = float(period_counts["Actual"][cat_period[cat]])
        p = float(period_counts["Plan"][cat_period[cat]])
        ehcp.loc[cat, actual], ehcp.loc[cat, plan], ehcp.loc[cat, VARIANCE] = a, p, a - p
    for col in columns:
        ehcp.loc[TOTAL, col] = float(sum(ehcp.loc[cat, col] for cat in PLACEMENT_CATEGORIES))
    for age in AGE_GROUPS:
        ehcp.loc[age, actual] = float(by_age["Actual"][age_index[age]])
    ehcp.loc[TOTAL_BY_AGE, actual] = float(sum(ehcp.loc[age, actual] for age in AGE_GROUPS))
    ehcp = ehcp.astype(object).where(ehcp.notna(), None)

    # Block movements
    moved = [
        [
            row["Year"],
            FROM_BLOCK,
            TO_BLOCK,
            float(row["Transfer"]),
            float(row["Transfer rate"]),
            row["Schools forum approval"],
            row["Secretary of State approval"],
        ]
        for _, row in transfers.iterrows()
        if row["Transfer"] != 0
    ]
    block_movements = pd.DataFrame(moved, columns=list(BLOCK_MOVEMENT_COLUMNS), dtype=object)

    # Safety Valve: the agreement profile with the forecast beside it
    sv = []
    for y in sorted(agreed_rows, key=year_start):
        i = agreed_rows[y]
        forecast = float(cumulative[years.index(y)]) if y in years else None
        v = var.get(y)
        sv.append(
            [
                y,
                float(agreement["DfE payment due"][i]),
                float(agreement["DfE payment received"][i]),
                float(agreement["Council contribution"][i]),
                float(agreement["Agreed cumulative deficit"][i]),
                forecast,
                v[0] if v else None,
                v[1] if v else None,
            ]
        )
    safety_valve = pd.DataFrame(sv, columns=list(SAFETY_VALVE_COLUMNS), dtype=object)
    condition_table = pd.DataFrame(
        [
            [name, rag, text]
            for name, rag, text in zip(
                conditions["Condition"], rags, conditions["Commentary"], strict=True
            )
        ],
        columns=list(CONDITION_COLUMNS),
        dtype=object,
    )

    return MonitoringReturn(
        period=period,
        current_year=current,
        years=years,
        opening_deficit=float(opening),
        cover=cover,
        financial_summary=financial_summary,
        high_needs=high_needs,
        ehcp=ehcp,
        ehcp_history=labels,
        block_movements=block_movements,
        safety_valve=safety_valve,
        conditions=condition_table,
    )


# --- The inputs' fingerprint --------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def canonical_inputs(inputs: ModelInputs) -> str:
    """The model's tables as canonical JSON: the text the inputs' SHA-256 is taken of.

    Tables in TABLE_NAMES order (then any others, by name); each as its
    header and rows, trailing blank rows dropped; numbers as Python float
    reprs (Excel holds every number as a double, whichever reader produced
    it), dates as ISO dates, blanks as null. So a workbook read from its
    file and the same book read through xlwings hash alike.

    >>> canonical_inputs(ModelInputs({"Moves": pd.DataFrame({"Year": ["2025-26"], "Change": [30]})}))
    '{"Moves":{"columns":["Year","Change"],"rows":[["2025-26","30.0"]]}}'
    """
    names = [n for n in TABLE_NAMES if n in inputs.tables]
    names += sorted(n for n in inputs.tables if n not in TABLE_NAMES)
    out: dict[str, Any] = {}
    for name in names:
        rows = rows_of(inputs.tables[name])
        head = [_canonical(h) for h in rows[0]] if rows else []
        body = [[_canonical(v) for v in r] for r in rows[1:]]
        while body and all(v is None for v in body[-1]):
            body.pop()
        out[name] = {"columns": [None if h is None else str(h).strip() for h in head], "rows": body}
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def inputs_sha256(inputs: ModelInputs) -> str:
    """SHA-256 (hex) of :func:`canonical_inputs`: the audit block's fingerprint of the inputs."""
    return hashlib.sha256(canonical_inputs(inputs).encode("utf-8")).hexdigest()
