"""The typed model: parsed once, immutable, every problem reported at once by one collector."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from models import return_figures as rf
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.errors import InputError, Problem, Problems, summarise_blank_columns
from models.inputs import ModelInputs
from models.model import DSGModel, Funding, Keyed
from models.parse import S251_CODES, normalise_period, parse_model, quarter_end
from models.samples import sample_inputs, sample_model
from workbooks.example_cambridgeshire import EXAMPLE_PATH
from workbooks.model_reader import read_model


def with_cell(inputs: ModelInputs, table: str, row: int, column: str, value) -> ModelInputs:
    tables = dict(inputs.tables)
    frame = inputs.frame(table)
    frame.loc[row, column] = value
    tables[table] = frame
    return ModelInputs(tables, inputs.source)


def problems_of(inputs: ModelInputs) -> list[str]:
    with pytest.raises(InputError) as e:
        parse_model(inputs)
    return [str(p) for p in e.value.problems]


def test_the_example_parses_into_typed_parts_keyed_by_year_and_placement():
    m = parse_model(read_model(EXAMPLE_PATH))
    assert isinstance(m, DSGModel)
    assert m.settings.la_code == "873" and m.settings.period == "2024-25 Q2"
    assert m.settings.period_end == dt.date(2024, 9, 30) and m.current_year == "2024-25"
    assert m.years == ("2023-24", "2024-25", "2025-26", "2026-27", "2027-28")
    assert list(m.funding.schools_block.index) == list(m.years)
    assert m.funding.schools_block["2024-25"] == 480_000_000
    assert m.placements.names == PLACEMENT_CATEGORIES
    assert tuple(m.high_needs.forecast.index) == S251_CODES
    assert tuple(m.ehcp.by_age.index) == AGE_GROUPS
    assert m.ehcp.history.columns[0] == "January 2019"
    assert all(c.rag in ("Green", "Amber", "Red") for c in m.conditions)


def test_the_model_is_immutable():
    m = sample_model()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.settings = m.settings  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        m.funding.income.to_numpy()[0] = 0.0


def test_a_scenario_is_dataclasses_replace_and_leaves_the_model_alone():
    m = sample_model()
    lower = m.funding.income * 0.9
    scenario = dataclasses.replace(m, funding=dataclasses.replace(m.funding, income=lower))
    # 10% less income raises each year's in-year deficit by exactly that 10%
    assert np.allclose(rf.in_year_deficit(scenario) - rf.in_year_deficit(m), m.funding.income * 0.1)
    assert m.funding.income["2023-24"] == 12_000_000


def test_a_scenario_series_keyed_wrongly_is_refused():
    m = sample_model()
    with pytest.raises(InputError, match="Funding transfer_rate: must be keyed by 2023-24"):
        dataclasses.replace(m.funding, transfer_rate=pd.Series([0.01, 0.01, 0.01]))


def test_funding_parts_must_share_the_years():
    m = sample_model()
    with pytest.raises(InputError, match="income"):
        Funding(
            years=m.years,
            income=Keyed(m.funding.income.keys[:2], m.funding.income.values[:2]),
            schools_block=m.funding.schools_block,
            transfer_rate=m.funding.transfer_rate,
            other_high_needs_spend=m.funding.other_high_needs_spend,
            other_blocks_deficit=m.funding.other_blocks_deficit,
            council_contribution=m.funding.council_contribution,
            other_contributions=m.funding.other_contributions,
        )


def test_every_problem_of_every_table_is_reported_at_once():
    inputs = sample_inputs()
    inputs = with_cell(inputs, "Settings", 1, "Value", "87²")
    inputs = with_cell(inputs, "Funding", 1, "Schools block", "lots")
    inputs = with_cell(inputs, "Placements", 0, "Count", None)
    inputs = with_cell(inputs, "EHCPByAge", 2, "Actual", "#N/A")
    found = problems_of(inputs)
    assert "Settings row 2 'LA code', column 'Value': '87²' is not an LA code" in " ".join(found)
    assert "Funding row 2, column 'Schools block': text 'lots' where a number belongs" in found
    assert "Placements row 1 'Special', column 'Count': is blank" in found
    assert any(
        p.startswith("EHCPByAge row 3 'Age 11 to 15', column 'Actual': holds the Excel error #N/A")
        for p in found
    )
    assert len(found) == 4


def test_one_collector_keeps_the_blank_columns_summary():
    cells = [Problem("Funding", f"row {r}, column 'A'", "is blank") for r in (1, 2, 3)]
    assert [str(p) for p in summarise_blank_columns(cells, 3)] == [
        "Funding rows 1 to 3, column 'A': blank in every row: fill it in"
    ]
    found = Problems()
    found.run_as(lambda: (_ for _ in ()).throw(InputError("is blank", "x")), rename={"x": "Y"})
    assert [str(p) for p in found.items] == ["Y: is blank"]


def test_the_period_is_normalised_and_its_quarter_end_checked():
    assert normalise_period("2024/25 Q2") == ("2024-25 Q2", None)
    assert normalise_period("2024-25q3") == ("2024-25 Q3", None)
    assert quarter_end("2024-25 Q1") == dt.date(2024, 6, 30)
    assert quarter_end("2024-25 Q3") == dt.date(2024, 12, 31)
    assert quarter_end("2024-25 Q4") == dt.date(2025, 3, 31)
    m = parse_model(with_cell(sample_inputs(), "Settings", 2, "Value", "2024/25 Q2"))
    assert m.settings.period == "2024-25 Q2"


def test_a_missing_settings_row_and_a_bad_value_are_both_named():
    inputs = sample_inputs()
    settings = inputs.frame("Settings").drop(index=[1, 4]).reset_index(drop=True)
    settings.loc[2, "Value"] = dt.datetime(1999, 9, 30)  # Period end date
    tables = dict(inputs.tables, Settings=settings)
    found = problems_of(ModelInputs(tables))
    assert (
        "Settings column 'Setting': has no row 'LA code': add the row 'LA code' with its value"
        in found
    )
    assert any("has no row 'Prepared by'" in p for p in found)
    assert any("30/09/1999 is not the end of 2024-25 Q2" in p for p in found)


def test_figures_kept_per_model_cannot_be_changed_through_a_caller():
    m = sample_model()
    with pytest.raises(ValueError, match="read-only"):
        rf.cumulative_deficit(m)[0] = 0.0
    table = rf.variance_to_agreement(m)
    table.columns[5][1] = "Green"  # a copy: the model's figure stays
    table.columns[3][1] = 0.0
    again = rf.variance_to_agreement(m)
    assert again.columns[5] == ["Green", "Amber", "Red"]
    assert again.columns[3][1] == pytest.approx(375_000)
    spend = rf.expenditure(m)
    spend[0] = 0.0  # a fresh array each call
    assert rf.expenditure(m)[0] == 14_000_000
