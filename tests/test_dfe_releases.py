"""DfE's caseload file as a council downloads it: the release zip, its folder, both layouts.

Built in ``tmp_path`` from the real files in ../shared/data/dfe (read there, never copied into
the project): the 2026 release's layout from ``ehcp2026_caseload_sample.csv`` (Devon and
Plymouth, January 2026; ../shared/data/dfe/README.md), earlier years from the 2025 release.
DfE's release zip holds ``data/caseload.csv`` beside ``data-guidance/`` and
``supporting-files/`` (README, source S1).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from addin.cli import main
from models.caseload import placement_mapping
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.errors import InputError
from tests.test_file_limits import lie_about_size
from workbooks import dfe
from workbooks.extracts import DEFAULT_MAPPING, read_mapping

SAMPLE = Path("ehcp_sen2") / "ehcp2026_caseload_sample.csv"
ZIP_NAME = "education-health-and-care-plans_2026.zip"

#: Devon, January 2026, from the sample's 'All EHC plans' row, by hand:
#: resourced 42 + 3 + 83 + 6 + 0 + 0 = 134; mainstream 4,285 - 134 - 155 independent = 3,996
#: (= 972 + 2,861 + 163); special 1,025 + 589 academy + 328 free school = 1,942;
#: NMSS or independent 900 + 31 + 155 = 1,086; AP 30; post 16 1,640 (UKRLP 0 within it);
#: other 10,340 - (4,285 + 2,873 + 30 + 1,640) = 1,512.
DEVON_2026 = [3996, 134, 1942, 1086, 30, 1640, 1512, 10340]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def history_csv(out: str) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(out)))
    return {r[0]: r[1:] for r in rows}


@pytest.fixture(scope="module")
def sample(dfe_dir: Path) -> pd.DataFrame:
    return pd.read_csv(dfe_dir / SAMPLE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def devon_2026_file(dfe_dir: Path, sample: pd.DataFrame) -> pd.DataFrame:
    """A 2026-layout caseload for Devon: the sample's 2026 rows and 2019-2025 from the 2025 release.

    The earlier years' special academy and free school plans are written under
    ``special_academy`` (``special_free_school`` 0): the 2025 release does not split them, and
    the category is their sum either way.
    """
    old = pd.read_csv(next(dfe_dir.rglob(dfe.CASELOAD_2025_FILE)), dtype=str, keep_default_na=False)
    old = old[old["old_la_code"] == "878"].rename(
        columns={"AP_PRU_total_pc": "ap_pru_total_pc", "special_academy_free": "special_academy"}
    )
    old["special_free_school"] = "0"
    old["breakdown_topic"] = old["breakdown_topic"].replace(
        "Child or young persons age", "Age at start of academic year"
    )
    assert set(sample.columns) == set(old.columns)
    return pd.concat([old[sample.columns], sample], ignore_index=True)


def write_release(folder: Path, frame: pd.DataFrame) -> Path:
    """``folder/data/caseload.csv``, as DfE's zip unpacks."""
    path = folder / "data" / "caseload.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def write_zip(path: Path, frame: pd.DataFrame, member: str = dfe.RELEASE_MEMBER) -> Path:
    """A release zip laid out as DfE's: data/, data-guidance/, supporting-files/."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, frame.to_csv(index=False))
        zf.writestr("data-guidance/data-guidance.txt", "Education, health and care plans\n")
        zf.writestr("supporting-files/appeal_rates.csv", "la,rate\n878,1.0\n")
    return path


# --- the 2026 layout, unpacked -------------------------------------------------------------


def test_unpacked_2026_release_gives_a_2026_column(capsys, tmp_path, dfe_dir, devon_2026_file):
    write_release(tmp_path, devon_2026_file)
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv")] == [
        "data/caseload.csv"
    ]
    code, out, err = run(
        capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path), "--format", "csv"
    )
    assert code == 0, err
    rows = history_csv(out)
    assert rows["Category"][-1] == "2026"
    assert [rows[c][-1] for c in [*PLACEMENT_CATEGORIES, TOTAL]] == [str(n) for n in DEVON_2026]
    # the earlier years read through the 2026 layout agree with the 2025 file read directly
    code, old_out, _ = run(
        capsys, "dfe-history", "--la", "878", "--data-dir", str(dfe_dir), "--format", "csv"
    )
    old = history_csv(old_out)
    assert rows["Category"][:-1] == old["Category"] == [str(y) for y in range(2019, 2026)]
    for label in [*PLACEMENT_CATEGORIES, TOTAL]:
        assert rows[label][:-1] == old[label]


def test_table_names_the_release_and_ignores_other_age_topics(capsys, tmp_path, devon_2026_file):
    write_release(tmp_path, devon_2026_file)
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 0, err
    assert "'Education, health and care plans', 2026 release" in out
    assert "Source: caseload.csv" in out
    header = next(line for line in out.splitlines() if line.startswith("Category"))
    assert header.split()[-1] == "2026"
    # Devon's 2026 rows hold 'Age when plan started' (age 2 and under ...), not ages at the
    # census: its age groups stay those of January 2024 and 2025
    ages = next(line for line in out.splitlines() if line.startswith("Age group"))
    assert ages.split()[2:] == ["2024", "2025"]
    by_age = next(line for line in out.splitlines() if line.startswith(TOTAL_BY_AGE))
    total = next(line for line in out.splitlines() if line.startswith("Total "))
    assert by_age.split()[-2:] == total.split()[-3:-1]


def test_ages_come_from_age_at_start_of_academic_year(dfe_dir):
    # Plymouth's sample rows: ages 10, 16 and 19 at the start of the academic year
    history = dfe.council_history(dfe_dir / SAMPLE, "879")
    assert history.ages[2026].to_list() == [0, 206, 0, 233 + 159, 0, 206 + 233 + 159]
    assert list(history.ages.index) == [*AGE_GROUPS, TOTAL_BY_AGE]
    assert history.categories.shape[1] == 0  # no 'All EHC plans' row for Plymouth in the sample


def test_only_all_plans_rows_give_categories_and_a_note(capsys, tmp_path, sample):
    write_release(tmp_path, sample[sample["breakdown_topic"] == "All EHC plans"])
    history = dfe.council_history(tmp_path, "878")
    assert history.categories[2026].to_list() == DEVON_2026
    assert history.ages.shape[1] == 0
    assert len(history.notes) == 1
    assert "No age groups" in history.notes[0]
    assert "'Age at start of academic year'" in history.notes[0]
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 0, err
    assert history.notes[0] in out and "Age group" not in out


def test_unknown_columns_and_topics_are_ignored(tmp_path, sample):
    frame = sample.copy()
    frame.insert(14, "new_measure_2027", "n/a")  # text where no count is read
    sex = frame[frame["breakdown_topic"] == "Sex"].copy()
    sex["breakdown_topic"], sex["breakdown"], sex["ehcplans"] = "Primary need", "ASD", "many"
    frame = pd.concat([frame, sex], ignore_index=True)
    write_release(tmp_path, frame)
    caseload = dfe.read_caseload(tmp_path)
    assert "new_measure_2027" not in caseload.columns
    assert set(caseload["breakdown_topic"]) == {"All EHC plans", "Age at start of academic year"}
    devon = caseload[caseload["breakdown"] == "All EHC plans"].iloc[0]
    assert devon["special_academy_free"] == 589 + 328  # the 2026 split, summed
    assert dfe.council_history(tmp_path, "878").categories[2026].to_list() == DEVON_2026


@pytest.mark.parametrize(
    ("dropped", "named"),
    [
        (["special_free_school"], ["'special_free_school'"]),
        (["mainstream_independent", "fe_total"], ["'mainstream_independent'", "'fe_total'"]),
        (
            ["special_academy", "special_free_school"],
            [
                "'special_academy_free' (or, 2026 layout, 'special_academy' and 'special_free_school')"
            ],
        ),
    ],
)
def test_a_missing_required_column_is_named(capsys, tmp_path, sample, dropped, named):
    write_release(tmp_path, sample.drop(columns=dropped))
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert "caseload.csv header: is not the expected DfE file: missing column(s)" in err
    for name in named:
        assert name in err
    assert "Traceback" not in err


def test_post_16_includes_ukrlp_providers(sample):
    # 2026 layout: fe_total = general FE + specialist post-16 + UKRLP providers, so the
    # Post 16 category (fe_total) takes them in; Plymouth age 19 has 7 of its 69 there
    counts = sample[
        ["general_fe_tertiary_colleges", "specialist_post_16_institutions", "ukrlp_provider"]
    ].astype(int)
    assert (counts.sum(axis=1) == sample["fe_total"].astype(int)).all()
    assert counts["ukrlp_provider"].sum() == 8


def test_text_in_a_count_names_the_files_line(tmp_path, sample):
    frame = sample.copy()
    frame.loc[3, "fe_total"] = "lots"  # Devon's All EHC plans row: line 5 of the file
    write_release(tmp_path, frame)
    with pytest.raises(InputError, match=r"line 5, column 'fe_total': text 'lots'"):
        dfe.read_caseload(tmp_path)


# --- the release zip -----------------------------------------------------------------------


def test_release_zip_as_downloaded(capsys, tmp_path, devon_2026_file):
    zipped = write_zip(tmp_path / ZIP_NAME, devon_2026_file)
    for data_dir in (zipped, tmp_path):
        code, out, err = run(
            capsys, "dfe-history", "--la", "878", "--data-dir", str(data_dir), "--format", "csv"
        )
        assert code == 0, err
        rows = history_csv(out)
        assert rows["Category"][-1] == "2026" and rows[TOTAL][-1] == "10340"
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(zipped))
    assert code == 0, err
    assert f"Source: {ZIP_NAME}: data/caseload.csv" in out
    # read in memory: nothing unpacked beside the zip
    assert sorted(p.name for p in tmp_path.iterdir()) == [ZIP_NAME]


def test_zip_in_a_folder_inside_the_download(tmp_path, devon_2026_file):
    write_zip(tmp_path / ZIP_NAME, devon_2026_file, member="ehcp-2026/data/caseload.csv")
    found = dfe.find_caseload(tmp_path)
    assert found.member == "ehcp-2026/data/caseload.csv"
    assert dfe.newest_census(found) == 2026


def test_benchmark_reads_the_zip(capsys, tmp_path, devon_2026_file, sample):
    # the region and England rows are not in the test file: only the council's column is known
    write_zip(tmp_path / ZIP_NAME, devon_2026_file)
    code, out, err = run(capsys, "benchmark", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 0, err
    growth = next(line for line in out.splitlines() if line.startswith("EHCP growth a year"))
    assert "January 2026" in growth


def test_newest_census_wins_and_earlier_years_come_from_it(
    capsys, tmp_path, dfe_dir, devon_2026_file
):
    (tmp_path / dfe.CASELOAD_2025_FILE).write_bytes(
        next(dfe_dir.rglob(dfe.CASELOAD_2025_FILE)).read_bytes()
    )
    revised = devon_2026_file.copy()
    all_2021 = (revised["time_period"] == "202021") & (revised["breakdown"] == "All EHC plans")
    for column in ("ehcplans", "elective_home_education"):  # a revision: 5 more plans, at home
        revised.loc[all_2021, column] = (revised.loc[all_2021, column].astype(int) + 5).astype(str)
    write_zip(tmp_path / ZIP_NAME, revised)
    code, out, err = run(
        capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path), "--format", "csv"
    )
    assert code == 0, err
    rows, old = (
        history_csv(out),
        history_csv(
            run(
                capsys, "dfe-history", "--la", "878", "--data-dir", str(dfe_dir), "--format", "csv"
            )[1]
        ),
    )
    assert rows["Category"][-1] == "2026"
    i = rows["Category"].index("2021")
    assert int(rows[TOTAL][i]) == int(old[TOTAL][i]) + 5
    assert int(rows[PLACEMENT_CATEGORIES[6]][i]) == int(old[PLACEMENT_CATEGORIES[6]][i]) + 5
    # every year from the newest release: a council it does not hold is not looked up elsewhere
    code, _, err = run(capsys, "dfe-history", "--la", "873", "--data-dir", str(tmp_path))
    assert code == 2 and "'873'" in err
    # naming the 2025 file reads that one
    code, out, err = run(
        capsys,
        "dfe-history",
        "--la",
        "873",
        "--data-dir",
        str(tmp_path),
        "--caseload-file",
        dfe.CASELOAD_2025_FILE,
        "--format",
        "csv",
    )
    assert code == 0, err
    assert history_csv(out)["Category"][-1] == "2025"


def test_the_shared_folder_reads_the_2025_release(dfe_dir):
    # the 2026 sample there is a subset, not a release: it is not one of the files looked for
    found = dfe.find_caseload(dfe_dir)
    assert found.path.name == dfe.CASELOAD_2025_FILE and found.member is None


def test_in_excel_import_reads_the_release_zip(tmp_path, devon_2026_file):
    from tests.test_import_history import _payload, _run, _settings

    zipped = write_zip(tmp_path / ZIP_NAME, devon_2026_file)
    old = [["Category", "2019"], ["Total", 1]]
    actions = _run(_payload(_settings("878", str(zipped)), old, "A1:B2", "A2:B2"))
    written = next(a for a in actions if a["func"] == "setValues")["values"]
    assert written[0] == ["Category"] + [str(y) for y in range(2019, 2027)]
    assert [r[-1] for r in written[1:]] == DEVON_2026
    actions = _run(_payload(_settings("878", str(tmp_path)), old, "A1:B2", "A2:B2"))
    assert next(a for a in actions if a["func"] == "setValues")["values"] == written


# --- hostile or broken zips ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../caseload.csv", "/etc/data/caseload.csv", "C:/data/x.csv"])
def test_zip_with_an_unsafe_member_name_is_refused(capsys, tmp_path, sample, bad):
    path = tmp_path / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(dfe.RELEASE_MEMBER, sample.to_csv(index=False))
        zf.writestr(zipfile.ZipInfo(bad), "x")
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert f"{ZIP_NAME} member {bad!r}: has an absolute path or '..' in its name" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [ZIP_NAME]


def test_member_declared_over_the_limit_is_not_read(capsys, tmp_path, sample, monkeypatch):
    zipped = write_zip(tmp_path / ZIP_NAME, sample)
    size = zipfile.ZipFile(zipped).getinfo(dfe.RELEASE_MEMBER).file_size
    monkeypatch.setattr(dfe, "MAX_CASELOAD_BYTES", size - 1)
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(zipped))
    assert code == 2
    assert f"declares {size:,} bytes unpacked, more than the {size - 1:,} a DfE caseload" in err


def test_zip_too_large_or_with_too_many_files_is_not_opened(capsys, tmp_path, sample, monkeypatch):
    zipped = write_zip(tmp_path / ZIP_NAME, sample)
    monkeypatch.setattr(dfe, "MAX_ZIP_MEMBERS", 2)  # the release zip lists 3
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(zipped))
    assert code == 2 and f"{ZIP_NAME}: lists 3 files, more than the 2 a DfE release holds" in err
    monkeypatch.setattr(dfe, "MAX_ZIP_BYTES", zipped.stat().st_size - 1)
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(zipped))
    assert code == 2 and f"is {zipped.stat().st_size:,} bytes, more than the" in err


def test_unrelated_zips_in_the_folder_are_passed_over(capsys, tmp_path, sample):
    write_release(tmp_path, sample)
    (tmp_path / "broken-download.zip").write_bytes(b"PK\x03\x04 not really")
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as zf:
        zf.writestr("../holiday.jpg", "x")  # no caseload in it: never read further
    code, out, err = run(
        capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path), "--format", "csv"
    )
    assert code == 0, err
    assert history_csv(out)[TOTAL] == ["10340"]


def test_member_whose_header_understates_its_size_is_refused(capsys, tmp_path, sample):
    zipped = write_zip(tmp_path / ZIP_NAME, sample)
    lie_about_size(zipped, dfe.RELEASE_MEMBER, 100)
    assert zipfile.ZipFile(zipped).getinfo(dfe.RELEASE_MEMBER).file_size == 100
    code, out, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(zipped))
    assert code == 2 and out == ""
    assert f"{ZIP_NAME}: data/caseload.csv: cannot be read from the zip" in err


class _Endless(io.RawIOBase):
    """A stream that never ends, counting what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = 1 << 20 if n is None or n < 0 else n
        self.served += n
        return b"a" * n


def test_capped_read_stops_one_byte_past_the_limit():
    stream = _Endless()
    with pytest.raises(InputError, match="unpacks to more than the limit of 5,000,000 bytes"):
        dfe.read_capped(stream, 5_000_000, "caseload.csv")
    assert stream.served == 5_000_001
    assert dfe.read_capped(io.BytesIO(b"x" * 10), 10, "f") == b"x" * 10


def test_not_a_zip_and_a_zip_without_the_caseload(capsys, tmp_path):
    fake = tmp_path / ZIP_NAME
    fake.write_text("time_period,la_name\n", encoding="utf-8")
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(fake))
    assert code == 2 and f"{ZIP_NAME}: is not a readable zip file" in err
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("data/requests.csv", "x\n")
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(other))
    assert code == 2 and "other.zip holds no data/caseload.csv" in err
    fake.unlink()
    code, _, err = run(capsys, "dfe-history", "--la", "878", "--data-dir", str(tmp_path))
    assert code == 2 and "no DfE caseload file in" in err and dfe.CASELOAD_2025_FILE in err


# --- the caseload mapping default and the example follow DfE's mapping ---------------------


def test_default_mapping_counts_independent_mainstream_as_independent():
    mapping = placement_mapping(read_mapping(DEFAULT_MAPPING))
    for label in ("Independent mainstream school", "Mainstream independent school"):
        assert mapping[label.casefold()] == PLACEMENT_CATEGORIES[3]


def test_example_history_is_dfes_mapping(dfe_dir):
    from workbooks.example_cambridgeshire import EXAMPLE_PATH
    from workbooks.model_reader import read_model

    table = read_model(EXAMPLE_PATH).frame("EHCPHistory").set_index("Category")
    history = dfe.council_history(dfe_dir, "873").categories
    for year in range(2019, 2025):
        assert table[str(year)].astype(float).to_list() == history[year].iloc[:7].to_list()
    assert table.loc[PLACEMENT_CATEGORIES[3], "2021"] == 225
