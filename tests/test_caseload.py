"""Caseload extract to counts at a census, with the data-quality report.

Every extract here is synthetic and built in the test with its answer known
row by row (no person-level data exists in the repository). Census day
16 January 2025, so ages are taken on 31 August 2024 (the SEN2 rule).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from addin import cli_caseload
from benchmarks.caseload_benchmark import CENSUS as BENCH_CENSUS
from benchmarks.caseload_benchmark import make_extract, write_csv, write_xlsx
from models.caseload import (
    EXTRACT_COLUMNS,
    REASONS,
    age_date,
    caseload_counts,
    census_date,
    parse_dates,
    placement_mapping,
    sen2_age,
)
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.errors import InputError
from workbooks.extracts import DEFAULT_MAPPING, read_extract, read_mapping, write_caseload_workbook

CENSUS = "2025-01-16"
D = dt.date
MAIN, RP, MSS, NMSS, AP, P16, OTHER = PLACEMENT_CATEGORIES

#: Headers as a case system spells them: matched loosely, plus an extra column.
LOOSE_HEADERS = [
    "child_id",
    "DOB",
    "PLACEMENT",
    "Primary_Need",
    "plan start-date",
    "Plan End Date",
    "Notes",
]

# (Child ID, Date of birth, Placement type, Plan start date, Plan end date, outcome)
# outcome: (category, age group) counted; "ended"/"later" not active; or the problem reasons.
ROWS: list[tuple] = [
    ("C1", D(2024, 8, 31), "Mainstream school", D(2024, 10, 1), None, (MAIN, "Under 5")),  # age 0
    (
        "C2",
        D(1999, 8, 31),
        "Special academy",
        D(2020, 1, 1),
        D(2025, 1, 16),
        (MSS, "Age 20 to 25"),
    ),  # 25, ends on census
    ("C3", D(1999, 9, 1), " sen UNIT ", D(2019, 1, 1), None, (RP, "Age 20 to 25")),  # 24
    ("C4", D(1998, 8, 31), "FE college", D(2020, 1, 1), None, ["Age outside 0-25"]),  # 26
    ("C5", D(1998, 9, 1), "FE college", D(2020, 1, 1), None, (P16, "Age 20 to 25")),  # 25
    (
        "C6",
        D(2010, 1, 1),
        "Academy",
        D(2020, 1, 1),
        D(2025, 1, 15),
        "ended",
    ),  # ended the day before
    ("C7", D(2010, 1, 1), "Academy", D(2025, 2, 1), None, "later"),
    ("C8", D(2012, 1, 1), "Academy", D(2021, 1, 1), None, ["Duplicate active plan"]),
    ("c8 ", D(2012, 1, 1), "PRU", D(2024, 1, 1), None, ["Duplicate active plan"]),
    ("C8", D(2012, 1, 1), "Academy", D(2019, 1, 1), D(2024, 7, 31), "ended"),  # not a duplicate
    ("C10", None, "Academy", D(2021, 1, 1), None, ["Missing date"]),
    ("C11", D(2012, 1, 1), "Academy", "soon", None, ["Not a date"]),
    ("C12", D(2012, 1, 1), "Academy", D(2021, 1, 1), "TBC", ["Not a date"]),
    ("C13", D(2012, 1, 1), "Residential farm", D(2021, 1, 1), None, ["Unmapped placement type"]),
    ("C14", D(2012, 1, 1), "Academy", D(2024, 5, 1), D(2024, 4, 1), ["Plan ends before it starts"]),
    ("C15", D(2025, 3, 1), "Academy", D(2024, 5, 1), None, ["Date in the future"]),
    (None, D(2012, 1, 1), "Academy", D(2021, 1, 1), None, ["Missing Child ID"]),
    ("C17", "31/02/2010", "", D(2021, 1, 1), None, ["Not a date", "Unmapped placement type"]),
    (
        "C18",
        D(2024, 10, 1),
        "Independent special school",
        D(2024, 12, 1),
        None,
        (NMSS, "Under 5"),
    ),  # age -1
    ("C19", D(2019, 8, 31), "Direct payment", D(2023, 1, 1), None, (OTHER, "Age 5 to 10")),  # 5
    ("C20", D(2019, 9, 1), "Hospital school", D(2023, 1, 1), None, (AP, "Under 5")),  # 4
    (
        "C21",
        D(2008, 9, 1),
        "Non-maintained special school",
        D(2023, 1, 1),
        None,
        (NMSS, "Age 11 to 15"),
    ),  # 15
    (
        "C22",
        D(2008, 8, 31),
        "Alternative provision",
        D(2023, 1, 1),
        None,
        (AP, "Age 16 to 19"),
    ),  # 16
    ("C23", D(2012, 1, 1), "Academy", None, None, ["Missing date"]),
    (
        "C24",
        "15/03/2012",
        "Maintained special school",
        "01/09/2023",
        None,
        (MSS, "Age 11 to 15"),
    ),  # 12
    (
        1025.0,
        dt.datetime(2010, 5, 5, 0, 0),
        "ACADEMY",
        45000,
        None,
        (MAIN, "Age 11 to 15"),
    ),  # 14, serial
]

EXPECTED_CATEGORY = {MAIN: 2, RP: 1, MSS: 2, NMSS: 2, AP: 2, P16: 1, OTHER: 1, TOTAL: 11}
EXPECTED_AGE = {
    "Under 5": 3,
    "Age 5 to 10": 1,
    "Age 11 to 15": 3,
    "Age 16 to 19": 1,
    "Age 20 to 25": 3,
    TOTAL_BY_AGE: 11,
}


def expected_problems() -> list[tuple[int, str]]:
    out = []
    for r, row in enumerate(ROWS, start=1):
        if isinstance(row[-1], list):
            out += [(r, reason) for reason in sorted(row[-1], key=REASONS.index)]
    return out


def cells(row: tuple, for_csv: bool) -> list:
    child, dob, place, start, end, _ = row
    values = [child, dob, place, "ASD", start, end, "note"]
    if for_csv:
        values = [
            ""
            if v is None
            else v.isoformat()[:10]
            if isinstance(v, dt.date)
            else "2023-03-15"
            if v == 45000
            else str(int(v))
            if isinstance(v, float)
            else v
            for v in values
        ]
    return values


def write_extract(
    folder: Path, kind: str, rows=ROWS, headers=LOOSE_HEADERS, above: int = 0
) -> Path:
    path = folder / f"extract.{kind}"
    if kind == "csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            w = csv.writer(handle)
            for _ in range(above):
                w.writerow([])
            w.writerow(headers)
            for row in rows:
                w.writerow(cells(row, True))
    else:
        wb = Workbook()
        ws = wb.active
        for _ in range(above):
            ws.append([])
        ws.append(headers)
        for row in rows:
            ws.append(cells(row, False))
        wb.save(path)
    return path


def default_mapping() -> dict[str, str]:
    return read_mapping()


# --------------------------------------------------------------------------- the known answer


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_known_answer_from_file(tmp_path, kind):
    extract = read_extract(write_extract(tmp_path, kind))
    assert list(extract.table.columns) == list(EXTRACT_COLUMNS)
    assert extract.header_row == 1
    r = caseload_counts(extract.table, CENSUS, default_mapping(), header_row=extract.header_row)
    assert r.by_category.to_dict() == EXPECTED_CATEGORY
    assert r.by_age.to_dict() == EXPECTED_AGE
    assert list(r.by_category.index) == [*PLACEMENT_CATEGORIES, TOTAL]
    assert list(r.by_age.index) == [*AGE_GROUPS, TOTAL_BY_AGE]
    assert (r.rows, r.excluded, r.not_active) == (26, 12, 3)
    assert (r.ended_before, r.starts_after) == (2, 1)
    assert r.counted + r.excluded + r.not_active == r.rows
    got = list(zip(r.problems["Data row"], r.problems["Reason"], strict=True))
    assert got == expected_problems()
    assert (r.problems["Spreadsheet row"] == r.problems["Data row"] + 1).all()
    assert r.age_on == pd.Timestamp("2024-08-31")


def test_problem_details_name_the_column_and_value():
    frame = pd.DataFrame([cells(row, False)[:6] for row in ROWS], columns=list(EXTRACT_COLUMNS))
    r = caseload_counts(frame, CENSUS, default_mapping())
    detail = {
        (row, reason): d
        for row, reason, d in r.problems[["Data row", "Reason", "Detail"]].itertuples(index=False)
    }
    assert detail[(4, "Age outside 0-25")] == "age 26 on 2024-08-31 (Date of birth 1998-08-31)"
    assert detail[(8, "Duplicate active plan")] == "active plans for this child in data rows 8, 9"
    assert detail[(9, "Duplicate active plan")] == "active plans for this child in data rows 8, 9"
    assert detail[(11, "Missing date")] == "Date of birth is blank"
    assert detail[(12, "Not a date")] == "Plan start date: 'soon' is not a date"
    assert detail[(13, "Not a date")] == "Plan end date: 'TBC' is not a date"
    assert (
        detail[(14, "Unmapped placement type")]
        == "'Residential farm' is not in the placement mapping"
    )
    assert detail[(15, "Plan ends before it starts")] == (
        "Plan end date 2024-04-01 is before Plan start date 2024-05-01"
    )
    assert detail[(16, "Date in the future")] == (
        "Date of birth 2025-03-01 is after the census date 2025-01-16"
    )
    assert detail[(17, "Missing Child ID")] == "Child ID is blank"
    assert detail[(18, "Not a date")] == "Date of birth: '31/02/2010' is not a date"
    assert detail[(18, "Unmapped placement type")] == "Placement type is blank"
    assert detail[(24, "Missing date")] == "Plan start date is blank"
    ids = dict(zip(r.problems["Data row"], r.problems["Child ID"], strict=False))
    assert ids[9] == "c8" and ids[17] == ""
    # A whole-number ID read from Excel as 1025.0 shows as 1025 (row 26 is counted, so check directly).
    frame.loc[25, "Plan start date"] = "x"
    assert caseload_counts(frame, CENSUS, default_mapping()).problems["Child ID"].iloc[-1] == "1025"


def test_header_row_below_blank_rows_numbers_spreadsheet_rows(tmp_path):
    extract = read_extract(write_extract(tmp_path, "xlsx", above=2))
    assert extract.header_row == 3
    r = caseload_counts(extract.table, CENSUS, default_mapping(), header_row=extract.header_row)
    assert r.by_category[TOTAL] == 11
    first = r.problems.iloc[0]
    assert (first["Data row"], first["Spreadsheet row"]) == (4, 7)


def test_canonical_headers_in_any_order_and_trailing_blank_rows(tmp_path):
    headers = [
        "Plan end date",
        "Plan start date",
        "Primary need",
        "Placement type",
        "Date of birth",
        "Child ID",
    ]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append([None, D(2021, 1, 1), "ASD", "Academy", D(2012, 1, 1), 7])
    ws.append([None, None, None, None, None, None])
    ws.append(["", "  ", None, None, None, None])
    wb.save(tmp_path / "x.xlsx")
    extract = read_extract(tmp_path / "x.xlsx")
    assert len(extract.table) == 1
    assert caseload_counts(extract.table, CENSUS, default_mapping()).by_category[MAIN] == 1


# --------------------------------------------------------------------------- rules one by one


def one_row(**cells) -> pd.DataFrame:
    base = {
        "Child ID": "A",
        "Date of birth": D(2012, 1, 1),
        "Placement type": "Academy",
        "Primary need": "ASD",
        "Plan start date": D(2021, 1, 1),
        "Plan end date": None,
    }
    base.update(cells)
    return pd.DataFrame([base], dtype=object)


@pytest.mark.parametrize(
    ("end", "active"),
    [(D(2025, 1, 15), False), (D(2025, 1, 16), True), (D(2025, 1, 17), True), (None, True)],
)
def test_plan_end_on_census_day_is_active(end, active):
    r = caseload_counts(one_row(**{"Plan end date": end}), CENSUS, default_mapping())
    assert (r.counted, r.not_active, r.excluded) == ((1, 0, 0) if active else (0, 1, 0))


@pytest.mark.parametrize(("start", "active"), [(D(2025, 1, 16), True), (D(2025, 1, 17), False)])
def test_plan_starting_on_census_day_is_active(start, active):
    r = caseload_counts(one_row(**{"Plan start date": start}), CENSUS, default_mapping())
    assert (r.counted, r.starts_after) == ((1, 0) if active else (0, 1))


@pytest.mark.parametrize(
    ("dob", "group"),
    [
        (D(2024, 8, 31), "Under 5"),
        (D(2019, 9, 1), "Under 5"),
        (D(2019, 8, 31), "Age 5 to 10"),
        (D(2013, 9, 1), "Age 5 to 10"),
        (D(2013, 8, 31), "Age 11 to 15"),
        (D(2008, 9, 1), "Age 11 to 15"),
        (D(2008, 8, 31), "Age 16 to 19"),
        (D(2004, 9, 1), "Age 16 to 19"),
        (D(2004, 8, 31), "Age 20 to 25"),
        (D(1998, 9, 1), "Age 20 to 25"),
        (D(2025, 1, 16), "Under 5"),
    ],
)
def test_age_group_boundaries(dob, group):
    r = caseload_counts(
        one_row(**{"Date of birth": dob, "Plan start date": D(2025, 1, 16)}),
        CENSUS,
        default_mapping(),
    )
    assert r.by_age[group] == 1 and r.by_age[TOTAL_BY_AGE] == 1


def test_ages_of_ended_plans_are_not_checked():
    # An adult whose plan ended years ago is history, not a problem.
    r = caseload_counts(
        one_row(
            **{
                "Date of birth": D(1980, 1, 1),
                "Plan end date": D(2001, 1, 1),
                "Plan start date": D(1990, 1, 1),
                "Placement type": "Old label",
            }
        ),
        CENSUS,
        default_mapping(),
    )
    assert (r.counted, r.excluded, r.not_active, r.ended_before) == (0, 0, 1, 1)


def test_age_date_is_31_august_before_census():
    assert age_date("2025-01-16") == pd.Timestamp("2024-08-31")
    assert age_date("2024-08-30") == pd.Timestamp("2023-08-31")
    assert age_date("2024-09-01") == pd.Timestamp("2024-08-31")
    dob = pd.Series(pd.to_datetime(["2000-02-29", "2000-03-01", "1999-08-31"]))
    assert sen2_age(dob, "2025-01-16").tolist() == [24, 24, 25]


def test_parse_dates_accepts_excel_forms_and_reports_the_rest():
    values = [
        dt.datetime(2025, 1, 16, 13, 30),
        D(2025, 1, 16),
        pd.Timestamp("2025-01-16"),
        45673,
        45673.75,
        "2025-01-16",
        "2025-01-16 00:00:00",
        "2025-01-16T09:00",
        "16/01/2025",
        "16-01-2025",
        "16.1.2025",
        " 16/01/2025 ",
        None,
        "",
        "   ",
        float("nan"),
        pd.NaT,
        "45673",
        "2025-13-01",
        "32/01/2025",
        "16/01/25",
        "January 2025",
        True,
        0,
        -5,
        3e7,
    ]
    dates, missing, bad = parse_dates(values)
    good = 12
    assert all(d == pd.Timestamp("2025-01-16") for d in dates[:good])
    assert missing.tolist() == [False] * good + [True] * 5 + [False] * 9
    assert bad.tolist() == [False] * good + [False] * 5 + [True] * 9
    assert dates[good:].isna().all()


def test_parse_dates_of_a_datetime_column():
    dates, missing, bad = parse_dates(pd.Series(pd.to_datetime(["2025-01-16 08:00", None])))
    assert dates[0] == pd.Timestamp("2025-01-16") and missing.tolist() == [False, True]
    assert not bad.any()


def test_census_date_refuses_other_forms():
    assert census_date(D(2025, 1, 16)) == pd.Timestamp("2025-01-16")
    for bad in ("16/01/2025", "2025-02-30", "", None, "2025-1-16"):
        with pytest.raises(InputError, match="is not a date written YYYY-MM-DD"):
            census_date(bad)


# --------------------------------------------------------------------------- the mapping


def test_default_mapping_covers_common_labels():
    mapping = placement_mapping(read_mapping(DEFAULT_MAPPING))
    expected = {
        "Mainstream school": MAIN,
        "Academy": MAIN,
        "Resourced provision": RP,
        "SEN unit": RP,
        "Maintained special school": MSS,
        "Special academy": MSS,
        "Independent special school": NMSS,
        "Non-maintained special school": NMSS,
        "Alternative provision": AP,
        "Hospital school": AP,
        "PRU": AP,
        "FE college": P16,
        "Sixth form college": P16,
        "Specialist post-16 institution": P16,
        "Elective home education": OTHER,
        "Direct payment": OTHER,
        "Other": OTHER,
        "NEET": OTHER,
    }
    for label, category in expected.items():
        assert mapping[label.casefold()] == category, label
    assert set(mapping.values()) == set(PLACEMENT_CATEGORIES)


def test_mapping_matches_case_and_spaces():
    frame = pd.concat(
        [
            one_row(**{"Child ID": i, "Placement type": label})
            for i, label in enumerate(["  maintained   SPECIAL school", "PRU", "Farm"])
        ],
        ignore_index=True,
    )
    r = caseload_counts(frame, CENSUS, {"Maintained special school": MSS.upper(), "pru": AP})
    assert (r.by_category[MSS], r.by_category[AP], r.excluded) == (1, 1, 1)


def test_mapping_file_refusals_name_the_line(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(
        "Placement label,Category\nAcademy,Mainstream schools or academies\n"
        "Farm,Farms\n,Other placements or direct payments\nACADEMY ,NMSS or independent\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_mapping(path)
    text = str(caught.value)
    assert "map.csv line 3 'Farm': 'Farms' is not one of the seven placement categories" in text
    assert "map.csv line 4: blank placement label" in text
    assert "map.csv line 5 'ACADEMY': label given twice (also line 2)" in text
    path.write_text("Label,Cat\nA,B\n", encoding="utf-8")
    with pytest.raises(InputError, match="map.csv: missing column 'Placement label'"):
        read_mapping(path)


def test_mapping_loose_headers_and_windows_encoding(tmp_path):
    path = tmp_path / "map.csv"
    path.write_bytes(
        "placement_label,CATEGORY\r\nPupil referral unit \u2013 KS3,"
        "Hospital schools or alternative provision\r\n".encode("cp1252")
    )
    assert read_mapping(path) == {
        "Pupil referral unit \u2013 KS3": "Hospital schools or alternative provision"
    }


# --------------------------------------------------------------------------- reader refusals


def test_missing_columns_are_named_with_the_file(tmp_path):
    headers = ["Child ID", "Date of birth", "Primary need", "Plan start date"]
    path = write_extract(tmp_path, "csv", rows=[], headers=headers)
    with pytest.raises(InputError) as caught:
        read_extract(path)
    problems = [str(p) for p in caught.value.problems]
    assert problems[0] == "extract.csv: missing column 'Placement type'"
    assert problems[1].startswith("extract.csv: missing column 'Plan end date' (headers found: ")


def test_column_given_twice_is_refused(tmp_path):
    headers = [*EXTRACT_COLUMNS, "DOB"]
    path = write_extract(tmp_path, "xlsx", rows=[], headers=headers)
    with pytest.raises(InputError, match="column 'Date of birth' appears 2 times"):
        read_extract(path)


def test_missing_file_and_wrong_type(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_extract(tmp_path / "none.xlsx")
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(InputError, match="is not a .csv or .xlsx file"):
        read_extract(tmp_path / "x.txt")
    (tmp_path / "bad.xlsx").write_text("not a zip")
    with pytest.raises(InputError, match="bad.xlsx: cannot be read as a workbook"):
        read_extract(tmp_path / "bad.xlsx")


def test_model_refuses_a_frame_without_the_columns():
    with pytest.raises(InputError, match="extract: missing column 'Plan end date'"):
        caseload_counts(one_row().drop(columns="Plan end date"), CENSUS, default_mapping())


# --------------------------------------------------------------------------- the workbook


def test_workbook_written_read_back_and_never_overwritten(tmp_path):
    r = caseload_counts(
        read_extract(write_extract(tmp_path, "xlsx")).table, CENSUS, default_mapping()
    )
    out = tmp_path / "out"
    first = write_caseload_workbook(r, out, source="extract.xlsx")
    second = write_caseload_workbook(r, out, source="extract.xlsx")
    assert first.name == "caseload_2025-01-16.xlsx" and second.name == "caseload_2025-01-16_v2.xlsx"
    assert sorted(p.name for p in out.iterdir()) == [first.name, second.name]  # no temp file left

    wb = load_workbook(first)
    assert wb.sheetnames == ["Counts", "By age", "Data quality"]
    counts = wb["Counts"]
    rows = [tuple(c.value for c in row) for row in counts.iter_rows(min_row=1, max_row=9)]
    assert rows[0] == ("Category", "Count")
    assert dict(rows[1:]) == EXPECTED_CATEGORY
    labels = {row[0].value: row[1].value for row in counts.iter_rows(min_row=10) if row[0].value}
    assert labels["Rows in the extract"] == 26
    assert labels["Excluded rows (at least one problem)"] == 12
    assert labels["Not active at census"] == 3
    assert labels["Duplicate active plan"] == 2
    assert labels["Census date"] == "2025-01-16" and labels["Ages taken on"] == "2024-08-31"
    assert counts["A1"].font.bold and counts.freeze_panes == "A2"
    by_age = {row[0].value: row[1].value for row in wb["By age"].iter_rows(min_row=2)}
    assert by_age == EXPECTED_AGE
    dq = wb["Data quality"]
    header = [c.value for c in dq[1]]
    assert header == ["Data row", "Spreadsheet row", "Child ID", "Reason", "Detail"]
    body = [(row[0].value, row[1].value, row[3].value) for row in dq.iter_rows(min_row=2)]
    assert body == [(r_, r_ + 1, reason) for r_, reason in expected_problems()]
    assert dq.freeze_panes == "A2" and dq["D1"].font.bold
    assert dq.column_dimensions["E"].width == 80


def test_workbook_with_no_problems(tmp_path):
    r = caseload_counts(one_row(), CENSUS, default_mapping())
    wb = load_workbook(write_caseload_workbook(r, tmp_path))
    assert wb["Data quality"].max_row == 1
    assert any(c.value == "No problems found" for c in wb["Counts"]["A"])


# --------------------------------------------------------------------------- the command line


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="dsg")
    cli_caseload.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code = args.handler(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_cli_csv_output_exact(tmp_path, capsys, kind):
    path = write_extract(tmp_path, kind)
    code, out, err = run_cli(
        ["caseload", str(path), "--census-date", CENSUS, "--format", "csv"], capsys
    )
    # 01/09/2023 reads either way: read as 1 September, and said so on stderr.
    assert code == 0 and err == (
        "dsg caseload: note: Plan start date: 1 date such as '01/09/2023' could be read either "
        "way; read as UK day/month/year (1 September 2023), as are all dates written with '/'\n"
    )
    assert out == (
        "Category,Count\n"
        "Mainstream schools or academies,2\n"
        "Resourced provision or SEN units,1\n"
        "Maintained special schools or special academies,2\n"
        "NMSS or independent,2\n"
        "Hospital schools or alternative provision,2\n"
        "Post 16 and further education,1\n"
        "Other placements or direct payments,1\n"
        "Total,11\n"
        "Excluded rows,12\n"
    )


def test_cli_registered_in_dsg(tmp_path, capsys):
    from addin.cli import COMMAND_MODULES, main

    assert "addin.cli_caseload" in COMMAND_MODULES
    code = main(
        [
            "caseload",
            str(write_extract(tmp_path, "csv")),
            "--census-date",
            CENSUS,
            "--format",
            "csv",
        ]
    )
    assert code == 0 and capsys.readouterr().out.splitlines()[-2:] == [
        "Total,11",
        "Excluded rows,12",
    ]


def test_cli_table_and_out(tmp_path, capsys):
    path = write_extract(tmp_path, "xlsx")
    code, out, err = run_cli(
        ["caseload", str(path), "--census-date", CENSUS, "--out", str(tmp_path / "out")], capsys
    )
    assert code == 0 and err == ""
    lines = out.splitlines()
    written = Path(lines[-1])
    assert written == tmp_path / "out" / "caseload_2025-01-16.xlsx" and written.is_file()
    assert lines[0] == "EHC plans active on 2025-01-16 in extract.xlsx (ages on 2024-08-31)"
    assert ["Total", "11"] in [line.split() for line in lines]
    assert ["Total", "by", "age", "group", "11"] in [line.split() for line in lines]
    assert (
        "Rows in the extract: 26; counted 11; excluded (problems) 12; not active at census 3 "
        "(ended before 2, start after 1)"
    ) in lines
    assert "  Duplicate active plan: 2" in lines
    assert (
        "  row 5 (data row 4), Child ID C4: Age outside 0-25: age 26 on 2024-08-31 "
        "(Date of birth 1998-08-31)"
    ) in lines
    assert "Full list: sheet 'Data quality' of caseload_2025-01-16.xlsx" in lines
    # csv format with --out: the path is still the last line.
    code, out, _ = run_cli(
        [
            "caseload",
            str(path),
            "--census-date",
            CENSUS,
            "--format",
            "csv",
            "--out",
            str(tmp_path / "out"),
        ],
        capsys,
    )
    assert out.splitlines()[-1] == str(tmp_path / "out" / "caseload_2025-01-16_v2.xlsx")


def test_cli_table_without_out_points_to_out(tmp_path, capsys):
    code, out, _ = run_cli(
        ["caseload", str(write_extract(tmp_path, "csv")), "--census-date", CENSUS], capsys
    )
    assert code == 0
    assert (
        out.splitlines()[-1]
        == "Full list: run again with --out DIR to write the 'Data quality' sheet"
    )


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("none", ["--census-date", CENSUS], "missing.xlsx: file not found"),
        ("nocol", ["--census-date", CENSUS], "extract.csv: missing column 'Plan end date'"),
        (
            "ok",
            ["--census-date", "16/01/2025"],
            "--census-date: '16/01/2025' is not a date written YYYY-MM-DD",
        ),
        (
            "ok",
            ["--census-date", CENSUS, "--mapping", "MAP"],
            "map.csv line 2 'Academy': 'Schools' is not one of the seven placement categories",
        ),
        (
            "ok",
            ["--census-date", CENSUS, "--mapping", "nomap.csv"],
            "nomap.csv: mapping file not found",
        ),
    ],
)
def test_cli_refusals_exit_2(tmp_path, capsys, setup, args, message):
    if setup == "none":
        path = tmp_path / "missing.xlsx"
    elif setup == "nocol":
        path = write_extract(tmp_path, "csv", headers=LOOSE_HEADERS[:5])
    else:
        path = write_extract(tmp_path, "csv")
    (tmp_path / "map.csv").write_text(
        "Placement label,Category\nAcademy,Schools\n", encoding="utf-8"
    )
    args = [
        str(tmp_path / "map.csv") if a == "MAP" else str(tmp_path / a) if a == "nomap.csv" else a
        for a in args
    ]
    code, out, err = run_cli(["caseload", str(path), *args], capsys)
    assert code == 2 and out == ""
    assert message in err


# --------------------------------------------------------------------------- properties

CHOICES = {
    "Child ID": st.sampled_from(["A", "B", "a ", "C", None, 7.0, 7]),
    "Date of birth": st.sampled_from(
        [
            D(2012, 1, 1),
            D(1998, 8, 31),
            D(2025, 3, 1),
            D(2024, 10, 1),
            "31/02/2010",
            None,
            "01/01/2000",
        ]
    ),
    "Placement type": st.sampled_from(["Academy", "PRU", "Farm", "", None, " sen unit"]),
    "Primary need": st.just("ASD"),
    "Plan start date": st.sampled_from(
        [D(2021, 1, 1), D(2025, 1, 16), D(2025, 1, 17), None, "soon", 45000]
    ),
    "Plan end date": st.sampled_from([None, D(2025, 1, 15), D(2025, 1, 16), D(2020, 1, 1), "TBC"]),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(CHOICES), max_size=40))
def test_every_row_is_counted_excluded_or_not_active(rows):
    frame = pd.DataFrame(rows, columns=list(EXTRACT_COLUMNS), dtype=object)
    r = caseload_counts(frame, CENSUS, default_mapping())
    assert r.counted + r.excluded + r.not_active == len(rows)
    assert r.by_category[TOTAL] == r.by_category.iloc[:-1].sum() == r.by_age[TOTAL_BY_AGE]
    assert r.by_age.iloc[:-1].sum() == r.by_age[TOTAL_BY_AGE]
    assert r.problems["Data row"].nunique() == r.excluded
    assert r.ended_before + r.starts_after == r.not_active
    assert set(r.problems["Reason"]) <= set(REASONS)
    # Counting is row-order free.
    shuffled = caseload_counts(frame.iloc[::-1].reset_index(drop=True), CENSUS, default_mapping())
    assert shuffled.by_category.equals(r.by_category) and shuffled.by_age.equals(r.by_age)


# --------------------------------------------------------------------------- the benchmark's generator


def test_benchmark_generator_builds_its_known_answer(tmp_path):
    frame, known = make_extract(6000, seed=7)
    path = tmp_path / "bench.xlsx"
    write_xlsx(frame, path)
    extract = read_extract(path)
    r = caseload_counts(
        extract.table, BENCH_CENSUS, default_mapping(), header_row=extract.header_row
    )
    assert r.rows == known["rows"] == 6000
    assert r.by_category.tolist() == known["by_category"]
    assert r.by_age.tolist() == known["by_age"]
    assert (r.excluded, r.not_active) == (known["excluded"], known["not_active"])
    assert r.reason_summary().to_dict() == known["reasons"]
    assert np.all(np.diff(r.problems["Data row"].to_numpy()) >= 0)


def test_csv_round_trip_of_loose_text(tmp_path):
    # A CSV cell holding a serial as text is not a date (only numeric cells are serials).
    text = "Child ID,DOB,Placement,Primary need,Plan start date,Plan end date\nA,2012-01-01,Academy,ASD,45000,\n"
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    r = caseload_counts(read_extract(tmp_path / "t.csv").table, CENSUS, default_mapping())
    assert r.problems["Detail"].tolist() == ["Plan start date: '45000' is not a date"]


def test_numeric_child_ids_as_excel_holds_them():
    # calamine gives numbers as floats and blank cells as "": 7 and 7.0 are one child.
    frame = pd.concat(
        [one_row(**{"Child ID": v}) for v in (7.0, 7, "", 8.0, 9.5)], ignore_index=True
    )
    r = caseload_counts(frame, CENSUS, default_mapping())
    assert list(
        zip(r.problems["Data row"], r.problems["Child ID"], r.problems["Reason"], strict=True)
    ) == [
        (1, "7", "Duplicate active plan"),
        (2, "7", "Duplicate active plan"),
        (3, "", "Missing Child ID"),
    ]
    assert r.counted == 2


def test_text_and_number_ids_compare_as_text():
    frame = pd.concat(
        [one_row(**{"Child ID": v}) for v in (" ab12", "AB12", "12", 12.0)], ignore_index=True
    )
    r = caseload_counts(frame, CENSUS, default_mapping())
    assert r.problems["Data row"].tolist() == [1, 2, 3, 4] and r.counted == 0


# --------------------------------------------------------------------------- the CSV readers


def _everything(r) -> tuple:
    """Every figure, problem line and note of a result, to compare two reads."""
    return (
        r.by_category.to_dict(),
        r.by_age.to_dict(),
        r.problems.to_dict("list"),
        (r.rows, r.excluded, r.not_active, r.ended_before, r.starts_after),
        r.notes,
    )


def _read_and_count(path: Path, monkeypatch, *, pyarrow: bool, mapping=None):
    """read_extract then caseload_counts, with pyarrow importable or hidden (as if not installed)."""
    with monkeypatch.context() as patch:
        if not pyarrow:
            patch.setitem(sys.modules, "pyarrow", None)
        extract = read_extract(path)
    r = caseload_counts(
        extract.table, CENSUS, mapping or default_mapping(), header_row=extract.header_row
    )
    return extract, r


TRICKY_CSV = (
    "child_id,DOB,Placement,Primary need,Plan start date,Plan end date,Notes\n"
    " c7 ,09/01/2015,Academy,ASD,2020-01-01,,x\n"
    "C7,2015-01-01,PRU,ASD,2020-01-01,,x\n"
    ",2012-02-02,  special   ACADEMY ,ASD,2019-05-05,,x\n"
    "A\u00df,2012-02-02,Farm,ASD,2019-05-05,,x\n"
    "ASS,2012-02-02,Academy,ASD,2019-05-05,,x\n"
    "B1,2012-02-02,Academy,ASD,01/09/2019,TBC,x\n"
    "D4,2012-02-02,Academy,ASD,2019-05-05,2024-01-01,x\n"
    "E5,2013-03-03, ACADEMY,ASD,2019-05-05,,x\n"
    ",,,,,,\n"
)


@pytest.mark.parametrize("text", [TRICKY_CSV, TRICKY_CSV.replace("\n", "\r\n")])
def test_csv_read_the_same_with_and_without_pyarrow(tmp_path, monkeypatch, text):
    # Spaces and case in IDs ('ß' folds to 'ss'), a blank ID, loose labels, bad and
    # either-way dates, a trailing blank row: the same cells, figures and notes whichever
    # reader parses the file.
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8"))
    plain, without = _read_and_count(path, monkeypatch, pyarrow=False)
    arrow, with_ = _read_and_count(path, monkeypatch, pyarrow=True)
    assert _everything(without) == _everything(with_)
    for name in EXTRACT_COLUMNS:
        assert (
            plain.table[name].astype(object).tolist() == arrow.table[name].astype(object).tolist()
        )
    assert (without.rows, without.counted, without.not_active) == (8, 1, 1)
    assert list(zip(without.problems["Data row"], without.problems["Reason"], strict=True)) == [
        (1, "Duplicate active plan"),
        (2, "Duplicate active plan"),
        (3, "Missing Child ID"),
        (4, "Unmapped placement type"),
        (4, "Duplicate active plan"),
        (5, "Duplicate active plan"),
        (6, "Not a date"),
    ]
    assert [n.split(":")[0] for n in without.notes] == ["Date of birth", "Plan start date"]


def test_benchmark_csv_counts_with_and_without_pyarrow(tmp_path, monkeypatch):
    frame, known = make_extract(6000, seed=11)
    path = tmp_path / "bench.csv"
    write_csv(frame, path)
    _, without = _read_and_count(path, monkeypatch, pyarrow=False)
    _, with_ = _read_and_count(path, monkeypatch, pyarrow=True)
    assert _everything(without) == _everything(with_)
    assert without.by_category.tolist() == known["by_category"]
    assert without.by_age.tolist() == known["by_age"]
    assert (without.excluded, without.not_active) == (known["excluded"], known["not_active"])
    assert without.reason_summary().to_dict() == known["reasons"]


@pytest.mark.parametrize("pyarrow", [False, True])
def test_csv_column_of_numbers_keeps_its_text(tmp_path, monkeypatch, pyarrow):
    # Every placement label a number: read as text ('01' is not '1'), as is every date.
    text = (
        "Child ID,DOB,Placement,Primary need,Plan start date,Plan end date\n"
        "A,2012-01-01,01,1,45000,\n"
        "B,2012-01-01,1,1,45000,\n"
    )
    path = tmp_path / "n.csv"
    path.write_text(text, encoding="utf-8")
    _, r = _read_and_count(path, monkeypatch, pyarrow=pyarrow, mapping={"01": MAIN})
    assert r.problems["Detail"].tolist() == [
        "Plan start date: '45000' is not a date",
        "Plan start date: '45000' is not a date",
    ]
    r = caseload_counts(
        read_extract(path).table.assign(**{"Plan start date": "2020-01-01"}),
        CENSUS,
        {"01": MAIN},
    )
    assert r.counted == 1
    assert r.problems["Detail"].tolist() == ["'1' is not in the placement mapping"]


def test_pyarrow_reads_only_files_without_quotes(tmp_path):
    """pyarrow (where installed; it is not a dependency) reads a quote-free file; a quote or
    a short row sends the file to pandas' C parser, as does pyarrow's absence."""
    import importlib.util

    from workbooks.extracts import _arrow_columns
    from workbooks.limits import EXTRACT_CSV_LIMITS, check_csv

    has_pyarrow = importlib.util.find_spec("pyarrow") is not None
    path = tmp_path / "t.csv"
    path.write_text(TRICKY_CSV, encoding="utf-8")
    cols = list(range(6))
    read = _arrow_columns(path, cols, check_csv(path, EXTRACT_CSV_LIMITS))
    assert (read is not None) == has_pyarrow
    path.write_text(TRICKY_CSV.replace("Farm", '"Farm"'), encoding="utf-8")
    assert _arrow_columns(path, cols, check_csv(path, EXTRACT_CSV_LIMITS)) is None
    path.write_text(TRICKY_CSV.replace(",x\nC7", "\nC7"), encoding="utf-8")  # a short row
    assert _arrow_columns(path, cols, check_csv(path, EXTRACT_CSV_LIMITS)) is None
    assert read_extract(path).table["Plan end date"].tolist()[:2] == ["", ""]  # padded as before


def test_csv_control_characters_refused_the_same_with_and_without_pyarrow(tmp_path, monkeypatch):
    # A NUL byte inside a label or date (C strings end there) is read whole and refused by both.
    path = tmp_path / "nul.csv"
    path.write_bytes(
        b"Child ID,DOB,Placement,Primary need,Plan start date,Plan end date\n"
        b"C1,2012-01-01,Aca\x00demy,ASD,2020-01-01,\n"
        b"C2,2012-01-01,Academy,ASD,2020\x07-01-01,\n"
    )
    messages = []
    for pyarrow in (True, False):
        with pytest.raises(InputError) as caught:
            _read_and_count(path, monkeypatch, pyarrow=pyarrow)
        messages.append([str(p) for p in caught.value.problems])
    assert messages[0] == messages[1]
    assert [m.split(":")[0] for m in messages[0]] == [
        "nul.csv row 2, column 'Placement type'",
        "nul.csv row 3, column 'Plan start date'",
    ]
    assert "U+0000 ('Aca\\x00demy')" in messages[0][0]
