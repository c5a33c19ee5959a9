"""The High Needs position year by year and the cumulative DSG deficit (METHOD.md, DSG_TRAJECTORY)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import Problems
from models.validation import ResultTable, check_finite, read_scalar, read_series, read_years

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd

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
    out, a clawback); omitted series (or ranges with every cell empty) are 0,
    but a blank cell inside a series that has values is an error naming the
    argument and the year, never 0.

    >>> read_trajectory_inputs(["2024-25", "2025-26"], 0, 1, 1, [[5e6, None]])
    Traceback (most recent call last):
    ...
    models.errors.InputError: transfers year 2025-26: is blank
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

    Years are the trailing axis, so scenarios x years rolls forward too.

    References
    ----------
    Committee report 3.8 and METHOD.md worked figures: £40.015m brought
    forward + £11.730m in-year, nothing contributed = £51.745m.

    >>> cumulative_deficit(40_015_000.0, np.array([11_730_000.0]), np.array([0.0]))
    array([51745000.])
    """
    return opening_deficit + np.cumsum(in_year - contributions, axis=-1)


def trajectory_table(inputs: TrajectoryInputs) -> ResultTable:
    """The trajectory table of validated inputs, without pandas (see :func:`dsg_trajectory`)."""
    with np.errstate(all="ignore"):
        deficit = in_year_deficit(
            inputs.spend, inputs.income, inputs.transfers, inputs.other_blocks
        )
        cumulative = cumulative_deficit(inputs.opening_deficit, deficit, inputs.contributions)
    result = ResultTable(
        COLUMNS,
        [
            inputs.years,
            inputs.income,
            inputs.transfers,
            inputs.spend,
            inputs.other_blocks,
            deficit,
            inputs.contributions,
            cumulative,
        ],
    )
    return check_finite(result, "income, spend, transfers, contributions and other_blocks")


def trajectory(inputs: TrajectoryInputs) -> pd.DataFrame:
    """The trajectory table of validated inputs (see :func:`dsg_trajectory`)."""
    return trajectory_table(inputs).frame()


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
    return dsg_trajectory_result(
        years, opening_deficit, income, spend, transfers, contributions, other_blocks
    ).frame()


def dsg_trajectory_result(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
) -> ResultTable:
    """:func:`dsg_trajectory` as a :class:`~models.validation.ResultTable` (no pandas)."""
    return trajectory_table(
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
    return dsg_summary_result(
        years, opening_deficit, income, spend, transfers, contributions, other_blocks
    ).frame()


def summary_table(years: list[str], in_year: np.ndarray, cumulative: np.ndarray) -> ResultTable:
    """The five figures of :func:`dsg_summary` from the in-year and cumulative deficits.

    >>> summary_table(["2024-25"], np.array([-1.0]), np.array([5.0])).rows()[1:3]
    [['In-year balance year', '2024-25'], ['Deficit cleared year', 'Not reached']]
    """
    peak = int(np.argmax(cumulative))
    values = [
        first_year_at_or_below_zero(years, in_year),
        first_year_at_or_below_zero(years, cumulative),
        float(cumulative[peak]),
        years[peak],
        float(cumulative[-1]),
    ]
    return ResultTable(["Measure", "Value"], [SUMMARY_MEASURES, values])


def dsg_summary_result(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
) -> ResultTable:
    """:func:`dsg_summary` as a :class:`~models.validation.ResultTable` (no pandas)."""
    t = dsg_trajectory_result(
        years, opening_deficit, income, spend, transfers, contributions, other_blocks
    )
    year_list, in_year, cumulative = t.columns[0], t.columns[5], t.columns[7]
    return summary_table(year_list, in_year, cumulative)
