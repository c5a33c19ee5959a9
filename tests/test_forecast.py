"""The demand forecast: the cohort model's steps, the baselines, no leakage, intervals,
``dsg forecast`` and its workbook, on the real DfE files in ../shared/data/dfe."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.cli import main
from models import forecast as F
from models.categories import PLACEMENT_CATEGORIES, TOTAL
from models.errors import InputError
from workbooks.demand_data import NEW_PLANS_2025_FILE, load_demand_data

CAMBRIDGESHIRE = "873"


@pytest.fixture(scope="module")
def data(dfe_dir) -> F.DemandData:
    return load_demand_data(dfe_dir)


def run(argv, capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- the reader -----------------------------------------------------------------------


def test_reader_matches_the_dfe_figures(data):
    """README of the shared data: Cambridgeshire's January counts, 2015-2025."""
    i = data.find(CAMBRIDGESHIRE)
    assert data.find("E10000003") == i
    expected = {2015: 3099, 2016: 3204, 2017: 3429, 2019: 4198, 2022: 6100, 2024: 7318, 2025: 8007}
    for year, plans in expected.items():
        assert data.total[i, year - 2010] == plans
    # January 2019 by category (models.ehcp_history's doctest, same DfE row), in DfE's
    # benchmarking-tool mapping: the 38 plans in independent mainstream schools count
    # as NMSS or independent (152 + 38 = 190), not as mainstream (1,735 - 38 = 1,697)
    assert data.categories[i, 2019 - 2010].tolist() == [1697, 22, 1181, 190, 1, 751, 356]
    # placements suppressed by DfE in January 2025: missing, never 0
    assert np.isnan(data.categories[i, 2025 - 2010]).all()
    # single ages add up to the total where published
    for year in (2024, 2025):
        assert np.nansum(data.ages[i, year - 2010]) == pytest.approx(data.total[i, year - 2010])
    # bands add up to the total (statements to 19 before 2015: the 20-25 band counts 0)
    for year in (2012, 2020):
        assert data.bands[i, year - 2010].sum() == pytest.approx(data.total[i, year - 2010])


def test_missing_file_is_named(tmp_path, dfe_dir, capsys):
    for name in ("ehcp2025_caseload_all_and_age.csv", "ehcp2022_sen2_age_caseload_2010-2022.csv"):
        (tmp_path / name).symlink_to(dfe_dir / "ehcp_sen2" / name)
    code, out, err = run(["forecast", "--la", "873", "--data-dir", str(tmp_path)], capsys)
    assert code == 2
    assert NEW_PLANS_2025_FILE in err
    assert out == ""


# --- the model's steps ------------------------------------------------------------------


shares = st.lists(st.floats(0.0, 1.0), min_size=7, max_size=7).filter(lambda v: sum(v) > 0.01)


@settings(max_examples=60, deadline=None)
@given(shares, shares)
def test_least_movement_takes_u_to_v(u, v):
    u = np.array(u) / sum(u)
    v = np.array(v) / sum(v)
    T = F.least_movement(u, v)
    assert (T >= -1e-12).all()
    assert np.allclose(T.sum(-1), 1.0)
    assert np.allclose(u @ T, v)
    # nobody moves out of a category that does not shrink
    for c in range(7):
        if u[c] > 0 and v[c] >= u[c]:
            assert T[c, c] == pytest.approx(1.0)


def test_proportional_fit_meets_both_totals():
    rng = np.random.default_rng(7)
    by_age = rng.uniform(0, 50, F.AGES)
    by_age[:2] = 0.0
    by_cat = rng.uniform(1, 100, 7)
    by_cat *= by_age.sum() / by_cat.sum()
    x = F.proportional_fit(np.ones((F.AGES, 7)), by_age, by_cat)
    assert np.allclose(x.sum(-1), by_age)
    assert np.allclose(x.sum(0), by_cat, rtol=1e-6)


def test_split_bands_keeps_each_band():
    bands = np.array([10.0, 60.0, 55.0, 40.0, 12.0])
    ages = F.split_bands(bands)
    assert np.allclose(F.band_totals(ages), bands)
    assert ages[20] == ages[25] == 2.0


def test_shrink_is_the_credibility_weighted_mean():
    level, parent = np.array([0, 0, 1, 2]), np.array([2, 2, 3, -1])
    raw = np.array([2.0, np.nan, 1.2, 1.1])
    exposure = np.array([50.0, 0.0, 1e12, 1e12])
    out = F.shrink(raw, exposure, level, parent, 150.0, 1.0)
    region = 1.2  # weight ~1
    assert out[0] == pytest.approx(50 / 200 * 2.0 + 150 / 200 * region)
    assert out[1] == pytest.approx(region)  # no exposure: the region's rate
    assert F.shrink(raw, exposure, level, parent, 0.0, 1.0)[0] == 2.0  # k = 0: own rate


def test_step_by_hand():
    """Two ages' worth of plans, ratios and no placement moves: the formula by hand."""
    stock = np.zeros((1, F.AGES, 7))
    stock[0, 10, 0] = 100.0  # 100 mainstream at 10
    stock[0, 11, 2] = 50.0  # 50 special at 11
    ratio = np.ones((1, F.AGES))
    ratio[0, 11] = 1.2  # age 10 -> 11 gains 20%
    ratio[0, 12] = 0.9  # age 11 -> 12 loses 10%
    mix = np.zeros((1, F.AGES, 7))
    mix[0, :, 3] = 1.0  # gains all go to NMSS
    fit = F.CohortFit(
        2025,
        stock,
        ratio,
        np.broadcast_to(np.eye(7), (1, F.AGES, 7, 7)),
        mix,
        np.zeros((1, 7)),
        0.0,
        1,
    )
    nxt = F.step(stock, fit)
    assert nxt[0, 11, 0] == pytest.approx(100.0)  # the cohort aged a year, kept its placement
    assert nxt[0, 11, 3] == pytest.approx(20.0)  # (1.2 - 1) * 100 joined, in the gains' mix
    assert nxt[0, 12, 2] == pytest.approx(45.0)  # 0.9 * 50
    assert nxt.sum() == pytest.approx(165.0)
    # drift tilts the mix within an age but keeps the age's total
    tilted = F.step(stock, replace(fit, drift=np.log(np.array([[2.0, 1, 1, 1, 1, 1, 1]]))))
    assert tilted[0, 11].sum() == pytest.approx(120.0)
    assert tilted[0, 11, 0] / tilted[0, 11, 3] == pytest.approx(2 * 100 / 20)


def test_plans_at_25_cease():
    stock = np.zeros((1, F.AGES, 7))
    stock[0, 25, 5] = 30.0
    fit = F.CohortFit(
        2025,
        stock,
        np.ones((1, F.AGES)),
        np.broadcast_to(np.eye(7), (1, F.AGES, 7, 7)),
        np.full((1, F.AGES, 7), 1 / 7),
        np.zeros((1, 7)),
        0.0,
        1,
    )
    assert F.step(stock, fit).sum() == 0.0


# --- the baselines ---------------------------------------------------------------------------


def test_baselines_by_hand():
    y = np.array([[[100.0], [np.nan], [121.0], [133.1], [146.41]]])
    assert F.last_value(y, 2)[0, :, 0].tolist() == [146.41, 146.41]
    # 1 year: +10%; 3 years back is suppressed, so the 2-year span is used (+10%)
    assert np.allclose(F.compound_growth(y, 1, 2)[0, :, 0], [161.051, 177.1561])
    assert np.allclose(F.compound_growth(y, 3, 1)[0, :, 0], [161.051])
    line = np.array([[[3.0], [5.0], [7.0], [9.0]]])
    assert np.allclose(F.linear_trend(line, 3)[0, :, 0], [11.0, 13.0, 15.0])
    # a category of zeros stays at zero, without NaN
    zeros = np.zeros((1, 7, 1))
    for forecast in (F.compound_growth(zeros, 6, 3), F.linear_trend(zeros, 3)):
        assert (forecast == 0.0).all()


# --- no leakage --------------------------------------------------------------------------------


def _scrambled_after(data: F.DemandData, origin: int) -> F.DemandData:
    """Every census after ``origin`` and new plans from ``origin`` on multiplied by 3."""
    later = data.years > origin
    flows = data.years >= origin

    def times3(a, mask):
        out = a.copy()
        out[:, mask] *= 3.0
        return out

    return replace(
        data,
        total=times3(data.total, later),
        categories=times3(data.categories, later),
        ages=times3(data.ages, later),
        joint=times3(data.joint, later),
        bands=times3(data.bands, later),
        new_plans=times3(data.new_plans, flows),
        new_by_age=times3(data.new_by_age, flows),
        ceased=times3(data.ceased, flows),
    )


def test_no_later_data_leaks_into_a_forecast(data):
    origin = 2022
    before = F.forecast(data, origin, 3)
    after = F.forecast(_scrambled_after(data, origin), origin, 3)
    assert before.settings == after.settings
    assert np.array_equal(before.bands, after.bands, equal_nan=True)
    for method in F.METHODS[1:]:
        assert np.array_equal(
            F.baseline_forecast(data, origin, method, 3),
            F.baseline_forecast(_scrambled_after(data, origin), origin, method, 3),
            equal_nan=True,
        )
    # the check can fail: the same change one year earlier moves the forecast
    moved = F.forecast(_scrambled_after(data, origin - 1), origin, 3)
    assert not np.allclose(before.bands, moved.bands, equal_nan=True)


# --- the forecast and its intervals ----------------------------------------------------------


def test_every_council_has_ordered_finite_intervals(data):
    result = F.forecast(data, 2025, 3)
    councils = [i for i in data.councils if not np.isnan(data.total[i, -1])]
    bands = result.bands[councils]
    assert np.isfinite(bands).all()
    assert (bands >= 0).all()
    assert (bands[..., 0] <= bands[..., 1]).all() and (bands[..., 1] <= bands[..., 2]).all()
    # the categories add up to the total, at the P50
    assert np.allclose(bands[:, :, :7, 1].sum(-1), bands[:, :, 7, 1])
    # Cambridgeshire's suppressed 2025 placements: the latest shares of the 2025 total
    i = data.find(CAMBRIDGESHIRE)
    assert np.isfinite(result.bands[i]).all()
    # intervals widen with the horizon
    width = bands[..., 2] - bands[..., 0]
    assert (width[:, 2, 7] >= width[:, 0, 7]).all()


def test_score_backtest_by_hand():
    records = pd.DataFrame(
        {
            "method": ["Cohort"] * 4,
            "origin": [2022] * 4,
            "horizon": [1] * 4,
            "council": ["1", "2", "3", "4"],
            "series": [TOTAL] * 4,
            "forecast": [110.0, 90.0, 100.0, 50.0],
            "p10": [100.0, 80.0, 95.0, 40.0],
            "p90": [120.0, 95.0, 105.0, 60.0],
            "actual": [100.0, 100.0, 100.0, 0.0],
        }
    )
    scores = F.score_backtest(records).loc[(1, TOTAL, "Cohort")]
    assert scores["MdAPE"] == pytest.approx(10.0)  # 10, 10, 0; the zero actual left out
    assert scores["MAPE"] == pytest.approx(20 / 3)
    assert scores["Cover80"] == pytest.approx(50.0)  # 100 in, 100 out, 100 in, 0 out
    assert scores["n"] == 3


def test_origin_later_than_the_data(data):
    with pytest.raises(InputError, match="--origin 2026: is outside the data"):
        F.forecast(data, 2026, 3)


# --- dsg forecast ------------------------------------------------------------------------------


def test_csv_every_council(dfe_dir, capsys, data):
    code, out, err = run(
        [
            "forecast",
            "--la",
            "all",
            "--data-dir",
            str(dfe_dir),
            "--origin",
            "2025",
            "--horizon",
            "3",
            "--format",
            "csv",
        ],
        capsys,
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["LA code", "Category", "Statistic"] + [str(y) for y in range(2019, 2029)]
    body = rows[1:]
    councils = {r[0] for r in body}
    published = {data.codes[i] for i in data.councils if not np.isnan(data.total[i, -1])}
    assert councils == published
    assert len(body) == len(councils) * 8 * 4
    assert {r[1] for r in body} == set(PLACEMENT_CATEGORIES) | {TOTAL}
    assert "nan" not in out.casefold()
    cambs = {(r[1], r[2]): r[3:] for r in body if r[0] == CAMBRIDGESHIRE}
    assert (
        cambs[(TOTAL, "Actual")]
        == ["4198", "4690", "5292", "6100", "6972", "7318", "8007"] + [""] * 3
    )
    assert cambs[("NMSS or independent", "Actual")][-4:] == ["x", "", "", ""]
    for stat in ("P10", "P50", "P90"):
        cells = cambs[(TOTAL, stat)]
        assert cells[:7] == [""] * 7 and all(c.isdigit() for c in cells[7:])
    assert "909 Cumbria" in err  # reorganised away before 2025: left out, and said so


def test_table_and_errors(dfe_dir, capsys):
    code, out, err = run(
        ["forecast", "--la", "E10000003,878", "--data-dir", str(dfe_dir), "--horizon", "2"],
        capsys,
    )
    assert code == 0, err
    assert "Cambridgeshire (LA 873)" in out and "Devon (LA 878)" in out
    headers = [line.split() for line in out.splitlines() if line.startswith("Category")]
    assert headers[0][2:] == [str(y) for y in range(2019, 2028)]

    code, out, err = run(["forecast", "--la", "873,999", "--data-dir", str(dfe_dir)], capsys)
    assert code == 2 and "'999'" in err and out == ""

    code, out, err = run(
        ["forecast", "--la", "909", "--data-dir", str(dfe_dir), "--origin", "2025"], capsys
    )
    assert code == 2 and "Cumbria has no January 2025 count" in err

    code, out, err = run(
        ["forecast", "--la", "873", "--data-dir", str(dfe_dir), "--origin", "2026"], capsys
    )
    assert code == 2 and "--origin 2026: is outside the data" in err

    code, out, err = run(
        ["forecast", "--la", "873", "--data-dir", str(dfe_dir), "--horizon", "0"], capsys
    )
    assert code == 2 and "--horizon" in err


def test_workbook(dfe_dir, capsys, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "forecast.xlsx"
    code, out, err = run(
        ["forecast", "--la", "873", "--data-dir", str(dfe_dir), "--out", str(target)], capsys
    )
    assert code == 0, err
    wb = load_workbook(target)
    ws = wb["Forecast"]
    table = ws.tables["Forecast"]
    assert table.ref == "A4:N36"
    assert [c.value for c in ws[4]][:5] == ["LA code", "Council", "Category", "Statistic", "2019"]
    rows = {(r[2], r[3]): r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert rows[(TOTAL, "Actual")][4:11] == (4198, 4690, 5292, 6100, 6972, 7318, 8007)
    assert rows[("NMSS or independent", "Actual")][10] == "x"
    p10, p50, p90 = (rows[(TOTAL, s)][11:] for s in ("P10", "P50", "P90"))
    assert all(a <= b <= c for a, b, c in zip(p10, p50, p90, strict=True))
    charts = wb["LA 873"]._charts
    assert len(charts) == 8
    assert [f.name for f in tmp_path.iterdir()] == ["forecast.xlsx"]  # no temporary file left

    # never overwritten
    before = target.read_bytes()
    code, out, err = run(
        ["forecast", "--la", "878", "--data-dir", str(dfe_dir), "--out", str(target)], capsys
    )
    assert code == 2 and "already exists" in err
    assert target.read_bytes() == before
    code, out, err = run(
        ["forecast", "--la", "878", "--data-dir", str(dfe_dir), "--out", str(tmp_path / "f.csv")],
        capsys,
    )
    assert code == 2 and ".xlsx" in err


def test_workbook_text_is_never_a_formula(tmp_path):
    from openpyxl import load_workbook

    from workbooks.forecast_workbook import write_forecast_workbook

    result = F.Forecast(2025, (2026,), np.full((1, 1, 8, 3), 5.0), (100.0, 2))
    table = pd.DataFrame(
        [
            ["=1+1", '=HYPERLINK("x")', name, stat]
            + [1.0] * 7
            + [np.nan if stat == "Actual" else 5.0]
            for name in F.SERIES
            for stat in F.STATISTICS
        ],
        columns=["LA code", "Council", "Category", "Statistic"] + list(range(2019, 2027)),
    )
    path = write_forecast_workbook(tmp_path / "t.xlsx", table, result)
    ws = load_workbook(path)["Forecast"]
    assert ws["B5"].value == '=HYPERLINK("x")' and ws["B5"].data_type == "s"
    assert ws["A5"].data_type == "s"
    with pytest.raises(FileExistsError):
        write_forecast_workbook(path, table, result)


def test_a_category_of_zeros(data):
    """A council with no plans at all in a category: zeros forecast, no NaN."""
    cats = data.categories[data.councils][:, -7:]
    ap = PLACEMENT_CATEGORIES.index("Hospital schools or alternative provision")
    zero = [
        int(data.councils[j])
        for j in range(len(data.councils))
        if np.nan_to_num(cats[j, :, ap], nan=1.0).sum() == 0
    ]
    assert zero, "the data have a council without alternative provision in 2019-2025"
    result = F.forecast(data, 2025, 3)
    for i in zero:
        assert np.isfinite(result.bands[i]).all()
        assert result.bands[i, :, ap, 0].min() == 0.0


def test_reader_refuses_text_in_a_count(tmp_path, dfe_dir):
    from models.errors import InputError
    from workbooks.demand_data import read_new_plans_2025

    source = (dfe_dir / "ehcp_sen2" / NEW_PLANS_2025_FILE).read_text(encoding="utf-8").splitlines()
    header = source[0].split(",")
    row = source[1].split(",")
    row[header.index("new_ehc_plans")] = "lots"
    bad = tmp_path / NEW_PLANS_2025_FILE
    bad.write_text("\n".join([source[0], ",".join(row)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2, column 'new_ehc_plans'.*'lots'"):
        read_new_plans_2025(Path(tmp_path))


def test_flows_split_the_ratio_exactly(data):
    """England, calendar 2024: DfE new and ceased plans (2025 release), and the ratio's split."""
    f = F.flows(data, 2024)
    england = data.level.tolist().index(F.ENGLAND)
    assert f.new[england] == 97747  # newplans.csv, New EHC plans, 2024
    assert f.ceased[england] == 44862  # ceased_plans.csv, All ceased EHC plans, 2024
    assert f.left[england] == pytest.approx(
        data.total[england, 2024 - 2010] + 97747 - data.total[england, 2025 - 2010]
    )
    devon = data.find("878")
    num, exp = F.progression_ratios(data, 2025 - 2010, 1)
    ages = slice(1, F.AGES)
    split = 1 + (f.new_by_age[devon, ages] - f.left_by_age[devon, ages]) / exp[devon, ages]
    assert np.allclose(num[devon, ages] / exp[devon, ages], split)
    # plans aged 25 all leave
    assert f.left_by_age[devon, -1] == data.ages[devon, 2024 - 2010, 25]


def test_table_shows_the_flows(dfe_dir, capsys):
    code, out, err = run(["forecast", "--la", "873", "--data-dir", str(dfe_dir)], capsys)
    assert code == 0, err
    # 7,318 (Jan 2024) + 739 new - 8,007 (Jan 2025) = 50; DfE ceased 497 (2025 release)
    assert "Calendar 2024: 739 new plans (DfE); 50 ceased or moved away" in out
    assert "(DfE ceased plans: 497)" in out
