"""The model workbook's Refresh sheet: the refresh's log, and the fan of its last run.

The Refresh button writes what it did to the sheet ``Refresh`` of the
council's own workbook (:func:`addin.refresh.write_log`): the log in columns
A-C, and beside it, from column E, the scenarios of that refresh, the same
run as the return's Scenarios sheet. The model builder creates the sheet with
the block's frame (the years, and a caption saying it has not been refreshed
yet), so that the Dashboard's fan chart has its cells from the start; the
example's block holds the run the refresh makes of it.

The block is in the model workbook's own convention (positive = deficit, as
the Dashboard and Workings), not the return's sign::

    E1  Scenarios at the last refresh
    E2  <caption: what the figures are, the run's size and seed, when>
    E3  Year | P10 | P50 | P90 | Agreed | P10-P90 band
    E4  one row per Funding year

``P10-P90 band`` is ``P90 - P10``: the height of the band the chart shades
over P10.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.money import round_half_up

#: The sheet the refresh reports to, in the council's workbook.
REFRESH_SHEET = "Refresh"
#: Rows of the log (columns A-C) the refresh writes, blank rows included.
LOG_ROWS = 40
#: The fan block's first column (E) and its header row.
FAN_COLUMN = 5
FAN_HEADER_ROW = 3
FAN_TITLE = "Scenarios at the last refresh"
FAN_HEADER = ("Year", "P10", "P50", "P90", "Agreed", "P10-P90 band")
#: Rows the block may hold below its header (the refresh blanks the rest of them).
FAN_MAX_YEARS = 100
NOT_REFRESHED = (
    "Not refreshed yet: press Refresh DfE monitoring return. Then: the cumulative DSG "
    "deficit (positive = deficit) at the end of each year, P10, P50 and P90 of the "
    "refresh's scenarios (the return's Scenarios sheet) and the agreed profile."
)


def fan_caption(n: int, seed: int | None, when: str) -> str:
    """What the block holds, for the run of ``n`` scenarios drawn with ``seed`` at ``when``.

    >>> fan_caption(10_000, 1, "2026-11-29T10:00:00+00:00")[:60]
    'Cumulative DSG deficit at the end of each year (positive = d'
    """
    return (
        "Cumulative DSG deficit at the end of each year (positive = deficit): P10, P50 and "
        f"P90 of {n:,} scenarios (seed {seed}), the return's Scenarios sheet, and the agreed "
        f"profile; refreshed {when}. P90: nine scenarios in ten end no worse."
    )


def fan_rows(table: Any) -> list[list[Any]]:
    """The block's rows from the return's Scenarios table (its sign: negative = deficit).

    Parameters
    ----------
    table : ReturnTable
        :attr:`models.monitoring.MonitoringReturn.scenarios_table`, columns
        ``Year``, ``P10``, ``P50``, ``P90``, ``Agreed`` among them.

    Notes
    -----
    The return shows each position as a surplus/(deficit), so each is negated
    back to a deficit, in pence as the return holds it (rounded half-up);
    the percentiles keep their names (P10 is the deficit one scenario in ten
    ends below)::

        row = [year, -P10, -P50, -P90, -Agreed, P10 - P90]

    Examples
    --------
    >>> from models.monitoring import ReturnTable
    >>> t = ReturnTable.in_order(["Year", "P10", "P50", "P90", "Agreed"],
    ...                          [["2025-26", -10.0, -12.0, -15.0, -9.0]])
    >>> fan_rows(t)
    [['2025-26', 10.0, 12.0, 15.0, 9.0, 5.0]]
    """
    columns = list(table.columns)
    at = {name: columns.index(name) for name in ("Year", "P10", "P50", "P90", "Agreed")}
    out = []
    for row in table.cells:
        p10, p50, p90, agreed = (_deficit(row[at[c]]) for c in ("P10", "P50", "P90", "Agreed"))
        band = None if p10 is None or p90 is None else round_half_up(p90 - p10, 2)
        out.append([row[at["Year"]], p10, p50, p90, agreed, band])
    return out


def _deficit(value: Any) -> float | None:
    if value is None or value == "":
        return None
    x = float(value)
    return None if x != x else round_half_up(-x, 2)


def fan_block(rows: Sequence[Sequence[Any]], caption: str) -> list[list[Any]]:
    """The block as a 2-D range from E1: title, caption, header, rows, blank to the limit.

    >>> block = fan_block([["2025-26", 1.0, 2.0, 3.0, 0.0, 2.0]], "caption")
    >>> block[0][0], block[2], block[3], len(block)
    ('Scenarios at the last refresh', ['Year', 'P10', 'P50', 'P90', 'Agreed', 'P10-P90 band'], ['2025-26', 1.0, 2.0, 3.0, 0.0, 2.0], 103)
    """
    width = len(FAN_HEADER)
    block: list[list[Any]] = [
        [FAN_TITLE] + [None] * (width - 1),
        [caption] + [None] * (width - 1),
        list(FAN_HEADER),
    ]
    block += [list(r)[:width] + [None] * (width - len(r)) for r in rows[:FAN_MAX_YEARS]]
    block += [[None] * width for _ in range(FAN_HEADER_ROW + FAN_MAX_YEARS - len(block))]
    return block
