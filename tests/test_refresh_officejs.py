"""The refresh's other two buttons: the Office.js script and the ``dsg refresh`` command.

The Office.js script runs the way xlwings Server runs it: the book arrives as
the JSON payload Excel's add-in posts (sheets with their values and Excel
Tables with their addresses), ``xw.Book(json=...)`` wraps it, and
``xlwings.server.custom_scripts_call`` calls the script; what the script does
to the book comes back as the payload's actions.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
import xlwings.server
from openpyxl.utils.cell import range_boundaries

import addin.refresh
from addin import refresh_core
from addin.cli import main as dsg
from models.monitoring import inputs_sha256
from tests import broken_returns
from tests.test_return import EXAMPLE, files, read_block
from workbooks import return_spec as spec
from workbooks import return_writer
from workbooks.model_reader import read_model
from workbooks.return_template import build_workbook


def _js(value: Any) -> Any:
    """A cell value as Office.js sends it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return value


def _split(ref: str) -> tuple[str, str]:
    """A table's header row address and data body address."""
    c1, r1, c2, r2 = range_boundaries(ref)
    first, last = openpyxl.utils.get_column_letter(c1), openpyxl.utils.get_column_letter(c2)
    return f"{first}{r1}:{last}{r1}", f"{first}{r1 + 1}:{last}{r2}"


def book_payload(path: Path) -> dict[str, Any]:
    """The JSON body Excel's Office.js add-in posts for a book (values and tables)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in wb.worksheets:
        values = [[_js(c.value) for c in row] for row in ws.iter_rows(min_row=1, min_col=1)] or [[]]
        tables = []
        for name, ref in ws.tables.items():
            header, body = _split(ref)
            tables.append(
                {
                    "name": name,
                    "range_address": ref,
                    "header_row_range_address": header,
                    "data_body_range_address": body,
                    "total_row_range_address": None,
                    "show_headers": True,
                    "show_totals": False,
                    "table_style": "TableStyleMedium2",
                    "show_autofilter": True,
                    "show_table_style_first_column": False,
                    "show_table_style_last_column": False,
                    "show_table_style_row_stripes": True,
                    "show_table_style_column_stripes": False,
                    "row_count": range_boundaries(ref)[3] - range_boundaries(ref)[1] + 1,
                    "column_count": range_boundaries(ref)[2] - range_boundaries(ref)[0] + 1,
                }
            )
        sheets.append(
            {
                "name": ws.title,
                "values": values,
                "pictures": [],
                "shapes": [],
                "charts": [],
                "notes": [],
                "tables": tables,
                "print_area": None,
                "show_gridlines": True,
                "pivot_tables": [],
            }
        )
    return {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"},
        "names": [],
        "sheets": sheets,
    }


def run_script(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Run the refresh script as xlwings Server does; the actions sent back to Excel."""
    book = xw.Book(json=payload)
    asyncio.run(
        xlwings.server.custom_scripts_call(
            addin.refresh, "refresh_return", typehint_to_value={xw.Book: book}
        )
    )
    return book.json()["actions"]


def edited_model(tmp_path: Path, table: str, row: int, column: str, value: Any) -> Path:
    """A copy of the example model with one cell of a table changed (row 0 = header)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = next(ws for ws in wb.worksheets if table in ws.tables)
    c1, r1, c2, _ = range_boundaries(ws.tables[table].ref)
    col = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == column)
    ws.cell(r1 + row, col).value = value
    if row == 0:
        ws.tables[table].tableColumns[col - c1].name = value
    path = tmp_path / f"model_{table}_{row}.xlsx"
    wb.save(path)
    return path


def _refresh_sets(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The script's writes to the Refresh sheet: the sheet it added, or the book's own."""
    adds = [a for a in actions if a["func"] == "addSheet"]
    if adds:
        assert adds[0]["args"][1] == addin.refresh.LOG_SHEET
        position = adds[0]["args"][0]
    else:  # the book has the sheet (a model built with it): the write that starts the log
        position = next(
            a["sheet_position"]
            for a in actions
            if a["func"] == "setValues" and a["values"][0][0] == "Refresh log"
        )
    return [a for a in actions if a["func"] == "setValues" and a["sheet_position"] == position]


def _log(actions: list[dict[str, Any]]) -> list[list[Any]]:
    """The values the script wrote to the Refresh sheet's log (from A1)."""
    sets = [a for a in _refresh_sets(actions) if (a["start_row"], a["start_column"]) == (0, 0)]
    assert len(sets) == 1
    return sets[0]["values"]


def _fan(actions: list[dict[str, Any]]) -> list[list[Any]] | None:
    """The values the script wrote to the Refresh sheet's fan block (from E1), if any."""
    sets = [a for a in _refresh_sets(actions) if (a["start_row"], a["start_column"]) == (0, 4)]
    assert len(sets) <= 1
    return sets[0]["values"] if sets else None


# --- Office.js -----------------------------------------------------------------------------------


def test_officejs_script_writes_the_return_and_reports_it_in_the_book(tmp_path, monkeypatch):
    monkeypatch.setenv(addin.refresh.RETURNS_DIR_ENV, str(tmp_path / "server"))
    actions = run_script(book_payload(EXAMPLE))
    log = _log(actions)
    written = tmp_path / "server" / "873_2024-25_Q2_DSG_monitoring_return.xlsx"
    assert files(tmp_path / "server") == [written.name]
    assert log[1][:2] == ["Status", "Return written"]
    assert log[2][:2] == ["Return", written.name]  # never a path on the server
    results = {r[0]: r[1] for r in log[6 : 6 + len(spec.CHECK_LABELS)]}
    assert results == {label: spec.PASS for label in spec.CHECK_LABELS}
    assert any(a["func"] == "activateSheet" for a in actions)
    wb = openpyxl.load_workbook(written)
    fs = read_block(wb[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    assert fs[("in-year surplus/(deficit)", "2024-25")] == -11_730_000
    assert fs[("cumulative surplus/(deficit) carried forward", "2024-25")] == -51_745_000
    # the book read through Office.js hashes like the file read from disk
    audit = read_block(wb[spec.CHECKS], "Check")
    assert audit[("inputs sha-256", "result")] == inputs_sha256(read_model(EXAMPLE))
    # the Mitigations and Scenarios sheets are those of the refresh from the file, same seed
    from tests.test_return_scenarios import mitigation_rows, scenarios_sheet

    from_file = refresh_core.refresh(read_model(EXAMPLE), out_dir=tmp_path / "file")
    assert mitigation_rows(written) == mitigation_rows(from_file)
    assert len(mitigation_rows(written)) == 13  # four workstreams x three years, and Total
    sheet = scenarios_sheet(written)
    assert sheet == scenarios_sheet(from_file)
    # beside the log, the fan the Dashboard's chart reads: the Scenarios sheet's P10, P50, P90
    # and Agreed as deficits (positive), and the band P90 - P10
    fan = _fan(actions)
    assert fan is not None and fan[0][0] == "Scenarios at the last refresh"
    assert "10,000 scenarios (seed 1)" in fan[1][0]
    assert fan[2] == ["Year", "P10", "P50", "P90", "Agreed", "P10-P90 band"]
    years = [r for r in fan[3:] if r[0]]
    assert [r[0] for r in years] == ["2023-24", "2024-25", "2025-26", "2026-27", "2027-28"]
    for year, p10, p50, p90, agreed, band in years:
        row = sheet[year]
        assert (p10, p50, p90, agreed) == (-row["p10"], -row["p50"], -row["p90"], -row["agreed"])
        assert abs(band - (p90 - p10)) < 1e-6
    assert all(v in (None, "") for r in fan[8:] for v in r)  # the rest of the block blanked


def break_a_line(monkeypatch) -> None:
    """The figures the writer gets have a Section 251 line one pound high: its check FAILs."""
    fill = return_writer._fill

    def broken_fill(wb, template, fig, audit):
        return fill(wb, template, broken_returns._lines(fig, 1.0), audit)

    monkeypatch.setattr(return_writer, "_fill", broken_fill)


def test_officejs_script_shows_a_failing_check_in_the_book(tmp_path, monkeypatch):
    """The Refresh sheet's FAIL path: the status says so and the check's row reads FAIL."""
    monkeypatch.setenv(addin.refresh.RETURNS_DIR_ENV, str(tmp_path / "server"))
    break_a_line(monkeypatch)
    log = _log(run_script(book_payload(EXAMPLE)))
    assert log[1][:2] == ["Status", "Return written: a check FAILS, see below"]
    assert log[5] == ["Check", "Result", "Detail"]
    rows = {r[0]: r for r in log[6 : 6 + len(spec.CHECK_LABELS)]}
    assert {label: r[1] for label, r in rows.items()} == {
        label: spec.FAIL if label == spec.CHECK_LINES else spec.PASS for label in spec.CHECK_LABELS
    }
    assert "Section 251 lines add up" in rows[spec.CHECK_LINES][2]
    assert len(files(tmp_path / "server")) == 1  # written, for the person to look at


def test_officejs_script_shows_bad_input_in_the_book_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(addin.refresh.RETURNS_DIR_ENV, str(tmp_path / "server"))
    model = edited_model(tmp_path, "Funding", 2, "Schools block", "480m")
    log = _log(run_script(book_payload(model)))
    assert log[1][:2] == ["Status", "Refused: nothing written"]
    assert log[2][0] == "Problem"
    assert (
        "table Funding row 2, column 'Schools block': text '480m' where a number belongs"
        in log[2][1]
    )
    assert "sheet '" in log[2][1]
    assert files(tmp_path / "server") == []


def test_officejs_script_names_a_missing_table(tmp_path, monkeypatch):
    monkeypatch.setenv(addin.refresh.RETURNS_DIR_ENV, str(tmp_path / "server"))
    payload = book_payload(EXAMPLE)
    for sheet in payload["sheets"]:
        sheet["tables"] = [t for t in sheet["tables"] if t["name"] != "EHCPByAge"]
    log = _log(run_script(payload))
    assert "no Excel Table named 'EHCPByAge'" in log[2][1]
    assert files(tmp_path / "server") == []


def test_the_script_is_registered_for_office_js():
    meta = xlwings.server.custom_scripts_meta(addin.refresh)
    assert [m["function_name"] for m in meta] == ["refresh_return"]
    assert meta[0]["name"] == "Refresh DfE monitoring return"


# --- the command line ----------------------------------------------------------------------------


def test_dsg_refresh_writes_the_example_and_prints_the_path_last(tmp_path, capsys):
    assert dsg(["refresh", "--out", str(tmp_path / "r")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    path = Path(lines[-1])
    assert path == tmp_path / "r" / "873_2024-25_Q2_DSG_monitoring_return.xlsx" and path.is_file()
    assert lines[:-1] == [f"PASS  {label}" for label in spec.CHECK_LABELS]
    assert dsg(["refresh", str(EXAMPLE), "--out", str(tmp_path / "r")]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith("_v2.xlsx")


@pytest.mark.parametrize(
    "table, row, column, value, expected",
    [
        (
            "Funding",
            2,
            "Schools block",
            "480m",
            "table Funding row 2, column 'Schools block': text '480m' where a number belongs",
        ),
        ("EHCPPeriod", 0, "Plan", "Planned", "has no column 'Plan'"),
    ],
)
def test_dsg_refresh_refuses_bad_input_with_exit_2(
    tmp_path, capsys, table, row, column, value, expected
):
    model = edited_model(tmp_path, table, row, column, value)
    out = tmp_path / "r"
    assert dsg(["refresh", str(model), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "sheet '" in err and "Nothing was written." in err
    assert files(out) == []


def test_dsg_refresh_refuses_a_model_without_a_table(tmp_path, capsys):
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = next(ws for ws in wb.worksheets if "Conditions" in ws.tables)
    del ws.tables["Conditions"]
    wb.save(tmp_path / "model.xlsx")
    assert dsg(["refresh", str(tmp_path / "model.xlsx"), "--out", str(tmp_path / "r")]) == 2
    assert "Conditions" in capsys.readouterr().err
    assert files(tmp_path / "r") == []


def test_dsg_refresh_refuses_a_missing_model_or_a_template_missing_a_label(tmp_path, capsys):
    assert dsg(["refresh", str(tmp_path / "nowhere.xlsx"), "--out", str(tmp_path / "r")]) == 2
    assert "nowhere.xlsx" in capsys.readouterr().err
    wb = build_workbook()
    wb[spec.COVER]["A5"] = "Local authority code"  # was 'LA code'
    wb.save(tmp_path / "t.xlsx")
    assert (
        dsg(["refresh", "--template", str(tmp_path / "t.xlsx"), "--out", str(tmp_path / "r")]) == 2
    )
    assert "sheet 'Cover' has no row labelled 'LA code'" in capsys.readouterr().err
    assert files(tmp_path / "r") == []


# --- the classic add-in's Run button -------------------------------------------------------------


def test_classic_run_button_writes_beside_the_workbook_and_reports_in_the_book(
    tmp_path, monkeypatch
):
    """``main()`` with the calling book stood in by the same book payload (``Book.caller`` is Windows-only)."""
    book = xw.Book(json=book_payload(EXAMPLE))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.chdir(tmp_path)  # the payload's book has no folder: its name resolves here
    addin.refresh.main()
    actions = book.json()["actions"]
    log = _log(actions)
    written = tmp_path / "returns" / "873_2024-25_Q2_DSG_monitoring_return.xlsx"
    assert log[2][:2] == ["Return", str(written)] and written.is_file()
    alerts = [a for a in actions if a["func"] == "alert"]
    assert alerts and str(written) in alerts[0]["args"][0]


def test_classic_run_button_alerts_a_failing_check(tmp_path, monkeypatch):
    book = xw.Book(json=book_payload(EXAMPLE))
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.chdir(tmp_path)
    break_a_line(monkeypatch)
    addin.refresh.main()
    actions = book.json()["actions"]
    log = _log(actions)
    assert log[1][:2] == ["Status", "Return written: a check FAILS, see below"]
    assert [r[1] for r in log[6 : 6 + len(spec.CHECK_LABELS)]].count(spec.FAIL) == 1
    alert = next(a for a in actions if a["func"] == "alert")["args"][0]
    assert "1 check FAILS" in alert and spec.CHECK_LINES in alert


def test_dsg_refresh_prints_a_failing_check(tmp_path, capsys, monkeypatch):
    break_a_line(monkeypatch)
    assert dsg(["refresh", "--out", str(tmp_path / "r")]) == 0
    captured = capsys.readouterr()
    assert f"FAIL  {spec.CHECK_LINES}" in captured.out.splitlines()
    assert "1 check(s) FAIL: see the Checks sheet" in captured.err


def test_dsg_refresh_refuses_an_output_folder_that_is_a_file_with_exit_2(tmp_path, capsys):
    (tmp_path / "r").write_text("not a folder")
    assert dsg(["refresh", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "output folder" in err and "is a file" in err and "Nothing was written." in err


def test_dsg_refresh_refuses_a_damaged_template_or_model_with_exit_2(tmp_path, capsys):
    import zipfile

    with zipfile.ZipFile(tmp_path / "t.xlsx", "w") as z:
        z.writestr("a.txt", "not a workbook")
    assert (
        dsg(["refresh", "--template", str(tmp_path / "t.xlsx"), "--out", str(tmp_path / "r")]) == 2
    )
    err = capsys.readouterr().err
    assert "t.xlsx" in err and "cannot be opened" in err and "Traceback" not in err
    (tmp_path / "m.xlsx").write_text("a text file renamed .xlsx")
    assert dsg(["refresh", str(tmp_path / "m.xlsx"), "--out", str(tmp_path / "r")]) == 2
    assert "is not an Excel .xlsx workbook" in capsys.readouterr().err
    assert files(tmp_path / "r") == []


def test_each_command_imports_the_module_that_registers_it():
    """``dsg COMMAND`` imports only its module (addin.cli.COMMANDS): every command is mapped."""
    import argparse

    from addin import cli

    full = cli.build_parser()
    sub = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(cli.COMMANDS)
    for command, module in cli.COMMANDS.items():
        alone = cli.build_parser(command)
        only = next(a for a in alone._actions if isinstance(a, argparse._SubParsersAction))
        assert command in only.choices, module


def test_dsg_refresh_does_not_import_the_example_builder_or_other_commands():
    """The refresh imports what it needs (README's speed table): not the model builder, the
    caseload reader or the DfE readers."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    code = (
        "import sys\n"
        "from addin import cli\n"
        "cli.build_parser('refresh')\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('workbooks', 'addin')))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
        env=dict(os.environ, PYTHONPATH=str(repo)),
    ).stdout.split()
    for heavy in (
        "workbooks.model_builder",
        "workbooks.example_cambridgeshire",
        "workbooks.extracts",
        "workbooks.dfe",
    ):
        assert heavy not in out
    from addin.cli_refresh import EXAMPLE_MODEL
    from workbooks.example_cambridgeshire import EXAMPLE_PATH

    assert EXAMPLE_MODEL == EXAMPLE_PATH
