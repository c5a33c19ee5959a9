"""Extracts saved in the encodings and separators Excel offers: read, or refused by name.

Excel's "Save As" offers CSV UTF-8, CSV (Windows-1252), Unicode Text (UTF-16, tabs)
and, in locales with a decimal comma, CSV separated by semicolons. The first two are
read; the others are refused with what to do, never as a list of unreadable headers.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from models.caseload import EXTRACT_COLUMNS
from models.errors import InputError
from workbooks.extracts import read_extract

ROWS = [["C1", "2012-05-01", "École spéciale", "ASD", "2019-01-09", ""]]


def write(path: Path, encoding: str, separator: str = ",", bom: bytes = b"") -> Path:
    lines = [separator.join(EXTRACT_COLUMNS), *(separator.join(r) for r in ROWS)]
    path.write_bytes(bom + ("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("cp1252", b"")]
)
def test_utf8_with_or_without_bom_and_windows_1252_are_read(tmp_path, encoding, bom):
    table = read_extract(write(tmp_path / "x.csv", encoding, bom=bom)).table
    assert table["Placement type"].tolist() == ["École spéciale"]
    assert table["Child ID"].tolist() == ["C1"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_is_refused_saying_how_to_save_it(tmp_path, encoding):
    path = write(tmp_path / "x.csv", encoding, separator="\t")
    with pytest.raises(InputError) as caught:
        read_extract(path)
    assert str(caught.value) == (
        "x.csv: is UTF-16 text (Excel's 'Unicode Text'), not a CSV file: save the extract "
        "as 'CSV UTF-8 (Comma delimited)' and run again"
    )


@pytest.mark.parametrize(("separator", "shown"), [(";", "';'"), ("\t", "tabs"), ("|", "'|'")])
def test_a_file_separated_otherwise_than_by_commas_is_named(tmp_path, separator, shown):
    path = write(tmp_path / "x.csv", "utf-8", separator=separator)
    with pytest.raises(InputError) as caught:
        read_extract(path)
    assert str(caught.value.problems[-1]) == (
        f"x.csv: the header is one column separated by {shown}, not commas: save the "
        "extract as 'CSV UTF-8 (Comma delimited)' and run again"
    )
