"""The High Needs position year by year and the cumulative DSG deficit (METHOD.md, DSG_TRAJECTORY)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.errors import Problems
from models.validation import finite_result, read_scalar, read_series, read_years

COLUMNS = [
    "Year",
    "Income",
    "Transfers in",
    "Spend",
    "Other blocks",
    "In-year deficit",
    "Contributions",
    "Cumulative deficit",
]

NOT_REACHED = "Not reached"

SUMMARY_MEASURES = [
    "In-year balance year",
    "Deficit cleared year",
    "Peak cumulative deficit",
    "Peak year",
    "Closing cumulative deficit",
]


@dataclass(frozen=True)
class TrajectoryInputs:
    """Validated inputs of the trajectory: one float per year, pounds."""

    years: list[str]
    opening_deficit: float
    income: np.ndarray
    spend: np.ndarray
    transfers: np.ndarray
    contributions: np.ndarray
    other_blocks: np.ndarray


def read_trajectory_inputs(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
) -> TrajectoryInputs:
    """Validate the trajectory's arguments, reporting every problem at once.

    income and spend must be >= 0; the opening deficit, transfers,
    contributions and other blocks may be negative (a surplus, a transfer
    out, a clawback); omitted series are 0.
    """
    year_list = read_years(years)
    found = Problems()
    out: dict[str, Any] = {
        "opening_deficit": found.run(read_scalar, opening_deficit, "opening_deficit")
    }
    for name, value, kw in (
        ("income", income, {"minimum": 0}),
        ("spend", spend, {"minimum": 0}),
        ("transfers", transfers, {"default": 0.0}),
        ("contributions", contributions, {"default": 0.0}),
        ("other_blocks", other_blocks, {"default": 0.0}),
    ):
        out[name] = found.run(read_series, value, year_list, name, **kw)
    found.raise_if_any()
    return TrajectoryInputs(years=year_list, **out)


def in_year_deficit(
    spend: np.ndarray, income: np.ndarray, transfers: np.ndarray, other_blocks: np.ndarray
) -> np.ndarray:
    """In-year DSG deficit (pounds; negative is a surplus).

    Notes
    -----
    ::

        in_year_deficit[t] = spend[t] - income[t] - transfers[t] + other_blocks[t]

    >>> in_year_deficit(np.array([100.0]), np.array([80.0]), np.array([5.0]), np.array([1.0]))
    array([16.])
    """
    return spend - income - transfers + other_blocks


def cumulative_deficit(
    opening_deficit: float, in_year: np.ndarray, contributions: np.ndarray
) -> np.ndarray:
    """Cumulative DSG deficit carried forward at the end of each year (pounds).

    Notes
    -----
    ::

        cumulative_deficit[-1] = opening_deficit
        cumulative_deficit[t]  = cumulative_deficit[t-1] + in_year_deficit[t] - contributions[t]

    References
    ----------
    Committee report 3.8 and METHOD.md worked figures: £40.015m brought
    forward + £11.730m in-year, nothing contributed = £51.745m.

    >>> cumulative_deficit(40_015_000.0, np.array([11_730_000.0]), np.array([0.0]))
    array([51745000.])
    """
    return opening_deficit + np.cumsum(in_year - contributions)


def trajectory(inputs: TrajectoryInputs) -> pd.DataFrame:
    """The trajectory table of validated inputs (see :func:`dsg_trajectory`)."""
    deficit = in_year_deficit(inputs.spend, inputs.income, inputs.transfers, inputs.other_blocks)
    result = pd.DataFrame(
        {
            "Year": inputs.years,
            "Income": inputs.income,
            "Transfers in": inputs.transfers,
            "Spend": inputs.spend,
            "Other blocks": inputs.other_blocks,
            "In-year deficit": deficit,
            "Contributions": inputs.contributions,
            "Cumulative deficit": cumulative_deficit(
                inputs.opening_deficit, deficit, inputs.contributions
            ),
        },
        columns=COLUMNS,
    )
    return finite_result(result, "income, spend, transfers, contributions and other_blocks")


def dsg_trajectory(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
) -> pd.DataFrame:
    """The High Needs position year by year and the cumulative DSG deficit.

    Parameters
    ----------
    years : series of ``YYYY-YY``
        Consecutive financial years.
    opening_deficit : float
        Cumulative DSG deficit brought forward into the first year, pounds
        (positive = deficit).
    income : series
        High Needs Block allocation after deductions, pounds a year.
    spend : series
        High Needs expenditure, pounds a year.
    transfers : series, optional
        Block transfers into the High Needs Block, pounds (default 0).
    contributions : series, optional
        Money applied to the cumulative deficit: DfE Safety Valve instalments
        received, council reserves, grants writing deficit off (default 0).
        Capital never enters the revenue position.
    other_blocks : series, optional
        Net in-year deficit on the other DSG blocks (default 0).

    Returns
    -------
    pandas.DataFrame
        ``Year | Income | Transfers in | Spend | Other blocks | In-year deficit
        | Contributions | Cumulative deficit``.

    Notes
    -----
    ::

        in_year_deficit[t]     = spend[t] - income[t] - transfers[t] + other_blocks[t]
        cumulative_deficit[t]  = cumulative_deficit[t-1] + in_year_deficit[t] - contributions[t]
        cumulative_deficit[-1] = opening_deficit

    References
    ----------
    METHOD.md, "DSG_TRAJECTORY".

    Examples
    --------
    >>> t = dsg_trajectory(["2024-25"], 40_015_000, 100_000_000, 111_730_000)
    >>> float(t["Cumulative deficit"].iloc[0])
    51745000.0
    """
    return trajectory(
        read_trajectory_inputs(
            years, opening_deficit, income, spend, transfers, contributions, other_blocks
        )
    )


def first_year_at_or_below_zero(years: list[str], values: np.ndarray) -> str:
    """The first year whose value is <= 0, else ``Not reached``.

    >>> first_year_at_or_below_zero(["2024-25", "2025-26"], np.array([5.0, 0.0]))
    '2025-26'
    """
    hits = np.nonzero(values <= 0)[0]
    return years[hits[0]] if len(hits) else NOT_REACHED


def dsg_summary(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
) -> pd.DataFrame:
    """The trajectory in five figures.

    Returns
    -------
    pandas.DataFrame
        ``Measure | Value`` rows: ``In-year balance year`` (first year with
        in-year deficit <= 0, else ``Not reached``), ``Deficit cleared year``
        (first year with cumulative deficit <= 0, else ``Not reached``),
        ``Peak cumulative deficit`` (pounds), ``Peak year`` (the first year
        the peak is reached), ``Closing cumulative deficit`` (pounds, last year).

    Notes
    -----
    The peak is taken over the years of the trajectory (the closing
    positions), not the opening balance brought forward.

    References
    ----------
    METHOD.md, "DSG_SUMMARY".

    Examples
    --------
    >>> s = dsg_summary(["2024-25", "2025-26"], 40e6, [100e6, 100e6], [110e6, 95e6])
    >>> s.values.tolist()
    [['In-year balance year', '2025-26'], ['Deficit cleared year', 'Not reached'], ['Peak cumulative deficit', 50000000.0], ['Peak year', '2024-25'], ['Closing cumulative deficit', 45000000.0]]
    """
    t = dsg_trajectory(
        years, opening_deficit, income, spend, transfers, contributions, other_blocks
    )
    year_list = t["Year"].tolist()
    cum = t["Cumulative deficit"].to_numpy(float)
    peak = int(np.argmax(cum))
    values = [
        first_year_at_or_below_zero(year_list, t["In-year deficit"].to_numpy(float)),
        first_year_at_or_below_zero(year_list, cum),
        float(cum[peak]),
        year_list[peak],
        float(cum[-1]),
    ]
    return pd.DataFrame({"Measure": SUMMARY_MEASURES, "Value": values})
