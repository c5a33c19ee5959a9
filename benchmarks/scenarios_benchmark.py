"""Benchmark: the scenario engine, DSG_FAN and ``dsg scenarios``, each against a baseline.

Every ratio is measured in the same run, on the same machine:

1. **Engine**: 10,000 scenarios of the embedded example's full model
   (7 placements x 5 years, moves, transfers, contributions, other blocks,
   the EHCPForecast spreads, the example's own mitigation workstreams) with
   :func:`models.scenarios.run_scenarios`, best of ``--repeat``, against the
   same scenarios run one at a time through the deterministic model: for
   each scenario, the typed model with that scenario's income, DfE payments
   and spend (its placement and mitigation surprise carried in ``Other high
   needs spend``) through :func:`models.return_figures.cumulative_deficit`
   (the full projection, transfers, contributions and trajectory). A sample
   of ``--sample`` scenarios is timed and scaled to 10,000 (said in the
   table); each of them is checked against the engine's answer to the penny.
   Peak memory: numpy's allocations during the run (``tracemalloc``) and the
   process's peak resident set size (``VmHWM``).
2. **DSG_FAN** with 10,000 scenarios over 10 years through the Office.js
   protocol (``tests/officejs.py``), median of ``--repeat``, against
   DSG_TRAJECTORY with the same arguments through the same protocol.
3. **dsg scenarios**, the whole process (start-up, imports, reading the
   example, 10,000 scenarios, printing), best of ``--repeat``, against
   ``dsg show``, the whole process on the same example.

Usage (from the repository root)::

    python benchmarks/scenarios_benchmark.py [--repeat 5] [--sample 200]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from models import return_figures as rf  # noqa: E402
from models.model import DSGModel  # noqa: E402
from models.parse import parse_model  # noqa: E402
from models.scenarios import ScenarioResult, run_scenarios  # noqa: E402
from workbooks.example_cambridgeshire import EXAMPLE_PATH  # noqa: E402
from workbooks.model_reader import read_model  # noqa: E402

N = 10_000
PENNY = 0.005
TARGETS = {"engine_s": 0.5, "engine_ratio": 50.0, "peak_mib": 500.0, "fan_s": 0.2, "cli_s": 2.0}


def _peak_rss_mib() -> float:
    """The process's peak resident set size, MiB (VmHWM on Linux, else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_scenario_model(model: DSGModel, result: ScenarioResult, s: int) -> DSGModel:
    """Scenario ``s`` as a typed model the deterministic figures run on."""
    f, a = model.funding, model.agreement
    now = model.years.index(model.current_year)
    future = np.arange(len(model.years)) > now
    # The placement and mitigation surprise of later years, carried in Other high needs spend.
    other = np.where(
        future,
        result.spend[s] - rf.projected_spend(model),
        f.other_high_needs_spend.to_numpy(),
    )
    dfe = result.contributions[s] - rf.council_contribution(model) - rf.other_contributions(model)
    # the forecast counts the payment expected (the due one where the model has no expected)
    column = "dfe_payment_expected" if a.dfe_payment_expected is not None else "dfe_payment_due"
    paid = getattr(a, column)
    values = paid.to_numpy().copy()
    for k, year in enumerate(model.years):
        if future[k] and year in a.years:
            values[a.years.index(year)] = dfe[k]
    funding = dataclasses.replace(
        f,
        income=f.income._new(result.income[s]),
        other_high_needs_spend=f.other_high_needs_spend._new(other),
    )
    agreement = dataclasses.replace(a, **{column: paid._new(values)})
    return dataclasses.replace(model, funding=funding, agreement=agreement)


def bench_engine(repeat: int, sample: int) -> dict[str, float]:
    inputs = read_model(EXAMPLE_PATH)
    model = parse_model(inputs)
    forecast = inputs.table("EHCPForecast")
    assert len(model.mitigations), "the example lists its mitigations"

    def run() -> ScenarioResult:  # the model's own mitigations, as the refresh runs it
        return run_scenarios(model, n=N, seed=1, forecast=forecast)

    run()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    run()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    worst = 0.0
    t = time.perf_counter()
    for s in range(sample):
        answer = rf.cumulative_deficit(one_scenario_model(model, result, s))
        worst = max(worst, float(np.abs(answer - result.cumulative[s]).max()))
    per_scenario = (time.perf_counter() - t) / sample
    if worst >= PENNY:
        raise SystemExit(f"one-at-a-time runs differ from the engine by £{worst:.4f}")
    engine = min(times)
    return {
        "engine_s": engine,
        "one_at_a_time_s": per_scenario * N,
        "engine_ratio": per_scenario * N / engine,
        "traced_mib": traced / 2**20,
        "peak_mib": _peak_rss_mib(),
        "worst_difference": worst,
        "p_on_track_last": float(result.p_on_track()[-1] or 0.0),
    }


def bench_fan(repeat: int) -> dict[str, float]:
    from tests.officejs import OMITTED, call, row

    years = row([f"{2024 + k}-{(25 + k) % 100:02d}" for k in range(10)])
    income = row([100e6 * 1.03**k for k in range(10)])
    spend = row([111.73e6 * 1.06**k for k in range(10)])
    plan = row([50e6 - 5e6 * k for k in range(10)])
    fan_args = (years, [[40.015e6]], income, spend, [[4.8e6]], [[1e6]], [[0]], plan)
    fan_args += (OMITTED, OMITTED, [[N]], [[1]])
    traj_args = fan_args[:7]
    fan_result = call("dsg_fan", *fan_args)
    assert len(fan_result) == 11
    fan, traj = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        call("dsg_fan", *fan_args)
        fan.append(time.perf_counter() - t)
        t = time.perf_counter()
        call("dsg_trajectory", *traj_args)
        traj.append(time.perf_counter() - t)
    return {
        "fan_s": statistics.median(fan),
        "trajectory_s": statistics.median(traj),
        "fan_ratio": statistics.median(fan) / statistics.median(traj),
    }


def _wall(argv: list[str], repeat: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("XLWINGS_ON_SERVER", None)
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "addin.cli", *argv],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        best = min(best, time.perf_counter() - t)
    return best


def bench_cli(repeat: int) -> dict[str, float]:
    scenarios = _wall(["scenarios"], repeat)
    show = _wall(["show"], repeat)
    return {"cli_s": scenarios, "show_s": show, "cli_ratio": scenarios / show}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args(argv)
    e = bench_engine(args.repeat, args.sample)
    f = bench_fan(args.repeat)
    c = bench_cli(max(1, min(args.repeat, 3)))

    def ok(passed: bool) -> str:
        return "yes" if passed else "NO"

    rows = [
        (
            "Engine: 10,000 scenarios of the example's full model",
            f"{e['engine_s'] * 1000:.1f} ms",
            f"one at a time: {e['one_at_a_time_s']:.2f} s ({args.sample} timed, scaled to 10,000)",
            f"{e['engine_ratio']:.0f}x faster",
            f"< 0.5 s and >= 50x: {ok(e['engine_s'] < 0.5 and e['engine_ratio'] >= 50)}",
        ),
        (
            "Engine: peak memory",
            f"{e['traced_mib']:.0f} MiB numpy (process peak {e['peak_mib']:.0f} MiB)",
            "",
            "",
            f"< 500 MiB: {ok(e['peak_mib'] < 500)}",
        ),
        (
            "DSG_FAN: 10,000 scenarios x 10 years, Office.js",
            f"{f['fan_s'] * 1000:.1f} ms",
            f"DSG_TRAJECTORY: {f['trajectory_s'] * 1000:.2f} ms",
            f"{f['fan_ratio']:.1f}x its time",
            f"< 0.2 s: {ok(f['fan_s'] < 0.2)}",
        ),
        (
            "dsg scenarios (whole process, example, 10,000)",
            f"{c['cli_s']:.2f} s",
            f"dsg show: {c['show_s']:.2f} s",
            f"{c['cli_ratio']:.2f}x its time",
            f"< 2 s: {ok(c['cli_s'] < 2.0)}",
        ),
    ]
    print(
        "| Measure | Time / memory | Baseline (same run) | Ratio | Target met |\n"
        "|---|---|---|---|---|"
    )
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    print(
        f"One-at-a-time runs checked against the engine: largest difference "
        f"£{e['worst_difference']:.6f}. Example (with its own mitigation workstreams): "
        f"P(on track) in the last agreement year {e['p_on_track_last']:.1%}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
