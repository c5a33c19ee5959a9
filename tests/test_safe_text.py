"""Text that a spreadsheet reads as a formula never becomes one in anything we write.

Each writer is given the hostile text where it takes free text (the LA name,
Prepared by, a census header, a condition and its commentary; a Child ID; a
DfE file's area and council names; a CSV field), and the file is read back
as the sheet XML holds it: a string cell, never ``<f>``. The return's checks,
which we write as formulas on purpose, stay formulas.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin import cli_caseload
from models.categories import PLACEMENT_CATEGORIES, TOTAL
from models.monitoring import MonitoringReturn, ReturnTable, monitoring_return
from tests import broken_returns
from tests.test_publish import _caseload
from tests.test_return import example_inputs, files
from workbooks import dfe
from workbooks import return_spec as spec
from workbooks.extracts import write_caseload_workbook
from workbooks.return_template import TEMPLATE_PATH
from workbooks.return_writer import write_return
from workbooks.safe_text import cell_text, csv_field, csv_writer

#: Formula-like text as an attacker would write it: leading space, tab, no-break space, newline.
HOSTILE = (
    ' =HYPERLINK("http://example.invalid/a","Click")',
    '\t=HYPERLINK("http://example.invalid/b","Tab")',
    '\u00a0=HYPERLINK("http://example.invalid/c","No-break space")',
    '\n=HYPERLINK("http://example.invalid/d","Newline")',
    "=1+1",
    "@SUM(1,2)",
)


def hostile_figures() -> MonitoringReturn:
    """The example's figures with hostile text in every free-text place of the return."""
    fig = monitoring_return(example_inputs())
    cover = {**fig.cover, "Local authority": HOSTILE[0], "Prepared by": HOSTILE[1]}
    census = fig.ehcp_history[0]
    ehcp = fig.ehcp.rename(columns={census: HOSTILE[2]})
    history = [HOSTILE[2], *fig.ehcp_history[1:]]
    conditions = fig.conditions.copy()
    conditions.iloc[0, conditions.columns.get_loc("Commentary")] = HOSTILE[3]
    conditions.iloc[1, 0] = HOSTILE[4]
    conditions.iloc[1, conditions.columns.get_loc("Commentary")] = HOSTILE[5]
    return dataclasses.replace(
        fig,
        cover=cover,
        ehcp_table=ReturnTable.from_frame(ehcp),
        ehcp_history=history,
        conditions_table=ReturnTable.from_frame(conditions),
    )


def sheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {
            n: z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")
        }


def formulas(path: Path) -> list[str]:
    """Every formula the file holds, as the sheet XML has it."""
    return [f for x in sheet_xml(path).values() for f in re.findall(r"<f[^>]*>([^<]*)</f>", x)]


def text_cells(path: Path) -> dict[str, openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return {
        c.value: c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def assert_text_not_formula(path: Path, texts) -> None:
    assert not [f for f in formulas(path) if "HYPERLINK" in f or f in ("1+1", "SUM(1,2)")]
    cells = text_cells(path)
    for text in texts:
        assert text in cells, text
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix  # Excel keeps it text when the cell is edited


# --- the return ---------------------------------------------------------------------------------


def test_hostile_text_in_the_return_is_written_as_text(tmp_path):
    written = write_return(hostile_figures(), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
    assert_text_not_formula(written.path, HOSTILE)
    # the checks we write on purpose are still live formulas, and pass
    checks = [f for f in formulas(written.path) if f.startswith("IF(AND(")]
    assert len(checks) == len(spec.CHECK_LABELS)
    assert all(c.passed for c in written.checks)


def test_hostile_settings_through_the_refresh_are_written_as_text(tmp_path):
    """End to end from the model's Settings table: LA name and Prepared by."""
    from addin.refresh import refresh
    from tests.test_return import with_table

    inputs = example_inputs()
    settings = inputs.tables["Settings"].copy()
    settings.loc[settings["Setting"] == "Local authority", "Value"] = HOSTILE[0]
    settings.loc[settings["Setting"] == "Prepared by", "Value"] = HOSTILE[2]
    path = refresh(with_table(inputs, "Settings", settings), out_dir=tmp_path)
    assert not [f for f in formulas(path) if "HYPERLINK" in f]
    cover = openpyxl.load_workbook(path)[spec.COVER]
    values = {cover.cell(r, 1).value: cover.cell(r, 2) for r in range(1, cover.max_row + 1)}
    assert values["Local authority"].data_type == "s"
    assert "HYPERLINK" in values["Local authority"].value
    assert "HYPERLINK" in values["Prepared by"].value


def test_the_audit_block_records_the_models_file_name_not_its_folders(tmp_path):
    audit = dataclasses.replace(
        broken_returns.AUDIT, model="C:\\Users\\jsmith\\OneDrive\\Finance\\dsg model.xlsx"
    )
    written = write_return(monitoring_return(example_inputs()), TEMPLATE_PATH, tmp_path, audit)
    cells = text_cells(written.path)
    assert "dsg model.xlsx" in cells
    assert not [t for t in cells if "jsmith" in t]


# --- the caseload workbook ----------------------------------------------------------------------


def test_child_ids_that_look_like_formulas_or_hold_control_characters_are_text(tmp_path):
    result = _caseload()
    problems = pd.DataFrame(
        {
            "Data row": [1, 2, 3],
            "Spreadsheet row": [2, 3, 4],
            "Child ID": ["=1+1", "AB\x07C\x00", "@SUM(1,2)"],
            "Reason": ["Duplicate active plan"] * 3,
            "Detail": ['+cmd|" /C calc"!A0', "-2+3", "\x1bescape"],
        }
    )
    hostile = dataclasses.replace(result, problems=problems)
    path = write_caseload_workbook(hostile, tmp_path, source='=HYPERLINK("x").csv')
    assert not [f for f in formulas(path) if f in ("1+1", "SUM(1,2)") or "HYPERLINK" in f]
    dq = openpyxl.load_workbook(path)["Data quality"]
    ids = [dq.cell(r, 3) for r in range(2, 5)]
    assert [c.value for c in ids] == ["=1+1", "AB[U+0007]C[U+0000]", "@SUM(1,2)"]
    assert all(c.data_type == "s" for c in ids)
    assert [dq.cell(r, 5).value for r in range(2, 5)] == [
        '+cmd|" /C calc"!A0',
        "-2+3",
        "[U+001B]escape",
    ]
    assert files(tmp_path) == [path.name]


# --- the DfE history and benchmark workbooks ----------------------------------------------------


def _history(name: str, label: str) -> dfe.History:
    years = [2023, 2024]
    index = [*PLACEMENT_CATEGORIES, TOTAL]
    categories = pd.DataFrame([[10.0, 12.0]] * len(index), index=index, columns=years)
    categories = categories.rename(index={PLACEMENT_CATEGORIES[0]: label})
    ages = pd.DataFrame([[5.0, 6.0]], index=["Under 5"], columns=years)
    council = dfe.Council("873", ("E10000003",), name, "E12000006", "East of England")
    return dfe.History(council, categories, ages, Path("caseload.csv"))


def test_a_tampered_dfe_file_puts_no_formula_into_the_history_workbook_or_csv(tmp_path):
    history = _history(HOSTILE[0], "=1+1")
    path = dfe.write_history_workbook(tmp_path / "h.xlsx", history)
    assert not [f for f in formulas(path) if "HYPERLINK" in f or f == "1+1"]
    cells = text_cells(path)
    assert "=1+1" in cells and cells["=1+1"].data_type == "s"
    assert any(HOSTILE[0] in t for t in cells)  # the source note names the council
    csv_path = dfe.write_history_csv(tmp_path / "h.csv", history)
    assert csv_path.read_text(encoding="utf-8").splitlines()[1].startswith("'=1+1,10,12")


def test_a_tampered_dfe_file_puts_no_formula_into_the_benchmark_workbook(tmp_path):
    table = pd.DataFrame(
        {HOSTILE[0]: [0.05], "=1+1": [0.04], "England": [0.03]},
        index=["EHCP growth a year"],
    )
    index = pd.DataFrame(
        {"@SUM(1,2) High Needs Block": [100.0, 104.0]}, index=["2023-24", "2024-25"]
    )
    path = dfe.write_benchmark_workbook(
        tmp_path / "b.xlsx", f"{HOSTILE[1]} against England", table, index, [Path("x.csv")]
    )
    assert_text_not_formula(path, (HOSTILE[0], "=1+1", "@SUM(1,2) High Needs Block"))
    assert f"{HOSTILE[1]} against England" in text_cells(path)


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\tEly", "'\tEly"),
        ("  =1+1", "'  =1+1"),
        ("\u00a0=1+1", "'\u00a0=1+1"),
        ("-5", "-5"),
        ("+3.5", "+3.5"),
        ("1e6", "1e6"),
        (-5, -5),
        (2.5, 2.5),
        ("Ely - north", "Ely - north"),
        ("", ""),
    ],
)
def test_csv_fields_that_a_spreadsheet_would_run_are_neutralised(value, written):
    assert csv_field(value) == written


def test_the_caseload_csv_printout_is_neutralised(capsys):
    result = _caseload()
    by_category = result.by_category.rename(index={PLACEMENT_CATEGORIES[0]: "=1+1"})
    cli_caseload._print_csv(dataclasses.replace(result, by_category=by_category))
    lines = capsys.readouterr().out.splitlines()
    assert "'=1+1," in lines[1] and not any(line.startswith("=") for line in lines)


def test_the_csv_writer_leaves_numbers_as_numbers():
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerows([["=A1", -5, "-5", 3.25]])
    assert out.getvalue() == "'=A1,-5,-5,3.25\n"


def test_control_characters_are_shown_not_dropped():
    assert cell_text("a\x00b\x1fc\x7f") == "a[U+0000]b[U+001F]c\x7f"  # DEL is legal XML


def test_a_new_models_text_settings_are_written_as_text(tmp_path, capsys):
    from addin.cli import main as dsg

    path = tmp_path / "t.xlsx"
    assert dsg(["new-model", str(path), "--la", HOSTILE[0], "--la-code", "999"]) == 0
    assert not [f for f in formulas(path) if "HYPERLINK" in f]
    assert text_cells(path)[HOSTILE[0].strip()].data_type == "s"
