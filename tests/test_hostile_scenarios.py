"""Mitigations, scenarios and the write-off under hostile input.

What a finance officer's workbook can hand over (formula-like or control
text, Excel error cells, years typed ``2025/26``, a workstream given twice
for one year, thousands of rows, misspelt or missing Settings rows), what a
command line can be given (``--n`` and ``--seed`` out of range, text, seeds
past what Excel holds), and what Excel passes to DSG_FAN and
DEFICIT_WRITE_OFF through the Office.js protocol: each is refused with a
message naming the table, row, column or argument, or gives a correct
result; never a traceback, never NaN or infinity, never a file on refusal.
And the return's Scenarios sheet read as a DfE reviewer reads it: the sign
rule, P10 >= P50 >= P90 in the sheet's sign, Mitigated = the Financial
summary, every mitigation on Notes, the run in the audit block, the same
seed the same sheet.

Sources: RETURN.md ("Mitigations", "Scenarios", "Notes", "One sign rule");
METHOD.md ("DSG_FAN", "DEFICIT_WRITE_OFF"); the README's "Choices made".
"""

from __future__ import annotations

import csv
import io
import math
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlwings
from openpyxl.worksheet.worksheet import Worksheet

from addin.cli import main
from models import monitoring as m
from models.errors import InputError
from models.inputs import ModelInputs
from models.mitigations import MITIGATION_COLUMNS
from models.monitoring import monitoring_return
from models.parse import parse_model
from models.scenarios import MAX_SEED, Spreads, run_scenarios
from models.write_off import write_off
from tests import broken_returns
from tests.conftest import PENNY
from tests.officejs import OMITTED, bad_cells, call, row
from tests.test_mitigations_model import with_settings, with_tables
from tests.test_return import EXAMPLE, _n, read_block
from tests.test_return_libreoffice import check_results, error_cells, recalculate_all
from tests.test_return_scenarios import scenarios_sheet
from workbooks import return_spec as spec
from workbooks.model_reader import read_model
from workbooks.return_template import TEMPLATE_PATH
from workbooks.return_writer import write_return

FUTURE = ("2025-26", "2026-27", "2027-28")  # the example's years after the current one
FORMULA_LIKE = (
    '=HYPERLINK("http://x","y")',
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "-2+3",
)


@pytest.fixture(scope="module")
def base() -> ModelInputs:
    return read_model(EXAMPLE)


def with_mitigations(inputs: ModelInputs, *rows: list[Any]) -> ModelInputs:
    return with_tables(inputs, Mitigations=[list(MITIGATION_COLUMNS), *map(list, rows)])


def renamed_setting(inputs: ModelInputs, name: str, new_name: str) -> ModelInputs:
    rows = [[new_name, r[1]] if r[0] == name else list(r) for r in inputs.tables["Settings"]]
    return with_tables(inputs, Settings=rows)


def refusal(inputs: ModelInputs) -> str:
    with pytest.raises(InputError) as err:
        parse_model(inputs)
    return str(err.value)


def many_rows(n: int) -> list[list[Any]]:
    """``n`` workstreams, one row each, over the years after the current one."""
    return [[f"Workstream {i}", FUTURE[i % 3], 1_000.0 + i, 10.0, 0.5, "Green"] for i in range(n)]


# --- the Mitigations table ---------------------------------------------------------------------


def test_formula_like_and_control_text_in_a_workstream_stays_inert_text(base, tmp_path):
    """Leading spaces and tabs before '=' too; control characters shown as [U+0007]."""
    names = [*FORMULA_LIKE, " \t=1+1", "ERB\x07 places\x00"]
    inputs = with_mitigations(base, *[[w, "2025-26", 1e5, 0, 0.5, "Green"] for w in names])
    written = write_return(
        monitoring_return(inputs, scenarios=200), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT
    )
    assert all(c.passed for c in written.checks)
    wb = openpyxl.load_workbook(written.path)
    formulas = [
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        if ws.title != spec.CHECKS
        for r in ws.iter_rows()
        for c in r
        if c.data_type == "f"
    ]
    assert formulas == []
    shown = [*FORMULA_LIKE, "=1+1", "ERB[U+0007] places[U+0000]"]
    ws = wb[spec.MITIGATIONS]
    column_a = {ws.cell(r, 1).value: ws.cell(r, 1) for r in range(1, ws.max_row + 1)}
    notes = wb[spec.NOTES]
    items = [notes.cell(r, 2) for r in range(1, notes.max_row + 1)]
    for text in shown:
        assert column_a[text].data_type == "s"
        assert column_a[text].quotePrefix == text.startswith(("=", "+", "-", "@"))
        note = next(c for c in items if str(c.value).startswith(f"{text}, 2025-26: "))
        assert note.quotePrefix == text.startswith(("=", "+", "-", "@"))


def test_a_workstream_too_long_for_the_returns_cells_is_refused(base, tmp_path):
    """An Excel cell holds 32,767 characters; the Notes item adds the year and saving to the
    name, and a control character is shown as 8 ([U+0007]): the longest name still fits."""
    message = refusal(with_mitigations(base, ["W" * 4_001, "2025-26", 1e5, 0, 0.5, "Green"]))
    assert "column 'Workstream': is 4,001 characters long: give a name of at most 4,000" in message
    longest = with_mitigations(base, ["\x07" * 4_000, "2025-26", 1e12, 0, 1, "Green"])
    written = write_return(
        monitoring_return(longest, scenarios=20), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT
    )
    wb = openpyxl.load_workbook(written.path)
    lengths = [
        len(c.value) for ws in wb for r in ws.iter_rows() for c in r if isinstance(c.value, str)
    ]
    assert 32_000 <= max(lengths) <= 32_767


def test_a_workstream_typed_as_a_number_reads_alike_from_both_fronts(base):
    """openpyxl hands over 2025, Office.js 2025.0: both are the workstream '2025'."""
    for cell in (2025, 2025.0):
        model = parse_model(with_mitigations(base, [cell, "2025-26", 1e5, 0, 0.5, "Green"]))
        assert model.mitigations.workstream == ("2025",)


@pytest.mark.parametrize(
    "column, error", [("Planned saving", "#REF!"), ("Year", "#N/A"), ("Confidence", "#DIV/0!")]
)
def test_an_excel_error_cell_is_named_by_row_and_column(base, column, error):
    cells = {"Workstream": "ERB", "Year": "2025-26", "Planned saving": 1e5}
    cells |= {"Delivered saving": 0, "Confidence": 0.5, "RAG": "Green", column: error}
    message = refusal(with_mitigations(base, [cells[c] for c in MITIGATION_COLUMNS]))
    assert f"Mitigations row 1 'ERB', column '{column}': holds the Excel error {error}" in message


def test_a_year_typed_2025_26_is_the_financial_year_2025_26(base, tmp_path):
    inputs = with_mitigations(base, ["ERB", "2025/26", 1e5, 0, 0.5, "Green"])
    assert parse_model(inputs).mitigations.year == ("2025-26",)
    written = write_return(
        monitoring_return(inputs, scenarios=50), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT
    )
    ws = openpyxl.load_workbook(written.path)[spec.MITIGATIONS]
    assert [
        ws.cell(r, 2).value for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ERB"
    ] == ["2025-26"]


def test_a_workstream_given_twice_for_one_year_is_refused_not_counted_twice(base):
    """Same name but for case and spaces, same year however typed: a copied row."""
    message = refusal(
        with_mitigations(
            base,
            ["ERB places", "2025-26", 1e5, 0, 0.5, "Green"],
            ["ERB places", "2026-27", 1e5, 0, 0.5, "Green"],
            [" erb  PLACES", "2025/26", 2e5, 0, 0.5, "Green"],
        )
    )
    assert "Mitigations row 3 ' erb  PLACES', column 'Year': 2025-26 is already given" in message
    assert "on row 1" in message and "one row per workstream and year" in message
    # another workstream in the same year, and the same workstream another year, are fine
    model = parse_model(
        with_mitigations(
            base,
            ["ERB places", "2025-26", 1e5, 0, 0.5, "Green"],
            ["Special places", "2025-26", 1e5, 0, 0.5, "Green"],
        )
    )
    assert len(model.mitigations) == 2


def test_a_row_shorter_than_the_header_reads_its_missing_cells_as_blank(base):
    """A ragged row (a table handed over without its last cells) is named, never a crash."""
    message = refusal(with_mitigations(base, ["ERB", "2025-26", 1e5]))
    for column in ("Delivered saving", "Confidence"):
        assert f"Mitigations row 1 'ERB', column '{column}': is blank" in message
    assert "Mitigations row 1 'ERB', column 'RAG': blank is not one of" in message


def test_confidence_0_and_1_planned_0_and_more_delivered_than_planned(base):
    """Risk-adjusted = mitigated + planned x (1 - confidence); a Beta at 0 or 1 is fixed."""
    rows = [
        ["Nothing expected", "2025-26", 400_000.0, 0.0, 0.0, "Red"],
        ["Certain", "2026-27", 300_000.0, 0.0, 1.0, "Green"],
        ["Nothing planned", "2026-27", 0.0, 0.0, 0.5, "Green"],
        ["Ahead of plan", "2024-25", 100_000.0, 250_000.0, 0.9, "Green"],
    ]
    inputs = with_mitigations(base, *rows)
    model = parse_model(inputs)
    fig = monitoring_return(inputs, scenarios=100)
    table = fig.mitigations_table
    variance = table.column(m.VARIANCE)
    assert variance[3] == 150_000.0 and variance[:3] == [-400_000.0, -300_000.0, 0.0]
    years = list(model.years)
    scen = {
        r[0]: dict(zip(fig.scenarios_table.columns, r, strict=True))
        for r in fig.scenarios_table.cells
    }
    short = {"2024-25": 10_000.0, "2025-26": 400_000.0}  # planned x (1 - confidence), by year
    running = 0.0
    for y in years:
        running += short.get(y, 0.0)
        assert scen[y][m.RISK_ADJUSTED] == pytest.approx(scen[y][m.MITIGATED] - running, abs=PENNY)
    # nothing but delivery drawn: confidences of 0 and 1 draw nothing, so every scenario is the
    # risk-adjusted plan (the 0.5 of "Nothing planned" moves nothing)
    result = run_scenarios(model, n=50, spreads=Spreads(0.0, 0.0, 0.0, 0.15, 1.0, 0.0, None))
    assert np.allclose(result.cumulative, result.risk_adjusted, atol=PENNY, rtol=0)


@pytest.mark.parametrize("confidence", [5e-324, 1e-300, 1 - 1e-16])
def test_a_confidence_a_hair_from_0_or_1_is_drawn_without_a_crash(base, confidence):
    """The smallest float (a cell can hold it) gives a Beta parameter of 0, which numpy
    refuses with a ValueError: such a workstream is delivered at its confidence."""
    inputs = with_mitigations(base, ["Edge", "2026-27", 1e6, 0, confidence, "Amber"])
    result = run_scenarios(parse_model(inputs), n=200, seed=1)
    assert np.isfinite(result.cumulative).all()


def _max_column_reads(monkeypatch, base, rows: int, folder: Path) -> int:
    """How many times writing a return with ``rows`` workstreams asks openpyxl for max_column."""
    fig = monitoring_return(with_mitigations(base, *many_rows(rows)), scenarios=20)
    reads = 0
    original = Worksheet.max_column

    def counted(ws: Worksheet) -> int:
        nonlocal reads
        reads += 1
        return original.fget(ws)

    with monkeypatch.context() as patch:
        patch.setattr(Worksheet, "max_column", property(counted))
        write_return(fig, TEMPLATE_PATH, folder, broken_returns.AUDIT)
    return reads


def test_writing_many_workstreams_scans_the_sheet_a_fixed_number_of_times(
    monkeypatch, base, tmp_path
):
    """openpyxl finds max_column by visiting every cell: asked once a row, a return with
    20,000 workstreams took minutes (quadratic); asked a fixed number of times, it is linear."""
    few = _max_column_reads(monkeypatch, base, 10, tmp_path / "few")
    many = _max_column_reads(monkeypatch, base, 300, tmp_path / "many")
    assert many == few


def _peak_mib(model, n: int) -> float:
    tracemalloc.start()
    try:
        run_scenarios(model, n=n, seed=1)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def test_the_memory_of_a_run_does_not_grow_with_the_mitigations_table(base):
    """10,000 scenarios of 1,000 and of 4,000 workstreams: the delivery draws (scenarios x
    workstreams) are summed into years a block of scenarios at a time, so the peak stays
    put (it was 80 and 320 MB more)."""
    small = _peak_mib(parse_model(with_mitigations(base, *many_rows(1_000))), 10_000)
    large = _peak_mib(parse_model(with_mitigations(base, *many_rows(4_000))), 10_000)
    assert large < small + 40, (small, large)


@pytest.mark.libreoffice
def test_ten_thousand_workstreams_write_and_recalculate_with_every_check_pass(
    soffice, base, tmp_path
):
    inputs = with_mitigations(base, *many_rows(10_000))
    fig = monitoring_return(inputs, scenarios=1_000)
    written = write_return(fig, TEMPLATE_PATH, tmp_path / "out", broken_returns.AUDIT)
    assert all(c.passed for c in written.checks)
    ws = openpyxl.load_workbook(written.path)[spec.MITIGATIONS]
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == m.MITIGATIONS_TOTAL)
    assert ws.cell(total - 1, 1).value == "Workstream 9999"
    assert ws.cell(total, 3).value == pytest.approx(sum(1_000.0 + i for i in range(10_000)))
    notes = openpyxl.load_workbook(written.path)[spec.NOTES]
    items = [notes.cell(r, 2).value for r in range(1, notes.max_row + 1)]
    assert len([i for i in items if str(i).startswith("Workstream ")]) == 10_000
    again = recalculate_all(soffice, [written.path], tmp_path / "lo")[written.path.stem]
    assert error_cells(again) == []
    assert check_results(again) == {label: spec.PASS for label in spec.CHECK_LABELS}


# --- Settings ----------------------------------------------------------------------------------


def test_a_write_off_at_the_first_funding_year_is_refused_naming_the_year_before(base):
    message = refusal(with_settings(base, {"Write-off year": "2023-24"}))
    assert "Settings row 9 'Write-off year', column 'Value': needs 2022-23" in message


def test_an_override_ending_before_the_write_off_puts_the_deficit_on_the_council(base):
    """METHOD.md: Falls on the council = max(after, 0) from the override end on, the
    write-off (paid later) still taken off from its year; the same as DEFICIT_WRITE_OFF."""
    inputs = with_settings(base, {"Write-off year": "2026-27", "Override end": "2024-25"})
    fig = monitoring_return(inputs, scenarios=50)
    sheet = {
        r[0]: dict(zip(fig.scenarios_table.columns, r, strict=True))
        for r in fig.scenarios_table.cells
    }
    years = list(sheet)
    mitigated = [-sheet[y][m.MITIGATED] for y in years]
    fn = call(
        "deficit_write_off", row(years), row(mitigated), [["2026-27"]], OMITTED, [["2024-25"]]
    )
    by_year = {r[0]: r for r in fn[1:]}
    for y in years:
        assert sheet[y]["Falls on the council"] == pytest.approx(-by_year[y][4], abs=PENNY)
        assert sheet[y]["After write-off"] == pytest.approx(-by_year[y][3], abs=PENNY)
    assert sheet["2023-24"]["Falls on the council"] == 0.0
    assert sheet["2024-25"]["Falls on the council"] == -51_745_000  # committee report, 6.1
    assert sheet["2027-28"]["Falls on the council"] == sheet["2027-28"]["After write-off"]


@pytest.mark.parametrize("share", [0, 1])
def test_a_write_off_share_of_0_or_1(base, share):
    fig = monitoring_return(with_settings(base, {"Write-off share": share}), scenarios=50)
    sheet = {
        r[0]: dict(zip(fig.scenarios_table.columns, r, strict=True))
        for r in fig.scenarios_table.cells
    }
    before = sheet["2025-26"][m.MITIGATED]  # the deficit at 31 March 2026, negative
    for y in ("2026-27", "2027-28"):
        assert sheet[y]["After write-off"] == pytest.approx(
            sheet[y][m.MITIGATED] - share * before, abs=PENNY
        )


@pytest.mark.parametrize(
    "values, what",
    [
        ({"Usable reserves": 1e300}, "beyond £1,000,000,000,000"),
        ({"Usable reserves": -1}, "-1 is negative"),
        ({"Usable reserves": "lots"}, "text 'lots' where a number belongs"),
        ({"Write-off share": 1.5}, "1.5 is above 1"),
        ({"Write-off share": "0.9"}, "(a number stored as text)"),
        ({"Write-off year": "next year"}, "'next year' is not a financial year"),
        ({"Override end": "2030-31"}, "2030-31 is not one of the Funding years"),
        ({"Write-off year": "#N/A"}, "holds the Excel error #N/A"),
    ],
)
def test_a_bad_write_off_setting_is_named_by_its_row(base, values, what):
    name = next(iter(values))
    message = refusal(with_settings(base, values))
    assert f"'{name}', column 'Value'" in message and what in message


def test_usable_reserves_of_0_are_a_figure_not_a_blank(base):
    model = parse_model(with_settings(base, {"Usable reserves": 0}))
    assert model.settings.usable_reserves == 0.0
    assert (
        parse_model(with_settings(base, {"Usable reserves": None})).settings.usable_reserves is None
    )


def test_a_model_without_the_write_off_rows_has_no_write_off_columns(base):
    older = with_settings(
        base,
        {
            "Write-off year": None,
            "Write-off share": None,
            "Override end": None,
            "Usable reserves": None,
        },
    )
    fig = monitoring_return(older, scenarios=50)
    assert tuple(fig.scenarios_table.columns) == tuple(m.SCENARIO_COLUMNS)


def test_a_blank_row_inside_settings_is_named(base):
    rows = [list(r) for r in base.tables["Settings"]]
    message = refusal(with_tables(base, Settings=[*rows[:9], [None, None], *rows[9:]]))
    assert "Settings row 9: is blank" in message


@pytest.mark.parametrize(
    "name, typed",
    [
        ("Write-off year", "Write off year"),
        ("Write-off year", "Writeoff year"),
        ("Usable reserves", "Usable reserve"),
        ("Override end", "Override ends"),
    ],
)
def test_a_misspelt_write_off_row_is_named_not_silently_ignored(base, name, typed):
    """An optional row not found takes its default: the write-off would silently vanish."""
    message = refusal(renamed_setting(base, name, typed))
    assert f"'{typed}', column 'Setting': is not a setting the model reads" in message
    assert f"did you mean '{name}'?" in message


def test_setting_names_match_ignoring_spaces_and_case(base):
    for typed in ("Write-off  year", "  WRITE-OFF YEAR "):
        model = parse_model(renamed_setting(base, "Write-off year", typed))
        assert model.settings.write_off_year == "2026-27", typed
    message = refusal(
        with_tables(base, Settings=[*base.tables["Settings"], ["Write-off  year", "2025-26"]])
    )
    assert "'Write-off  year', column 'Setting': duplicate name (also row 9)" in message


# --- dsg refresh and dsg scenarios: --n and --seed -------------------------------------------

BAD_RUNS = [
    (["--n", "0"], "--n: 0: give 1 to 1,000,000 scenarios"),
    (["--n", "-5"], "--n: -5: give 1 to 1,000,000 scenarios"),
    (["--n", "1000001"], "--n: 1,000,001: give 1 to 1,000,000 scenarios"),
    (["--n", "ten"], "argument --n: invalid int value: 'ten'"),
    (["--n", "1e3"], "argument --n: invalid int value: '1e3'"),
    (["--seed", "-1"], "--seed: -1: give a whole number from 0 to 999,999,999,999,999"),
    (["--seed", str(2**64)], "--seed: 18,446,744,073,709,551,616: give a whole number from 0"),
    (["--seed", "one"], "argument --seed: invalid int value: 'one'"),
]


def exit_code(args: list[str]) -> int:
    """``dsg ARGS``'s exit code, whether the command returns it or argparse exits with it."""
    try:
        return main(args)
    except SystemExit as e:
        return int(e.code or 0)


@pytest.mark.parametrize("command", ["refresh", "scenarios"])
@pytest.mark.parametrize("args, said", BAD_RUNS, ids=[" ".join(a) for a, _ in BAD_RUNS])
def test_a_bad_run_is_refused_with_exit_2_and_nothing_written(
    tmp_path, capsys, command, args, said
):
    out = ["--out", str(tmp_path / ("returns" if command == "refresh" else "fan.xlsx"))]
    assert exit_code([command, *args, *out]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_largest_seed_is_recorded_exactly_in_the_audit_block(tmp_path, capsys):
    assert main(["refresh", "--n", "50", "--seed", str(MAX_SEED), "--out", str(tmp_path)]) == 0
    ws = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))[spec.CHECKS]
    audit = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert audit[spec.AUDIT_SEED] == MAX_SEED == 999_999_999_999_999
    assert float(audit[spec.AUDIT_SEED]) == MAX_SEED  # a cell's double holds it exactly


def test_one_scenario_is_a_run_every_percentile_of_which_is_that_scenario(tmp_path, capsys):
    assert main(["refresh", "--n", "1", "--out", str(tmp_path)]) == 0
    path = next(tmp_path.glob("*.xlsx"))
    for year, values in scenarios_sheet(path).items():
        assert values["p10"] == values["p50"] == values["p90"], year
    assert main(["scenarios", "--n", "1", "--format", "csv"]) == 0


@pytest.mark.parametrize(
    "out, said",
    [("fan.csv", "give a .xlsx file name"), ("no/such/folder/fan.xlsx", "does not exist")],
)
def test_dsg_scenarios_out_must_be_an_xlsx_in_a_folder_that_exists(tmp_path, capsys, out, said):
    assert main(["scenarios", "--n", "10", "--out", str(tmp_path / out)]) == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# --- DSG_FAN and DEFICIT_WRITE_OFF through the Office.js protocol -----------------------------

YEARS = row(["2024-25", "2025-26", "2026-27", "2027-28"])
FAN = (YEARS, [[40e6]], [[100e6]], [[110e6]])
SKIP = OMITTED


def refused(func_name: str, *args: Any) -> str:
    with pytest.raises(xlwings.XlwingsError) as info:
        result = call(func_name, *args)
        pytest.fail(f"{func_name} returned {result}")  # pragma: no cover
    return str(info.value)


FAN_REFUSALS = [
    ("lengths", (YEARS, [[40e6]], row([1e8] * 3), [[110e6]]), "income: has 3 values"),
    (
        "blank inside",
        (YEARS, [[40e6]], row([1e8, None, 1e8, 1e8]), [[110e6]]),
        "income year 2025-26: is blank",
    ),
    (
        "text number",
        (YEARS, [[40e6]], [[1e8]], row([1, "2", 3, 4])),
        "spend year 2025-26: text '2'",
    ),
    (
        "scenarios 0",
        (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[0]]),
        "scenarios: 0 is less than 1",
    ),
    (
        "scenarios 1,000,001",
        (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[1_000_001]]),
        "scenarios: 1,000,001 is more than",
    ),
    (
        "scenarios 2.5",
        (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[2.5]]),
        "scenarios: 2.5 is not a whole number",
    ),
    (
        "seed -1",
        (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[-1]]),
        "seed: -1 is less than 0",
    ),
    (
        "seed 2**64",
        (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[2.0**64]]),
        "seed: 18,446,744,073,709,551,616 is more than 999,999,999,999,999",
    ),
    ("spend_sd 1e6", (*FAN, SKIP, SKIP, SKIP, SKIP, [[1e6]]), "spend_sd: 1e+06 is above 1"),
    ("income_sd 1e6", (*FAN, SKIP, SKIP, SKIP, SKIP, SKIP, [[1e6]]), "income_sd: 1e+06 is above 1"),
    ("spend_sd negative", (*FAN, SKIP, SKIP, SKIP, SKIP, [[-0.01]]), "spend_sd: -0.01 is negative"),
    (
        "plan shorter",
        (*FAN, SKIP, SKIP, SKIP, row([50e6, 55e6])),
        "plan: has 2 values but there are 4 years",
    ),
]


@pytest.mark.parametrize(
    "args, said", [c[1:] for c in FAN_REFUSALS], ids=[c[0] for c in FAN_REFUSALS]
)
def test_dsg_fan_refuses_naming_the_argument(args, said):
    assert said in refused("dsg_fan", *args)


WRITE_OFF_REFUSALS = [
    ("lengths", (YEARS, row([1, 2, 3])), "cumulative_deficit: has 3 values"),
    ("blank inside", (YEARS, row([1, None, 3, 4])), "cumulative_deficit year 2025-26: is blank"),
    ("not in years", (YEARS, [[1e6]], [["2030-31"]]), "write_off_year: 2030-31 is not in years"),
    ("first year", (YEARS, [[1e6]], [["2024-25"]]), "write_off_year: needs 2023-24"),
    ("share 1.5", (YEARS, [[1e6]], SKIP, [[1.5]]), "share: 1.5 is above 1"),
]


@pytest.mark.parametrize(
    "args, said", [c[1:] for c in WRITE_OFF_REFUSALS], ids=[c[0] for c in WRITE_OFF_REFUSALS]
)
def test_deficit_write_off_refuses_naming_the_argument(args, said):
    assert said in refused("deficit_write_off", *args)


def test_dsg_fan_at_its_limits_gives_finite_ordered_results():
    """The widest spreads (1 = 100% a year) over ten years, one scenario, the largest seed."""
    years = row([f"{y}-{(y + 1) % 100:02d}" for y in range(2024, 2034)])
    for extra in (
        (SKIP, SKIP, SKIP, row([50e6] * 10), [[1]], [[1]], [[5_000]]),
        (SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, [[1]], [[MAX_SEED]]),
    ):
        result = call("dsg_fan", years, [[40e6]], [[100e6]], [[110e6]], *extra)
        assert bad_cells(result) == []
        for r in result[1:]:
            assert r[1] <= r[2] <= r[3] and all(math.isfinite(v) for v in r[1:5])


def test_deficit_write_off_with_a_share_of_0_and_1_through_office_js():
    deficit = row([50e6, 60e6, 70e6, 80e6])
    none = call("deficit_write_off", YEARS, deficit, SKIP, [[0]])
    assert [r[3] for r in none[1:]] == [50e6, 60e6, 70e6, 80e6]
    whole = call("deficit_write_off", YEARS, deficit, SKIP, [[1]])
    assert [r[2] for r in whole[1:]] == [0.0, 0.0, 60e6, 0.0]
    assert whole[-1][4] == 20e6  # 80m less the 60m written off falls on the council in 2027-28


# --- the return's Scenarios sheet, as a DfE reviewer reads it --------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> dict[str, Path]:
    """The example's return with 500 scenarios: seed 7 twice and seed 8."""
    out = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        folder = tmp_path_factory.mktemp(name)
        assert main(["refresh", "--n", "500", "--seed", str(seed), "--out", str(folder)]) == 0
        out[name] = next(folder.glob("*.xlsx"))
    return out


def test_every_scenarios_figure_obeys_the_sign_rule_and_p10_is_least_negative(seeded):
    model = parse_model(read_model(EXAMPLE))
    result = m.scenario_run(model, 500, 7, None, read_model(EXAMPLE).tables.get("EHCPForecast"))
    figures = m.scenario_figures(model, result).rows()
    sheet = scenarios_sheet(seeded["a"])
    for r in figures[1:]:
        got = sheet[r[0]]
        for name, v in zip(figures[0][1:], r[1:], strict=True):
            if name == m.P_ON_TRACK:
                assert 0 <= got[_n(name)] <= 1
            else:  # minus the deficit, to the penny: negative for a deficit
                assert abs(got[_n(name)] + v) <= PENNY, (r[0], name)
                assert (got[_n(name)] < 0) == (v > 0), (r[0], name)
        assert got["p10"] >= got["p50"] >= got["p90"], r[0]


def test_the_mitigated_view_is_the_financial_summary_and_notes_list_every_mitigation(seeded):
    wb = openpyxl.load_workbook(seeded["a"])
    fs = read_block(wb[spec.FINANCIAL_SUMMARY], spec.MEASURE)
    for year, values in scenarios_sheet(seeded["a"]).items():
        assert values[_n(m.MITIGATED)] == fs[(_n(m.CUMULATIVE), year)], year
    mitigations = parse_model(read_model(EXAMPLE)).mitigations
    notes = wb[spec.NOTES]
    listed = [
        notes.cell(r, 2).value
        for r in range(1, notes.max_row + 1)
        if notes.cell(r, 1).value == spec.MITIGATIONS
    ]
    assert len(listed) == len(mitigations) == 12
    for w, y, item in zip(mitigations.workstream, mitigations.year, listed, strict=True):
        assert item.startswith(f"{w}, {y}: planned saving £"), item
    checks = wb[spec.CHECKS]
    audit = {checks.cell(r, 1).value: checks.cell(r, 2).value for r in range(1, checks.max_row + 1)}
    assert (audit[spec.AUDIT_SCENARIOS], audit[spec.AUDIT_SEED]) == (500, 7)


def _values(path: Path) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[spec.SCENARIOS]
    return [[c.value for c in r] for r in ws.iter_rows()]


def test_the_same_seed_gives_the_same_sheet_and_another_seed_another_fan(seeded):
    assert _values(seeded["a"]) == _values(seeded["b"])
    a, c = scenarios_sheet(seeded["a"]), scenarios_sheet(seeded["c"])
    for y in FUTURE:
        assert a[y][_n(m.MITIGATED)] == c[y][_n(m.MITIGATED)]
        assert a[y]["p10"] != c[y]["p10"] and a[y]["p90"] != c[y]["p90"], y


def test_dsg_scenarios_prints_the_same_twice_and_the_returns_sheet_negated(seeded, capsys):
    printed = []
    for _ in range(2):
        assert main(["scenarios", "--n", "500", "--seed", "7"]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[0] == printed[1] and "500 scenarios, seed 7" in printed[0]
    assert main(["scenarios", "--n", "500", "--seed", "7", "--format", "csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    sheet = scenarios_sheet(seeded["a"])
    for r in lines[1:]:
        for name, text in zip(lines[0][1:], r[1:], strict=True):
            got = sheet[r[0]][_n(name)]
            if text == "":
                assert got is None
            elif name == m.P_ON_TRACK:
                assert got == pytest.approx(float(text), abs=1e-12)
            else:
                assert abs(got + float(text)) <= PENNY, (r[0], name)


def test_the_write_off_of_every_scenario_is_the_method_s(seeded):
    """What falls on the council at the override's end, scenario by scenario, is METHOD.md's
    DEFICIT_WRITE_OFF of that scenario's path (never below 0)."""
    model = parse_model(read_model(EXAMPLE))
    result = m.scenario_run(model, 500, 7)
    years = list(result.years)
    w = write_off(years, result.cumulative, "2026-27", 0.9, "2027-28")
    before = result.cumulative[:, years.index("2025-26")]
    assert np.array_equal(w.write_off[:, years.index("2026-27")], 0.9 * np.maximum(before, 0))
    assert (w.falls_on_council >= 0).all() and np.isfinite(w.falls_on_council).all()
