"""The DfE monitoring return's figures, computed from the council's model inputs.

:func:`monitoring_return` turns the model workbook's input tables
(:class:`~models.inputs.ModelInputs`) into every figure the return shows,
keyed by the return's own labels (``../shared/spec/RETURN.md``), in named
steps: the tables are parsed once into the typed model
(:func:`models.parse.parse_model`, which refuses a bad cell naming the table,
the row and the column, so nothing is computed from it), then each figure is
one function of :mod:`models.return_figures`.

Rules (the model workbook states the same rules to its readers)
----------------------------------------------------------------
- Years are ``Funding[Year]`` (consecutive, ascending). The current year is
  the financial year of Settings ``Return period`` (``2024-25 Q2`` ->
  ``2024-25``); it must be one of the Funding years. The period is shown as
  ``YYYY-YY Qn`` wherever it appears (``2024/25 q2`` is read as ``2024-25
  Q2``), and the period end date is its quarter's last day
  (:mod:`models.parse` lists every check of the inputs).
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
  ``Schools block`` to ``High needs block``; its ``Schools forum approval``
  is the forum's decision (Funding ``Forum decision``) or ``Required`` while
  undecided, and a transfer the forum refused needs the Secretary of State
  whatever its size (METHOD.md, BLOCK_TRANSFER_IMPACT).
- DfE Safety Valve contribution = Agreement ``DfE payment received`` for years
  before the current year, ``DfE payment expected`` for the current and later
  years (what the council expects: on time, later or never; without the
  column, the payment due); 0 for a year the Agreement does not list. The
  Safety Valve sheet shows ``DfE payment withheld`` = due - received for the
  years up to the current one, ``DfE payment expected`` for the current and
  later years, and a ``Total`` row of the money columns: a payment withheld
  is shown, never silently dropped (DfE Safety Valve agreement terms:
  instalments subject to progress; RETURN.md, Safety Valve). Council and other
  contributions come from Funding. The contributions applied to the
  cumulative deficit are the three added up.
- The trajectory is DSG_TRAJECTORY with the opening deficit = Settings
  ``Opening cumulative deficit`` (brought forward into the first Funding year).
  ``Cumulative surplus/(deficit) brought forward`` of a year is the last
  year's carried forward (the first year's: minus the opening deficit).
- One sign rule (RETURN.md, "One sign rule"): every surplus/(deficit) figure
  on every sheet is minus the deficit, negative for a deficit (the template
  shows it in brackets): the Financial summary's rows and the Safety Valve
  sheet's ``Agreed cumulative surplus/(deficit)`` (minus Agreement ``Agreed
  cumulative deficit``) and ``Forecast cumulative surplus/(deficit)``. The
  model's inputs and the Excel functions keep deficits positive (METHOD.md);
  the sign turns here, once, where the return is made.
- Variance to agreement and RAG come from VARIANCE_TO_PLAN(forecast
  cumulative deficit, agreed cumulative deficit), for the Funding years the
  Agreement lists. Both sheets show the variance in the surplus/(deficit)
  sign: agreed deficit - forecast deficit, negative when the deficit is worse
  than agreed.
- High needs expenditure sheet: Budget and Forecast outturn per Section 251
  line, Variance = Forecast outturn - Budget, Variance % = Variance / |Budget|
  (blank when the Budget is 0), then the Total row.
- EHCP numbers: history columns from EHCPHistory (one per January census
  column; a figure DfE suppressed, ``x``/``c``/``z``, is shown as ``x`` with
  the note "suppressed by DfE", never 0, and its column is not totalled),
  ``<period> actual`` and ``<period> plan`` from EHCPPeriod, Variance = actual - plan; age groups (actual only) from EHCPByAge; totals.
- Mitigations: one row per row of the model's Mitigations table (workstream
  and year), Variance = Delivered saving - Planned saving (negative = behind
  plan), then a ``Total`` row of the three money columns. Each row is a plan
  figure and is listed on the Notes sheet with its source.
- Scenarios: the cumulative position by year under each view, from one run
  of the scenario engine (:func:`scenario_run`, 10,000 scenarios, seed 1,
  the model's mitigations, its EHCPForecast table where it has one), the
  same run ``dsg scenarios`` prints (:func:`scenario_figures`): Unmitigated,
  Mitigated (= the Financial summary's carried forward), Risk-adjusted,
  P10/P50/P90 of the cumulative deficit, Agreed, P(on track), and, when
  Settings sets a ``Write-off year``, the mitigated plan after the write-off
  and what falls on the council (METHOD.md, DEFICIT_WRITE_OFF). Every
  position is shown in the surplus/(deficit) sign, so P90, the deficit nine
  scenarios in ten end no worse than, is the most negative of the three.

Money stays in unrounded float pounds here; the writer rounds once, half-up,
to the penny.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from models import return_figures as rf
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.errors import InputError, Problem
from models.inputs import TABLE_NAMES, ModelInputs
from models.model import DSGModel
from models.money import format_percent, format_pounds
from models.parse import (
    MONEY_LIMIT,
    MONEY_LIMIT_TEXT,
    RAG_VALUES,
    S251_LINES,
    census_label,
    parse_model,
    s251_code,
)
from models.scenarios import ScenarioResult, Spreads, run_scenarios
from models.validation import ResultTable, is_blank, rows_of
from models.write_off import write_off
from models.years import year_label

if TYPE_CHECKING:  # the DataFrame views import pandas when a person asks for them
    import pandas as pd

__all__ = [
    "MonitoringReturn",
    "ReturnTable",
    "monitoring_return",
    "return_of",
    "canonical_inputs",
    "inputs_sha256",
    "census_label",
    "s251_code",
    "RAG_VALUES",
    "S251_LINES",
    "S251_LABELS",
    "period_actual",
    "period_plan",
    "MITIGATION_COLUMNS",
    "SCENARIO_COLUMNS",
    "WRITE_OFF_COLUMNS",
    "SCENARIOS",
    "SEED",
    "scenario_run",
    "scenario_figures",
    "mitigations_table",
    "scenarios_table",
]

# --- The return's labels (RETURN.md), spelt once ------------------------------------------

#: The Safety Valve columns the Total row adds up.
SV_TOTALLED: tuple[str, ...] = (
    "DfE payment due",
    "DfE payment received",
    "DfE payment withheld",
    "DfE payment expected",
    "Council contribution",
)

#: Cover rows, in return order; the refresh fills the first seven.
COVER_ROWS: tuple[str, ...] = (
    "Local authority",
    "LA code",
    "Return period",
    "Period end date",
    "High Needs Block basis",
    "Prepared by",
    "Date prepared",
    "Section 151 officer",
    "Date signed off",
)
COVER_FILLED: tuple[str, ...] = COVER_ROWS[:7]

INCOME = "High Needs Block income"
TRANSFERS_IN = "Block transfers in"
EXPENDITURE = "High Needs expenditure"
OTHER_BLOCKS = "Other blocks in-year deficit"
IN_YEAR = "In-year surplus/(deficit)"
BROUGHT_FORWARD = "Cumulative surplus/(deficit) brought forward"
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
    BROUGHT_FORWARD,
    DFE_CONTRIBUTION,
    COUNCIL_CONTRIBUTION,
    OTHER_CONTRIBUTIONS,
    CUMULATIVE,
    AGREEMENT_PROFILE,
    VARIANCE_TO_AGREEMENT,
    RAG,
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
#: How the return shows a figure DfE suppressed (DfE's own symbol), and the note beside it.
SUPPRESSED_MARK = "x"
SUPPRESSED_NOTE = "suppressed by DfE"
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

AGREED_SURPLUS = "Agreed cumulative surplus/(deficit)"
FORECAST_SURPLUS = "Forecast cumulative surplus/(deficit)"
DFE_DUE = "DfE payment due"
DFE_RECEIVED = "DfE payment received"
DFE_WITHHELD = "DfE payment withheld"
DFE_EXPECTED = "DfE payment expected"
#: The Safety Valve sheet's last row: the money columns added up.
SV_TOTAL = "Total"
SAFETY_VALVE_COLUMNS: tuple[str, ...] = (
    "Year",
    DFE_DUE,
    DFE_RECEIVED,
    DFE_WITHHELD,
    DFE_EXPECTED,
    "Council contribution",
    AGREED_SURPLUS,
    FORECAST_SURPLUS,
    VARIANCE,
    "RAG",
)
CONDITION_COLUMNS: tuple[str, ...] = ("Condition", "RAG", "Commentary")
NOTE_COLUMNS: tuple[str, ...] = ("Sheet", "Item", "Status", "Source")

#: The Mitigations sheet (RETURN.md, "Mitigations").
PLANNED = "Planned saving"
DELIVERED = "Delivered saving"
CONFIDENCE = "Confidence"
MITIGATION_COLUMNS: tuple[str, ...] = (
    "Workstream",
    "Year",
    PLANNED,
    DELIVERED,
    VARIANCE,
    CONFIDENCE,
    "RAG",
)
#: The Mitigations sheet's last row, and the columns it adds up.
MITIGATIONS_TOTAL = "Total"
MITIGATIONS_TOTALLED: tuple[str, ...] = (PLANNED, DELIVERED, VARIANCE)

#: The Scenarios sheet (RETURN.md, "Scenarios").
UNMITIGATED = "Unmitigated"
MITIGATED = "Mitigated"
RISK_ADJUSTED = "Risk-adjusted"
AGREED = "Agreed"
P_ON_TRACK = "P(on track)"
PERCENTILES: tuple[str, ...] = ("P10", "P50", "P90")
SCENARIO_COLUMNS: tuple[str, ...] = (
    "Year",
    UNMITIGATED,
    MITIGATED,
    RISK_ADJUSTED,
    *PERCENTILES,
    AGREED,
    P_ON_TRACK,
)
AFTER_WRITE_OFF = "After write-off"
FALLS_ON_COUNCIL = "Falls on the council"
#: Columns the Scenarios sheet has only when the model sets a write-off.
WRITE_OFF_COLUMNS: tuple[str, ...] = (AFTER_WRITE_OFF, FALLS_ON_COUNCIL)
#: The refresh's scenarios and seed (the audit block records both).
SCENARIOS = 10_000
SEED = 1


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


# --- The figures --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReturnTable:
    """One table of the return: row labels, column labels and its cells, without pandas.

    A cell is a float (unrounded pounds, a count, a share), a text, or None
    (an empty cell). Row labels are the return's (``High Needs Block
    income``), or the row's position for a table written in order (Block
    movements, Safety Valve, Conditions). :meth:`frame` is the pandas view,
    for a person to read.

    >>> t = ReturnTable(("Budget", "Total"), ("2024-25",), [[1.5], [None]])
    >>> t.at("Budget", "2024-25"), t.column("2024-25"), t.frame().loc["Total", "2024-25"] is None
    (1.5, [1.5, None], True)
    """

    index: tuple[Any, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Any, ...], ...]
    _rows: dict[Any, int] = field(init=False, repr=False, compare=False)
    _columns: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", tuple(self.index))
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "cells", tuple(tuple(row) for row in self.cells))
        if len(self.cells) != len(self.index) or any(
            len(row) != len(self.columns) for row in self.cells
        ):
            raise ValueError(f"cells do not match {len(self.index)} rows x {len(self.columns)}")
        object.__setattr__(self, "_rows", {label: r for r, label in enumerate(self.index)})
        object.__setattr__(self, "_columns", {name: c for c, name in enumerate(self.columns)})

    @classmethod
    def in_order(cls, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> ReturnTable:
        """A table written in order: its rows labelled by position."""
        return cls(tuple(range(len(rows))), tuple(columns), tuple(tuple(r) for r in rows))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> ReturnTable:
        """The table a DataFrame shows (a missing value as None)."""
        cells = frame.astype(object).where(frame.notna(), None).values.tolist()
        return cls(tuple(frame.index), tuple(str(c) for c in frame.columns), cells)

    def __len__(self) -> int:
        return len(self.index)

    def at(self, label: Any, column: str) -> Any:
        """The cell in row ``label`` and column ``column``."""
        return self.cells[self._rows[label]][self._columns[column]]

    def row(self, label: Any) -> tuple[Any, ...]:
        """The cells of row ``label``, in column order."""
        return self.cells[self._rows[label]]

    def column(self, name: str) -> list[Any]:
        """The cells of column ``name``, in row order."""
        c = self._columns[name]
        return [row[c] for row in self.cells]

    def frame(self) -> pd.DataFrame:
        """The table as a :class:`pandas.DataFrame` of objects (an empty cell as None)."""
        import pandas as pd

        index = None if self.index == tuple(range(len(self.index))) else list(self.index)
        return pd.DataFrame(
            [list(r) for r in self.cells], index=index, columns=list(self.columns), dtype=object
        )


@dataclass(frozen=True)
class MonitoringReturn:
    """Every figure of the return, keyed by the return's labels.

    Money is in unrounded pounds; a blank cell is ``None``. The tables are
    :class:`ReturnTable` (what the writer reads): row labels for
    ``financial_summary_table``, ``high_needs_table`` and ``ehcp_table``;
    rows written in order for ``block_movements_table``,
    ``safety_valve_table`` and ``conditions_table``. The properties without
    ``_table`` are the same tables as DataFrames, for a person to read.
    """

    period: str
    current_year: str
    years: list[str]
    opening_deficit: float
    cover: dict[str, Any]
    financial_summary_table: ReturnTable
    high_needs_table: ReturnTable
    ehcp_table: ReturnTable
    ehcp_history: list[str]
    block_movements_table: ReturnTable
    safety_valve_table: ReturnTable
    conditions_table: ReturnTable
    notes: dict[str, str] = field(default_factory=dict)
    notes_table: ReturnTable = field(default_factory=lambda: ReturnTable.in_order(NOTE_COLUMNS, []))
    mitigations_table: ReturnTable = field(
        default_factory=lambda: ReturnTable.in_order(MITIGATION_COLUMNS, [])
    )
    scenarios_table: ReturnTable = field(
        default_factory=lambda: ReturnTable.in_order(SCENARIO_COLUMNS, [])
    )
    #: The scenarios behind the Scenarios sheet, and their seed (None: not run).
    scenario_count: int = 0
    scenario_seed: int | None = None
    #: What falls on the council when the override ends, over the scenarios (none: no write-off).
    write_off_lines: tuple[str, ...] = ()

    @property
    def ehcp_columns(self) -> list[str]:
        """EHCP numbers columns after ``Category``, in return order."""
        return [*self.ehcp_history, period_actual(self.period), period_plan(self.period), VARIANCE]

    @property
    def financial_summary(self) -> pd.DataFrame:
        """The Financial summary as a DataFrame: measures (rows) by year."""
        return self.financial_summary_table.frame()

    @property
    def high_needs(self) -> pd.DataFrame:
        """High needs expenditure as a DataFrame: lines and Total (rows) by column."""
        return self.high_needs_table.frame()

    @property
    def ehcp(self) -> pd.DataFrame:
        """EHCP numbers as a DataFrame: categories, age groups and totals (rows) by column."""
        return self.ehcp_table.frame()

    @property
    def block_movements(self) -> pd.DataFrame:
        """Block movements as a DataFrame, one row per transfer."""
        return self.block_movements_table.frame()

    @property
    def safety_valve(self) -> pd.DataFrame:
        """The Safety Valve profile as a DataFrame, one row per agreement year."""
        return self.safety_valve_table.frame()

    @property
    def conditions(self) -> pd.DataFrame:
        """The Conditions as a DataFrame, one row per condition."""
        return self.conditions_table.frame()

    @property
    def mitigations(self) -> pd.DataFrame:
        """The Mitigations sheet as a DataFrame, one row per workstream and year, then Total."""
        return self.mitigations_table.frame()

    @property
    def scenarios(self) -> pd.DataFrame:
        """The Scenarios sheet as a DataFrame, one row per year (surplus/(deficit) sign)."""
        return self.scenarios_table.frame()


def _floats(values: Any) -> list[float]:
    return [float(v) for v in values]


def _surplus(deficit: Any) -> list[float]:
    """A deficit shown in the return's surplus/(deficit) sign."""
    return [0.0 - float(v) for v in deficit]


def cover(model: DSGModel, today: dt.date) -> dict[str, Any]:
    """The Cover's seven filled rows: Settings, with the period normalised, and today.

    ``High Needs Block basis`` says whether the income (and Section 251 line
    1.0.2) is after or before ESFA's deductions (RETURN.md, Cover).


    >>> from models.samples import sample_model
    >>> cover(sample_model(), dt.date(2024, 10, 15))["Return period"]
    '2024-25 Q2'
    """
    s = model.settings
    return {
        "Local authority": s.la_name,
        "LA code": s.la_code,
        "Return period": s.period,
        "Period end date": s.period_end,
        "High Needs Block basis": s.hnb_basis,
        "Prepared by": s.prepared_by,
        "Date prepared": today,
    }


def _by_year(table: ResultTable, column: str) -> dict[str, Any]:
    """{year: value} of one column of a VARIANCE_TO_PLAN table."""
    values = table.columns[table.header.index(column)]
    return dict(zip(table.columns[0], list(values), strict=True))


def financial_summary(model: DSGModel) -> ReturnTable:
    """The Financial summary: one row per RETURN.md measure, one column per Funding year.

    Surplus/(deficit) rows are minus the deficit; Variance to agreement is
    shown in that sign too (agreed - forecast: negative when worse than
    agreed); the agreement's rows are blank for years it does not list.

    >>> from models.samples import sample_model
    >>> [round(v, 2) for v in financial_summary(sample_model()).row(CUMULATIVE)]
    [-9000000.0, -9575000.0, -8593000.0]
    """
    years = list(model.years)
    agreement = rf.variance_to_agreement(model)
    variance, rag = _by_year(agreement, "Variance"), _by_year(agreement, "RAG")
    rows: dict[str, list[Any]] = {
        INCOME: _floats(model.funding.income),
        TRANSFERS_IN: _floats(rf.transfers_in(model)),
        EXPENDITURE: _floats(rf.expenditure(model)),
        OTHER_BLOCKS: _floats(model.funding.other_blocks_deficit),
        IN_YEAR: _surplus(rf.in_year_deficit(model)),
        BROUGHT_FORWARD: _surplus(rf.brought_forward(model)),
        DFE_CONTRIBUTION: _floats(rf.dfe_contribution(model)),
        COUNCIL_CONTRIBUTION: _floats(rf.council_contribution(model)),
        OTHER_CONTRIBUTIONS: _floats(rf.other_contributions(model)),
        CUMULATIVE: _surplus(rf.cumulative_deficit(model)),
        AGREEMENT_PROFILE: [None if a is None else 0.0 - a for a in rf.agreed_deficit(model)],
        VARIANCE_TO_AGREEMENT: [0.0 - float(variance[y]) if y in variance else None for y in years],
        RAG: [rag.get(y) for y in years],
    }
    return ReturnTable(tuple(rows), tuple(years), tuple(tuple(r) for r in rows.values()))


def high_needs_table(model: DSGModel) -> ReturnTable:
    """High needs expenditure: Budget, Forecast outturn, Variance and Variance % per line, then Total.

    >>> from models.samples import sample_model
    >>> high_needs_table(sample_model()).row(TOTAL_HIGH_NEEDS)
    (13000000.0, 14500000.0, 1500000.0, 0.11538461538461539)
    """
    lines = model.high_needs
    budget, forecast, variance = rf.high_needs_totals(model)
    columns = {
        "Budget": [*_floats(lines.budget), budget],
        "Forecast outturn": [*_floats(lines.forecast), forecast],
        "Variance": [*_floats(rf.high_needs_variance(model)), variance],
        "Variance %": [
            *rf.high_needs_variance_percent(model),
            *rf.percent_of(np.array([forecast]), np.array([budget])),
        ],
    }
    return ReturnTable(
        (*S251_LABELS, TOTAL_HIGH_NEEDS), tuple(columns), tuple(zip(*columns.values(), strict=True))
    )


def ehcp_table(model: DSGModel) -> ReturnTable:
    """EHCP numbers: census history, the period's actual and plan, Variance; by age; totals.

    A census figure DfE suppressed (EHCPHistory ``x``, ``c`` or ``z``) is
    shown as ``x``, never 0, and so is that column's Total: it cannot be
    added up (RETURN.md, EHCP numbers).

    >>> from models.samples import sample_model
    >>> t = ehcp_table(sample_model())
    >>> [t.at(TOTAL, c) for c in ("2024-25 Q2 actual", "2024-25 Q2 plan", VARIANCE)]
    [1050.0, 1036.0, 14.0]
    """
    e, period = model.ehcp, model.settings.period
    actual, plan = period_actual(period), period_plan(period)
    by_category: list[list[Any]] = [
        *(_census(e.history.values[:, k]) for k in range(len(e.history.columns))),
        _floats(e.actual),
        _floats(e.plan),
        _floats(rf.ehcp_variance(model)),
    ]
    categories = [list(row) for row in zip(*by_category, strict=True)]
    total = [
        SUPPRESSED_MARK if SUPPRESSED_MARK in column else float(sum(column))
        for column in by_category
    ]
    n = len(by_category)
    at_actual = n - 3
    by_age = _floats(e.by_age)

    def age_row(value: float) -> list[Any]:
        return [value if k == at_actual else None for k in range(n)]

    rows = [
        *categories,
        total,
        *(age_row(v) for v in by_age),
        age_row(float(sum(by_age))),
    ]
    columns = (*e.history.columns, actual, plan, VARIANCE)
    return ReturnTable(EHCP_ROWS, columns, tuple(tuple(r) for r in rows))


def _census(values: Any) -> list[Any]:
    """A census column: counts, and DfE's ``x`` where the model holds a suppressed figure."""
    return [SUPPRESSED_MARK if np.isnan(v) else float(v) for v in values]


def suppressed_columns(table: ReturnTable) -> list[str]:
    """The EHCP numbers columns holding a figure DfE suppressed (``x``), in order.

    >>> t = ReturnTable(("A", "Total"), ("January 2025", "January 2024"), [["x", 1.0], ["x", 1.0]])
    >>> suppressed_columns(t)
    ['January 2025']
    """
    return [c for c in table.columns if SUPPRESSED_MARK in table.column(c)]


def block_movements(model: DSGModel) -> ReturnTable:
    """Block movements: one row per year with a transfer, Schools block to High needs block.

    ``Schools forum approval`` shows the forum's decision (Funding ``Forum
    decision``: ``Approved`` or ``Refused``), or ``Required`` while it is not
    yet decided; ``Secretary of State approval`` is BLOCK_TRANSFER_IMPACT's, so
    a transfer the forum refused reads ``Required`` whatever its size.

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT"; RETURN.md, Block movements.

    >>> from models.samples import sample_model
    >>> block_movements(sample_model()).column("Year")
    ['2023-24', '2024-25']
    """
    impact = rf.transfer_table(model)
    column = dict(zip(impact.header, impact.columns, strict=True))
    rows = [
        [
            year,
            FROM_BLOCK,
            TO_BLOCK,
            float(transfer),
            float(rate),
            decision or forum,
            secretary,
        ]
        for year, transfer, rate, forum, secretary, decision in zip(
            column["Year"],
            column["Transfer"],
            column["Transfer rate"],
            column["Schools forum approval"],
            column["Secretary of State approval"],
            model.funding.forum_decision,
            strict=True,
        )
        if transfer != 0
    ]
    return ReturnTable.in_order(BLOCK_MOVEMENT_COLUMNS, rows)


def safety_valve_rows(model: DSGModel) -> ReturnTable:
    """The agreement profile, every year it lists, with the forecast and variance, then Total.

    DfE payments: due and received as the Agreement lists them, withheld (due
    - received) up to the current year, expected from the current year on;
    the ``Total`` row adds up those and the council contribution.

    The cumulative columns are surplus/(deficit) (negative for a deficit) and
    the variance is in that sign (Agreed deficit - Forecast deficit: negative
    when worse than agreed), as on the Financial summary (RETURN.md, "One
    sign rule"); blank for a year outside the Funding years.

    >>> from models.samples import sample_model
    >>> sv = safety_valve_rows(sample_model())
    >>> sv.column("RAG"), sv.column(DFE_WITHHELD)
    (['Green', 'Amber', 'Red', None], [0.0, 500000.0, None, 500000.0])
    """
    a = model.agreement
    forecast = dict(zip(model.years, _floats(rf.cumulative_deficit(model)), strict=True))
    agreement = rf.variance_to_agreement(model)
    variance, rag = _by_year(agreement, "Variance"), _by_year(agreement, "RAG")
    withheld, expected = rf.dfe_payment_withheld(model), rf.dfe_payment_expected(model)
    rows: list[list[Any]] = [
        [
            y,
            float(a.dfe_payment_due[y]),
            float(a.dfe_payment_received[y]),
            withheld[k],
            expected[k],
            float(a.council_contribution[y]),
            0.0 - float(a.agreed_deficit[y]),
            None if y not in forecast else 0.0 - forecast[y],
            0.0 - float(variance[y]) if y in variance else None,
            rag.get(y),
        ]
        for k, y in enumerate(a.years)
    ]
    if rows:
        totalled = [SAFETY_VALVE_COLUMNS.index(c) for c in SV_TOTALLED]
        total: list[Any] = [SV_TOTAL] + [None] * (len(SAFETY_VALVE_COLUMNS) - 1)
        for c in totalled:
            total[c] = float(sum(r[c] for r in rows if r[c] is not None))
        rows.append(total)
    return ReturnTable.in_order(SAFETY_VALVE_COLUMNS, rows)


def notes_table(model: DSGModel) -> ReturnTable:
    """The Notes sheet: every figure the model's Sources mark other than Actual, with its source.

    RETURN.md, Notes: an estimate, an assumption or a plan is never shown as
    if it were data without saying so; a census figure DfE suppressed is
    listed too, as ``x`` (suppressed by DfE), and so is every row of the
    Mitigations sheet (:func:`mitigation_notes`).

    >>> from models.samples import sample_model
    >>> notes_table(sample_model()).column("Status")
    []
    """
    mitigation_rows, told = mitigation_notes(model)
    rows: list[list[Any]] = [
        [s.sheet, f"{s.item}: {s.figure}" if s.figure else s.item, s.status, s.source]
        for k, s in enumerate(model.sources)
        if s.status != "Actual" and k not in told
    ]
    rows += mitigation_rows
    history = model.ehcp.history
    for k, census in enumerate(history.columns):
        hidden = [c for c, v in zip(history.rows, history.values[:, k], strict=True) if np.isnan(v)]
        if hidden:
            rows.append(
                [
                    "EHCP numbers",
                    f"{census}: {', '.join(hidden)}",
                    SUPPRESSED_MARK,
                    f"{SUPPRESSED_NOTE[0].upper()}{SUPPRESSED_NOTE[1:]} (EHCPHistory)",
                ]
            )
    return ReturnTable.in_order(NOTE_COLUMNS, rows)


#: The status of a mitigation on the Notes sheet when the Sources table says nothing of it.
MITIGATION_STATUS = "Plan"
MITIGATION_SOURCE = (
    "The council's Mitigations table: a saving the plan counts on (the Financial summary is "
    "the plan with it), its confidence the council's own estimate"
)


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _names_workstream(item: str, workstream: str) -> bool:
    """A Sources Item naming the workstream: the workstream itself, or after a lead-in
    ending ``: `` (``Mitigation: ERB places``).

    >>> _names_workstream("Mitigation: ERB  places", "ERB places"), _names_workstream("ERB", "ERB places")
    (True, False)
    """
    return _same_text(item, workstream) or (
        ": " in item and _same_text(item.split(": ", 1)[1], workstream)
    )


def mitigation_notes(model: DSGModel) -> tuple[list[list[Any]], set[int]]:
    """One Notes row per Mitigations row, and the Sources rows they stand for.

    A mitigation is a plan figure (RETURN.md, Notes). Its status and source
    are those of the Sources row on sheet ``Mitigations`` whose Item names
    the workstream (``ERB places`` or ``Mitigation: ERB places``), where
    there is one (that Sources row is then not listed again), else ``Plan``
    and the Mitigations table.

    Returns
    -------
    rows : list of list
        ``Sheet | Item | Status | Source``: Item is the workstream, the year,
        the planned saving and the confidence.
    told : set of int
        Positions in ``model.sources`` of the Sources rows used.

    Examples
    --------
    >>> import dataclasses
    >>> from models.mitigations import Mitigations
    >>> from models.samples import sample_model
    >>> m = Mitigations(("ERB places",), ("2025-26",), [1e6], [0.0], [0.8], ("Amber",))
    >>> rows, told = mitigation_notes(dataclasses.replace(sample_model(), mitigations=m))
    >>> rows[0][:3], told
    (['Mitigations', 'ERB places, 2025-26: planned saving £1,000,000, confidence 80%', 'Plan'], set())
    """
    mit = model.mitigations
    rows: list[list[Any]] = []
    told: set[int] = set()
    for w, y, planned, confidence in zip(
        mit.workstream, mit.year, mit.planned, mit.confidence, strict=True
    ):
        status, source = MITIGATION_STATUS, MITIGATION_SOURCE
        for k, s in enumerate(model.sources):
            if _same_text(s.sheet, MITIGATIONS_SHEET) and _names_workstream(s.item, w):
                status, source = s.status, s.source
                told.add(k)
                break
        rows.append(
            [
                MITIGATIONS_SHEET,
                f"{w}, {y}: planned saving {format_pounds(float(planned))}, "
                f"confidence {format_percent(float(confidence), 0)}",
                status,
                source,
            ]
        )
    return rows, told


MITIGATIONS_SHEET = "Mitigations"


def mitigations_table(model: DSGModel) -> ReturnTable:
    """The Mitigations sheet: one row per workstream and year, then the ``Total`` row.

    Notes
    -----
    ::

        Variance[i]       = Delivered saving[i] - Planned saving[i]   (negative = behind plan)
        Total[column]     = sum over rows i of column[i]              (the three money columns)

    References
    ----------
    RETURN.md, "Mitigations"; :class:`models.mitigations.Mitigations`.

    Examples
    --------
    >>> import dataclasses
    >>> from models.mitigations import Mitigations
    >>> from models.samples import sample_model
    >>> m = Mitigations(("ERB", "ERB"), ("2024-25", "2025-26"), [5e5, 1e6], [2e5, 0.0],
    ...                 [0.9, 0.7], ("Amber", "Green"))
    >>> t = mitigations_table(dataclasses.replace(sample_model(), mitigations=m))
    >>> t.row(0), t.row(2)
    (('ERB', '2024-25', 500000.0, 200000.0, -300000.0, 0.9, 'Amber'), ('Total', None, 1500000.0, 200000.0, -1300000.0, None, None))
    """
    mit = model.mitigations
    rows: list[list[Any]] = [
        [w, y, float(p), float(d), float(d) - float(p), float(c), rag or None]
        for w, y, p, d, c, rag in zip(
            mit.workstream,
            mit.year,
            mit.planned,
            mit.delivered,
            mit.confidence,
            mit.rag,
            strict=True,
        )
    ]
    total: list[Any] = [MITIGATIONS_TOTAL] + [None] * (len(MITIGATION_COLUMNS) - 1)
    for column in MITIGATIONS_TOTALLED:
        c = MITIGATION_COLUMNS.index(column)
        total[c] = float(sum(r[c] for r in rows))
    return ReturnTable.in_order(MITIGATION_COLUMNS, [*rows, total])


def scenario_run(
    model: DSGModel,
    n: int = SCENARIOS,
    seed: int = SEED,
    spreads: Spreads | None = None,
    forecast: Any = None,
) -> ScenarioResult:
    """The scenarios behind the Scenarios sheet and ``dsg scenarios``: one run, one function.

    Parameters
    ----------
    model : DSGModel
        The typed model; its mitigations are drawn around their confidence.
    n, seed : int
        Scenarios (default 10,000) and the seed of numpy's generator (default 1).
    spreads : Spreads, optional
        Default :class:`models.scenarios.Spreads`; :meth:`Spreads.zero` gives
        the risk-adjusted plan in every scenario.
    forecast : rows or DataFrame, optional
        The model's EHCPForecast table: each placement's count growth spread
        from its P10-P90.

    Returns
    -------
    ScenarioResult
        Deficits positive, as the engine gives them.

    Notes
    -----
    :func:`models.scenarios.run_scenarios` with ``mitigations = the model's``
    (the module docstring of :mod:`models.scenarios` states the draws).

    References
    ----------
    METHOD.md, "DSG_FAN"; RETURN.md, "Scenarios".

    Examples
    --------
    >>> from models.samples import sample_model
    >>> r = scenario_run(sample_model(), n=10, spreads=Spreads.zero())
    >>> r.n, r.seed, r.percentiles()[:, -1].round(2).tolist()
    (10, 1, [8593000.0, 8593000.0, 8593000.0])
    """
    return run_scenarios(
        model, n=n, seed=seed, spreads=spreads, mitigations=model.mitigations, forecast=forecast
    )


def _write_off_of(model: DSGModel, mitigated: np.ndarray) -> Any:
    """DEFICIT_WRITE_OFF of the mitigated plan under Settings, or None without a write-off."""
    s = model.settings
    if s.write_off_year is None:
        return None
    years = list(model.years)
    before = year_label(int(s.write_off_year[:4]) - 1)
    missing = [y for y in (before, s.write_off_year) if y not in years]
    if missing:
        raise InputError(
            [
                Problem(
                    "Settings",
                    "row 'Write-off year'",
                    f"{s.write_off_year} needs {' and '.join(missing)} among the Funding years "
                    f"({years[0]} to {years[-1]})",
                )
            ]
        )
    return write_off(years, mitigated, s.write_off_year, s.write_off_share, s.override_end)


def write_off_summary(
    model: DSGModel, result: ScenarioResult, defaults: bool = False
) -> tuple[str, ...]:
    """What falls on the council when the override ends, over the scenarios: one or two lines.

    The write-off the model's Settings set (``Write-off year``, ``Write-off
    share``, ``Override end``); with ``defaults``, the 2026 High Needs
    Stability Grant's where the model sets none (METHOD.md,
    DEFICIT_WRITE_OFF). No lines when there is no write-off or the Funding
    years do not hold its years. Where the model gives ``Usable reserves``, a
    second line: the share of scenarios in which what falls on the council
    exceeds them.

    Notes
    -----
    ::

        falls[s]  = DEFICIT_WRITE_OFF(years, cumulative[s], ...) Falls on the council at Override end
        exceeds   = #{s : falls[s] > usable reserves} / n

    Examples
    --------
    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> write_off_summary(m, scenario_run(m, n=10, spreads=Spreads.zero()))
    ()
    """
    from models.write_off import OVERRIDE_END, WRITE_OFF_SHARE, WRITE_OFF_YEAR

    s = model.settings
    if s.write_off_year is None and not defaults:
        return ()
    year = s.write_off_year or WRITE_OFF_YEAR
    share = s.write_off_share if s.write_off_year else WRITE_OFF_SHARE
    end = s.override_end if s.write_off_year else OVERRIDE_END
    years = list(result.years)
    before = year_label(int(year[:4]) - 1)
    if year not in years or before not in years or end not in years:
        return ()
    k = years.index(end)
    falls = write_off(years, result.cumulative, year, share, end).falls_on_council[:, k]
    p10, p50, p90 = np.percentile(falls, [10.0, 50.0, 90.0])
    plan = write_off(years, result.deterministic, year, share, end).falls_on_council[k]
    line = (
        f"Falls on the council at the end of the override ({end}), after {format_percent(share)} of "
        f"the deficit at the end of {before} is written off in {year}: P10 "
        f"{format_pounds(p10)}, P50 {format_pounds(p50)}, P90 {format_pounds(p90)} "
        f"(mitigated plan {format_pounds(plan)})."
    )
    if s.usable_reserves is None:
        return (line,)
    above = float(np.mean(falls > s.usable_reserves))
    return (
        line,
        f"Usable reserves {format_pounds(s.usable_reserves)}: what falls on the council "
        f"exceeds them in {format_percent(above)} of scenarios.",
    )


def scenario_figures(model: DSGModel, result: ScenarioResult) -> ResultTable:
    """The Scenarios table, deficit positive: what ``dsg scenarios`` prints and the return negates.

    ``Year | Unmitigated | Mitigated | Risk-adjusted | P10 | P50 | P90 |
    Agreed | P(on track)``, and, when Settings sets a ``Write-off year``,
    ``After write-off | Falls on the council`` of the mitigated plan.

    Notes
    -----
    ::

        Mitigated[t]            = cumulative deficit of the model (DSG_TRAJECTORY)
        P10, P50, P90[t]        = percentiles of cumulative[s,t] over the scenarios
        After write-off[t]      = Mitigated[t] - W   (t >= write-off year)   DEFICIT_WRITE_OFF
        Falls on the council[t] = max(After write-off[t], 0)   (t >= override end), else 0

    References
    ----------
    RETURN.md, "Scenarios"; METHOD.md, "DSG_FAN" and "DEFICIT_WRITE_OFF".

    Examples
    --------
    >>> import dataclasses
    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> m = dataclasses.replace(m, settings=dataclasses.replace(
    ...     m.settings, write_off_year="2024-25", override_end="2025-26"))
    >>> t = scenario_figures(m, scenario_run(m, n=10, spreads=Spreads.zero()))
    >>> t.header[-2:], t.rows()[-1][-2:]
    (['After write-off', 'Falls on the council'], [493000.0, 493000.0])
    """
    base = result.table()
    columns = dict(zip(base.header, base.columns, strict=True))
    header = list(SCENARIO_COLUMNS)
    values = [columns[c] for c in header]
    w = _write_off_of(model, np.asarray(result.deterministic, dtype=float))
    if w is not None:
        header += list(WRITE_OFF_COLUMNS)
        values += [w.after, w.falls_on_council]
    return ResultTable(header, values, blank=base.blank)


def scenarios_table(model: DSGModel, result: ScenarioResult) -> ReturnTable:
    """The Scenarios sheet: :func:`scenario_figures` in the surplus/(deficit) sign, by year.

    Every position (all but Year and P(on track)) is minus the deficit,
    negative for a deficit (RETURN.md, "One sign rule"); so the ``P90``
    column, the deficit nine scenarios in ten end no worse than, is the
    lowest of the three. An empty cell (a year the agreement does not list)
    is None.

    Notes
    -----
    ::

        shown[t, c] = -scenario_figures[t, c]   for every column c but Year and P(on track)

    References
    ----------
    RETURN.md, "One sign rule" and "Scenarios".

    Examples
    --------
    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> t = scenarios_table(m, scenario_run(m, n=10, spreads=Spreads.zero()))
    >>> t.row(2)
    ('2025-26', -8593000.0, -8593000.0, -8593000.0, -8593000.0, -8593000.0, -8593000.0, -8000000.0, 0.0)
    """
    figures = scenario_figures(model, result).rows()
    header = figures[0]
    rows = [
        [
            v if name in ("Year", P_ON_TRACK) or v is None else 0.0 - float(v)
            for name, v in zip(header, row, strict=True)
        ]
        for row in figures[1:]
    ]
    return ReturnTable.in_order(header, rows)


def conditions_table(model: DSGModel) -> ReturnTable:
    """The Conditions, as the Safety Valve sheet lists them.

    >>> from models.samples import sample_model
    >>> conditions_table(sample_model()).column("RAG")
    ['Amber']
    """
    rows = [[c.condition, c.rag, c.commentary] for c in model.conditions]
    return ReturnTable.in_order(CONDITION_COLUMNS, rows)


def check_money(summary: ReturnTable) -> None:
    """Refuse a computed figure beyond the money limit, naming its row and years.

    Every input is within :data:`models.parse.MONEY_LIMIT`; growth compounded
    over the years can still carry a projection past it. The first row
    beyond it is named (the rows below follow from it).

    >>> from models.samples import sample_model
    >>> check_money(financial_summary(sample_model())) is None
    True
    """
    for label in summary.index:
        beyond = [
            (year, value)
            for year, value in zip(summary.columns, summary.row(label), strict=True)
            if isinstance(value, float) and not abs(value) <= MONEY_LIMIT
        ]
        if beyond:
            what = (
                "check Placements' Count, Growth and Inflation, and Moves"
                if label == EXPENDITURE
                else "check the Funding and Agreement figures"
            )
            raise InputError(
                [
                    Problem(
                        "Financial summary",
                        f"row {label!r}, year {year}",
                        f"{value:g} is beyond {MONEY_LIMIT_TEXT}: {what}",
                    )
                    for year, value in beyond
                ]
            )


def return_of(
    model: DSGModel,
    today: dt.date | None = None,
    *,
    scenarios: int = SCENARIOS,
    seed: int = SEED,
    spreads: Spreads | None = None,
    forecast: Any = None,
) -> MonitoringReturn:
    """Every figure of the return from the typed model: one named step per sheet.

    ``scenarios``, ``seed``, ``spreads`` and ``forecast`` (the model's
    EHCPForecast table) are the Scenarios sheet's run (:func:`scenario_run`).
    See :func:`monitoring_return`.
    """
    summary = financial_summary(model)
    check_money(summary)
    run = scenario_run(model, scenarios, seed, spreads, forecast)
    return MonitoringReturn(
        period=model.settings.period,
        current_year=model.current_year,
        years=list(model.years),
        opening_deficit=model.settings.opening_deficit,
        cover=cover(model, today or dt.date.today()),
        financial_summary_table=summary,
        high_needs_table=high_needs_table(model),
        ehcp_table=ehcp_table(model),
        ehcp_history=list(model.ehcp.history.columns),
        block_movements_table=block_movements(model),
        safety_valve_table=safety_valve_rows(model),
        conditions_table=conditions_table(model),
        notes_table=notes_table(model),
        mitigations_table=mitigations_table(model),
        scenarios_table=scenarios_table(model, run),
        scenario_count=run.n,
        scenario_seed=run.seed,
        write_off_lines=write_off_summary(model, run),
    )


def monitoring_return(
    inputs: ModelInputs,
    today: dt.date | None = None,
    *,
    scenarios: int = SCENARIOS,
    seed: int = SEED,
    spreads: Spreads | None = None,
) -> MonitoringReturn:
    """Every figure of the DfE monitoring return, from the model's input tables.

    Parameters
    ----------
    inputs : ModelInputs
        The model workbook's tables, raw (header row as columns).
    today : datetime.date, optional
        ``Date prepared`` on the cover; default today.
    scenarios, seed : int, optional
        The Scenarios sheet's run: 10,000 scenarios, seed 1 by default.
    spreads : Spreads, optional
        The run's spreads (default :class:`models.scenarios.Spreads`).

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
    Parse once (:func:`models.parse.parse_model`), then each figure
    (:mod:`models.return_figures`); see the module docstring for the rules.
    In short::

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

    Examples
    --------
    >>> from models.samples import sample_inputs
    >>> fig = monitoring_return(sample_inputs(), today=dt.date(2024, 10, 15))
    >>> fig.period, fig.financial_summary_table.row(RAG)
    ('2024-25 Q2', ('Green', 'Amber', 'Red'))
    """
    model = parse_model(inputs)
    return return_of(
        model,
        today,
        scenarios=scenarios,
        seed=seed,
        spreads=spreads,
        forecast=inputs.tables.get("EHCPForecast"),
    )


# --- The inputs' fingerprint --------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(float(value))
    to_datetime = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if to_datetime is not None:
        value = to_datetime()
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

    >>> canonical_inputs(ModelInputs({"Moves": [["Year", "Change"], ["2025-26", 30]]}))
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
