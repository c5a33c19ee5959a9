"""``dsg scenarios --out``: the Scenarios table and its fan chart in a workbook.

Sheet ``Scenarios`` holds a title, what drew the scenarios (number, seed,
spreads), the Excel Table ``Scenarios`` (``Year | Unmitigated |
Mitigated | Risk-adjusted | P10 | P50 | P90 | Agreed | P(on track)``, and
``After write-off | Falls on the council`` when the model sets a write-off;
pounds unrounded and shown to the pound) and a native chart
(:func:`fan_chart`, which the return's Scenarios sheet draws too): the
P10-P90 band (a stacked area whose lower part is not filled, over a helper
column ``P10-P90 band`` = P90 - P10), the P50 and the agreed profile as lines.

Every text is written as text (:mod:`workbooks.safe_text`), never a formula,
and the file is published whole or not at all, never over another file
(:func:`workbooks.publish.publish`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from models.scenarios import ScenarioResult
from models.validation import ResultTable
from workbooks.publish import publish
from workbooks.safe_text import set_text

__all__ = ["TABLE_NAME", "SHEET", "write_scenarios_workbook", "build_workbook", "fan_chart"]

#: The Excel Table's name and the sheet's.
TABLE_NAME = "Scenarios"
SHEET = "Scenarios"
#: The first row of the table (its header).
HEADER_ROW = 6
POUNDS = '"£"#,##0;-"£"#,##0'


def _value(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def build_workbook(result: ScenarioResult, title: str, table: ResultTable | None = None) -> Any:
    """The workbook (openpyxl) of ``result``: the table and the fan chart.

    ``table`` is the table to show (default ``result.table()``): ``dsg
    scenarios`` gives :func:`models.monitoring.scenario_figures`, with the
    write-off columns when the model sets a write-off.
    """
    from openpyxl import Workbook
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
    rows = (result.table() if table is None else table).rows()
    header = [*rows[0], "P10-P90 band"]
    for j, name in enumerate(header, start=1):
        set_text(ws, HEADER_ROW, j, name).font = Font(bold=True)
    for i, row in enumerate(rows[1:], start=HEADER_ROW + 1):
        set_text(ws, i, 1, row[0])
        for j, value in enumerate(row[1:], start=2):
            cell = ws.cell(i, j)
            cell.value = _value(value)
            cell.number_format = "0.0%" if header[j - 1] == "P(on track)" else POUNDS
        band = ws.cell(i, len(header))
        band.value = float(row[header.index("P90")]) - float(row[header.index("P10")])
        band.number_format = POUNDS
    last = HEADER_ROW + len(rows) - 1
    excel_table = Table(
        displayName=TABLE_NAME, ref=f"A{HEADER_ROW}:{get_column_letter(len(header))}{last}"
    )
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(excel_table)
    ws.column_dimensions["A"].width = 10
    for j in range(2, len(header) + 1):
        ws.column_dimensions[get_column_letter(j)].width = 16

    col = {name: j for j, name in enumerate(header, start=1)}
    chart = fan_chart(
        ws,
        header_row=HEADER_ROW,
        rows=(HEADER_ROW + 1, last),
        year=1,
        base=col["P10"],
        band=len(header),
        p50=col["P50"],
        agreed=col["Agreed"],
        title="Cumulative DSG deficit: P10-P90, P50 and the agreed profile",
        number_format=POUNDS,
    )
    ws.add_chart(chart, f"A{last + 3}")
    return wb


#: The fill of a P10-P90 band, in every chart that draws one.
BAND_FILL = "BDD7EE"


def shade_band(area: Any) -> None:
    """Style a stacked area as a band: the first series (the lower edge) not drawn, the
    second (the band's height) shaded, neither outlined."""
    area.series[0].graphicalProperties.noFill = True
    area.series[0].graphicalProperties.line.noFill = True
    area.series[1].graphicalProperties.solidFill = BAND_FILL
    area.series[1].graphicalProperties.line.noFill = True


def fan_chart(
    ws: Any,
    *,
    header_row: int,
    rows: tuple[int, int],
    year: int,
    base: int,
    band: int,
    p50: int,
    agreed: int,
    title: str,
    number_format: str,
) -> Any:
    """A native fan chart of the table on ``ws``: the P10-P90 band, the P50 and the agreed line.

    The band is a stacked area: the ``base`` column (the band's lower edge:
    P10 of a deficit shown positive, P90 of one shown as a negative
    surplus/(deficit)) drawn without fill or line, and the ``band`` column (the band's width) shaded on top of it;
    the P50 and the agreed profile are lines over it. Each series takes its
    name from the header row; ``rows`` are the first and last data rows
    (one a year, in order). Both axes are shown (openpyxl 3.1 writes them
    deleted unless told, and Excel then hides them), the years along the
    bottom whatever the sign of the values. The caller anchors it.

    Parameters
    ----------
    ws : openpyxl Worksheet
        The sheet holding the table.
    header_row : int
        The row of the column headers (the series' names).
    rows : (int, int)
        First and last data rows.
    year, base, band, p50, agreed : int
        Columns (1-based) of the years, the band's lower edge, its width,
        the P50 and the agreed profile.
    title, number_format : str
        The chart's title and the value axis' number format.
    """
    from openpyxl.chart import AreaChart, LineChart, Reference, Series
    from openpyxl.chart.series import SeriesLabel, StrRef
    from openpyxl.utils import get_column_letter, quote_sheetname

    first, last = rows

    def series(column: int) -> Any:
        values = Reference(ws, min_col=column, min_row=first, max_row=last)
        out = Series(values)
        name = f"{quote_sheetname(ws.title)}!${get_column_letter(column)}${header_row}"
        out.tx = SeriesLabel(strRef=StrRef(f=name))
        return out

    years = Reference(ws, min_col=year, min_row=first, max_row=last)
    area = AreaChart()
    area.grouping = "stacked"
    area.series.append(series(base))
    area.series.append(series(band))
    area.set_categories(years)
    shade_band(area)
    lines = LineChart()
    lines.series.append(series(p50))
    lines.series.append(series(agreed))
    lines.set_categories(years)
    lines.series[0].graphicalProperties.line.solidFill = "1F4E79"
    lines.series[1].graphicalProperties.line.solidFill = "C00000"
    lines.series[1].graphicalProperties.line.dashStyle = "dash"
    area += lines
    area.title = title
    area.y_axis.title = "Pounds"
    area.y_axis.numFmt = number_format
    area.x_axis.delete = False  # openpyxl 3.1 hides axes in Excel unless told
    area.x_axis.crosses = "min"  # the years along the bottom, also when every value is negative
    area.y_axis.delete = False
    area.width, area.height = 22, 11
    return area


def _spread(result: ScenarioResult) -> str:
    sd = result.growth_sd
    if len(sd) and float(sd.min()) != float(sd.max()):
        mix = f"{float(sd.min()):.1%} to {float(sd.max()):.1%} by placement"
    else:
        mix = f"{float(sd.max()) if len(sd) else 0.0:.1%}"
    later = result.demand_sd[result.demand_sd > 0] if len(result.demand_sd) else result.demand_sd
    if len(later) and float(later.min()) != float(later.max()):
        shared = f"{float(later.min()):.1%} to {float(later.max()):.1%} by year"
    else:
        shared = f"{float(later.max()) if len(later) else 0.0:.1%}"
    return f"{shared} shared by every placement and {mix} each"


def write_scenarios_workbook(
    path: str | Path, result: ScenarioResult, title: str, table: ResultTable | None = None
) -> Path:
    """Write ``result`` (shown as ``table``, default its own) to ``path``.

    Never over a file: FileExistsError names it. Returns the path published.
    """
    target = Path(path)
    wb = build_workbook(result, title, table)
    return publish(target.parent, target.name, wb.save, numbered=False)
