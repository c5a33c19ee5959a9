"""``dsg new-model PATH.xlsm``: the model for the classic Windows add-in, read part by part.

The VBA is read back with oletools (olevba), the way an IT security check reads it: it
must be xlwings' own modules, byte for byte those of the installed xlwings package.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser

from addin.cli import main as dsg
from workbooks.macro_model import (
    BUTTONS,
    MACRO_WORKBOOK,
    MacroModelError,
    macro_enabled,
    xlwings_vba_project,
)
from workbooks.model_builder import blank_spec, write_model


def modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xlsm")
    assert dsg(["new-model", str(folder / "DSG_model.xlsm"), "--la-code", "873"]) == 0
    return folder / "DSG_model.xlsm"


def test_new_model_xlsm_holds_xlwings_own_vba_and_the_run_module(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        assert z.read("xl/vbaProject.bin") == xlwings_vba_project()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert f'PartName="/xl/workbook.xml" ContentType="{MACRO_WORKBOOK}"' in types
    assert (
        'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    )
    assert re.search(r'Type="[^"]*/vbaProject" Target="/xl/vbaProject.bin"', rels)
    assert 'codeName="ThisWorkbook"' in workbook
    code = modules(xlsm)
    assert {"xlwings.bas", "Module1.bas"} <= set(code)
    assert "Function RunPython(" in code["xlwings.bas"]
    assert "Sub ImportPythonUDFs()" in code["xlwings.bas"]
    assert 'mymodule & ".main()"' in code["Module1.bas"]  # SampleCall: <workbook name>.main()
    # the module SampleCall imports, beside the workbook: the refresh
    run = xlsm.with_suffix(".py").read_text(encoding="utf-8")
    assert "from addin.refresh import main" in run


def test_the_dashboard_has_buttons_running_the_refresh_and_the_function_import(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        drawings = {
            n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing")
        }
        sheet_rels = z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert re.search(r'<sheet name="Dashboard"[^>]*r:id="rId2"', workbook)
    dashboard_drawing = re.search(r'Target="/?(xl/drawings/drawing\d+\.xml)"', sheet_rels).group(1)
    text = drawings[dashboard_drawing]
    for label, macro, _, _ in BUTTONS:
        assert re.search(rf'macro="\[0\]!{macro}".*?<a:t>{label}</a:t>', text), label
    assert ("Refresh DfE monitoring return", "SampleCall") in [(b[0], b[1]) for b in BUTTONS]
    ids = re.findall(r'cNvPr id="(\d+)"', text)
    assert len(ids) == len(set(ids))  # the charts keep their ids, the buttons get new ones
    assert text.count("<c:chart") + text.count(":chart ") >= 1  # the charts are still there


def test_the_macro_model_has_the_same_sheets_and_tables_and_survives_an_openpyxl_round_trip(
    xlsm, tmp_path
):
    plain = tmp_path / "plain.xlsx"
    write_model(blank_spec("", "873"), plain)
    a = openpyxl.load_workbook(plain)
    b = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert a.sheetnames == b.sheetnames

    def text(v):  # an array formula by its formula text
        return getattr(v, "text", v)

    for ws in a.worksheets:
        assert sorted(ws.tables) == sorted(b[ws.title].tables), ws.title
        rows_a = [[text(v) for v in r] for r in ws.iter_rows(values_only=True)]
        rows_b = [[text(v) for v in r] for r in b[ws.title].iter_rows(values_only=True)]
        assert rows_a == rows_b, ws.title
    again = tmp_path / "saved_by_openpyxl.xlsm"
    b.save(again)
    assert {"xlwings.bas", "Module1.bas"} <= set(modules(again))


def test_new_model_never_overwrites_and_refuses_officejs_xlsm(tmp_path, capsys):
    path = tmp_path / "m.xlsm"
    path.write_bytes(b"mine")
    assert dsg(["new-model", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err and path.read_bytes() == b"mine"
    assert dsg(["new-model", str(tmp_path / "o.xlsm"), "--officejs"]) == 2
    assert "an .xlsm model is for the classic add-in" in capsys.readouterr().err
    assert dsg(["new-model", str(tmp_path / "x.xls")]) == 2
    assert "must end in .xlsx (or .xlsm" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.xlsm"]  # no litter


def test_a_workbook_already_macro_enabled_is_refused(xlsm):
    with pytest.raises(MacroModelError, match="already has a VBA project"):
        macro_enabled(xlsm)


def test_the_macro_model_carries_mitigations_the_fan_and_the_write_off(xlsm):
    """The .xlsm is the classic build: the Mitigations table with its validation, DSG_FAN and
    DEFICIT_WRITE_OFF marked to spill, and the fan chart beside the buttons, none overlapping."""
    wb = openpyxl.load_workbook(xlsm, keep_vba=True)
    ws = wb["Mitigations"]
    assert list(ws.tables) == ["Mitigations"]
    assert sorted(dv.type for dv in ws.data_validations.dataValidation) == ["decimal", "list"]
    settings = [r[0] for r in wb["Inputs"].iter_rows(min_row=4, max_col=1, values_only=True)]
    for name in ("Write-off year", "Write-off share", "Override end", "Usable reserves"):
        assert name in settings, name
    formulas = {
        c.coordinate: c.value.text
        for row in wb["Calculations"].iter_rows()
        for c in row
        if hasattr(c.value, "text")
    }
    fan = [a for a, f in formulas.items() if f.startswith("=DSG_FAN(")]
    write_off = [a for a, f in formulas.items() if f.startswith("=DEFICIT_WRITE_OFF(")]
    assert len(fan) == len(write_off) == 1
    with zipfile.ZipFile(xlsm) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        drawings = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/drawing")]
    for anchor in fan + write_off:
        assert any(re.search(rf'<c r="{anchor}" cm="1"[^>]*><f t="array"', s) for s in sheets)
    dashboard = next(d for d in drawings if "SampleCall" in d)
    assert dashboard.count("<c:chart ") == 5  # trajectory, growth, mix, EHCP forecast, fan
    # top-left cells of every chart and button on the Dashboard: all distinct
    starts = re.findall(
        r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?<(?:xdr:)?row>(\d+)</", dashboard
    )
    assert len(starts) == 5 + len(BUTTONS) and len(set(starts)) == len(starts)
