"""Placement projection: counts, costs and spend by placement and year (METHOD.md, PLACEMENT_PROJECTION)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import InputError, Problem, Problems, ProjectionError, show
from models.placements import read_placement_arrays
from models.validation import (
    MAX_PROBLEMS,
    Column,
    ResultTable,
    all_blank,
    check_finite,
    read_choice,
    read_columns,
    read_per_item,
    read_years,
)

MEASURES = ("spend", "count", "cost")

MOVE_COLUMNS = (
    Column("Placement", "name"),
    Column("Year", "year"),
    Column("Change"),
)

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd


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
    table = read_columns(moves, argument, MOVE_COLUMNS)
    index = {n.casefold(): i for i, n in enumerate(names)}
    year_index = {y: k for k, y in enumerate(years)}
    moved, when, change = table["Placement"], table["Year"], table["Change"]
    p = np.array([index.get(name.casefold(), -1) for name in moved], dtype=np.intp)
    k = np.array([year_index.get(year, -1) for year in when], dtype=np.intp)
    problems: list[Problem] = []
    for r in np.flatnonzero((p < 0) | (k <= 0)):
        name, year = moved[r], when[r]
        where = f"row {r + 1} {show(name)}"
        if p[r] < 0:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Placement'",
                    f"unknown placement {show(name)} (placements are: {', '.join(names)})",
                )
            )
        if k[r] < 0:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Year'",
                    f"year {year} is not in the projection ({years[0]} to {years[-1]})",
                )
            )
        elif k[r] == 0:
            problems.append(
                Problem(
                    argument,
                    f"{where}, column 'Year'",
                    f"{year} is the base year: moves start from the year after",
                )
            )
        if len(problems) >= MAX_PROBLEMS:
            rest = int(np.count_nonzero((p < 0) | (k <= 0))) - int(r) - 1
            if rest > 0:
                problems.append(
                    Problem(argument, "", f"and more problems in {rest:,} rows not listed")
                )
            break
    if problems:
        raise InputError(problems)
    np.add.at(matrix, (p, k), change)
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
    return placement_projection_result(placements, years, growth, inflation, moves, measure).frame()


def projection_table(
    names: list[str],
    years: list[str],
    count: np.ndarray,
    cost: np.ndarray,
    measure: str,
) -> ResultTable:
    """The projection table of projected counts and costs (placement x year) for ``measure``.

    The Total row is the sum of counts or spend; for ``cost``, the weighted
    average spend / count (0 when the count is 0).

    >>> projection_table(["A"], ["2024-25"], np.array([[2.0]]), np.array([[10.0]]), "cost").rows()
    [['Placement', '2024-25'], ['A', 10.0], ['Total', 10.0]]
    """
    with np.errstate(all="ignore"):
        spend = projected_spend(count, cost)
        if measure == "count":
            body, total = count, count.sum(axis=0)
        elif measure == "spend":
            body, total = spend, spend.sum(axis=0)
        else:
            n = count.sum(axis=0)
            body = cost
            total = np.divide(spend.sum(axis=0), n, out=np.zeros_like(n), where=n != 0)
    full = np.vstack([body, total])
    result = ResultTable(
        ["Placement", *years], [[*names, "Total"], *(full[:, k] for k in range(len(years)))]
    )
    return check_finite(result, "placements")


def placement_projection_result(
    placements: Any, years: Any, growth: Any, inflation: Any, moves: Any = None, measure: Any = None
) -> ResultTable:
    """:func:`placement_projection` as a :class:`~models.validation.ResultTable` (no pandas)."""
    found = Problems()
    table = found.run(read_placement_arrays, placements)
    year_list = found.run(read_years, years)
    which = found.run(read_choice, measure, "measure", MEASURES, "spend")
    rates: dict[str, np.ndarray | None] = {}
    move = None
    names: list[str] = []
    if table is not None:
        names = table[0]
        rates = {
            argument: found.run(read_per_item, value, names, argument, above=-1)
            for argument, value in (("growth", growth), ("inflation", inflation))
        }
        if year_list is not None and not found.items:
            move = found.run(move_matrix, moves, names, year_list)
    found.raise_if_any()
    assert table is not None and year_list is not None and which is not None and move is not None
    growth_rate, inflation_rate = rates["growth"], rates["inflation"]
    assert growth_rate is not None and inflation_rate is not None

    with np.errstate(all="ignore"):
        count = projected_count(table[1], growth_rate, move)
    negative = np.argwhere(count < 0)
    if len(negative):
        problems = [
            Problem(
                "placements",
                f"{show(names[p])} in {year_list[k]}",
                f"the projected count is negative ({count[p, k]:g}): check growth and moves",
            )
            for p, k in negative[:MAX_PROBLEMS]
        ]
        if len(negative) > MAX_PROBLEMS:
            problems.append(
                Problem("placements", "", f"and {len(negative) - MAX_PROBLEMS:,} more not listed")
            )
        raise ProjectionError(problems)
    with np.errstate(all="ignore"):
        cost = projected_cost(table[2], inflation_rate, len(year_list))
    return projection_table(names, year_list, count, cost, which)
