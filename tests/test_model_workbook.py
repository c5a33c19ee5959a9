"""The model workbook: builder, embedded Cambridgeshire example, reader and ``dsg new-model``.

Figures cited from the committee report (../shared/context/committee-report.txt):
para 6.1 (GBP 40.015m brought forward into 2024-25, GBP 11.730m forecast),
para 3.16 (1% transfers of GBP 4.5m and 4.8m, GBP 9.3m in all), paras 3.3
and 3.8 (GBP 49m from the DfE, 21.5m received, 27.5m outstanding; council
GBP 9m).
"""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from addin.cli import main as dsg
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.forecast_growth import resolve_forecast_growth
from models.inputs import OPTIONAL_COLUMNS, OPTIONAL_TABLES, TABLE_COLUMNS, TABLE_NAMES
from models.monitoring import monitoring_return
from models.projection import placement_projection
from models.trajectory import dsg_trajectory
from models.transfers import block_transfer_impact
from models.years import financial_year_of_period
from tests.conftest import PENNY
from workbooks import example_cambridgeshire as example
from workbooks.model_builder import (
    EXPENDITURE_RULE,
    HIGH_NEEDS_LINES,
    blank_spec,
    write_model,
)
from workbooks.model_reader import ModelFileError, read_model

COMMITTED_EXAMPLE = example.EXAMPLE_PATH

# The committee report's figures (paragraphs in the module docstring).
BROUGHT_FORWARD_2024_25 = 40_015_000
IN_YEAR_2024_25 = 11_730_000
CARRIED_FORWARD_2024_25 = 51_745_000
TRANSFERS = {"2023-24": 4_500_000, "2024-25": 4_800_000}
CUMULATIVE_TRANSFER = 9_300_000
DFE_AGREED, DFE_RECEIVED, DFE_OUTSTANDING = 49_000_000, 21_500_000, 27_500_000
COUNCIL = 9_000_000


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def tables_of(path: Path) -> dict[str, tuple[str, str, list[str]]]:
    """Table name -> (sheet, ref, header texts)."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for t in ws.tables.values():
            header = [c.value for c in next(iter(ws[t.ref]))]
            out[t.displayName] = (ws.title, t.ref, header)
    return out


def cell_snapshot(path: Path) -> dict:
    """Every sheet's every cell value (array formulas as text and ref), tables and merges."""
    wb = load_workbook(path)
    snap = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if isinstance(v, ArrayFormula):
                    v = ("array", v.ref, v.text)
                if v is not None:
                    cells[c.coordinate] = v
        snap[ws.title] = {
            "cells": cells,
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        }
    return snap


def column(frame, name):
    return [frame[name].iloc[i] for i in range(len(frame))]


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "model.xlsx"
    write_model(blank_spec("Testshire", "999"), path)
    return path


@pytest.fixture(scope="module")
def inputs():
    return read_model(COMMITTED_EXAMPLE)


# --------------------------------------------------------------------------
# the builder
# --------------------------------------------------------------------------
def test_blank_model_has_every_table_with_its_columns(blank):
    tables = tables_of(blank)
    assert sorted(tables) == sorted(TABLE_NAMES + OPTIONAL_TABLES)
    for name in TABLE_NAMES:
        header = tables[name][2]
        if name == "EHCPHistory":
            assert header == ["Category", "2019", "2020", "2021", "2022", "2023", "2024", "2025"]
        else:
            assert tuple(header) == TABLE_COLUMNS[name] + OPTIONAL_COLUMNS.get(name, ()), name


def test_blank_model_rows_are_the_return_labels(blank):
    model = read_model(blank)
    assert column(model.frame("HighNeedsLines"), "Line") == list(HIGH_NEEDS_LINES)
    assert (
        "1.2.3 Top-up and other funding - non-maintained and independent providers"
        in HIGH_NEEDS_LINES
    )
    assert column(model.frame("EHCPHistory"), "Category") == list(PLACEMENT_CATEGORIES)
    assert column(model.frame("EHCPPeriod"), "Category") == list(PLACEMENT_CATEGORIES)
    assert column(model.frame("EHCPByAge"), "Age group") == list(AGE_GROUPS)
    assert column(model.frame("Funding"), "Year") == [
        "2024-25",
        "2025-26",
        "2026-27",
        "2027-28",
        "2028-29",
    ]
    settings = dict(
        zip(
            column(model.frame("Settings"), "Setting"),
            column(model.frame("Settings"), "Value"),
            strict=True,
        )
    )
    assert settings["Local authority"] == "Testshire" and settings["LA code"] == "999"


CLASSIC = {
    "A6": "=PLACEMENT_COST_TABLE(Placements[#All])",
    # growth: the Workings rows of the growth each placement uses (its Growth, or 'forecast')
    "A19": "=PLACEMENT_PROJECTION(Placements[#All], Funding[Year], 'Workings'!$B$60:$B$66, "
    "Placements[Inflation], Moves[#All])",
    "A32": "=PLACEMENT_PROJECTION(Placements[#All], Funding[Year], 'Workings'!$B$60:$B$66, "
    'Placements[Inflation], Moves[#All], "count")',
    "A45": "=BLOCK_TRANSFER_IMPACT(Funding[Year], Funding[Schools block], Funding[Transfer rate], "
    ", Funding[Forum decision])",
}


def test_calculations_are_dynamic_array_formulas_with_exact_text(blank):
    ws = load_workbook(blank)["Calculations"]
    for cell, text in CLASSIC.items():
        value = ws[cell].value
        assert isinstance(value, ArrayFormula), cell
        assert value.text == text and value.ref == cell
    formulas = [
        c.value.text for row in ws.iter_rows() for c in row if isinstance(c.value, ArrayFormula)
    ]
    names = [re.match(r"=([A-Z_.]+)\(", f).group(1) for f in formulas]
    assert names == [
        "PLACEMENT_COST_TABLE",
        "PLACEMENT_PROJECTION",
        "PLACEMENT_PROJECTION",
        "BLOCK_TRANSFER_IMPACT",
        "DSG_TRAJECTORY",
        "DSG_SUMMARY",
        "VARIANCE_TO_PLAN",
        "EHCP_GROWTH",
        "PERCENT_CHANGE",
        "DSG_FAN",
        "DEFICIT_WRITE_OFF",
    ]
    trajectory = formulas[4]
    assert trajectory.startswith(
        "=DSG_TRAJECTORY(Funding[Year], 'Workings'!$B$6, "
        "Funding[High Needs Block income], 'Workings'!$C$"
    )
    assert trajectory.endswith("Funding[Other blocks in-year deficit])")
    assert formulas[6].endswith("Agreement[Agreed cumulative deficit])")


def test_dynamic_array_cells_are_marked_as_excel_does(blank):
    with zipfile.ZipFile(blank) as z:
        names = z.namelist()
        assert "xl/metadata.xml" in names
        meta = z.read("xl/metadata.xml").decode()
        assert 'name="XLDAPR"' in meta and 'fDynamic="1"' in meta
        assert "relationships/sheetMetadata" in z.read("xl/_rels/workbook.xml.rels").decode()
        assert "/xl/metadata.xml" in z.read("[Content_Types].xml").decode()
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    marked = [
        m
        for s in sheets
        for m in re.findall(r'<c r="(A\d+)" cm="1"[^>]*><f t="array" ref="\1">', s)
    ]
    assert len(marked) == 11
    assert not any(
        "cm=" in m for s in sheets for m in re.findall(r"<c [^>]*>(?!<f t=\"array\")", s)
    )


def test_officejs_names_carry_the_namespace(tmp_path):
    default = tmp_path / "officejs.xlsx"
    write_model(blank_spec(), default, officejs=True)
    ws = load_workbook(default)["Calculations"]
    assert ws["A6"].value.text == "=XLWINGS.PLACEMENT_COST_TABLE(Placements[#All])"
    custom = tmp_path / "custom.xlsx"
    write_model(blank_spec(), custom, officejs=True, namespace="dsg")
    assert load_workbook(custom)["Calculations"]["A45"].value.text == (
        "=DSG.BLOCK_TRANSFER_IMPACT(Funding[Year], Funding[Schools block], Funding[Transfer rate], "
        ", Funding[Forum decision])"
    )
    with pytest.raises(ValueError, match="namespace"):
        write_model(blank_spec(), tmp_path / "bad.xlsx", officejs=True, namespace="two words")
    assert not (tmp_path / "bad.xlsx").exists()


def test_xlwings_conf_sheet_names_the_udf_module(blank):
    ws = load_workbook(blank)["xlwings.conf"]
    assert (ws["A1"].value, ws["B1"].value) == ("UDF Modules", "addin.udfs")


def test_the_expenditure_rule_is_written_where_readers_see_it(blank):
    wb = load_workbook(blank)
    for sheet in ("About", "High needs"):
        texts = [c.value for row in wb[sheet].iter_rows() for c in row if isinstance(c.value, str)]
        assert any(EXPENDITURE_RULE in t for t in texts), sheet
        assert wb[sheet].sheet_state == "visible"


def test_dashboard_has_five_native_charts_reading_workings_and_the_fan(blank):
    with zipfile.ZipFile(blank) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [z.read(n).decode() for n in charts]
    assert len(charts) == 5
    kinds = sorted(
        "+".join(re.findall(r"<(?:c:)?(lineChart|barChart|pieChart|areaChart)>", x)) for x in xml
    )
    # the forecast and the fan: a P10-P90 band (stacked area) under lines
    assert kinds == [
        "areaChart+lineChart",
        "areaChart+lineChart",
        "barChart",
        "lineChart",
        "pieChart",
    ]
    sheets = []
    for x in xml:
        refs = re.findall(r"<(?:c:)?f>([^<]+)</(?:c:)?f>", x)
        assert refs
        sheets.append({r.split("!")[0] for r in refs})
    # four read the Workings sheet's plain formulas; the fan chart reads the Refresh sheet's
    # block of the last refresh's scenarios
    assert sorted(sheets, key=sorted) == sorted([{"'Workings'"}] * 4 + [{"'Refresh'"}], key=sorted)


def test_input_cells_are_formatted_for_people(blank):
    wb = load_workbook(blank)
    funding = wb["Inputs"]
    sheet, ref, _ = tables_of(blank)["Funding"]
    first = ref.split(":")[0]
    row = int(first[1:]) + 1
    assert funding.cell(row=row, column=2).number_format.startswith("£")
    assert funding.cell(row=row, column=4).number_format == "0.00%"
    assert funding.cell(row=row, column=2).fill.fgColor.rgb.endswith("FFF2CC")
    assert funding.freeze_panes == "A4"


# --------------------------------------------------------------------------
# the embedded example
# --------------------------------------------------------------------------
def test_committed_example_is_what_the_builder_writes(tmp_path):
    fresh = example.build_example(tmp_path / "cambridgeshire.xlsx")
    assert cell_snapshot(fresh) == cell_snapshot(COMMITTED_EXAMPLE)
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(COMMITTED_EXAMPLE) as b:
        charts = sorted(n for n in a.namelist() if n.startswith("xl/charts/"))
        assert charts == sorted(n for n in b.namelist() if n.startswith("xl/charts/"))
        for name in charts + ["xl/metadata.xml"]:
            assert a.read(name) == b.read(name), name


def test_example_settings(inputs):
    s = inputs.frame("Settings")
    settings = dict(zip(s["Setting"], s["Value"], strict=True))
    assert settings["Local authority"] == "Cambridgeshire"
    assert settings["LA code"] == "873"
    assert settings["Return period"] == "2024-25 Q2"
    assert column(inputs.frame("Funding"), "Year") == [
        "2023-24",
        "2024-25",
        "2025-26",
        "2026-27",
        "2027-28",
    ]


def _spend_by_rule(inputs) -> list[float]:
    """High Needs expenditure per year by the refresh's rule (the About sheet)."""
    resolved = resolve_forecast_growth(inputs)
    t = {name: resolved.frame(name) for name in resolved.tables}
    settings = dict(zip(t["Settings"]["Setting"], t["Settings"]["Value"], strict=True))
    current = financial_year_of_period(settings["Return period"])
    years = list(t["Funding"]["Year"])
    projection = placement_projection(
        t["Placements"],
        years,
        t["Placements"]["Growth"].tolist(),
        t["Placements"]["Inflation"].tolist(),
        t["Moves"],
    )
    total = projection.set_index("Placement").loc["Total"]
    return [
        float(t["HighNeedsLines"]["Forecast outturn"].sum())
        if y == current
        else float(total[y]) + float(o)
        for y, o in zip(years, t["Funding"]["Other high needs spend"], strict=True)
    ]


def test_example_reproduces_the_committee_report_through_the_models(inputs):
    t = {name: inputs.frame(name) for name in inputs.tables}
    f, a = t["Funding"], t["Agreement"]
    years = list(f["Year"])
    settings = dict(zip(t["Settings"]["Setting"], t["Settings"]["Value"], strict=True))
    transfers = block_transfer_impact(
        years, f["Schools block"].tolist(), f["Transfer rate"].tolist()
    )
    by_year = transfers.set_index("Year")
    for year, amount in TRANSFERS.items():
        assert abs(by_year.loc[year, "Transfer"] - amount) < PENNY
        assert by_year.loc[year, "Secretary of State approval"] == "Required"
    assert abs(by_year.loc["2024-25", "Cumulative transfer"] - CUMULATIVE_TRANSFER) < PENNY

    current = financial_year_of_period(settings["Return period"])
    dfe = [
        r if y <= current else d
        for y, d, r in zip(a["Year"], a["DfE payment due"], a["DfE payment received"], strict=True)
    ]
    contributions = [
        d + c + o
        for d, c, o in zip(dfe, f["Council contribution"], f["Other contributions"], strict=True)
    ]
    trajectory = dsg_trajectory(
        years,
        settings["Opening cumulative deficit"],
        f["High Needs Block income"].tolist(),
        _spend_by_rule(inputs),
        transfers["Transfer"].tolist(),
        contributions,
        f["Other blocks in-year deficit"].tolist(),
    ).set_index("Year")
    assert abs(trajectory.loc["2023-24", "Cumulative deficit"] - BROUGHT_FORWARD_2024_25) < PENNY
    assert abs(trajectory.loc["2024-25", "In-year deficit"] - IN_YEAR_2024_25) < PENNY
    assert trajectory.loc["2024-25", "Contributions"] == 0
    assert abs(trajectory.loc["2024-25", "Cumulative deficit"] - CARRIED_FORWARD_2024_25) < PENNY

    assert a["DfE payment due"].sum() == DFE_AGREED
    assert a["DfE payment received"].sum() == DFE_RECEIVED
    assert a["DfE payment due"].sum() - a["DfE payment received"].sum() == DFE_OUTSTANDING
    assert f["Council contribution"].sum() == COUNCIL == a["Council contribution"].sum()


def test_example_through_the_monitoring_return(inputs):
    r = monitoring_return(inputs)
    fs = r.financial_summary
    assert abs(fs.loc["In-year surplus/(deficit)", "2024-25"] + IN_YEAR_2024_25) < PENNY
    assert (
        abs(
            fs.loc["Cumulative surplus/(deficit) carried forward", "2023-24"]
            + BROUGHT_FORWARD_2024_25
        )
        < PENNY
    )
    assert (
        abs(
            fs.loc["Cumulative surplus/(deficit) carried forward", "2024-25"]
            + CARRIED_FORWARD_2024_25
        )
        < PENNY
    )
    assert abs(fs.loc["Block transfers in", "2023-24"] - 4_500_000) < PENNY
    assert (
        abs(
            fs.loc["High Needs expenditure", "2024-25"]
            - inputs.frame("HighNeedsLines")["Forecast outturn"].sum()
        )
        < PENNY
    )
    assert str(r.cover["LA code"]) == "873"


def test_example_ehcp_tables_add_up(inputs):
    t = {name: inputs.frame(name) for name in inputs.tables}
    history = t["EHCPHistory"].set_index("Category")
    # DfE January totals for Cambridgeshire (../shared/data/dfe/README.md).
    assert history.sum().to_dict() == {
        "2019": 4198,
        "2020": 4690,
        "2021": 5292,
        "2022": 6100,
        "2023": 6972,
        "2024": 7318,
        "2025": 8007,
    }
    assert t["EHCPPeriod"]["Actual"].sum() == t["EHCPByAge"]["Actual"].sum() == 8007
    assert list(t["Placements"]["Count"]) == list(history["2024"])


def test_example_conditions_are_the_reports_eight(inputs):
    c = inputs.frame("Conditions")
    assert len(c) == 8
    assert set(c["RAG"]) <= {"Green", "Amber", "Red"}
    assert (
        c["Condition"]
        .iloc[0]
        .startswith("Improve decision making on awarding Education Health and Care Plans")
    )
    assert all(isinstance(x, str) and x for x in c["Commentary"])


def test_example_labels_its_sources():
    ws = load_workbook(COMMITTED_EXAMPLE)["Sources"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for needle in (
        "para 6.1",
        "3.16",
        "3.8",
        "hnb_after_deductions",
        "caseload.csv",
        "parliamentary question",
        "FOI",
    ):
        assert needle in text, needle


@pytest.mark.libreoffice
def test_dashboard_shows_a_refused_half_percent_transfer_needs_the_secretary_of_state(
    tmp_path, soffice
):
    """METHOD.md, BLOCK_TRANSFER_IMPACT (Surrey 2019-20): a 0.5% transfer the schools forum
    refused reads Required on the Dashboard, recalculated by LibreOffice; approved, Not required."""
    shown = {}
    for decision in ("Refused", "Approved"):
        spec = example.example_spec()
        for row in spec.funding_rows:
            if row[0] == "2024-25":  # the example's current year
                row[3], row[-1] = 0.005, decision
        folder = tmp_path / decision
        path = write_model(spec, folder / "model.xlsx")
        subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(folder / "out"),
                str(path),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "HOME": str(tmp_path)},
            timeout=180,
        )
        dash = load_workbook(folder / "out" / "model.xlsx", data_only=True)["Dashboard"]
        tiles = {dash.cell(r, 1).value: dash.cell(r, 2).value for r in range(5, 16)}
        shown[decision] = tiles["Secretary of State approval (this year's transfer)"]
    assert shown == {"Refused": "Required", "Approved": "Not required"}


@pytest.mark.libreoffice
def test_workings_recalculated_by_libreoffice_agree_with_the_models(tmp_path, soffice, inputs):
    """The plain-formula Workings (what the charts show) equal the refresh's figures."""
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(COMMITTED_EXAMPLE),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=180,
    )
    ws = load_workbook(tmp_path / "out" / "cambridgeshire.xlsx", data_only=True)["Workings"]
    labels = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    years = [ws.cell(row=labels["Year"], column=3 + k).value for k in range(5)]
    fs = monitoring_return(inputs).financial_summary
    assert years == list(fs.columns)
    for k, year in enumerate(years):

        def at(label, k=k):
            return ws.cell(row=labels[label], column=3 + k).value

        assert (
            abs(
                at("Cumulative deficit carried forward")
                + fs.loc["Cumulative surplus/(deficit) carried forward", year]
            )
            < PENNY
        )
        assert abs(at("In-year deficit") + fs.loc["In-year surplus/(deficit)", year]) < PENNY
        assert abs(at("High Needs expenditure") - fs.loc["High Needs expenditure", year]) < PENNY
    dash = load_workbook(tmp_path / "out" / "cambridgeshire.xlsx", data_only=True)["Dashboard"]
    figures = {
        dash.cell(row=r, column=1).value: dash.cell(row=r, column=2).value for r in range(5, 16)
    }
    assert figures["Cumulative deficit brought forward"] == BROUGHT_FORWARD_2024_25
    assert figures["In-year deficit (forecast)"] == IN_YEAR_2024_25
    assert figures["Cumulative deficit carried forward"] == CARRIED_FORWARD_2024_25
    assert figures["DfE payments outstanding"] == DFE_OUTSTANDING
    # report 3.6, 3.8: the 2024-25 instalment (£6.875m, the example's profile) paused: withheld
    assert (
        figures["DfE payments withheld to date"] == 27_500_000
    )  # report 3.8: the remaining £27.5m held back
    # report 3.14-3.16: a 1% transfer, above 0.5%, needs the Secretary of State
    assert figures["Secretary of State approval (this year's transfer)"] == "Required"


# --------------------------------------------------------------------------
# the reader's refusals
# --------------------------------------------------------------------------
def _edited(blank: Path, tmp_path: Path, edit) -> Path:
    wb = load_workbook(blank)
    edit(wb)
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return out


def test_read_model_round_trip_keeps_cells_as_held(inputs):
    spec = example.example_spec()
    assert inputs.frame("Funding").values.tolist() == spec.funding_rows
    assert inputs.frame("Moves").values.tolist() == spec.moves_rows
    assert inputs.frame("HighNeedsLines").values.tolist() == spec.high_needs_rows
    assert inputs.source == str(COMMITTED_EXAMPLE)


def test_missing_table_is_refused_by_name(blank, tmp_path):
    path = _edited(blank, tmp_path, lambda wb: wb["Placements"].tables.pop("Moves"))
    with pytest.raises(ModelFileError, match=r"table 'Moves'.*missing"):
        read_model(path)


def test_missing_column_is_refused_naming_table_and_column(blank, tmp_path):
    def rename(wb):
        ws = wb["Placements"]
        ws["C3"] = "Cost"
        ws.tables["Placements"].tableColumns[2].name = "Cost"

    path = _edited(blank, tmp_path, rename)
    with pytest.raises(ModelFileError) as err:
        read_model(path)
    assert "table 'Placements'" in str(err.value) and "no column 'Cost per place'" in str(err.value)


def test_formula_in_an_input_cell_is_refused_naming_where(blank, tmp_path):
    def formula(wb):
        wb["Inputs"]["B21"] = "=1+1"

    path = _edited(blank, tmp_path, formula)
    sheet, ref, header = tables_of(path)["Funding"]
    assert sheet == "Inputs" and ref.startswith("A19:")
    with pytest.raises(ModelFileError) as err:
        read_model(path)
    message = str(err.value)
    for needle in (
        "table 'Funding'",
        "sheet 'Inputs'",
        "row 2",
        "column 'High Needs Block income'",
        "B21",
        "'=1+1'",
    ):
        assert needle in message, needle


def test_not_a_workbook_is_refused(tmp_path):
    text = tmp_path / "model.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(ModelFileError, match="not an Excel .xlsx workbook"):
        read_model(text)
    with pytest.raises(ModelFileError, match="file not found"):
        read_model(tmp_path / "missing.xlsx")


# --------------------------------------------------------------------------
# dsg new-model and dsg build-example
# --------------------------------------------------------------------------
def test_new_model_writes_a_valid_blank_model_and_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "Testshire model.xlsx"
    assert (
        dsg(
            [
                "new-model",
                str(path),
                "--la",
                "Testshire",
                "--la-code",
                "999",
                "--first-year",
                "2025-26",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(path)
    model = read_model(path)
    assert sorted(model.tables) == sorted(TABLE_NAMES + OPTIONAL_TABLES)
    assert model.frame("Funding")["Year"].iloc[0] == "2025-26"
    before = path.read_bytes()
    assert dsg(["new-model", str(path)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and str(path) in err
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file left


def test_new_model_officejs_and_bad_arguments(tmp_path, capsys):
    path = tmp_path / "officejs.xlsx"
    assert dsg(["new-model", str(path), "--officejs", "--namespace", "DSG"]) == 0
    assert (
        load_workbook(path)["Calculations"]["A6"].value.text
        == "=DSG.PLACEMENT_COST_TABLE(Placements[#All])"
    )
    bad = tmp_path / "bad.xlsx"
    assert dsg(["new-model", str(bad), "--la-code", "87", "--first-year", "2024-26"]) == 2
    err = capsys.readouterr().err
    assert "--la-code" in err and "--first-year" in err
    assert not bad.exists()


def test_build_example_writes_where_asked(tmp_path, capsys):
    out = tmp_path / "example.xlsx"
    assert dsg(["build-example", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(out)
    assert cell_snapshot(out) == cell_snapshot(COMMITTED_EXAMPLE)


def test_refreshing_a_blank_model_is_refused_naming_what_to_fill_in(blank, tmp_path, capsys):
    """A blank model is refused in one pass, one line per thing to fill in, not hundreds of cells."""
    out = tmp_path / "returns"
    assert dsg(["refresh", str(blank), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert not out.exists()
    lines = err.strip().splitlines()
    assert lines[-1] == "Nothing was written."
    # the Settings the council must type are named with the tables' empty columns, all at once
    assert "table Settings row 3 'Return period', column 'Value': is blank" in err
    assert "'Period end date'" in err and "'Opening cumulative deficit'" in err
    assert (
        "table Funding rows 1 to 5, columns 'High Needs Block income', 'Schools block', 'Transfer rate', "
        "'Other high needs spend', 'Other blocks in-year deficit', 'Council contribution', "
        "'Other contributions': blank in every row"
    ) in err
    assert (
        "table HighNeedsLines rows 1 to 13, columns 'Budget', 'Forecast outturn': blank in every row"
        in err
    )
    assert "sheet '" in err
    assert len(lines) <= 15  # one problem a line


def test_about_explains_line_1_0_2_on_each_income_basis():
    """Section 251 line 1.0.2 must be on the basis of the income: the About sheet says what it
    holds after deductions and before them (ESFA hnb_after_deductions / hnb_before_deductions)."""
    ws = load_workbook(COMMITTED_EXAMPLE)["About"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "High Needs Block basis" in text and "line 1.0.2" in text
    assert "'after deductions'" in text and "'before deductions'" in text
    settings = {r[0]: r[1] for r in read_model(COMMITTED_EXAMPLE).table("Settings")[1:]}
    assert settings["High Needs Block basis"] == "after deductions"
