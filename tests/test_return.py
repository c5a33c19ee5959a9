"""The DfE monitoring return: template, figures, writer and refusals (RETURN.md).

Figures cited: the committee report (../shared/context/committee-report.txt)
via the example model, 2024-25 Q2: GBP 40.015m brought forward, in-year
deficit GBP 11.730m, GBP 51.745m carried forward, LA code 873.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from addin.refresh import refresh, run_refresh
from models import monitoring as m
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.errors import InputError
from models.inputs import ModelInputs
from models.monitoring import (
    S251_LABELS,
    canonical_inputs,
    inputs_sha256,
    monitoring_return,
)
from models.validation import rows_of
from tests.conftest import PENNY, SHARED
from workbooks import publish
from workbooks import return_spec as spec
from workbooks.model_reader import read_model
from workbooks.return_template import TEMPLATE_PATH, build_template, build_workbook
from workbooks.return_writer import OutputError, TemplateError, norm, return_name

EXAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "examples" / "cambridgeshire.xlsx"


# --- inputs -------------------------------------------------------------------------------


def _df(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


def example_inputs() -> ModelInputs:
    """A small model in pounds and pence, shaped like the Cambridgeshire example.

    2024-25 (the current year) reproduces the report: 40,015,000 brought
    forward, spend 126,530,000 against income 110,000,000 and a 1% transfer
    of 4,800,000 (Schools block 480m): in-year deficit 11,730,000, nothing
    contributed, 51,745,000 carried forward.
    """
    lines = [[label, 9_000_000.0, 9_733_076.92] for label in S251_LABELS]
    lines[3][2] = round(126_530_000 - 12 * 9_733_076.92, 2)
    return ModelInputs(
        {
            "Settings": _df(
                [
                    ["Setting", "Value"],
                    ["Local authority", "Cambridgeshire"],
                    ["LA code", 873],
                    ["Return period", "2024-25 Q2"],
                    ["Period end date", dt.datetime(2024, 9, 30)],
                    ["Prepared by", "Finance officer"],
                    ["Opening cumulative deficit", 42_015_000],
                ]
            ),
            "Funding": _df(
                [
                    [
                        "Year",
                        "High Needs Block income",
                        "Schools block",
                        "Transfer rate",
                        "Other high needs spend",
                        "Other blocks in-year deficit",
                        "Council contribution",
                        "Other contributions",
                    ],
                    ["2023-24", 100e6, 450e6, 0.01, 52e6, 0, 4e6, 0],
                    ["2024-25", 110e6, 480e6, 0.01, 0, 0, 0, 0],
                    ["2025-26", 118e6, 500e6, 0, 55e6, 250_000.5, 5e6, 1_000],
                    ["2026-27", 125e6, 510e6, 0, 56e6, 0, 0, 0],
                ]
            ),
            "Placements": _df(
                [
                    ["Placement", "Count", "Cost per place", "Growth", "Inflation"],
                    ["Mainstream", 2000, 10000, 0.05, 0.03],
                    ["Special", 1000, 25000, 0.06, 0.03],
                    ["Independent", 300, 60000, 0.08, 0.04],
                ]
            ),
            "Moves": _df(
                [
                    ["Placement", "Year", "Change"],
                    ["Special", "2025-26", 30],
                    ["Independent", "2025-26", -30],
                ]
            ),
            "Agreement": _df(
                [
                    [
                        "Year",
                        "DfE payment due",
                        "DfE payment received",
                        "Council contribution",
                        "Agreed cumulative deficit",
                        "DfE payment expected",
                    ],
                    ["2022-23", 13e6, 13e6, 2e6, 25e6, 13e6],
                    ["2023-24", 8.5e6, 8.5e6, 4e6, 30e6, 8.5e6],
                    ["2024-25", 9e6, 0, 0, 20e6, 0],  # withheld (paused), not expected this year
                    ["2025-26", 9.5e6, 0, 3e6, 10e6, 9.5e6],
                    ["2026-27", 9e6, 0, 0, 0, 9e6],
                ]
            ),
            "HighNeedsLines": _df([["Line", "Budget", "Forecast outturn"], *lines]),
            "EHCPHistory": _df(
                [
                    ["Category", "2022", "2023", "2024"],
                    *[
                        [c, 500 + 10 * i, 560 + 10 * i, 600 + 10 * i]
                        for i, c in enumerate(PLACEMENT_CATEGORIES)
                    ],
                ]
            ),
            "EHCPPeriod": _df(
                [
                    ["Category", "Actual", "Plan"],
                    *[[c, 650 + 10 * i, 640 + 12 * i] for i, c in enumerate(PLACEMENT_CATEGORIES)],
                ]
            ),
            "EHCPByAge": _df(
                [
                    ["Age group", "Actual"],
                    *[[a, v] for a, v in zip(AGE_GROUPS, [300, 1500, 1600, 900, 460], strict=True)],
                ]
            ),
            "Conditions": _df(
                [
                    ["Condition", "RAG", "Commentary"],
                    ["Reach an in-year balance by 2026-27", "red", "Behind plan"],
                    ["Open enhanced resource bases", "Amber", "Two of four open"],
                ]
            ),
        },
        source="test model",
    )


def with_table(inputs: ModelInputs, name: str, frame: pd.DataFrame | None) -> ModelInputs:
    tables = dict(inputs.tables)
    if frame is None:
        del tables[name]
    else:
        tables[name] = frame
    return ModelInputs(tables, inputs.source)


# --- reading a return back by its labels (independently of the writer) ---------------------


def _n(v) -> str:
    return re.sub(r"\s+", " ", str(v)).strip().casefold() if v is not None else ""


def read_block(ws, label_header: str | None) -> dict[tuple[str, str], object]:
    """{(row label, column header): value} of the block headed ``label_header`` (None: Cover)."""
    out = {}
    if label_header is None:
        for r in range(1, ws.max_row + 1):
            if ws.cell(r, 1).value is not None:
                out[(_n(ws.cell(r, 1).value), "value")] = ws.cell(r, 2).value
        return out
    hr = hc = None
    for row in ws.iter_rows():
        for c in row:
            if _n(c.value) == _n(label_header):
                hr, hc = c.row, c.column
                break
        if hr:
            break
    assert hr, f"{ws.title}: no header {label_header}"
    headers = {
        c: _n(ws.cell(hr, c).value) for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value
    }
    for r in range(hr + 1, ws.max_row + 1):
        label = ws.cell(r, hc).value
        if label is None:
            continue
        for c, h in headers.items():
            out.setdefault((_n(label), h), ws.cell(r, c).value)
    return out


def assert_matches(fig, path: Path) -> None:
    """Every figure of ``fig`` is in the return at ``path``, found by label (money to the penny)."""
    wb = openpyxl.load_workbook(path)

    def same(got, want, where):
        if isinstance(want, float):
            assert got is not None and abs(got - want) <= PENNY, (where, got, want)
        elif isinstance(want, dt.date):
            assert got.date() == want, (where, got, want)
        elif want is None:
            assert got is None, (where, got)
        else:
            assert str(got) == str(want), (where, got, want)

    cover = read_block(wb[spec.COVER], None)
    for label, want in fig.cover.items():
        same(cover[(_n(label), "value")], want, ("Cover", label))
    for sheet, frame, header in (
        (spec.FINANCIAL_SUMMARY, fig.financial_summary, spec.MEASURE),
        (spec.HIGH_NEEDS, fig.high_needs, "Line"),
        (spec.EHCP, fig.ehcp, "Category"),
    ):
        block = read_block(wb[sheet], header)
        for label in frame.index:
            for col in frame.columns:
                want = frame.loc[label, col]
                key = (_n(label), _n(col))
                if key not in block:  # a Section 251 row matched by its code
                    key = next(
                        k
                        for k in block
                        if k[1] == _n(col) and k[0].split(" ")[0] == _n(label).split(" ")[0]
                    )
                same(block[key], want, (sheet, label, col))
    for sheet, frame, header in (
        (spec.BLOCK_MOVEMENTS, fig.block_movements, "Year"),
        (spec.SAFETY_VALVE, fig.safety_valve, "Year"),
        (spec.SAFETY_VALVE, fig.conditions, "Condition"),
        (spec.SCENARIOS, fig.scenarios, "Year"),
    ):
        block = read_block(wb[sheet], header)
        for row in frame.itertuples(index=False):
            for col, want in zip(frame.columns[1:], row[1:], strict=True):
                same(block[(_n(row[0]), _n(col))], want, (sheet, row[0], col))


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the template ---------------------------------------------------------------------------


def test_committed_template_is_what_the_builder_builds(tmp_path):
    built = build_template(tmp_path / "built.xlsx")
    a, b = openpyxl.load_workbook(TEMPLATE_PATH), openpyxl.load_workbook(built)
    assert a.sheetnames == b.sheetnames == list(spec.SHEETS)
    for ws in a.worksheets:
        other = b[ws.title]
        assert (ws.max_row, ws.max_column) == (other.max_row, other.max_column), ws.title
        for row in ws.iter_rows():
            for c in row:
                o = other[c.coordinate]
                assert (c.value, c.number_format) == (o.value, o.number_format), (
                    ws.title,
                    c.coordinate,
                )
        assert ws.freeze_panes == other.freeze_panes


def test_template_spells_the_labels_of_return_md():
    text = (SHARED / "spec" / "RETURN.md").read_text()
    quoted = {norm(q) for q in re.findall(r"`([^`]+)`", re.sub(r"\s*\n\s*", " ", text))}
    later = re.findall(r"^#### (.+)$", text, flags=re.M)  # sheets that come with later work
    assert spec.NOTES in later
    assert re.findall(r"^### (.+)$", text, flags=re.M) + [
        s for s in later if s in spec.SHEETS
    ] == list(spec.SHEETS)
    labels = [
        *spec.COVER_ROWS,
        *spec.FINANCIAL_SUMMARY_ROWS,
        *spec.S251_LABELS,
        spec.TOTAL_HIGH_NEEDS,
        *spec.HIGH_NEEDS_COLUMNS,
        *spec.EHCP_ROWS,
        *spec.BLOCK_MOVEMENT_COLUMNS,
        *spec.SAFETY_VALVE_COLUMNS,
        *spec.CONDITION_COLUMNS,
        *spec.CHECK_COLUMNS,
        *spec.NOTE_COLUMNS,
        *spec.MITIGATION_COLUMNS,
        m.MITIGATIONS_TOTAL,
        *spec.SCENARIO_COLUMNS,
        *spec.WRITE_OFF_COLUMNS,
        spec.PERIOD_ACTUAL,
        spec.PERIOD_PLAN,
    ]
    missing = [label for label in labels if norm(label) not in quoted]
    assert missing == []
    wb = build_workbook()
    for block in spec.BLOCKS:
        ws = wb[block.sheet]
        texts = {norm(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        assert {norm(x) for x in (*block.rows, *block.columns)} <= texts, block.sheet


def test_template_formats_money_percent_and_rag():
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    assert "#,##0" in wb[spec.FINANCIAL_SUMMARY]["B4"].number_format
    assert "(" in wb[spec.HIGH_NEEDS]["B4"].number_format
    assert "%" in wb[spec.HIGH_NEEDS]["E4"].number_format
    assert wb[spec.FINANCIAL_SUMMARY].freeze_panes == "B4"
    rules = [r.formula for cf in wb[spec.SAFETY_VALVE].conditional_formatting for r in cf.rules]
    assert ['"Green"'] in rules and ['"Red"'] in rules
    assert wb[spec.SAFETY_VALVE].data_validations.dataValidation


# --- the figures and the written return --------------------------------------------------------


def test_example_return_shows_the_reports_figures(tmp_path):
    """Committee report: 2024-25 in-year deficit GBP 11.730m, GBP 51.745m carried forward; LA 873."""
    path = refresh(read_model(EXAMPLE), out_dir=tmp_path)
    assert path.name == "873_2024-25_Q2_DSG_monitoring_return.xlsx"
    wb = openpyxl.load_workbook(path)
    fs = read_block(wb[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    assert fs[(_n("In-year surplus/(deficit)"), "2024-25")] == -11_730_000
    assert fs[(_n("Cumulative surplus/(deficit) carried forward"), "2024-25")] == -51_745_000
    assert str(read_block(wb[spec.COVER], None)[("la code", "value")]) == "873"


def test_example_return_shows_the_withheld_payment_and_the_total_due(tmp_path):
    """Report 3.3, 3.6, 3.8: £49m agreed, £21.5m received, the programme paused in 2024-25.

    The Safety Valve sheet shows the remaining £27.5m held back in 2024-25 (withheld: due
    and not received), and a Total row of £49m due; the Financial summary's DfE line is the
    payment received before 2024-25 and the payment expected from it on, year by year.
    """
    path = refresh(read_model(EXAMPLE), out_dir=tmp_path)
    wb = openpyxl.load_workbook(path)
    sv = read_block(wb[spec.SAFETY_VALVE], "Year")
    fs = read_block(wb[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    assert sv[("total", _n(m.DFE_DUE))] == 49_000_000
    assert sv[("total", _n(m.DFE_RECEIVED))] == 21_500_000
    assert sv[("2024-25", _n(m.DFE_WITHHELD))] == 27_500_000
    assert sv[("total", _n(m.DFE_WITHHELD))] == 27_500_000
    assert sv[("total", _n(m.DFE_DUE))] - sv[("total", _n(m.DFE_RECEIVED))] == 27_500_000
    assert sv[("2025-26", _n(m.DFE_WITHHELD))] is None  # not due yet
    assert sv[("2023-24", _n(m.DFE_EXPECTED))] is None  # closed: received
    dfe = _n(m.DFE_CONTRIBUTION)
    assert fs[(dfe, "2023-24")] == sv[("2023-24", _n(m.DFE_RECEIVED))]
    for y in ("2024-25", "2025-26", "2026-27", "2027-28"):
        assert fs[(dfe, y)] == sv[(y, _n(m.DFE_EXPECTED))], y
    assert (
        sum(fs[(dfe, y)] for y in ("2023-24", "2024-25", "2025-26", "2026-27", "2027-28")) == 49e6
    )


def test_return_read_back_by_labels_equals_the_models_figures(tmp_path):
    inputs = example_inputs()
    fig = monitoring_return(inputs)
    written = run_refresh(inputs, out_dir=tmp_path)
    assert_matches(fig, written.path)
    assert all(c.passed for c in written.checks), written.checks
    fs = fig.financial_summary
    assert fs.loc["In-year surplus/(deficit)", "2024-25"] == pytest.approx(-11_730_000, abs=PENNY)
    assert fs.loc["Cumulative surplus/(deficit) carried forward", "2024-25"] == pytest.approx(
        -51_745_000, abs=PENNY
    )
    # the DfE instalment received counts before the current year, the one expected from it on:
    # 2024-25's £9m is withheld and not expected this year
    assert fs.loc["DfE Safety Valve contribution", "2023-24"] == 8.5e6
    assert fs.loc["DfE Safety Valve contribution", "2024-25"] == 0
    assert fs.loc["DfE Safety Valve contribution", "2025-26"] == 9.5e6
    assert fig.safety_valve.set_index("Year").loc["2024-25", m.DFE_WITHHELD] == 9e6
    assert fig.conditions["RAG"].tolist() == ["Red", "Amber"]


def test_example_return_read_back_equals_the_models_figures(tmp_path):
    inputs = read_model(EXAMPLE)
    written = run_refresh(inputs, out_dir=tmp_path)
    assert_matches(monitoring_return(inputs), written.path)
    assert all(c.passed for c in written.checks), written.checks


def test_money_is_written_rounded_half_up_to_the_penny(tmp_path):
    inputs = example_inputs()
    path = refresh(inputs, out_dir=tmp_path)
    fs = read_block(openpyxl.load_workbook(path)[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    assert fs[(_n("Other blocks in-year deficit"), "2025-26")] == 250_000.5
    spend = monitoring_return(inputs).financial_summary.loc["High Needs expenditure", "2026-27"]
    got = fs[(_n("High Needs expenditure"), "2026-27")]
    assert got == round(got, 2) and abs(got - spend) <= PENNY


def test_audit_block_records_version_time_and_inputs_hash(tmp_path):
    inputs = example_inputs()
    path = refresh(inputs, out_dir=tmp_path)
    checks = read_block(openpyxl.load_workbook(path)[spec.CHECKS], "Check")
    assert checks[("inputs sha-256", "result")] == inputs_sha256(inputs)
    assert checks[("tool", "result")] == "dsg-high-needs"
    assert re.match(r"\d+\.\d+", checks[("tool version", "result")])
    assert dt.datetime.fromisoformat(checks[("refreshed at", "result")]).tzinfo is not None


def test_inputs_hash_ignores_how_numbers_and_dates_were_read():
    a = example_inputs()
    tables = dict(a.tables)
    tables["Funding"] = (
        a.tables["Funding"].astype(object).map(lambda v: float(v) if isinstance(v, int) else v)
    )
    settings = a.tables["Settings"].copy()
    settings.loc[0, "Value"] = "Cambridgeshire"
    tables["Settings"] = settings
    assert inputs_sha256(ModelInputs(tables, "other source")) == inputs_sha256(a)
    tables["Funding"] = tables["Funding"].copy()
    tables["Funding"].loc[1, "Schools block"] = 480e6 + 0.01
    assert inputs_sha256(ModelInputs(tables)) != inputs_sha256(a)
    assert canonical_inputs(a).startswith('{"Settings":')


def test_an_existing_return_is_never_overwritten(tmp_path):
    first = refresh(example_inputs(), out_dir=tmp_path)
    before = first.read_bytes()
    second = refresh(example_inputs(), out_dir=tmp_path)
    third = refresh(example_inputs(), out_dir=tmp_path)
    assert second.name == "873_2024-25_Q2_DSG_monitoring_return_v2.xlsx"
    assert third.name == "873_2024-25_Q2_DSG_monitoring_return_v3.xlsx"
    assert first.read_bytes() == before
    assert files(tmp_path) == sorted(
        [first.name, second.name, third.name]
    )  # no temporary file left


def test_return_name_is_safe_for_a_file():
    assert (
        return_name(873, "2024/25 Q2: draft") == "873_2024_25_Q2_draft_DSG_monitoring_return.xlsx"
    )


def test_the_template_is_not_modified(tmp_path):
    before = TEMPLATE_PATH.read_bytes()
    refresh(example_inputs(), out_dir=tmp_path)
    assert TEMPLATE_PATH.read_bytes() == before


# --- a revised template --------------------------------------------------------------------------


def _revised_template(path: Path) -> Path:
    """The template with rows and columns reordered, extra rows, columns, notes, a formula and a sheet."""
    wb = build_workbook()
    fs = wb[spec.FINANCIAL_SUMMARY]
    labels = list(spec.FINANCIAL_SUMMARY_ROWS)
    for i, label in enumerate(reversed(labels)):  # rows reversed, case and spaces changed
        fs.cell(4 + i, 1, f"  {label.upper()} ")
    fs.insert_rows(8)
    fs.cell(8, 1, "Memo: capital (not part of the DSG)")
    fs.insert_cols(2)
    fs.cell(3, 2, "Notes")
    fs.cell(4, 2, "a note beside a label")
    fs.insert_rows(1, 2)  # header moves down to row 5
    fs.cell(1, 1, "Department's revised layout")

    hn = wb[spec.HIGH_NEEDS]
    budget = [hn.cell(r, 2).value for r in range(1, 30)]
    for r in range(3, 30):  # swap Budget and Forecast outturn columns
        hn.cell(r, 2).value, hn.cell(r, 3).value = hn.cell(r, 3).value, budget[r - 1]
    hn.cell(7, 1, "1.2.3")  # a Section 251 row by its code alone
    hn.cell(4, 1, "1.0.2 High needs place funding (ISB)")
    hn.cell(3, 8, "Commentary")
    hn.cell(30, 1, "Formula kept")
    hn.cell(30, 2, "=1+1")

    eh = wb[spec.EHCP]
    eh.insert_cols(1)  # the label column is now B
    eh.cell(3, 1, "Ref")
    eh.cell(3, 6, "January 2022")  # a census column the template already has

    sv = wb[spec.SAFETY_VALVE]
    sv.cell(4, 1, "2024-25")  # a year row the template already has
    sv.cell(2, 9, "note to the right")

    extra = wb.create_sheet("Department notes")
    extra["A1"] = "Kept as it is"
    extra["B2"] = "=SUM(1,2)"
    wb.save(path)
    return path


def test_a_reordered_template_with_extra_rows_and_columns_is_filled_correctly(tmp_path):
    template = _revised_template(tmp_path / "revised.xlsx")
    inputs = example_inputs()
    written = run_refresh(inputs, template, tmp_path / "out")
    assert_matches(monitoring_return(inputs), written.path)
    assert all(c.passed for c in written.checks)
    wb = openpyxl.load_workbook(written.path)
    assert wb["Department notes"]["B2"].value == "=SUM(1,2)"
    assert wb[spec.HIGH_NEEDS]["B30"].value == "=1+1"
    assert wb[spec.HIGH_NEEDS]["A7"].value == "1.2.3"
    fs = wb[spec.FINANCIAL_SUMMARY]
    assert fs.cell(10, 1).value == "Memo: capital (not part of the DSG)"
    assert fs.cell(5, 3).value == "2023-24"  # years fill the blank header cells after 'Notes'
    eh = wb[spec.EHCP]  # A 'Ref', B 'Category', C:N census slots, O actual, P plan, Q Variance
    assert eh["F3"].value == "January 2022" and eh["F4"].value == 500
    assert [eh.cell(3, c).value for c in (6, 7, 8, 15)] == [
        "January 2022",
        "January 2023",
        "January 2024",
        "2024-25 Q2 actual",
    ]  # the census years in order
    assert _hidden(eh) == {"C", "D", "E", *"IJKLMN"}
    sv = read_block(wb[spec.SAFETY_VALVE], "Year")
    assert sv[("2024-25", "agreed cumulative surplus/(deficit)")] == -20e6


def old_layout_template(path: Path, census: tuple[str, ...] = ()) -> Path:
    """The EHCP numbers sheet as earlier templates had it: the census history after Variance."""
    wb = build_workbook()
    eh = wb[spec.EHCP]
    for c in range(2, eh.max_column + 1):
        eh.cell(3, c).value = None
    for c, header in enumerate(
        (spec.PERIOD_ACTUAL, spec.PERIOD_PLAN, spec.VARIANCE, *census), start=2
    ):
        eh.cell(3, c).value = header
    wb.save(path)
    return path


@pytest.mark.parametrize("census", [(), ("January 2023",)])
def test_a_template_with_the_history_after_variance_is_filled_correctly(tmp_path, census):
    template = old_layout_template(tmp_path / "old.xlsx", census)
    inputs = example_inputs()
    written = run_refresh(inputs, template, tmp_path / "out")
    assert_matches(monitoring_return(inputs), written.path)
    assert all(c.passed for c in written.checks)
    eh = openpyxl.load_workbook(written.path)[spec.EHCP]
    headers = [eh.cell(3, c).value for c in range(1, 8)]
    want = [
        "Category",
        "2024-25 Q2 actual",
        "2024-25 Q2 plan",
        "Variance",
        "January 2022",
        "January 2023",
        "January 2024",
    ]
    if (
        census
    ):  # a census the template already has keeps its column; the others fill the blank cells
        want[4:] = ["January 2023", "January 2022", "January 2024"]
    assert headers == want
    assert _hidden(eh) == set()
    assert eh.print_area == "'EHCP numbers'!$A$1:$P$18"  # the note row spans A:P


def test_spare_census_columns_in_one_col_run_are_hidden_one_by_one(tmp_path):
    """Excel saves equal columns as one ``<col min max>`` run: hiding some splits it, never overlaps it."""
    wb = build_workbook()
    eh = wb[spec.EHCP]
    for c in range(3, 14):
        del eh.column_dimensions[get_column_letter(c)]
    eh.column_dimensions["B"].min, eh.column_dimensions["B"].max = 2, 13  # B:M, the census slots
    wb.save(tmp_path / "t.xlsx")
    path = refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    runs = [
        (d.min, d.max) for d in openpyxl.load_workbook(path)[spec.EHCP].column_dimensions.values()
    ]
    runs.sort()
    assert all(runs[i][1] < runs[i + 1][0] for i in range(len(runs) - 1)), runs  # no overlap
    eh = openpyxl.load_workbook(path)[spec.EHCP]
    assert _hidden(eh) == set("EFGHIJKLM")
    assert eh.column_dimensions["B"].width == eh.column_dimensions["E"].width == 13


def test_safety_valve_commentary_spans_the_profile_columns(tmp_path):
    """Conditions wrap in A; each Commentary cell is merged across C:J (to RAG), and rows are as tall as their text."""
    tpl = openpyxl.load_workbook(TEMPLATE_PATH)[spec.SAFETY_VALVE]
    widths = {c: tpl.column_dimensions[c].width for c in "ABCDEFGH"}
    assert widths["A"] <= 48 and widths["C"] <= 20
    header = next(r for r in range(1, 40) if tpl.cell(r, 1).value == "Condition")
    assert tpl.cell(header, 3).value == "Commentary"
    assert f"C{header + 1}:J{header + 1}" in {str(m) for m in tpl.merged_cells.ranges}
    long = ("The council reports each quarter on the recovery plan; " * 3).strip()  # 164 characters
    conditions = pd.DataFrame(
        [
            ["Reach an in-year balance by 2026-27", "Red", long],
            ["Open enhanced resource bases", "Amber", "Two of four open"],
        ],
        columns=["Condition", "RAG", "Commentary"],
    )
    inputs = with_table(example_inputs(), "Conditions", conditions)
    written = run_refresh(inputs, TEMPLATE_PATH, tmp_path / "out")
    assert_matches(monitoring_return(inputs), written.path)
    ws = openpyxl.load_workbook(written.path)[spec.SAFETY_VALVE]
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, header + 4)}
    assert ws.cell(rows["Reach an in-year balance by 2026-27"], 3).value == long
    # C:H is 95 wide: 164 characters take two lines (C alone, 18 wide, would need ten)
    assert ws.row_dimensions[rows["Reach an in-year balance by 2026-27"]].height == 30
    assert (ws.row_dimensions[rows["Open enhanced resource bases"]].height or 15) == 15


def test_the_writer_keeps_formatting_validation_and_notes(tmp_path):
    path = refresh(example_inputs(), out_dir=tmp_path)
    wb, tpl = openpyxl.load_workbook(path), openpyxl.load_workbook(TEMPLATE_PATH)
    for name in spec.SHEETS:
        assert wb[name]["A2"].value == tpl[name]["A2"].value  # the note rows
        assert wb[name].freeze_panes == tpl[name].freeze_panes
    assert wb[spec.HIGH_NEEDS]["B4"].number_format == tpl[spec.HIGH_NEEDS]["B4"].number_format
    assert len(wb[spec.SAFETY_VALVE].data_validations.dataValidation) == len(
        tpl[spec.SAFETY_VALVE].data_validations.dataValidation
    )
    assert len(list(wb[spec.SAFETY_VALVE].conditional_formatting)) == len(
        list(tpl[spec.SAFETY_VALVE].conditional_formatting)
    )


def _hidden(ws) -> set[str]:
    """The letters of the sheet's hidden columns."""
    out = set()
    for letter, dim in ws.column_dimensions.items():
        if dim.hidden:
            first, last = (dim.min, dim.max) if dim.min and dim.max else (None, None)
            out |= {get_column_letter(c) for c in range(first, last + 1)} if first else {letter}
    return out


def test_each_sheet_prints_its_filled_columns_only(tmp_path):
    """The spare year and census columns the template formats are not printed (the page stays legible)."""
    path = refresh(example_inputs(), out_dir=tmp_path)  # four years, three census columns
    wb = openpyxl.load_workbook(path)
    assert (
        wb[spec.FINANCIAL_SUMMARY].print_area == "'Financial summary'!$A$1:$G$16"
    )  # note spans A:G
    # EHCP numbers: Category, twelve census slots, then actual, plan, Variance; the nine spare slots
    # are hidden, so the print shows Category, three censuses, actual, plan, Variance side by side
    eh = wb[spec.EHCP]
    assert eh.print_area == "'EHCP numbers'!$A$1:$P$18"
    assert [eh.cell(3, c).value for c in (1, 2, 3, 4, 14, 15, 16)] == [
        "Category",
        "January 2022",
        "January 2023",
        "January 2024",
        "2024-25 Q2 actual",
        "2024-25 Q2 plan",
        "Variance",
    ]
    assert _hidden(eh) == set("EFGHIJKLM")
    assert wb[spec.COVER].print_area == "'Cover'!$A$1:$B$12"
    assert (
        wb[spec.FINANCIAL_SUMMARY]["B3"].alignment.horizontal == "right"
    )  # a year over its figures


def test_a_print_area_set_by_the_template_is_kept(tmp_path):
    wb = build_workbook()
    wb[spec.FINANCIAL_SUMMARY].print_area = "A1:M20"
    wb.save(tmp_path / "t.xlsx")
    path = refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    assert (
        openpyxl.load_workbook(path)[spec.FINANCIAL_SUMMARY].print_area
        == "'Financial summary'!$A$1:$M$20"
    )


def test_checks_are_live_formulas_pointing_at_the_filled_cells(tmp_path):
    path = refresh(example_inputs(), out_dir=tmp_path)
    ws = openpyxl.load_workbook(path)[spec.CHECKS]
    formulas = {
        ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 4 + len(spec.CHECK_LABELS))
    }
    assert set(formulas) == set(spec.CHECK_LABELS)
    assert all(f.startswith("=IF(") and f.endswith(',"PASS","FAIL")') for f in formulas.values())
    assert "'High needs expenditure'!$C$17" in formulas[spec.CHECK_EXPENDITURE]
    assert "'Financial summary'!$C$6" in formulas[spec.CHECK_EXPENDITURE]


# --- refusals: nothing written -------------------------------------------------------------------


def test_a_template_missing_a_label_is_refused_naming_it(tmp_path):
    wb = build_workbook()
    wb[spec.FINANCIAL_SUMMARY]["A5"] = None  # Block transfers in
    wb[spec.HIGH_NEEDS]["E3"] = None  # Variance %
    wb.save(tmp_path / "t.xlsx")
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as e:
        refresh(example_inputs(), tmp_path / "t.xlsx", out)
    message = str(e.value)
    assert "sheet 'Financial summary' has no row labelled 'Block transfers in'" in message
    assert "sheet 'High needs expenditure'" in message and "'Variance %'" in message
    assert files(out) == []


def test_a_template_missing_a_sheet_is_refused(tmp_path):
    wb = build_workbook()
    del wb[spec.CHECKS]
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(TemplateError, match="has no sheet 'Checks'"):
        refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_a_template_with_a_chart_is_refused_rather_than_losing_it(tmp_path):
    wb = build_workbook()
    ws = wb[spec.FINANCIAL_SUMMARY]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=4, max_row=6))
    ws.add_chart(chart, "D20")
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(TemplateError, match="charts or images"):
        refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_a_template_with_cell_comments_and_validation_keeps_them(tmp_path):
    """Comments live in a VML drawing part, which openpyxl rewrites: they are kept, not refused."""
    wb = build_workbook()
    wb[spec.COVER]["A4"].comment = Comment("As on the department's register", "DfE")
    wb[spec.SAFETY_VALVE]["A1"].comment = Comment("Guidance: see annex B", "DfE")
    dv = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    wb[spec.COVER].add_data_validation(dv)
    dv.add("B13")
    wb[spec.COVER]["A13"] = "Signed off?"
    wb.save(tmp_path / "t.xlsx")
    written = run_refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    assert all(c.passed for c in written.checks)
    out = openpyxl.load_workbook(written.path)
    assert out[spec.COVER]["A4"].comment.text == "As on the department's register"
    assert out[spec.SAFETY_VALVE]["A1"].comment.text == "Guidance: see annex B"
    assert [str(d.sqref) for d in out[spec.COVER].data_validations.dataValidation] == ["B13"]


def _with_part(template: Path, name: str, text: str) -> Path:
    import zipfile

    out = template.with_name("with_part.xlsx")
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.namelist():
            zout.writestr(item, zin.read(item))
        zout.writestr(name, text)
    return out


def test_a_template_with_a_form_control_is_refused_rather_than_losing_it(tmp_path):
    build_workbook().save(tmp_path / "t.xlsx")
    vml = (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:office:excel">'
        '<v:shape id="_x0000_s1025"><x:ClientData ObjectType="Button"/></v:shape></xml>'
    )
    template = _with_part(tmp_path / "t.xlsx", "xl/drawings/vmlDrawing1.vml", vml)
    with pytest.raises(TemplateError, match="form controls"):
        refresh(example_inputs(), template, tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_a_damaged_template_is_refused_clearly(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "t.xlsx", "w") as z:
        z.writestr("a.txt", "not a workbook")
    with pytest.raises(TemplateError, match="cannot be opened as an .xlsx workbook"):
        refresh(example_inputs(), tmp_path / "t.xlsx", tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_an_output_folder_that_is_a_file_is_refused_naming_it(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputError) as e:
        refresh(example_inputs(), out_dir=tmp_path / "afile")
    assert (
        "output folder" in str(e.value) and "afile" in str(e.value) and "is a file" in str(e.value)
    )
    assert "template" not in str(e.value)


def test_an_output_folder_that_cannot_be_written_is_refused_and_left_clean(tmp_path, monkeypatch):
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(publish.os, "open", refuse)
    with pytest.raises(OutputError, match="output folder .* cannot be written to"):
        refresh(example_inputs(), out_dir=tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_an_output_folder_with_spaces_is_created(tmp_path):
    path = refresh(example_inputs(), out_dir=tmp_path / "Finance returns" / "2024 25")
    assert path.parent == tmp_path / "Finance returns" / "2024 25" and path.is_file()


def _refused(inputs: ModelInputs, tmp_path: Path) -> str:
    out = tmp_path / "out"
    with pytest.raises(InputError) as e:
        refresh(inputs, out_dir=out)
    assert files(out) == []
    return str(e.value)


def test_text_in_a_number_is_refused_naming_table_row_and_column(tmp_path):
    funding = example_inputs().tables["Funding"].astype(object)
    funding.loc[1, "Schools block"] = "480m"
    message = _refused(with_table(example_inputs(), "Funding", funding), tmp_path)
    assert "Funding row 2, column 'Schools block': text '480m' where a number belongs" in message


def test_a_missing_table_is_refused_naming_it(tmp_path):
    message = _refused(with_table(example_inputs(), "Conditions", None), tmp_path)
    assert "no Excel Table named 'Conditions'" in message


def test_a_missing_column_is_refused_naming_it(tmp_path):
    period = example_inputs().tables["EHCPPeriod"].drop(columns=["Plan"])
    message = _refused(with_table(example_inputs(), "EHCPPeriod", period), tmp_path)
    assert "EHCPPeriod: missing column 'Plan'" in message


def test_every_problem_is_reported_at_once(tmp_path):
    inputs = example_inputs()
    settings = inputs.tables["Settings"].copy()
    settings.loc[2, "Value"] = "2029-30 Q1"  # not a Funding year
    settings.loc[3, "Value"] = "soon"
    lines = inputs.tables["HighNeedsLines"].iloc[1:]  # 1.0.2 missing
    conditions = inputs.tables["Conditions"].copy()
    conditions.loc[0, "RAG"] = "Purple"
    inputs = with_table(
        with_table(with_table(inputs, "Settings", settings), "HighNeedsLines", lines),
        "Conditions",
        conditions,
    )
    message = _refused(inputs, tmp_path)
    assert "Settings row 3 'Return period', column 'Value': the period's year 2029-30" in message
    assert "Settings row 4 'Period end date', column 'Value': 'soon' is not a date" in message
    assert "HighNeedsLines column 'Line': has no row '1.0.2'" in message
    assert (
        "Conditions row 1 'Reach an in-year balance by 2026-27', column 'RAG': 'Purple'" in message
    )


def test_an_unknown_placement_in_moves_names_the_moves_table(tmp_path):
    moves = _df([["Placement", "Year", "Change"], ["Hospital", "2025-26", 3]])
    message = _refused(with_table(example_inputs(), "Moves", moves), tmp_path)
    assert message.startswith("Moves row 1 'Hospital', column 'Placement': unknown placement")


def test_a_transfer_the_forum_refused_reads_required_for_the_secretary_of_state(tmp_path):
    """METHOD.md, BLOCK_TRANSFER_IMPACT: a 0.5% transfer the schools forum refused (Surrey
    2019-20) needs the Secretary of State; the Block movements sheet shows the forum's decision."""
    funding = example_inputs().frame("Funding")
    funding.loc[2, "Transfer rate"] = 0.005
    funding["Forum decision"] = ["Approved", "approved", " REFUSED ", None]
    inputs = with_table(example_inputs(), "Funding", funding)
    written = run_refresh(inputs, TEMPLATE_PATH, tmp_path / "out")
    assert all(c.passed for c in written.checks), written.checks
    moved = read_block(openpyxl.load_workbook(written.path)[spec.BLOCK_MOVEMENTS], "Year")
    assert moved[("2025-26", "share of schools block")] == 0.005
    assert moved[("2025-26", "schools forum approval")] == "Refused"
    assert moved[("2025-26", "secretary of state approval")] == "Required"
    assert moved[("2024-25", "schools forum approval")] == "Approved"
    # the same 0.5% approved, or not yet decided, needs the forum only
    for decision, shown in (("Approved", "Approved"), (None, "Required")):
        funding["Forum decision"] = ["Approved", "Approved", decision, None]
        fig = monitoring_return(with_table(example_inputs(), "Funding", funding))
        row = fig.block_movements.set_index("Year").loc["2025-26"]
        assert row["Schools forum approval"] == shown
        assert row["Secretary of State approval"] == "Not required"


@pytest.mark.parametrize(
    ("decisions", "where", "what"),
    [
        (["Approved", "Deferred", None, None], "row 2 '2024-25'", "'Deferred' is not a forum"),
        (["Approved", None, "Refused", None], "row 3 '2025-26'", "year with no transfer"),
    ],
)
def test_a_forum_decision_that_cannot_be_is_refused_naming_the_row(decisions, where, what):
    funding = example_inputs().frame("Funding")
    funding["Forum decision"] = decisions
    with pytest.raises(InputError) as caught:
        monitoring_return(with_table(example_inputs(), "Funding", funding))
    message = str(caught.value)
    assert f"Funding {where}, column 'Forum decision'" in message and what in message


def test_figures_dfe_suppressed_are_shown_as_x_with_a_note_never_0(tmp_path):
    """RETURN.md, EHCP numbers: DfE's x, c and z in EHCPHistory are read as suppressed figures,
    shown as x with the note 'suppressed by DfE', never 0; that census is not totalled and the
    EHCP check skips it (tests.broken_returns: another column a pound out still fails)."""
    from tests.broken_returns import AUDIT, suppressed_figures
    from workbooks.return_writer import write_return

    fig = suppressed_figures()
    assert fig.ehcp.loc["NMSS or independent", "January 2023"] == "x"
    assert fig.ehcp.loc["Other placements or direct payments", "January 2023"] == "x"
    assert fig.ehcp.loc["Total", "January 2023"] == "x"
    assert fig.ehcp.loc["Mainstream schools or academies", "January 2023"] == 560
    assert fig.ehcp.loc["Total", "January 2024"] == sum(600 + 10 * i for i in range(7))
    written = write_return(fig, TEMPLATE_PATH, tmp_path, AUDIT)
    assert all(c.passed for c in written.checks), written.checks
    ehcp_check = next(c for c in written.checks if c.check == spec.CHECK_EHCP)
    assert "January 2023" in ehcp_check.detail and "suppressed by DfE" in ehcp_check.detail
    ws = openpyxl.load_workbook(written.path)[spec.EHCP]
    shown = {
        (ws.cell(r, 1).value, ws.cell(3, c).value): ws.cell(r, c)
        for r in range(4, 25)
        for c in range(2, 20)
    }
    cell = shown[("NMSS or independent", "January 2023")]
    assert cell.value == "x" and cell.data_type == "s"
    assert cell.comment is not None and "suppressed by DfE" in cell.comment.text
    assert shown[("Total", "January 2023")].value == "x"
    # the Notes sheet lists them too
    suppressed = [list(r) for r in fig.notes_table.cells if r[2] == "x"]
    assert suppressed == [
        [
            "EHCP numbers",
            "January 2023: NMSS or independent, Hospital schools or alternative provision, "
            "Other placements or direct payments",
            "x",
            "Suppressed by DfE (EHCPHistory)",
        ]
    ]


def test_a_blank_census_cell_says_dfe_suppression_is_typed_as_x():
    """Pasting DfE's history leaves suppressed cells blank: the refusal says to type x."""
    inputs = example_inputs()
    rows = [list(r) for r in rows_of(inputs.tables["EHCPHistory"])]
    for row in rows[1:]:
        row[3] = None
    with pytest.raises(InputError) as caught:
        monitoring_return(ModelInputs({**inputs.tables, "EHCPHistory": rows}))
    message = str(caught.value)
    assert "column '2024'" in message and "blank" in message
    assert "DfE suppressed: type x" in message


def test_dfe_history_with_its_suppressed_2025_refreshes_the_example(dfe_dir, tmp_path):
    """DfE suppressed Cambridgeshire's January 2025 placements: the history the import (and
    dsg dfe-history) writes holds DfE's x there, and the refresh reads it as suppressed."""
    from workbooks import dfe

    rows = dfe.history_rows(dfe.council_history(dfe_dir, "873"))
    rows = [[str(h) for h in rows[0]], *[r for r in rows[1:] if r[0] != "Total"]]
    assert all(r[-1] == "x" for r in rows[1:])
    inputs = with_table(read_model(EXAMPLE), "EHCPHistory", rows)
    written = run_refresh(inputs, TEMPLATE_PATH, tmp_path / "out")
    assert all(c.passed for c in written.checks), written.checks
    fig = monitoring_return(inputs)
    assert set(fig.ehcp["January 2025"].iloc[:8]) == {"x"}
    assert fig.ehcp.loc["Total", "January 2024"] == 7318


@pytest.mark.parametrize(
    ("written", "shown"),
    [(None, "after deductions"), (" Before  Deductions ", "before deductions")],
)
def test_cover_states_the_high_needs_block_basis(tmp_path, written, shown):
    """RETURN.md, Cover: the basis of the income and of Section 251 line 1.0.2; default after."""
    settings = example_inputs().frame("Settings")
    if written is not None:
        settings.loc[len(settings)] = ["High Needs Block basis", written]
    inputs = with_table(example_inputs(), "Settings", settings)
    path = refresh(inputs, out_dir=tmp_path)
    cover = read_block(openpyxl.load_workbook(path)[spec.COVER], None)
    assert cover[("high needs block basis", "value")] == shown


def test_a_basis_that_is_not_one_is_refused_naming_the_setting():
    settings = example_inputs().frame("Settings")
    settings.loc[len(settings)] = ["High Needs Block basis", "gross"]
    with pytest.raises(InputError) as caught:
        monitoring_return(with_table(example_inputs(), "Settings", settings))
    message = str(caught.value)
    assert "High Needs Block basis" in message and "'gross' is not a basis" in message


def test_example_notes_list_every_figure_that_is_not_an_actual_with_its_source(tmp_path):
    """RETURN.md, Notes: the example's estimates (the January 2025 placement split and the Q2
    actual, the Section 251 split), assumptions and plans, each with its Sources entry."""
    inputs = read_model(EXAMPLE)
    model_sources = {r[0]: r for r in rows_of(inputs.tables["Sources"])[1:]}
    path = refresh(inputs, out_dir=tmp_path)
    ws = openpyxl.load_workbook(path)[spec.NOTES]
    header = [ws.cell(3, c).value for c in range(1, 5)]
    assert header == list(spec.NOTE_COLUMNS)
    notes = [
        [ws.cell(r, c).value for c in range(1, 5)]
        for r in range(4, ws.max_row + 1)
        if ws.cell(r, 2).value
    ]
    by_item = {n[1].split(":")[0]: n for n in notes}
    estimate = by_item["EHC plans, January 2025 and the period actual"]
    assert estimate[0] == "EHCP numbers" and estimate[2] == "Estimate"
    assert estimate[3] == model_sources["EHC plans, January 2025 and the period actual"][2]
    assert by_item["DfE payments expected"][2] == "Assumption"
    assert by_item["Section 251 lines 2024-25"][0] == "High needs expenditure"
    actual = [item for item, r in model_sources.items() if r[3] == "Actual"]
    assert actual and not any(item in by_item for item in actual)
    assert {n[2] for n in notes} <= {"Estimate", "Assumption", "Plan"}
    # each Mitigations row is listed with its workstream's Sources row (status and source),
    # which is not listed again on its own
    workstreams = [r for r in model_sources.values() if r[4] == spec.MITIGATIONS]
    mitigations = rows_of(inputs.tables["Mitigations"])[1:]
    listed = [n for n in notes if n[0] == spec.MITIGATIONS]
    assert workstreams and len(listed) == len(mitigations)
    assert {n[3] for n in listed} == {r[2] for r in workstreams}
    assert {n[2] for n in listed} == {"Assumption"}
    others = sum(1 for r in model_sources.values() if r[3] != "Actual") - len(workstreams)
    assert len(notes) == others + len(mitigations)


def test_a_source_without_a_known_status_is_refused_naming_the_row():
    rows = [["Item", "Figure", "Source", "Status"], ["Income", "1", "ESFA", "Guess"]]
    with pytest.raises(InputError) as caught:
        monitoring_return(with_table(example_inputs(), "Sources", rows))
    message = str(caught.value)
    assert "Sources row 1 'Income', column 'Status'" in message
    assert "Actual, Estimate, Assumption or Plan" in message


def test_a_template_without_the_notes_sheet_gets_one(tmp_path):
    """Notes comes with later work (RETURN.md): a department's template without it is complete."""
    wb = openpyxl.load_workbook(TEMPLATE_PATH)
    del wb[spec.NOTES]
    older = tmp_path / "older.xlsx"
    wb.save(older)
    rows = [["Item", "Figure", "Source", "Status", "Sheet"], ["Plan", "1", "Board", "Plan", "X"]]
    written = run_refresh(with_table(example_inputs(), "Sources", rows), older, tmp_path / "out")
    ws = openpyxl.load_workbook(written.path)[spec.NOTES]
    assert [ws.cell(4, c).value for c in range(1, 5)] == ["X", "Plan: 1", "Plan", "Board"]
