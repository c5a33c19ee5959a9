"""A large first sheet is read a block of rows at a time: the same table as read whole.

The block size is made tiny here so that small synthetic workbooks cross many
block boundaries: blank rows across a boundary, a column blank in a whole block,
a header below blank rows, extra columns, other sheets, and rows without their
row number (read whole instead).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

import workbooks.extracts as extracts
from benchmarks.caseload_benchmark import CENSUS, make_extract, write_xlsx
from models.caseload import EXTRACT_COLUMNS, caseload_counts
from workbooks.extracts import read_extract, read_mapping


def tricky_workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Extract"
    ws.append([])
    ws.append([])
    ws.append(["Notes", *EXTRACT_COLUMNS, "Case worker"])
    for i in range(400):
        if i in (50, 51, 52, 199, 200):
            ws.append([])  # blank rows inside the data
            continue
        end = dt.date(2026, 1, 1) if 100 <= i < 300 else None  # a column blank for long runs
        ws.append(
            [
                "x" * (i % 7),
                f"C{i}" if i % 3 else i,
                dt.date(2010, 1, 1) + dt.timedelta(days=i),
                ["Academy", "PRU", "sen unit"][i % 3],
                "ASD",
                "15/03/2021" if i % 5 == 0 else dt.date(2021, 3, 15),
                end,
                "Team 1",
            ]
        )
    wb.create_sheet("Other").append(["not", "read"])
    wb.save(path)
    return path


@pytest.fixture()
def tiny_blocks(monkeypatch):
    monkeypatch.setattr(extracts, "SHEET_BLOCK_BYTES", 3000)
    monkeypatch.setattr(extracts, "_READ_BYTES", 700)


def read_whole(path: Path, monkeypatch) -> extracts.Extract:
    with monkeypatch.context() as m:
        m.setattr(extracts, "SHEET_BLOCK_BYTES", 10**12)
        return read_extract(path)


def test_blocks_give_the_table_read_whole(tmp_path, monkeypatch, tiny_blocks):
    path = tricky_workbook(tmp_path / "extract.xlsx")
    calls = []
    original = extracts._block
    monkeypatch.setattr(extracts, "_block", lambda *a: calls.append(1) or original(*a))
    blocks = read_extract(path)
    assert len(calls) > 10  # many blocks were read
    whole = read_whole(path, monkeypatch)
    assert blocks.header_row == whole.header_row == 3
    pd.testing.assert_frame_equal(blocks.table, whole.table)
    assert len(blocks.table) == 400
    assert blocks.table.iloc[50].tolist() == [""] * 6  # a blank row kept in place


def test_rows_without_numbers_are_read_whole(tmp_path, monkeypatch, tiny_blocks):
    path = tricky_workbook(tmp_path / "plain.xlsx")
    stripped = tmp_path / "extract.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'(<row) r="\d+"', rb"\1", data)
                data = re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data)
            dst.writestr(info, data)
    whole_called = []
    original = extracts._whole_sheet
    monkeypatch.setattr(extracts, "_whole_sheet", lambda p: whole_called.append(1) or original(p))
    extract = read_extract(stripped)
    assert whole_called == [1]
    assert extract.table["Child ID"].iloc[1] == "C1"


def test_the_benchmark_extract_counts_the_same_in_blocks(tmp_path, monkeypatch):
    frame, known = make_extract(6000, seed=11)
    path = tmp_path / "bench.xlsx"
    write_xlsx(frame, path)
    monkeypatch.setattr(extracts, "SHEET_BLOCK_BYTES", 100_000)
    monkeypatch.setattr(extracts, "_READ_BYTES", 30_000)
    extract = read_extract(path)
    r = caseload_counts(extract.table, CENSUS, read_mapping(), header_row=extract.header_row)
    assert r.by_category.tolist() == known["by_category"]
    assert r.by_age.tolist() == known["by_age"]
    assert (r.excluded, r.not_active, r.rows) == (known["excluded"], known["not_active"], 6000)


def to_shared_strings(src: Path, dst: Path) -> Path:
    """The workbook with its inline strings moved to a shared-string table, as Excel saves."""
    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = table.setdefault(match.group(3), len(table))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(
                    rb'<c r="(\w+)"((?: s="\d+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>',
                    shared,
                    data,
                )
                data = re.sub(
                    rb'<c r="(\w+)"((?: s="\d+")?) t="inlineStr" ?/>', rb'<c r="\1"\2/>', data
                )
            elif info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            zout.writestr(info, data)
        items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % t for t in table)
        zout.writestr(
            "xl/sharedStrings.xml",
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="%d" uniqueCount="%d">%s</sst>' % (len(table), len(table), items),
        )
    assert table, "no inline strings were found to share"
    return dst


def test_blocks_with_a_shared_string_table(tmp_path, monkeypatch, tiny_blocks):
    path = to_shared_strings(tricky_workbook(tmp_path / "inline.xlsx"), tmp_path / "extract.xlsx")
    with zipfile.ZipFile(path) as z:
        assert b"inlineStr" not in z.read("xl/worksheets/sheet1.xml")
    blocks = read_extract(path)
    whole = read_whole(path, monkeypatch)
    pd.testing.assert_frame_equal(blocks.table, whole.table)
    assert blocks.table["Placement type"].iloc[:3].tolist() == ["Academy", "PRU", "sen unit"]
    assert blocks.table["Child ID"].iloc[1] == "C1"


def test_blocks_without_in_memory_files_leave_nothing_behind(tmp_path, monkeypatch, tiny_blocks):
    # Where the system has no anonymous in-memory files (Windows, macOS), each block goes
    # through a file in a private temporary folder, removed when the read ends.
    import os
    import tempfile

    path = tricky_workbook(tmp_path / "extract.xlsx")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    blocks = read_extract(path)
    assert list(scratch.iterdir()) == []
    pd.testing.assert_frame_equal(blocks.table, read_whole(path, monkeypatch).table)
