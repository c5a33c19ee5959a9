"""The demand forecast as a workbook: an Excel Table and a native chart per category.

Sheet ``Forecast`` holds the Excel Table ``Forecast`` (``LA code``,
``Council``, ``Category``, ``Statistic``, then one column per census year),
the rows of :func:`models.forecast.forecast_table`. A count DfE did not
publish is the text ``x``; a cell outside its row's years is empty. Each
council then has a sheet (``LA 873``) with, per category and ``Total``, a
small block of figures (year, actual, P50, P10 and the P10-P90 width) and a
native chart: the history and the P50 as lines over the P10-P90 band (a
stacked area whose lower part is not filled).

Every text (titles, council names, labels) is written as text
(:mod:`workbooks.safe_text`), never as a formula, whatever it starts with.
The file is published whole or not at all, never over another file
(:func:`workbooks.publish.publish`).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from models.forecast import Forecast
from workbooks.publish import publish
from workbooks.safe_text import text_cell
from workbooks.scenarios_workbook import shade_band

#: How a count DfE did not publish is written (the DfE symbol).
SUPPRESSED = "x"
#: Name of the Excel Table.
TABLE_NAME = "Forecast"


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def write_forecast_workbook(path: str | Path, table: pd.DataFrame, result: Forecast) -> Path:
    """Write the forecast ``table`` (see :func:`models.forecast.forecast_table`) to ``path``.

    Raises FileExistsError if ``path`` exists (nothing is written then).
    """
    from openpyxl import Workbook

    target = Path(path)
    if target.exists():
        raise FileExistsError(f"--out {target}: the file already exists; give a new name")
    wb = Workbook()
    ws = wb.active
    ws.title = "Forecast"
    _write_table(ws, table, result)
    for code, block in table.groupby("LA code", sort=False):
        _write_charts(wb.create_sheet(f"LA {code}"[:31]), block, result)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"--out {target}: folder {target.parent} does not exist")
    try:
        return publish(target.parent, target.name, wb.save, numbered=False)
    except FileExistsError:
        raise FileExistsError(f"--out {target}: the file already exists; give a new name") from None


def _years(table: pd.DataFrame) -> list[int]:
    return [c for c in table.columns if isinstance(c, int)]


def _write_table(ws, table: pd.DataFrame, result: Forecast) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    years = _years(table)
    k, m = result.settings
    text_cell(ws.cell(1, 1), f"EHC plans forecast from the January {result.origin} census")
    ws.cell(1, 1).font = Font(bold=True, size=13)
    text_cell(
        ws.cell(2, 1),
        f"Cohort model by single year of age and placement (credibility k = {k:g} plans, "
        f"{m}-year window). Actual: DfE January censuses ('x' not published). "
        "P10-P90: the 80% interval from the errors of earlier origins. Plans.",
    )
    header = 4
    names = ["LA code", "Council", "Category", "Statistic"] + [str(y) for y in years]
    for j, name in enumerate(names, start=1):
        text_cell(ws.cell(header, j), name)
        ws.cell(header, j).font = Font(bold=True)
    for i, row in enumerate(table.itertuples(index=False), start=header + 1):
        for j, value in enumerate(row[:4], start=1):
            text_cell(ws.cell(i, j), str(value))
        statistic = row[3]
        for j, (value, year) in enumerate(zip(row[4:], years, strict=True), start=5):
            if (statistic == "Actual") != (year <= result.origin):
                continue
            number = _number(value)
            cell = ws.cell(i, j)
            if number is None:
                text_cell(cell, SUPPRESSED)
            else:
                cell.value = number
                cell.number_format = "#,##0"
    last_row = header + max(len(table), 1)
    from openpyxl.utils import get_column_letter

    ref = f"A{header}:{get_column_letter(len(names))}{last_row}"
    excel_table = Table(displayName=TABLE_NAME, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(excel_table)
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 46
    ws.column_dimensions["D"].width = 10
    ws.freeze_panes = ws.cell(header + 1, 5)


def _write_charts(ws, block: pd.DataFrame, result: Forecast) -> None:
    from openpyxl.chart import AreaChart, LineChart, Reference
    from openpyxl.styles import Font

    years = _years(block)
    origin = result.origin
    text_cell(ws.cell(1, 1), f"{block['Council'].iloc[0]} (LA {block['LA code'].iloc[0]})")
    ws.cell(1, 1).font = Font(bold=True, size=13)
    row = 3
    for category, rows in block.groupby("Category", sort=False):
        by_stat = {r[3]: r for r in rows.itertuples(index=False)}
        text_cell(ws.cell(row, 1), category)
        ws.cell(row, 1).font = Font(bold=True)
        top = row + 1
        for j, name in enumerate(("Year", "Actual", "P50", "P10", "P10-P90 band"), start=1):
            text_cell(ws.cell(top, j), name)
        for n, year in enumerate(years):
            r = top + 1 + n
            actual = _number(by_stat["Actual"][4 + n])
            p10 = _number(by_stat["P10"][4 + n])
            p50 = _number(by_stat["P50"][4 + n])
            p90 = _number(by_stat["P90"][4 + n])
            ws.cell(r, 1).value = year
            if year <= origin:
                ws.cell(r, 2).value = actual
            if year == origin:
                # the forecast line and band start from the last count
                for col in (3, 4):
                    ws.cell(r, col).value = actual
                ws.cell(r, 5).value = 0.0 if actual is not None else None
            elif year > origin:
                ws.cell(r, 3).value = p50
                ws.cell(r, 4).value = p10
                ws.cell(r, 5).value = None if p10 is None or p90 is None else p90 - p10
            for col in (2, 3, 4, 5):
                ws.cell(r, col).number_format = "#,##0"
        bottom = top + len(years)
        cats = Reference(ws, min_col=1, min_row=top + 1, max_row=bottom)

        band = AreaChart()
        band.grouping = "stacked"
        band.add_data(
            Reference(ws, min_col=4, max_col=5, min_row=top, max_row=bottom), titles_from_data=True
        )
        band.set_categories(cats)
        shade_band(band)

        lines = LineChart()
        lines.add_data(
            Reference(ws, min_col=2, max_col=3, min_row=top, max_row=bottom), titles_from_data=True
        )
        lines.set_categories(cats)
        lines.series[0].graphicalProperties.line.solidFill = "1F4E79"
        lines.series[1].graphicalProperties.line.solidFill = "C55A11"
        lines.series[1].graphicalProperties.line.dashStyle = "dash"

        band.title = category
        band.y_axis.title = "EHC plans"
        band.x_axis.title = "January census"
        band.x_axis.delete = False  # openpyxl 3.1 hides axes in Excel unless told
        band.y_axis.delete = False
        band.legend.position = "b"
        band.height, band.width = 7.5, 16
        band += lines
        ws.add_chart(band, f"G{row}")
        row = max(bottom + 2, row + 16)
    ws.column_dimensions["A"].width = 46
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 13
