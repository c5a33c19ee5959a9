"""``dsg scenarios --out``: the Scenarios table and its fan chart in a workbook.

Sheet ``Scenarios`` holds a title, what drew the scenarios (number, seed,
spreads), the Excel Table ``Scenarios`` (``Year | Unmitigated |
Mitigated | Risk-adjusted | P10 | P50 | P90 | Agreed | P(on track)``, pounds unrounded and shown to the
pound) and a native chart: the P10-P90 band (a stacked area whose lower part
is not filled, over a helper column ``P10-P90 band`` = P90 - P10), the P50
and the agreed profile as lines.

Every text is written as text (:mod:`workbooks.safe_text`), never a formula,
and the file is published whole or not at all, never over another file
(:func:`workbooks.publish.publish`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from models.scenarios import ScenarioResult
from workbooks.publish import publish
from workbooks.safe_text import set_text

__all__ = ["TABLE_NAME", "SHEET", "write_scenarios_workbook", "build_workbook"]

#: The Excel Table's name and the sheet's.
TABLE_NAME = "Scenarios"
SHEET = "Scenarios"
#: The first row of the table (its header).
HEADER_ROW = 6
POUNDS = '"£"#,##0;-"£"#,##0'


def _value(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def build_workbook(result: ScenarioResult, title: str) -> Any:
    """The workbook (openpyxl) of ``result``: the table and the fan chart."""
    from openpyxl import Workbook
    from openpyxl.chart import AreaChart, LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    set_text(ws, 1, 1, title).font = Font(bold=True, size=13)
    s = result.spreads
    set_text(
        ws,
        2,
        1,
        f"{result.n:,} scenarios, seed {result.seed}. Yearly standard deviations: count growth "
        f"{_spread(result)}, inflation {s.inflation:.1%}, income {s.income:.1%}, mitigation "
        f"delivery {s.mitigation:.0%}; each DfE payment after the current year paid with "
        f"probability {s.dfe_paid:.0%}.",
    )
    set_text(
        ws,
        3,
        1,
        "Cumulative DSG deficit at the end of each year (deficit positive), pounds. "
        "P(on track): the share of scenarios at or below the agreed cumulative deficit.",
    )
    table = result.table().rows()
    header = [*table[0], "P10-P90 band"]
    for j, name in enumerate(header, start=1):
        set_text(ws, HEADER_ROW, j, name).font = Font(bold=True)
    for i, row in enumerate(table[1:], start=HEADER_ROW + 1):
        set_text(ws, i, 1, row[0])
        for j, value in enumerate(row[1:], start=2):
            cell = ws.cell(i, j)
            cell.value = _value(value)
            cell.number_format = "0.0%" if header[j - 1] == "P(on track)" else POUNDS
        band = ws.cell(i, len(header))
        band.value = float(row[header.index("P90")]) - float(row[header.index("P10")])
        band.number_format = POUNDS
    last = HEADER_ROW + len(table) - 1
    excel_table = Table(
        displayName=TABLE_NAME, ref=f"A{HEADER_ROW}:{get_column_letter(len(header))}{last}"
    )
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(excel_table)
    ws.column_dimensions["A"].width = 10
    for j in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16

    col = {name: j for j, name in enumerate(header, start=1)}
    years = Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=last)
    band_chart = AreaChart()
    band_chart.grouping = "stacked"
    band_chart.add_data(
        Reference(ws, min_col=col["P10"], min_row=HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    band_chart.add_data(
        Reference(ws, min_col=len(header), min_row=HEADER_ROW, max_row=last),
        titles_from_data=True,
    )
    band_chart.set_categories(years)
    band_chart.series[0].graphicalProperties.noFill = True
    band_chart.series[0].graphicalProperties.line.noFill = True
    band_chart.series[1].graphicalProperties.solidFill = "BDD7EE"
    band_chart.series[1].graphicalProperties.line.noFill = True
    lines = LineChart()
    for name in ("P50", "Agreed"):
        lines.add_data(
            Reference(ws, min_col=col[name], min_row=HEADER_ROW, max_row=last),
            titles_from_data=True,
        )
    lines.set_categories(years)
    lines.series[0].graphicalProperties.line.solidFill = "1F4E79"
    lines.series[1].graphicalProperties.line.solidFill = "C00000"
    lines.series[1].graphicalProperties.line.dashStyle = "dash"
    band_chart += lines
    band_chart.title = "Cumulative DSG deficit: P10-P90, P50 and the agreed profile"
    band_chart.y_axis.title = "Pounds"
    band_chart.y_axis.numFmt = POUNDS
    band_chart.x_axis.delete = False  # openpyxl 3.1 hides axes in Excel unless told
    band_chart.y_axis.delete = False
    band_chart.width, band_chart.height = 22, 11
    ws.add_chart(band_chart, f"A{last + 3}")
    return wb


def _spread(result: ScenarioResult) -> str:
    sd = result.growth_sd
    if len(sd) and float(sd.min()) != float(sd.max()):
        return f"{float(sd.min()):.1%} to {float(sd.max()):.1%} by placement"
    return f"{float(sd.max()) if len(sd) else 0.0:.1%}"


def write_scenarios_workbook(path: str | Path, result: ScenarioResult, title: str) -> Path:
    """Write ``result`` to ``path`` (never over a file: FileExistsError names it).

    Returns the path published.
    """
    target = Path(path)
    wb = build_workbook(result, title)
    return publish(target.parent, target.name, wb.save, numbered=False)
