"""Placements growth taken from the demand forecast: a ``Growth`` of ``forecast``.

A finance officer may type ``forecast`` in the ``Growth`` column of the
Placements table instead of a rate. The placement then grows at the P50
growth of its category in the model's ``EHCPForecast`` table, which the
EHCP forecast import fills from the cohort model of :mod:`models.forecast`
(DfE data, every rate calibrated per council, intervals from the backtest).

The EHCPForecast table
----------------------
One row per category and January census year, columns
``Category | Year | Actual | P10 | P50 | P90`` (:data:`FORECAST_COLUMNS`):
the seven placement categories and ``Total``; ``Actual`` holds DfE's count
for the censuses up to the forecast's origin (empty where DfE suppressed it),
``P10``, ``P50`` and ``P90`` the forecast for the censuses after it (plans).

The growth
----------
The Placements table holds one growth rate per placement, used for every
year of the projection (METHOD.md, PLACEMENT_PROJECTION), while the forecast
varies by year. The bridge is the compound average of the P50 path over the
forecast years, so the projection passes through the forecast's first and
last P50 in proportion::

    first, last = the first and last Year with a P50 for the category
    growth      = (P50[last] / P50[first]) ^ (1 / (last - first)) - 1

Measured between forecast years (not from the origin's count), it is the
same whether or not DfE published the category at the origin
(Cambridgeshire's January 2025 placements are suppressed, ``x``). It needs at
least two forecast years. The model's years after the forecast's last
continue at the same rate.

References
----------
METHOD.md, "PLACEMENT_PROJECTION" (one growth rate per placement);
:mod:`models.forecast` (the cohort model and its intervals).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from models.errors import InputError, Problem, show
from models.inputs import ModelInputs
from models.validation import is_blank, parse_number, rows_of

#: The word in Placements ``Growth`` that asks for the forecast's growth.
FORECAST = "forecast"
#: The model table the growth is read from.
FORECAST_TABLE = "EHCPForecast"
#: Its columns, in order.
FORECAST_COLUMNS: tuple[str, ...] = ("Category", "Year", "Actual", "P10", "P50", "P90")


def _key(value: Any) -> str:
    return "" if is_blank(value) else " ".join(str(value).split()).casefold()


def _column(header: list[Any], name: str, table: str) -> int:
    keys = [_key(h) for h in header]
    if name.casefold() not in keys:
        raise InputError([Problem(table, "", f"has no column '{name}'")])
    return keys.index(name.casefold())


def p50_growth(table: Any, category: str) -> float:
    """The compound average P50 growth a year of ``category`` in an EHCPForecast table.

    Parameters
    ----------
    table : DataFrame or list of rows
        The EHCPForecast table (header row first when a list).
    category : str
        A placement category or ``Total`` (matched ignoring case and spaces).

    Returns
    -------
    float
        Decimal rate a year (0.05 = 5%).

    Notes
    -----
    ::

        growth = (P50[last] / P50[first]) ^ (1 / (last - first)) - 1

    Raises
    ------
    InputError
        Naming the EHCPForecast row and column: a category without P50
        rows, fewer than two forecast years, a P50 that is not a positive
        number, a Year that is not a whole year.

    Examples
    --------
    >>> t = [["Category", "Year", "Actual", "P10", "P50", "P90"],
    ...      ["Total", 2025, 100, None, None, None],
    ...      ["Total", 2026, None, 95, 110, 120],
    ...      ["Total", 2027, None, 100, 121, 140]]
    >>> round(p50_growth(t, "total"), 12)
    0.1
    """
    rows = rows_of(table)
    if not rows:
        raise InputError([Problem(FORECAST_TABLE, "", "is empty")])
    header = list(rows[0])
    cat = _column(header, "Category", FORECAST_TABLE)
    year = _column(header, "Year", FORECAST_TABLE)
    p50 = _column(header, "P50", FORECAST_TABLE)
    points: list[tuple[int, float]] = []
    problems: list[Problem] = []
    for i, r in enumerate(rows[1:], start=1):
        if _key(r[cat]) != _key(category) or is_blank(r[p50]):
            continue
        where = f"row {i} {show(r[cat])}"
        x, err = parse_number(r[p50])
        if err is None and x is not None and x <= 0:
            err = f"{x:g} plans: a P50 must be greater than 0 to give a growth rate"
        y, yerr = parse_number(r[year])
        if yerr is None and y is not None and y != int(y):
            yerr = f"{y:g} is not a January census year"
        if err is not None:
            problems.append(Problem(FORECAST_TABLE, f"{where}, column 'P50'", err))
        if yerr is not None:
            problems.append(Problem(FORECAST_TABLE, f"{where}, column 'Year'", yerr))
        if err is None and yerr is None and x is not None and y is not None:
            points.append((int(y), x))
    if problems:
        raise InputError(problems)
    if not points:
        raise InputError(
            [Problem(FORECAST_TABLE, "", f"has no P50 forecast for category {show(category)}")]
        )
    points.sort()
    if len(points) < 2 or points[-1][0] == points[0][0]:
        raise InputError(
            [
                Problem(
                    FORECAST_TABLE,
                    f"category {show(category)}",
                    "has a P50 for one year only: a growth rate needs at least two forecast years",
                )
            ]
        )
    (first, start), (last, end) = points[0], points[-1]
    return (end / start) ** (1.0 / (last - first)) - 1.0


def resolve_forecast_growth(inputs: ModelInputs) -> ModelInputs:
    """``inputs`` with every Placements ``Growth`` of ``forecast`` replaced by its P50 growth.

    The placement's name is its category in EHCPForecast (the seven
    categories of the return, or ``Total``). Inputs without a ``forecast``
    growth come back unchanged (the same object). The Placements table keeps
    its type: a DataFrame stays a DataFrame, a list of rows a list of rows.

    Raises
    ------
    InputError
        Naming the Placements row and column ``Growth``, and the missing
        EHCPForecast table or category (or the EHCPForecast row at fault).

    Examples
    --------
    >>> from models.samples import sample_inputs
    >>> inputs = sample_inputs()
    >>> resolve_forecast_growth(inputs) is inputs
    True
    >>> placements = [["Placement", "Count", "Cost per place", "Growth", "Inflation"],
    ...               ["Total", 10, 1000, "Forecast", 0.02]]
    >>> bad = ModelInputs({**inputs.tables, "Placements": placements})
    >>> resolve_forecast_growth(bad)
    Traceback (most recent call last):
    ...
    models.errors.InputError: Placements row 1 'Total', column 'Growth': is 'forecast' but the model has no EHCPForecast table: import the EHCP forecast (Import EHCP forecast, or dsg forecast) first
    >>> forecast = [["Category", "Year", "P50"], ["Total", 2026, 100], ["Total", 2028, 121]]
    >>> good = ModelInputs({**bad.tables, "EHCPForecast": forecast})
    >>> [round(x, 12) for x in resolve_forecast_growth(good).tables["Placements"][1][3:]]
    [0.1, 0.02]
    """
    table = inputs.tables.get("Placements")
    if table is None:
        return inputs
    rows = rows_of(table)
    if not rows:
        return inputs
    keys = [_key(h) for h in rows[0]]
    if "growth" not in keys:
        return inputs
    g = keys.index("growth")
    name = keys.index("placement") if "placement" in keys else 0
    wanted = [i for i, r in enumerate(rows[1:], start=1) if _key(r[g]) == FORECAST]
    if not wanted:
        return inputs
    forecast = inputs.tables.get(FORECAST_TABLE)
    problems: list[Problem] = []
    rates: dict[int, float] = {}
    for i in wanted:
        label = rows[i][name]
        where = f"row {i} {show(label)}, column 'Growth'"
        if forecast is None:
            problems.append(
                Problem(
                    "Placements",
                    where,
                    f"is 'forecast' but the model has no {FORECAST_TABLE} table: import the "
                    "EHCP forecast (Import EHCP forecast, or dsg forecast) first",
                )
            )
            continue
        try:
            rates[i] = p50_growth(forecast, str(label))
        except InputError as e:
            # a table-wide problem (no such category, no P50 column) is the Placements row's;
            # a bad cell of EHCPForecast is named where it is
            problems.extend(
                Problem("Placements", where, f"is 'forecast' but {p.argument} {p.what}")
                if not p.where
                else p
                for p in e.problems
            )
    if problems:
        raise InputError(problems)
    if any(not math.isfinite(x) for x in rates.values()):  # pragma: no cover - positive P50s
        raise InputError([Problem(FORECAST_TABLE, "", "gives a growth rate too large to compute")])
    new_table: Any
    if hasattr(
        table, "iloc"
    ):  # a DataFrame: pandas itself is not imported, the refresh runs without it
        frame = table.copy()
        column = frame.columns[g]
        values = list(frame[column])
        for i, x in rates.items():
            values[i - 1] = x
        frame[column] = values
        new_table = frame
    else:
        new_rows = [list(r) for r in rows]
        for i, x in rates.items():
            new_rows[i][g] = x
        new_table = new_rows
    return replace(inputs, tables={**inputs.tables, "Placements": new_table})


def ehcp_forecast_rows(table: Any) -> list[list[Any]]:
    """EHCPForecast rows (Category, Year, Actual, P10, P50, P90) from one council's forecast table.

    ``table`` is :func:`models.forecast.forecast_table` for one council (its
    columns ``LA code``, ``Council``, ``Category``, ``Statistic``, then the
    census years). Rows run category by category (the seven, then ``Total``),
    each over the same census years (a year without any figure at all is
    left out); a figure DfE did not publish (Cambridgeshire's placements in
    January 2025), or a statistic outside its years, is ``None`` (an empty cell).

    Examples
    --------
    >>> from models.forecast import Forecast, forecast_table, sample_data
    >>> import numpy as np
    >>> t = forecast_table(sample_data(), Forecast(2025, (2026,), np.ones((3, 1, 8, 3)), (0.0, 1)), [0])
    >>> rows = ehcp_forecast_rows(t)
    >>> rows[-2:]
    [['Total', 2025, 651.0, None, None, None], ['Total', 2026, None, 1.0, 1.0, 1.0]]
    """
    records = rows_of(table)
    header = [str(h) for h in records[0]]
    cat, stat = header.index("Category"), header.index("Statistic")
    years = [(j, int(h)) for j, h in enumerate(records[0]) if str(h).isdigit()]
    values: dict[tuple[str, int], dict[str, float | None]] = {}
    order: list[str] = []
    for r in records[1:]:
        category = str(r[cat])
        if category not in order:
            order.append(category)
        for j, y in years:
            x = r[j]
            cell = None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
            values.setdefault((category, y), {})[str(r[stat])] = cell
    stats = ("Actual", "P10", "P50", "P90")
    kept = [
        y for _, y in years if any(values[(c, y)].get(s) is not None for c in order for s in stats)
    ]
    return [[c, y, *(values[(c, y)].get(s) for s in stats)] for c in order for y in kept]
