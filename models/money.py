"""Rounding money for people: once, half-up, where a figure is written.

Python's ``round()`` rounds half to even (``round(2.5) == 2``) and works on
the binary value (``round(2.675, 2) == 2.67``, because 2.675 is stored as
2.67499999999999982236431605997495353221893310546875); finance officers
expect half-up on the figure they see, so it is never used for money.

How a float is read
-------------------
A float is read as Excel shows it: through its first 15 significant digits
(Excel's display and ``ROUND`` work on 15). So 2.675 is 2.675 and rounds to
2.68, and a sum that lands a hair below a half penny
(1.0049999999999999 = 1.005 to 15 digits) rounds as the council sees it in
Excel, up to 1.01. Digits past the 15th are noise of binary arithmetic, not
money.

References
----------
STYLE.md, "Money" (round once, half-up, ``decimal.ROUND_HALF_UP``);
Microsoft, "Floating-point arithmetic may give inaccurate results in Excel"
(15 significant digits).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

#: Significant digits a float is read through, as Excel shows it.
SIGNIFICANT_DIGITS = 15

#: Enough digits for any finite float quantized to pence (1.8e308 has 309 integer digits).
_CONTEXT = Context(prec=400)


def _decimal(value: float) -> Decimal:
    """The float as Excel shows it: its first 15 significant digits, exactly.

    >>> _decimal(2.675), _decimal(1.0049999999999999), _decimal(0.1 + 0.2)
    (Decimal('2.675'), Decimal('1.005'), Decimal('0.3'))
    """
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{x} is not an amount of money: it cannot be rounded")
    return Decimal(format(x, f".{SIGNIFICANT_DIGITS}g"))


def round_half_up(value: float, places: int = 0) -> float:
    """``value`` rounded half away from zero to ``places`` decimals.

    The float is read through its first 15 significant digits, as Excel shows
    it (see the module's notes), so 2.675 (stored as 2.67499999...) rounds to
    2.68 as a person reading "2.675" expects; halves round away from zero
    (-2.5 to -3). Any finite float can be rounded (1e26 and beyond included);
    NaN and infinity are a ``ValueError``.

    Parameters
    ----------
    value : float
        Pounds (or any figure).
    places : int
        Decimal places kept: 0 for whole pounds, 2 for pence.

    Notes
    -----
    ::

        round_half_up(x, d) = sign(x) x floor(|x15| x 10^d + 1/2) / 10^d
        where x15 is x to 15 significant digits

    References
    ----------
    STYLE.md, "Money".

    Examples
    --------
    >>> round_half_up(2.5), round_half_up(-2.5), round_half_up(2.675, 2)
    (3.0, -3.0, 2.68)
    >>> round_half_up(1234567.125, 2), round_half_up(1e26, 2), round_half_up(-0.004, 2)
    (1234567.13, 1e+26, 0.0)
    """
    quantum = Decimal(1).scaleb(-places)
    rounded = _decimal(value).quantize(quantum, rounding=ROUND_HALF_UP, context=_CONTEXT)
    return float(rounded) + 0.0  # -0.004 to pence is 0, not "-0"


def format_pounds(value: float, places: int = 0) -> str:
    """``£1,234,568`` / ``-£4,500,000``: pounds for a printed table.

    >>> format_pounds(51745000), format_pounds(-4500000.5), format_pounds(0.125, 2)
    ('£51,745,000', '-£4,500,001', '£0.13')
    """
    x = round_half_up(value, places)
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x):,.{places}f}"


def format_percent(share: float, places: int = 1) -> str:
    """``92.8%``: a share (0.928) as a percentage for a printed table, rounded half-up.

    >>> format_percent(0.928), format_percent(0.00025), format_percent(0.125, 0)
    ('92.8%', '0.0%', '13%')
    """
    return f"{round_half_up(share * 100, places):.{places}f}%"
