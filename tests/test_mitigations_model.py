"""The model workbook's mitigations and the 2026 deficit write-off.

- the Mitigations table (its own sheet, Confidence and RAG validated), read
  and parsed with every problem named together with the others; an older
  model without it, or without the write-off Settings, still opens;
- the Settings rows Write-off year, Write-off share, Override end and Usable
  reserves, checked and named by row;
- the About sheet's convention (the inputs are the mitigated plan) and the
  write-off explained;
- the Calculations sheet's DSG_FAN and DEFICIT_WRITE_OFF: their arguments,
  their room to spill, and each called through the Office.js protocol with
  the example's values read from those ranges;
- the Dashboard's write-off and reserves figures, recalculated by LibreOffice,
  against :mod:`models.write_off`, and the fan chart reading DSG_FAN's spill.

Sources: METHOD.md, DSG_FAN and DEFICIT_WRITE_OFF (90% of the deficit at 31
March 2026 written off in 2026-27, the override to the end of 2027-28);
RETURN.md, Mitigations; the committee report
(../shared/context/committee-report.txt) paras 3.16, 3.17, 3.20-3.24 for the
example's workstreams and 6.1 for the README's three figures.
"""

from __future__ import annotations

import copy
import math
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import load_workbook
from openpyxl.chart.chartspace import ChartSpace
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.xml.functions import fromstring

from models.errors import InputError
from models.inputs import ModelInputs
from models.mitigations import MITIGATION_COLUMNS
from models.monitoring import monitoring_return
from models.parse import MONEY_LIMIT, parse_model
from models.return_figures import cumulative_deficit, in_year_deficit
from models.write_off import write_off
from tests.conftest import PENNY
from tests.officejs import bad_cells, call
from tests.test_return_libreoffice import recalculate_all
from workbooks import example_cambridgeshire as example
from workbooks.model_builder import (
    MITIGATION_CONVENTION,
    WRITE_OFF_FIGURES,
    blank_spec,
    build_model,
    write_model,
)
from workbooks.model_reader import read_model

EXAMPLE = example.EXAMPLE_PATH

# The committee report, para 6.1 (README): brought forward into 2024-25, in-year, carried forward.
BROUGHT_FORWARD_2024_25 = 40_015_000
IN_YEAR_2024_25 = 11_730_000
CARRIED_FORWARD_2024_25 = 51_745_000


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def with_tables(inputs: ModelInputs, **tables: Any) -> ModelInputs:
    """``inputs`` with some tables replaced (None: the table removed)."""
    new = {k: copy.deepcopy(v) for k, v in inputs.tables.items()}
    for name, rows in tables.items():
        if rows is None:
            new.pop(name, None)
        else:
            new[name] = rows
    return ModelInputs(new, inputs.source)


def with_settings(inputs: ModelInputs, values: dict[str, Any]) -> ModelInputs:
    """``inputs`` with Settings values set by row name (None: the row removed)."""
    rows = [list(r) for r in inputs.tables["Settings"]]
    for name, value in values.items():
        at = [i for i, r in enumerate(rows) if r[0] == name]
        if value is None:
            rows = [r for i, r in enumerate(rows) if i not in at]
        elif at:
            rows[at[0]][1] = value
        else:
            rows.append([name, value])
    return with_tables(inputs, Settings=rows)


def settings_row(inputs: ModelInputs, name: str) -> int:
    """The data row (1-based) of a Settings row."""
    return next(i for i, r in enumerate(inputs.tables["Settings"][1:], start=1) if r[0] == name)


def error_of(inputs: ModelInputs) -> str:
    with pytest.raises(InputError) as err:
        parse_model(inputs)
    return str(err.value)


def split_arguments(formula: str) -> tuple[str, list[str]]:
    """A formula's function name and its top-level arguments, as written."""
    m = re.fullmatch(r"=([A-Z_.]+)\((.*)\)", formula)
    assert m, formula
    args, depth, quoted, current = [], 0, False, ""
    for ch in m.group(2):
        if ch == "'" and depth == 0:
            quoted = not quoted
        if not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            args.append(current.strip())
            current = ""
        else:
            current += ch
    args.append(current.strip())
    return m.group(1), args


def calculations(path: Path) -> dict[str, tuple[str, str]]:
    """Calculations title -> (anchor, formula text)."""
    ws = load_workbook(path)["Calculations"]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, ArrayFormula):
                title = ws.cell(row=c.row - 2, column=1).value
                out[title] = (c.coordinate, c.value.text)
    return out


def formula_of(path: Path, function: str) -> tuple[str, list[str]]:
    """(anchor, arguments) of the Calculations formula calling ``function``."""
    for anchor, text in calculations(path).values():
        name, args = split_arguments(text)
        if name.split(".")[-1] == function:
            return anchor, args
    raise AssertionError(f"no {function} on the Calculations sheet")


def workings_label(wb, ref: str) -> str:
    """The Workings label (column A) of the row a reference sits on."""
    sheet, cells = ref.split("!")
    assert sheet == "'Workings'", ref
    _, row, _, last = range_boundaries(cells.replace("$", ""))
    assert row == last, ref
    return wb["Workings"].cell(row=row, column=1).value


@pytest.fixture(scope="module")
def inputs() -> ModelInputs:
    return read_model(EXAMPLE)


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "model.xlsx"
    write_model(blank_spec("Testshire", "999"), path)
    return path


# --------------------------------------------------------------------------
# the Mitigations table
# --------------------------------------------------------------------------
def test_mitigations_table_sits_on_its_own_sheet_with_its_columns(blank):
    wb = load_workbook(blank)
    assert "Mitigations" in wb.sheetnames
    ws = wb["Mitigations"]
    assert list(ws.tables) == ["Mitigations"]
    ref = ws.tables["Mitigations"].ref
    header = [c.value for c in next(iter(ws[ref]))]
    assert tuple(header) == MITIGATION_COLUMNS
    # a new model's table is blank, and reads as no mitigations
    assert len(parse_model_of_blank_filled(blank).mitigations) == 0


def parse_model_of_blank_filled(blank: Path):
    """The blank model with the example's other tables: its blank Mitigations rows parse."""
    tables = dict(read_model(EXAMPLE).tables)
    tables["Mitigations"] = read_model(blank).tables["Mitigations"]
    return parse_model(ModelInputs(tables))


def test_confidence_and_rag_are_validated_in_excel(blank):
    ws = load_workbook(blank)["Mitigations"]
    _, first, _, last = range_boundaries(ws.tables["Mitigations"].ref)
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    confidence = rules[f"E{first + 1}:E{last}"]
    assert (confidence.type, confidence.operator) == ("decimal", "between")
    assert (confidence.formula1, confidence.formula2) == ("0", "1")
    rag = rules[f"F{first + 1}:F{last}"]
    assert (rag.type, rag.formula1) == ("list", '"Green,Amber,Red"')
    assert confidence.showErrorMessage and rag.showErrorMessage
    assert ws.cell(row=first, column=5).value == "Confidence"
    assert ws.cell(row=first, column=6).value == "RAG"


def test_the_example_mitigations_are_parsed_into_the_model(inputs):
    model = parse_model(inputs)
    m = model.mitigations
    rows = example.mitigation_rows()
    assert len(m) == len(rows) == 12
    assert m.workstream == tuple(r[0] for r in rows)
    assert m.year == tuple(r[1] for r in rows)
    assert m.planned.tolist() == [float(r[2]) for r in rows]
    assert m.delivered.tolist() == [0.0] * 12  # every year is after the current year, 2024-25
    assert m.confidence.tolist() == [r[4] for r in rows]
    assert m.rag == tuple(r[5] for r in rows)
    assert set(m.year) == {"2025-26", "2026-27", "2027-28"}


def test_mitigations_leave_the_mitigated_plan_and_the_readme_figures_unchanged(inputs):
    """The Funding and Placements inputs are the mitigated plan: the savings change none of it."""
    with_m = parse_model(inputs)
    without = parse_model(with_tables(inputs, Mitigations=None))
    assert len(without.mitigations) == 0 and len(with_m.mitigations) == 12
    np.testing.assert_array_equal(cumulative_deficit(with_m), cumulative_deficit(without))
    years = list(with_m.years)
    k = years.index("2024-25")
    cum = cumulative_deficit(with_m)
    assert abs(cum[k - 1] - BROUGHT_FORWARD_2024_25) < PENNY
    assert abs(in_year_deficit(with_m)[k] - IN_YEAR_2024_25) < PENNY
    assert abs(cum[k] - CARRIED_FORWARD_2024_25) < PENNY
    a = monitoring_return(inputs).financial_summary
    b = monitoring_return(with_tables(inputs, Mitigations=None)).financial_summary
    assert a.equals(b)


def test_a_model_without_mitigations_or_write_off_settings_still_opens(tmp_path, inputs):
    """An older model: no Mitigations table, no write-off Settings rows: the defaults."""
    path = tmp_path / "old.xlsx"
    wb = load_workbook(EXAMPLE)
    del wb["Mitigations"]
    ws = wb["Inputs"]
    for r in range(ws.max_row, 0, -1):
        if ws.cell(row=r, column=1).value in (
            "Write-off year",
            "Write-off share",
            "Override end",
            "Usable reserves",
        ):
            ws.cell(row=r, column=1).value = None
            ws.cell(row=r, column=2).value = None
    wb.save(path)
    old = read_model(path)
    assert "Mitigations" not in old.tables
    model = parse_model(old)
    assert len(model.mitigations) == 0
    s = model.settings
    assert (s.write_off_year, s.write_off_share, s.override_end, s.usable_reserves) == (
        None,
        0.9,
        "2027-28",
        None,
    )


def test_the_reader_refuses_a_formula_in_mitigations_and_parse_a_missing_column(tmp_path):
    wb = load_workbook(EXAMPLE)
    ws = wb["Mitigations"]
    ws["C5"] = "=1000*2"
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_model(path)
    message = str(err.value)
    for part in ("table 'Mitigations'", "sheet 'Mitigations'", "'Planned saving'", "C5"):
        assert part in message, part
    ws["C5"] = 1000
    ws["F3"] = "Rating"  # the RAG column renamed
    wb.save(path)
    with pytest.raises(InputError, match="Mitigations: has no column 'RAG'"):
        parse_model(read_model(path))


def test_every_mitigation_problem_is_named_with_the_others(inputs):
    header = list(MITIGATION_COLUMNS)
    bad = [
        header,
        ["ERB places", "2025-26", -5, 0, 0.7, "Amber"],
        ["Special places", "2026-27", 1e6, "#REF!", 0.6, "Amber"],
        ["Inclusion", "2027-28", 1e6, 0, 1.5, "Purple"],
    ]
    funding = [list(r) for r in inputs.tables["Funding"]]
    funding[2][1] = "n/a"  # a bad Funding cell at the same time
    message = error_of(with_tables(inputs, Mitigations=bad, Funding=funding))
    for part in (
        "Mitigations row 1 'ERB places', column 'Planned saving': -5: must be 0 or more",
        "Mitigations row 2 'Special places', column 'Delivered saving': holds the Excel error #REF!",
        "Mitigations row 3 'Inclusion', column 'Confidence': 1.5: must be between 0 and 1",
        "Funding row 2",
        "column 'High Needs Block income'",
    ):
        assert part in message, part


def test_a_mitigation_rag_or_money_out_of_range_is_named(inputs):
    bad = [
        list(MITIGATION_COLUMNS),
        ["ERB places", "2025-26", 2 * MONEY_LIMIT, 0, 0.7, "Amber"],
        ["Special places", "2026-27", 1e6, 0, 0.6, "Blue"],
        ["Inclusion", "2027-28", 1e6, 0, 0.4, ""],
        ["PfA", "2027-28", 1e6, 0, 0.8, " green "],
    ]
    message = error_of(with_tables(inputs, Mitigations=bad))
    assert "Mitigations row 1 'ERB places', column 'Planned saving': 2e+12 is beyond" in message
    assert "Mitigations row 2 'Special places', column 'RAG': 'Blue' is not one of" in message
    assert "Mitigations row 3 'Inclusion', column 'RAG': blank is not one of" in message
    assert "row 4" not in message  # any case, spaces trimmed
    ok = parse_model(with_tables(inputs, Mitigations=[bad[0], bad[4]]))
    assert ok.mitigations.rag == ("Green",)


def test_a_mitigation_year_outside_the_funding_years_is_refused_naming_the_row(inputs):
    rows = [
        list(MITIGATION_COLUMNS),
        ["ERB places", "2025-26", 1e6, 0, 0.7, "Amber"],
        ["Special places", "2029-30", 1e6, 0, 0.6, "Amber"],
    ]
    message = error_of(with_tables(inputs, Mitigations=rows))
    assert message.endswith(
        "Mitigations row 2 'Special places', column 'Year': 2029-30 is not a Funding year "
        "(2023-24 to 2027-28)"
    )
    rows[2][1] = "2029"
    assert "Mitigations row 2 'Special places', column 'Year'" in error_of(
        with_tables(inputs, Mitigations=rows)
    )


# --------------------------------------------------------------------------
# the write-off Settings
# --------------------------------------------------------------------------
def test_the_example_sets_the_2026_write_off(inputs):
    s = parse_model(inputs).settings
    assert (s.write_off_year, s.write_off_share, s.override_end) == ("2026-27", 0.9, "2027-28")
    assert s.usable_reserves == example.USABLE_RESERVES


def test_blank_write_off_year_is_no_write_off_and_blanks_read_as_defaults(inputs):
    blanks = {"Write-off year": "", "Write-off share": None, "Override end": " "}
    s = parse_model(with_settings(inputs, {**blanks, "Usable reserves": ""})).settings
    assert (s.write_off_year, s.write_off_share, s.override_end, s.usable_reserves) == (
        None,
        0.9,
        "2027-28",
        None,
    )
    given = {"Write-off year": "2026/27", "Write-off share": 0}
    s = parse_model(with_settings(inputs, given)).settings
    assert (s.write_off_year, s.write_off_share) == ("2026-27", 0.0)


@pytest.mark.parametrize(
    ("setting", "value", "what"),
    [
        (
            "Write-off year",
            "2028-29",
            "2028-29 is not one of the Funding years (2023-24 to 2027-28)",
        ),
        ("Write-off year", "2023-24", "needs 2022-23, the year before 2023-24, among the Funding"),
        ("Write-off year", "next year", "is not a financial year"),
        ("Write-off share", 1.2, "1.2 is above 1"),
        ("Write-off share", -0.1, "-0.1 is negative"),
        ("Write-off share", "ninety", "text 'ninety' where a number belongs"),
        ("Override end", "2030-31", "2030-31 is not one of the Funding years"),
        ("Usable reserves", -1, "-1 is negative"),
        ("Usable reserves", 2e12, "2e+12 is beyond £1,000,000,000,000"),
        ("Usable reserves", "#REF!", "holds the Excel error #REF!"),
    ],
)
def test_a_bad_write_off_setting_is_named_by_its_row(inputs, setting, value, what):
    bad = with_settings(inputs, {setting: value})
    row = settings_row(bad, setting)
    message = error_of(bad)
    assert f"Settings row {row} '{setting}', column 'Value'" in message
    assert what in message


def test_write_off_settings_are_named_with_every_other_problem(inputs):
    bad = with_settings(
        inputs, {"Write-off year": "2031-32", "Write-off share": 3, "LA code": "87"}
    )
    bad = with_tables(
        bad,
        Mitigations=[list(MITIGATION_COLUMNS), ["ERB", "2019-20", 1, 0, 0.5, "Red"]],
    )
    message = error_of(bad)
    for part in (
        "'LA code'",
        "'Write-off share', column 'Value': 3 is above 1",
        "'Write-off year', column 'Value': 2031-32 is not one of the Funding years",
        "Mitigations row 1 'ERB', column 'Year': 2019-20 is not a Funding year",
    ):
        assert part in message, part


# --------------------------------------------------------------------------
# About, Sources
# --------------------------------------------------------------------------
def test_about_states_the_mitigations_convention_and_the_write_off(blank):
    texts = " ".join(
        str(c.value) for row in load_workbook(blank)["About"].iter_rows() for c in row if c.value
    )
    assert MITIGATION_CONVENTION in texts
    for needle in (
        "describe the mitigated plan",
        "Unmitigated spend = mitigated spend + the planned savings",
        "risk-adjusted spend = mitigated spend + planned saving x (1 - confidence)",
        "High Needs Stability Grant",
        "90% of the High Needs deficit built up to 31 March 2026",
        "paid in 2026-27",
        "conditional on an approved local SEND reform plan",
        "runs to the end of 2027-28",
        "falls on the council",
        "Write-off year",
        "Usable reserves",
    ):
        assert needle in texts, needle


def test_the_example_marks_its_workstreams_and_reserves_as_assumptions(inputs):
    sources = parse_model(inputs).sources
    by_item = {s.item: s for s in sources}
    workstreams = {w for w, _, _ in example.MITIGATIONS}
    for name in workstreams:
        s = by_item[f"Mitigation: {name}"]
        assert (s.status, s.sheet) == ("Assumption", "Mitigations")
        assert example.REPORT in s.source and "para 3." in s.source
    assert any("ERB" in w for w in workstreams)
    assert any("Special school" in w for w in workstreams)
    assert any("Inclusion" in w for w in workstreams)
    reserves = by_item["Usable reserves"]
    assert reserves.status == "Assumption" and "gives no reserves figure" in reserves.source
    assert by_item["Write-off year, share, override end"].status == "Assumption"


# --------------------------------------------------------------------------
# the Calculations sheet
# --------------------------------------------------------------------------
@pytest.mark.parametrize("officejs", [False, True])
def test_fan_and_write_off_formulas_point_at_the_right_ranges(tmp_path, officejs):
    path = tmp_path / "model.xlsx"
    write_model(example.example_spec(), path, officejs=officejs, namespace="DSG")
    prefix = "DSG." if officejs else ""
    formulas = {
        split_arguments(t)[0]: split_arguments(t)[1] for _, t in calculations(path).values()
    }
    assert set(formulas) >= {f"{prefix}DSG_FAN", f"{prefix}DEFICIT_WRITE_OFF"}
    trajectory = formulas[f"{prefix}DSG_TRAJECTORY"]
    fan = formulas[f"{prefix}DSG_FAN"]
    # DSG_TRAJECTORY's seven arguments, then the plan: the agreement's cumulative deficit
    assert fan[:7] == trajectory and len(trajectory) == 7
    assert fan[7:] == ["Agreement[Agreed cumulative deficit]"]
    wb = load_workbook(path)
    assert trajectory[0] == "Funding[Year]"
    assert trajectory[2] == "Funding[High Needs Block income]"
    assert workings_label(wb, trajectory[3]) == "High Needs expenditure"
    assert workings_label(wb, trajectory[4]) == "Block transfers in"
    assert workings_label(wb, trajectory[5]) == "Contributions applied to the deficit"
    write = formulas[f"{prefix}DEFICIT_WRITE_OFF"]
    assert len(write) == 5 and write[0] == "Funding[Year]"
    assert workings_label(wb, write[1]) == "Cumulative deficit carried forward"
    assert write[1] == formulas[f"{prefix}VARIANCE_TO_PLAN"][1]
    labels = [workings_label(wb, a) for a in write[2:]]
    assert labels == [
        "Write-off year (blank: no write-off)",
        "Write-off share (0 with no write-off)",
        "Override end (the last year the statutory override covers)",
    ]
    # each of those cells reads its Settings row
    for ref, setting in zip(
        write[2:], ("Write-off year", "Write-off share", "Override end"), strict=True
    ):
        cell = wb["Workings"][ref.split("!")[1].replace("$", "")]
        assert f'MATCH("{setting}",Settings[Setting],0)' in cell.value


def test_fan_and_write_off_have_room_to_spill():
    wb, _ = build_model(blank_spec("Testshire", "999"))
    ws = wb["Calculations"]
    n_years = len(blank_spec().funding_rows)
    for function, width in (("DSG_FAN", 7), ("DEFICIT_WRITE_OFF", 5)):
        anchor = next(
            c
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, ArrayFormula) and f"{function}(" in c.value.text
        )
        spill = [
            ws.cell(row=anchor.row + i, column=1 + j).value
            for i in range(n_years + 1)
            for j in range(width)
        ]
        assert spill[0] is anchor.value
        assert all(v is None for v in spill[1:]), function


@pytest.fixture(scope="module")
def recalculated(soffice, tmp_path_factory) -> dict[str, Path]:
    """The example, and the example with no write-off, recalculated by LibreOffice."""
    root = tmp_path_factory.mktemp("lo_write_off")
    batch = root / "batch"
    batch.mkdir()
    paths = [Path(shutil.copy(EXAMPLE, batch / "example.xlsx"))]
    spec = example.example_spec()
    spec.settings["Write-off year"] = None
    paths.append(write_model(spec, batch / "no_write_off.xlsx"))
    spec = example.example_spec()
    spec.settings["Write-off share"] = 0.5
    spec.settings["Usable reserves"] = None
    paths.append(write_model(spec, batch / "half.xlsx"))
    return recalculate_all(soffice, paths, root / "out")


def resolve(argument: str, formulas_wb, values_wb) -> list[list[Any]]:
    """A formula argument as Office.js sends it: the cells of the range it names."""
    if m := re.fullmatch(r"(\w+)\[([^\]]+)\]", argument):  # Table[Column]
        for ws in formulas_wb.worksheets:
            if m.group(1) in ws.tables:
                ref = ws.tables[m.group(1)].ref
                rows = [[c.value for c in r] for r in ws[ref]]
                j = rows[0].index(m.group(2))
                return [[r[j]] for r in rows[1:]]
        raise AssertionError(argument)
    sheet, cells = argument.split("!")
    ws = values_wb[sheet.strip("'")]
    rows = ws[cells.replace("$", "")]
    if not isinstance(rows, tuple):
        return [[rows.value]]
    if not isinstance(rows[0], tuple):
        rows = (rows,)
    return [[c.value for c in r] for r in rows]


@pytest.mark.libreoffice
def test_fan_and_write_off_through_officejs_with_the_example_ranges(recalculated, inputs):
    formulas_wb = load_workbook(EXAMPLE)
    values_wb = load_workbook(recalculated["example"], data_only=True)
    model = parse_model(inputs)
    n = len(model.years)
    cum = cumulative_deficit(model)

    _, fan_args = formula_of(EXAMPLE, "DSG_FAN")
    fan = call("dsg_fan", *(resolve(a, formulas_wb, values_wb) for a in fan_args))
    assert len(fan) == n + 1 and all(len(r) == 7 for r in fan)
    assert fan[0] == ["Year", "P10", "P50", "P90", "Deterministic", "Plan", "P(on track)"]
    assert [r[0] for r in fan[1:]] == list(model.years)
    for r, expected in zip(fan[1:], cum, strict=True):
        assert abs(r[4] - expected) < PENNY
        assert r[1] <= r[2] <= r[3]
        assert 0 <= r[6] <= 1
    assert [r[5] for r in fan[1:]] == model.agreement.agreed_deficit.tolist()
    assert not bad_cells(fan)

    _, write_args = formula_of(EXAMPLE, "DEFICIT_WRITE_OFF")
    table = call("deficit_write_off", *(resolve(a, formulas_wb, values_wb) for a in write_args))
    assert len(table) == n + 1 and all(len(r) == 5 for r in table)
    expected = write_off(list(model.years), cum, "2026-27", 0.9, "2027-28")
    for k, r in enumerate(table[1:]):
        assert abs(r[1] - cum[k]) < PENNY
        assert abs(r[2] - expected.write_off[k]) < PENNY
        assert abs(r[4] - expected.falls_on_council[k]) < PENNY


def dashboard_figures(path: Path) -> dict[str, Any]:
    ws = load_workbook(path, data_only=True)["Dashboard"]
    return {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
        for r in range(1, ws.max_row + 1)
        if ws.cell(row=r, column=1).value in WRITE_OFF_FIGURES
    }


@pytest.mark.libreoffice
@pytest.mark.parametrize(
    ("name", "year", "share", "reserves"),
    [
        ("example", "2026-27", 0.9, example.USABLE_RESERVES),
        ("no_write_off", None, 0.0, example.USABLE_RESERVES),
        ("half", "2026-27", 0.5, None),
    ],
)
def test_dashboard_write_off_figures_in_libreoffice_are_the_models(
    recalculated, inputs, name, year, share, reserves
):
    model = parse_model(inputs)
    years = list(model.years)
    cum = cumulative_deficit(model)
    w = write_off(years, cum, year or "2026-27", share, "2027-28")
    end = years.index("2027-28")
    shown = dashboard_figures(recalculated[name])
    assert list(shown) == list(WRITE_OFF_FIGURES)
    before, written, after, falls, held, left = (shown[k] for k in WRITE_OFF_FIGURES)
    if year is None:
        assert before in (None, "")
    else:
        assert abs(before - cum[years.index(year) - 1]) < PENNY
    assert abs(written - w.write_off.sum()) < PENNY
    assert abs(after - w.after[end]) < PENNY
    assert abs(falls - w.falls_on_council[end]) < PENNY
    if reserves is None:
        assert held in (None, "") and left in (None, "")
    else:
        assert held == reserves
        assert abs(left - (reserves - w.falls_on_council[end])) < PENNY
    if name == "example":  # the figures the report's trajectory leads to (0.9 x 31 March 2026)
        assert math.isclose(written, 0.9 * cum[years.index("2025-26")], abs_tol=PENNY)
        assert falls > 0


# --------------------------------------------------------------------------
# the fan chart
# --------------------------------------------------------------------------
def test_the_fan_chart_reads_the_refresh_sheets_block(blank):
    """The Dashboard's fan: the P10-P90 band stacked over an unfilled P10, with P50 and the
    agreed profile as lines, all from the Refresh sheet's block of the last refresh
    (workbooks/refresh_sheet.py: Year in E, P10 F, P50 G, P90 H, Agreed I, band J, from row 4)."""
    n = len(blank_spec().funding_rows)
    with zipfile.ZipFile(blank) as z:
        charts = [
            ChartSpace.from_tree(fromstring(z.read(name)))
            for name in z.namelist()
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name)
        ]
    fans = [c for c in charts if "Fan chart" in "".join(_title_text(c))]
    assert len(fans) == 1
    area = fans[0].chart.plotArea
    band, lines = area._charts  # openpyxl's reader keeps the plot's charts and axes here
    assert (type(band).__name__, band.grouping) == ("AreaChart", "stacked")
    assert type(lines).__name__ == "LineChart"

    def refs(chart):
        return [(s.tx.v, s.val.numRef.f, (s.cat.numRef or s.cat.strRef).f) for s in chart.ser]

    years = f"'Refresh'!$E$4:$E${3 + n}"
    assert refs(band) == [
        ("P10", f"'Refresh'!$F$4:$F${3 + n}", years),
        ("P10-P90 band", f"'Refresh'!$J$4:$J${3 + n}", years),
    ]
    assert band.ser[0].spPr.noFill  # the part under P10 is not drawn
    assert refs(lines) == [
        ("P50", f"'Refresh'!$G$4:$G${3 + n}", years),
        ("Agreed profile", f"'Refresh'!$I$4:$I${3 + n}", years),
    ]
    assert [a.delete for a in area._axes] == [False, False]  # both axes shown
    # a new model's block: its years and "not refreshed yet", no figures
    ws = load_workbook(blank)["Refresh"]
    assert ws["E1"].value == "Scenarios at the last refresh"
    assert str(ws["E2"].value).startswith("Not refreshed yet")
    assert [ws.cell(r, 5).value for r in range(4, 4 + n)] == [
        r[0] for r in blank_spec().funding_rows
    ]
    assert all(ws.cell(r, c).value is None for r in range(4, 4 + n) for c in range(6, 11))


def test_the_examples_fan_is_its_refresh(tmp_path):
    """The example ships with the block its refresh writes: the return's Scenarios sheet
    (10,000 scenarios, seed 1) as deficits, positive."""
    from addin.refresh_core import run_refresh
    from workbooks.refresh_sheet import FAN_HEADER

    written = run_refresh(read_model(EXAMPLE), out_dir=tmp_path)
    ws = load_workbook(EXAMPLE)["Refresh"]
    assert [ws.cell(3, c).value for c in range(5, 11)] == list(FAN_HEADER)
    shipped = [[ws.cell(r, c).value for c in range(5, 11)] for r in range(4, 9)]
    assert shipped == written.fan
    assert "10,000 scenarios (seed 1)" in ws["E2"].value


def _title_text(space) -> list[str]:
    rich = space.chart.title.tx.rich
    return [r.t for p in rich.p for r in (p.r or [])]


def test_every_bad_mitigation_cell_is_named_at_once(inputs):
    """A negative saving does not hide a bad RAG, nor an over-limit saving a blank one."""
    bad = [
        list(MITIGATION_COLUMNS),
        ["ERB places", "2025-26", -5, 0, 0.7, "Purple"],
        ["Special places", "2026-27", 2 * MONEY_LIMIT, 0, 0.6, None],
    ]
    message = error_of(with_tables(inputs, Mitigations=bad))
    assert "row 1 'ERB places', column 'Planned saving': -5: must be 0 or more" in message
    assert "row 1 'ERB places', column 'RAG': 'Purple' is not one of" in message
    assert "row 2 'Special places', column 'Planned saving': 2e+12 is beyond" in message
    assert "row 2 'Special places', column 'RAG': blank is not one of" in message
