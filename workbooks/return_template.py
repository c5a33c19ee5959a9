"""Build the DfE monitoring return template, ``templates/dfe_monitoring_return.xlsx``, by code.

The template holds exactly the sheets, row labels and column headers of
``../shared/spec/RETURN.md`` (taken from :mod:`workbooks.return_spec`),
formatted for people: pounds with negatives in red brackets, percentages,
frozen headers, column widths, bold headers, RAG colours by conditional
formatting, a RAG drop-down on the Safety Valve sheet, and a short note row
above each header row (notes never sit in a label column next to a label).

Columns that depend on the model (one per financial year on the Financial
summary; one per January census on EHCP numbers, between ``Category`` and
``<period> actual``) are left blank under a formatted header row: the writer
puts each year's header in the next blank header cell, and hides the census
columns it does not use. ``<period>`` in a header stands for the return period.

Run ``python -m workbooks.return_template`` to rebuild the committed file; a
test checks the committed file still matches what this module builds.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbooks import return_spec as spec

#: Where the template is committed.
TEMPLATE_PATH = Path(__file__).resolve().parent / "templates" / "dfe_monitoring_return.xlsx"

#: Pounds, whole pounds shown, negatives in red brackets (the cells hold pence).
POUNDS = "#,##0;[Red](#,##0);-"
PERCENT = "0.0%;[Red]-0.0%"
COUNT = "#,##0;[Red]-#,##0"
DATE = "d mmmm yyyy"

HEADER_ROW = 3
FIRST_ROW = 4
#: Columns formatted for the model's years / census columns.
SPARE_COLUMNS = 12

_TITLE = Font(bold=True, size=14)
_NOTE = Font(italic=True, color="595959")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")

#: RAG colours (fill, font), as in the council's own dashboards.
RAG_COLOURS = {
    "Green": ("C6EFCE", "006100"),
    "Amber": ("FFEB9C", "9C5700"),
    "Red": ("FFC7CE", "9C0006"),
}
CHECK_COLOURS = {spec.PASS: RAG_COLOURS["Green"], spec.FAIL: RAG_COLOURS["Red"]}


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = _TITLE
    ws["A2"] = note
    ws["A2"].font = _NOTE
    ws["A2"].alignment = _WRAP


def _note_width(ws: Worksheet, last_column: int, height: float = 45) -> None:
    """Let the note row wrap across the sheet's width (the note sits above the header row)."""
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_column)
    ws.row_dimensions[2].height = height


def _header(
    ws: Worksheet,
    row: int,
    headers: list[str | None],
    width: int | None = None,
    numbers: range | tuple[int, ...] = (),
) -> None:
    """A bold, shaded header row; the headers of number columns (``numbers``) right-aligned over them."""
    width = width or len(headers)
    ws.row_dimensions[row].height = 32  # two lines: long headers wrap instead of overprinting
    for c in range(1, width + 1):
        cell = ws.cell(row, c)
        if c <= len(headers) and headers[c - 1] is not None:
            cell.value = headers[c - 1]
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(
            wrap_text=True, vertical="center", horizontal="right" if c in numbers else None
        )


def _fit_headers(ws: Worksheet) -> None:
    """Make each header row tall enough for its longest wrapped header.

    Neither Excel nor LibreOffice grows a row for wrapped text in a file it opens;
    a header wrapping to three lines in a two-line row is cut off. Lines are
    counted by wrapping each header's words at its column's width in characters
    (a bold character is about one unit of width), 14 points a line.
    """
    for row in ws.iter_rows():
        headers = [c for c in row if c.fill == _HEADER_FILL and isinstance(c.value, str)]
        if not headers:
            continue
        r = headers[0].row
        lines = 1
        for cell in headers:
            width = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            lines = max(lines, len(textwrap.wrap(cell.value, max(1, int(width) - 1))) or 1)
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 15, 14.0 * lines + 4)


def _format(ws: Worksheet, rows: range, cols: range, number_format: str) -> None:
    for r in rows:
        for c in cols:
            ws.cell(r, c).number_format = number_format


def _widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w


def _colour_rule(ws: Worksheet, ref: str, colours: dict[str, tuple[str, str]]) -> None:
    for value, (fill, font) in colours.items():
        ws.conditional_formatting.add(
            ref,
            CellIsRule(
                operator="equal",
                formula=[f'"{value}"'],
                fill=PatternFill("solid", start_color=fill, end_color=fill),
                font=Font(color=font),
            ),
        )


def _rag_list(ws: Worksheet, ref: str) -> None:
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(spec.RAG_VALUES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="RAG",
        error="Choose Green, Amber or Red.",
    )
    for part in ref.split():
        dv.add(part)
    ws.add_data_validation(dv)


def _cover(ws: Worksheet) -> None:
    _title(
        ws,
        "DSG monitoring return",
        "Dedicated Schools Grant: the High Needs position reported to the Department for Education. "
        "The refresh fills the first seven rows; the sign-off rows are for the Section 151 officer. "
        "High Needs Block basis: the income, and Section 251 line 1.0.2, after or before ESFA's "
        "deductions.",
    )
    for i, label in enumerate(spec.COVER_ROWS):
        r = FIRST_ROW + i
        ws.cell(r, 1, label).font = _BOLD
        if label in ("Period end date", "Date prepared", "Date signed off"):
            ws.cell(r, 2).number_format = DATE
        ws.cell(r, 2).alignment = Alignment(horizontal="left")
    _widths(ws, {1: 28, 2: 66})


def _financial_summary(ws: Worksheet) -> None:
    _title(
        ws,
        "Financial summary",
        "Pounds, one column per financial year: past years outturn, the current year forecast "
        "outturn, later years the plan. Surplus/(deficit) rows are negative for a deficit; Variance "
        "to agreement has the same sign (negative = deficit worse than agreed).",
    )
    _header(ws, HEADER_ROW, [spec.MEASURE], 1 + SPARE_COLUMNS, numbers=range(2, 2 + SPARE_COLUMNS))
    last = FIRST_ROW + len(spec.FINANCIAL_SUMMARY_ROWS) - 1
    for i, label in enumerate(spec.FINANCIAL_SUMMARY_ROWS):
        cell = ws.cell(FIRST_ROW + i, 1, label)
        if label in (spec.IN_YEAR, spec.CUMULATIVE):
            cell.font = _BOLD
    cols = range(2, 2 + SPARE_COLUMNS)
    _format(ws, range(FIRST_ROW, last), cols, POUNDS)
    for c in cols:
        ws.cell(last, c).alignment = Alignment(horizontal="center")
    _colour_rule(ws, f"B{last}:{get_column_letter(1 + SPARE_COLUMNS)}{last}", RAG_COLOURS)
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(ws, {1: 46} | {c: 15 for c in cols})


def _high_needs(ws: Worksheet) -> None:
    _title(
        ws,
        "High needs expenditure",
        "Current financial year, pounds, by Section 251 line. Variance = Forecast outturn - Budget "
        "(positive = overspend); Variance % = Variance / Budget.",
    )
    _header(ws, HEADER_ROW, list(spec.HIGH_NEEDS_COLUMNS), numbers=range(2, 6))
    labels = (*spec.S251_LABELS, spec.TOTAL_HIGH_NEEDS)
    for i, label in enumerate(labels):
        ws.cell(FIRST_ROW + i, 1, label)
    last = FIRST_ROW + len(labels) - 1
    for c in range(1, 6):
        ws.cell(last, c).font = _BOLD
    _format(ws, range(FIRST_ROW, last + 1), range(2, 5), POUNDS)
    _format(ws, range(FIRST_ROW, last + 1), range(5, 6), PERCENT)
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(ws, {1: 78, 2: 15, 3: 17, 4: 15, 5: 11})


def _ehcp(ws: Worksheet) -> None:
    _title(
        ws,
        "EHCP numbers",
        "Education, health and care plans: one column per January census (history), then the "
        "period's actual and plan. Variance = actual - plan.",
    )
    history = [None] * SPARE_COLUMNS  # the writer puts each census in the next blank header cell
    last = 1 + SPARE_COLUMNS + 3
    _header(
        ws,
        HEADER_ROW,
        [spec.EHCP_LABEL, *history, spec.PERIOD_ACTUAL, spec.PERIOD_PLAN, spec.VARIANCE],
        numbers=range(2, last + 1),
    )
    n = len(spec.EHCP_ROWS)
    places = spec.EHCP_ROWS.index("Total") + 1
    row = FIRST_ROW
    for i, label in enumerate(spec.EHCP_ROWS):
        if i == places:
            row += 1  # a blank row between the placement and the age-group tables
        ws.cell(row, 1, label)
        if label in ("Total", spec.EHCP_ROWS[-1]):
            for c in range(1, last + 1):
                ws.cell(row, c).font = _BOLD
        row += 1
    _format(ws, range(FIRST_ROW, FIRST_ROW + n + 1), range(2, last + 1), COUNT)
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(
        ws,
        {1: 46}
        | {c: 13 for c in range(2, 2 + SPARE_COLUMNS)}
        | {c: 15 for c in range(last - 2, last + 1)},
    )


def _block_movements(ws: Worksheet) -> None:
    _title(
        ws,
        "Block movements",
        "One row per movement between DSG blocks. Amount in pounds; share of the schools block "
        "as a percentage.",
    )
    _header(ws, HEADER_ROW, list(spec.BLOCK_MOVEMENT_COLUMNS), numbers=(4, 5))
    rows = range(FIRST_ROW, FIRST_ROW + 20)
    _format(ws, rows, range(4, 5), POUNDS)
    _format(ws, rows, range(5, 6), "0.00%")
    ws.freeze_panes = f"A{FIRST_ROW}"
    _widths(ws, {1: 12, 2: 18, 3: 18, 4: 15, 5: 14, 6: 18, 7: 20})


#: First row of the conditions table on the Safety Valve sheet (room above for 13 years).
CONDITIONS_HEADER_ROW = 19


def _safety_valve(ws: Worksheet) -> None:
    _title(
        ws,
        "Safety Valve",
        "Agreement profile by year, pounds. DfE payment withheld = due - received, to the current "
        "year; expected = what the forecast assumes from the current year on; Total adds up the "
        "payments. Surplus/(deficit) is negative for a deficit, in brackets; Variance = Forecast - "
        "Agreed surplus/(deficit) (negative = worse than agreed). The conditions are below.",
    )
    n = len(spec.SAFETY_VALVE_COLUMNS)  # A Year, money columns, the last one RAG
    rag = get_column_letter(n)
    _header(ws, HEADER_ROW, list(spec.SAFETY_VALVE_COLUMNS), numbers=range(2, n))
    last = CONDITIONS_HEADER_ROW - 3
    _format(ws, range(FIRST_ROW, last + 1), range(2, n), POUNDS)
    ws.cell(CONDITIONS_HEADER_ROW - 1, 1, "Conditions of the agreement").font = _BOLD
    # the conditions share the profile's columns: each Commentary cell spans C to the RAG
    # column (the width of the profile's money columns), so C stays a money column and A a
    # readable label column
    _header(ws, CONDITIONS_HEADER_ROW, list(spec.CONDITION_COLUMNS), width=n)
    ws.merge_cells(
        start_row=CONDITIONS_HEADER_ROW, start_column=3, end_row=CONDITIONS_HEADER_ROW, end_column=n
    )
    first, end = CONDITIONS_HEADER_ROW + 1, CONDITIONS_HEADER_ROW + 30
    for r in range(first, end + 1):
        ws.cell(r, 1).alignment = _WRAP
        ws.cell(r, 3).alignment = _WRAP
        ws.cell(r, 2).alignment = Alignment(horizontal="center", vertical="top")
        ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=n)
    for r in range(FIRST_ROW, last + 1):
        ws.cell(r, n).alignment = Alignment(horizontal="center")
    for r, c in (
        (HEADER_ROW, n),
        (CONDITIONS_HEADER_ROW, 2),
    ):  # RAG headers over their centred values
        ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    _colour_rule(ws, f"{rag}{FIRST_ROW}:{rag}{last} B{first}:B{end}", RAG_COLOURS)
    _rag_list(ws, f"{rag}{FIRST_ROW}:{rag}{last} B{first}:B{end}")
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(
        ws, {1: 44} | {c: 16 for c in range(2, n - 3)} | {n - 3: 18, n - 2: 18, n - 1: 15, n: 10}
    )


def _checks(ws: Worksheet) -> None:
    _title(
        ws,
        "Checks",
        "Each Result is a live formula on the cells above it in this return: recalculate and every "
        "row should read PASS. Sums agree to within half a penny per figure (pence are rounded).",
    )
    _header(ws, HEADER_ROW, list(spec.CHECK_COLUMNS))
    for i, label in enumerate(spec.CHECK_LABELS):
        r = FIRST_ROW + i
        ws.cell(r, 1, label).alignment = _WRAP
        ws.cell(r, 2).alignment = Alignment(horizontal="center", vertical="top")
        ws.cell(r, 2).font = _BOLD
        ws.cell(r, 3).alignment = _WRAP
        ws.row_dimensions[r].height = 30
    last = FIRST_ROW + len(spec.CHECK_LABELS) - 1
    _colour_rule(ws, f"B{FIRST_ROW}:B{last}", CHECK_COLOURS)
    ws.freeze_panes = f"A{FIRST_ROW}"
    _widths(ws, {1: 52, 2: 10, 3: 90})


#: Rows formatted for workstream-years on the Mitigations sheet.
MITIGATION_ROWS = 60


def _mitigations(ws: Worksheet) -> None:
    _title(
        ws,
        spec.MITIGATIONS_TITLE,
        "Pounds, one row per workstream and year, then the Total. The Financial summary is the "
        "plan with these savings in it (the mitigated plan). Variance = Delivered - Planned "
        "saving (negative = behind plan); Delivered is to date. Confidence: the council's share "
        "of the planned saving expected to be delivered. Each row is a plan figure: see Notes.",
    )
    columns: list[str | None] = list(spec.MITIGATION_COLUMNS)
    n = len(columns)  # Workstream, Year, three money columns, Confidence, RAG
    _header(ws, HEADER_ROW, columns, numbers=range(3, n))
    last = FIRST_ROW + MITIGATION_ROWS - 1
    rows = range(FIRST_ROW, last + 1)
    _format(ws, rows, range(3, 6), POUNDS)
    _format(ws, rows, range(6, 7), PERCENT)
    for r in rows:  # top-aligned: a long workstream wraps onto a second line beside its figures
        ws.cell(r, 1).alignment = _WRAP
        for c in range(2, n):
            ws.cell(r, c).alignment = Alignment(vertical="top")
        ws.cell(r, n).alignment = Alignment(horizontal="center", vertical="top")
    ws.cell(HEADER_ROW, n).alignment = Alignment(
        wrap_text=True, vertical="center", horizontal="center"
    )
    rag = get_column_letter(n)
    _colour_rule(ws, f"{rag}{FIRST_ROW}:{rag}{last}", RAG_COLOURS)
    _rag_list(ws, f"{rag}{FIRST_ROW}:{rag}{last}")
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(ws, {1: 44, 2: 10, 3: 16, 4: 16, 5: 15, 6: 12, 7: 10})


#: Rows formatted for years on the Scenarios sheet; columns after the nine for the write-off
#: and the chart's band.
SCENARIO_ROWS = 20
SCENARIO_SPARE = 3


def _scenarios(ws: Worksheet) -> None:
    _title(
        ws,
        spec.SCENARIOS_TITLE,
        "Pounds, cumulative surplus/(deficit) at the end of each year: negative, in brackets, for "
        "a deficit. Unmitigated = the plan without its savings; Mitigated = the plan (the "
        "Financial summary's carried forward); Risk-adjusted = savings at their confidence. P10, "
        "P50, P90 = percentiles of the cumulative deficit over the scenarios (number and seed "
        "under the table), in the same sign: P90 is the position nine scenarios in ten end no "
        "worse than, so it is the lowest. P(on track) = the share of scenarios at or better than "
        "Agreed. When the model sets a write-off: After write-off (the plan less the write-off) and "
        "Falls on the council (what is left when the override ends), negative for a deficit.",
    )
    columns: list[str | None] = list(spec.SCENARIO_COLUMNS)
    width = len(columns) + SCENARIO_SPARE
    _header(ws, HEADER_ROW, columns, width, numbers=range(2, width + 1))
    rows = range(FIRST_ROW, FIRST_ROW + SCENARIO_ROWS)
    track = columns.index(spec.SCENARIO_COLUMNS[-1]) + 1
    _format(ws, rows, range(2, track), POUNDS)
    _format(ws, rows, range(track, track + 1), PERCENT)
    _format(ws, rows, range(track + 1, width + 1), POUNDS)
    ws.freeze_panes = f"B{FIRST_ROW}"
    _widths(ws, {1: 12} | {c: 15 for c in range(2, width + 1)})


#: Columns the note row spans on each sheet.
def _notes(ws: Worksheet) -> None:
    _title(
        ws,
        spec.NOTES_TITLE,
        "Every figure in this return that the council's model marks as an estimate, an "
        "assumption or a plan rather than an actual, with its source; and every census figure "
        "DfE suppressed (x).",
    )
    _header(ws, HEADER_ROW, list(spec.NOTE_COLUMNS))
    for r in range(FIRST_ROW, FIRST_ROW + 60):
        for c in (2, 4):
            ws.cell(r, c).alignment = _WRAP
    ws.freeze_panes = f"A{FIRST_ROW}"
    _widths(ws, {1: 24, 2: 60, 3: 12, 4: 90})


_NOTE_COLUMNS = {
    spec.COVER: 2,
    spec.FINANCIAL_SUMMARY: 7,
    spec.HIGH_NEEDS: 5,
    spec.EHCP: 1 + SPARE_COLUMNS + 3,
    spec.BLOCK_MOVEMENTS: 7,
    spec.SAFETY_VALVE: 8,
    spec.CHECKS: 3,
    spec.MITIGATIONS: 7,
    spec.SCENARIOS: len(spec.SCENARIO_COLUMNS) + SCENARIO_SPARE,
    spec.NOTES: 4,
}

#: Note rows taller than the usual three lines.
_NOTE_HEIGHTS = {spec.MITIGATIONS: 60, spec.SCENARIOS: 75}

_BUILDERS = {
    spec.COVER: _cover,
    spec.FINANCIAL_SUMMARY: _financial_summary,
    spec.HIGH_NEEDS: _high_needs,
    spec.EHCP: _ehcp,
    spec.BLOCK_MOVEMENTS: _block_movements,
    spec.SAFETY_VALVE: _safety_valve,
    spec.CHECKS: _checks,
    spec.MITIGATIONS: _mitigations,
    spec.SCENARIOS: _scenarios,
    spec.NOTES: _notes,
}


def build_workbook() -> Workbook:
    """The template as an openpyxl workbook (not saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name in spec.SHEETS:
        ws = wb.create_sheet(name)
        _BUILDERS[name](ws)
        _fit_headers(ws)
        _note_width(ws, _NOTE_COLUMNS[name], _NOTE_HEIGHTS.get(name, 45))
        ws.sheet_view.zoomScale = 90
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = 0
    return wb


def build_template(path: Path = TEMPLATE_PATH) -> Path:
    """Write the template to ``path``, replacing the package's copy it rebuilds.

    Through :func:`workbooks.publish.publish`: a temporary file in the same
    folder, renamed into place once whole.
    """
    from workbooks.publish import publish

    path = Path(path)
    return publish(path.parent, path.name, build_workbook().save, replace=True)


if __name__ == "__main__":  # pragma: no cover
    print(build_template(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE_PATH))
