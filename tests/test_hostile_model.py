"""Hostile model workbooks: each refused at parse time, naming table, row and column.

Each case is a copy of the example model with cells changed as an attacker
(or a slip of the hand) would, run through ``dsg refresh MODEL --out DIR``:
exit 2, the message on stderr, nothing written. A period written
``2024/25 Q2`` is read as ``2024-25 Q2``, and the return then passes its
own checks.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from addin.cli import main as dsg
from tests.test_refresh_officejs import _log, book_payload, run_script
from tests.test_return import EXAMPLE, files, read_block
from workbooks import return_spec as spec

#: (table, row label or number, column, value); row 0 is the header row.
Edit = tuple[str, Any, str, Any]


def model_with(tmp_path: Path, *edits: Edit, clear: str | None = None) -> Path:
    """A copy of the example with cells changed; ``clear`` blanks every data cell of a table.

    A row is a 1-based data row number or, for Settings, the setting's name.
    """
    wb = openpyxl.load_workbook(EXAMPLE)
    for table, row, column, value in edits:
        ws = next(ws for ws in wb.worksheets if table in ws.tables)
        c1, r1, c2, r2 = range_boundaries(ws.tables[table].ref)
        col = next(c for c in range(c1, c2 + 1) if ws.cell(r1, c).value == column)
        if isinstance(row, str):
            r = next(r for r in range(r1 + 1, r2 + 1) if ws.cell(r, c1).value == row)
        else:
            r = r1 + row
        ws.cell(r, col).value = value
    if clear is not None:
        ws = next(ws for ws in wb.worksheets if clear in ws.tables)
        c1, r1, c2, r2 = range_boundaries(ws.tables[clear].ref)
        for r in range(r1 + 1, r2 + 1):
            for c in range(c1, c2 + 1):
                ws.cell(r, c).value = None
    path = tmp_path / "hostile.xlsx"
    wb.save(path)
    return path


def refused(tmp_path: Path, capsys, model: Path, command: str = "refresh") -> str:
    """Run the command on ``model``: exit 2, nothing written; the message on stderr."""
    out = tmp_path / "returns"
    args = [command, str(model)] + (["--out", str(out)] if command == "refresh" else [])
    assert dsg(args) == 2
    assert files(out) == []
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def test_renamed_and_missing_settings_rows_are_all_named(tmp_path, capsys):
    model = model_with(
        tmp_path,
        ("Settings", "LA code", "Setting", "LA number"),
        ("Settings", "Prepared by", "Setting", "Author"),
    )
    err = refused(tmp_path, capsys, model)
    assert "table Settings column 'Setting': has no row 'LA code'" in err
    assert "table Settings column 'Setting': has no row 'Prepared by'" in err
    assert "KeyError" not in err


@pytest.mark.parametrize("code", ["87²", "87", "8730", "E10000003", "-873"])
def test_an_la_code_is_dfes_three_digit_number(tmp_path, capsys, code):
    err = refused(tmp_path, capsys, model_with(tmp_path, ("Settings", "LA code", "Value", code)))
    assert (
        f"table Settings row 2 'LA code', column 'Value': {code!r} is not an LA code: "
        "give DfE's three-digit LA number (e.g. 873)"
    ) in err


@pytest.mark.parametrize(
    "edit, where",
    [
        (("Funding", 2, "Schools block", 1e26), "table Funding row 2, column 'Schools block'"),
        (
            ("Settings", "Opening cumulative deficit", "Value", 1e26),
            "table Settings row 6 'Opening cumulative deficit', column 'Value'",
        ),
        (("Agreement", 1, "Agreed cumulative deficit", -2e12), "table Agreement row 1, column "),
        (("HighNeedsLines", 4, "Budget", 1e300), "table HighNeedsLines row 4 '1.2.3"),
        (("Placements", 1, "Cost per place", 5e12), "table Placements row 1 'Mainstream"),
    ],
)
def test_money_beyond_a_trillion_is_refused_naming_the_cell(tmp_path, capsys, edit, where):
    err = refused(tmp_path, capsys, model_with(tmp_path, edit))
    line = next(line for line in err.splitlines() if where in line)
    assert "is beyond £1,000,000,000,000 (one trillion pounds)" in line
    assert "InvalidOperation" not in err


def test_money_at_the_limit_is_accepted(tmp_path, capsys):
    model = model_with(tmp_path, ("Funding", 5, "Other contributions", 1e12))
    assert dsg(["refresh", str(model), "--out", str(tmp_path / "r")]) == 0


def test_an_empty_placements_table_is_refused_saying_what_to_fill(tmp_path, capsys):
    err = refused(tmp_path, capsys, model_with(tmp_path, clear="Placements"))
    assert (
        "table Placements row 1, column 'Placement': the table has no rows: fill in one row per "
        "placement type (Placement, Count, Cost per place, Growth, Inflation)"
    ) in err


@pytest.mark.parametrize(
    "end", [dt.datetime(1999, 9, 30), dt.datetime(2024, 9, 29), dt.datetime(2025, 9, 30)]
)
def test_a_period_end_date_must_end_the_periods_quarter(tmp_path, capsys, end):
    model = model_with(tmp_path, ("Settings", "Period end date", "Value", end))
    err = refused(tmp_path, capsys, model)
    assert (
        f"table Settings row 4 'Period end date', column 'Value': {end:%d/%m/%Y} is not the end "
        "of 2024-25 Q2: the period ends on 30/09/2024"
    ) in err


@pytest.mark.parametrize(
    "period, end",
    [("2024-25 Q1", dt.datetime(2024, 6, 30)), ("2024-25 Q3", dt.datetime(2024, 12, 31))],
)
def test_each_quarter_ends_on_its_own_day(tmp_path, capsys, period, end):
    model = model_with(
        tmp_path,
        ("Settings", "Return period", "Value", period),
        ("Settings", "Period end date", "Value", end),
    )
    assert dsg(["refresh", str(model), "--out", str(tmp_path / "r")]) == 0


def test_a_period_written_with_a_slash_is_normalised_and_the_checks_pass(tmp_path, capsys):
    model = model_with(tmp_path, ("Settings", "Return period", "Value", "2024/25 q2"))
    out = tmp_path / "r"
    assert dsg(["refresh", str(model), "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    written = Path(printed[-1])
    assert written.name == "873_2024-25_Q2_DSG_monitoring_return.xlsx"
    assert not any(line.startswith(spec.FAIL) for line in printed)
    assert sum(line.startswith(spec.PASS) for line in printed) == len(spec.CHECK_LABELS)
    cover = read_block(openpyxl.load_workbook(written)[spec.COVER], None)
    assert cover[("return period", "value")] == "2024-25 Q2"


@pytest.mark.parametrize("period", ["2024-25 Month 6", "Q2 2024-25", "2024-25 Q5"])
def test_a_period_that_is_not_a_quarter_is_refused(tmp_path, capsys, period):
    err = refused(
        tmp_path, capsys, model_with(tmp_path, ("Settings", "Return period", "Value", period))
    )
    assert (
        f"table Settings row 3 'Return period', column 'Value': {period!r} is not a return period "
        "like '2024-25 Q2'"
    ) in err


def test_excel_errors_are_named_as_such(tmp_path, capsys):
    model = model_with(
        tmp_path,
        ("Settings", "Local authority", "Value", "#REF!"),
        ("Funding", 3, "Schools block", "#N/A"),
        ("Conditions", 1, "Commentary", "#DIV/0!"),
    )
    err = refused(tmp_path, capsys, model)
    assert (
        "table Settings row 1 'Local authority', column 'Value': holds the Excel error #REF!" in err
    )
    assert "table Funding row 3, column 'Schools block': holds the Excel error #N/A" in err
    assert "column 'Commentary': holds the Excel error #DIV/0!" in err
    assert "where a number belongs" not in err  # said once, as an error, not as text


@pytest.mark.parametrize(
    ("table", "row", "column"),
    [
        ("Conditions", 1, "Commentary"),
        ("Sources", 2, "Source"),
        ("Settings", "Prepared by", "Value"),
    ],
)
def test_text_longer_than_an_excel_cell_holds_is_refused_naming_the_cell(
    tmp_path, capsys, table, row, column
):
    """Excel never writes more than 32,767 characters in a cell (openpyxl cuts what it writes
    there too); a file that holds more was not written by Excel, and a return copying it would
    not open cleanly: refused, naming the cell. 32,767 characters are a cell's worth, and read."""
    import zipfile

    full = "y" * 32_767
    ok = model_with(tmp_path, (table, row, column, full))
    assert dsg(["refresh", str(ok), "--out", str(tmp_path / "ok")]) == 0
    hostile = tmp_path / "longer.xlsx"
    with zipfile.ZipFile(ok) as src, zipfile.ZipFile(hostile, "w") as out:
        for item in src.infolist():
            out.writestr(item, src.read(item).replace(full.encode(), b"y" * 40_001))
    err = refused(tmp_path, capsys, hostile)
    assert f"column '{column}': holds 40,001 characters; an Excel cell holds at most 32,767" in err


def test_an_excel_error_through_office_js_is_named_not_taken_for_a_blank(tmp_path, monkeypatch):
    monkeypatch.setenv("DSG_RETURNS_DIR", str(tmp_path / "server"))
    model = model_with(tmp_path, ("Funding", 2, "High Needs Block income", "#N/A"))
    log = _log(run_script(book_payload(model)))
    assert log[1][:2] == ["Status", "Refused: nothing written"]
    assert (
        "table Funding row 2, column 'High Needs Block income': holds the Excel error #N/A"
        in (log[2][1])
    )
    assert files(tmp_path / "server") == []


def test_every_hostile_cell_is_reported_in_one_pass(tmp_path, capsys):
    model = model_with(
        tmp_path,
        ("Settings", "LA code", "Value", "87²"),
        ("Settings", "Period end date", "Value", dt.datetime(1999, 9, 30)),
        ("Funding", 1, "Schools block", 1e26),
    )
    err = refused(tmp_path, capsys, model)
    assert "'87²' is not an LA code" in err
    assert "30/09/1999 is not the end of 2024-25 Q2" in err
    assert "table Funding row 1, column 'Schools block': 1e+26 is beyond" in err


# --- dsg show ----------------------------------------------------------------------------


def test_show_refuses_a_blank_naming_table_row_and_column(tmp_path, capsys):
    model = model_with(tmp_path, ("Funding", 2, "Schools block", None))
    err = refused(tmp_path, capsys, model, command="show")
    assert "table Funding row 2, column 'Schools block': is blank" in err
    assert capsys.readouterr().out == ""


def test_show_refuses_what_the_refresh_refuses(tmp_path, capsys):
    err = refused(tmp_path, capsys, model_with(tmp_path, clear="Placements"), command="show")
    assert "table Placements row 1, column 'Placement': the table has no rows" in err


@pytest.mark.parametrize(
    "edit, where",
    [
        (("EHCPPeriod", 1, "Actual", 1e26), "table EHCPPeriod row 1 'Mainstream"),
        (("EHCPHistory", 1, "2019", 1e300), "table EHCPHistory row 1 'Mainstream"),
        (("Placements", 1, "Count", 1e20), "table Placements row 1 'Mainstream"),
        (("Moves", 1, "Change", -1e26), "table Moves row 1 "),
    ],
)
def test_counts_beyond_ten_million_children_are_refused_naming_the_cell(
    tmp_path, capsys, edit, where
):
    # Without the limit a count of 1e26 was written and the EHCP totals check FAILed.
    err = refused(tmp_path, capsys, model_with(tmp_path, edit))
    line = next(line for line in err.splitlines() if where in line)
    assert f"column '{edit[2]}': " in line and "is beyond 10,000,000 children" in line


def test_growth_compounding_past_the_money_limit_is_refused_naming_row_and_years(tmp_path, capsys):
    err = refused(tmp_path, capsys, model_with(tmp_path, ("Placements", 1, "Growth", 1000.0)))
    # Growth of 1000 (100,000%) a year: the spend passes £1 trillion in every projected year.
    for year in ("2025-26", "2026-27", "2027-28"):
        assert re.search(
            rf"Financial summary row 'High Needs expenditure', year {year}: \d\.\d+e\+\d\d is beyond "
            r"£1,000,000,000,000 \(one trillion pounds\): check Placements' Count, Growth and Inflation",
            err,
        ), err
    assert "In-year" not in err  # the rows that follow from it are not repeated


@pytest.mark.parametrize(
    "table, column, first",
    [("HighNeedsLines", "Line", "1.0.2"), ("EHCPByAge", "Age group", "Under 5")],
)
def test_an_empty_table_of_the_returns_rows_is_refused_in_one_line(
    tmp_path, capsys, table, column, first
):
    err = refused(tmp_path, capsys, model_with(tmp_path, clear=table))
    assert (
        f"table {table} row 1, column '{column}': the table has no rows: add one row for each "
        f"of the return's rows ({first}; "
    ) in err
    assert len(err.strip().splitlines()) == 2  # the problem, then "Nothing was written."
