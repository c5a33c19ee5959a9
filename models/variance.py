"""Variance to plan with a RAG rating (METHOD.md, VARIANCE_TO_PLAN)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import Problems
from models.validation import ResultTable, check_finite, read_scalar, read_series, read_years

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd

DEFAULT_AMBER_TOLERANCE = 0.05
COLUMNS = ["Year", "Plan", "Forecast", "Variance", "Variance %", "RAG"]


def variance(forecast: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """``Variance = Forecast - Plan`` (positive is worse than plan)."""
    return forecast - plan


def variance_percent(actual: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """Variance as a share of the plan, element by element; NaN (an empty cell) where the plan is 0.

    The one place variance % is computed: VARIANCE_TO_PLAN and the return's
    Financial summary and High needs lines use it.

    Parameters
    ----------
    actual : numpy.ndarray
        Forecast or outturn, pounds (or plans, children...).
    plan : numpy.ndarray
        The plan or budget for the same measure, same units.

    Returns
    -------
    numpy.ndarray
        Decimal share (0.05 = 5% over plan); NaN where the plan is 0, shown
        as an empty cell (a share of nothing has no meaning).

    Notes
    -----
    ::

        variance_percent = (actual - plan) / |plan|     (NaN when plan = 0)

    Dividing by ``|plan|`` keeps the sign of the variance: over plan is
    positive whether the plan is a deficit (positive) or a surplus (negative).

    References
    ----------
    METHOD.md, "VARIANCE_TO_PLAN" (Variance % = Variance / |Plan|, empty when
    Plan = 0); RETURN.md, the High needs sheet's Variance % column.

    Examples
    --------
    >>> variance_percent(np.array([105.0, -95.0, 1.0]), np.array([100.0, -100.0, 0.0]))
    array([0.05, 0.05,  nan])
    """
    actual = np.asarray(actual, dtype=float)
    plan = np.asarray(plan, dtype=float)
    out = np.full(np.broadcast(actual, plan).shape, np.nan)
    with np.errstate(all="ignore"):
        np.divide(actual - plan, np.abs(plan), out=out, where=plan != 0)
    return out


def rag(var: np.ndarray, plan: np.ndarray, amber_tolerance: float) -> list[str]:
    """``Green`` when Variance <= 0; ``Amber`` when Variance <= tolerance x |Plan|; else ``Red``.

    >>> rag(np.array([0.0, 5.0, 5.01]), np.array([100.0, 100.0, 100.0]), 0.05)
    ['Green', 'Amber', 'Red']
    """
    with np.errstate(all="ignore"):
        amber = var <= amber_tolerance * np.abs(plan)
    return np.where(var <= 0, "Green", np.where(amber, "Amber", "Red")).tolist()


def variance_to_plan(
    years: Any, forecast: Any, plan: Any, amber_tolerance: Any = None
) -> pd.DataFrame:
    """Forecast against plan for a measure where higher is worse.

    Parameters
    ----------
    years : series of ``YYYY-YY``
        Consecutive financial years.
    forecast, plan : series
        The measure (deficits, spend or EHCP numbers), one value per year.
    amber_tolerance : float, optional
        Share of |Plan| an overrun may reach and stay Amber; default 0.05.

    Returns
    -------
    pandas.DataFrame
        ``Year | Plan | Forecast | Variance | Variance % | RAG``.

    Notes
    -----
    ::

        Variance   = Forecast - Plan
        Variance % = Variance / |Plan|            (empty when Plan = 0)
        RAG        = Green  when Variance <= 0
                     Amber  when Variance <= amber_tolerance x |Plan|
                     Red    otherwise

    References
    ----------
    METHOD.md, "VARIANCE_TO_PLAN".

    Examples
    --------
    >>> variance_to_plan(["2024-25"], 51_745_000, 50_000_000)["RAG"].tolist()
    ['Amber']
    """
    return variance_to_plan_result(years, forecast, plan, amber_tolerance).frame()


def variance_to_plan_result(
    years: Any, forecast: Any, plan: Any, amber_tolerance: Any = None
) -> ResultTable:
    """:func:`variance_to_plan` as a :class:`~models.validation.ResultTable` (no pandas)."""
    year_list = read_years(years)
    found = Problems()
    f = found.run(read_series, forecast, year_list, "forecast")
    p = found.run(read_series, plan, year_list, "plan")
    tolerance = found.run(
        read_scalar, amber_tolerance, "amber_tolerance", minimum=0, default=DEFAULT_AMBER_TOLERANCE
    )
    found.raise_if_any()
    assert f is not None and p is not None and tolerance is not None
    with np.errstate(all="ignore"):
        var = variance(f, p)
    result = ResultTable(
        COLUMNS,
        [year_list, p, f, var, variance_percent(f, p), rag(var, p, tolerance)],
        blank=frozenset({"Variance %"}),
    )
    return check_finite(result, "forecast and plan")
