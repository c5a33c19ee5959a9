"""The example's figures that DfE publishes agree with DfE's own files.

The special school cost per place comes from DfE's High Needs benchmarking
tool (``Outturn data 202122.xlsx``); the Safety Valve money from the
committee report (paragraphs 3.3, 3.6 and 3.8).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.errors import InputError
from models.money import round_half_up
from workbooks import dfe
from workbooks import example_cambridgeshire as ex


def test_the_special_place_cost_is_dfes_outturn_for_cambridgeshire(dfe_dir: Path):
    cost = dfe.special_place_cost(dfe_dir, "873")
    assert (cost.la_name, cost.outturn_year, cost.census) == ("Cambridgeshire", "2020-21", 2021)
    assert (cost.place_funding, cost.top_up, cost.plans) == (5_184_165, 17_906_341, 1_415)
    assert round_half_up(cost.per_plan) == ex.SPECIAL_COST_2020_21 == 16_318
    # uprated at the example's 3% a year, whole pounds each year, to 2023-24
    assert ex.SPECIAL_COST == 17_831
    special = [
        p for p in ex.PLACEMENTS if p[0] == "Maintained special schools or special academies"
    ]
    assert special[0][2] == ex.SPECIAL_COST


def test_with_academies_place_funding_it_is_near_dfes_national_figure(dfe_dir: Path):
    """Before deductions (academies' £10,000 a place added back) the cost is about the
    £24,000 (2022-23) of DfE's national figure as reported; after deductions it is not."""
    cost = dfe.special_place_cost(dfe_dir, "873")
    caseload = dfe.read_caseload(dfe_dir)
    row = caseload[
        (caseload["old_la_code"] == "873")
        & (caseload["year"] == 2021)
        & (caseload["breakdown_topic"] == "All EHC plans")
    ]
    academy = float(row["special_academy_free"].iloc[0])
    maintained = float(row["special_la_maintained"].iloc[0])
    assert academy + maintained == cost.plans
    before = (cost.place_funding + cost.top_up + 10_000 * academy) / cost.plans
    assert round_half_up(before) == 23_067
    assert cost.per_plan < 20_000 < before < 26_000


def test_another_council_and_a_missing_one(dfe_dir: Path):
    kent = dfe.special_place_cost(dfe_dir, "886")
    assert kent.la_name == "Kent" and kent.per_plan > 0
    with pytest.raises(InputError, match="has no row for LA 999"):
        dfe.special_place_cost(dfe_dir, "999")


def test_the_safety_valve_money_is_the_reports():
    assert sum(ex.DFE_DUE) == ex.DFE_AGREED == 49_000_000  # report 3.3
    assert sum(ex.DFE_RECEIVED_BY_YEAR) == ex.DFE_RECEIVED == 21_500_000  # 3.8
    now = ex.YEARS.index("2024-25")
    withheld = sum(
        d - r for d, r in zip(ex.DFE_DUE[: now + 1], ex.DFE_RECEIVED_BY_YEAR, strict=False)
    )
    assert withheld == 27_500_000  # 3.8: the remaining £27.5m held back
    assert sum(ex.DFE_EXPECTED) == 49_000_000
