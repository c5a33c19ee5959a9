"""Build the council's model workbook with openpyxl.

The model workbook is where a finance officer keeps the figures behind the
quarterly DfE monitoring return. Its inputs are Excel Tables (ListObjects)
named exactly as :data:`models.inputs.TABLE_NAMES`, with the columns of
:data:`models.inputs.TABLE_COLUMNS`, so formulas use structured references
(``=PLACEMENT_COST_TABLE(Placements[#All])``) and the refresh finds every
table by name wherever it sits.

Sheets, in order:

``About``
    What the workbook is, how to use it, and the rules the refresh applies
    (the High Needs expenditure rule among them).
``Inputs``, ``Placements``, ``High needs``, ``EHCPs``, ``Conditions``, ``Mitigations``
    The input tables, shaded yellow where a person types. ``EHCPForecast``
    (on ``EHCPs``) is optional to the refresh: the forecast import fills it,
    and a Placements Growth of ``forecast`` reads it (:mod:`models.forecast_growth`).
    ``Mitigations`` (optional too) lists the savings the plan counts on, by
    workstream and year (:mod:`models.mitigations`).
``Calculations``
    The add-in's functions as dynamic-array formulas (need the add-in).
``Workings``
    The same year-by-year position with plain Excel formulas over the input
    tables (no add-in needed); the dashboard's charts read these cells, so
    they show numbers in any spreadsheet program.
``Dashboard``
    Key figures and five native charts: the trajectory against the agreed
    profile, EHCP growth against High Needs funding growth, the placement
    spend mix, the EHC plan forecast (EHCPForecast's Total: history, P50
    and the P10-P90 band) and the fan chart of the cumulative deficit (the
    last refresh's scenarios on the Refresh sheet: the P10-P90 band, P50 and
    the agreed profile); the write-off and reserves figures (plain formulas
    over the Workings sheet).
``Sources``
    Where each figure of the model comes from.
``Refresh``
    What the Refresh button last did (its log), and beside it the fan of
    its scenarios (:mod:`workbooks.refresh_sheet`): the frame of years and
    "not refreshed yet" until then; the example's holds its refresh's run.
``xlwings.conf``
    ``UDF Modules`` = ``addin.udfs``, so the classic xlwings add-in imports
    the functions with no VBA in the workbook.

Dynamic arrays: openpyxl has no API for them. The builder writes each
calculation as an array formula anchored on one cell and then marks the cell
as a dynamic array the way Excel 365 itself does (``cm="1"`` pointing at the
``XLDAPR`` cell metadata in ``xl/metadata.xml``), so Excel spills it without
an implicit-intersection ``@``. See :func:`mark_dynamic_arrays` for the
limits of that approach.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import AreaChart, BarChart, LineChart, PieChart, Reference
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table, TableStyleInfo

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL
from models.forecast_growth import FORECAST, FORECAST_COLUMNS, FORECAST_TABLE
from models.inputs import (
    OPTIONAL_COLUMNS,
    OPTIONAL_SETTINGS,
    SETTINGS,
    SOURCE_COLUMNS,
    TABLE_COLUMNS,
)
from models.mitigations import MITIGATION_COLUMNS
from models.transfers import DEFAULT_THRESHOLD
from models.write_off import OVERRIDE_END, WRITE_OFF_SHARE, WRITE_OFF_YEAR
from models.years import year_label
from workbooks.publish import publish
from workbooks.refresh_sheet import (
    FAN_COLUMN,
    FAN_HEADER,
    FAN_HEADER_ROW,
    NOT_REFRESHED,
    REFRESH_SHEET,
    fan_block,
)
from workbooks.safe_text import set_text
from workbooks.scenarios_workbook import shade_band

__all__ = [
    "HIGH_NEEDS_LINES",
    "EXPENDITURE_RULE",
    "REFRESH_RULES",
    "ModelSpec",
    "blank_spec",
    "build_model",
    "write_model",
    "function_name",
    "calculation_formulas",
    "mark_dynamic_arrays",
]

#: The Section 251 high needs lines of the return (RETURN.md, "High needs
#: expenditure"), label = code and description.
HIGH_NEEDS_LINES: tuple[str, ...] = (
    "1.0.2 High needs place funding within Individual Schools Budget",
    "1.2.1 Top-up funding - maintained schools",
    "1.2.2 Top-up funding - academies, free schools and colleges",
    "1.2.3 Top-up and other funding - non-maintained and independent providers",
    "1.2.4 Additional high needs targeted funding for mainstream schools and academies",
    "1.2.5 SEN support services",
    "1.2.6 Hospital education services",
    "1.2.7 Other alternative provision services",
    "1.2.8 Support for inclusion",
    "1.2.9 Special schools and PRUs in financial difficulty",
    "1.2.10 PFI/BSF costs at special schools, AP/PRUs and post 16 institutions only",
    "1.2.11 Direct payments (SEN and disability)",
    "1.2.13 Therapies and other health related services",
)

#: The rule the refresh uses for High Needs expenditure, shown in the workbook.
EXPENDITURE_RULE = (
    "High Needs expenditure: for the current year (the financial year of Settings "
    "'Return period', e.g. 2024-25 Q2 -> 2024-25) it is the sum of HighNeedsLines "
    "'Forecast outturn'; for every other year it is the placement projection's spend "
    "(Placements projected from the first Funding year with Growth, Inflation and Moves) "
    "plus Funding 'Other high needs spend'."
)

#: The income basis and Section 251 line 1.0.2 (ESFA's DSG allocations: hnb_before_deductions
#: and hnb_after_deductions; Section 251 guidance, line 1.0.2).
HNB_BASIS_RULE = (
    "High Needs Block basis (Settings; the Cover shows it): 'after deductions' (the default) "
    "means Funding 'High Needs Block income' is ESFA's allocation after the place funding it "
    "pays academies, free schools and FE colleges directly (ESFA's hnb_after_deductions); "
    "Section 251 line 1.0.2 then holds only the place funding the council pays (its maintained "
    "schools' places). 'before deductions' means the income is the whole allocation "
    "(hnb_before_deductions) and line 1.0.2 must include every place funded, academies' and "
    "colleges' too. Mixing the bases misstates the deficit by the academy place funding "
    "(Cambridgeshire 2023-24: 87.55m after, 104.16m before)."
)

#: The convention of the Mitigations table (models.mitigations), as the About sheet states it.
MITIGATION_CONVENTION = (
    "Convention: the Funding and Placements inputs describe the mitigated plan, the plan with "
    "its savings in it. Unmitigated spend = mitigated spend + the planned savings of the year; "
    "risk-adjusted spend = mitigated spend + planned saving x (1 - confidence), summed over "
    "the year's workstreams."
)

#: The 2026 write-off and the statutory override, as the About sheet explains them
#: (METHOD.md, DEFICIT_WRITE_OFF).
WRITE_OFF_EXPLAINED = (
    "In 2026 the government announced a one-off High Needs Stability Grant, paid in 2026-27, "
    "that writes off 90% of the High Needs deficit built up to 31 March 2026, conditional on "
    "an approved local SEND reform plan. The statutory override, which keeps the DSG deficit "
    "off the council's general reserves, runs to the end of 2027-28. What remains of the "
    "deficit then, and every deficit built up later, falls on the council: "
    "write-off = share x the deficit at 31 March before the write-off year (if a deficit); "
    "falls on the council = max(cumulative deficit at the end of the override - write-off, 0)."
)

#: Every rule the refresh applies, as the About sheet states them.
REFRESH_RULES: tuple[str, ...] = (
    "Years are the Funding table's Year column; the first is the base year of the "
    "placement projection.",
    "Current year = the financial year of Settings 'Return period' (2024-25 Q2 -> 2024-25).",
    EXPENDITURE_RULE,
    "Block transfers in = Funding 'Schools block' x 'Transfer rate'. The schools forum must "
    "approve any transfer; the Secretary of State any above 0.5% of the schools block, and any "
    "the forum refused (Funding 'Forum decision': Approved, Refused or blank while undecided).",
    "DfE Safety Valve contribution = Agreement 'DfE payment received' for years before the "
    "current year, 'DfE payment expected' for the current and later years (what the council "
    "expects DfE to pay: on time, later or never); contributions also include Funding "
    "'Council contribution' and 'Other contributions'. A payment due but not received up to "
    "the current year is withheld (due - received): the return's Safety Valve sheet and the "
    "Dashboard show it, and the forecast counts only what is expected (DfE Safety Valve "
    "agreement terms: instalments are paid subject to progress).",
    "Cumulative deficit starts from Settings 'Opening cumulative deficit' (brought forward "
    "into the first Funding year): cumulative[t] = cumulative[t-1] + (expenditure - income - "
    "transfers + other blocks in-year deficit) - contributions.",
    "Deficits are positive; the DfE return shows surplus/(deficit), the negation: every "
    "surplus/(deficit) figure negative for a deficit, in brackets, and every variance to the "
    "agreement negative when worse than agreed.",
    HNB_BASIS_RULE,
)

#: Where the add-in's functions live for the classic add-in (xlwings.conf).
UDF_MODULES = "addin.udfs"

# --------------------------------------------------------------------------
# Look
# --------------------------------------------------------------------------
MONEY = "£#,##0;[Red]-£#,##0;£0"
RATE = "0.0%"
COUNT = "#,##0"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
NOTE_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE = Font(bold=True, size=14, color="1F3864")
HEADING = Font(bold=True, size=12, color="1F3864")
NOTE = Font(italic=True, color="595959")
BOLD = Font(bold=True)
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = "TableStyleLight1"

#: Number format of each input column (by table, column).
FORMATS: dict[tuple[str, str], str] = {
    ("Funding", "High Needs Block income"): MONEY,
    ("Funding", "Schools block"): MONEY,
    ("Funding", "Transfer rate"): "0.00%",
    ("Funding", "Other high needs spend"): MONEY,
    ("Funding", "Other blocks in-year deficit"): MONEY,
    ("Funding", "Council contribution"): MONEY,
    ("Funding", "Other contributions"): MONEY,
    ("Placements", "Count"): COUNT,
    ("Placements", "Cost per place"): MONEY,
    ("Placements", "Growth"): RATE,
    ("Placements", "Inflation"): RATE,
    ("Moves", "Change"): "+#,##0;-#,##0;0",
    ("Agreement", "DfE payment due"): MONEY,
    ("Agreement", "DfE payment received"): MONEY,
    ("Agreement", "Council contribution"): MONEY,
    ("Agreement", "Agreed cumulative deficit"): MONEY,
    ("Agreement", "DfE payment expected"): MONEY,
    ("HighNeedsLines", "Budget"): MONEY,
    ("HighNeedsLines", "Forecast outturn"): MONEY,
    ("EHCPPeriod", "Actual"): COUNT,
    ("EHCPPeriod", "Plan"): COUNT,
    ("EHCPByAge", "Actual"): COUNT,
    ("EHCPForecast", "Year"): "0",
    ("EHCPForecast", "Actual"): COUNT,
    ("EHCPForecast", "P10"): COUNT,
    ("EHCPForecast", "P50"): COUNT,
    ("EHCPForecast", "P90"): COUNT,
    ("Mitigations", "Year"): "@",
    ("Mitigations", "Planned saving"): MONEY,
    ("Mitigations", "Delivered saving"): MONEY,
    ("Mitigations", "Confidence"): "0%",
}

#: Forecast years the blank EHCPForecast table lays out after the last census.
FORECAST_HORIZON = 3

#: Help shown under each table's title.
TABLE_HELP: dict[str, str] = {
    "Settings": "One value per setting. Return period as YYYY-YY Qn; money in pounds; "
    "Opening cumulative deficit is brought forward into the first Funding year (positive = deficit). "
    "High Needs Block basis: 'after deductions' (default) or 'before deductions'. "
    "Write-off year (blank: no write-off), Write-off share (0 to 1, default 90%), Override end "
    "(default 2027-28) and Usable reserves: the deficit write-off and what it leaves on the "
    "council's reserves (About).",
    "Funding": "One row per financial year (YYYY-YY, consecutive). Transfer rate as a "
    "percentage of the schools block (1% = 0.01). Forum decision: the schools forum's "
    "decision on the year's transfer (Approved, Refused, or blank while undecided).",
    "Agreement": "The Safety Valve agreement's profile by year: payments due and received "
    "from the DfE, the council's contribution, the agreed cumulative deficit, and the payment "
    "the council expects for the current and later years (a withheld instalment: 0 this year, "
    "or in the year it is expected to be paid).",
    "Placements": "Base-year (first Funding year) children and young people by placement, "
    "average annual cost per place, yearly growth in numbers and cost inflation.",
    "Moves": "Planned net changes in count on top of growth (e.g. +30 new resourced places, "
    "-30 independent places they replace). Not in the base year.",
    "HighNeedsLines": "Current financial year, by Section 251 line: budget and forecast outturn.",
    "EHCPHistory": "Education, health and care plans at each January census, by placement category.",
    "EHCPPeriod": "EHC plans at the end of the return period: actual and the agreement's plan.",
    "EHCPByAge": "EHC plans at the end of the return period by age group.",
    "EHCPForecast": "EHC plan forecast by category and January census (Import EHCP forecast "
    "fills it from the DfE files): Actual up to the forecast's origin, then P10, P50 and P90. "
    "A Placements Growth of 'forecast' grows that placement at its category's P50 growth.",
    "Conditions": "The agreement's conditions: RAG (Green, Amber, Red) and commentary.",
    "Mitigations": "The savings the plan counts on, one row per workstream and financial year: "
    "Planned saving and Delivered saving (to date; 0 for a future year) in pounds, Confidence (the "
    "share expected, 0 to 100%) and RAG (Green, Amber, Red). The Funding and Placements inputs are "
    "the plan with these savings in it (About).",
    "Sources": "Where each figure or assumption of this model comes from; keep it up to date when "
    "a figure changes: the return's reviewers will ask. Status: Actual, Estimate, Assumption or "
    "Plan (the return's Notes sheet lists every figure that is not an actual); Sheet: the "
    "return sheet it appears on.",
}


# --------------------------------------------------------------------------
# What goes in the tables
# --------------------------------------------------------------------------
@dataclass
class ModelSpec:
    """The content of a model workbook's input tables.

    Each ``*_rows`` list holds data rows (no header) in the column order of
    :data:`models.inputs.TABLE_COLUMNS`; ``None`` is an empty cell.
    ``sources`` rows are ``(item, figure, source, status, sheet)``: status
    Actual, Estimate, Assumption or Plan; sheet the return sheet it is on.
    """

    settings: dict[str, Any]
    funding_rows: list[list[Any]]
    placements_rows: list[list[Any]]
    moves_rows: list[list[Any]]
    agreement_rows: list[list[Any]]
    high_needs_rows: list[list[Any]]
    census_years: list[int]
    ehcp_history_rows: list[list[Any]]
    ehcp_period_rows: list[list[Any]]
    ehcp_by_age_rows: list[list[Any]]
    conditions_rows: list[list[Any]]
    sources: list[tuple[str, ...]] = field(default_factory=list)
    #: EHCPForecast rows (Category, Year, Actual, P10, P50, P90); empty: the blank layout
    #: (:func:`forecast_layout`) for the census years and three forecast years.
    ehcp_forecast_rows: list[list[Any]] = field(default_factory=list)
    #: Mitigations rows (Workstream, Year, Planned saving, Delivered saving, Confidence, RAG);
    #: empty: blank rows for the council to fill in.
    mitigations_rows: list[list[Any]] = field(default_factory=list)
    #: The Refresh sheet's fan block (:func:`workbooks.refresh_sheet.fan_rows`) and its caption,
    #: as the refresh of this model writes them; empty: the frame, "not refreshed yet".
    scenario_rows: list[list[Any]] = field(default_factory=list)
    scenario_caption: str = ""
    title: str = "High Needs / DSG model"


def _next_year(year: str) -> str:
    start = int(year[:4]) + 1
    return year_label(start)


def _previous_year(year: str) -> str:
    return year_label(int(year[:4]) - 1)


#: Blank rows of the Mitigations table in a new model.
BLANK_MITIGATIONS = 8


def blank_spec(
    local_authority: str = "",
    la_code: str = "",
    first_year: str = "2024-25",
    n_years: int = 5,
    n_census: int = 7,
    n_conditions: int = 8,
) -> ModelSpec:
    """A model with every table laid out and every figure left for the council.

    Years run from ``first_year`` for ``n_years``; the census years are the
    ``n_census`` Januaries up to the one inside ``first_year``.
    """
    years = [first_year]
    for _ in range(n_years - 1):
        years.append(_next_year(years[-1]))
    last_census = int(first_year[:4]) + 1
    census = list(range(last_census - n_census + 1, last_census + 1))
    settings: dict[str, Any] = {name: None for name in SETTINGS}
    settings["Local authority"] = local_authority or None
    settings["LA code"] = la_code or None
    settings["High Needs Block basis"] = "after deductions"  # the default, stated
    # the 2026 write-off's defaults, stated where the years hold them (METHOD.md, DEFICIT_WRITE_OFF)
    if WRITE_OFF_YEAR in years and _previous_year(WRITE_OFF_YEAR) in years:
        settings["Write-off year"] = WRITE_OFF_YEAR
        settings["Write-off share"] = WRITE_OFF_SHARE
    if OVERRIDE_END in years:
        settings["Override end"] = OVERRIDE_END
    return ModelSpec(
        settings=settings,
        funding_rows=[[y, *[None] * (len(columns("Funding")) - 1)] for y in years],
        placements_rows=[[p, None, None, None, None] for p in PLACEMENT_CATEGORIES],
        moves_rows=[[None, None, None]],
        agreement_rows=[[y, *[None] * (len(columns("Agreement")) - 1)] for y in years],
        high_needs_rows=[[line, None, None] for line in HIGH_NEEDS_LINES],
        census_years=census,
        ehcp_history_rows=[[c] + [None] * len(census) for c in PLACEMENT_CATEGORIES],
        ehcp_period_rows=[[c, None, None] for c in PLACEMENT_CATEGORIES],
        ehcp_by_age_rows=[[a, None] for a in AGE_GROUPS],
        conditions_rows=[[None, None, None] for _ in range(n_conditions)],
        mitigations_rows=[[None] * len(MITIGATION_COLUMNS) for _ in range(BLANK_MITIGATIONS)],
        title=f"High Needs / DSG model{' - ' + local_authority if local_authority else ''}",
    )


# --------------------------------------------------------------------------
# Functions and formulas
# --------------------------------------------------------------------------
def function_name(name: str, officejs: bool = False, namespace: str = "XLWINGS") -> str:
    """The name a formula calls an add-in function by.

    The classic add-in registers ``PLACEMENT_COST_TABLE``; Office.js custom
    functions sit under a namespace (``XLWINGS.PLACEMENT_COST_TABLE``).

    >>> function_name("DSG_SUMMARY"), function_name("DSG_SUMMARY", officejs=True)
    ('DSG_SUMMARY', 'XLWINGS.DSG_SUMMARY')
    """
    if not officejs:
        return name
    namespace = namespace.strip().rstrip(".")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", namespace):
        raise ValueError(
            f"namespace {namespace!r}: letters, digits and _ only, starting with a letter"
        )
    return f"{namespace.upper()}.{name}"


@dataclass(frozen=True)
class _Layout:
    """Where the Workings rows sit (filled in by _workings)."""

    first_col: int
    n_years: int
    rows: dict[str, int]
    scalars: dict[str, str]

    def row_range(self, key: str, sheet: str = "Workings") -> str:
        r = self.rows[key]
        a = get_column_letter(self.first_col)
        b = get_column_letter(self.first_col + self.n_years - 1)
        return f"'{sheet}'!${a}${r}:${b}${r}"


#: The Calculations sheet's DSG_FAN: the dashboard's fan chart reads its spill.
FAN_TITLE = "DSG fan: how likely the agreed profile is"


def calculation_formulas(
    layout: _Layout, census_years: Sequence[int], officejs: bool = False, namespace: str = "XLWINGS"
) -> list[tuple[str, str, str]]:
    """The Calculations sheet's formulas: ``(title, formula, what it shows)``."""

    def f(name: str) -> str:
        return function_name(name, officejs, namespace)

    opening = layout.scalars["opening"]
    spend = layout.row_range("expenditure")
    transfers = layout.row_range("transfers")
    contributions = layout.row_range("contributions")
    forecast = layout.row_range("cumulative")
    traj_args = (
        f"Funding[Year], {opening}, Funding[High Needs Block income], {spend}, "
        f"{transfers}, {contributions}, Funding[Other blocks in-year deficit]"
    )
    first, last = layout.scalars["ehcp_first"], layout.scalars["ehcp_last"]
    write_off = layout.scalars
    span = max(census_years[-1] - census_years[0], 1) if census_years else 1
    growth = layout.scalars["growth"]
    return [
        (
            "Placement cost table (base year)",
            f"={f('PLACEMENT_COST_TABLE')}(Placements[#All])",
            "Count x cost per place by placement, with shares and a weighted average.",
        ),
        (
            "Placement projection: spend",
            f"={f('PLACEMENT_PROJECTION')}(Placements[#All], Funding[Year], {growth}, "
            f"Placements[Inflation], Moves[#All])",
            "Spend per placement per year from the base year, with growth, inflation and moves.",
        ),
        (
            "Placement projection: count",
            f"={f('PLACEMENT_PROJECTION')}(Placements[#All], Funding[Year], {growth}, "
            f'Placements[Inflation], Moves[#All], "count")',
            "Children and young people per placement per year.",
        ),
        (
            "Block transfers",
            f"={f('BLOCK_TRANSFER_IMPACT')}(Funding[Year], Funding[Schools block], "
            "Funding[Transfer rate], , Funding[Forum decision])",
            "Schools block to High Needs Block transfers and the approvals they need (a transfer "
            "the schools forum refused needs the Secretary of State).",
        ),
        (
            "DSG trajectory",
            f"={f('DSG_TRAJECTORY')}({traj_args})",
            "In-year and cumulative DSG deficit (positive = deficit); expenditure, transfers and "
            "contributions from the Workings sheet, which applies the refresh's rules.",
        ),
        (
            "DSG summary",
            f"={f('DSG_SUMMARY')}({traj_args})",
            "When the in-year balance and the cumulative deficit are reached, and the peak.",
        ),
        (
            "Variance to the agreed profile",
            f"={f('VARIANCE_TO_PLAN')}(Funding[Year], {forecast}, Agreement[Agreed cumulative deficit])",
            "Forecast cumulative deficit against the agreement (Green/Amber/Red).",
        ),
        (
            "EHCP growth a year (compound)",
            f"={f('EHCP_GROWTH')}({first}, {last}, {span})",
            "Compound annual growth of EHC plans between the first and last census.",
        ),
        (
            "EHCP change over the period",
            f"={f('PERCENT_CHANGE')}({first}, {last})",
            "Percentage change in EHC plans between the first and last census.",
        ),
        (
            FAN_TITLE,
            f"={f('DSG_FAN')}({traj_args}, Agreement[Agreed cumulative deficit])",
            "P10, P50 and P90 of the cumulative deficit over 10,000 scenarios of spend and income "
            "growth (seed 1), the deterministic path, the agreed profile and the share of scenarios "
            "on or below it (P(on track)), recalculated as the inputs change. The dashboard's "
            "fan chart shows the fuller run of the last refresh (the Refresh sheet).",
        ),
        (
            "Deficit write-off and what falls on the council",
            f"={f('DEFICIT_WRITE_OFF')}(Funding[Year], {forecast}, {write_off['wo_year']}, "
            f"{write_off['wo_share']}, {write_off['wo_end']})",
            "The High Needs Stability Grant's write-off of the deficit at the 31 March before the "
            "Write-off year (Settings), the deficit left, and what falls on the council from the "
            "Override end (no write-off: share 0).",
        ),
    ]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def _title(ws, row: int, text: str, font: Font = HEADING) -> None:
    ws.cell(row=row, column=1, value=text).font = font


def _note(ws, row: int, text: str, col: int = 1, span: int = 8) -> None:
    cell = ws.cell(row=row, column=col, value=text)
    cell.font = NOTE
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if span > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
    ws.row_dimensions[row].height = 30


def _add_table(
    ws,
    name: str,
    top: int,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[str, str] | None = None,
    text_cols: Sequence[str] = (),
) -> int:
    """Write a titled Excel Table at ``top``; returns the next free row."""
    _title(ws, top, name)
    _note(ws, top + 1, TABLE_HELP.get(name, ""), span=max(len(header), 4))
    head = top + 2
    for j, h in enumerate(header, start=1):
        cell = ws.cell(row=head, column=j, value=str(h))
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    body = rows if rows else [[None] * len(header)]
    for i, values in enumerate(body, start=1):
        for j, h in enumerate(header, start=1):
            value = values[j - 1] if j - 1 < len(values) else None
            cell = set_text(ws, head + i, j, value)  # an input is a value: text stays text
            cell.fill = INPUT_FILL
            cell.border = BOX
            fmt = (formats or {}).get(str(h)) or FORMATS.get((name, str(h)))
            if fmt:
                cell.number_format = fmt
            if str(h) in text_cols:
                cell.number_format = "@"
                cell.alignment = WRAP
    last = head + len(body)
    ref = f"A{head}:{get_column_letter(len(header))}{last}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(
        name=TABLE_STYLE, showRowStripes=False, showColumnStripes=False
    )
    ws.add_table(table)
    return last + 2


def _widths(ws, widths: dict[str, float]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[col].width = width


def _about(wb: Workbook, spec: ModelSpec, officejs: bool, namespace: str) -> None:
    ws = wb.active
    ws.title = "About"
    _widths(ws, {"A": 4, "B": 110})
    ws.sheet_view.showGridLines = False
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws["B1"] = spec.title
    ws["B1"].font = TITLE
    lines: list[tuple[str, Font | None]] = [
        (
            "The model behind the quarterly DfE Dedicated Schools Grant monitoring return. "
            "Yellow cells are inputs; everything else is worked out.",
            None,
        ),
        ("", None),
        ("Each quarter", HEADING),
        (
            "1. Update the input tables (sheets Inputs, Placements, High needs, EHCPs, Conditions): "
            "Settings 'Return period', the forecast outturn by Section 251 line, EHC plan numbers, "
            "the agreement's payments and the progress on each condition.",
            None,
        ),
        (
            "2. Press Run in the xlwings add-in (or run `dsg refresh MODEL` at a command prompt): "
            "the DfE monitoring return is filled, checked and saved beside the earlier ones.",
            None,
        ),
        (
            "3. Review the return's Checks sheet (every check PASS) before it goes to the Section 151 officer.",
            None,
        ),
        ("", None),
        ("Rules the refresh applies (and the Workings sheet shows with plain formulas)", HEADING),
    ]
    lines += [(f"- {rule}", None) for rule in REFRESH_RULES]
    function_text = (
        f"The Calculations sheet calls the add-in's functions as Office.js custom functions "
        f"under the namespace {namespace.upper()} (e.g. ={function_name('DSG_SUMMARY', True, namespace)}(...)); "
        "they calculate once the add-in is loaded."
        if officejs
        else "The Calculations sheet calls the classic xlwings add-in's functions (e.g. =DSG_SUMMARY(...)). "
        "The xlwings.conf sheet tells the add-in to import them from addin.udfs: save the "
        "workbook as .xlsm and press 'Import Functions' once on the xlwings ribbon (it writes "
        "xlwings' generated wrappers into the workbook; the model itself carries no code)."
    )
    lines += [
        ("", None),
        ("The add-in's functions", HEADING),
        (function_text, None),
        (
            "Each function returns a table that spills as a dynamic array (Excel 365 or 2021). "
            "The file marks those cells as dynamic arrays, as Excel does; Excel versions without "
            "dynamic arrays, or a copy re-saved by a program that drops that marking, show the "
            "formula with an @ (implicit intersection) and only its first cell: delete the @ to spill it again. "
            "Other spreadsheet programs show #NAME? on the Calculations sheet; the Workings and "
            "Dashboard sheets use plain formulas only and work everywhere.",
            None,
        ),
        ("", None),
        ("Sheets", HEADING),
        (
            "Inputs: Settings, Funding, Agreement. Placements: Placements, Moves. High needs: "
            "HighNeedsLines. EHCPs: EHCPHistory, EHCPPeriod, EHCPByAge, EHCPForecast. "
            "Conditions: Conditions. Mitigations: Mitigations. "
            "Calculations: the add-in's functions. Workings: the year-by-year position with plain "
            "formulas (the charts read it). Dashboard: key figures and charts. Sources: where each "
            "figure comes from. xlwings.conf: settings for the classic add-in.",
            None,
        ),
        ("", None),
        ("EHC plan forecast", HEADING),
        (
            "EHCPForecast holds the demand forecast, one row per category and January census: "
            "columns Category (the seven placement categories and Total), Year (the census), "
            "Actual (DfE's count up to the forecast's origin, empty where DfE suppressed it), "
            "then P10, P50 and P90 (plans, for the censuses after the origin; 8 in 10 outcomes "
            "fall between P10 and P90 in the backtest). Import EHCP forecast fills it from the DfE "
            "files for the Settings 'LA code' (the cohort model of `dsg forecast`).",
            None,
        ),
        (
            "- Growth 'forecast' in Placements: that placement grows at the P50 growth of its "
            "category (the placement named as the category) from EHCPForecast, the compound "
            "average between its first and last P50 years: (P50 last / P50 first) ^ (1 / years "
            "between) - 1, used for every year of the projection. Without EHCPForecast or the "
            "category, the refresh refuses it naming the Placements row. The Workings sheet shows "
            "the growth each placement uses; the dashboard's forecast chart draws EHCPForecast's "
            "Total: the history, the P50 and the P10-P90 band.",
            None,
        ),
        ("", None),
        ("Mitigations: the savings the plan counts on", HEADING),
        (MITIGATION_CONVENTION, None),
        (
            "The Mitigations table lists each saving by workstream and financial year (a Funding "
            "year): Planned saving and Delivered saving to date (0 for a year still to come) in "
            "pounds, Confidence (the share of the planned saving the council expects, 0 to 100%) "
            "and RAG (Green, Amber or Red). The savings never change the plan's own figures: "
            "the return's Scenarios sheet and `dsg scenarios` show the unmitigated and "
            "risk-adjusted views beside it.",
            None,
        ),
        ("", None),
        ("The 2026 deficit write-off and the council's reserves", HEADING),
        (WRITE_OFF_EXPLAINED, None),
        (
            "Settings: Write-off year (the year the grant is paid, 2026-27; blank for no "
            "write-off), Write-off share (0.9), Override end (2027-28, the last year the "
            "override covers) and Usable reserves (the council's usable reserves, pounds). The "
            "Workings sheet fills in the defaults; the Dashboard shows the deficit at 31 March "
            "before the write-off year, the write-off, the deficit left when the override ends, "
            "what falls on the council (none if that is a surplus) and what it leaves of the "
            "usable reserves; the Calculations sheet's DEFICIT_WRITE_OFF shows it year by year.",
            None,
        ),
        ("", None),
        (
            "Tables can grow (add rows inside them); the Workings sheet covers the years and "
            "placements the model was built with: rebuild it with `dsg new-model` for more.",
            None,
        ),
    ]
    for i, (text, font) in enumerate(lines, start=3):
        cell = ws.cell(row=i, column=2, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        elif text:
            # Spreadsheet programs do not grow a wrapped row in a file they open:
            # give each paragraph the lines it needs (about 95 characters a line here).
            ws.row_dimensions[i].height = 15 * max(1, -(-len(text) // 95))
        if text.startswith("- ") and "High Needs expenditure" in text:
            cell.fill = NOTE_FILL
            cell.font = BOLD


def columns(table: str) -> tuple[str, ...]:
    """The columns the builder writes for ``table``: the required, then the optional ones."""
    return TABLE_COLUMNS[table] + OPTIONAL_COLUMNS.get(table, ())


def _inputs(wb: Workbook, spec: ModelSpec) -> None:
    ws = wb.create_sheet("Inputs")
    _widths(ws, {get_column_letter(i): 17 for i in range(1, 9)})
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 26
    names = SETTINGS + OPTIONAL_SETTINGS
    settings_rows = [[name, spec.settings.get(name)] for name in names]
    row = _add_table(ws, "Settings", 1, TABLE_COLUMNS["Settings"], settings_rows)
    # Per-row formats of the Settings values.
    for r in range(4, 4 + len(names)):
        name = ws.cell(row=r, column=1).value
        cell = ws.cell(row=r, column=2)
        cell.alignment = Alignment(horizontal="left")
        if name == "Opening cumulative deficit":
            cell.number_format = MONEY
        elif name == "Period end date":
            cell.number_format = "dd/mm/yyyy"
        elif name in ("LA code", "Write-off year", "Override end"):
            cell.number_format = "@"
        elif name == "Write-off share":
            cell.number_format = "0%"
        elif name == "Usable reserves":
            cell.number_format = MONEY
    row = _add_table(ws, "Funding", row, columns("Funding"), spec.funding_rows)
    _add_table(ws, "Agreement", row, columns("Agreement"), spec.agreement_rows)
    ws.freeze_panes = "A4"


def _placements(wb: Workbook, spec: ModelSpec) -> None:
    ws = wb.create_sheet("Placements")
    _widths(ws, {"A": 44, "B": 14, "C": 16, "D": 12, "E": 12})
    row = _add_table(ws, "Placements", 1, TABLE_COLUMNS["Placements"], spec.placements_rows)
    _add_table(ws, "Moves", row, TABLE_COLUMNS["Moves"], spec.moves_rows)
    ws.freeze_panes = "A4"


def _high_needs(wb: Workbook, spec: ModelSpec) -> None:
    ws = wb.create_sheet("High needs")
    _widths(ws, {"A": 78, "B": 18, "C": 18})
    _add_table(ws, "HighNeedsLines", 1, TABLE_COLUMNS["HighNeedsLines"], spec.high_needs_rows)
    end = 4 + len(spec.high_needs_rows)
    total = ws.cell(row=end, column=1, value="Total (sum of the lines above)")
    total.font = BOLD
    for col in (2, 3):
        letter = get_column_letter(col)
        c = ws.cell(row=end, column=col, value=f"=SUM({letter}4:{letter}{end - 1})")
        c.font = BOLD
        c.number_format = MONEY
    rule = ws.cell(row=end + 2, column=1, value=EXPENDITURE_RULE)
    rule.fill = NOTE_FILL
    rule.font = BOLD
    rule.alignment = WRAP
    ws.merge_cells(start_row=end + 2, start_column=1, end_row=end + 2, end_column=3)
    ws.row_dimensions[end + 2].height = 62
    ws.freeze_panes = "B4"


def _ehcps(wb: Workbook, spec: ModelSpec) -> None:
    ws = wb.create_sheet("EHCPs")
    _widths(ws, {"A": 46})
    for i in range(2, 3 + len(spec.census_years)):
        ws.column_dimensions[get_column_letter(i)].width = 11
    header = ("Category", *[str(y) for y in spec.census_years])
    fmts = {str(y): COUNT for y in spec.census_years}
    row = _add_table(ws, "EHCPHistory", 1, header, spec.ehcp_history_rows, formats=fmts)
    row = _add_table(ws, "EHCPPeriod", row, TABLE_COLUMNS["EHCPPeriod"], spec.ehcp_period_rows)
    row = _add_table(ws, "EHCPByAge", row, TABLE_COLUMNS["EHCPByAge"], spec.ehcp_by_age_rows)
    _add_table(ws, FORECAST_TABLE, row, FORECAST_COLUMNS, forecast_rows(spec))
    ws.freeze_panes = "B4"


def forecast_layout(
    census_years: Sequence[int], horizon: int = FORECAST_HORIZON
) -> list[list[Any]]:
    """The blank EHCPForecast rows: every category and Total, each census year and ``horizon`` more.

    >>> rows = forecast_layout([2024, 2025], 1)
    >>> len(rows), rows[0], rows[-1]
    (24, ['Mainstream schools or academies', 2024, None, None, None, None], ['Total', 2026, None, None, None, None])
    """
    last = census_years[-1] if census_years else 2025
    years = [*census_years, *range(last + 1, last + 1 + horizon)]
    return [[c, y, None, None, None, None] for c in (*PLACEMENT_CATEGORIES, TOTAL) for y in years]


def forecast_rows(spec: ModelSpec) -> list[list[Any]]:
    """The EHCPForecast rows the workbook is built with (the blank layout when none)."""
    return spec.ehcp_forecast_rows or forecast_layout(spec.census_years)


def forecast_chart_years(spec: ModelSpec) -> int:
    """Census years the dashboard's forecast chart shows: the Total rows of EHCPForecast."""
    return max(1, sum(1 for r in forecast_rows(spec) if str(r[0]).strip().casefold() == "total"))


def _conditions(wb: Workbook, spec: ModelSpec) -> None:
    ws = wb.create_sheet("Conditions")
    _widths(ws, {"A": 60, "B": 10, "C": 80})
    _add_table(
        ws,
        "Conditions",
        1,
        TABLE_COLUMNS["Conditions"],
        spec.conditions_rows,
        text_cols=("Condition", "Commentary"),
    )
    for r in range(4, 4 + len(spec.conditions_rows)):
        ws.row_dimensions[r].height = 62
        ws.cell(row=r, column=2).alignment = Alignment(horizontal="center", vertical="top")
    ws.freeze_panes = "A4"


def _mitigations(wb: Workbook, spec: ModelSpec) -> None:
    """The Mitigations table, with Confidence held to 0-1 and RAG to Green, Amber or Red."""
    ws = wb.create_sheet("Mitigations")
    _widths(ws, {"A": 56, "B": 11, "C": 17, "D": 17, "E": 12, "F": 10})
    rows = spec.mitigations_rows or [[None] * len(MITIGATION_COLUMNS)]
    _add_table(ws, "Mitigations", 1, MITIGATION_COLUMNS, rows, text_cols=("Workstream",))
    first, last = 4, 3 + len(rows)
    confidence = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="1",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Confidence",
        error="Confidence is the share of the planned saving expected: 0 to 1 (0% to 100%).",
    )
    confidence.add(f"E{first}:E{last}")
    rag = DataValidation(
        type="list",
        formula1='"Green,Amber,Red"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="RAG",
        error="RAG is Green, Amber or Red.",
    )
    rag.add(f"F{first}:F{last}")
    for dv in (confidence, rag):
        ws.add_data_validation(dv)
    ws.freeze_panes = "A4"


def _setting(name: str) -> str:
    return f'INDEX(Settings[Value],MATCH("{name}",Settings[Setting],0))'


def _workings(wb: Workbook, spec: ModelSpec) -> _Layout:
    """Year-by-year position with plain formulas over the input tables."""
    ws = wb.create_sheet("Workings")
    n = len(spec.funding_rows)
    first = 3  # column C holds the first year
    cols = [get_column_letter(first + k) for k in range(n)]
    _widths(ws, {"A": 46, "B": 14})
    for c in cols:
        ws.column_dimensions[c].width = 15
    _title(ws, 1, "Workings: the year-by-year position with plain Excel formulas", TITLE)
    _note(
        ws,
        2,
        "No add-in needed: these formulas read the input tables and apply the rules on the "
        "About sheet, the same rules the refresh applies with the Python models. The dashboard's "
        "charts read this sheet. Positive = deficit.",
        span=2 + n,
    )
    ws["A4"], ws["B4"] = "Return period", f"={_setting('Return period')}"
    ws["A5"], ws["B5"] = "Current financial year", "=LEFT(TRIM(B4),7)"
    ws["A6"], ws["B6"] = (
        "Opening cumulative deficit (into the first year)",
        f"={_setting('Opening cumulative deficit')}",
    )
    ws["B6"].number_format = MONEY
    for a in ("A4", "A5", "A6"):
        ws[a].font = BOLD

    rows: dict[str, int] = {}
    labels = [
        ("year", "Year"),
        ("index", "Year number (0 = base year)"),
        ("projection", "Placement projection spend"),
        ("other_spend", "Other high needs spend"),
        ("s251", "Section 251 forecast outturn (current year)"),
        ("expenditure", "High Needs expenditure"),
        ("income", "High Needs Block income"),
        ("transfers", "Block transfers in"),
        ("other_blocks", "Other blocks in-year deficit"),
        ("in_year", "In-year deficit"),
        ("dfe", "DfE Safety Valve contribution"),
        ("council", "Council contribution"),
        ("other_contrib", "Other contributions"),
        ("contributions", "Contributions applied to the deficit"),
        ("cumulative", "Cumulative deficit carried forward"),
        ("agreed", "Agreed cumulative deficit (Agreement)"),
        ("variance", "Variance to the agreed profile"),
        ("blank1", ""),
        ("ehcp_count", "EHC plans (placement projection count)"),
        ("ehcp_growth", "EHC plan growth on the year before"),
        ("hnb_growth", "High Needs Block income growth on the year before"),
        ("ehcp_index", "EHC plans, index (base year = 100)"),
        ("hnb_index", "High Needs Block income, index (base year = 100)"),
    ]
    top = 8
    for i, (key, text) in enumerate(labels):
        rows[key] = top + i
        ws.cell(row=top + i, column=1, value=text or None)
    notes = {
        "s251": "Sum of HighNeedsLines",
        "expenditure": "The rule (About)",
        "dfe": "Received to current year, then due",
        "cumulative": "Rolls forward",
    }
    for key, text in notes.items():
        ws.cell(row=rows[key], column=2, value=text).font = NOTE
    for key in ("year", "expenditure", "in_year", "cumulative"):
        ws.cell(row=rows[key], column=1).font = BOLD

    n_place = len(spec.placements_rows)
    count_top = rows["hnb_index"] + 3
    spend_top = count_top + n_place + 3
    # below the census history (hist_top + 4): the growth each placement grows at
    growth_top = spend_top + n_place + 2 + 8
    ws.cell(row=count_top - 1, column=1, value="Placement projection: count").font = HEADING
    ws.cell(row=spend_top - 1, column=1, value="Placement projection: spend").font = HEADING

    def r(key: str, c: str) -> str:
        return f"{c}{rows[key]}"

    for k, c in enumerate(cols):
        kk = k + 1
        prev = cols[k - 1] if k else None
        ws[r("year", c)] = f"=INDEX(Funding[Year],{kk})"
        ws[r("index", c)] = k
        count_cells = ",".join(f"{c}{count_top + i}" for i in range(n_place)) or "0"
        spend_cells = ",".join(f"{c}{spend_top + i}" for i in range(n_place)) or "0"
        ws[r("projection", c)] = f"=SUM({spend_cells})"
        ws[r("other_spend", c)] = f"=INDEX(Funding[Other high needs spend],{kk})"
        ws[r("s251", c)] = f'=IF({c}${rows["year"]}=$B$5,SUM(HighNeedsLines[Forecast outturn]),"")'
        ws[r("expenditure", c)] = (
            f"=IF({c}${rows['year']}=$B$5,{r('s251', c)},"
            f"{r('projection', c)}+{r('other_spend', c)})"
        )
        ws[r("income", c)] = f"=INDEX(Funding[High Needs Block income],{kk})"
        ws[r("transfers", c)] = (
            f"=INDEX(Funding[Schools block],{kk})*INDEX(Funding[Transfer rate],{kk})"
        )
        ws[r("other_blocks", c)] = f"=INDEX(Funding[Other blocks in-year deficit],{kk})"
        ws[r("in_year", c)] = (
            f"={r('expenditure', c)}-{r('income', c)}-{r('transfers', c)}+{r('other_blocks', c)}"
        )
        y = f"{c}${rows['year']}"
        ws[r("dfe", c)] = (
            f"=IF({y}<$B$5,SUMIFS(Agreement[DfE payment received],Agreement[Year],{y}),"
            f"SUMIFS(Agreement[DfE payment expected],Agreement[Year],{y}))"
        )
        ws[r("council", c)] = f"=INDEX(Funding[Council contribution],{kk})"
        ws[r("other_contrib", c)] = f"=INDEX(Funding[Other contributions],{kk})"
        ws[r("contributions", c)] = f"={r('dfe', c)}+{r('council', c)}+{r('other_contrib', c)}"
        before = "$B$6" if prev is None else r("cumulative", prev)
        ws[r("cumulative", c)] = f"={before}+{r('in_year', c)}-{r('contributions', c)}"
        ws[r("agreed", c)] = f"=SUMIFS(Agreement[Agreed cumulative deficit],Agreement[Year],{y})"
        ws[r("variance", c)] = f"={r('cumulative', c)}-{r('agreed', c)}"
        ws[r("ehcp_count", c)] = f"=SUM({count_cells})"
        first_c = cols[0]
        if prev is not None:
            ws[r("ehcp_growth", c)] = f"={r('ehcp_count', c)}/{r('ehcp_count', prev)}-1"
            ws[r("hnb_growth", c)] = f"={r('income', c)}/{r('income', prev)}-1"
        ws[r("ehcp_index", c)] = f"={r('ehcp_count', c)}/{first_c}${rows['ehcp_count']}*100"
        ws[r("hnb_index", c)] = f"={r('income', c)}/{first_c}${rows['income']}*100"
        for i in range(n_place):
            p = i + 1
            cr, sr = count_top + i, spend_top + i
            if prev is None:
                ws[f"{c}{cr}"] = f"=INDEX(Placements[Count],{p})"
            else:
                ws[f"{c}{cr}"] = (
                    f"={prev}{cr}*(1+$B${growth_top + i})"
                    f"+SUMIFS(Moves[Change],Moves[Placement],$A{cr},Moves[Year],{c}${rows['year']})"
                )
            ws[f"{c}{sr}"] = (
                f"={c}{cr}*INDEX(Placements[Cost per place],{p})"
                f"*(1+INDEX(Placements[Inflation],{p}))^{c}${rows['index']}"
            )
            ws[f"{c}{cr}"].number_format = "#,##0.0"
            ws[f"{c}{sr}"].number_format = MONEY
        for key in rows:
            if key in ("year", "index", "blank1"):
                continue
            fmt = RATE if key.endswith("growth") else ("0.0" if key.endswith("index") else MONEY)
            if key == "ehcp_count":
                fmt = "#,##0.0"
            ws[r(key, c)].number_format = fmt
        ws[r("year", c)].font = BOLD
        ws[r("year", c)].alignment = Alignment(horizontal="right")
    for i in range(n_place):
        ws.cell(row=count_top + i, column=1, value=f"=INDEX(Placements[Placement],{i + 1})")
        ws.cell(row=spend_top + i, column=1, value=f"=INDEX(Placements[Placement],{i + 1})")

    # EHC plans at each January census (EHCPHistory totals).
    hist_top = spend_top + n_place + 2
    ws.cell(
        row=hist_top, column=1, value="EHC plans at each January census (EHCPHistory)"
    ).font = HEADING
    ws.cell(row=hist_top + 1, column=1, value="January census").font = BOLD
    ws.cell(row=hist_top + 2, column=1, value="EHC plans (all categories)")
    ws.cell(row=hist_top + 3, column=1, value="Growth on the census before")
    years = spec.census_years
    for j, year in enumerate(years):
        col = get_column_letter(2 + j)
        ws.column_dimensions[col].width = max(ws.column_dimensions[col].width or 0, 12)
        ws[f"{col}{hist_top + 1}"] = year
        ws[f"{col}{hist_top + 2}"] = f"=SUM(EHCPHistory[{year}])"
        ws[f"{col}{hist_top + 2}"].number_format = COUNT
        if j:
            prev_col = get_column_letter(1 + j)
            ws[f"{col}{hist_top + 3}"] = f"={col}{hist_top + 2}/{prev_col}{hist_top + 2}-1"
            ws[f"{col}{hist_top + 3}"].number_format = RATE
    first_cell = f"'Workings'!$B${hist_top + 2}"
    last_cell = f"'Workings'!${get_column_letter(1 + max(len(years), 1))}${hist_top + 2}"
    ws.cell(row=hist_top + 4, column=1, value="Compound growth a year, first to last census")
    if len(years) > 1:
        cagr = ws.cell(
            row=hist_top + 4,
            column=2,
            value=f"=({last_cell}/{first_cell})^(1/{years[-1] - years[0]})-1",
        )
        cagr.number_format = "0.00%"

    _growth_used(ws, growth_top, n_place)
    forecast_top = growth_top + n_place + 2
    forecast_rows_at = _forecast_block(ws, forecast_top, forecast_chart_years(spec))
    write_off_rows = _write_off_block(ws, forecast_top + 9)

    for row_cells in ws.iter_rows(min_row=top, max_row=spend_top + n_place, min_col=1, max_col=2):
        for cell in row_cells:
            cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = ws.cell(row=top + 1, column=first)
    return _Layout(
        first_col=first,
        n_years=n,
        rows={
            **rows,
            "count_top": count_top,
            "spend_top": spend_top,
            "n_place": n_place,
            "growth_top": growth_top,
            **forecast_rows_at,
            **write_off_rows,
        },
        scalars={
            "opening": "'Workings'!$B$6",
            "ehcp_first": first_cell,
            "ehcp_last": last_cell,
            "growth": f"'Workings'!$B${growth_top}:$B${growth_top + max(n_place, 1) - 1}",
            **{key: f"'Workings'!$B${row}" for key, row in write_off_rows.items()},
        },
    )


def _growth_used(ws, top: int, n_place: int) -> None:
    """Workings: the growth each placement grows at (its Growth, or the forecast's P50 growth).

    For a Growth of ``forecast`` (:mod:`models.forecast_growth`), with the
    category's P50 rows in EHCPForecast at consecutive years::

        n      = number of P50 years of the category       (column C)
        last   = the last of them                           (column D)
        growth = (P50[last] / P50[last - n + 1]) ^ (1 / (n - 1)) - 1
    """
    ws.cell(
        row=top - 2,
        column=1,
        value="Placement growth used (Placements Growth; 'forecast': the EHCPForecast P50 growth)",
    ).font = HEADING
    for j, h in enumerate(("Placement", "Growth used", "P50 years", "Last P50 year"), start=1):
        ws.cell(row=top - 1, column=j, value=h).font = BOLD
    f = FORECAST_TABLE
    for i in range(n_place):
        r, p = top + i, i + 1
        g = f"INDEX(Placements[Growth],{p})"
        name = f"$A{r}"
        ws.cell(row=r, column=1, value=f"=INDEX(Placements[Placement],{p})")
        ws.cell(row=r, column=3, value=f'=COUNTIFS({f}[Category],{name},{f}[P50],"<>")')
        ws.cell(
            row=r,
            column=4,
            value=f'=SUMPRODUCT(MAX(({f}[Category]={name})*({f}[P50]<>"")*{f}[Year]))',
        )
        p50 = f"SUMIFS({f}[P50],{f}[Category],{name},{f}[Year],"
        forecast = f"({p50}$D{r})/{p50}$D{r}-$C{r}+1))^(1/($C{r}-1))-1"
        ws.cell(
            row=r,
            column=2,
            value=f'=IF(ISTEXT({g}),IF(LOWER(TRIM({g}))="{FORECAST}",{forecast},NA()),{g})',
        ).number_format = "0.00%"


def _write_off_block(ws, top: int) -> dict[str, int]:
    """Workings: the write-off Settings as the calculations use them, defaults filled in.

    ::

        Write-off year    = Settings 'Write-off year' ("" when blank: no write-off)
        Write-off share   = 0 when no write-off, else Settings 'Write-off share' (blank: 0.9)
        Override end      = Settings 'Override end' (blank: 2027-28)
        Usable reserves   = Settings 'Usable reserves' ("" when blank)

    METHOD.md, DEFICIT_WRITE_OFF; the Calculations sheet's DEFICIT_WRITE_OFF and the
    Dashboard's write-off figures read these cells.
    """
    ws.cell(
        row=top, column=1, value="Deficit write-off and reserves (Settings, defaults filled in)"
    ).font = HEADING
    year, share, end, reserves = (_setting(n) for n in SETTINGS_WRITE_OFF)
    rows = {
        "wo_year": (
            "Write-off year (blank: no write-off)",
            f'=IF({year}="","",{year})',
            "@",
        ),
        "wo_share": (
            "Write-off share (0 with no write-off)",
            f'=IF(B{top + 1}="",0,IF({share}="",{WRITE_OFF_SHARE!r},{share}))',
            "0%",
        ),
        "wo_end": (
            "Override end (the last year the statutory override covers)",
            f'=IF({end}="","{OVERRIDE_END}",{end})',
            "@",
        ),
        "wo_reserves": ("Usable reserves", f'=IF({reserves}="","",{reserves})', MONEY),
    }
    out = {}
    for i, (key, (label, formula, fmt)) in enumerate(rows.items(), start=1):
        ws.cell(row=top + i, column=1, value=label)
        cell = ws.cell(row=top + i, column=2, value=formula)
        cell.number_format = fmt
        cell.alignment = Alignment(horizontal="right")
        out[key] = top + i
    return out


#: The Settings rows of the deficit write-off and the reserves it is set against.
SETTINGS_WRITE_OFF: tuple[str, ...] = (
    "Write-off year",
    "Write-off share",
    "Override end",
    "Usable reserves",
)


def _forecast_block(ws, top: int, n: int) -> dict[str, int]:
    """Workings: EHCPForecast's Total by census year, for the dashboard's forecast chart.

    Years are the last ``n`` of the Total rows; the P50, P10 and band rows
    start at the origin (the last Actual) from the count itself, as the
    forecast workbook of ``dsg forecast --out`` draws them. A cell without a
    figure is ``#N/A`` (a gap in the chart).
    """
    f = FORECAST_TABLE
    ws.cell(row=top, column=1, value="EHC plan forecast, Total (EHCPForecast)").font = HEADING
    ws.cell(row=top + 1, column=1, value="Forecast origin (last census with an actual)")
    ws.cell(
        row=top + 1,
        column=2,
        value=f'=SUMPRODUCT(MAX(({f}[Category]="{TOTAL}")*({f}[Actual]<>"")*{f}[Year]))',
    )
    ws.cell(row=top + 2, column=1, value="Last forecast census")
    ws.cell(row=top + 2, column=2, value=f'=SUMPRODUCT(MAX(({f}[Category]="{TOTAL}")*{f}[Year]))')
    keys = {
        "fc_year": (top + 3, "Forecast census year"),
        "fc_actual": (top + 4, "Actual"),
        "fc_p50": (top + 5, "P50"),
        "fc_p10": (top + 6, "P10"),
        "fc_band": (top + 7, "P10-P90 band"),
    }
    for row, label in keys.values():
        ws.cell(row=row, column=1, value=label)

    def has(column: str, y: str) -> str:
        return f'COUNTIFS({f}[Category],"{TOTAL}",{f}[Year],{y},{f}[{column}],"<>")'

    def value(column: str, y: str) -> str:
        return f'SUMIFS({f}[{column}],{f}[Category],"{TOTAL}",{f}[Year],{y})'

    for k in range(n):
        c = get_column_letter(2 + k)
        y = f"{c}${top + 3}"
        actual = f"{c}{top + 4}"
        ws[y.replace("$", "")] = f"=$B${top + 2}-{n - 1 - k}"
        ws[actual] = f"=IF({has('Actual', y)}=0,NA(),{value('Actual', y)})"
        for row, column in ((top + 5, "P50"), (top + 6, "P10")):
            ws[f"{c}{row}"] = (
                f"=IF({y}=$B${top + 1},{actual},IF({has(column, y)}=0,NA(),{value(column, y)}))"
            )
        ws[f"{c}{top + 7}"] = (
            f"=IF({y}=$B${top + 1},IF(ISNUMBER({actual}),0,NA()),"
            f"IF({has('P90', y)}=0,NA(),{value('P90', y)}-{value('P10', y)}))"
        )
        for row in range(top + 4, top + 8):
            ws[f"{c}{row}"].number_format = COUNT
    return {key: row for key, (row, _) in keys.items()} | {"fc_n": n}


def _calculations(
    wb: Workbook, spec: ModelSpec, layout: _Layout, officejs: bool, namespace: str
) -> list[str]:
    ws = wb.create_sheet("Calculations", index=wb.sheetnames.index("Workings"))
    _widths(ws, {"A": 44})
    for i in range(2, 12):
        ws.column_dimensions[get_column_letter(i)].width = 16
    _title(ws, 1, "Calculations: the add-in's functions", TITLE)
    _note(
        ws,
        2,
        "Each formula spills a table (dynamic array). They need the add-in: "
        + (
            "Office.js custom functions under " + namespace.upper() + "."
            if officejs
            else "the classic xlwings add-in with 'Import Functions' (see xlwings.conf)."
        )
        + " Leave the cells below each formula empty so the result can spill.",
        span=8,
    )
    n_years = len(spec.funding_rows)
    n_place = len(spec.placements_rows)
    heights = [
        n_place + 3,
        n_place + 3,
        n_place + 3,
        n_years + 2,
        n_years + 2,
        7,
        n_years + 2,
        2,
        2,
        n_years + 2,  # DSG_FAN: header and a row per year, 7 columns
        n_years + 2,  # DEFICIT_WRITE_OFF: header and a row per year, 5 columns
    ]
    anchors: list[str] = []
    row = 4
    for (title, formula, what), height in zip(
        calculation_formulas(layout, spec.census_years, officejs, namespace), heights, strict=True
    ):
        _title(ws, row, title)
        ws.cell(row=row + 1, column=1, value=what).font = NOTE
        anchor = f"A{row + 2}"
        ws[anchor] = ArrayFormula(anchor, formula)
        anchors.append(anchor)
        row += 2 + height + 1
    ws.freeze_panes = "A4"
    return anchors


def _secretary_of_state() -> str:
    """The current year's Secretary of State approval, as BLOCK_TRANSFER_IMPACT decides it.

    A plain formula (it shows without the add-in): ``Required`` when the
    year's Transfer rate is above 0.5%, or above 0 and the schools forum
    refused it (METHOD.md, BLOCK_TRANSFER_IMPACT).
    """
    at = "MATCH(Workings!$B$5,Funding[Year],0)"
    rate = f"INDEX(Funding[Transfer rate],{at})"
    refused = f'UPPER(TRIM(INDEX(Funding[Forum decision],{at})))="REFUSED"'
    limit = repr(DEFAULT_THRESHOLD)
    return f'=IFERROR(IF(OR({rate}>{limit},AND({rate}>0,{refused})),"Required","Not required"),"")'


def _dashboard(wb: Workbook, spec: ModelSpec, layout: _Layout) -> None:
    ws = wb.create_sheet("Dashboard", index=1)
    ws.sheet_view.showGridLines = False
    _widths(ws, {"A": 40, "B": 18, "C": 3})
    la = spec.settings.get("Local authority") or "the council"
    ws["A1"] = f"Dashboard: DSG High Needs position, {la}"
    ws["A1"].font = TITLE
    ws["A2"] = (
        f'="Return period "&{_setting("Return period")}&"  (current financial year "&Workings!$B$5&")"'
    )
    ws["A2"].font = NOTE
    rows = layout.rows
    yrs = layout.row_range("year")

    def at(key: str) -> str:
        return f"INDEX({layout.row_range(key)},MATCH(Workings!$B$5,{yrs},0))"

    tiles = [
        (
            "Cumulative deficit brought forward",
            f'=IFERROR({at("cumulative")}-{at("in_year")}+{at("contributions")},"")',
            MONEY,
        ),
        ("In-year deficit (forecast)", f'=IFERROR({at("in_year")},"")', MONEY),
        ("Contributions in the year", f'=IFERROR({at("contributions")},"")', MONEY),
        ("Cumulative deficit carried forward", f'=IFERROR({at("cumulative")},"")', MONEY),
        ("Agreed cumulative deficit", f'=IFERROR({at("agreed")},"")', MONEY),
        ("Variance to the agreed profile", f'=IFERROR({at("variance")},"")', MONEY),
        ("DfE payments received to date", "=SUM(Agreement[DfE payment received])", MONEY),
        (
            "DfE payments withheld to date",
            "=SUMPRODUCT((Agreement[Year]<=Workings!$B$5)*"
            "(Agreement[DfE payment due]-Agreement[DfE payment received]))",
            MONEY,
        ),
        (
            "DfE payments outstanding",
            "=SUM(Agreement[DfE payment due])-SUM(Agreement[DfE payment received])",
            MONEY,
        ),
        ("Block transfers in (all years)", f"=SUM({layout.row_range('transfers')})", MONEY),
        ("Secretary of State approval (this year's transfer)", _secretary_of_state(), "@"),
    ]
    ws["A4"] = "Key figures (positive = deficit)"
    ws["A4"].font = HEADING
    for i, (label, formula, fmt) in enumerate(tiles, start=5):
        ws.cell(row=i, column=1, value=label).border = BOX
        cell = ws.cell(row=i, column=2, value=formula)
        cell.number_format = fmt
        cell.font = BOLD
        cell.border = BOX
        cell.fill = NOTE_FILL

    wk = wb["Workings"]
    c1 = layout.first_col
    c2 = c1 + layout.n_years - 1
    cats = Reference(wk, min_col=c1, max_col=c2, min_row=rows["year"])

    line = LineChart()
    line.title = "Cumulative DSG deficit: forecast against the agreed profile"
    line.y_axis.title = "£ (positive = deficit)"
    line.y_axis.numFmt = '£#,##0,,"m"'
    line.x_axis.title = "Financial year"
    for key in ("cumulative", "agreed"):
        line.add_data(
            Reference(wk, min_col=c1, max_col=c2, min_row=rows[key]),
            from_rows=True,
            titles_from_data=False,
        )
        line.series[-1].tx = _series_title(wk, rows[key])
        line.series[-1].smooth = False
    line.set_categories(cats)
    line.height, line.width = 8.5, 17
    line.legend.position = "b"
    _visible_axes(line)
    ws.add_chart(line, "D4")

    bar = BarChart()
    bar.type = "col"
    bar.title = "EHC plan growth against High Needs funding growth"
    bar.y_axis.title = "Growth on the year before"
    bar.y_axis.numFmt = "0%"
    if layout.n_years > 1:
        for key in ("ehcp_growth", "hnb_growth"):
            ref = Reference(wk, min_col=c1 + 1, max_col=c2, min_row=rows[key])
            bar.add_data(ref, from_rows=True, titles_from_data=False)
        bar.series[0].tx = _series_title(wk, rows["ehcp_growth"])
        bar.series[1].tx = _series_title(wk, rows["hnb_growth"])
        bar.set_categories(Reference(wk, min_col=c1 + 1, max_col=c2, min_row=rows["year"]))
    bar.height, bar.width = 8.5, 17
    bar.legend.position = "b"
    _visible_axes(bar)
    ws.add_chart(bar, "A21")

    pie = PieChart()
    pie.title = "Placement spend mix (base year)"
    top = rows["spend_top"]
    n_place = rows["n_place"]
    if n_place:
        pie.add_data(Reference(wk, min_col=c1, min_row=top, max_row=top + n_place - 1))
        pie.set_categories(Reference(wk, min_col=1, min_row=top, max_row=top + n_place - 1))
    pie.dataLabels = DataLabelList()
    pie.dataLabels.showPercent = True
    for flag in ("showVal", "showCatName", "showSerName", "showLegendKey", "showLeaderLines"):
        setattr(pie.dataLabels, flag, False)
    pie.height, pie.width = 8.5, 17
    pie.legend.position = "r"
    ws.add_chart(pie, "H21")

    ws.add_chart(_forecast_chart(wk, rows), "A39")
    ws.add_chart(_fan_chart(wb[REFRESH_SHEET], layout.n_years), "H39")
    _write_off_figures(ws, layout, WRITE_OFF_TOP)

    note = ws.cell(
        row=16,
        column=1,
        value=(
            "Charts read the Workings sheet (plain formulas over the input tables), so they show "
            "the current inputs in any spreadsheet program, with or without the add-in."
        ),
    )
    note.font = NOTE
    note.alignment = WRAP
    ws.merge_cells("A16:B19")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:R{WRITE_OFF_TOP + len(WRITE_OFF_FIGURES) + 1}"


#: The Dashboard row of the write-off and reserves heading (below the charts).
WRITE_OFF_TOP = 58
#: The Dashboard's write-off and reserves figures, in order (labels in column A).
WRITE_OFF_FIGURES: tuple[str, ...] = (
    "Deficit at 31 March before the write-off year",
    "Write-off (share x that deficit, if a deficit)",
    "Deficit after write-off, end of override",
    "Falls on the council when the override ends",
    "Usable reserves",
    "Usable reserves left after what falls on the council",
)


def _write_off_figures(ws, layout: _Layout, top: int) -> None:
    """The Dashboard's write-off and reserves figures: plain formulas over the Workings sheet.

    With Y the write-off year, E the override end and D[t] the Workings' cumulative
    deficit carried forward::

        before    = D[Y - 1]                      (the deficit at 31 March before Y)
        W         = share x max(before, 0)        (0 with no write-off)
        after_end = D[E] - W  if E >= Y, else D[E]
        falls     = max(after_end, 0)
        left      = usable reserves - falls

    METHOD.md, DEFICIT_WRITE_OFF (the same figures as the Calculations sheet's
    DEFICIT_WRITE_OFF in the Override end year).
    """
    s = layout.scalars
    wy, share, end, reserves = s["wo_year"], s["wo_share"], s["wo_end"], s["wo_reserves"]
    cum, yrs = layout.row_range("cumulative"), layout.row_range("year")
    at_year = f"MATCH({wy},{yrs},0)"
    at_end = f"MATCH({end},{yrs},0)"
    b = [f"$B${top + 1 + i}" for i in range(len(WRITE_OFF_FIGURES))]
    formulas = (
        f'=IF({wy}="","",IF({at_year}>1,INDEX({cum},{at_year}-1),NA()))',
        f'=IF({wy}="",0,{share}*MAX({b[0]},0))',
        f'=INDEX({cum},{at_end})-IF({wy}="",0,IF({at_end}>={at_year},{b[1]},0))',
        f"=MAX({b[2]},0)",
        f'=IF({reserves}="","",{reserves})',
        f'=IF({reserves}="","",{reserves}-{b[3]})',
    )
    ws.cell(
        row=top,
        column=1,
        value="Write-off and reserves (the Settings' write-off; positive = deficit)",
    ).font = HEADING
    for i, (label, formula) in enumerate(zip(WRITE_OFF_FIGURES, formulas, strict=True), start=1):
        ws.cell(row=top + i, column=1, value=label).border = BOX
        cell = ws.cell(row=top + i, column=2, value=formula)
        cell.number_format = MONEY
        cell.font = BOLD
        cell.border = BOX
        cell.fill = NOTE_FILL
    note = ws.cell(
        row=top + len(WRITE_OFF_FIGURES) + 1,
        column=1,
        value=(
            '="Write-off year "&IF('
            + wy
            + '="","none",'
            + wy
            + ')&", share "&TEXT('
            + share
            + ',"0%")&", override ends "&'
            + end
            + '&" (Settings). The grant is conditional on an approved local SEND reform plan."'
        ),
    )
    note.font = NOTE


def _fan_chart(sheet, n_years: int) -> AreaChart:
    """The fan chart: the P10-P90 band, P50 and the agreed profile of the last refresh.

    The series read the Refresh sheet's fan block (:mod:`workbooks.refresh_sheet`:
    ``Year | P10 | P50 | P90 | Agreed | P10-P90 band`` from its header row): a
    stacked area whose lower part (P10) is not filled and whose upper part is the
    band, with P50 and the agreed profile as lines, as the return's Scenarios
    sheet draws it.
    """
    top = FAN_HEADER_ROW + 1
    col = {name: FAN_COLUMN + i for i, name in enumerate(FAN_HEADER)}

    def values(name: str) -> Reference:
        return Reference(sheet, min_col=col[name], min_row=top, max_row=top + n_years - 1)

    band = AreaChart()
    band.grouping = "stacked"
    for name in ("P10", "P10-P90 band"):
        band.add_data(values(name), titles_from_data=False)
        band.series[-1].tx = SeriesLabel(v=name)
    shade_band(band)
    lines = LineChart()
    for name, title, colour, dash in (
        ("P50", "P50", "1F4E79", None),
        ("Agreed", "Agreed profile", "C00000", "dash"),
    ):
        lines.add_data(values(name), titles_from_data=False)
        series = lines.series[-1]
        series.tx = SeriesLabel(v=title)
        series.smooth = False
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 22000
        if dash:
            series.graphicalProperties.line.dashStyle = dash
    cats = Reference(sheet, min_col=col["Year"], min_row=top, max_row=top + n_years - 1)
    band.set_categories(cats)
    lines.set_categories(cats)
    band += lines
    band.title = "Fan chart (last refresh): cumulative DSG deficit"
    band.y_axis.title = "£ (positive = deficit)"
    band.y_axis.numFmt = '£#,##0,,"m"'
    band.x_axis.title = "Financial year"
    band.height, band.width = 8.5, 17
    band.legend.position = "b"
    _visible_axes(band)
    return band


def _refresh_sheet(wb: Workbook, spec: ModelSpec, years: list[str]) -> Any:
    """The Refresh sheet: an empty log, and the fan block (the spec's rows, else the frame)."""
    ws = wb.create_sheet(REFRESH_SHEET)
    ws["A1"] = "Refresh log"
    ws["A1"].font = TITLE
    ws["A2"] = "Status"
    ws["B2"] = "Not refreshed yet"
    _widths(ws, {"A": 28, "B": 60, "C": 60, "D": 3, "E": 12, "F": 16, "G": 16, "H": 16, "I": 16})
    ws.column_dimensions["J"].width = 16
    rows = spec.scenario_rows or [[y, None, None, None, None, None] for y in years]
    block = fan_block(rows, spec.scenario_caption or NOT_REFRESHED)
    for r, row in enumerate(block, start=1):
        for c, value in enumerate(row, start=FAN_COLUMN):
            if value is None:
                continue
            if isinstance(value, str):
                set_text(ws, r, c, value)
            else:
                ws.cell(r, c, value).number_format = MONEY
    ws.cell(1, FAN_COLUMN).font = TITLE
    ws.cell(2, FAN_COLUMN).font = NOTE
    for c in range(FAN_COLUMN, FAN_COLUMN + len(FAN_HEADER)):
        ws.cell(FAN_HEADER_ROW, c).font = BOLD
    return ws


def _forecast_chart(wk, rows: dict[str, int]) -> AreaChart:
    """EHC plans, Total: the history and the P50 as lines over the P10-P90 band.

    The band is a stacked area whose lower part (P10) is not filled, as in
    the forecast workbook of ``dsg forecast --out``; all figures come from the
    Workings sheet's EHCPForecast block.
    """
    n = rows["fc_n"]
    cats = Reference(wk, min_col=2, max_col=1 + n, min_row=rows["fc_year"])
    band = AreaChart()
    band.grouping = "stacked"
    for key in ("fc_p10", "fc_band"):
        band.add_data(
            Reference(wk, min_col=2, max_col=1 + n, min_row=rows[key]),
            from_rows=True,
            titles_from_data=False,
        )
        band.series[-1].tx = _series_title(wk, rows[key])
    band.set_categories(cats)
    shade_band(band)
    lines = LineChart()
    for key in ("fc_actual", "fc_p50"):
        lines.add_data(
            Reference(wk, min_col=2, max_col=1 + n, min_row=rows[key]),
            from_rows=True,
            titles_from_data=False,
        )
        lines.series[-1].tx = _series_title(wk, rows[key])
        lines.series[-1].smooth = False
    lines.set_categories(cats)
    lines.series[0].graphicalProperties.line.solidFill = "1F4E79"
    lines.series[1].graphicalProperties.line.solidFill = "C55A11"
    lines.series[1].graphicalProperties.line.dashStyle = "dash"
    band.title = "EHC plans: history and forecast (P50, P10-P90 band)"
    band.y_axis.title = "EHC plans"
    band.x_axis.title = "January census"
    band.height, band.width = 8.5, 17
    band.legend.position = "b"
    _visible_axes(band)
    band += lines
    return band


def _series_title(ws, row: int) -> SeriesLabel:
    return SeriesLabel(strRef=StrRef(f"'{ws.title}'!$A${row}"))


def _visible_axes(chart) -> None:
    # openpyxl 3.1 hides axes unless delete is set explicitly.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _sources(wb: Workbook, spec: ModelSpec) -> None:
    """The Sources table: each figure, its source, its Status and the return sheet it is on.

    Status is Actual, Estimate, Assumption or Plan; the return's Notes sheet lists
    every figure that is not an actual (RETURN.md, Notes).
    """
    ws = wb.create_sheet("Sources")
    _widths(ws, {"A": 44, "B": 26, "C": 100, "D": 12, "E": 24})
    rows = [list(r) + [None] * (len(SOURCE_COLUMNS) - len(r)) for r in spec.sources]
    _add_table(ws, "Sources", 1, SOURCE_COLUMNS, rows, text_cols=SOURCE_COLUMNS)
    ws.freeze_panes = "A4"


def _conf(wb: Workbook) -> None:
    ws = wb.create_sheet("xlwings.conf")
    ws["A1"] = "UDF Modules"
    ws["B1"] = UDF_MODULES
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws["D1"] = (
        "Settings for the classic xlwings add-in (key in A, value in B). "
        "UDF Modules: the Python module whose functions 'Import Functions' brings in."
    )
    ws["D1"].font = NOTE


def build_model(
    spec: ModelSpec, officejs: bool = False, namespace: str = "XLWINGS"
) -> tuple[Workbook, list[tuple[str, str]]]:
    """The model workbook in memory and the (sheet, cell) of each dynamic-array formula."""
    function_name("X", True, namespace)  # validates the namespace early
    wb = Workbook()
    _about(wb, spec, officejs, namespace)
    _inputs(wb, spec)
    _placements(wb, spec)
    _high_needs(wb, spec)
    _ehcps(wb, spec)
    _conditions(wb, spec)
    _mitigations(wb, spec)
    layout = _workings(wb, spec)
    anchors = _calculations(wb, spec, layout, officejs, namespace)
    _sources(wb, spec)
    _refresh_sheet(wb, spec, [r[0] for r in spec.funding_rows])
    _dashboard(wb, spec, layout)
    _conf(wb)
    wb.calculation.fullCalcOnLoad = True
    wb.properties.creator = "dsg-high-needs"
    fixed = dt.datetime(2024, 1, 1)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    return wb, [("Calculations", a) for a in anchors]


def write_model(
    spec: ModelSpec,
    path: str | os.PathLike,
    *,
    officejs: bool = False,
    namespace: str = "XLWINGS",
    overwrite: bool = False,
) -> Path:
    """Build and write the model workbook atomically; returns the path.

    The file is written to a temporary file in the same folder and published
    (:func:`workbooks.publish.publish`), so no half-written workbook can exist. With ``overwrite=False`` an
    existing file is refused (FileExistsError) and left untouched.
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"{path}: the model workbook must be an .xlsx file")
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} already exists: choose another name or move it first")
    wb, anchors = build_model(spec, officejs=officejs, namespace=namespace)
    folder = path.parent if str(path.parent) else Path(".")

    def write(tmp: Path) -> None:
        raw = io.BytesIO()
        wb.save(raw)
        mark_dynamic_arrays(raw, tmp, anchors)

    return publish(folder, path.name, write, numbered=False, replace=overwrite)


# --------------------------------------------------------------------------
# Dynamic arrays
# --------------------------------------------------------------------------
_METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)
_METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
_METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"


def _sheet_parts(zin: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> worksheet part name, from workbook.xml and its rels."""
    wb_xml = zin.read("xl/workbook.xml").decode("utf-8")
    rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)
    }
    targets.update(
        {
            m.group(2): m.group(1)
            for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)
        }
    )
    parts = {}
    for m in re.finditer(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', wb_xml):
        target = targets[m.group(2)].lstrip("/")
        parts[m.group(1)] = target if target.startswith("xl/") else "xl/" + target
    return parts


def mark_dynamic_arrays(
    src: str | os.PathLike | IO[bytes], dst: str | os.PathLike, anchors: Sequence[tuple[str, str]]
) -> None:
    """Copy the xlsx ``src`` to ``dst`` with ``anchors`` marked as dynamic arrays.

    openpyxl writes an array formula anchored on one cell
    (``<f t="array" ref="A6">``) but cannot write the cell-metadata index
    (``cm="1"``) that tells Excel 365 it is a dynamic array, nor the
    ``xl/metadata.xml`` part (``XLDAPR`` with ``fDynamic="1"``) it refers to.
    This adds both, as Excel and XlsxWriter write them.

    Limitations: the spill range on file is only the anchor cell; Excel
    works out the real range when it recalculates (the workbook asks for a
    full recalculation on load) with the add-in loaded. Excel without dynamic
    arrays shows a legacy one-cell array formula; a copy re-saved by openpyxl
    loses the marking and Excel 365 then shows the formula with ``@``.
    """
    wanted: dict[str, set[str]] = {}
    for sheet, cell in anchors:
        wanted.setdefault(sheet, set()).add(cell.replace("$", "").upper())
    with zipfile.ZipFile(src) as zin:
        parts = _sheet_parts(zin)
        missing = [s for s in wanted if s not in parts]
        if missing:
            raise ValueError(f"no sheet {missing[0]!r} to mark dynamic arrays on")
        by_part = {parts[s]: cells for s, cells in wanted.items()}
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                name = info.filename
                if name in by_part:
                    text = data.decode("utf-8")
                    for cell in by_part[name]:
                        pattern = re.compile(
                            r'<c r="' + cell + r'"(?![^>]*\bcm=)([^>]*)>(<f t="array")'
                        )
                        text, count = pattern.subn(r'<c r="' + cell + r'" cm="1"\1>\2', text)
                        if count != 1:
                            raise ValueError(f"{name}: no array formula at {cell} to mark")
                    data = text.encode("utf-8")
                elif name == "[Content_Types].xml" and wanted:
                    text = data.decode("utf-8")
                    if "/xl/metadata.xml" not in text:
                        text = text.replace(
                            "</Types>",
                            f'<Override PartName="/xl/metadata.xml" ContentType="{_METADATA_TYPE}"/></Types>',
                        )
                    data = text.encode("utf-8")
                elif name == "xl/_rels/workbook.xml.rels" and wanted:
                    text = data.decode("utf-8")
                    if _METADATA_REL not in text:
                        ids = {int(i) for i in re.findall(r'Id="rId(\d+)"', text)}
                        new_id = max(ids, default=0) + 1
                        text = text.replace(
                            "</Relationships>",
                            f'<Relationship Id="rId{new_id}" Type="{_METADATA_REL}" '
                            f'Target="metadata.xml"/></Relationships>',
                        )
                    data = text.encode("utf-8")
                zout.writestr(info, data)
            if wanted and "xl/metadata.xml" not in zin.namelist():
                zout.writestr("xl/metadata.xml", _METADATA)
