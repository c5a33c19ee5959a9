"""Backtest: the cohort demand model against the naive baselines, on every council.

For every council and every origin the data allows (a January census with
councils' placement categories, 2019 on, and a later census to score
against), each method is fitted only on what DfE had published by that
census (:func:`models.forecast.published_by`), forecasts 1 to 3 years ahead
with P10/P50/P90, and is scored against the published counts: median and
mean absolute percentage error (MdAPE, MAPE, %) and the share of actuals
inside the 80% interval (Cover80, %), for ``Total``, the seven categories
pooled (``Categories``) and each category. The cohort model's settings (the
credibility constant ``k`` and the window) are chosen at each origin on
earlier origins only, and every interval comes from earlier origins' errors.

Then the verdict, computed from the table: does the cohort model beat every
naive baseline on median error at horizons 2 and 3, match the best at
horizon 1, and do its 80% intervals cover 70-90% of actuals?

Last, the speed of ``dsg forecast --la all --format csv`` against reading the
DfE files alone, each in a fresh process, measured in the same run.

Usage (from the repository root)::

    python benchmarks/forecast_backtest.py --data-dir ../shared/data/dfe [--horizon 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from models.categories import PLACEMENT_CATEGORIES, TOTAL  # noqa: E402
from models.forecast import METHODS, rolling_backtest, score_backtest  # noqa: E402

#: "Matches the best" at horizon 1: within this many percentage points of MdAPE.
MATCH_POINTS = 0.5
#: Coverage band asked of the 80% interval (%).
COVER_LOW, COVER_HIGH = 70.0, 90.0
MEASURES = ("MdAPE", "MAPE", "Cover80")


def table_text(scores: pd.DataFrame) -> str:
    """One table: rows horizon, series, measure; a column per method."""
    series = [TOTAL, "Categories", *PLACEMENT_CATEGORIES]
    head = ["h", "Series", "Measure", *METHODS, "n"]
    rows = []
    for h in sorted(scores.index.get_level_values("horizon").unique()):
        for s in series:
            for measure in MEASURES:
                cells = []
                for method in METHODS:
                    key = (h, s, method)
                    value = scores.loc[key, measure] if key in scores.index else np.nan
                    cells.append("" if pd.isna(value) else f"{value:.1f}")
                n = (
                    int(scores.loc[(h, s, "Cohort"), "n"])
                    if (h, s, "Cohort") in scores.index
                    else 0
                )
                rows.append([str(h), s, measure, *cells, str(n) if measure == "MdAPE" else ""])
        rows.append([""] * len(head))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(head, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i < 3 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines).rstrip()


def verdict(scores: pd.DataFrame) -> list[str]:
    """The claims of the brief, each checked against the table."""
    out = []
    baselines = [m for m in METHODS if m != "Cohort"]
    for s in (TOTAL, "Categories"):
        for h in sorted(scores.index.get_level_values("horizon").unique()):
            cohort = scores.loc[(h, s, "Cohort"), "MdAPE"]
            best_name = min(baselines, key=lambda m: scores.loc[(h, s, m), "MdAPE"])
            best = scores.loc[(h, s, best_name), "MdAPE"]
            if h == 1:
                ok = cohort <= best + MATCH_POINTS
                claim = "matches or beats the best baseline"
            else:
                ok = cohort < best
                claim = "beats every baseline"
            out.append(
                f"{s}, horizon {h}: cohort MdAPE {cohort:.1f}% vs best baseline "
                f"({best_name}) {best:.1f}%: {claim}: {'YES' if ok else 'NO'}"
            )
    for s in (TOTAL, "Categories", *PLACEMENT_CATEGORIES):
        covers = [
            scores.loc[(h, s, "Cohort"), "Cover80"]
            for h in sorted(scores.index.get_level_values("horizon").unique())
        ]
        inside = all(COVER_LOW <= c <= COVER_HIGH for c in covers)
        out.append(
            f"{s}: cohort 80% interval covers "
            + ", ".join(f"{c:.1f}%" for c in covers)
            + f" at horizons 1-{len(covers)}: within {COVER_LOW:.0f}-{COVER_HIGH:.0f}%: "
            + ("YES" if inside else "NO")
        )
    return out


def _timed(args: list[str]) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def speed(data_dir: Path, origin: int, horizon: int) -> list[str]:
    """Seconds for ``dsg forecast --la all --format csv`` and for reading the files alone."""
    load = [
        sys.executable,
        "-c",
        f"from workbooks.demand_data import load_demand_data; load_demand_data({str(data_dir)!r})",
    ]
    command = [
        sys.executable,
        "-m",
        "addin.cli",
        "forecast",
        "--la",
        "all",
        "--data-dir",
        str(data_dir),
        "--origin",
        str(origin),
        "--horizon",
        str(horizon),
        "--format",
        "csv",
    ]
    read_s, read_rc = _timed(load)
    run_s, run_rc = _timed(command)
    return [
        f"reading the DfE files alone (fresh process): {read_s:.2f} s (exit {read_rc})",
        f"dsg forecast --la all --origin {origin} --horizon {horizon} --format csv: "
        f"{run_s:.2f} s (exit {run_rc}); ratio to reading alone {run_s / read_s:.2f}; "
        f"target under 10 s: {'YES' if run_s < 10 and run_rc == 0 else 'NO'}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--horizon", type=int, default=3)
    parser.add_argument("--skip-speed", action="store_true", help="leave out the timing")
    args = parser.parse_args(argv)

    from workbooks.demand_data import load_demand_data

    start = time.perf_counter()
    data = load_demand_data(args.data_dir)
    records = rolling_backtest(data, horizon=args.horizon)
    scores = score_backtest(records)
    origins = sorted(records["origin"].unique())
    councils = records["council"].nunique()
    print(
        f"Backtest of EHC plan forecasts: {councils} councils, origins "
        f"{origins[0]}-{origins[-1]} (January censuses), horizons 1-{args.horizon}; "
        "each fitted only on what DfE had published by its origin."
    )
    print(
        "MdAPE / MAPE: median / mean absolute percentage error (%, actual > 0); "
        "Cover80: % of actuals inside P10-P90; n: council-years scored (Cohort)."
    )
    print()
    print(table_text(scores))
    print()
    print("Verdict")
    for line in verdict(scores):
        print("  " + line)
    print(f"(backtest ran in {time.perf_counter() - start:.1f} s)")
    if not args.skip_speed:
        print()
        print("Speed")
        last = int(data.years[-1])
        for line in speed(args.data_dir, last, args.horizon):
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
