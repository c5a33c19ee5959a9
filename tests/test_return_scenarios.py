"""The return's Mitigations and Scenarios sheets (RETURN.md, "Sheets that come with later work").

The Scenarios sheet is one run of the scenario engine, the run ``dsg
scenarios`` prints: the two are compared to the penny on the Cambridgeshire
example, the return showing every position negative for a deficit (RETURN.md,
"One sign rule") where the command shows the deficit positive. With every
spread 0, every scenario is the risk-adjusted plan, so P10 = P50 = P90 =
Risk-adjusted; the Mitigated view is the plan, so it is the Financial
summary's carried forward. The write-off columns follow METHOD.md,
DEFICIT_WRITE_OFF, recomputed here by hand.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.refresh import run_refresh
from models import monitoring as m
from models import return_figures as rf
from models.errors import InputError
from models.model import Source
from models.parse import parse_model
from models.scenarios import Spreads
from tests import broken_returns
from tests.conftest import PENNY
from tests.test_return import EXAMPLE, _n, example_inputs, read_block
from tests.test_safe_text import assert_text_not_formula
from workbooks import return_spec as spec
from workbooks.model_reader import read_model
from workbooks.return_template import TEMPLATE_PATH, build_workbook
from workbooks.return_writer import write_return

HOSTILE_WORKSTREAM = '=HYPERLINK("http://x","y")'


def write(fig: m.MonitoringReturn, folder: Path) -> Path:
    return write_return(fig, TEMPLATE_PATH, folder, broken_returns.AUDIT).path


def scenarios_sheet(path: Path) -> dict[str, dict[str, object]]:
    """{year: {column: value}} of the Scenarios sheet, found by its labels."""
    ws = openpyxl.load_workbook(path, data_only=True)[spec.SCENARIOS]
    block = read_block(ws, "Year")
    years = {label for label, _ in block if re.fullmatch(r"\d{4}-\d{2}", label)}
    return {y: {col: v for (label, col), v in block.items() if label == y} for y in years}


def mitigation_rows(path: Path) -> list[list[object]]:
    """The Mitigations sheet's rows under its header, in order, to the Total row."""
    ws = openpyxl.load_workbook(path)[spec.MITIGATIONS]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Workstream")
    assert [ws.cell(header, c).value for c in range(1, 8)] == list(m.MITIGATION_COLUMNS)
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        row = [ws.cell(r, c).value for c in range(1, 8)]
        rows.append(row)
        if row[0] == m.MITIGATIONS_TOTAL:
            return rows
    raise AssertionError("no Total row")


# --- the example: the return and dsg scenarios agree -------------------------------------------


@pytest.fixture(scope="module")
def example_return(tmp_path_factory) -> Path:
    return run_refresh(read_model(EXAMPLE), out_dir=tmp_path_factory.mktemp("example")).path


def test_the_returns_scenarios_are_dsg_scenarios_negated_to_the_penny(example_return, capsys):
    """Same model, 10,000 scenarios, seed 1: the command's table (deficit positive) is the
    return's Scenarios sheet with the sign turned, every year and every column."""
    assert main(["scenarios", "--format", "csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header, body = lines[0], lines[1:]
    sheet = scenarios_sheet(example_return)
    assert sorted(sheet) == [row[0] for row in body]
    for row in body:
        got = sheet[row[0]]
        for name, text in zip(header[1:], row[1:], strict=True):
            want = None if text == "" else float(text)
            value = got[_n(name)]
            if want is None:
                assert value is None, (row[0], name)
            elif name == m.P_ON_TRACK:
                assert value == pytest.approx(want, abs=1e-12), (row[0], name)
            else:
                assert value is not None and abs(value + want) <= PENNY, (row[0], name, value, want)


def test_the_mitigated_view_is_the_financial_summarys_carried_forward(example_return):
    """Committee report: GBP 51.745m carried forward from 2024-25, shown (51,745,000) on both."""
    wb = openpyxl.load_workbook(example_return)
    fs = read_block(wb[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    sheet = scenarios_sheet(example_return)
    for year, row in sheet.items():
        assert row[_n(m.MITIGATED)] == fs[(_n(m.CUMULATIVE), year)], year
    assert sheet["2024-25"][_n(m.MITIGATED)] == -51_745_000


def test_the_example_records_the_run_in_the_audit_block(example_return, tmp_path):
    ws = openpyxl.load_workbook(example_return)[spec.CHECKS]
    audit = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert audit[spec.AUDIT_SCENARIOS] == m.SCENARIOS == 10_000
    assert audit[spec.AUDIT_SEED] == m.SEED == 1
    # another seed: recorded, and another draw (the deterministic views stay)
    assert main(["refresh", "--seed", "7", "--n", "500", "--out", str(tmp_path)]) == 0
    other = next(tmp_path.glob("*.xlsx"))
    ws = openpyxl.load_workbook(other)[spec.CHECKS]
    audit = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert (audit[spec.AUDIT_SCENARIOS], audit[spec.AUDIT_SEED]) == (500, 7)
    a, b = scenarios_sheet(example_return), scenarios_sheet(other)
    assert a["2027-28"][_n(m.MITIGATED)] == b["2027-28"][_n(m.MITIGATED)]
    assert a["2027-28"]["p50"] != b["2027-28"]["p50"]


def test_dsg_refresh_refuses_a_bad_run_naming_the_option(tmp_path, capsys):
    assert main(["refresh", "--n", "0", "--seed", "-1", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--n: 0: give 1 to 1,000,000 scenarios" in err and "--seed: -1" in err
    assert not list(tmp_path.iterdir())


# --- the sign rule, the views, the write-off ---------------------------------------------------


def test_every_position_is_negative_for_a_deficit_and_p90_is_the_lowest():
    model = broken_returns.example_model()
    run = m.scenario_run(model, n=2_000)
    positive = m.scenario_figures(model, run).rows()
    shown = m.scenarios_table(model, run)
    assert list(shown.columns) == positive[0]
    for want, got in zip(positive[1:], shown.cells, strict=True):
        for name, w, g in zip(positive[0], want, got, strict=True):
            if name in ("Year", m.P_ON_TRACK) or w is None:
                assert g == w, name
            else:
                assert g == 0.0 - w, name
        row = dict(zip(shown.columns, got, strict=True))
        assert row["P90"] <= row["P50"] <= row["P10"] < 0
    # the agreement's profile: minus the Agreement's agreed cumulative deficit
    agreed = dict(zip(model.agreement.years, model.agreement.agreed_deficit, strict=True))
    for row in shown.cells:
        assert row[shown.columns.index(m.AGREED)] == 0.0 - agreed[row[0]]


def test_with_every_spread_0_the_percentiles_are_the_deterministic_plan(tmp_path):
    """Spreads.zero(): every scenario is the plan, each saving delivered as planned: the
    percentiles are the Mitigated column, the Financial summary's carried forward."""
    model = broken_returns.example_model()
    fig = m.return_of(model, spreads=Spreads.zero())
    sheet = scenarios_sheet(write(fig, tmp_path))
    for year, deficit in zip(model.years, rf.cumulative_deficit(model), strict=True):
        row = sheet[year]
        assert row["p10"] == row["p50"] == row["p90"] == row["mitigated"], year
        assert abs(row["p50"] + deficit) <= PENNY, year


def test_with_every_spread_0_and_savings_at_confidence_the_percentiles_are_risk_adjusted(
    tmp_path,
):
    """Every spread 0, each saving delivered at its confidence: the risk-adjusted plan."""
    model = broken_returns.example_model()
    fig = m.return_of(model, spreads=dataclasses.replace(Spreads.zero(), delivery=None))
    sheet = scenarios_sheet(write(fig, tmp_path))
    mitigated = dict(zip(model.years, rf.cumulative_deficit(model), strict=True))
    short = {y: 0.0 for y in model.years}
    mit = broken_returns.EXAMPLE_MITIGATIONS
    for y, planned, confidence in zip(mit.year, mit.planned, mit.confidence, strict=True):
        short[y] += planned * (1 - confidence)
    running = 0.0
    for year in model.years:
        running += short[year]
        row = sheet[year]
        assert row["p10"] == row["p50"] == row["p90"] == row[_n(m.RISK_ADJUSTED)], year
        assert abs(row["p50"] + mitigated[year] + running) <= PENNY, year
    # the savings in the example are planned, so the unmitigated plan is worse by all of them
    last = model.years[-1]
    assert abs(sheet[last][_n(m.UNMITIGATED)] + mitigated[last] + sum(mit.planned)) <= PENNY


def test_the_write_off_columns_are_there_only_when_the_model_sets_a_write_off(tmp_path):
    """METHOD.md, DEFICIT_WRITE_OFF, by hand: W = 90% of the deficit at the end of 2025-26,
    taken off from 2026-27; what is left at the end of the override (2026-27 here) falls on
    the council. Both shown negative for a deficit."""
    model = broken_returns.example_model()
    path = write(m.return_of(model, scenarios=200), tmp_path / "with")
    ws = openpyxl.load_workbook(path)[spec.SCENARIOS]
    headers = [ws.cell(3, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:11] == [*m.SCENARIO_COLUMNS, *m.WRITE_OFF_COLUMNS]
    deficit = dict(zip(model.years, rf.cumulative_deficit(model), strict=True))
    w = 0.9 * max(deficit["2025-26"], 0)
    sheet = scenarios_sheet(path)
    for year in model.years:
        after = deficit[year] - (w if year >= "2026-27" else 0)
        falls = max(after, 0) if year >= "2026-27" else 0
        assert abs(sheet[year][_n(m.AFTER_WRITE_OFF)] + after) <= PENNY, year
        assert abs(sheet[year][_n(m.FALLS_ON_COUNCIL)] + falls) <= PENNY, year
    assert sheet["2026-27"][_n(m.FALLS_ON_COUNCIL)] < 0  # a deficit falls on the council

    without = broken_returns.example_model(write_off_year=None)
    path = write(m.return_of(without, scenarios=200), tmp_path / "without")
    ws = openpyxl.load_workbook(path)[spec.SCENARIOS]
    headers = {ws.cell(3, c).value for c in range(1, ws.max_column + 1)}
    assert not headers & set(m.WRITE_OFF_COLUMNS)
    assert m.scenario_figures(without, m.scenario_run(without, n=10)).header == list(
        m.SCENARIO_COLUMNS
    )


def test_a_write_off_year_outside_the_funding_years_is_refused_naming_the_setting():
    model = broken_returns.example_model()
    bad = dataclasses.replace(
        model, settings=dataclasses.replace(model.settings, write_off_year="2023-24")
    )
    with pytest.raises(InputError, match="Settings row 'Write-off year': 2023-24 needs 2022-23"):
        m.return_of(bad, scenarios=10)


# --- the Mitigations sheet and Notes -------------------------------------------------------------


def test_the_mitigations_sheet_lists_each_workstream_year_then_the_total(tmp_path):
    mit = broken_returns.EXAMPLE_MITIGATIONS
    rows = mitigation_rows(write(broken_returns.example_figures(), tmp_path))
    assert len(rows) == len(mit) + 1
    for row, k in zip(rows, range(len(mit)), strict=False):
        planned, delivered = float(mit.planned[k]), float(mit.delivered[k])
        assert row[:2] == [mit.workstream[k], mit.year[k]]
        assert row[2:4] == [planned, delivered]
        assert row[4] == pytest.approx(delivered - planned, abs=PENNY)
        assert row[5:] == [float(mit.confidence[k]), mit.rag[k]]
    # Enhanced resource base places, 2024-25: 450,000.25 delivered of 1,200,000 planned
    assert rows[0][4] == -749_999.75
    total = rows[-1]
    assert total[0] == m.MITIGATIONS_TOTAL and total[1] is None and total[5:] == [None, None]
    assert total[2] == 5_500_000.5 and total[3] == 450_000.25
    assert total[4] == pytest.approx(450_000.25 - 5_500_000.5, abs=PENNY)


def test_each_mitigation_is_a_plan_figure_on_the_notes_sheet(tmp_path):
    model = broken_returns.example_model()
    notes = m.notes_table(model)
    listed = [row for row in notes.cells if row[0] == spec.MITIGATIONS]
    assert [row[1] for row in listed] == [
        "Enhanced resource base places, 2024-25: planned saving £1,200,000, confidence 80%",
        "Enhanced resource base places, 2025-26: planned saving £2,000,000, confidence 70%",
        "Special school places, 2025-26: planned saving £1,500,001, confidence 60%",
        "Inclusion in mainstream schools, 2026-27: planned saving £800,000, confidence 50%",
    ]
    assert {row[2] for row in listed} == {m.MITIGATION_STATUS}
    # a Sources row for the workstream gives its status and source, and is not listed twice
    source = Source(
        "Special school places", "", "Committee report, paragraph 4.2", "Assumption", "Mitigations"
    )
    with_source = dataclasses.replace(model, sources=(*model.sources, source))
    listed = [r for r in m.notes_table(with_source).cells if r[0] == spec.MITIGATIONS]
    assert len(listed) == len(broken_returns.EXAMPLE_MITIGATIONS)
    assert list(listed[2][2:]) == ["Assumption", "Committee report, paragraph 4.2"]
    ws = openpyxl.load_workbook(write(m.return_of(with_source, scenarios=50), tmp_path))[spec.NOTES]
    written = [[ws.cell(r, c).value for c in range(1, 5)] for r in range(4, ws.max_row + 1)]
    assert [r for r in written if r[0] == spec.MITIGATIONS] == [list(r) for r in listed]


def hostile_mitigations() -> m.MonitoringReturn:
    """The small example with a workstream whose name is a formula."""
    model = broken_returns.example_model()
    mit = broken_returns.EXAMPLE_MITIGATIONS
    hostile = dataclasses.replace(mit, workstream=(HOSTILE_WORKSTREAM, *mit.workstream[1:]))
    return m.return_of(dataclasses.replace(model, mitigations=hostile), scenarios=100)


def test_a_workstream_named_as_a_formula_is_written_as_text(tmp_path):
    written = write_return(hostile_mitigations(), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
    assert_text_not_formula(written.path, [HOSTILE_WORKSTREAM])
    assert mitigation_rows(written.path)[0][0] == HOSTILE_WORKSTREAM
    assert all(c.passed for c in written.checks)


# --- the fan chart ----------------------------------------------------------------------------


def chart_refs(path: Path) -> dict[str, list[tuple[str, str]]]:
    """{'area' | 'line': [(series name reference, values reference)]} of the only chart."""
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert len(charts) == 1, charts
        xml = z.read(charts[0]).decode()
    out = {}
    for kind in ("area", "line"):
        part = re.search(rf"<(?:c:)?{kind}Chart>(.*?)</(?:c:)?{kind}Chart>", xml, re.S)
        assert part, kind
        out[kind] = [
            (
                re.search(r"<(?:c:)?tx>.*?<(?:c:)?f>([^<]+)</", ser, re.S).group(1),
                re.search(r"<(?:c:)?val>.*?<(?:c:)?f>([^<]+)</", ser, re.S).group(1),
            )
            for ser in re.findall(r"<(?:c:)?ser>(.*?)</(?:c:)?ser>", part.group(1), re.S)
        ]
    out["axes deleted"] = re.findall(r'<(?:c:)?delete val="(\d)"', xml)
    return out


def test_the_fan_chart_reads_the_band_the_p50_and_the_agreed_profile(example_return):
    """Years in rows 4-8 (five Funding years); P90 (G) the band's lower edge, the band
    (after the nine columns and any write-off columns) shaded over it, the P50 (F) and
    Agreed (H) as lines; each series named by its header."""
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(example_return)
    ws = wb[spec.SCENARIOS]
    headers = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    assert [headers[h] for h in ("P10", "P50", "P90", m.AGREED)] == [5, 6, 7, 8]
    band = get_column_letter(headers[spec.BAND])
    assert headers[spec.BAND] > len(m.SCENARIO_COLUMNS)
    refs = chart_refs(example_return)
    assert refs["area"] == [
        ("'Scenarios'!$G$3", "'Scenarios'!$G$4:$G$8"),
        (f"'Scenarios'!${band}$3", f"'Scenarios'!${band}$4:${band}$8"),
    ]
    assert refs["line"] == [
        ("'Scenarios'!$F$3", "'Scenarios'!$F$4:$F$8"),
        ("'Scenarios'!$H$3", "'Scenarios'!$H$4:$H$8"),
    ]
    assert refs["axes deleted"] and set(refs["axes deleted"]) == {"0"}
    # the band stacked on P90 reaches P10, to the penny
    for r in range(4, 9):
        top = ws.cell(r, 7).value + ws.cell(r, headers[spec.BAND]).value
        assert abs(top - ws.cell(r, 5).value) <= PENNY
    # the note in rows 10-14 (the write-off and reserves lines last), the chart from row 16
    # and 23 rows tall: it prints with the table
    assert str(ws.cell(13, 1).value).startswith("Falls on the council at the end")
    assert str(ws.cell(14, 1).value).startswith("Usable reserves £30,000,000: what falls")
    assert ws._charts[0].anchor._from.row == 15  # 0-based: row 16
    assert ws.print_area.endswith("$39")


def test_a_template_without_the_later_sheets_gets_them_after_checks(tmp_path):
    """RETURN.md: a template without Mitigations and Scenarios (and their check rows) is
    complete; the return gains both sheets after Checks, filled, and every check passes."""
    wb = build_workbook()
    del wb[spec.MITIGATIONS], wb[spec.SCENARIOS]
    checks = wb[spec.CHECKS]
    for r in range(4, checks.max_row + 1):
        if checks.cell(r, 1).value in spec.LATER_CHECKS:
            checks.cell(r, 1).value = None
    wb.save(tmp_path / "older.xlsx")
    written = write_return(
        broken_returns.example_figures(), tmp_path / "older.xlsx", tmp_path, broken_returns.AUDIT
    )
    assert {c.check: c.result for c in written.checks} == dict.fromkeys(
        spec.CHECK_LABELS, spec.PASS
    )
    out = openpyxl.load_workbook(written.path)
    at = out.sheetnames.index(spec.CHECKS)
    assert out.sheetnames[at + 1 : at + 3] == [spec.MITIGATIONS, spec.SCENARIOS]
    assert len(mitigation_rows(written.path)) == len(broken_returns.EXAMPLE_MITIGATIONS) + 1
    assert sorted(scenarios_sheet(written.path)) == list(parse_model(example_inputs()).years)
    labels = [out[spec.CHECKS].cell(r, 1).value for r in range(4, 16)]
    assert set(spec.LATER_CHECKS) <= set(labels)


def test_a_long_workstream_gets_a_row_tall_enough_for_its_wrapped_name(tmp_path):
    """Neither Excel nor LibreOffice grows a row for wrapped text: the writer sets the height."""
    model = broken_returns.example_model()
    mit = broken_returns.EXAMPLE_MITIGATIONS
    long = "Enhanced Resource Base (ERB) places instead of out of county placements"  # 72
    mitigations = dataclasses.replace(mit, workstream=(long, *mit.workstream[1:]))
    fig = m.return_of(dataclasses.replace(model, mitigations=mitigations), scenarios=50)
    ws = openpyxl.load_workbook(write(fig, tmp_path))[spec.MITIGATIONS]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    assert ws.row_dimensions[rows[long]].height == 30  # two lines in column A (44 wide)
    assert (ws.row_dimensions[rows[mit.workstream[2]]].height or 15) == 15
