"""DfE statistics: the readers, the EHCP history by placement category, the benchmark.

Figures are DfE's published ones (../shared/data/dfe/README.md, "Cambridgeshire").
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from addin.cli import main
from models.benchmark import compound_growth, share
from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.ehcp_history import (
    ALL_PLANS,
    CASELOAD_COUNTS,
    RESOURCED_COLUMNS,
    adds_up,
    age_groups,
    placement_categories,
)
from models.errors import InputError
from workbooks import dfe

#: Cambridgeshire's statements + EHC plans at January (DfE, README table).
CAMBS_TOTALS = {2019: 4198, 2020: 4690, 2021: 5292, 2022: 6100, 2023: 6972, 2024: 7318, 2025: 8007}


@pytest.fixture(scope="module")
def caseload(dfe_dir: Path) -> pd.DataFrame:
    return dfe.read_caseload_2025(dfe_dir)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# --- readers -------------------------------------------------------------------------


def test_caseload_reader_years_codes_and_suppression(caseload):
    cambs = caseload[(caseload["old_la_code"] == "873") & (caseload["breakdown"] == ALL_PLANS)]
    assert dict(zip(cambs["year"], cambs["ehcplans"], strict=True)) == CAMBS_TOTALS
    assert set(cambs["new_la_code"]) == {"E10000003"}
    jan2025 = cambs[cambs["year"] == 2025].iloc[0]
    # 'x' in the file: missing, never 0
    assert math.isnan(jan2025["mainstream_total"]) and math.isnan(jan2025["special_independent"])
    jan2019 = cambs[cambs["year"] == 2019].iloc[0]
    assert jan2019["mainstream_total"] == 1757 and jan2019["special_independent"] == 146
    assert jan2019["mainstream_la_maintained_resourced_provision"] == 0  # a real 0 stays 0
    assert "ap_pru_total_pc" in caseload.columns  # DfE's AP_PRU_total_pc, header lower-cased


def test_estab_2022_reader(dfe_dir):
    estab = dfe.read_estab_caseload_2022(dfe_dir)
    cambs = estab[
        (estab["old_la_code"] == "873")
        & (estab["establishment_type"] == "Total")
        & (estab["establishment_group"] == "Total")
    ]
    totals = dict(zip(cambs["year"], cambs["total_all"], strict=True))
    # README: the establishment file gives 3,734 for January 2018
    assert totals[2015] == 3099 and totals[2018] == 3734 and totals[2022] == 6100
    # 'z' (not applicable: no statements after 2019) is missing, not 0
    assert math.isnan(cambs[cambs["year"] == 2022]["total_st"].iloc[0])


def test_age_2022_reader(dfe_dir):
    ages = dfe.read_age_caseload_2022(dfe_dir)
    cambs = ages[(ages["old_la_code"] == "873") & (ages["year"] == 2018)]
    by_age = dict(zip(cambs["characteristic_age"], cambs["total_all"], strict=True))
    assert by_age["Total"] == 3822  # 299 statements + 3,523 EHC plans
    assert sum(by_age[g] for g in AGE_GROUPS) == 3822
    row = cambs[cambs["characteristic_age"] == "Total"].iloc[0]
    assert (row["total_st"], row["total_ehc"]) == (299, 3523)


def test_dsg_allocations_reader_in_pounds(dfe_dir):
    alloc = dfe.read_dsg_allocations(dfe_dir)
    cambs = alloc[(alloc["row_type"] == "la") & (alloc["la_code"] == "873")].set_index(
        "financial_year"
    )
    # 2019-20 is published in GBP million: £68.84m before deductions
    assert cambs.loc["2019-20", "hnb_before_deductions"] == pytest.approx(68_843_120.03, abs=0.01)
    assert cambs.loc["2023-24", "hnb_before_deductions"] == 104_164_500
    assert cambs.loc["2023-24", "total_dsg_before_deductions"] == 602_121_962
    assert set(alloc["units"]) == {"GBP"}
    london = alloc[(alloc["la_code"] == "LONDON") & (alloc["financial_year"] == "2021-22")]
    assert len(london) == 1  # published twice, word for word


def test_dsg_deficit_reader(dfe_dir):
    deficit = dfe.read_dsg_deficit(dfe_dir)
    cambs = deficit[deficit["la_name"] == "Cambridgeshire"].set_index("financial_year")["deficit"]
    assert cambs.to_dict() == {"2019-20": 3.59, "2020-21": 5.38, "2021-22": 7.33}


def test_reader_takes_a_file_path_and_an_overridden_name(dfe_dir, tmp_path):
    path = next(dfe_dir.rglob(dfe.CASELOAD_2025_FILE))
    assert len(dfe.read_caseload_2025(path)) == 8634
    renamed = tmp_path / "caseload_downloaded.csv"
    renamed.write_bytes(path.read_bytes())
    assert len(dfe.read_caseload_2025(tmp_path, file_name="caseload_downloaded.csv")) == 8634
    with pytest.raises(FileNotFoundError, match="ehcp2025_caseload_all_and_age.csv"):
        dfe.read_caseload_2025(tmp_path)


READERS = [
    (dfe.read_caseload_2025, dfe.CASELOAD_2025_FILE),
    (dfe.read_estab_caseload_2022, dfe.ESTAB_2022_FILE),
    (dfe.read_age_caseload_2022, dfe.AGE_2022_FILE),
    (dfe.read_dsg_allocations, dfe.DSG_ALLOCATIONS_FILE),
    (dfe.read_dsg_deficit, dfe.DSG_DEFICIT_FILE),
]


@pytest.mark.parametrize(("reader", "name"), READERS, ids=[n for _, n in READERS])
def test_reader_refuses_missing_columns_naming_them(reader, name, dfe_dir, tmp_path):
    original = pd.read_csv(next(dfe_dir.rglob(name)), dtype=str, keep_default_na=False, nrows=5)
    cut = [
        c for c in original.columns if c.casefold() in ("la_name", original.columns[-2].casefold())
    ]
    wanted = {c.casefold() for c in original.columns} - {c.casefold() for c in cut}
    path = tmp_path / name
    original.drop(columns=cut).to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        reader(path)
    message = str(info.value)
    assert name in message and "missing column" in message
    assert "'la_name'" in message
    # every missing column that the reader needs is named, nothing else
    for c in cut:
        if c.casefold() in (set(_expected(name)) - wanted):
            assert repr(c.casefold()) in message


def _expected(name):
    return {
        dfe.CASELOAD_2025_FILE: dfe.CASELOAD_2025_COLUMNS,
        dfe.ESTAB_2022_FILE: dfe.ESTAB_2022_COLUMNS,
        dfe.AGE_2022_FILE: dfe.AGE_2022_COLUMNS,
        dfe.DSG_ALLOCATIONS_FILE: dfe.DSG_ALLOCATIONS_COLUMNS,
        dfe.DSG_DEFICIT_FILE: dfe.DSG_DEFICIT_COLUMNS,
    }[name]


def test_reader_refuses_text_where_a_count_belongs(dfe_dir, tmp_path):
    raw = pd.read_csv(
        next(dfe_dir.rglob(dfe.CASELOAD_2025_FILE)), dtype=str, keep_default_na=False, nrows=3
    )
    raw.loc[1, "fe_total"] = "n/a"
    path = tmp_path / dfe.CASELOAD_2025_FILE
    raw.to_csv(path, index=False)
    with pytest.raises(
        InputError, match=r"line 3, column 'fe_total': text 'n/a' where a number belongs"
    ):
        dfe.read_caseload_2025(path)


def test_markers_are_missing_never_zero():
    raw = pd.DataFrame({"n": ["x", "z", "c", "0", "", " 1,234 "]})
    values = dfe.to_numbers(raw, ["n"], "f.csv")["n"]
    assert values.isna().tolist() == [True, True, True, False, True, False]
    assert values.iloc[3] == 0 and values.iloc[5] == 1234


def test_census_year():
    assert dfe.census_year("201819") == 2019 and dfe.census_year("202425") == 2025
    assert dfe.census_year("2022") == 2022
    with pytest.raises(ValueError, match="201820"):
        dfe.census_year("201820")


# --- EHCP history by placement category ------------------------------------------------


def test_dfe_history_csv_cambridgeshire(capsys, dfe_dir):
    code, out, err = run(
        capsys, "dfe-history", "--la", "873", "--data-dir", str(dfe_dir), "--format", "csv"
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["Category", "2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    assert [r[0] for r in rows[1:]] == list(PLACEMENT_CATEGORIES) + [TOTAL]
    assert rows[-1] == ["Total", "4198", "4690", "5292", "6100", "6972", "7318", "8007"]
    # 2025: DfE suppressed Cambridgeshire's placements: DfE's x in every category, never 0 or
    # blank (EHCPHistory accepts x as a suppressed figure)
    assert [r[-1] for r in rows[1:-1]] == ["x"] * 7
    # 2019 by hand from the file: mainstream_total 1757 less RP/units 22 less the 38 plans in
    # independent mainstream schools; NMSS or independent 146 + 6 + those 38 (DfE's mapping)
    assert [r[1] for r in rows[1:-1]] == ["1697", "22", "1181", "190", "1", "751", "356"]
    # January 2021 as DfE's High Needs benchmarking tool gives it
    # (../shared/data/dfe/dsg_deficit_and_s251/Outturn data 202122.xlsx, row 'Cambridgeshire')
    assert rows[1][3] == "2060" and rows[4][3] == "225"
    for col in range(1, 7):
        assert sum(int(r[col]) for r in rows[1:-1]) == int(rows[-1][col])


def test_ons_code_gives_the_same_history(capsys, dfe_dir):
    _, by_dfe, _ = run(
        capsys, "dfe-history", "--la", "873", "--data-dir", str(dfe_dir), "--format", "csv"
    )
    code, by_ons, err = run(
        capsys, "dfe-history", "--la", "e10000003", "--data-dir", str(dfe_dir), "--format", "csv"
    )
    assert code == 0, err
    assert by_ons == by_dfe


def test_history_table_format(capsys, dfe_dir):
    code, out, err = run(capsys, "dfe-history", "--la", "873", "--data-dir", str(dfe_dir))
    assert code == 0, err
    assert "Cambridgeshire" in out
    total = next(line for line in out.splitlines() if line.startswith("Total "))
    assert total.split()[1:] == ["4,198", "4,690", "5,292", "6,100", "6,972", "7,318", "8,007"]
    nmss = next(line for line in out.splitlines() if line.startswith("NMSS or independent"))
    assert nmss.split()[-1] == "x"
    by_age = next(line for line in out.splitlines() if line.startswith(TOTAL_BY_AGE))
    assert by_age.split()[-2:] == ["7,318", "8,007"]
    for group in AGE_GROUPS:
        assert group in out


def test_unknown_council_is_refused(capsys, dfe_dir):
    code, out, err = run(capsys, "dfe-history", "--la", "999", "--data-dir", str(dfe_dir))
    assert code == 2 and out == ""
    assert "--la" in err and "'999'" in err


def test_missing_data_folder_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "dfe-history", "--la", "873", "--data-dir", str(tmp_path))
    assert code == 2 and dfe.CASELOAD_2025_FILE in err


def test_categories_add_up_for_every_area(caseload):
    plans = caseload[caseload["breakdown"] == ALL_PLANS]
    checked = 0
    for _, rows in plans.groupby(["geographic_level", "old_la_code", "region_code"], dropna=False):
        table = placement_categories(rows)
        ok = adds_up(table)
        complete = table.notna().all(axis=0)
        assert (ok[complete] == True).all()  # noqa: E712 - object Series of True/NaN
        assert (table[complete.index[complete]] >= 0).all().all()
        # a missing category is only ever where an input was suppressed
        data = rows.set_index("year")[list(CASELOAD_COUNTS)]
        for year in table.columns[~complete]:
            assert data.loc[year].isna().any()
        checked += int(complete.sum())
    assert checked > 1100  # every council, region and England, 2019-2025


def test_single_year_ages_add_up_to_the_total(caseload):
    las = caseload[caseload["geographic_level"] == "Local authority"]
    compared = 0
    for code, rows in las.groupby("old_la_code"):
        ages = age_groups(rows[rows["breakdown_topic"] != ALL_PLANS])
        totals = rows[rows["breakdown"] == ALL_PLANS].set_index("year")["ehcplans"]
        for year in ages.columns:
            if code in ("204", "874") and year == 2024:
                continue  # Hackney, Peterborough: totals only in 2024 (DfE footnote 5)
            if not math.isnan(ages.loc[TOTAL_BY_AGE, year]):
                assert ages.loc[TOTAL_BY_AGE, year] == totals[year], (code, year)
                compared += 1
    assert compared > 300


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=14, max_size=14),
    st.integers(0, 2000),
    st.sets(st.sampled_from(CASELOAD_COUNTS), max_size=3),
)
def test_categories_add_up_and_suppression_propagates(counts, other, suppressed):
    rp = counts[:6]
    plain_mainstream, la, acad, ind, nm, ap, fe, ind_mainstream = counts[6:]
    row = dict(zip(RESOURCED_COLUMNS, map(float, rp), strict=True))
    row.update(
        year=2024,
        mainstream_total=float(plain_mainstream + ind_mainstream + sum(rp)),
        mainstream_independent=float(ind_mainstream),
        special_la_maintained=float(la),
        special_academy_free=float(acad),
        special_independent=float(ind),
        special_non_maintained=float(nm),
        special_total=float(la + acad + ind + nm),
        ap_pru_total=float(ap),
        fe_total=float(fe),
    )
    row["ehcplans"] = float(sum(counts) + other)
    full = placement_categories(pd.DataFrame([row]))[2024]
    assert full.loc[list(PLACEMENT_CATEGORIES)].sum() == full.loc[TOTAL]
    assert full.loc["Other placements or direct payments"] == other
    # DfE's benchmarking tool: independent mainstream schools count as independent
    assert full.loc["Mainstream schools or academies"] == plain_mainstream
    assert full.loc["NMSS or independent"] == ind + nm + ind_mainstream
    for c in suppressed:
        row[c] = np.nan
    cut = placement_categories(pd.DataFrame([row]))[2024]
    # no category becomes 0 in place of missing: each one either keeps its value or is NaN
    assert ((cut == full) | cut.isna()).all()
    if suppressed:
        assert cut.isna().any()


def test_age_groups_count_absent_ages_as_zero_and_suppressed_as_missing():
    rows = pd.DataFrame(
        {
            "year": [2025] * 3 + [2024] * 2,
            "breakdown": ["under 3", "age 3", "age 12", "age 4", "age 5"],
            "ehcplans": [1, 2, 3, np.nan, 7],
        }
    )
    table = age_groups(rows)
    assert table[2025].tolist() == [3, 0, 3, 0, 0, 6]
    assert math.isnan(table.loc["Under 5", 2024]) and math.isnan(table.loc[TOTAL_BY_AGE, 2024])
    assert table.loc["Age 5 to 10", 2024] == 7
    with pytest.raises(InputError, match="age 26"):
        age_groups(pd.DataFrame({"year": [2025], "breakdown": ["age 26"], "ehcplans": [1]}))


def test_history_written_to_paste(capsys, dfe_dir, tmp_path):
    xlsx, csv_path = tmp_path / "history.xlsx", tmp_path / "history.csv"
    assert (
        run(capsys, "dfe-history", "--la", "873", "--data-dir", str(dfe_dir), "--out", str(xlsx))[0]
        == 0
    )
    code, out, _ = run(
        capsys,
        "dfe-history",
        "--la",
        "873",
        "--data-dir",
        str(dfe_dir),
        "--format",
        "csv",
        "--out",
        str(csv_path),
    )
    assert code == 0 and csv_path.read_text(encoding="utf-8") == out
    wb = load_workbook(xlsx)
    ws = wb["EHCPHistory"]
    assert ws.tables["EHCPHistory"].ref == "A1:H9"
    assert [c.value for c in ws[1]] == ["Category"] + [str(y) for y in CAMBS_TOTALS]
    assert [c.value for c in ws[9]] == ["Total"] + list(CAMBS_TOTALS.values())
    assert ws["B2"].value == 1697 and ws["H2"].value == "x"  # suppressed: DfE's x, never 0
    assert "EHCPHistoryByAge" in ws.tables
    assert [p.name for p in tmp_path.iterdir()] and all(
        not p.name.startswith(".") for p in tmp_path.iterdir()
    )


def test_out_with_another_extension_is_refused(capsys, dfe_dir, tmp_path):
    code, _, err = run(
        capsys,
        "dfe-history",
        "--la",
        "873",
        "--data-dir",
        str(dfe_dir),
        "--out",
        str(tmp_path / "h.txt"),
    )
    assert code == 2 and "h.txt" in err and not (tmp_path / "h.txt").exists()


# --- benchmark -----------------------------------------------------------------------


def test_benchmark_names_council_region_and_england(capsys, dfe_dir):
    code, out, err = run(capsys, "benchmark", "--la", "873", "--data-dir", str(dfe_dir))
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("Measure"))
    assert header.split("  ")[0] == "Measure"
    assert (
        "Cambridgeshire" in header
        and "East of England" in header
        and "England" in header.replace("East of England", "")
    )
    lines = {line.split("  ")[0]: line.split() for line in out.splitlines() if "  " in line}
    growth = lines["EHCP growth a year, January 2019 to January 2025"]
    assert growth[-3] == f"{(8007 / 4198) ** (1 / 6) - 1:.2%}"  # 11.36%
    assert lines["DSG cumulative deficit as a share of DSG, 2021-22"][-3:] == [
        "7.33%",
        "1.36%",
        "2.26%",
    ]
    # both bases, labelled (ESFA hnb_before_deductions / hnb_after_deductions)
    assert lines["High Needs Block allocation before deductions, 2019-20"][-3] == "£68.84m"
    after = lines["High Needs Block allocation after deductions, 2023-24"][-3]
    assert after == "£87.55m"  # the example's 2023-24 income, ESFA's after-deductions figure
    assert lines["High Needs Block allocation before deductions, 2023-24"][-3] == "£104.16m"
    assert "Section 251 line 1.0.2 must be on the same basis" in out
    # placements of January 2025 are suppressed for Cambridgeshire: the shares use January 2024;
    # NMSS or independent 250 special + 85 independent mainstream (DfE's mapping)
    nmss = lines["Share of plans in NMSS or independent, January 2024"]
    assert nmss[-3] == f"{335 / 7318:.2%}"
    mainstream = lines["Share of plans in mainstream schools or academies, January 2024"]
    assert mainstream[-3] == f"{3254 / 7318:.2%}"


def test_benchmark_workbook_has_a_native_chart(capsys, dfe_dir, tmp_path):
    out = tmp_path / "bench.xlsx"
    code, _, err = run(
        capsys, "benchmark", "--la", "E10000003", "--data-dir", str(dfe_dir), "--out", str(out)
    )
    assert code == 0, err
    ws = load_workbook(out)["Benchmark"]
    assert ws["A1"].value == "Cambridgeshire against East of England and England"
    assert [c.value for c in ws[3][:4]] == [
        "Measure",
        "Cambridgeshire",
        "East of England",
        "England",
    ]
    assert ws["B4"].value == 4198 and ws["D4"].value == 353995
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    titles = [ws[s.tx.strRef.f.split("!")[1].replace("$", "")].value for s in chart.series]
    assert titles[:2] == ["Cambridgeshire High Needs Block", "Cambridgeshire EHC plans"]
    first = chart.series[0].cat.numRef.f.split("!")[1].replace("$", "").split(":")[0]
    assert ws[first].value == "2019-20"


def test_benchmark_helpers():
    assert compound_growth(4198, 8007, 6) == pytest.approx((8007 / 4198) ** (1 / 6) - 1)
    assert math.isnan(compound_growth(np.nan, 8007, 6))
    assert math.isnan(share(np.nan, 7318)) and share(250, 7318) == pytest.approx(0.034162, abs=1e-6)
