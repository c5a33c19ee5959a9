"""Money is rounded half-up on the figure a person sees (models/money.py, STYLE.md "Money").

Every case below where Python's ``round()`` gives another answer is marked: replacing
``round_half_up`` by ``round`` fails this file. How a float is read is stated once:
through its first 15 significant digits, as Excel shows it, so the binary 2.67499999...
that a council typed as 2.675 rounds to 2.68.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.money import format_pounds, round_half_up

# (value, places, half-up as a person rounds the figure Excel shows, what round() gives)
HALVES = [
    (0.005, 2, 0.01, 0.01),
    (0.015, 2, 0.02, 0.01),
    (0.045, 2, 0.05, 0.04),
    (1.005, 2, 1.01, 1.0),
    (1.115, 2, 1.12, 1.11),
    (2.675, 2, 2.68, 2.67),
    (8.345, 2, 8.35, 8.35),
    (1234567.125, 2, 1234567.13, 1234567.12),
    (-0.005, 2, -0.01, -0.01),
    (-2.675, 2, -2.68, -2.67),
    (-1234567.125, 2, -1234567.13, -1234567.12),
    (0.5, 0, 1.0, 0),
    (2.5, 0, 3.0, 2),
    (-2.5, 0, -3.0, -2),
    (51745000.5, 0, 51745001.0, 51745000),
    # A sum that lands a hair under the half penny: 1.005 to Excel's 15 digits.
    (1.0049999999999999, 2, 1.01, 1.0),
    (0.1 + 0.2 + 0.005, 2, 0.31, 0.31),
]


@pytest.mark.parametrize("value, places, expected, python_round", HALVES)
def test_half_pennies_round_up_as_a_council_expects(value, places, expected, python_round):
    assert round(value, places) == python_round  # the case is what it says it is
    assert round_half_up(value, places) == expected


def test_these_cases_tell_half_up_from_pythons_round():
    differ = [v for v, d, want, py in HALVES if want != py]
    assert len(differ) >= 10
    assert [round_half_up(v, d) for v, d, _, _ in HALVES] != [
        float(round(v, d)) for v, d, _, _ in HALVES
    ]


def test_a_float_is_read_through_fifteen_significant_digits():
    # 2.675 is stored as 2.67499999999999982236431605997495353221893310546875: read as the
    # person typed it. A float differing only past the 15th digit reads the same way.
    assert Decimal(2.675) < Decimal("2.675")
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(2.6749999999999998, 2) == 2.68
    # Past 15 digits is binary noise: 2.67499999999999 (15 digits) is below the half.
    assert round_half_up(2.67499999999999, 2) == 2.67


@given(st.integers(-(10**12), 10**12))
def test_every_half_penny_rounds_away_from_zero(pence):
    # x.xx5 typed in a cell (any amount up to £10bn): half-up is one more penny away from zero.
    typed = Decimal(pence) / 100 + (Decimal("0.005") if pence >= 0 else Decimal("-0.005"))
    away = (typed * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100
    assert round_half_up(float(typed), 2) == float(away)


def test_rounding_never_gives_negative_zero():
    assert math.copysign(1.0, round_half_up(-0.004, 2)) == 1.0
    assert format_pounds(-0.4) == "£0"


def test_any_finite_amount_can_be_rounded_and_nan_cannot():
    assert round_half_up(1e26, 2) == 1e26
    assert round_half_up(-1.7e308, 2) == -1.7e308
    with pytest.raises(ValueError, match="not an amount of money"):
        round_half_up(float("nan"), 2)
    with pytest.raises(ValueError, match="not an amount of money"):
        round_half_up(float("inf"))


def test_format_pounds_rounds_half_up_once():
    assert format_pounds(2.675, 2) == "£2.68"
    assert format_pounds(1234567.125, 2) == "£1,234,567.13"
    assert format_pounds(0.5) == "£1"
    assert format_pounds(-2.5) == "-£3"
    assert format_pounds(51744999.5) == "£51,745,000"
