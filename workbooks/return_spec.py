"""The DfE monitoring return's sheets, row labels and column headers, as data.

RETURN.md ("Labels are the contract"): the writer finds every cell by sheet
name, row label and column header, so these strings are the interface with
the department's template. The labels the figures are keyed by live in
:mod:`models.monitoring` (the models may not import this package); this
module adds the sheet structure around them. The template builder
(:mod:`workbooks.return_template`) and the writer
(:mod:`workbooks.return_writer`) both read it, so a label is spelt once.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.monitoring import (
    AGREED_SURPLUS,
    BLOCK_MOVEMENT_COLUMNS,
    BROUGHT_FORWARD,
    CONDITION_COLUMNS,
    COVER_FILLED,
    COVER_ROWS,
    CUMULATIVE,
    EHCP_LABEL,
    EHCP_ROWS,
    FINANCIAL_SUMMARY_ROWS,
    FORECAST_SURPLUS,
    HIGH_NEEDS_COLUMNS,
    IN_YEAR,
    MITIGATION_COLUMNS,
    NOTE_COLUMNS,
    RAG,
    RAG_VALUES,
    S251_LABELS,
    SAFETY_VALVE_COLUMNS,
    SCENARIO_COLUMNS,
    TOTAL_HIGH_NEEDS,
    VARIANCE,
    WRITE_OFF_COLUMNS,
)

COVER = "Cover"
FINANCIAL_SUMMARY = "Financial summary"
HIGH_NEEDS = "High needs expenditure"
EHCP = "EHCP numbers"
BLOCK_MOVEMENTS = "Block movements"
SAFETY_VALVE = "Safety Valve"
CHECKS = "Checks"
MITIGATIONS = "Mitigations"
SCENARIOS = "Scenarios"
NOTES = "Notes"

#: The return's sheets, in workbook order.
SHEETS: tuple[str, ...] = (
    COVER,
    FINANCIAL_SUMMARY,
    HIGH_NEEDS,
    EHCP,
    BLOCK_MOVEMENTS,
    SAFETY_VALVE,
    CHECKS,
    MITIGATIONS,
    SCENARIOS,
    NOTES,
)
#: Sheets that come with later work (RETURN.md): a template without them is complete, and
#: the writer adds each one it lacks (title and header row) after ``Checks``.
LATER_SHEETS: tuple[str, ...] = (MITIGATIONS, SCENARIOS, NOTES)

#: Stands for the return period in a template header (``<period> actual``);
#: the writer replaces it with the period (``2024-25 Q2 actual``).
PERIOD = "<period>"
PERIOD_ACTUAL = f"{PERIOD} actual"
PERIOD_PLAN = f"{PERIOD} plan"

MEASURE = "Measure"

#: Checks (RETURN.md "Checks": at least the five it lists, here ten).
CHECK_LINES = "High needs lines add up to the total"
CHECK_EXPENDITURE = "High Needs expenditure agrees with the Financial summary"
CHECK_EHCP = "EHCP totals by placement and by age group agree"
CHECK_ROLL_FORWARD = "Cumulative position rolls forward from the last year"
CHECK_PERIOD = "Return period matches the financial year columns"
CHECK_IN_YEAR = "In-year surplus/(deficit) adds up"
CHECK_AGREEMENT = "Agreement profile agrees with the Safety Valve sheet"
CHECK_SAFETY_VALVE = "Safety Valve payments add up and agree with the Financial summary"
CHECK_MITIGATIONS = "Mitigations' variances and Total row add up"
CHECK_SCENARIOS = "Scenarios' Mitigated column agrees with the Financial summary"
#: The checks every template must have a row for.
REQUIRED_CHECKS: tuple[str, ...] = (
    CHECK_LINES,
    CHECK_EXPENDITURE,
    CHECK_EHCP,
    CHECK_ROLL_FORWARD,
    CHECK_PERIOD,
    CHECK_IN_YEAR,
    CHECK_AGREEMENT,
    CHECK_SAFETY_VALVE,
)
#: The checks of the sheets that come with later work: a template without their rows gets
#: them in the next blank rows under the checks.
LATER_CHECKS: tuple[str, ...] = (CHECK_MITIGATIONS, CHECK_SCENARIOS)
CHECK_LABELS: tuple[str, ...] = (*REQUIRED_CHECKS, *LATER_CHECKS)
CHECK_COLUMNS: tuple[str, ...] = ("Check", "Result", "Detail")
PASS, FAIL = "PASS", "FAIL"

#: The audit block the writer adds under the checks (found by these labels
#: when a template already carries them).
AUDIT_HEADING = "Audit"
AUDIT_TOOL = "Tool"
AUDIT_VERSION = "Tool version"
AUDIT_TIME = "Refreshed at"
AUDIT_MODEL = "Model"
AUDIT_SHA = "Inputs SHA-256"
AUDIT_SCENARIOS = "Scenarios"
AUDIT_SEED = "Seed"
AUDIT_ROWS: tuple[str, ...] = (
    AUDIT_TOOL,
    AUDIT_VERSION,
    AUDIT_TIME,
    AUDIT_MODEL,
    AUDIT_SHA,
    AUDIT_SCENARIOS,
    AUDIT_SEED,
)


@dataclass(frozen=True)
class Block:
    """One labelled table on a sheet of the return.

    Attributes
    ----------
    sheet : str
        Sheet name.
    label : str or None
        Header of the label column (``Measure``); None for a sheet without a
        header row (Cover: labels in column A, values in column B).
    columns : tuple of str
        Column headers the block must have, besides the label column.
    rows : tuple of str
        Row labels the block must have (empty when rows are one per year or
        per condition: those are found by label or placed in blank rows).
    by_code : bool
        Rows may be matched by their Section 251 code alone (``1.2.3``).
    """

    sheet: str
    label: str | None
    columns: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    by_code: bool = False


COVER_BLOCK = Block(COVER, None, (), COVER_FILLED)
FINANCIAL_SUMMARY_BLOCK = Block(FINANCIAL_SUMMARY, MEASURE, (), FINANCIAL_SUMMARY_ROWS)
HIGH_NEEDS_BLOCK = Block(
    HIGH_NEEDS,
    HIGH_NEEDS_COLUMNS[0],
    HIGH_NEEDS_COLUMNS[1:],
    (*S251_LABELS, TOTAL_HIGH_NEEDS),
    by_code=True,
)
EHCP_BLOCK = Block(EHCP, EHCP_LABEL, (PERIOD_ACTUAL, PERIOD_PLAN, VARIANCE), EHCP_ROWS)
BLOCK_MOVEMENTS_BLOCK = Block(
    BLOCK_MOVEMENTS, BLOCK_MOVEMENT_COLUMNS[0], BLOCK_MOVEMENT_COLUMNS[1:]
)
SAFETY_VALVE_BLOCK = Block(SAFETY_VALVE, SAFETY_VALVE_COLUMNS[0], SAFETY_VALVE_COLUMNS[1:])
CONDITIONS_BLOCK = Block(SAFETY_VALVE, CONDITION_COLUMNS[0], CONDITION_COLUMNS[1:])
CHECKS_BLOCK = Block(CHECKS, CHECK_COLUMNS[0], CHECK_COLUMNS[1:], REQUIRED_CHECKS)
#: Mitigations (RETURN.md): rows one per workstream and year, in order, then ``Total``.
MITIGATIONS_BLOCK = Block(MITIGATIONS, MITIGATION_COLUMNS[0], MITIGATION_COLUMNS[1:])
MITIGATIONS_TITLE = "Mitigations: the savings the plan relies on"
#: Scenarios (RETURN.md): rows one per year; the write-off columns are placed when the
#: model sets a write-off, and the chart's band column always.
SCENARIOS_BLOCK = Block(SCENARIOS, SCENARIO_COLUMNS[0], SCENARIO_COLUMNS[1:])
SCENARIOS_TITLE = "Scenarios: cumulative surplus/(deficit) under each view"
#: The column the fan chart's shaded band stacks on the P90 line: P10 - P90 (the band's width).
BAND = "P10-P90 band"
#: Notes (RETURN.md): a template without the sheet gets one (it comes with later work).
NOTES_BLOCK = Block(NOTES, NOTE_COLUMNS[0], NOTE_COLUMNS[1:])
NOTES_TITLE = "Figures that are not actuals"

BLOCKS: tuple[Block, ...] = (
    COVER_BLOCK,
    FINANCIAL_SUMMARY_BLOCK,
    HIGH_NEEDS_BLOCK,
    EHCP_BLOCK,
    BLOCK_MOVEMENTS_BLOCK,
    SAFETY_VALVE_BLOCK,
    CONDITIONS_BLOCK,
    CHECKS_BLOCK,
    MITIGATIONS_BLOCK,
    SCENARIOS_BLOCK,
    NOTES_BLOCK,
)

#: Columns (or Financial summary rows) that hold pounds: written rounded
#: half-up to the penny.
MONEY_COLUMNS: dict[str, frozenset[str]] = {
    HIGH_NEEDS: frozenset({"Budget", "Forecast outturn", "Variance"}),
    BLOCK_MOVEMENTS: frozenset({"Amount"}),
    SAFETY_VALVE: frozenset(SAFETY_VALVE_COLUMNS[1:9]),
    MITIGATIONS: frozenset(MITIGATION_COLUMNS[2:5]),
    SCENARIOS: frozenset((*SCENARIO_COLUMNS[1:8], *WRITE_OFF_COLUMNS, BAND)),
}
MONEY_ROWS: dict[str, frozenset[str]] = {
    FINANCIAL_SUMMARY: frozenset(r for r in FINANCIAL_SUMMARY_ROWS if r != RAG),
}

#: Re-exported labels, so the template and the writer take every label from here.
__all__ = [
    "AGREED_SURPLUS",
    "BLOCK_MOVEMENT_COLUMNS",
    "BROUGHT_FORWARD",
    "CONDITION_COLUMNS",
    "COVER_FILLED",
    "COVER_ROWS",
    "NOTE_COLUMNS",
    "EHCP_LABEL",
    "EHCP_ROWS",
    "CUMULATIVE",
    "FINANCIAL_SUMMARY_ROWS",
    "FORECAST_SURPLUS",
    "HIGH_NEEDS_COLUMNS",
    "IN_YEAR",
    "MITIGATION_COLUMNS",
    "RAG",
    "RAG_VALUES",
    "S251_LABELS",
    "SAFETY_VALVE_COLUMNS",
    "SCENARIO_COLUMNS",
    "TOTAL_HIGH_NEEDS",
    "VARIANCE",
    "WRITE_OFF_COLUMNS",
]
