"""Placements Growth 'forecast': the P50 growth of the category from EHCPForecast.

Worked by hand, through parse_model and `dsg refresh` on the example (which uses it), and
the example's EHCPForecast against the cohort model recomputed from the DfE files.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from models.categories import PLACEMENT_CATEGORIES, TOTAL
from models.errors import InputError
from models.forecast import forecast, forecast_table
from models.forecast_growth import (
    FORECAST_COLUMNS,
    ehcp_forecast_rows,
    p50_growth,
    resolve_forecast_growth,
)
from models.inputs import ModelInputs
from models.parse import parse_model
from tests.test_hostile_model import model_with, refused
from workbooks import example_cambridgeshire as example
from workbooks.demand_data import load_demand_data
from workbooks.model_reader import read_model

RATE = 1e-12
HEAD = list(FORECAST_COLUMNS)
PLACEMENT_HEAD = ["Placement", "Count", "Cost per place", "Growth", "Inflation"]


def forecast_table_of(p50: dict[str, list[float]], first: int = 2026) -> list[list]:
    rows = [HEAD]
    for category, values in p50.items():
        rows.append([category, first - 1, 100.0, None, None, None])
        rows += [[category, first + k, None, None, v, None] for k, v in enumerate(values)]
    return rows


def test_growth_is_the_compound_average_of_the_p50_path():
    # 1,000 to 1,210 over two years: 10% a year; the origin's actual (100) plays no part.
    table = forecast_table_of({"NMSS or independent": [1000.0, 1150.0, 1210.0]})
    assert p50_growth(table, " nmss OR independent ") == pytest.approx(0.1, rel=RATE)
    # falling demand gives a negative rate
    table = forecast_table_of({TOTAL: [400.0, 300.0, 100.0]})
    assert p50_growth(table, TOTAL) == pytest.approx(0.5 - 1, rel=RATE)


@pytest.mark.parametrize("kind", ["rows", "frame"])
def test_forecast_growth_replaces_only_the_word_and_keeps_the_table_type(kind):
    placements = [
        PLACEMENT_HEAD,
        [PLACEMENT_CATEGORIES[0], 100, 10_000, " Forecast ", 0.03],
        [PLACEMENT_CATEGORIES[3], 10, 60_000, 0.07, 0.04],
    ]
    table = placements if kind == "rows" else pd.DataFrame(placements[1:], columns=placements[0])
    forecast_rows = forecast_table_of({PLACEMENT_CATEGORIES[0]: [121.0, 133.1, 146.41]})
    inputs = ModelInputs({"Placements": table, "EHCPForecast": forecast_rows})
    out = resolve_forecast_growth(inputs).tables["Placements"]
    if kind == "frame":
        assert isinstance(out, pd.DataFrame)
        growth = out["Growth"].tolist()
    else:
        assert isinstance(out, list)
        growth = [r[3] for r in out[1:]]
    assert growth[0] == pytest.approx(0.1, rel=RATE)
    assert growth[1] == 0.07
    # the inputs themselves are not changed
    assert (table[1][3] if kind == "rows" else table["Growth"].iloc[0]) == " Forecast "


def _placements(*growth) -> list[list]:
    return [PLACEMENT_HEAD] + [
        [PLACEMENT_CATEGORIES[i], 10, 1000, g, 0.0] for i, g in enumerate(growth)
    ]


@pytest.mark.parametrize(
    ("tables", "parts"),
    [
        (
            {"Placements": _placements(0.05, "forecast")},
            [
                "Placements row 2 'Resourced provision or SEN units', column 'Growth'",
                "is 'forecast' but the model has no EHCPForecast table",
            ],
        ),
        (
            {
                "Placements": _placements("forecast"),
                "EHCPForecast": forecast_table_of({TOTAL: [1.0, 2.0]}),
            },
            [
                "Placements row 1 'Mainstream schools or academies', column 'Growth'",
                "EHCPForecast has no P50 forecast for category 'Mainstream schools or academies'",
            ],
        ),
        (
            {
                "Placements": _placements("forecast"),
                "EHCPForecast": forecast_table_of({PLACEMENT_CATEGORIES[0]: [1.0, "c", 0.0]}),
            },
            [
                "EHCPForecast row 3 'Mainstream schools or academies', column 'P50'",
                "text 'c' where a number belongs",
                "EHCPForecast row 4 'Mainstream schools or academies', column 'P50'",
                "0 plans: a P50 must be greater than 0",
            ],
        ),
        (
            {
                "Placements": _placements("forecast"),
                "EHCPForecast": forecast_table_of({PLACEMENT_CATEGORIES[0]: [5.0]}),
            },
            ["EHCPForecast category 'Mainstream schools or academies'", "one year only"],
        ),
    ],
    ids=["no table", "no category", "bad P50 cells", "one forecast year"],
)
def test_a_forecast_growth_that_cannot_be_read_is_refused_by_name(tables, parts):
    with pytest.raises(InputError) as info:
        resolve_forecast_growth(ModelInputs(tables))
    for part in parts:
        assert part in str(info.value), (part, str(info.value))


def test_the_example_grows_each_placement_at_its_p50_growth():
    inputs = read_model(example.EXAMPLE_PATH)
    assert [str(g) for g in inputs.frame("Placements")["Growth"]] == ["forecast"] * 7
    model = parse_model(inputs)
    for i, category in enumerate(PLACEMENT_CATEGORIES):
        p50 = [v[1] for v in example.EHCP_FORECAST_2025[category]]
        want = (p50[-1] / p50[0]) ** (1 / 2) - 1
        assert model.placements.growth.to_numpy()[i] == pytest.approx(want, rel=RATE), category
    # mainstream 5.7% a year, as the README says
    assert f"{model.placements.growth.to_numpy()[0]:.1%}" == "5.7%"


def test_a_model_with_forecast_growth_but_no_forecast_is_refused_by_dsg_refresh(tmp_path, capsys):
    model = model_with(tmp_path, clear="EHCPForecast")
    err = refused(tmp_path, capsys, model)
    assert "Placements row 1 'Mainstream schools or academies', column 'Growth'" in err
    assert "EHCPForecast has no P50 forecast" in err


def test_the_example_forecast_is_the_cohort_models_from_the_dfe_files(dfe_dir):
    data = load_demand_data(dfe_dir)
    result = forecast(data, example.FORECAST_ORIGIN, 3)
    i = data.find("873")
    for s, name in enumerate((*PLACEMENT_CATEGORIES, TOTAL)):
        for h in range(3):
            got = example.EHCP_FORECAST_2025[name][h]
            assert list(got) == pytest.approx(result.bands[i, h, s].tolist(), rel=1e-12)
    # the rows the import writes are the example's rows
    from_data = ehcp_forecast_rows(forecast_table(data, result, [i]))
    rows = example.forecast_rows()
    assert [r[:2] for r in rows] == [r[:2] for r in from_data]
    for mine, theirs in zip(rows, from_data, strict=True):
        for a, b in zip(mine[2:], theirs[2:], strict=True):
            assert (a is None and b is None) or math.isclose(a, b, rel_tol=1e-12), (mine, theirs)
    # Cambridgeshire's January 2025 placements are suppressed by DfE: empty, never 0
    assert [r[2] for r in rows if r[1] == 2025] == [None] * 7 + [8007]
