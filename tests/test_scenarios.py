"""The scenario engine, DSG_FAN, DEFICIT_WRITE_OFF and ``dsg scenarios``.

The engine must be the deterministic model when every spread is 0 (to the
penny, every year, in-year and cumulative), and each kind of draw is checked
against an independent re-implementation of that one step.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.cli import main
from models import return_figures as rf
from models.errors import InputError
from models.parse import parse_model
from models.samples import sample_model
from models.scenarios import (
    MITIGATION_COLUMNS,
    Mitigations,
    Spreads,
    demand_spread_from_forecast,
    dsg_fan_result,
    mitigation_paths,
    run_scenarios,
)
from models.trajectory import dsg_trajectory_result
from models.write_off import deficit_write_off_result, write_off
from tests.conftest import PENNY
from workbooks.example_cambridgeshire import EXAMPLE_PATH
from workbooks.model_reader import read_model


@pytest.fixture(scope="module")
def example_inputs():
    return read_model(EXAMPLE_PATH)


@pytest.fixture(scope="module")
def example(example_inputs):
    return parse_model(example_inputs)


def models_to_check(example):
    return {"example": example, "sample": sample_model()}


# --- every spread 0: the deterministic model ----------------------------------------------


@pytest.mark.parametrize("which", ["example", "sample"])
def test_with_every_spread_0_every_scenario_is_the_deterministic_model(which, example):
    model = models_to_check(example)[which]
    # the plan without its mitigations' shortfall (the example lists some): the model itself
    r = run_scenarios(model, n=50, seed=3, spreads=Spreads.zero(), mitigations=Mitigations.empty())
    assert r.cumulative.shape == (50, len(model.years))
    assert np.abs(r.cumulative - rf.cumulative_deficit(model)).max() < PENNY
    assert np.abs(r.in_year - rf.in_year_deficit(model)).max() < PENNY
    rows = r.table().rows()
    for row, want in zip(rows[1:], rf.cumulative_deficit(model), strict=True):
        assert all(abs(v - want) < PENNY for v in row[1:7]), row


def test_the_sample_by_hand():
    # models/samples.py: 9,000,000, 9,575,000 and 8,593,000 against 10.0m, 9.2m and 8.0m agreed.
    r = run_scenarios(sample_model(), n=10, spreads=Spreads.zero())
    assert r.table().rows()[1:] == [
        ["2023-24", *[9_000_000.0] * 6, 10_000_000.0, 1.0],
        ["2024-25", *[9_575_000.0] * 6, 9_200_000.0, 0.0],
        ["2025-26", *[8_593_000.0] * 6, 8_000_000.0, 0.0],
    ]


def test_the_past_and_the_current_year_take_no_draws(example):
    r = run_scenarios(example, n=2_000, seed=1)
    now = example.years.index(example.current_year)
    past = r.cumulative[:, : now + 1]
    assert np.abs(past - rf.cumulative_deficit(example)[: now + 1]).max() < PENNY
    later = r.cumulative[:, now + 1 :]
    assert (later.std(axis=0) > 1e6).all()  # millions of pounds of spread after it


def test_the_same_seed_gives_the_same_result_and_is_recorded(example):
    a = run_scenarios(example, n=500, seed=7)
    b = run_scenarios(example, n=500, seed=7)
    c = run_scenarios(example, n=500, seed=8)
    assert a.seed == 7 and np.array_equal(a.cumulative, b.cumulative)
    assert not np.array_equal(a.cumulative, c.cumulative)
    assert a.table().rows() == b.table().rows()


def test_percentiles_are_ordered_and_p_on_track_is_the_share_at_or_below(example):
    r = run_scenarios(example, n=4_000, seed=2)
    p10, p50, p90 = r.percentiles()
    assert (p10 <= p50).all() and (p50 <= p90).all()
    for k, agreed in enumerate(r.agreed):
        assert agreed is not None
        want = np.count_nonzero(r.cumulative[:, k] <= agreed) / r.n
        assert r.p_on_track()[k] == want


# --- each draw against an independent re-implementation ----------------------------------


def test_income_surprises_compound_after_the_current_year(example):
    sd, n, seed = 0.02, 300, 11
    r = run_scenarios(
        example,
        n=n,
        seed=seed,
        spreads=Spreads(0.0, 0.0, sd, 0.0, 1.0, 0.0),
        mitigations=Mitigations.empty(),
    )
    now = example.years.index(example.current_year)
    later = len(example.years) - now - 1
    f = np.random.default_rng(seed).normal(0.0, sd, (n, later))
    factor = np.ones((n, len(example.years)))
    for s in range(n):  # one scenario at a time, on purpose
        running = 1.0
        for j in range(later):
            running *= 1.0 + f[s, j]
            factor[s, now + 1 + j] = running
    income = example.funding.income.to_numpy()
    extra = -np.cumsum(income * (factor - 1.0), axis=1)
    assert np.abs(r.cumulative - (rf.cumulative_deficit(example) + extra)).max() < 1e-4


def test_a_withheld_dfe_payment_adds_to_the_deficit(example):
    r = run_scenarios(
        example,
        n=20,
        spreads=dataclasses.replace(Spreads.zero(), dfe_paid=0.0),
        mitigations=Mitigations.empty(),
    )
    now = example.years.index(example.current_year)
    dfe = rf.dfe_contribution(example)
    withheld = np.where(np.arange(len(example.years)) > now, dfe, 0.0)
    assert withheld.sum() > 0
    want = rf.cumulative_deficit(example) + np.cumsum(withheld)
    assert np.abs(r.cumulative - want).max() < PENNY


def test_count_growth_surprises_compound_in_the_count():
    # Sample: Special 100 places at £40,000, 10% growth; one scenario drawn by hand.
    model = sample_model()
    sd, seed = 0.05, 5
    spreads = Spreads((sd, 0.0), 0.0, 0.0, 0.0, 1.0, 0.0)
    r = run_scenarios(model, n=1, seed=seed, spreads=spreads)
    now = model.years.index(model.current_year)
    e = np.random.default_rng(seed).normal(0.0, 1.0, (1, len(model.years) - now - 1, 2)) * [sd, 0]
    # 2025-26 (the only later year): Special's count 110 x (1.1 + e) / 1.1 more, moves aside.
    count_2024 = 100 * 1.1
    extra = count_2024 * e[0, 0, 0] * 40_000
    assert abs((r.cumulative[0, -1] - rf.cumulative_deficit(model)[-1]) - extra) < 1e-6


# --- mitigations --------------------------------------------------------------------------


def mitigations_for(model):
    years = model.years
    return Mitigations(
        ("ERB places", "Special places", "Inclusion"),
        (years[-1], years[-2], years[-1]),
        [2e6, 1e6, 5e5],
        [0.0, 2e5, 0.0],
        [0.8, 0.5, 0.0],
        ("Green", "Amber", "Red"),
    )


def test_mitigation_views_follow_the_convention():
    model = sample_model()
    m = mitigations_for(model)
    unmitigated, mitigated, risk = mitigation_paths(model, m)
    assert np.array_equal(mitigated, rf.cumulative_deficit(model))
    # 2024-25: Special places 1.0m planned, 50% expected; 2025-26: 2.0m at 80% and 0.5m at 0%.
    assert (unmitigated - mitigated).tolist() == [0.0, 1e6, 3.5e6]
    assert np.allclose(risk - mitigated, [0.0, 5e5, 5e5 + 4e5 + 5e5], atol=PENNY)


@pytest.mark.parametrize("which", ["example", "sample"])
def test_with_spread_0_and_savings_at_their_confidence_the_engine_is_the_risk_adjusted_plan(
    which, example
):
    model = models_to_check(example)[which]
    m = mitigations_for(model)
    spreads = dataclasses.replace(Spreads.zero(), delivery=None)
    r = run_scenarios(model, n=20, spreads=spreads, mitigations=m)
    assert np.abs(r.cumulative - mitigation_paths(model, m)[2]).max() < PENNY
    assert np.abs(r.risk_adjusted - mitigation_paths(model, m)[2]).max() < PENNY


@pytest.mark.parametrize("which", ["example", "sample"])
def test_with_spread_0_the_engine_is_the_deterministic_model_even_with_mitigations(which, example):
    """Spreads.zero(): nothing drawn and every saving delivered as planned, so every
    scenario is the model's own cumulative deficit (the mitigated plan), to the penny."""
    model = models_to_check(example)[which]
    m = mitigations_for(model)
    assert len(m) and (m.confidence < 1).any()
    r = run_scenarios(model, n=20, spreads=Spreads.zero(), mitigations=m)
    assert np.abs(r.cumulative - rf.cumulative_deficit(model)).max() < PENNY
    assert np.abs(r.percentiles()[1] - r.deterministic).max() < PENNY


def test_a_delivered_share_outside_0_to_1_is_refused(example):
    with pytest.raises(
        InputError, match="delivery: 1.5: a share delivered must be between 0 and 1"
    ):
        run_scenarios(example, n=10, spreads=Spreads(delivery=1.5))


def test_delivery_is_a_beta_around_the_confidence(example):
    m = mitigations_for(example)
    n = 20_000
    spreads = dataclasses.replace(Spreads.zero(), mitigation=0.15, delivery=None)
    r = run_scenarios(example, n=n, seed=4, spreads=spreads, mitigations=m)
    # Only the 2027-28 workstreams are drawn; 0% confidence is never delivered (a Beta needs 0<c<1).
    base = mitigation_paths(example, m)[1]
    extra = r.cumulative[:, -1] - r.cumulative[:, -2] - (base[-1] - base[-2])
    shortfall_erb = extra - 5e5  # Inclusion: 0.5m, never delivered
    delivered = 1.0 - shortfall_erb / 2e6
    assert 0.0 <= delivered.min() and delivered.max() <= 1.0
    assert abs(delivered.mean() - 0.8) < 0.005
    assert abs(delivered.std() - 0.15) < 0.005


def test_mitigations_table_errors_name_row_and_column(example):
    head = list(MITIGATION_COLUMNS)
    with pytest.raises(InputError) as info:
        Mitigations.from_rows(
            [head, ["ERB", "2025-26", 5e5, 0, 1.2, "Red"], ["", "next", "x", 0, 0.5, "Green"]]
        )
    text = str(info.value)
    for part in (
        "Mitigations row 1 'ERB', column 'Confidence': 1.2: must be between 0 and 1",
        "row 2, column 'Workstream'",
        "column 'Year'",
        "column 'Planned saving'",
    ):
        assert part in text, text
    bad = Mitigations(("ERB",), ("2040-41",), [1.0], [0.0], [0.5], ("Green",))
    with pytest.raises(InputError, match="Mitigations row 1 'ERB', column 'Year': 2040-41"):
        run_scenarios(example, n=10, mitigations=bad)


def test_bad_spreads_and_counts_are_refused_by_name(example):
    with pytest.raises(InputError, match="inflation: a standard deviation cannot be negative"):
        run_scenarios(example, n=10, spreads=Spreads(inflation=-0.01))
    with pytest.raises(InputError, match="income: is not a finite number"):
        run_scenarios(example, n=10, spreads=Spreads(income=float("nan")))
    with pytest.raises(InputError, match="count_growth: has 2 values for 7 placements"):
        run_scenarios(example, n=10, spreads=Spreads(count_growth=(0.1, 0.2)))
    with pytest.raises(InputError, match="dfe_paid"):
        run_scenarios(example, n=10, spreads=Spreads(dfe_paid=1.5))
    for n in (0, 1_000_001, 2.5):
        with pytest.raises(InputError, match="^n: "):
            run_scenarios(example, n=n)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="seed"):
        run_scenarios(example, n=10, seed=-1)


def test_demand_spread_comes_from_the_forecast_total_band(example_inputs, example):
    table = example_inputs.table("EHCPForecast")
    # The Total's P10-P90 in January 2026, 2027 and 2028, the forecast from January 2025.
    bands = {2026: (8331.182043779845, 9345.480792508028), 2027: (8555.594913537789, 10765.62799721299),
             2028: (8707.293332398343, 12290.394364307243)}  # fmt: skip
    v = {c: (np.log(hi / lo) / (2 * 1.2815515655446004)) ** 2 for c, (lo, hi) in bands.items()}
    want = np.sqrt([v[2026], v[2027] - v[2026], v[2028] - v[2027]])
    later = ["2025-26", "2026-27", "2027-28"]
    got = demand_spread_from_forecast(table, later, 0.03)
    assert np.abs(got - want).max() < 1e-12
    # the yearly surprises compound to the forecast's band at every census
    assert np.abs(np.sqrt(np.cumsum(got**2)) - np.sqrt([v[2026], v[2027], v[2028]])).max() < 1e-12
    # beyond the forecast, the last increment; no table, the default
    beyond = demand_spread_from_forecast(table, [*later, "2028-29"], 0.03)
    assert abs(beyond[-1] - beyond[-2]) < 1e-15
    assert demand_spread_from_forecast(None, later, 0.03).tolist() == [0.03] * 3
    # The run uses it for the shared surprise, and each placement keeps its own mix spread.
    r = run_scenarios(example, n=10, forecast=table)
    assert np.abs(r.demand_sd - np.r_[0.0, 0.0, want]).max() < 1e-12
    assert r.growth_sd.tolist() == [0.02] * len(example.placements.names)


def test_the_demand_surprise_is_shared_by_every_placement():
    # Sample: Special 100 places at £40,000 and 10% growth, Independent 10 at £60,000
    # and 5%; one scenario drawn by hand with only the demand surprise.
    model = sample_model()
    sd, seed = 0.05, 7
    r = run_scenarios(model, n=1, seed=seed, spreads=Spreads(0.0, 0.0, 0.0, 0.0, 1.0, sd))
    d = np.random.default_rng(seed).normal(0.0, 1.0, (1, 1, 1))[0, 0, 0] * sd
    p = model.placements
    counts = p.count.to_numpy() * (1 + p.growth.to_numpy())  # 2024-25, no draws
    costs = p.cost_per_place.to_numpy() * (1 + p.inflation.to_numpy()) ** 2
    extra = float((counts * d * costs).sum())
    assert abs((r.cumulative[0, -1] - rf.cumulative_deficit(model)[-1]) - extra) < 1e-6


def test_a_large_run_stays_finite(example):
    r = run_scenarios(example, n=10_000, seed=1)
    assert np.isfinite(r.cumulative).all() and r.n == 10_000


# --- DSG_FAN ------------------------------------------------------------------------------

YEARS = ["2024-25", "2025-26", "2026-27"]


def test_fan_with_no_spread_is_the_trajectory_to_the_penny():
    args = (YEARS, 40e6, [[100e6, 102e6, 104e6]], [[111.73e6, 115e6, 118e6]], 1e6, 2e5, 3e5)
    fan = dsg_fan_result(*args, [[50e6, 60e6, 70e6]], 0, 0, 100, 1).rows()
    trajectory = dsg_trajectory_result(*args).rows()
    for f, t in zip(fan[1:], trajectory[1:], strict=True):
        assert f[1] == f[2] == f[3] == f[4] == t[7]
    assert [r[6] for r in fan[1:]] == [
        1.0 if t[7] <= p else 0.0 for t, p in zip(trajectory[1:], [50e6, 60e6, 70e6], strict=True)
    ]


def test_fan_draws_as_method_md_says():
    n, seed, s_sd, i_sd = 200, 9, 0.03, 0.01
    income, spend = np.array([100e6, 102e6, 104e6]), np.array([110e6, 115e6, 118e6])
    rng = np.random.default_rng(seed)
    draws = [(rng.normal(0, s_sd, n), rng.normal(0, i_sd, n)) for _ in YEARS]
    cumulative = np.empty((n, 3))
    for s in range(n):  # one scenario at a time
        g = f = 1.0
        c = 40e6
        for t in range(3):
            g *= 1 + draws[t][0][s]
            f *= 1 + draws[t][1][s]
            c += spend[t] * g - income[t] * f
            cumulative[s, t] = c
    plan = [60e6, 70e6, 80e6]
    rows = dsg_fan_result(YEARS, 40e6, income, spend, None, None, None, plan, s_sd, i_sd, n, seed)
    rows = rows.rows()
    for t, row in enumerate(rows[1:]):
        p10, p50, p90 = np.percentile(cumulative[:, t], [10, 50, 90])
        assert abs(row[1] - p10) < 1e-4 and abs(row[2] - p50) < 1e-4 and abs(row[3] - p90) < 1e-4
        assert row[6] == np.mean(cumulative[:, t] <= plan[t])
    again = dsg_fan_result(YEARS, 40e6, income, spend, None, None, None, plan, s_sd, i_sd, n, seed)
    assert again.rows() == rows


def test_fan_without_a_plan_leaves_plan_and_p_on_track_blank():
    rows = dsg_fan_result(YEARS, 0, 1e6, 1e6, scenarios=1000).rows()
    assert [r[5:] for r in rows[1:]] == [[None, None]] * 3
    assert all(r[1] < r[2] < r[3] for r in rows[1:])


# --- DEFICIT_WRITE_OFF --------------------------------------------------------------------


def test_write_off_by_hand_and_a_surplus_is_not_written_off():
    years = ["2025-26", "2026-27", "2027-28", "2028-29"]
    rows = deficit_write_off_result(years, [[60e6, 70e6, 80e6, -5e6]]).rows()
    assert rows[1:] == [
        ["2025-26", 60e6, 0.0, 60e6, 0.0],
        ["2026-27", 70e6, 54e6, 16e6, 0.0],
        ["2027-28", 80e6, 0.0, 26e6, 26e6],
        ["2028-29", -5e6, 0.0, -59e6, 0.0],
    ]
    surplus = deficit_write_off_result(years, [[-1e6, 2e6, 3e6, 4e6]], None, 0.5, "2026-27")
    assert [r[2] for r in surplus.rows()[1:]] == [0.0] * 4
    assert [r[4] for r in surplus.rows()[1:]] == [0.0, 2e6, 3e6, 4e6]


def test_write_off_of_every_scenario_at_once():
    years = ["2025-26", "2026-27", "2027-28"]
    paths = np.array([[60e6, 70e6, 80e6], [10e6, 5e6, 0.0]])
    w = write_off(years, paths)
    assert w.write_off[:, 1].tolist() == [54e6, 9e6]
    assert w.falls_on_council[:, 2].tolist() == [26e6, 0.0]


def test_write_off_errors_name_the_argument():
    with pytest.raises(InputError) as info:
        deficit_write_off_result(["2026-27", "2027-28"], [[1, 2]], None, -0.1, "soon")
    text = str(info.value)
    for part in ("write_off_year: needs 2025-26", "share: -0.1 is negative", "override_end"):
        assert part in text, text
    with pytest.raises(InputError, match="write_off_year: 2030-31 is not in years"):
        deficit_write_off_result(["2025-26", "2026-27"], [[1, 2]], "2030-31")


# --- dsg scenarios ------------------------------------------------------------------------


def test_dsg_scenarios_prints_the_table_and_p_on_track(capsys, example):
    assert main(["scenarios", "--n", "2000"]) == 0
    out = capsys.readouterr().out
    assert "Cambridgeshire: 2,000 scenarios, seed 1" in out
    for year in example.agreement.years:
        assert f"P(on track) {year}: " in out
    assert "£51,745,000" in out  # METHOD.md: the 2024-25 cumulative deficit
    assert "Falls on the council at the end of the override (2027-28)" in out
    assert "nan" not in out.lower()


def test_dsg_scenarios_with_no_spread_has_p50_equal_to_the_trajectory(capsys, example):
    assert main(["scenarios", "--spread", "0", "--format", "csv", "--n", "100"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    header = lines[0].split(",")
    assert header[:7] == ["Year", "Unmitigated", "Mitigated", "Risk-adjusted", "P10", "P50", "P90"]

    def column(name):
        return [float(line.split(",")[header.index(name)]) for line in lines[1:]]

    # the example has mitigations: with no spread each is delivered as planned, so the P50
    # is the deterministic trajectory, the Mitigated column; Risk-adjusted stays its own view
    unmitigated, mitigated, risk_adjusted = mitigation_paths(example, example.mitigations)
    assert (
        len(example.mitigations) and mitigated.tolist() == rf.cumulative_deficit(example).tolist()
    )
    assert (risk_adjusted > mitigated + 1).any()
    for name, expected in (
        ("P10", mitigated),
        ("P50", mitigated),
        ("P90", mitigated),
        ("Risk-adjusted", risk_adjusted),
        ("Mitigated", mitigated),
        ("Unmitigated", unmitigated),
    ):
        shown = column(name)
        assert len(shown) == len(expected)
        assert max(abs(a - b) for a, b in zip(shown, expected, strict=True)) < PENNY, name


def test_dsg_scenarios_refuses_bad_arguments(capsys):
    assert main(["scenarios", "--n", "0"]) == 2
    assert "--n: 0: give 1 to 1,000,000 scenarios" in capsys.readouterr().err
    assert main(["scenarios", "--seed", "-2"]) == 2
    assert "--seed" in capsys.readouterr().err


def test_dsg_scenarios_out_writes_the_table_and_the_fan_chart(capsys, tmp_path, example):
    from openpyxl import load_workbook

    out = tmp_path / "scenarios.xlsx"
    assert main(["scenarios", "--n", "500", "--out", str(out)]) == 0
    wb = load_workbook(out)
    ws = wb["Scenarios"]
    assert "Scenarios" in ws.tables
    header = [c.value for c in ws[6]]
    assert header[:9] == [
        "Year",
        "Unmitigated",
        "Mitigated",
        "Risk-adjusted",
        "P10",
        "P50",
        "P90",
        "Agreed",
        "P(on track)",
    ]
    years = [ws.cell(7 + k, 1) for k in range(len(example.years))]
    assert [c.value for c in years] == list(example.years)
    assert all(c.data_type == "s" for c in years)
    mitigated = [ws.cell(7 + k, 3).value for k in range(len(example.years))]
    assert np.abs(np.array(mitigated) - rf.cumulative_deficit(example)).max() < PENNY
    assert len(ws._charts) == 1
    # Never over a file: the second run is refused and the first file is untouched.
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["scenarios", "--n", "500", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenarios.xlsx"]


def test_scenarios_in_blocks_are_the_same_model_and_reproducible(example, monkeypatch):
    import models.scenarios as engine

    monkeypatch.setattr(engine, "BLOCK_CELLS", 35 * 7)  # blocks of 7 scenarios of the example
    zero = run_scenarios(example, n=30, spreads=Spreads.zero(), mitigations=Mitigations.empty())
    assert np.abs(zero.cumulative - rf.cumulative_deficit(example)).max() < PENNY
    a, b = run_scenarios(example, n=30, seed=5), run_scenarios(example, n=30, seed=5)
    assert np.array_equal(a.cumulative, b.cumulative)
    assert len({round(float(x), 2) for x in a.cumulative[:, -1]}) == 30  # every scenario drawn


def test_too_many_scenario_years_are_refused(example, monkeypatch):
    import models.scenarios as engine

    monkeypatch.setattr(engine, "MAX_SCENARIO_YEARS", 100)
    with pytest.raises(InputError, match="n: 21 scenarios x 5 years is more than 100"):
        run_scenarios(example, n=21)
    assert run_scenarios(example, n=20).n == 20


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    growth=st.floats(0, 0.2),
    inflation=st.floats(0, 0.05),
    income=st.floats(0, 0.05),
    paid=st.floats(0, 1),
)
def test_every_scenario_rolls_its_deficit_forward(seed, growth, inflation, income, paid):
    model = sample_model()
    spreads = Spreads(growth, inflation, income, 0.15, paid)
    r = run_scenarios(model, n=64, seed=seed, spreads=spreads)
    step = np.diff(r.cumulative, axis=1, prepend=model.settings.opening_deficit)
    assert np.abs(step - (r.in_year - r.contributions)).max() < 1e-6
    transfers = rf.transfers_in(model)
    other = model.funding.other_blocks_deficit.to_numpy()
    assert np.abs(r.in_year - (r.spend - r.income - transfers + other)).max() < 1e-6
    assert np.isfinite(r.cumulative).all()


def test_the_fan_charts_axes_are_shown_in_excel(tmp_path):
    """openpyxl 3.1 writes ``<c:delete val="1"/>`` on an axis unless told, and Excel then
    hides it: the fan chart must show its years and pounds."""
    import re
    import zipfile

    out = tmp_path / "scenarios.xlsx"
    assert main(["scenarios", "--n", "200", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    deleted = [re.findall(r'<(?:c:)?delete val="(\d)"\s*/>', c) for c in charts]
    assert charts and all(d.count("0") >= 2 and "1" not in d for d in deleted), deleted


def test_dsg_scenarios_sets_what_falls_on_the_council_against_usable_reserves(capsys, example):
    """The example's Settings give usable reserves of £30m (an assumption, Sources): the
    line says in what share of scenarios what falls on the council exceeds them."""
    from models.money import round_half_up
    from models.monitoring import scenario_run
    from models.write_off import write_off

    assert example.settings.usable_reserves == 30_000_000
    assert main(["scenarios", "--n", "2000", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    forecast = read_model(EXAMPLE_PATH).tables.get("EHCPForecast")
    result = scenario_run(example, 2000, 3, None, forecast)
    years = list(result.years)
    falls = write_off(years, result.cumulative, "2026-27", 0.9, "2027-28").falls_on_council
    share = float(np.mean(falls[:, years.index("2027-28")] > 30_000_000))
    assert 0.0 < share < 1.0
    shown = f"{round_half_up(share * 100, 1):.1f}%"
    assert (
        f"Usable reserves £30,000,000: what falls on the council exceeds them in {shown} of "
        "scenarios." in out
    )
