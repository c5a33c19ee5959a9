"""The 2026 deficit write-off and what falls on the council (METHOD.md, DEFICIT_WRITE_OFF).

In 2026 the government announced that it will write off 90% of the High
Needs deficit built up to 31 March 2026 through a one-off High Needs
Stability Grant paid in 2026-27, conditional on an approved local SEND
reform plan; the rest, and every deficit after it, stays with the council,
and the statutory override that keeps the deficit off the council's general
reserves runs to the end of 2027-28.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.errors import Problems
from models.validation import (
    ResultTable,
    check_finite,
    read_scalar,
    read_series,
    read_year,
    read_years,
)
from models.years import year_label

__all__ = [
    "COLUMNS",
    "WRITE_OFF_YEAR",
    "WRITE_OFF_SHARE",
    "OVERRIDE_END",
    "WriteOff",
    "write_off",
    "deficit_write_off_result",
]

COLUMNS = [
    "Year",
    "Cumulative deficit",
    "Write-off",
    "Cumulative deficit after write-off",
    "Falls on the council",
]
#: The year the High Needs Stability Grant is paid (METHOD.md default).
WRITE_OFF_YEAR = "2026-27"
#: The share of the deficit at 31 March 2026 written off (METHOD.md default).
WRITE_OFF_SHARE = 0.9
#: The last year the statutory override covers (METHOD.md default).
OVERRIDE_END = "2027-28"


@dataclass(frozen=True, eq=False)
class WriteOff:
    """The write-off of one cumulative-deficit path, by year (pounds)."""

    years: list[str]
    cumulative: np.ndarray
    write_off: np.ndarray
    after: np.ndarray
    falls_on_council: np.ndarray

    def table(self) -> ResultTable:
        """``Year | Cumulative deficit | Write-off | ... | Falls on the council``."""
        return ResultTable(
            COLUMNS,
            [self.years, self.cumulative, self.write_off, self.after, self.falls_on_council],
        )


def write_off(
    years: list[str],
    cumulative: np.ndarray,
    write_off_year: str = WRITE_OFF_YEAR,
    share: float = WRITE_OFF_SHARE,
    override_end: str = OVERRIDE_END,
) -> WriteOff:
    """The write-off W and the deficit left after it, for validated inputs.

    Parameters
    ----------
    years : list of str
        Consecutive financial years (``2024-25``).
    cumulative : numpy.ndarray
        Cumulative DSG deficit at the end of each year, pounds (as
        DSG_TRAJECTORY returns it); a trailing axis of years, so an array of
        scenarios x years works too.
    write_off_year : str
        The year the grant is paid; it and the year before must be in ``years``.
    share : float
        Share of the deficit written off, 0 to 1 (0.9 = 90%).
    override_end : str
        The last year the statutory override covers.

    Returns
    -------
    WriteOff

    Notes
    -----
    ::

        W                      = share x max(cumulative[write_off_year - 1], 0)
        write_off[t]           = W  (t = write_off_year), else 0
        after[t]               = cumulative[t] - W  (t >= write_off_year), else cumulative[t]
        falls_on_council[t]    = max(after[t], 0)  (t >= override_end), else 0

    References
    ----------
    METHOD.md, "DEFICIT_WRITE_OFF"; the 2026 High Needs Stability Grant (90%
    of the High Needs deficit at 31 March 2026, paid in 2026-27; the
    statutory override extended to the end of 2027-28).

    Examples
    --------
    £60m at 31 March 2026, £10m more a year after it: £54m written off in
    2026-27, and £26m falls on the council at the end of 2027-28.

    >>> w = write_off(["2025-26", "2026-27", "2027-28"], np.array([60e6, 70e6, 80e6]))
    >>> w.write_off.tolist(), w.after.tolist(), w.falls_on_council.tolist()
    ([0.0, 54000000.0, 0.0], [60000000.0, 16000000.0, 26000000.0], [0.0, 0.0, 26000000.0])
    """
    cumulative = np.asarray(cumulative, dtype=float)
    k = years.index(write_off_year)
    start = int(override_end[:4])
    before = cumulative[..., k - 1]
    w = share * np.maximum(before, 0.0)
    paid = np.array([t == k for t in range(len(years))])
    from_year = np.arange(len(years)) >= k
    covered_after = np.array([int(y[:4]) >= start for y in years])
    w_cols = np.asarray(w)[..., None]
    write = np.where(paid, w_cols, 0.0)
    after = np.where(from_year, cumulative - w_cols, cumulative)
    falls = np.where(covered_after, np.maximum(after, 0.0), 0.0)
    return WriteOff(list(years), cumulative, write, after, falls)


def deficit_write_off_result(
    years: Any,
    cumulative_deficit: Any,
    write_off_year: Any = None,
    share: Any = None,
    override_end: Any = None,
) -> ResultTable:
    """DEFICIT_WRITE_OFF: the write-off of Excel-shaped arguments, every problem at once.

    A year the write-off needs that is not in ``years`` (``write_off_year`` or
    the year before it) is an error naming ``write_off_year`` and the missing
    year.

    References
    ----------
    METHOD.md, "DEFICIT_WRITE_OFF"; :func:`write_off` for the formula.

    Examples
    --------
    >>> t = deficit_write_off_result([["2025-26", "2026-27"]], [[60e6, 70e6]])
    >>> t.rows()[2]
    ['2026-27', 70000000.0, 54000000.0, 16000000.0, 0.0]
    >>> deficit_write_off_result([["2026-27", "2027-28"]], [[1, 2]])
    Traceback (most recent call last):
    ...
    models.errors.InputError: write_off_year: needs 2025-26, the year before 2026-27, in years (2026-27 to 2027-28)
    """
    found = Problems()
    year_list = found.run(read_years, years)
    wy = found.run(read_year, write_off_year, "write_off_year", WRITE_OFF_YEAR)
    end = found.run(read_year, override_end, "override_end", OVERRIDE_END)
    rate = found.run(read_scalar, share, "share", minimum=0, maximum=1, default=WRITE_OFF_SHARE)
    deficit = None
    if year_list is not None:
        deficit = found.run(read_series, cumulative_deficit, year_list, "cumulative_deficit")
        if wy is not None:
            span = f"{year_list[0]} to {year_list[-1]}"
            previous = year_label(int(wy[:4]) - 1)
            if wy not in year_list:
                found.add("write_off_year", "", f"{wy} is not in years ({span})")
            elif previous not in year_list:
                found.add(
                    "write_off_year",
                    "",
                    f"needs {previous}, the year before {wy}, in years ({span})",
                )
    found.raise_if_any()
    assert year_list is not None and deficit is not None and wy is not None
    assert end is not None and rate is not None
    with np.errstate(all="ignore"):
        table = write_off(year_list, deficit, wy, rate, end).table()
    return check_finite(table, "cumulative_deficit")
