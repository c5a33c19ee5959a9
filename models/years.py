"""English financial years, labelled ``YYYY-YY`` (``2024-25`` runs 1 April 2024 to 31 March 2025)."""

from __future__ import annotations

import functools
import re

from models.errors import InputError, Problem, show

_PERIOD = re.compile(r"^\s*(\d{4}\s*[-/]\s*\d{2})\b(.*)$")
_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2})\s*$")

#: The first and last calendar years a financial year may start in. The DSG began in
#: 2006-07 and the DfE's High Needs statistics reach back to the 2010s; a model runs some
#: decades ahead. Outside this range a "year" is a typing error (``0224-25``).
FIRST_START = 1990
LAST_START = 2100


def year_label(start: int) -> str:
    """The label of the financial year starting in April of ``start``.

    The one place the ``YYYY-YY`` label is spelt: the second part is the last
    two digits of the year the financial year ends in.

    Notes
    -----
    ::

        label = f"{start}-{(start + 1) mod 100:02d}"

    References
    ----------
    METHOD.md, "Conventions" (financial years ``2024-25``); DfE, the financial
    year runs 1 April to 31 March.

    Examples
    --------
    >>> year_label(2024), year_label(1999), year_label(2009)
    ('2024-25', '1999-00', '2009-10')
    """
    return f"{start}-{(start + 1) % 100:02d}"


def year_start(label: str) -> int:
    """The calendar year in which financial year ``label`` starts.

    >>> year_start("2024-25")
    2024
    """
    return int(label[:4])


@functools.lru_cache(maxsize=4096)
def parse_year_text(text: str) -> tuple[str | None, str | None]:
    """A financial-year label from text (``2024-25``, `` 2024/25 ``), or what is wrong.

    :func:`models.validation.parse_year` reads a cell with it.

    >>> parse_year_text(" 2024/25 ")
    ('2024-25', None)
    """
    if not text.strip():
        return None, "is blank"
    m = _YEAR.match(text)
    if not m:
        return None, f"{show(text)} is not a financial year like '2024-25'"
    start = int(m.group(1))
    if not FIRST_START <= start <= LAST_START:
        return None, (
            f"{show(text)} is not a financial year: its start must be a 4-digit year "
            f"from {FIRST_START} to {LAST_START}"
        )
    label = year_label(start)
    if label[-2:] != m.group(2):
        return None, (f"{show(text)} is not a financial year: the second part must be {label[-2:]}")
    return label, None


def financial_year_of_period(period: str, argument: str = "Return period") -> str:
    """The financial year a return period belongs to.

    >>> financial_year_of_period("2024-25 Q2")
    '2024-25'
    """
    m = _PERIOD.match(str(period if period is not None else ""))
    year, err = (
        parse_year_text(m.group(1))
        if m
        else (None, f"{str(period)!r} is not a period like '2024-25 Q2'")
    )
    if err or year is None:
        raise InputError([Problem(argument, "", err or "is blank")])
    return year
