"""``dsg refresh`` runs without pandas, and tables as rows or as DataFrames give one return.

The refresh is what a person waits for (README, Speed): importing pandas
alone takes as long as the whole floor the benchmark measures against, so the
refresh's path (the model reader, the typed model, the figures, the writer)
holds its tables as rows and numpy arrays. These tests check that structure,
not a time (benchmarks/refresh_benchmark.py measures the time).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from models.inputs import ModelInputs
from models.monitoring import canonical_inputs, monitoring_return
from workbooks.example_cambridgeshire import EXAMPLE_PATH
from workbooks.model_reader import ModelFileError, read_model

REPO = Path(__file__).resolve().parents[1]


def test_dsg_refresh_imports_neither_pandas_nor_xlwings(tmp_path):
    out = tmp_path / "returns"
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['dsg', 'refresh', '--out', {str(out)!r}]\n"
        "try:\n"
        "    runpy.run_module('addin.cli', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    code = e.code\n"
        "else:\n"
        "    code = 0\n"
        "print('exit', code)\n"
        "print('heavy', *sorted(m for m in ('pandas', 'xlwings') if m in sys.modules))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    lines = run.stdout.splitlines()
    assert "exit 0" in lines, run.stderr
    assert lines[-1] == "heavy", f"imported by dsg refresh: {lines[-1][6:]}"
    written = list(out.glob("*.xlsx"))
    assert [p.name for p in written] == ["873_2024-25_Q2_DSG_monitoring_return.xlsx"]
    assert str(written[0]) in lines


def test_the_model_reader_hands_over_rows():
    inputs = read_model(EXAMPLE_PATH)
    for name, table in inputs.tables.items():
        assert type(table) is list and all(type(r) is list for r in table), name
    assert inputs.tables["Funding"][0][:2] == ["Year", "High Needs Block income"]


def test_tables_as_rows_or_as_dataframes_give_the_same_return_and_fingerprint():
    """An open book may still hand over DataFrames (and tests build them): the same figures."""
    rows = read_model(EXAMPLE_PATH)
    frames = ModelInputs({n: rows.frame(n) for n in rows.tables}, rows.source)
    assert all(isinstance(t, pd.DataFrame) for t in frames.tables.values())
    assert canonical_inputs(rows) == canonical_inputs(frames)
    a, b = monitoring_return(rows), monitoring_return(frames)
    for table in ("financial_summary", "high_needs", "ehcp", "block_movements", "safety_valve"):
        assert getattr(a, f"{table}_table").cells == getattr(b, f"{table}_table").cells, table
    summary = a.financial_summary
    # Committee report 3.8: £40.015m brought forward, £11.730m in-year, £51.745m carried.
    assert round(-summary.loc["Cumulative surplus/(deficit) carried forward", "2024-25"], 2) == (
        51_745_000.0
    )
    assert round(-summary.loc["In-year surplus/(deficit)", "2024-25"], 2) == 11_730_000.0


def test_a_damaged_sheet_or_table_part_read_lazily_is_refused_as_the_model_file(tmp_path):
    """The reader opens the model read-only, so a damaged table part or sheet shows only when
    read: it is still refused as the model file, never a crash (dsg refresh exits 2)."""
    for part in ("xl/tables/table3.xml", "xl/worksheets/sheet6.xml"):
        damaged = tmp_path / f"{Path(part).stem}.xlsx"
        with zipfile.ZipFile(EXAMPLE_PATH) as zin, zipfile.ZipFile(damaged, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                zout.writestr(item, data[: len(data) // 2] if item.filename == part else data)
        with pytest.raises(ModelFileError, match="cannot be opened as an .xlsx workbook"):
            read_model(damaged)
        run = subprocess.run(
            [sys.executable, "-m", "addin.cli", "refresh", str(damaged), "--out", str(tmp_path)],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ, PYTHONPATH=str(REPO)),
        )
        assert run.returncode == 2, run.stderr
        assert "cannot be opened as an .xlsx workbook" in run.stderr
        assert not list(tmp_path.glob("873_*.xlsx"))
