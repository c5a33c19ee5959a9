"""The return's figures, one function per quantity, against hand computations.

Two sources: the committee report (../shared/context/committee-report.txt)
through the embedded Cambridgeshire example, and the sample model whose
figures are worked by hand in ``models/samples.py``'s docstring.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from models import return_figures as rf
from models.inputs import ModelInputs
from models.monitoring import (
    AGREED_SURPLUS,
    AGREEMENT_PROFILE,
    BROUGHT_FORWARD,
    CUMULATIVE,
    DFE_DUE,
    DFE_EXPECTED,
    DFE_RECEIVED,
    DFE_WITHHELD,
    FORECAST_SURPLUS,
    IN_YEAR,
    RAG,
    TOTAL_HIGH_NEEDS,
    VARIANCE,
    VARIANCE_TO_AGREEMENT,
    block_movements,
    ehcp_table,
    financial_summary,
    high_needs_table,
    monitoring_return,
    safety_valve_rows,
)
from models.parse import parse_model
from models.samples import sample_inputs, sample_model
from models.trajectory import dsg_trajectory
from tests.conftest import PENNY
from workbooks.example_cambridgeshire import EXAMPLE_PATH
from workbooks.model_reader import read_model


@pytest.fixture(scope="module")
def example():
    return parse_model(read_model(EXAMPLE_PATH))


def by_year(model, values) -> dict[str, float]:
    return dict(zip(model.years, (float(v) for v in values), strict=True))


def close(got: float, want: float) -> bool:
    return abs(got - want) <= PENNY


# --- the committee report, through the example --------------------------------------------


def test_transfers_are_the_reports_1_percent_of_the_schools_block(example):
    # Committee report 3.16: 1% in 2023-24 (£4.5m) and 2024-25 (£4.8m); the example keeps
    # 1% of a Schools block growing 3% a year: 1% of 494.4m in 2025-26.
    t = by_year(example, rf.transfers_in(example))
    assert close(t["2023-24"], 4_500_000) and close(t["2024-25"], 4_800_000)
    assert close(t["2025-26"], 4_944_000)


def test_dfe_contribution_is_received_then_expected_never_a_silent_drop(example):
    # Report 3.8: £21.5m received in 2023-24 (closed: received). From the current year the
    # forecast counts the council's 'DfE payment expected': nothing in 2024-25 (paused, 3.6),
    # the withheld £6.875m with 2025-26's once renegotiated (3.7), then £6.875m a year: the
    # £49m agreed (3.3) in all, not the £42.125m of a forecast that drops the 2024-25 instalment.
    d = by_year(example, rf.dfe_contribution(example))
    assert d == {
        "2023-24": 21_500_000,
        "2024-25": 0,
        "2025-26": 13_750_000,
        "2026-27": 6_875_000,
        "2027-28": 6_875_000,
    }
    assert sum(d.values()) == 49_000_000
    # Withheld to date: due - received up to the current year; nothing after it is due yet.
    assert rf.dfe_payment_withheld(example) == [0.0, 27_500_000.0, None, None, None]
    assert rf.dfe_payment_expected(example)[1:] == [0.0, 13_750_000.0, 6_875_000.0, 6_875_000.0]


def test_a_model_without_the_expected_column_expects_each_payment_when_due():
    """An older model has no 'DfE payment expected': the agreement's profile is the forecast."""
    inputs = sample_inputs()
    rows = [r[:5] for r in inputs.tables["Agreement"]]
    older = parse_model(ModelInputs({**inputs.tables, "Agreement": rows}))
    assert rf.dfe_contribution(older).tolist() == [1_000_000, 1_000_000, 1_000_000]
    assert rf.dfe_payment_withheld(older) == [0.0, 500_000.0, None]


def test_contributions_add_dfe_council_and_other(example):
    # Council £3m a year from 2025-26 (report 3.3: £9m over the agreement); no other.
    c = by_year(example, rf.contributions(example))
    assert c["2023-24"] == 21_500_000 and c["2024-25"] == 0 and c["2025-26"] == 16_750_000


def test_in_year_and_cumulative_deficit_are_the_reports(example):
    # Report 3.8 and 6.1: £40.015m brought forward into 2024-25, £11.730m in-year,
    # nothing contributed, £51.745m carried forward.
    in_year = by_year(example, rf.in_year_deficit(example))
    cumulative = by_year(example, rf.cumulative_deficit(example))
    assert close(cumulative["2023-24"], 40_015_000)
    assert close(in_year["2024-25"], 11_730_000)
    assert close(cumulative["2024-25"], 51_745_000)


def test_current_year_expenditure_is_the_lines_forecast(example):
    # 2024-25 spend = in-year deficit + income + transfer = 11,730,000 + 90,527,388 + 4,800,000.
    spend = by_year(example, rf.expenditure(example))
    assert close(spend["2024-25"], 107_057_388)
    assert close(spend["2024-25"], float(example.high_needs.forecast.sum()))
    # other years: the projection plus Other high needs spend (2023-24: 8m + income + 4.5m)
    assert close(spend["2023-24"], 8_000_000 + 87_550_665 + 4_500_000)
    projected = by_year(example, rf.projected_spend(example))
    other = by_year(example, example.funding.other_high_needs_spend)
    assert close(spend["2025-26"], projected["2025-26"] + other["2025-26"])


def test_variance_to_agreement_and_rag(example):
    # Agreed 36m (2023-24) and 27m (2024-25): 40.015m and 51.745m forecast are worse by more
    # than 5%, so Red; the Financial summary shows agreed - forecast.
    v = rf.variance_to_agreement(example).frame().set_index("Year")
    assert close(v.loc["2023-24", "Variance"], 4_015_000)
    assert close(v.loc["2024-25", "Variance"], 24_745_000)
    assert v.loc["2024-25", "RAG"] == "Red"
    fs = financial_summary(example).frame()
    assert close(fs.loc[VARIANCE_TO_AGREEMENT, "2024-25"], -24_745_000)
    assert fs.loc[AGREEMENT_PROFILE, "2024-25"] == -27_000_000


def test_high_needs_variance_and_percent(example):
    # 1.2.3: forecast £19.8m against a £14.0m budget: £5.8m over, 5.8/14 = 41.43%;
    # 1.2.9 has no budget: its Variance % is blank, not 0 or an error.
    hn = high_needs_table(example).frame()
    row = next(label for label in hn.index if label.startswith("1.2.3 "))
    assert hn.loc[row, "Variance"] == 5_800_000
    assert hn.loc[row, "Variance %"] == pytest.approx(5.8 / 14, abs=1e-12)
    zero = next(label for label in hn.index if label.startswith("1.2.9 "))
    assert hn.loc[zero, "Variance %"] is None
    total = hn.loc[TOTAL_HIGH_NEEDS]
    assert close(total["Forecast outturn"], 107_057_388)
    assert total["Variance"] == pytest.approx(total["Forecast outturn"] - total["Budget"])


def test_cumulative_deficit_reconciles_with_dsg_trajectory(example):
    """The same position computed two ways: the return's functions and DSG_TRAJECTORY."""
    t = dsg_trajectory(
        list(example.years),
        example.settings.opening_deficit,
        example.funding.income.tolist(),
        rf.expenditure(example).tolist(),
        rf.transfers_in(example).tolist(),
        rf.contributions(example).tolist(),
        example.funding.other_blocks_deficit.tolist(),
    )
    assert np.abs(t["Cumulative deficit"].to_numpy() - rf.cumulative_deficit(example)).max() < PENNY
    assert np.abs(t["In-year deficit"].to_numpy() - rf.in_year_deficit(example)).max() < PENNY


# --- the sample model, worked by hand ----------------------------------------------------


def test_sample_figures_worked_by_hand():
    m = sample_model()
    assert rf.projected_spend(m).tolist() == [8_000_000, 8_600_000, 8_768_000]
    assert rf.expenditure(m).tolist() == [14_000_000, 14_500_000, 14_768_000]
    assert np.allclose(rf.transfers_in(m), [1_000_000, 525_000, 0], atol=PENNY, rtol=0)
    assert rf.dfe_contribution(m).tolist() == [1_000_000, 500_000, 1_000_000]
    assert rf.contributions(m).tolist() == [2_000_000, 500_000, 1_750_000]
    assert np.allclose(rf.in_year_deficit(m), [1_000_000, 1_075_000, 768_000], atol=PENNY, rtol=0)
    assert np.allclose(
        rf.cumulative_deficit(m), [9_000_000, 9_575_000, 8_593_000], atol=PENNY, rtol=0
    )
    v = rf.variance_to_agreement(m).frame()
    assert v["RAG"].tolist() == ["Green", "Amber", "Red"]
    assert np.allclose(v["Variance"].astype(float), [-1_000_000, 375_000, 593_000], atol=PENNY)


def test_sample_sheets_worked_by_hand():
    m = sample_model()
    fs = financial_summary(m).frame()
    assert [round(x, 2) for x in fs.loc[IN_YEAR]] == [-1_000_000, -1_075_000, -768_000]
    assert [round(x, 2) for x in fs.loc[CUMULATIVE]] == [-9_000_000, -9_575_000, -8_593_000]
    assert fs.loc[RAG].tolist() == ["Green", "Amber", "Red"]
    moved = block_movements(m).frame()
    assert moved["Year"].tolist() == ["2023-24", "2024-25"]
    assert moved["Secretary of State approval"].tolist() == ["Required", "Not required"]
    sv = safety_valve_rows(m).frame()
    # RETURN.md "One sign rule": surplus/(deficit) negative for a deficit on the Safety Valve
    # sheet too, and the variance negative when worse than agreed.
    years = sv.iloc[:3]
    assert years[FORECAST_SURPLUS].astype(float).round(2).tolist() == [-9e6, -9_575_000, -8_593_000]
    assert years[AGREED_SURPLUS].tolist() == [-10_000_000, -9_200_000, -8_000_000]
    assert years["Variance"].astype(float).round(2).tolist() == [1_000_000, -375_000, -593_000]
    # DfE payments: £500,000 withheld in 2024-25, expected from the current year on; Total row.
    assert years[DFE_WITHHELD].tolist() == [0.0, 500_000.0, None]
    assert years[DFE_EXPECTED].tolist() == [None, 500_000.0, 1_000_000.0]
    total = sv.iloc[3]
    assert total["Year"] == "Total" and total[AGREED_SURPLUS] is None
    assert [total[c] for c in (DFE_DUE, DFE_RECEIVED, DFE_WITHHELD, DFE_EXPECTED)] == [
        3_000_000,
        1_500_000,
        500_000,
        1_500_000,
    ]
    # The deficit brought forward: the opening £10m, then each year's carried forward.
    assert [round(x, 2) for x in fs.loc[BROUGHT_FORWARD]] == [-10_000_000, -9_000_000, -9_575_000]
    ehcp = ehcp_table(m).frame()
    assert (
        ehcp.loc["Total", VARIANCE] == 14
        and ehcp.loc["Total by age group", "2024-25 Q2 actual"] == 1050
    )


def test_a_higher_transfer_rate_lowers_the_cumulative_deficit_by_exactly_the_transfer():
    """A scenario is dataclasses.replace: +1% of the Schools block from 2024-25 on."""
    m = sample_model()
    extra = np.array([0.0, 0.01, 0.01])
    scenario = dataclasses.replace(
        m, funding=dataclasses.replace(m.funding, transfer_rate=m.funding.transfer_rate + extra)
    )
    moved = m.funding.schools_block.to_numpy() * extra  # 0, 1.05m, 1.1m
    saved = rf.cumulative_deficit(m) - rf.cumulative_deficit(scenario)
    assert np.allclose(saved, np.cumsum(moved), atol=PENNY, rtol=0)
    assert np.allclose(saved, [0, 1_050_000, 2_150_000], atol=PENNY, rtol=0)
    # the model itself is untouched
    assert rf.cumulative_deficit(m)[-1] == pytest.approx(8_593_000, abs=PENNY)


def test_monitoring_return_is_the_figures_of_the_parsed_model():
    fig = monitoring_return(sample_inputs())
    m = sample_model()
    assert fig.years == list(m.years) and fig.period == "2024-25 Q2"
    assert fig.financial_summary.equals(financial_summary(m).frame())
    assert fig.high_needs.loc[TOTAL_HIGH_NEEDS, "Variance %"] == pytest.approx(1.5 / 13)


def test_council_and_other_contributions_are_fundings(example):
    # Report 3.3: the council contributes £9m over the agreement, £3m a year from 2025-26.
    assert by_year(example, rf.council_contribution(example)) == {
        "2023-24": 0,
        "2024-25": 0,
        "2025-26": 3_000_000,
        "2026-27": 3_000_000,
        "2027-28": 3_000_000,
    }
    assert not rf.other_contributions(example).any()


def test_ehcp_totals_are_dfes_census_totals(example):
    # DfE SEN2: Cambridgeshire had 7,318 EHC plans in January 2024 and 8,007 in January 2025
    # (the example's period actual); the plan is January 2024 x 1.06 by category.
    t = ehcp_table(example).frame()
    assert t.loc["Total", "January 2024"] == 7_318
    assert t.loc["Total", "2024-25 Q2 actual"] == 8_007
    assert t.loc["Total by age group", "2024-25 Q2 actual"] == 8_007
    assert t.loc["Total", VARIANCE] == 8_007 - t.loc["Total", "2024-25 Q2 plan"]


def test_block_movements_and_safety_valve_rows(example):
    # Report 3.16: £4.5m and £4.8m moved from the Schools block, above the 0.5% the
    # Secretary of State must approve.
    moved = block_movements(example).frame().set_index("Year")
    assert moved.loc["2024-25", "From block"] == "Schools block"
    assert moved.loc["2024-25", "To block"] == "High needs block"
    assert close(moved.loc["2024-25", "Amount"], 4_800_000)
    assert moved.loc["2024-25", "Secretary of State approval"] == "Required"
    # Safety Valve: agreed (27m) for 2024-25 against (51.745m) forecast, surplus/(deficit):
    # 24.745m worse than agreed, so the variance is negative (RETURN.md "One sign rule").
    sv = safety_valve_rows(example).frame().set_index("Year")
    assert sv.loc["2024-25", AGREED_SURPLUS] == -27_000_000
    assert close(sv.loc["2024-25", FORECAST_SURPLUS], -51_745_000)
    assert close(sv.loc["2024-25", "Variance"], -24_745_000)
    assert sv.loc["2023-24", "DfE payment received"] == 21_500_000
