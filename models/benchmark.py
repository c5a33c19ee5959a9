"""A council's EHC plans and High Needs funding against its region and England.

The measures of ``dsg benchmark`` (issue "Real data behind the
assumptions", item 3): EHCP compound growth, the share of plans in NMSS or
independent special schools and in mainstream, High Needs Block allocation
growth against EHCP growth over the same span, and the DSG cumulative
deficit as a share of DSG. Every function takes numbers already read from
the DfE files (``workbooks.dfe``) and returns floats; a figure that needs a
missing (suppressed or unpublished) value is NaN, never 0.

The shares use the categories of :mod:`models.ehcp_history`, DfE's own:
"NMSS or independent" includes independent mainstream schools and
"mainstream" excludes them, as in DfE's High Needs benchmarking tool (EHCP
placement columns, ``Outturn data 202122.xlsx`` in
../shared/data/dfe/dsg_deficit_and_s251).

Pairing of years: the High Needs Block of financial year 2019-20 is set
against the January 2020 census (the census that falls inside that
financial year), so "2019-20 to 2023-24" is compared with "January 2020 to
January 2024".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.categories import PLACEMENT_CATEGORIES
from models.growth import ehcp_growth
from models.years import year_start

#: Category whose share is the "NMSS or independent" share (independent
#: mainstream schools included, as in DfE's High Needs benchmarking tool).
NMSS = PLACEMENT_CATEGORIES[3]
#: Category whose share is the "mainstream" share (LA maintained, academy and
#: free school mainstream, without resourced provision or independent schools).
MAINSTREAM = PLACEMENT_CATEGORIES[0]


def _missing(*values: float) -> bool:
    return any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values)


def compound_growth(first: float, last: float, years: float) -> float:
    """Compound annual growth rate, NaN when either count is missing.

    Parameters
    ----------
    first, last : float
        Counts (plans or pounds) at the start and the end.
    years : float
        Years between them.

    Returns
    -------
    float
        Decimal rate a year (0.1 = 10%); NaN if ``first`` or ``last`` is missing.

    Notes
    -----
    ::

        growth = (last / first) ^ (1 / years) - 1

    Computed by :func:`models.growth.ehcp_growth` (METHOD.md, EHCP_GROWTH).

    Examples
    --------
    Cambridgeshire, January 2019 to January 2025 (DfE 2025 release):

    >>> f"{compound_growth(4198, 8007, 6):.2%}"
    '11.36%'
    >>> compound_growth(float("nan"), 8007, 6)
    nan
    """
    if _missing(first, last):
        return float("nan")
    return ehcp_growth(float(first), float(last), float(years))


def share(part: float, total: float) -> float:
    """``part`` as a decimal share of ``total``; NaN when either is missing.

    Notes
    -----
    ::

        share = part / total

    Examples
    --------
    >>> f"{share(152, 4198):.2%}"
    '3.62%'
    """
    if _missing(part, total) or float(total) == 0:
        return float("nan")
    return float(part) / float(total)


def deficit_share(deficit_percent: float) -> float:
    """DSG cumulative deficit as a decimal share of total DSG.

    Parameters
    ----------
    deficit_percent : float
        DfE's ``deficit`` column: 100 x DSG carried forward (S251 outturn line
        1.9.3) / total DSG allocation; positive is a deficit.

    Notes
    -----
    ::

        share = deficit_percent / 100

    References
    ----------
    DfE SEND and AP inclusion dashboard, ``dsg_deficit_derived``.

    Examples
    --------
    >>> deficit_share(7.33)
    0.0733
    """
    if _missing(deficit_percent):
        return float("nan")
    return float(deficit_percent) / 100.0


def growth_between(series: pd.Series, first: object, last: object, years: float) -> float:
    """Compound growth of ``series`` from label ``first`` to label ``last``.

    >>> f"{growth_between(pd.Series({2019: 100.0, 2021: 121.0}), 2019, 2021, 2):.1%}"
    '10.0%'
    """
    return compound_growth(series.get(first, np.nan), series.get(last, np.nan), years)


@dataclass(frozen=True)
class AreaFigures:
    """The published figures of one area (council, region or England).

    ``plans``, ``nmss``, ``mainstream``: plans by January census year (int
    index), NaN where suppressed. ``high_needs_block``: High Needs Block
    allocation before deductions, pounds, by financial year label
    (``2019-20``); ``high_needs_block_after``: the same after deductions (for
    places in academies and FE colleges that ESFA funds directly: the basis
    of the council's own model). ``deficit_percent``: DSG cumulative deficit
    as a percent of DSG by financial year label.
    """

    name: str
    plans: pd.Series
    nmss: pd.Series
    mainstream: pd.Series
    high_needs_block: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    deficit_percent: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    high_needs_block_after: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))


def _published(series: pd.Series) -> list:
    return [k for k, v in series.items() if not _missing(v)]


def benchmark_table(areas: list[AreaFigures]) -> pd.DataFrame:
    """The benchmark measures (rows) for each area (columns).

    The first area is the council: the years compared are those it has
    published (the shares use the latest January census where the council's
    placements are published; growth uses its first and last published
    totals), and the same years are used for every area.

    Returns
    -------
    pandas.DataFrame
        Index: measure labels naming their years; columns: area names.
        Counts in plans, money in pounds, rates and shares as decimals.

    Notes
    -----
    ::

        EHCP growth        = (plans[last] / plans[first]) ^ (1 / (last - first)) - 1
        share NMSS         = NMSS or independent / Total, same January
                             (NMSS or independent includes independent mainstream schools)
        share mainstream   = Mainstream schools or academies / Total, same January
        HNB growth         = (HNB[fy1] / HNB[fy0]) ^ (1 / years) - 1
        EHCP growth (same span) over January fy0+1 .. fy1+1
        gap                = HNB growth - EHCP growth (same span)
        deficit share      = deficit percent / 100
    """
    council = areas[0]
    rows: dict[str, list[float]] = {}
    years = _published(council.plans)
    if years:
        y0, y1 = min(years), max(years)
        rows[f"EHC plans, January {y0}"] = [a.plans.get(y0, np.nan) for a in areas]
        rows[f"EHC plans, January {y1}"] = [a.plans.get(y1, np.nan) for a in areas]
    if len(years) > 1:  # growth needs two censuses: one alone gives the counts only
        rows[f"EHCP growth a year, January {y0} to January {y1}"] = [
            growth_between(a.plans, y0, y1, y1 - y0) for a in areas
        ]
    share_years = [y for y in _published(council.nmss) if y in _published(council.plans)]
    if share_years:
        ys = max(share_years)
        rows[f"Share of plans in NMSS or independent, January {ys}"] = [
            share(a.nmss.get(ys, np.nan), a.plans.get(ys, np.nan)) for a in areas
        ]
        rows[f"Share of plans in mainstream schools or academies, January {ys}"] = [
            share(a.mainstream.get(ys, np.nan), a.plans.get(ys, np.nan)) for a in areas
        ]
    fys = _published(council.high_needs_block)
    if fys:
        f0, f1 = min(fys, key=year_start), max(fys, key=year_start)
        span = year_start(f1) - year_start(f0)
        for fy in (f0, f1):
            rows[f"High Needs Block allocation before deductions, {fy}"] = [
                a.high_needs_block.get(fy, np.nan) for a in areas
            ]
            rows[f"High Needs Block allocation after deductions, {fy}"] = [
                a.high_needs_block_after.get(fy, np.nan) for a in areas
            ]
    if fys and span > 0:  # growth needs two years: one alone gives the allocations only
        hnb = [growth_between(a.high_needs_block, f0, f1, span) for a in areas]
        j0, j1 = year_start(f0) + 1, year_start(f1) + 1
        ehcp = [growth_between(a.plans, j0, j1, span) for a in areas]
        rows[f"High Needs Block growth a year (before deductions), {f0} to {f1}"] = hnb
        rows[f"EHCP growth a year, January {j0} to January {j1}"] = ehcp
        rows["High Needs Block growth less EHCP growth"] = [
            h - e for h, e in zip(hnb, ehcp, strict=True)
        ]
    for fy in sorted(_published(council.deficit_percent), key=year_start):
        rows[f"DSG cumulative deficit as a share of DSG, {fy}"] = [
            deficit_share(a.deficit_percent.get(fy, np.nan)) for a in areas
        ]
    table = pd.DataFrame(rows, index=[a.name for a in areas], dtype=float).T
    table.index.name = "Measure"
    return table


def growth_index(areas: list[AreaFigures]) -> pd.DataFrame:
    """High Needs Block and EHC plans indexed to 100 in the council's first financial year.

    Rows: financial years (``2019-20`` ...); columns ``<area> High Needs
    Block`` and ``<area> EHC plans`` (plans at the January inside the
    financial year). The data of the report's "funding against demand" chart.

    Notes
    -----
    ::

        index[fy] = 100 * value[fy] / value[first fy]
    """
    council = areas[0]
    fys = sorted(_published(council.high_needs_block), key=year_start)
    columns: dict[str, list[float]] = {}
    for a in areas:
        hnb = [a.high_needs_block.get(fy, np.nan) for fy in fys]
        plans = [a.plans.get(year_start(fy) + 1, np.nan) for fy in fys]
        columns[f"{a.name} High Needs Block"] = _index(hnb)
        columns[f"{a.name} EHC plans"] = _index(plans)
    table = pd.DataFrame(columns, index=fys, dtype=float)
    table.index.name = "Financial year"
    return table


def _index(values: list[float]) -> list[float]:
    if not values or _missing(values[0]) or values[0] == 0:
        return [np.nan] * len(values)
    return [np.nan if _missing(v) else 100.0 * v / values[0] for v in values]


__all__ = [
    "AreaFigures",
    "benchmark_table",
    "compound_growth",
    "deficit_share",
    "growth_between",
    "growth_index",
    "share",
]
