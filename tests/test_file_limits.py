"""Sizes checked before parsing: zip bombs, huge shared strings, lying zips, DTDs, CSV caps.

The hostile files are built here: real zips whose parts really inflate to what
they declare (a gigabyte compresses to a few MB in about a second), or whose
declarations lie. Each refusal must come before any parser reads the file:
the parsers are replaced by ones that fail the test if called.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from openpyxl import Workbook

import workbooks.extracts as extracts
import workbooks.model_reader as model_reader
from addin.cli import main
from models.caseload import EXTRACT_COLUMNS
from models.errors import InputError
from workbooks.limits import (
    DFE_LIMITS,
    EXTRACT_LIMITS,
    MODEL_LIMITS,
    CsvLimits,
    check_csv,
    check_xlsx,
    check_zip,
)
from workbooks.model_reader import ModelFileError, read_model

EXAMPLE = Path(model_reader.__file__).resolve().parent / "examples" / "cambridgeshire.xlsx"
GB = 1_000_000_000


def rebuild(base: Path, path: Path, replace: dict[str, object]) -> Path:
    """A copy of the workbook ``base`` with some parts replaced.

    A replacement is bytes, or ``(head, filler, times, tail)`` streamed so that
    a gigabyte part never sits in memory: ``head + filler * times + tail``.
    """
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        names = [i.filename for i in src.infolist()]
        for name in [*names, *(n for n in replace if n not in names)]:
            new = replace.get(name, None)
            if new is None:
                dst.writestr(name, src.read(name))
            elif isinstance(new, bytes):
                dst.writestr(name, new)
            else:
                head, filler, times, tail = new
                zinfo = zipfile.ZipInfo(name)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                zinfo._compresslevel = 1  # type: ignore[attr-defined]
                with dst.open(zinfo, "w", force_zip64=True) as out:
                    out.write(head)
                    for _ in range(times):
                        out.write(filler)
                    out.write(tail)
    return path


def sheet_part(book: Path) -> str:
    with zipfile.ZipFile(book) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/worksheets/sheet"))[0]


SHEET_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
ROW = b'<row><c t="inlineStr"><is><t>padding</t></is></c></row>' * 20_000  # 1 MB


@pytest.fixture(scope="module")
def model_bomb(tmp_path_factory) -> Path:
    """The example model with one sheet that inflates to 1 GB (a few MB on disk)."""
    folder = tmp_path_factory.mktemp("bomb")
    part = sheet_part(EXAMPLE)
    return rebuild(
        EXAMPLE,
        folder / "model.xlsx",
        {part: (SHEET_HEAD, ROW, GB // len(ROW) + 1, b"</sheetData></worksheet>")},
    )


@pytest.fixture()
def no_parsers(monkeypatch):
    """Fail the test if openpyxl or calamine is asked to read anything."""

    def fail(*args, **kwargs):
        raise AssertionError("a parser was called before the sizes were checked")

    monkeypatch.setattr(model_reader, "load_workbook", fail)
    monkeypatch.setattr(openpyxl, "load_workbook", fail)
    # the readers import calamine when they run: patch it where they take it from
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", type("C", (), {"from_path": fail}))


def test_model_inflating_to_a_gigabyte_refused_before_parsing(model_bomb, no_parsers):
    assert model_bomb.stat().st_size < 10_000_000
    with pytest.raises(ModelFileError) as caught:
        read_model(model_bomb)
    message = str(caught.value)
    assert f"model workbook {model_bomb}: sheet 'xl/worksheets/" in message
    assert "inflates to 1.0 GB; the limit is 200 MB, far above any council model" in message


def test_refresh_of_a_bomb_exits_2_naming_the_limit(model_bomb, no_parsers, capsys, tmp_path):
    code = main(["refresh", str(model_bomb), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "inflates to 1.0 GB; the limit is 200 MB" in err
    assert list(tmp_path.iterdir()) == []


def extract_book(folder: Path, rows: int = 3) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(list(EXTRACT_COLUMNS))
    for i in range(rows):
        ws.append([f"C{i}", "2012-03-01", "Academy", "ASD", "2021-01-01", None])
    path = folder / "plain.xlsx"
    wb.save(path)
    return path


def test_a_gigabyte_shared_string_refused_before_parsing(tmp_path, no_parsers, capsys):
    base = extract_book(tmp_path)
    sst = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
        b"A" * 1_000_000,
        1000,
        b"</t></si></sst>",
    )
    path = rebuild(base, tmp_path / "extract.xlsx", {"xl/sharedStrings.xml": sst})
    code = main(["caseload", str(path), "--census-date", "2025-01-16"])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "dsg caseload: extract.xlsx: shared-strings part 'xl/sharedStrings.xml' inflates to "
        "1.0 GB; the limit is 500 MB, far above a national extract"
    ) in err
    # The model workbook's limit for shared strings is lower still.
    with pytest.raises(InputError, match="inflates to 1.0 GB; the limit is 100 MB"):
        check_xlsx(path, MODEL_LIMITS)


def test_compression_ratio_of_a_large_part_is_limited(tmp_path, no_parsers):
    base = extract_book(tmp_path)
    zeros = (SHEET_HEAD, b" " * 1_000_000, 50, b"</sheetData></worksheet>")
    path = rebuild(base, tmp_path / "extract.xlsx", {sheet_part(base): zeros})
    with pytest.raises(InputError) as caught:
        read_extract_(path)
    message = str(caught.value)
    assert "extract.xlsx: sheet 'xl/worksheets/sheet1.xml' inflates " in message
    assert "times (" in message and "the limit is 100 times" in message


def read_extract_(path: Path):
    return extracts.read_extract(path)


def test_sheet_dimension_over_the_row_limit(tmp_path, no_parsers):
    sheet = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:C250000"/><sheetData>')
    path = rebuild(
        EXAMPLE, tmp_path / "model.xlsx", {sheet_part(EXAMPLE): sheet + b"</sheetData></worksheet>"}
    )
    with pytest.raises(
        ModelFileError,
        match=r"declares 250,000 rows \(dimension A1:C250000\); the limit is 100,000",
    ):
        read_model(path)
    sheet = SHEET_HEAD.replace(b"<sheetData>", b'<dimension ref="A1:XFD20000"/><sheetData>')
    path = rebuild(
        EXAMPLE,
        tmp_path / "model2.xlsx",
        {sheet_part(EXAMPLE): sheet + b"</sheetData></worksheet>"},
    )
    with pytest.raises(ModelFileError, match=r"declares 327,680,000 cells"):
        read_model(path)


def lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the declared inflated size of ``member`` (local header and directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        offset = z.getinfo(member).header_offset
    assert data[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, offset + 22, declared)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]).decode() == member:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_a_zip_whose_declared_sizes_lie_is_bounded_by_them(tmp_path, capsys):
    # 300 MB of sheet XML declared as 100 kB: the check passes it (it believes the
    # declaration), and both readers stop at the declared size.
    base = extract_book(tmp_path)
    part = sheet_part(base)
    path = rebuild(
        base, tmp_path / "extract.xlsx", {part: (SHEET_HEAD, ROW, 300, b"</sheetData></worksheet>")}
    )
    lie_about_size(path, part, 100_000)
    check_xlsx(path, MODEL_LIMITS)  # what is declared is within every limit
    code = main(["caseload", str(path), "--census-date", "2025-01-16"])
    err = capsys.readouterr().err
    assert code == 2
    assert "extract.xlsx: cannot be read as a workbook" in err
    assert "inflates past the size the file declares for it" in err
    # Python's zipfile, under openpyxl, stops at the declared size too and fails the CRC.
    with zipfile.ZipFile(path) as z, pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):
        with z.open(part) as handle:
            assert len(handle.read()) == 100_000


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/><definedNames><definedName name="x">&lol9;</definedName></definedNames></workbook>"""


def test_billion_laughs_refused_through_our_readers(tmp_path, no_parsers, capsys):
    path = rebuild(EXAMPLE, tmp_path / "model.xlsx", {"xl/workbook.xml": BILLION_LAUGHS})
    with pytest.raises(ModelFileError) as caught:
        read_model(path)
    assert "part 'xl/workbook.xml' declares a DTD (<!DOCTYPE ...>)" in str(caught.value)
    assert "'billion laughs'" in str(caught.value)
    extract = rebuild(
        extract_book(tmp_path), tmp_path / "extract.xlsx", {"xl/workbook.xml": BILLION_LAUGHS}
    )
    code = main(["caseload", str(extract), "--census-date", "2025-01-16"])
    assert code == 2
    assert "extract.xlsx: part 'xl/workbook.xml' declares a DTD" in capsys.readouterr().err


def test_defusedxml_guards_openpyxl_behind_our_check(tmp_path):
    # Second line of defence: openpyxl itself parses through defusedxml when installed.
    path = rebuild(EXAMPLE, tmp_path / "model.xlsx", {"xl/workbook.xml": BILLION_LAUGHS})
    assert openpyxl.DEFUSEDXML is True
    from defusedxml import DefusedXmlException

    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(path)
    assert isinstance(caught.value.__cause__, DefusedXmlException)


def test_the_example_and_template_pass_their_limits():
    check_xlsx(EXAMPLE, MODEL_LIMITS)
    template = EXAMPLE.parents[1] / "templates" / "dfe_monitoring_return.xlsx"
    check_xlsx(template, MODEL_LIMITS)
    check_zip(template, DFE_LIMITS)


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("hello")
    with pytest.raises(InputError, match="x.xlsx: cannot be read as a workbook: it is not a zip"):
        check_xlsx(path, EXTRACT_LIMITS)


def test_too_many_parts(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(30):
            z.writestr(f"p{i}.txt", "x")
    limits = DFE_LIMITS.__class__(**{**DFE_LIMITS.__dict__, "parts": 20})
    with pytest.raises(InputError, match="many.zip: holds 30 parts; the limit is 20"):
        check_zip(path, limits)


# --------------------------------------------------------------------------- CSV


def test_csv_scan_counts_lines_in_every_line_ending(tmp_path):
    path = tmp_path / "a.csv"
    for text, lines, longest in [
        (b"a,b\r\nc,d\r\n", 2, 4),
        (b"a,b\nc,dd", 2, 4),
        (b"a,b\rc,d\r", 2, 3),
        (b"", 0, 0),
        (b"\n\n", 2, 0),
    ]:
        path.write_bytes(text)
        scan = check_csv(path)
        assert (scan.lines, scan.longest_line) == (lines, longest), text
    path.write_bytes(b'a,"b\x07"\n')
    scan = check_csv(path)
    assert scan.control and scan.quotes


def test_csv_file_and_line_caps(tmp_path, monkeypatch, capsys):
    path = tmp_path / "extract.csv"
    path.write_text(",".join(EXTRACT_COLUMNS) + "\n" + "x" * 5000 + "\nC1\n", encoding="utf-8")
    small = CsvLimits(what="caseload extract", file_bytes=100, line_bytes=50, reason="for the test")
    with pytest.raises(InputError, match=r"a.csv: is 5.1 kB; the limit is 100 bytes, for the test"):
        shutil.copy(path, tmp_path / "a.csv")
        check_csv(tmp_path / "a.csv", small)
    lines = CsvLimits(
        what="caseload extract", file_bytes=10**9, line_bytes=1000, reason="for the test"
    )
    monkeypatch.setattr(extracts, "EXTRACT_CSV_LIMITS", lines)
    code = main(["caseload", str(path), "--census-date", "2025-01-16"])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "dsg caseload: extract.csv line 2: is longer than 1.0 kB; the limit is 1.0 kB a line" in err
    )


def test_csv_line_cap_across_blocks(tmp_path, monkeypatch):
    import workbooks.limits as limits

    monkeypatch.setattr(limits, "_CHUNK", 64)
    path = tmp_path / "a.csv"
    path.write_bytes(b"ab\n" * 40 + b"z" * 300 + b"\nend\n")
    with pytest.raises(InputError, match="line 41: is longer than 200 bytes"):
        check_csv(path, CsvLimits("x", 10**6, 200, "for the test"))
    scan = check_csv(path, CsvLimits("x", 10**6, 400, "for the test"))
    assert (scan.lines, scan.longest_line) == (42, 300)
