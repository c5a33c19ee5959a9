"""The EHCPForecast import, run the way Excel runs it: through xlwings Server.

A book payload in the shape the Office.js client sends goes to
``custom_scripts_call``; the test asserts on the actions the script sends
back for Excel to apply, and on the figures against ``dsg forecast``'s model.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
import xlwings as xw
from xlwings.server import custom_scripts_call

from addin import import_forecast
from models.categories import PLACEMENT_CATEGORIES, TOTAL
from models.forecast import forecast
from models.forecast_growth import FORECAST_COLUMNS
from tests.test_import_history import _settings, _table
from workbooks.demand_data import load_demand_data


def _payload(settings: list[list], old: list[list], address: str, body: str) -> dict:
    values = [row + [None] * (8 - len(row)) for row in old]
    values += [[None] * 8 for _ in range(90 - len(values))]
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": "model.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": [
            {
                "name": "Settings",
                "values": settings,
                "pictures": [],
                "tables": [_table("Settings", f"A1:B{len(settings)}", f"A2:B{len(settings)}")],
            },
            {
                "name": "EHCPs",
                "values": values,
                "pictures": [],
                "tables": [_table("EHCPForecast", address, body)],
            },
        ],
    }


def _run(payload: dict) -> list[dict]:
    book = xw.Book(json=payload)
    asyncio.run(
        custom_scripts_call(
            import_forecast, "import_ehcp_forecast_script", typehint_to_value={xw.Book: book}
        )
    )
    return book.json()["actions"]


OLD = [list(FORECAST_COLUMNS), ["Total", 2025, 1, None, None, None]]


@pytest.fixture(scope="module")
def cambridgeshire(dfe_dir: Path):
    data = load_demand_data(dfe_dir)
    return data, forecast(data, 2025, 3), data.find("873")


def test_script_fills_the_table_for_the_council(dfe_dir: Path, cambridgeshire):
    data, result, i = cambridgeshire
    actions = _run(_payload(_settings(873.0, str(dfe_dir)), OLD, "A1:F2", "A2:F2"))
    assert not [a for a in actions if a["func"] == "alert"]
    written = [a for a in actions if a["func"] == "setValues"][0]
    values = written["values"]
    assert values[0] == list(FORECAST_COLUMNS)
    # the seven categories and Total, each over the censuses 2019-2025 and 2026-2028
    assert len(values) == 1 + 8 * 10
    assert [values[1 + 10 * k][0] for k in range(8)] == [*PLACEMENT_CATEGORIES, TOTAL]
    assert [r[1] for r in values[1:11]] == list(range(2019, 2029))
    by = {(r[0], r[1]): r[2:] for r in values[1:]}
    # DfE's counts: Cambridgeshire's Total in January 2025; its placements suppressed then
    assert by[(TOTAL, 2025)][0] == 8007
    assert by[(PLACEMENT_CATEGORIES[0], 2024)][0] == 3254
    assert by[(PLACEMENT_CATEGORIES[0], 2025)] == ["", "", "", ""]  # suppressed: empty, never 0
    # the forecast is the cohort model's (dsg forecast), P10 <= P50 <= P90
    for h, year in enumerate((2026, 2027, 2028)):
        for s, name in enumerate((*PLACEMENT_CATEGORIES, TOTAL)):
            actual, p10, p50, p90 = by[(name, year)]
            assert actual == ""
            assert [p10, p50, p90] == pytest.approx(result.bands[i, h, s].tolist(), rel=1e-12)
            assert p10 <= p50 <= p90
    resize = [a for a in actions if a["func"] == "resizeTable"]
    assert resize and resize[0]["args"] == [0, "$A$1:$F$81"]


def test_a_larger_old_table_is_cleared_below_the_new_one(dfe_dir: Path):
    old = [list(FORECAST_COLUMNS)] + [["Total", 2000 + k, k, k, k, k] for k in range(85)]
    actions = _run(_payload(_settings("873", str(dfe_dir)), old, "A1:F86", "A2:F86"))
    cleared = [a for a in actions if a["func"] == "rangeClearContents"]
    assert (81, 0, 5, 6) in {
        (a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in cleared
    }


@pytest.mark.parametrize(
    ("la", "folder", "expected"),
    [
        (None, "DFE", "row 'LA code', column 'Value' is blank"),
        ("873", None, "row 'DfE data folder', column 'Value' is blank"),
        ("873", "/no/such/folder", "row 'DfE data folder'"),
        ("999", "DFE", "'999': is not a council in the DfE caseload file"),
    ],
)
def test_bad_settings_alert_and_write_nothing(dfe_dir: Path, la, folder, expected):
    folder = str(dfe_dir) if folder == "DFE" else folder
    actions = _run(_payload(_settings(la, folder), OLD, "A1:F2", "A2:F2"))
    assert [a["func"] for a in actions] == ["alert"]
    assert expected in actions[0]["args"][0]
    assert actions[0]["args"][1] == import_forecast.ALERT_TITLE


def test_a_model_without_the_table_is_told_to_rebuild(dfe_dir: Path):
    payload = _payload(_settings("873", str(dfe_dir)), OLD, "A1:F2", "A2:F2")
    payload["sheets"][1]["tables"] = []
    actions = _run(payload)
    assert [a["func"] for a in actions] == ["alert"]
    assert "no 'EHCPForecast' table" in actions[0]["args"][0]


def test_classic_entry_point_is_a_plain_function_without_arguments():
    assert not inspect.signature(import_forecast.import_ehcp_forecast).parameters
    assert hasattr(import_forecast.import_ehcp_forecast_script, "__xlscript__")
