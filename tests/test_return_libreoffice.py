"""An independent engine recalculates the written return: no error cell, every check PASS.

LibreOffice headless opens the return, recalculates every formula and saves a
copy; openpyxl reads the copy's cached values.
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest

from addin.refresh import refresh, run_refresh
from tests.test_return import EXAMPLE, example_inputs, old_layout_template, read_block
from workbooks import return_spec as spec
from workbooks.model_reader import read_model

pytestmark = pytest.mark.libreoffice

ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


def recalculate(soffice: str, path: Path, tmp_path: Path) -> Path:
    """``path`` recalculated and saved again by LibreOffice (a private profile per run)."""
    out = tmp_path / f"lo_{uuid.uuid4().hex[:8]}"
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
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / path.name
    assert converted.is_file(), f"LibreOffice wrote nothing for {path}"
    return converted


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


def test_example_return_recalculates_with_every_check_pass(soffice, tmp_path):
    path = refresh(read_model(EXAMPLE), out_dir=tmp_path / "returns")
    again = recalculate(soffice, path, tmp_path)
    assert error_cells(again) == []
    assert check_results(again) == {label: spec.PASS for label in spec.CHECK_LABELS}
    fs = read_block(
        openpyxl.load_workbook(again, data_only=True)[spec.FINANCIAL_SUMMARY], spec.MEASURE
    )
    assert fs[("in-year surplus/(deficit)", "2024-25")] == -11_730_000
    assert fs[("cumulative surplus/(deficit) carried forward", "2024-25")] == -51_745_000


def test_a_broken_figure_makes_its_check_fail(soffice, tmp_path):
    path = refresh(example_inputs(), out_dir=tmp_path / "returns")
    wb = openpyxl.load_workbook(path)
    ws = wb[spec.HIGH_NEEDS]
    ws["C5"] = ws["C5"].value + 1  # a line's forecast outturn one pound out
    fs = wb[spec.FINANCIAL_SUMMARY]
    fs["B12"] = fs["B12"].value - 0.5  # 2023-24 cumulative position 50p out
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    results = check_results(recalculate(soffice, broken, tmp_path))
    assert results[spec.CHECK_LINES] == spec.FAIL
    assert results[spec.CHECK_ROLL_FORWARD] == spec.FAIL
    assert results[spec.CHECK_EHCP] == spec.PASS
    assert results[spec.CHECK_PERIOD] == spec.PASS


def test_a_template_with_the_history_after_variance_recalculates_with_every_check_pass(
    soffice, tmp_path
):
    """The earlier layout (census columns after Variance): the checks' formulas follow the columns."""
    template = old_layout_template(tmp_path / "old.xlsx")
    path = run_refresh(example_inputs(), template, tmp_path / "returns").path
    again = recalculate(soffice, path, tmp_path)
    assert error_cells(again) == []
    assert check_results(again) == {label: spec.PASS for label in spec.CHECK_LABELS}
