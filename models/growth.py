"""EHCP growth: the compound annual rate and the percent change (METHOD.md, EHCP_GROWTH)."""

from __future__ import annotations

import math
from typing import Any

from models.errors import InputError, Problem, Problems
from models.validation import read_scalar


def ehcp_growth(first: Any, last: Any, years: Any) -> float:
    """Compound annual growth rate between two counts.

    Parameters
    ----------
    first : float
        Count at the start (plans, pounds...); must be > 0.
    last : float
        Count at the end; must be >= 0.
    years : float
        Years between the two counts; must be > 0.

    Returns
    -------
    float
        Decimal rate a year (0.1279 = 12.79%).

    Notes
    -----
    ::

        growth = (last / first) ^ (1 / years) - 1

    References
    ----------
    METHOD.md, "EHCP_GROWTH(first, last, years)"; committee report 3.27:
    4,222 plans (2018) to 7,707 (2023) is "12.8% a year".

    Examples
    --------
    >>> f"{ehcp_growth(4222, 7707, 5):.2%}"
    '12.79%'
    """
    found = Problems()
    f = found.run(read_scalar, first, "first", above=0)
    la = found.run(read_scalar, last, "last", minimum=0)
    span = found.run(read_scalar, years, "years", above=0)
    found.raise_if_any()
    assert f is not None and la is not None and span is not None
    ratio = la / f
    if not math.isfinite(ratio):
        raise InputError(
            [Problem("last", "", f"the growth from {f:g} to {la:g} is too large to compute")]
        )
    try:
        rate = ratio ** (1.0 / span) - 1.0
    except OverflowError:
        rate = math.inf
    if not math.isfinite(rate):
        raise InputError(
            [
                Problem(
                    "years",
                    "",
                    f"{span:g} years is too short for a growth from {f:g} to {la:g}: "
                    "the yearly rate is too large to compute",
                )
            ]
        )
    return rate


def percent_change(first: Any, last: Any) -> float:
    """Change from ``first`` to ``last`` as a decimal.

    Parameters
    ----------
    first : float
        Starting value; must be > 0.
    last : float
        Ending value (any finite number).

    Notes
    -----
    ::

        percent_change = last / first - 1

    A change too large for a float (``last / first`` overflows, e.g. from
    1e-10 to 1e300) is an error naming both values, never ``inf``.

    References
    ----------
    METHOD.md, "PERCENT_CHANGE(first, last)".

    Examples
    --------
    >>> f"{percent_change(4222, 7707):+.1%}"
    '+82.5%'
    >>> percent_change(1e-10, 1e300)
    Traceback (most recent call last):
    ...
    models.errors.InputError: last: the change from 1e-10 to 1e+300 is too large to compute
    """
    found = Problems()
    f = found.run(read_scalar, first, "first", above=0)
    la = found.run(read_scalar, last, "last")
    found.raise_if_any()
    assert f is not None and la is not None
    change = la / f - 1.0
    if not math.isfinite(change):
        raise InputError(
            [Problem("last", "", f"the change from {f:g} to {la:g} is too large to compute")]
        )
    return change
