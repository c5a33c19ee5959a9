"""Hostile caseload extracts, tried as an attacker (or a damaged export) would.

Each case is refused by ``dsg caseload`` with exit 2, naming the file, row
and column, and nothing is written; or, where the data is usable, counted
with what was assumed said in the output. The extracts are synthetic.
"""

from __future__ import annotations

import csv
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from addin.cli import main
from models.caseload import EXTRACT_COLUMNS, caseload_counts
from models.errors import InputError
from workbooks.extracts import read_extract, read_mapping

CENSUS = "2025-01-16"
HEADERS = [*EXTRACT_COLUMNS, "Notes"]


def plan(i: int, **cells: str) -> list[str]:
    """One active plan at the census (a mainstream academy, born 2012), as CSV text."""
    row = {
        "Child ID": f"C{i}",
        "Date of birth": "2012-03-01",
        "Placement type": "Academy",
        "Primary need": "ASD",
        "Plan start date": "2021-01-01",
        "Plan end date": "",
        "Notes": "",
    }
    row.update(cells)
    return [row[h] for h in HEADERS]


def write_csv(folder: Path, rows: list[list[str]], name: str = "extract.csv") -> Path:
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def dsg(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["caseload", *args, "--census-date", CENSUS])
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(path: Path, out_dir: Path, capsys) -> str:
    """Run ``dsg caseload --out``: exit 2, nothing on stdout, nothing written; the message."""
    code, out, err = dsg([str(path), "--out", str(out_dir)], capsys)
    assert code == 2, err
    assert out == ""
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
    return err


# --------------------------------------------------------------------------- control characters


def test_control_character_in_csv_refused_naming_row_and_column(tmp_path, capsys):
    rows = [plan(i) for i in range(1, 6)]
    rows[2] = plan(3, **{"Child ID": "C\x073"})
    rows[4] = plan(5, **{"Placement type": "Acad\x00emy"})
    err = refused(write_csv(tmp_path, rows), tmp_path / "out", capsys)
    assert (
        "dsg caseload: extract.csv row 4, column 'Child ID': holds the control character "
        "U+0007 ('C\\x073')"
    ) in err
    assert "extract.csv row 6, column 'Placement type': holds the control character U+0000" in err


def test_control_character_only_in_an_ignored_column_is_harmless(tmp_path, capsys):
    rows = [plan(1, Notes="bell\x07"), plan(2)]
    code, out, err = dsg([str(write_csv(tmp_path, rows)), "--format", "csv"], capsys)
    assert code == 0 and err == ""
    assert "Total,2" in out.splitlines()


def test_control_character_in_xlsx_refused(tmp_path, capsys):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(plan(1))
    ws.append(plan(2, **{"Child ID": "CTRLMARK"}))
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    # openpyxl refuses to write a control character; Excel stores one escaped as _x0007_.
    path = tmp_path / "extract.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info).replace(b"CTRLMARK", b"C_x0007_2"))
    err = refused(path, tmp_path / "out", capsys)
    assert "extract.xlsx row 3, column 'Child ID': holds the control character U+0007" in err


# --------------------------------------------------------------------------- stray quotes


def test_one_stray_quote_no_longer_drops_every_later_row(tmp_path, capsys):
    rows = [plan(i) for i in range(1, 1002)]
    path = write_csv(tmp_path, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace(",Academy,", ',"Academy,', 1)  # row 6 of the file: C5
    path.write_text("".join(lines), encoding="utf-8")
    err = refused(path, tmp_path / "out", capsys)
    assert "dsg caseload: extract.csv row 6, column 'Placement type': a quote opens a field " in err
    assert "runs over 996 line ends to the end of the file" in err


def test_a_quote_closed_a_few_lines_later_is_refused_too(tmp_path, capsys):
    rows = [plan(i) for i in range(1, 21)]
    path = write_csv(tmp_path, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",ASD,", ',"ASD,', 1)
    lines[6] = lines[6].replace(",ASD,", ',ASD",', 1)
    path.write_text("".join(lines), encoding="utf-8")
    err = refused(path, tmp_path / "out", capsys)
    assert "extract.csv row 4, column 'Primary need': a quote opens a field here that runs " in err
    assert "over 3 line ends to line 7" in err


def test_quoted_commas_still_read(tmp_path, capsys):
    rows = [plan(1, Notes="moved, twice"), plan(2, **{"Placement type": "Academy"})]
    code, out, _ = dsg([str(write_csv(tmp_path, rows)), "--format", "csv"], capsys)
    assert code == 0 and "Total,2" in out.splitlines()


def test_quote_in_an_ignored_column_is_found_by_the_line_count(tmp_path, capsys):
    # The Notes column is not read, but its stray quote still swallows the rows after it.
    path = write_csv(tmp_path, [plan(i) for i in range(1, 50)])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10] = lines[10].rstrip("\n") + '"see file\n'
    path.write_text("".join(lines), encoding="utf-8")
    err = refused(path, tmp_path / "out", capsys)
    assert "extract.csv row 11, column 'Notes': a quote opens a field here" in err
    assert "over 39 line ends to the end of the file" in err


def test_ragged_rows_with_a_stray_quote_are_refused_by_the_csv_module(tmp_path, capsys):
    path = tmp_path / "extract.csv"
    text = ",".join(HEADERS) + "\n" + ",".join(plan(1)) + ",extra\n"
    text += ",".join(plan(2)).replace("Academy", '"Academy', 1) + "\n" + ",".join(plan(3)) + "\n"
    path.write_text(text, encoding="utf-8")
    err = refused(path, tmp_path / "out", capsys)
    assert "extract.csv row 3, column 'Placement type': a quote opens a field" in err


# --------------------------------------------------------------------------- US dates


def test_us_dates_refused_naming_the_row_and_column(tmp_path, capsys):
    rows = [plan(i, **{"Date of birth": "09/01/2012"}) for i in range(1, 5)]
    rows[2] = plan(3, **{"Date of birth": "09/13/2012"})
    err = refused(write_csv(tmp_path, rows), tmp_path / "out", capsys)
    assert (
        "dsg caseload: extract.csv row 4, column 'Date of birth': '09/13/2012' cannot be "
        "day/month/year (month 13): the column looks like US month/day/year dates (rows 4)"
    ) in err


def test_dates_that_read_either_way_are_uk_and_said_so(tmp_path, capsys):
    rows = [
        plan(1, **{"Plan start date": "09/01/2019"}),
        plan(2, **{"Plan start date": "13/01/2019"}),
    ]
    path = write_csv(tmp_path, rows)
    result = caseload_counts(read_extract(path).table, CENSUS, read_mapping())
    assert result.counted == 2
    note = (
        "Plan start date: 1 date such as '09/01/2019' could be read either way; read as UK "
        "day/month/year (9 January 2019), as are all dates written with '/'"
    )
    assert result.notes == (note,)
    code, out, err = dsg([str(path)], capsys)
    assert code == 0 and f"  {note}" in out.splitlines()
    code, out, err = dsg([str(path), "--format", "csv"], capsys)
    assert code == 0 and err == f"dsg caseload: note: {note}\n"
    # A plan starting 1 September 2019 read as 9 January: the start is before the census either
    # way; what matters is that the reading is stated.
    assert pd.Timestamp("2019-01-09") < pd.Timestamp(CENSUS)


def test_no_note_when_no_date_is_ambiguous(tmp_path):
    rows = [
        plan(1, **{"Plan start date": "13/01/2019"}),
        plan(2, **{"Plan start date": "01/01/2019"}),
    ]
    result = caseload_counts(read_extract(write_csv(tmp_path, rows)).table, CENSUS, read_mapping())
    assert result.notes == () and result.counted == 2


# --------------------------------------------------------------------------- one Child ID, many rows


def test_many_rows_sharing_one_child_id_cost_linear_memory():
    n = 40_000
    frame = pd.DataFrame(
        {
            "Child ID": ["C1"] * n,
            "Date of birth": ["2012-03-01"] * n,
            "Placement type": ["Academy"] * n,
            "Primary need": ["ASD"] * n,
            "Plan start date": ["2021-01-01"] * n,
            "Plan end date": [""] * n,
        },
        dtype=object,
    )
    mapping = read_mapping()
    tracemalloc.start()
    try:
        result = caseload_counts(frame, CENSUS, mapping)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Listing every row in every row's detail took 10.6 GB at this size; linear is a few MB.
    assert peak < 100_000_000, f"peak {peak / 1e6:.0f} MB"
    assert result.excluded == n and result.counted == 0
    details = result.problems["Detail"]
    assert details.iloc[0] == (
        "active plans for this child in data rows 1, 2, 3, 4, 5 and 39,995 more"
    )
    assert details.map(len).max() < 100


def test_small_duplicate_groups_name_every_row():
    frame = pd.DataFrame(
        {
            "Child ID": ["A", "B", "a", "A"],
            "Date of birth": ["2012-03-01"] * 4,
            "Placement type": ["Academy"] * 4,
            "Primary need": ["ASD"] * 4,
            "Plan start date": ["2021-01-01"] * 4,
            "Plan end date": [""] * 4,
        },
        dtype=object,
    )
    result = caseload_counts(frame, CENSUS, read_mapping())
    assert (
        result.problems["Detail"].tolist()
        == ["active plans for this child in data rows 1, 3, 4"] * 3
    )
    assert result.counted == 1


def test_reader_refusal_is_an_input_error(tmp_path):
    rows = [plan(1, **{"Child ID": "\x1b"})]
    with pytest.raises(InputError, match="row 2, column 'Child ID'"):
        read_extract(write_csv(tmp_path, rows))


def test_the_command_itself_exits_2_and_writes_nothing(tmp_path):
    import os
    import subprocess
    import sys

    rows = [plan(i) for i in range(1, 30)]
    rows[3] = plan(4, **{"Child ID": "C\x0c4"})
    path = write_csv(tmp_path, rows)
    out_dir = tmp_path / "out"
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "addin.cli",
            "caseload",
            str(path),
            "--census-date",
            CENSUS,
            "--out",
            str(out_dir),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "extract.csv row 5, column 'Child ID': holds the control character U+000C" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
