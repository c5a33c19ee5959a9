"""The models against METHOD.md and the committee report's worked figures.

Figures are hard-coded with their source, as chainladder does for Mack (1994):
"committee report" is ../shared/context/committee-report.txt (Cambridgeshire
County Council, Children and Young People Committee, 26 November 2024).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.errors import InputError
from models.growth import ehcp_growth, percent_change
from models.money import format_pounds, round_half_up
from models.placements import placement_cost_table
from models.projection import placement_projection
from models.trajectory import dsg_summary, dsg_trajectory
from models.transfers import block_transfer_impact
from models.validation import parse_year
from models.variance import variance_percent, variance_to_plan
from models.years import FIRST_START, LAST_START, financial_year_of_period, year_label
from tests.conftest import PENNY

HEADER = ["Placement", "Count", "Cost per place"]


# --- Worked figures ---------------------------------------------------------------------------


def test_mainstream_ehcp_growth_report_3_27():
    # Committee report 3.27: "Between 2018 and 2023 number of EHCP's increased from 4222 to
    # 7707 ... growing 12.8% a year"; METHOD.md worked figures: 12.79%.
    assert round_half_up(ehcp_growth(4222, 7707, 5) * 100, 2) == 12.79
    assert round_half_up(ehcp_growth(4222, 7707, 5) * 100, 1) == 12.8


def test_percent_change_report_3_27():
    # METHOD.md worked figures: 4,222 -> 7,707 is +82.5% (the report's "45%" does not follow
    # from its own figures; METHOD.md settles it).
    assert round_half_up(percent_change(4222, 7707) * 100, 1) == 82.5


def test_block_transfers_report_3_16():
    # Committee report 3.16: "The 1% block transfers in 23/24 (£4.5m) and 24/25 (£4.8m) ...
    # would be £9.3m worse off"; 3.14-3.15: above 0.5% needs the Secretary of State.
    t = block_transfer_impact(["2023-24", "2024-25"], [450_000_000, 480_000_000], 0.01)
    assert t["Transfer"].tolist() == pytest.approx([4_500_000, 4_800_000], abs=PENNY)
    assert t["Cumulative transfer"].iloc[-1] == pytest.approx(9_300_000, abs=PENNY)
    assert t["Schools forum approval"].tolist() == ["Required", "Required"]
    assert t["Secretary of State approval"].tolist() == ["Required", "Required"]


def test_transfer_at_exactly_the_threshold_needs_the_forum_only():
    t = block_transfer_impact(["2024-25"], 480_000_000, 0.005)
    assert t["Schools forum approval"].tolist() == ["Required"]
    assert t["Secretary of State approval"].tolist() == ["Not required"]
    t = block_transfer_impact(["2024-25"], 480_000_000, 0)
    assert t["Schools forum approval"].tolist() == ["Not required"]


def test_deficit_carried_forward_report_3_8():
    # METHOD.md worked figures: £40.015m brought forward into 2024-25 plus an in-year
    # forecast deficit of £11.730m, nothing contributed (payments paused, report 3.6-3.8),
    # gives £51.745m carried forward.
    t = dsg_trajectory(["2024-25"], 40_015_000, 100_000_000, 116_530_000, transfers=4_800_000)
    assert t["In-year deficit"].iloc[0] == pytest.approx(11_730_000, abs=PENNY)
    assert t["Cumulative deficit"].iloc[0] == pytest.approx(51_745_000, abs=PENNY)


def test_safety_valve_money_report_3_3_and_3_8():
    # Report 3.3: £49m revenue from DfE; 3.8: £21.5m received, £27.5m outstanding; the council
    # adds £9m. Applied as contributions they reduce the cumulative deficit pound for pound.
    t = dsg_trajectory(
        ["2024-25", "2025-26"],
        40_015_000,
        100e6,
        [111.73e6, 100e6],
        contributions=[0, 27_500_000 + 9_000_000],
    )
    assert t["Cumulative deficit"].tolist() == pytest.approx([51_745_000, 15_245_000], abs=PENNY)


# --- Each function's table --------------------------------------------------------------------


def test_placement_cost_table_columns_and_total_row():
    t = placement_cost_table([HEADER, ["Mainstream", 30, 20000], ["Independent", 10, 60000]])
    assert list(t.columns) == [
        "Placement",
        "Count",
        "Cost per place",
        "Total cost",
        "Share of count",
        "Share of cost",
    ]
    assert t["Placement"].tolist() == ["Mainstream", "Independent", "Total"]
    assert t["Total cost"].tolist() == [600_000, 600_000, 1_200_000]
    assert t["Share of count"].tolist() == [0.75, 0.25, 1.0]
    assert t["Cost per place"].iloc[-1] == 30_000


def test_placement_cost_table_zero_denominators_give_zero_shares():
    t = placement_cost_table([HEADER, ["A", 0, 100], ["B", 0, 0]])
    assert t["Share of count"].tolist() == [0, 0, 0]
    assert t["Share of cost"].tolist() == [0, 0, 0]
    assert t["Cost per place"].iloc[-1] == 0


def test_headers_any_case_order_extra_columns_and_trailing_blank_rows():
    t = placement_cost_table(
        [
            [" cost PER place ", "Notes", "placement", "COUNT"],
            [100, "x", "A", 2],
            [None, None, None, None],
            ["", "", "", ""],
        ]
    )
    assert t["Total cost"].tolist() == [200, 200]


def test_projection_follows_the_recurrence_with_moves_adding_up():
    moves = [
        ["Placement", "Year", "Change"],
        ["ERB", "2025-26", 20],
        ["ERB", "2025-26", 10],
        ["Independent", "2025-26", -30],
    ]
    table = [HEADER, ["ERB", 10, 20_000], ["Independent", 40, 60_000]]
    years = ["2024-25", "2025-26", "2026-27"]
    count = placement_projection(table, years, [[0.1], [0.0]], 0.0, moves, "count")
    assert count.iloc[0, 1:].tolist() == pytest.approx([10, 41, 45.1])
    assert count.iloc[1, 1:].tolist() == pytest.approx([40, 10, 10])
    cost = placement_projection(table, years, 0.0, [0.02, 0.03], moves, "cost")
    assert cost.iloc[1, 1:].tolist() == pytest.approx([60_000, 61_800, 63_654])
    spend = placement_projection(table, years, 0.0, 0.02, moves)
    assert spend.iloc[-1, 1] == pytest.approx(10 * 20_000 + 40 * 60_000)
    assert spend.iloc[-1, 2] == pytest.approx((40 * 20_000 + 10 * 60_000) * 1.02)


def test_projection_total_cost_is_weighted_average_and_zero_when_no_count():
    t = placement_projection(
        [HEADER, ["A", 0, 100], ["B", 0, 300]], ["2024-25"], 0, 0, measure="cost"
    )
    assert t.iloc[-1, 1] == 0
    t = placement_projection(
        [HEADER, ["A", 1, 100], ["B", 3, 300]], ["2024-25"], 0, 0, measure="cost"
    )
    assert t.iloc[-1, 1] == pytest.approx(250)


def test_dsg_summary_not_reached_and_peak():
    s = dsg_summary(["2024-25", "2025-26", "2026-27"], 40e6, 100e6, [110e6, 105e6, 101e6])
    values = dict(zip(s["Measure"], s["Value"], strict=True))
    assert values == {
        "In-year balance year": "Not reached",
        "Deficit cleared year": "Not reached",
        "Peak cumulative deficit": pytest.approx(56e6),
        "Peak year": "2026-27",
        "Closing cumulative deficit": pytest.approx(56e6),
    }


def test_dsg_summary_balance_and_cleared_years():
    s = dsg_summary(
        ["2024-25", "2025-26", "2026-27"],
        10e6,
        100e6,
        [105e6, 100e6, 90e6],
        contributions=[0, 0, 10e6],
    )
    values = dict(zip(s["Measure"], s["Value"], strict=True))
    assert values["In-year balance year"] == "2025-26"
    assert values["Deficit cleared year"] == "2026-27"
    assert values["Peak year"] == "2024-25"


def test_variance_to_plan_rag_boundaries_and_zero_plan():
    t = variance_to_plan(
        ["2024-25", "2025-26", "2026-27", "2027-28"], [100, 105, 105.01, 3], [100, 100, 100, 0]
    )
    assert t["RAG"].tolist() == ["Green", "Amber", "Red", "Red"]
    assert t["Variance"].tolist() == pytest.approx([0, 5, 5.01, 3])
    assert t["Variance %"].tolist()[:3] == pytest.approx([0, 0.05, 0.0501])
    assert t["Variance %"].tolist()[3] is None


def test_variance_uses_absolute_plan_for_a_surplus_plan():
    t = variance_to_plan(["2024-25"], -95, -100, 0.1)
    assert t["Variance %"].tolist() == [pytest.approx(0.05)]
    assert t["RAG"].tolist() == ["Amber"]


def test_year_helpers():
    assert financial_year_of_period("2024-25 Q2") == "2024-25"
    assert year_label(2099) == "2099-00"
    with pytest.raises(InputError, match="Return period"):
        financial_year_of_period("Q2 2024")


def test_one_year_label_spelt_everywhere():
    # models.years.year_label is the one spelling: the parser and the model builder agree
    # with it for every start the parser accepts, and with the plain rule.
    from workbooks.model_builder import _next_year

    for start in range(FIRST_START, LAST_START + 1):
        label = f"{start}-{str(start + 1)[-2:]}"
        assert year_label(start) == label
        assert parse_year(label) == (label, None)
        assert parse_year(f" {start}/{str(start + 1)[-2:]} ") == (label, None)
        assert _next_year(year_label(start - 1)) == label


@pytest.mark.parametrize("text", ["0224-25", "1024-25", "1989-90", "2101-02", "9999-00", "0000-01"])
def test_a_year_outside_the_range_is_named_not_a_crash(text):
    label, what = parse_year(text)
    assert label is None
    assert what == (
        f"'{text}' is not a financial year: its start must be a 4-digit year from 1990 to 2100"
    )
    with pytest.raises(InputError, match="item 1: '.*' is not a financial year: its start"):
        dsg_trajectory([text, "2025-26"], 0, 1, 1)
    with pytest.raises(InputError, match="Return period: '.*' is not a financial year"):
        financial_year_of_period(f"{text} Q2")


def test_variance_percent_element_by_element_and_blank_when_the_plan_is_zero():
    actual = np.array([105.0, -95.0, -105.0, 3.0, 0.0, 50.0])
    plan = np.array([100.0, -100.0, -100.0, 0.0, 0.0, 100.0])
    got = variance_percent(actual, plan)
    want = [(a - p) / abs(p) if p != 0 else None for a, p in zip(actual, plan, strict=True)]
    assert [None if math.isnan(g) else g for g in got] == pytest.approx(want)
    # The rule is over plan positive, under plan negative, whatever the sign of the plan.
    assert got[1] == pytest.approx(0.05) and got[2] == pytest.approx(-0.05)


def test_variance_to_plan_computes_variance_percent_in_the_one_place(monkeypatch):
    import models.variance

    seen = []

    def recording(actual, plan):
        seen.append((list(actual), list(plan)))
        return np.full(len(plan), 0.123)

    monkeypatch.setattr(models.variance, "variance_percent", recording)
    t = variance_to_plan(["2024-25", "2025-26"], [[105, 90]], [[100, 100]])
    assert seen == [([105.0, 90.0], [100.0, 100.0])]
    assert t["Variance %"].tolist() == [0.123, 0.123]


def test_money_is_rounded_half_up_for_people():
    assert round_half_up(0.5) == 1 and round(0.5) == 0
    assert round_half_up(1.005, 2) == 1.01
    assert format_pounds(-51_745_000) == "-£51,745,000"


# --- Bad input: every problem named, all at once ----------------------------------------------


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["Placement", "Count"], ["A", 1]], "placements: missing column 'Cost per place'"),
        ([HEADER, ["", 1, 2]], "placements row 1, column 'Placement': name is blank"),
        (
            [HEADER, ["A", 1, 2], ["a ", 1, 2]],
            "placements row 2 'a', column 'Placement': duplicate name 'a' (also row 1)",
        ),
        (
            [HEADER, ["A", "ten", 2]],
            "placements row 1 'A', column 'Count': text 'ten' where a number belongs",
        ),
        ([HEADER, ["A", "10", 2]], "(a number stored as text)"),
        ([HEADER, ["A", -1, 2]], "placements row 1 'A', column 'Count': -1 is negative"),
        ([HEADER, ["A", True, 2]], "TRUE/FALSE"),
        ([HEADER, ["A", float("inf"), 2]], "not a finite number"),
        ([HEADER, ["A", 1, 2], [None, None, None], ["B", 1, 2]], "placements row 2: is blank"),
        ([[None, None]], "has no header row"),
    ],
)
def test_placement_table_errors_name_argument_row_and_column(rows, expected):
    with pytest.raises(InputError) as e:
        placement_cost_table(rows)
    assert expected in str(e.value)


def test_every_problem_is_reported_together():
    with pytest.raises(InputError) as e:
        placement_cost_table([HEADER, ["A", "x", -2], ["", 1, 1]])
    assert len(e.value.problems) == 3


@pytest.mark.parametrize(
    "call, expected",
    [
        (
            lambda: block_transfer_impact(["2023-24", "2024-25"], [1, 2, 3], 0.01),
            "schools_block: has 3 values but there are 2 years (2023-24 to 2024-25)",
        ),
        (
            lambda: block_transfer_impact(["2023-24", "2025-26"], 1, 0.01),
            "years item 2: years must be consecutive and ascending: 2025-26 follows 2023-24",
        ),
        (
            lambda: block_transfer_impact(["2024-25", "2023-24"], 1, 0.01),
            "consecutive and ascending",
        ),
        (lambda: block_transfer_impact(["2024-26"], 1, 0.01), "not a financial year"),
        (
            lambda: block_transfer_impact(["2024-25"], 1, "1%"),
            "rate year 2024-25: text '1%' where a number belongs",
        ),
        (lambda: block_transfer_impact(["2024-25"], 1, 1.5), "rate year 2024-25: 1.5 is above 1"),
        (lambda: block_transfer_impact(["2024-25"], [[1, 2], [3, 4]], 0.1), "is a 2x2 range"),
        (lambda: ehcp_growth(0, 7707, 5), "first: 0 must be greater than 0"),
        (lambda: ehcp_growth(4222, 7707, 0), "years: 0 must be greater than 0"),
        (lambda: ehcp_growth(None, 7707, 5), "first: is blank"),
        (lambda: percent_change(0, 1), "first: 0 must be greater than 0"),
        (lambda: dsg_trajectory(["2024-25"], "40m", 1, 1), "opening_deficit: text '40m'"),
        (lambda: dsg_trajectory(["2024-25"], 1, -1, 1), "income year 2024-25: -1 is negative"),
        (lambda: variance_to_plan(["2024-25"], 1, 1, -0.1), "amber_tolerance: -0.1 is negative"),
        (
            lambda: placement_projection(
                [HEADER, ["A", 1, 1]],
                ["2024-25", "2025-26"],
                0,
                0,
                [["Placement", "Year", "Change"], ["B", "2025-26", 1]],
            ),
            "moves row 1 'B', column 'Placement': unknown placement 'B' (placements are: A)",
        ),
        (
            lambda: placement_projection(
                [HEADER, ["A", 1, 1]],
                ["2024-25", "2025-26"],
                0,
                0,
                [["Placement", "Year", "Change"], ["A", "2024-25", 1]],
            ),
            "2024-25 is the base year",
        ),
        (
            lambda: placement_projection(
                [HEADER, ["A", 1, 1]],
                ["2024-25", "2025-26"],
                0,
                0,
                [["Placement", "Year", "Change"], ["A", "2030-31", 1]],
            ),
            "year 2030-31 is not in the projection",
        ),
        (
            lambda: placement_projection(
                [HEADER, ["A", 1, 1]],
                ["2024-25", "2025-26"],
                0,
                0,
                [["Placement", "Year", "Change"], ["A", "2025-26", -5]],
            ),
            "placements 'A' in 2025-26: the projected count is negative (-4)",
        ),
        (
            lambda: placement_projection(
                [HEADER, ["A", 1, 1], ["B", 1, 1]], ["2024-25"], [0.1, 0.2, 0.3], 0
            ),
            "growth: has 3 values but there are 2 placements",
        ),
        (
            lambda: placement_projection([HEADER, ["A", 1, 1]], ["2024-25"], -1, 0),
            "growth placement 'A': -1 must be greater than -1",
        ),
        (
            lambda: placement_projection([HEADER, ["A", 1, 1]], ["2024-25"], 0, 0, None, "pounds"),
            "measure: 'pounds' is not one of spend, count, cost",
        ),
    ],
)
def test_series_scalar_and_moves_errors(call, expected):
    with pytest.raises(InputError) as e:
        call()
    assert expected in str(e.value)


# --- Invariants (Hypothesis) ------------------------------------------------------------------

money = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
signed_money = st.floats(min_value=-1e8, max_value=1e8, allow_nan=False, allow_infinity=False)
rates = st.floats(min_value=0, max_value=0.05, allow_nan=False)


def _years(n: int) -> list[str]:
    return [year_label(2023 + i) for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            signed_money,
            st.lists(money, min_size=n, max_size=n),
            st.lists(money, min_size=n, max_size=n),
            st.lists(signed_money, min_size=n, max_size=n),
            st.lists(signed_money, min_size=n, max_size=n),
            st.lists(signed_money, min_size=n, max_size=n),
        )
    )
)
def test_cumulative_position_rolls_forward(args):
    opening, income, spend, transfers, contributions, other = args
    years = _years(len(income))
    t = dsg_trajectory(years, opening, income, spend, transfers, contributions, other)
    previous = opening
    for row in t.itertuples(index=False):
        assert row[5] == pytest.approx(row[3] - row[1] - row[2] + row[4], abs=1e-6)
        assert row[7] == pytest.approx(previous + row[5] - row[6], abs=1e-6)
        previous = row[7]
    assert not t.drop(columns="Year").isna().any().any()


@settings(max_examples=60, deadline=None)
@given(st.lists(money, min_size=1, max_size=6), rates, rates)
def test_transfer_is_linear_in_the_rate(blocks, r1, r2):
    years = _years(len(blocks))
    a = block_transfer_impact(years, blocks, r1)["Cumulative transfer"].to_numpy()
    b = block_transfer_impact(years, blocks, r2)["Cumulative transfer"].to_numpy()
    ab = block_transfer_impact(years, blocks, r1 + r2)["Cumulative transfer"].to_numpy()
    np.testing.assert_allclose(ab, a + b, rtol=1e-9, atol=1e-6)
    # ...and the cumulative transfer is exactly what the deficit would be larger by without it
    spend = [b_ + 1e6 for b_ in blocks]
    with_t = dsg_trajectory(
        years, 0, 0, spend, block_transfer_impact(years, blocks, r1)["Transfer"].tolist()
    )
    without = dsg_trajectory(years, 0, 0, spend)
    np.testing.assert_allclose(
        without["Cumulative deficit"] - with_t["Cumulative deficit"], a, atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 5000, allow_nan=False), st.floats(0, 3e5, allow_nan=False)),
        min_size=1,
        max_size=10,
    )
)
def test_shares_sum_to_one_and_no_nan_escapes(rows):
    table = [HEADER] + [[f"P{i}", c, k] for i, (c, k) in enumerate(rows)]
    t = placement_cost_table(table)
    body = t.iloc[:-1]
    for col in ("Share of count", "Share of cost"):
        total = body[col].sum()
        assert total == pytest.approx(1.0) or (total == 0 and t[col].iloc[-1] == 0)
    assert not t.isna().any().any()
    assert t["Total cost"].iloc[-1] == pytest.approx(body["Total cost"].sum())


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(
        st.tuples(
            st.floats(0, 500, allow_nan=False),
            st.floats(0, 1e5, allow_nan=False),
            st.floats(-0.2, 0.3, allow_nan=False),
            st.floats(-0.05, 0.1, allow_nan=False),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_projection_spend_is_count_times_cost(n_years, rows):
    years = _years(n_years)
    table = [HEADER] + [[f"P{i}", c, k] for i, (c, k, _, _) in enumerate(rows)]
    g = [[r[2]] for r in rows]
    inf = [[r[3]] for r in rows]
    count = placement_projection(table, years, g, inf, measure="count")
    cost = placement_projection(table, years, g, inf, measure="cost")
    spend = placement_projection(table, years, g, inf, measure="spend")
    body = count.iloc[:-1, 1:].to_numpy(float) * cost.iloc[:-1, 1:].to_numpy(float)
    np.testing.assert_allclose(spend.iloc[:-1, 1:].to_numpy(float), body, rtol=1e-12, atol=1e-6)
    for frame in (count, cost, spend):
        assert not frame.isna().any().any()
        assert all(math.isfinite(x) for x in frame.iloc[:, 1:].to_numpy(float).ravel())


def test_an_integer_past_a_floats_range_is_named_not_a_crash():
    # JSON can carry a 400-digit integer; float() of it raises OverflowError.
    huge = 10**400
    with pytest.raises(InputError, match="row 1 'A', column 'Count': inf is not a finite number"):
        placement_cost_table([HEADER, ["A", huge, 1]])
    with pytest.raises(InputError, match="first: inf is not a finite number"):
        percent_change(huge, 1)
    with pytest.raises(InputError, match="schools_block year 2024-25: inf is not a finite number"):
        block_transfer_impact(["2024-25"], [[huge]], 0.01)
