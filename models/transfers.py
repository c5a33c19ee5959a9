"""Block transfers from the Schools Block to the High Needs Block (METHOD.md, BLOCK_TRANSFER_IMPACT)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import Problems
from models.validation import ResultTable, check_finite, read_scalar, read_series, read_years

if TYPE_CHECKING:  # the DataFrame forms import pandas when called (ResultTable.frame)
    import pandas as pd

#: A transfer above this share of the Schools Block needs the Secretary of State
#: (committee report 3.14-3.15; DfE's disapplication guidance).
DEFAULT_THRESHOLD = 0.005

REQUIRED = "Required"
NOT_REQUIRED = "Not required"

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


def secretary_of_state_approval(rate: np.ndarray, threshold: float) -> list[str]:
    """``Required`` when rate > threshold; exactly the threshold needs the forum only.

    >>> secretary_of_state_approval(np.array([0.005, 0.01]), 0.005)
    ['Not required', 'Required']
    """
    return np.where(rate > threshold, REQUIRED, NOT_REQUIRED).tolist()


def block_transfer_impact(
    years: Any, schools_block: Any, rate: Any, threshold: Any = None
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
        Secretary of State  = Required when rate > threshold

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT"; committee report 3.14-3.16: 1% in
    2023-24 (£4.5m) and 2024-25 (£4.8m), £9.3m in all, above the 0.5% limit.

    Examples
    --------
    >>> t = block_transfer_impact(["2023-24", "2024-25"], [[450e6, 480e6]], 0.01)
    >>> t["Cumulative transfer"].tolist(), t["Secretary of State approval"].tolist()
    ([4500000.0, 9300000.0], ['Required', 'Required'])
    """
    return block_transfer_result(years, schools_block, rate, threshold).frame()


def block_transfer_result(
    years: Any, schools_block: Any, rate: Any, threshold: Any = None
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
            secretary_of_state_approval(share, limit),
        ],
    )
    return check_finite(result, "schools_block")
