"""Placement projection: counts, costs and spend by placement and year (METHOD.md, PLACEMENT_PROJECTION)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError, Problem, Problems, ProjectionError
from models.placements import read_placements
from models.validation import (
    Column,
    all_blank,
    finite_result,
    read_choice,
    read_per_item,
    read_table,
    read_years,
)

MEASURES = ("spend", "count", "cost")

MOVE_COLUMNS = (
    Column("Placement", "name"),
    Column("Year", "year"),
    Column("Change"),
)


def move_matrix(
    moves: Any, names: list[str], years: list[str], argument: str = "moves"
) -> np.ndarray:
    """Planned net changes in count, as a (placement x year) matrix.

    Rows with the same placement and year add up. A move in the base year,
    or for a placement or year not in the projection, is an error.

    Parameters
    ----------
    moves : table or None
        ``Placement | Year | Change`` (Change in children, + or -).
    names : list of str
        Placements in table order.
    years : list of str
        Projection years; ``years[0]`` is the base year.
    """
    matrix = np.zeros((len(names), len(years)))
    if all_blank(moves):
        return matrix
    table = read_table(moves, argument, MOVE_COLUMNS)
    index = {n.casefold(): i for i, n in enumerate(names)}
    year_index = {y: k for k, y in enumerate(years)}
    problems: list[Problem] = []
    for r, row in enumerate(table.itertuples(index=False), start=1):
        name, year, change = row
        where = f"row {r} {name!r}"
        p = index.get(name.casefold())
        k = year_index.get(year)
        if p is None:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Placement'",
                    f"unknown placement {name!r} (placements are: {', '.join(names)})",
                )
            )
        if k is None:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Year'",
                    f"year {year} is not in the projection ({years[0]} to {years[-1]})",
                )
            )
        elif k == 0:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Year'",
                    f"{year} is the base year: moves start from the year after",
                )
            )
        if p is not None and k:
            matrix[p, k] += change
    if problems:
        raise InputError(problems)
    return matrix


def projected_count(base_count: np.ndarray, growth: np.ndarray, moves: np.ndarray) -> np.ndarray:
    """Children and young people by placement (rows) and year (columns).

    Notes
    -----
    ::

        count[p,0] = Count_p
        count[p,k] = count[p,k-1] x (1 + growth_p) + moves[p,k]      (k >= 1)

    >>> projected_count(np.array([100.0]), np.array([0.1]), np.array([[0.0, -10.0, 0.0]]))
    array([[100., 100., 110.]])
    """
    n_years = moves.shape[1]
    count = np.empty((len(base_count), n_years))
    count[:, 0] = base_count
    for k in range(1, n_years):
        count[:, k] = count[:, k - 1] * (1.0 + growth) + moves[:, k]
    return count


def projected_cost(cost_per_place: np.ndarray, inflation: np.ndarray, n_years: int) -> np.ndarray:
    """Average annual cost per place (pounds) by placement and year.

    Notes
    -----
    ::

        cost[p,k] = Cost per place_p x (1 + inflation_p) ^ k

    >>> projected_cost(np.array([1000.0]), np.array([0.1]), 3)
    array([[1000., 1100., 1210.]])
    """
    k = np.arange(n_years)
    return cost_per_place[:, None] * (1.0 + inflation[:, None]) ** k[None, :]


def projected_spend(count: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Spend (pounds) by placement and year: ``spend[p,k] = count[p,k] x cost[p,k]``."""
    return count * cost


def placement_projection(
    placements: Any, years: Any, growth: Any, inflation: Any, moves: Any = None, measure: Any = None
) -> pd.DataFrame:
    """Project the placement table forward from the base year.

    Parameters
    ----------
    placements : table
        ``Placement | Count | Cost per place``: base-year counts and costs (pounds).
    years : series of ``YYYY-YY``
        Consecutive financial years; the first is the base year.
    growth, inflation : rate or one rate per placement
        Decimal rates a year (0.05 = 5%), each > -1; one value for every
        placement or one per placement in the table's row order.
    moves : table, optional
        ``Placement | Year | Change``: planned net changes in count.
    measure : {"spend", "count", "cost"}, optional
        What the table shows; default ``spend``.

    Returns
    -------
    pandas.DataFrame
        ``Placement | <year 1> | <year 2> | ...``, one row per placement,
        then ``Total``: the sum of counts or spend; for ``cost`` the weighted
        average spend / count (0 when the count is 0).

    Notes
    -----
    ::

        count[p,0] = Count_p
        count[p,k] = count[p,k-1] x (1 + growth_p) + moves[p,k]      (k >= 1)
        cost[p,k]  = Cost per place_p x (1 + inflation_p) ^ k
        spend[p,k] = count[p,k] x cost[p,k]

    A negative count is an error naming the placement and year.

    References
    ----------
    METHOD.md, "PLACEMENT_PROJECTION".

    Examples
    --------
    >>> t = placement_projection([["Placement", "Count", "Cost per place"], ["ERB", 10, 20000],
    ...                           ["Independent", 30, 60000]], ["2024-25", "2025-26"], 0.0, 0.0,
    ...                          [["Placement", "Year", "Change"], ["ERB", "2025-26", 30],
    ...                           ["Independent", "2025-26", -30]], "count")
    >>> t.values.tolist()
    [['ERB', 10.0, 40.0], ['Independent', 30.0, 0.0], ['Total', 40.0, 40.0]]
    """
    found = Problems()
    table = found.run(read_placements, placements)
    year_list = found.run(read_years, years)
    which = found.run(read_choice, measure, "measure", MEASURES, "spend")
    if table is not None:
        names = table["Placement"].tolist()
        rates = {
            argument: found.run(read_per_item, value, names, argument, above=-1)
            for argument, value in (("growth", growth), ("inflation", inflation))
        }
        if year_list is not None and not found.items:
            move = found.run(move_matrix, moves, names, year_list)
    found.raise_if_any()

    count = projected_count(table["Count"].to_numpy(float), rates["growth"], move)
    negative = [
        Problem(
            "placements",
            f"{names[p]!r} in {year_list[k]}",
            f"the projected count is negative ({count[p, k]:g}): check growth and moves",
        )
        for p, k in zip(*np.nonzero(count < 0), strict=False)
    ]
    if negative:
        raise ProjectionError(negative)
    cost = projected_cost(
        table["Cost per place"].to_numpy(float), rates["inflation"], len(year_list)
    )
    spend = projected_spend(count, cost)
    if which == "count":
        body, total = count, count.sum(axis=0)
    elif which == "spend":
        body, total = spend, spend.sum(axis=0)
    else:
        n = count.sum(axis=0)
        body = cost
        total = np.divide(spend.sum(axis=0), n, out=np.zeros_like(n), where=n != 0)
    out = pd.DataFrame(body, columns=year_list)
    out.insert(0, "Placement", names)
    total_row = pd.DataFrame([["Total", *[float(x) for x in total]]], columns=out.columns)
    return finite_result(pd.concat([out, total_row], ignore_index=True), "placements")
