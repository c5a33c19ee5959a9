"""Block transfers from the Schools Block to the High Needs Block (METHOD.md, BLOCK_TRANSFER_IMPACT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import InputError, Problem, Problems, show
from models.validation import (
    ResultTable,
    all_blank,
    check_finite,
    is_blank,
    per_position,
    read_scalar,
    read_series,
    read_years,
)

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd

#: A transfer above this share of the Schools Block needs the Secretary of State
#: (committee report 3.14-3.15; DfE's disapplication guidance).
DEFAULT_THRESHOLD = 0.005

REQUIRED = "Required"
NOT_REQUIRED = "Not required"

#: The schools forum's decisions on a transfer (METHOD.md, BLOCK_TRANSFER_IMPACT); blank is
#: not yet decided, or no transfer.
APPROVED = "Approved"
REFUSED = "Refused"
DECISIONS = (APPROVED, REFUSED)

COLUMNS = [
    "Year",
    "Schools block",
    "Transfer rate",
    "Transfer",
    "Cumulative transfer",
    "Schools forum approval",
    "Secretary of State approval",
]


def transfer_amount(schools_block: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Pounds moved into the High Needs Block each year.

    Notes
    -----
    ::

        transfer = schools_block x rate

    >>> transfer_amount(np.array([450e6, 480e6]), np.array([0.01, 0.01]))
    array([4500000., 4800000.])
    """
    return schools_block * rate


def cumulative_transfer(transfer: np.ndarray) -> np.ndarray:
    """Running total of transfers: how much larger the cumulative deficit
    would be without them (pounds).

    >>> cumulative_transfer(np.array([4.5e6, 4.8e6]))
    array([4500000., 9300000.])
    """
    return np.cumsum(transfer)


def schools_forum_approval(rate: np.ndarray) -> list[str]:
    """``Required`` for any transfer (rate > 0), else ``Not required``."""
    return np.where(rate > 0, REQUIRED, NOT_REQUIRED).tolist()


def forum_decision(text: Any) -> str | None:
    """A schools forum decision as written (``Approved``, ``Refused`` or ``""``), or None.

    Matched ignoring case and surrounding spaces; blank is ``""`` (not yet
    decided, or no transfer); anything else is None (not a decision).

    >>> forum_decision(" refused "), forum_decision(None), forum_decision("maybe")
    ('Refused', '', None)
    """
    if is_blank(text):
        return ""
    if not isinstance(text, str):
        return None
    return next((d for d in DECISIONS if d.casefold() == text.strip().casefold()), None)


def read_forum_decisions(
    value: Any, years: list[str], rate: np.ndarray, argument: str = "forum_decision"
) -> list[str]:
    """One schools forum decision per year: ``Approved``, ``Refused`` or ``""``.

    Omitted or every cell blank: all ``""``. A decision that is not one of
    the two, or a decision on a year with no transfer, is an error naming the
    year (METHOD.md, BLOCK_TRANSFER_IMPACT).

    >>> read_forum_decisions([["refused", None]], ["2019-20", "2020-21"], np.array([0.005, 0.0]))
    ['Refused', '']
    >>> read_forum_decisions("Approved", ["2019-20", "2020-21"], np.array([0.005, 0.0]))
    Traceback (most recent call last):
    ...
    models.errors.InputError: forum_decision year 2020-21: 'Approved' is a forum decision on a year with no transfer (rate 0): leave it blank
    """
    n = len(years)
    if all_blank(value):
        return [""] * n
    cells = per_position(
        value,
        n,
        argument,
        f"{n} years ({years[0]} to {years[-1]}): give one decision per year or one for all",
    )
    out: list[str] = []
    problems: list[Problem] = []
    for year, cell, share in zip(years, cells, rate.tolist(), strict=True):
        decision = forum_decision(cell)
        if decision is None:
            problems.append(
                Problem(
                    argument,
                    f"year {year}",
                    f"{show(cell)} is not a forum decision: Approved, Refused or blank",
                )
            )
        elif decision and not share > 0:
            problems.append(
                Problem(
                    argument,
                    f"year {year}",
                    f"{show(decision)} is a forum decision on a year with no transfer (rate 0): "
                    "leave it blank",
                )
            )
        out.append(decision or "")
    if problems:
        raise InputError(problems)
    return out


def secretary_of_state_approval(
    rate: np.ndarray, threshold: float, decisions: list[str] | None = None
) -> list[str]:
    """``Required`` above the threshold, or for any transfer the schools forum refused.

    A transfer of exactly the threshold that the forum approved (or has not
    yet decided) needs the forum only.

    Notes
    -----
    ::

        Secretary of State = Required  when rate > threshold
                           = Required  when rate > 0 and forum decision = Refused
                           = Not required otherwise

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT"; DfE's schools operational guide
    (transfers between blocks): a council may ask the Secretary of State to
    disapply the limit when the schools forum does not agree a transfer, and
    must for any transfer above 0.5%; Surrey 2019-20: the forum refused 0.5%,
    the council applied to the Secretary of State.

    >>> secretary_of_state_approval(np.array([0.005, 0.01, 0.005]), 0.005, ["", "", "Refused"])
    ['Not required', 'Required', 'Required']
    """
    refused = np.array([d == REFUSED for d in decisions or [""] * len(rate)], dtype=bool)
    needed = (rate > threshold) | ((rate > 0) & refused)
    return np.where(needed, REQUIRED, NOT_REQUIRED).tolist()


def block_transfer_impact(
    years: Any,
    schools_block: Any,
    rate: Any,
    threshold: Any = None,
    forum_decision: Any = None,
) -> pd.DataFrame:
    """Transfers from the Schools Block and the approvals they need.

    Parameters
    ----------
    years : series of ``YYYY-YY``
        Consecutive financial years.
    schools_block : series
        Schools Block allocation per year, pounds (>= 0).
    rate : series
        Share moved per year, decimal (0.01 = 1%), from 0 to 1.
    threshold : float, optional
        Share above which the Secretary of State must approve; default 0.005.
    forum_decision : series of text, optional
        The schools forum's decision per year: ``Approved``, ``Refused`` or
        blank (not yet decided, or no transfer), any case; omitted: all blank.

    Returns
    -------
    pandas.DataFrame
        ``Year | Schools block | Transfer rate | Transfer | Cumulative transfer
        | Schools forum approval | Secretary of State approval``.

    Notes
    -----
    ::

        Transfer            = Schools block x Transfer rate
        Cumulative transfer = running sum of Transfer
        Schools forum       = Required when rate > 0
        Secretary of State  = Required when rate > threshold,
                              or rate > 0 and the forum decision is Refused

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT"; committee report 3.14-3.16: 1% in
    2023-24 (£4.5m) and 2024-25 (£4.8m), £9.3m in all, above the 0.5% limit.

    Examples
    --------
    >>> t = block_transfer_impact(["2023-24", "2024-25"], [[450e6, 480e6]], 0.01)
    >>> t["Cumulative transfer"].tolist(), t["Secretary of State approval"].tolist()
    ([4500000.0, 9300000.0], ['Required', 'Required'])

    Surrey 2019-20: the forum refused a 0.5% transfer, so the Secretary of State decides.

    >>> t = block_transfer_impact(["2019-20"], 500e6, 0.005, None, "Refused")
    >>> t["Secretary of State approval"].tolist()
    ['Required']
    """
    return block_transfer_result(years, schools_block, rate, threshold, forum_decision).frame()


def block_transfer_result(
    years: Any,
    schools_block: Any,
    rate: Any,
    threshold: Any = None,
    forum_decision: Any = None,
) -> ResultTable:
    """:func:`block_transfer_impact` as a :class:`~models.validation.ResultTable` (no pandas)."""
    year_list = read_years(years)
    found = Problems()
    block = found.run(read_series, schools_block, year_list, "schools_block", minimum=0)
    share = found.run(read_series, rate, year_list, "rate", minimum=0, maximum=1)
    limit = found.run(
        read_scalar, threshold, "threshold", minimum=0, maximum=1, default=DEFAULT_THRESHOLD
    )
    found.raise_if_any()
    assert block is not None and share is not None and limit is not None
    decisions = read_forum_decisions(forum_decision, year_list, share)
    with np.errstate(all="ignore"):
        moved = transfer_amount(block, share)
        running = cumulative_transfer(moved)
    result = ResultTable(
        COLUMNS,
        [
            year_list,
            block,
            share,
            moved,
            running,
            schools_forum_approval(share),
            secretary_of_state_approval(share, limit, decisions),
        ],
    )
    return check_finite(result, "schools_block")
