"""The EHCPHistory import, run the way Excel runs it: through xlwings Server.

A book payload in the shape the Office.js client sends (sheets with their
values and tables) goes to ``custom_scripts_call``; the test asserts on the
actions the script sends back for Excel to apply.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import xlwings as xw
from xlwings.server import custom_scripts_call

from addin import import_history
from models.categories import PLACEMENT_CATEGORIES, TOTAL

YEARS = ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]


def _table(name: str, address: str, body: str) -> dict:
    first, last = address.split(":")
    last_column = last.rstrip("0123456789")
    first_row = first.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return {
        "name": name,
        "range_address": address,
        "header_row_range_address": f"{first}:{last_column}{first_row}",
        "data_body_range_address": body,
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": "TableStyleMedium2",
        "show_autofilter": True,
    }


def _payload(settings: list[list], history: list[list], history_address: str, body: str) -> dict:
    blank = [[None] * 10 for _ in range(12)]
    values = [row + [None] * (10 - len(row)) for row in history] + blank[len(history) :]
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {
            "name": "Cambridgeshire DSG model.xlsx",
            "active_sheet_index": 0,
            "selection": "A1",
        },
        "names": [],
        "sheets": [
            {
                "name": "Settings",
                "values": settings,
                "pictures": [],
                "tables": [_table("Settings", f"A1:B{len(settings)}", f"A2:B{len(settings)}")],
            },
            {
                "name": "EHCP",
                "values": values,
                "pictures": [],
                "tables": [_table("EHCPHistory", history_address, body)],
            },
        ],
    }


def _settings(la, folder) -> list[list]:
    return [
        ["Setting", "Value"],
        ["Local authority", "Cambridgeshire"],
        ["LA code", la],
        ["DfE data folder", folder],
    ]


def _run(payload: dict) -> list[dict]:
    book = xw.Book(json=payload)
    asyncio.run(
        custom_scripts_call(
            import_history, "import_ehcp_history_script", typehint_to_value={xw.Book: book}
        )
    )
    return book.json()["actions"]


def test_script_fills_the_table_and_resizes_it(dfe_dir: Path):
    old = [["Category", "2018", "2019"], ["Mainstream", 1, 2], ["Special", 3, 4]]
    actions = _run(_payload(_settings(873.0, str(dfe_dir)), old, "A1:C3", "A2:C3"))
    set_values = [a for a in actions if a["func"] == "setValues"]
    assert len(set_values) == 1
    written = set_values[0]
    assert (written["sheet_position"], written["start_row"], written["start_column"]) == (1, 0, 0)
    assert (written["row_count"], written["column_count"]) == (9, 8)
    values = written["values"]
    assert values[0] == ["Category"] + YEARS
    assert [r[0] for r in values[1:]] == list(PLACEMENT_CATEGORIES) + [TOTAL]
    assert values[-1] == ["Total", 4198, 4690, 5292, 6100, 6972, 7318, 8007]
    # mainstream without independent mainstream schools (DfE's High Needs benchmarking tool)
    assert values[1][1:7] == [1697, 1897, 2060, 2278, 2934, 3254]
    assert values[4][1:7] == [190, 237, 225, 227, 275, 335]
    # January 2025 placements suppressed by DfE: DfE's x, never 0 (the refresh reads it)
    assert [r[7] for r in values[1:8]] == ["x"] * 7
    resize = [a for a in actions if a["func"] == "resizeTable"]
    assert resize and resize[0]["args"] == [0, "$A$1:$H$9"]
    assert not [a for a in actions if a["func"] == "alert"]


def test_larger_old_table_is_cleared_beyond_the_new_one(dfe_dir: Path):
    old = [["Category"] + [str(y) for y in range(2015, 2026)]] + [
        [f"row {i}"] + [i] * 11 for i in range(11)
    ]
    actions = _run(_payload(_settings("E10000003", str(dfe_dir)), old, "A1:L12", "A2:L12"))
    cleared = [a for a in actions if a["func"] == "rangeClearContents"]
    spots = {
        (a["start_row"], a["start_column"], a["row_count"], a["column_count"]) for a in cleared
    }
    assert (9, 0, 3, 12) in spots  # rows 10-12 below the new table
    assert (0, 8, 9, 4) in spots  # columns I:L beside it
    assert [a["args"] for a in actions if a["func"] == "resizeTable"] == [[0, "$A$1:$H$9"]]


def test_same_shape_needs_no_resize(dfe_dir: Path):
    old = [["Category"] + YEARS] + [[c] + [0] * 7 for c in list(PLACEMENT_CATEGORIES) + [TOTAL]]
    actions = _run(_payload(_settings("873", str(dfe_dir)), old, "A1:H9", "A2:H9"))
    assert [a["func"] for a in actions] == ["setValues"]


@pytest.mark.parametrize(
    ("la", "folder", "expected"),
    [
        (None, "DFE", "row 'LA code', column 'Value' is blank"),
        ("873", None, "row 'DfE data folder', column 'Value' is blank"),
        ("873", "/no/such/folder", "row 'DfE data folder': DfE data folder or file not found"),
        ("999", "DFE", "no council with code '999'"),
    ],
)
def test_bad_settings_alert_and_write_nothing(dfe_dir: Path, la, folder, expected):
    folder = str(dfe_dir) if folder == "DFE" else folder
    old = [["Category", "2019"], ["Total", 1]]
    actions = _run(_payload(_settings(la, folder), old, "A1:B2", "A2:B2"))
    assert [a["func"] for a in actions] == ["alert"]
    assert expected in actions[0]["args"][0]
    assert actions[0]["args"][1] == import_history.ALERT_TITLE


def test_missing_tables_are_named(dfe_dir: Path):
    payload = _payload(_settings("873", str(dfe_dir)), [["Category", "2019"]], "A1:B1", "A2:B2")
    payload["sheets"][1]["tables"] = []
    actions = _run(payload)
    assert [a["func"] for a in actions] == ["alert"]
    assert "no 'EHCPHistory' table" in actions[0]["args"][0]
    payload = _payload(_settings("873", str(dfe_dir)), [["Category", "2019"]], "A1:B1", "A2:B2")
    payload["sheets"][0]["tables"] = []
    actions = _run(payload)
    assert "no 'Settings' table" in actions[0]["args"][0]


def test_shared_implementation_returns_the_history(dfe_dir: Path):
    old = [["Category", "2019"], ["Total", 1]]
    book = xw.Book(json=_payload(_settings("873", str(dfe_dir)), old, "A1:B2", "A2:B2"))
    history = import_history.import_history_into(book)
    assert history.council.name == "Cambridgeshire"
    assert history.categories.loc[TOTAL, 2025] == 8007


def test_classic_entry_point_is_a_plain_function_without_arguments():
    import inspect

    assert not inspect.signature(import_history.import_ehcp_history).parameters
    assert hasattr(import_history.import_ehcp_history_script, "__xlscript__")
