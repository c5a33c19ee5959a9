"""Variance to plan with a RAG rating (METHOD.md, VARIANCE_TO_PLAN)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from models.errors import Problems
from models.validation import finite_result, read_scalar, read_series, read_years

DEFAULT_AMBER_TOLERANCE = 0.05
COLUMNS = ["Year", "Plan", "Forecast", "Variance", "Variance %", "RAG"]


def variance(forecast: np.ndarray, plan: np.ndarray) -> np.ndarray:
    """``Variance = Forecast - Plan`` (positive is worse than plan)."""
    return forecast - plan


def variance_percent(var: np.ndarray, plan: np.ndarray) -> list[float | None]:
    """``Variance / |Plan|``; None (an empty cell) where the plan is 0.

    >>> variance_percent(np.array([5.0, 1.0]), np.array([-100.0, 0.0]))
    [0.05, None]
    """
    return [float(v / abs(p)) if p != 0 else None for v, p in zip(var, plan, strict=True)]


def rag(var: np.ndarray, plan: np.ndarray, amber_tolerance: float) -> list[str]:
    """``Green`` when Variance <= 0; ``Amber`` when Variance <= tolerance x |Plan|; else ``Red``.

    >>> rag(np.array([0.0, 5.0, 5.01]), np.array([100.0, 100.0, 100.0]), 0.05)
    ['Green', 'Amber', 'Red']
    """
    out = []
    for v, p in zip(var, plan, strict=True):
        if v <= 0:
            out.append("Green")
        elif v <= amber_tolerance * abs(p):
            out.append("Amber")
        else:
            out.append("Red")
    return out


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
    year_list = read_years(years)
    found = Problems()
    f = found.run(read_series, forecast, year_list, "forecast")
    p = found.run(read_series, plan, year_list, "plan")
    tolerance = found.run(
        read_scalar, amber_tolerance, "amber_tolerance", minimum=0, default=DEFAULT_AMBER_TOLERANCE
    )
    found.raise_if_any()
    var = variance(f, p)
    result = pd.DataFrame(
        {
            "Year": year_list,
            "Plan": p,
            "Forecast": f,
            "Variance": var,
            "Variance %": pd.Series(variance_percent(var, p), dtype=object),
            "RAG": rag(var, p, tolerance),
        },
        columns=COLUMNS,
    )
    return finite_result(result, "forecast and plan")
