"""An independent engine recalculates the written return: no error cell, every check PASS.

LibreOffice headless opens the return, recalculates every formula and saves a
copy; openpyxl reads the copy's cached values. Each LibreOffice start costs
seconds, so the returns of this module are written first and recalculated in
one call (the ``recalculated`` fixture).
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest

from addin.refresh import refresh, run_refresh
from models import monitoring as m
from models.monitoring import ReturnTable, monitoring_return
from tests import broken_returns
from tests.test_return import EXAMPLE, example_inputs, old_layout_template, read_block
from tests.test_return_checks import long_funding
from tests.test_return_scenarios import HOSTILE_WORKSTREAM, hostile_mitigations, scenarios_sheet
from tests.test_safe_text import HOSTILE, hostile_figures
from workbooks import return_spec as spec
from workbooks.model_reader import read_model
from workbooks.return_template import TEMPLATE_PATH
from workbooks.return_writer import write_return

pytestmark = pytest.mark.libreoffice

ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def recalculate_all(soffice: str, paths: list[Path], out: Path) -> dict[str, Path]:
    """Every file of ``paths`` (distinct names) recalculated by one LibreOffice run."""
    out.mkdir()
    profile = f"file:///tmp/lo_profile_{uuid.uuid4().hex}"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    converted = {p.stem: out / p.name for p in paths}
    missing = [name for name, p in converted.items() if not p.is_file()]
    assert not missing, f"LibreOffice wrote nothing for {missing}"
    return converted


def _copy(written: Path, batch: Path, name: str) -> Path:
    return Path(shutil.copy(written, batch / f"{name}.xlsx"))


@pytest.fixture(scope="module")
def recalculated(soffice, tmp_path_factory) -> dict[str, Path]:
    """Every return the tests below read, written and then recalculated in one LibreOffice run.

    ``example``: the embedded example; ``broken``: a line one pound out and a
    cumulative position 50p out, edited in the written file; ``old_layout``: the
    template with the census after Variance; one per case of
    ``tests.broken_returns.CASES``; ``years70`` and ``years70_<k>_<sign>``:
    70 Funding years (cumulative deficits near £5 x 10**11, close to the model's
    money limit), right and with the roll-forward a pound out either way; ``hostile``:
    formula-like free text everywhere the return takes text.
    """
    root = tmp_path_factory.mktemp("lo_batch")
    batch = root / "batch"
    batch.mkdir()
    paths = []

    def out(name: str) -> Path:
        return root / "returns" / name

    paths.append(_copy(refresh(read_model(EXAMPLE), out_dir=out("example")), batch, "example"))
    written = refresh(example_inputs(), out_dir=out("broken"))
    wb = openpyxl.load_workbook(written)
    ws = wb[spec.HIGH_NEEDS]
    ws["C5"] = ws["C5"].value + 1  # a line's forecast outturn one pound out
    fs = wb[spec.FINANCIAL_SUMMARY]
    fs["B13"] = fs["B13"].value - 0.5  # 2023-24 cumulative position 50p out
    wb.save(batch / "broken.xlsx")
    paths.append(batch / "broken.xlsx")
    template = old_layout_template(root / "old.xlsx")
    old = run_refresh(example_inputs(), template, out("old_layout")).path
    paths.append(_copy(old, batch, "old_layout"))
    for case in broken_returns.CASES:
        paths.append(_copy(broken_returns.write_case(case, out(case)).path, batch, case))
    fig = monitoring_return(long_funding(example_inputs(), 70))
    paths.append(
        _copy(
            write_return(fig, TEMPLATE_PATH, out("y"), broken_returns.AUDIT).path, batch, "years70"
        )
    )
    for k, d in ((35, 1.0), (35, -1.0), (69, 1.0), (69, -1.0)):
        fs_broken = fig.financial_summary.copy()
        fs_broken.loc[m.CUMULATIVE, fig.years[k]] += d
        bad = dataclasses.replace(fig, financial_summary_table=ReturnTable.from_frame(fs_broken))
        name = f"years70_{k}_{'high' if d > 0 else 'low'}"
        written = write_return(bad, TEMPLATE_PATH, out(name), broken_returns.AUDIT).path
        paths.append(_copy(written, batch, name))
    hostile = write_return(hostile_figures(), TEMPLATE_PATH, out("hostile"), broken_returns.AUDIT)
    paths.append(_copy(hostile.path, batch, "hostile"))
    planned = write_return(
        broken_returns.example_figures(), TEMPLATE_PATH, out("mitigations"), broken_returns.AUDIT
    )
    paths.append(_copy(planned.path, batch, "mitigations"))
    hostile = write_return(
        hostile_mitigations(), TEMPLATE_PATH, out("hostile_workstream"), broken_returns.AUDIT
    )
    paths.append(_copy(hostile.path, batch, "hostile_workstream"))
    return recalculate_all(soffice, paths, root / "recalculated")


def error_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(ERRORS)
    ]


def check_results(path: Path) -> dict[str, str]:
    block = read_block(openpyxl.load_workbook(path, data_only=True)[spec.CHECKS], "Check")
    return {label: block[(label.casefold(), "result")] for label in spec.CHECK_LABELS}


def test_example_return_recalculates_with_every_check_pass(recalculated):
    again = recalculated["example"]
    assert error_cells(again) == []
    assert check_results(again) == {label: spec.PASS for label in spec.CHECK_LABELS}
    fs = read_block(
        openpyxl.load_workbook(again, data_only=True)[spec.FINANCIAL_SUMMARY], spec.MEASURE
    )
    assert fs[("in-year surplus/(deficit)", "2024-25")] == -11_730_000
    assert fs[("cumulative surplus/(deficit) carried forward", "2024-25")] == -51_745_000


def test_a_broken_figure_makes_its_check_fail(recalculated):
    results = check_results(recalculated["broken"])
    assert results[spec.CHECK_LINES] == spec.FAIL
    assert results[spec.CHECK_ROLL_FORWARD] == spec.FAIL
    assert results[spec.CHECK_EHCP] == spec.PASS
    assert results[spec.CHECK_PERIOD] == spec.PASS


def test_a_template_with_the_history_after_variance_recalculates_with_every_check_pass(
    recalculated,
):
    """The earlier layout (census columns after Variance): the checks' formulas follow the columns."""
    again = recalculated["old_layout"]
    assert error_cells(again) == []
    assert check_results(again) == {label: spec.PASS for label in spec.CHECK_LABELS}


@pytest.mark.parametrize("case", sorted(broken_returns.CASES))
def test_each_check_fails_in_libreoffice_as_in_python_for_a_figure_broken_either_way(
    recalculated, case, tmp_path
):
    """A figure one pound high and one pound low: the live formula FAILs, as the writer says."""
    lo = broken_returns.failing(check_results(recalculated[case]))
    python = broken_returns.write_case(case, tmp_path)
    assert lo == broken_returns.CASES[case][1]
    assert lo == broken_returns.failing({c.check: c.result for c in python.checks})


def test_seventy_funding_years_pass_in_libreoffice_and_a_pound_off_fails(recalculated):
    assert check_results(recalculated["years70"]) == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)
    for name in ("years70_35_high", "years70_35_low", "years70_69_high", "years70_69_low"):
        assert broken_returns.failing(check_results(recalculated[name])) == {
            spec.CHECK_ROLL_FORWARD,
            spec.CHECK_SCENARIOS,  # the Scenarios sheet's Mitigated view of that year
        }, name


def test_formula_like_text_stays_text_after_libreoffice_recalculates(recalculated):
    """LibreOffice reads every hostile text back as the text written, and computes nothing."""
    again = recalculated["hostile"]
    assert error_cells(again) == []
    wb = openpyxl.load_workbook(again, data_only=True)
    texts = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert set(HOSTILE) <= texts
    assert check_results(again) == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)


def test_mitigations_scenarios_and_the_write_off_recalculate_with_every_check_pass(recalculated):
    """The Mitigations and Scenarios sheets' checks are live: LibreOffice computes them PASS,
    and reads the Scenarios sheet's figures back as written (negative for a deficit)."""
    again = recalculated["mitigations"]
    assert error_cells(again) == []
    assert check_results(again) == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)
    fig = broken_returns.example_figures()
    sheet = scenarios_sheet(again)
    for row in fig.scenarios_table.cells:
        got = sheet[row[0]]
        for name, want in zip(fig.scenarios_table.columns[1:], row[1:], strict=True):
            assert want is None or abs(got[name.casefold()] - want) <= 0.005, (row[0], name)


def test_a_workstream_named_as_a_formula_stays_text_in_libreoffice(recalculated):
    again = recalculated["hostile_workstream"]
    assert error_cells(again) == []
    ws = openpyxl.load_workbook(again, data_only=True)[spec.MITIGATIONS]
    assert HOSTILE_WORKSTREAM in {ws.cell(r, 1).value for r in range(1, ws.max_row + 1)}
    notes = openpyxl.load_workbook(again, data_only=True)[spec.NOTES]
    items = [notes.cell(r, 2).value or "" for r in range(1, notes.max_row + 1)]
    assert any(i.startswith(HOSTILE_WORKSTREAM) for i in items)
    assert check_results(again) == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)
