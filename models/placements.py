"""Placement costs: what each kind of placement costs in a year (METHOD.md, PLACEMENT_COST_TABLE)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.validation import Column, ResultTable, check_finite, read_columns, read_table

#: The columns of a placement table every function needs.
PLACEMENT_COLUMNS = (
    Column("Placement", "name", unique=True),
    Column("Count", minimum=0),
    Column("Cost per place", minimum=0),
)

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd

#: Columns PLACEMENT_COST_TABLE returns.
COST_TABLE_COLUMNS = [
    "Placement",
    "Count",
    "Cost per place",
    "Total cost",
    "Share of count",
    "Share of cost",
]


def read_placements(placements: Any, argument: str = "placements") -> pd.DataFrame:
    """The placement table, validated: ``Placement | Count | Cost per place``.

    Names non-empty and unique (case-insensitive); numbers finite and >= 0.
    Other columns (Growth, Inflation...) are ignored here.
    """
    return read_table(placements, argument, PLACEMENT_COLUMNS)


def read_placement_arrays(
    placements: Any, argument: str = "placements"
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The placement table's names, counts and costs per place, validated (no pandas).

    >>> read_placement_arrays([["Placement", "Count", "Cost per place"], ["A", 2, 100]])
    (['A'], array([2.]), array([100.]))
    """
    data = read_columns(placements, argument, PLACEMENT_COLUMNS)
    return data["Placement"], data["Count"], data["Cost per place"]


def total_cost(count: np.ndarray, cost_per_place: np.ndarray) -> np.ndarray:
    """Annual cost of each placement, pounds.

    Notes
    -----
    ::

        total_cost = count x cost_per_place

    >>> total_cost(np.array([2.0, 0.5]), np.array([60000.0, 20000.0]))
    array([120000.,  10000.])
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return count * cost_per_place


def share(part: np.ndarray) -> np.ndarray:
    """Each element's share of the sum; all 0 when the sum is 0.

    Notes
    -----
    ::

        share = part / sum(part)     (0 when sum(part) = 0)

    >>> share(np.array([1.0, 3.0])), share(np.array([0.0, 0.0]))
    (array([0.25, 0.75]), array([0., 0.]))
    """
    total = part.sum()
    if total == 0:
        return np.zeros_like(part, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        return part / total


def placement_cost_table(placements: Any) -> pd.DataFrame:
    """The placement cost table with totals and shares.

    Parameters
    ----------
    placements : table
        ``Placement | Count | Cost per place`` with a header row (2-D list or
        DataFrame). Count: children and young people (FTE allowed).
        Cost per place: average annual cost, pounds.

    Returns
    -------
    pandas.DataFrame
        ``Placement | Count | Cost per place | Total cost | Share of count |
        Share of cost``, one row per placement in input order, then ``Total``.

    Notes
    -----
    ::

        Total cost     = Count x Cost per place
        Share of count = Count / sum(Count)            (0 when the sum is 0)
        Share of cost  = Total cost / sum(Total cost)  (0 when the sum is 0)
        Total row: Count and Total cost summed, Cost per place =
        sum(Total cost) / sum(Count) (0 when no count), shares 1 (0 when the sum is 0)

    References
    ----------
    METHOD.md, "PLACEMENT_COST_TABLE(placements)".

    Examples
    --------
    >>> t = placement_cost_table([["Placement", "Count", "Cost per place"],
    ...                           ["Mainstream", 30, 20000], ["Independent", 10, 60000]])
    >>> t.iloc[-1, 0], t.iloc[-1, 1:].astype(float).tolist()
    ('Total', [40.0, 30000.0, 1200000.0, 1.0, 1.0])
    """
    return placement_cost_result(placements).frame()


def cost_table(names: list[str], count: np.ndarray, cost: np.ndarray) -> ResultTable:
    """The placement cost table of validated arrays (see :func:`placement_cost_table`).

    >>> cost_table(["A"], np.array([2.0]), np.array([100.0])).rows()[-1]
    ['Total', 2.0, 100.0, 200.0, 1.0, 1.0]
    """
    with np.errstate(all="ignore"):
        spend = total_cost(count, cost)
        n, s = float(count.sum()), float(spend.sum())
        columns = [
            [*names, "Total"],
            np.append(count, n),
            np.append(cost, s / n if n else 0.0),
            np.append(spend, s),
            np.append(share(count), 1.0 if n else 0.0),
            np.append(share(spend), 1.0 if s else 0.0),
        ]
    result = ResultTable(COST_TABLE_COLUMNS, columns)
    return check_finite(result, "placements")


def placement_cost_result(placements: Any) -> ResultTable:
    """:func:`placement_cost_table` as a :class:`~models.validation.ResultTable` (no pandas)."""
    return cost_table(*read_placement_arrays(placements))
