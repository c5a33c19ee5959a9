"""English financial years, labelled ``YYYY-YY`` (``2024-25`` runs 1 April 2024 to 31 March 2025)."""

from __future__ import annotations

import re

from models.errors import InputError, Problem
from models.validation import parse_year

_PERIOD = re.compile(r"^\s*(\d{4}\s*[-/]\s*\d{2})\b(.*)$")


def year_label(start: int) -> str:
    """The label of the financial year starting in April of ``start``.

    >>> year_label(2024), year_label(1999)
    ('2024-25', '1999-00')
    """
    return f"{start}-{(start + 1) % 100:02d}"


def year_start(label: str) -> int:
    """The calendar year in which financial year ``label`` starts.

    >>> year_start("2024-25")
    2024
    """
    return int(label[:4])


def financial_year_of_period(period: str, argument: str = "Return period") -> str:
    """The financial year a return period belongs to.

    >>> financial_year_of_period("2024-25 Q2")
    '2024-25'
    """
    m = _PERIOD.match(str(period if period is not None else ""))
    year, err = (
        parse_year(m.group(1))
        if m
        else (None, f"{str(period)!r} is not a period like '2024-25 Q2'")
    )
    if err:
        raise InputError([Problem(argument, "", err)])
    return year
