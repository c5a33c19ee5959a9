"""Rounding money for people: once, half-up, where a figure is written.

Python's ``round()`` rounds half to even (``round(2.5) == 2``); finance
officers expect half-up, so it is never used for money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def round_half_up(value: float, places: int = 0) -> float:
    """``value`` rounded half away from zero to ``places`` decimals.

    The float is read through its shortest repr, so 2.675 (stored as
    2.67499999...) rounds to 2.68 as a person reading "2.675" expects.

    Parameters
    ----------
    value : float
        Pounds (or any figure).
    places : int
        Decimal places kept: 0 for whole pounds, 2 for pence.

    >>> round_half_up(2.5), round_half_up(-2.5), round_half_up(2.675, 2)
    (3.0, -3.0, 2.68)
    """
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_pounds(value: float, places: int = 0) -> str:
    """``£1,234,568`` / ``-£4,500,000``: pounds for a printed table.

    >>> format_pounds(51745000), format_pounds(-4500000.5), format_pounds(0.125, 2)
    ('£51,745,000', '-£4,500,001', '£0.13')
    """
    x = round_half_up(value, places)
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x):,.{places}f}"
