"""Benchmark: ``dsg caseload`` on a national-size extract, .xlsx and .csv, against baselines.

Builds a synthetic extract (640,000 plans by default, a deterministic seed)
whose counts and problem rows are known by construction, writes it as .xlsx
and as .csv in a temporary folder, then runs each of these as its own process
(so that time includes start-up and imports, and peak memory is that
process's own) and prints one table of the ratios and peaks measured in this
run:

- ``dsg caseload`` (``python -m addin.cli caseload ... --format csv``) on the
  .xlsx, against reading the same file with openpyxl alone
  (``load_workbook(read_only=True)`` and every row's values): target at
  least 10 times faster, under 400 MiB;
- ``dsg caseload`` on the .csv, against pandas' pyarrow reader alone
  (``read_csv(engine="pyarrow")``): target within 2 times, under 400 MiB,
  with pyarrow installed and with it hidden (pyarrow is not a dependency of
  the project; without it the baseline is not measured, and the table says
  so).

Each ``dsg caseload`` run must print exactly the known counts. Times are the
best of ``--repeat`` runs (openpyxl: one run; the three CSV jobs take turns,
so that a change in the machine's load meets each of them); peak memory is
the process's peak resident set size (``VmHWM`` on Linux, else
``ru_maxrss``), in MiB.

Usage (from the repository root)::

    pip install pyarrow       # optional: the CSV baseline
    pip install xlsxwriter    # optional: writes the .xlsx faster, with shared strings
    python benchmarks/caseload_benchmark.py [--rows 640000] [--seed 2025] [--repeat 3]
                                            [--skip-openpyxl] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if "--hide-pyarrow" in sys.argv:  # before pandas is imported: as if pyarrow were not installed
    sys.modules["pyarrow"] = None  # type: ignore[assignment]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.categories import AGE_BANDS, AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL  # noqa: E402

#: The census of the synthetic extract and the date ages are taken on.
CENSUS = dt.date(2025, 1, 16)
AGE_ON = dt.date(2024, 8, 31)

#: Headers as a case system might spell them (matched loosely by the reader).
FILE_HEADERS = (
    "child_id",
    "DOB",
    "Placement",
    "PRIMARY NEED",
    "Plan Start Date",
    "plan end date",
    "Case worker",
)

#: Labels used for each category, with spelling variants (the mapping is
#: case-insensitive and trimmed).
LABELS: dict[str, tuple[str, ...]] = {
    PLACEMENT_CATEGORIES[0]: ("Mainstream school", "Academy", "ACADEMY ", "Free school"),
    PLACEMENT_CATEGORIES[1]: ("Resourced provision", "SEN unit", "sen unit"),
    PLACEMENT_CATEGORIES[2]: ("Maintained special school", "Special academy", " special academy"),
    PLACEMENT_CATEGORIES[3]: ("Independent special school", "Non-maintained special school"),
    PLACEMENT_CATEGORIES[4]: ("Alternative provision", "Hospital school", "PRU"),
    PLACEMENT_CATEGORIES[5]: ("FE college", "Sixth form college", "Specialist post-16 institution"),
    PLACEMENT_CATEGORIES[6]: ("Elective home education", "Direct payment", "Other", "NEET"),
}

#: Problem rows planted, each with exactly one reason (duplicates: in pairs).
PLANTED: tuple[str, ...] = (
    "missing id",
    "missing start",
    "missing dob",
    "bad start",
    "bad end",
    "bad dob",
    "end before start",
    "future dob",
    "age 26",
    "unmapped",
    "blank placement",
    "duplicate",
)
REASON_OF = {
    "missing id": "Missing Child ID",
    "missing start": "Missing date",
    "missing dob": "Missing date",
    "bad start": "Not a date",
    "bad end": "Not a date",
    "bad dob": "Not a date",
    "end before start": "Plan ends before it starts",
    "future dob": "Date in the future",
    "age 26": "Age outside 0-25",
    "unmapped": "Unmapped placement type",
    "blank placement": "Unmapped placement type",
    "duplicate": "Duplicate active plan",
}
NEEDS = ("ASD", "SLCN", "SEMH", "MLD", "SLD", "PMLD", "HI", "VI", "PD", "SpLD")


def _dates(days: np.ndarray) -> np.ndarray:
    """datetime.date objects from days since 1970-01-01."""
    return days.astype("datetime64[D]").astype(object)


def make_extract(n: int = 640_000, seed: int = 2025) -> tuple[pd.DataFrame, dict]:
    """A synthetic extract of ``n`` plans and its known answer.

    Returns
    -------
    frame : DataFrame
        The canonical columns plus ``Case worker``; dates mostly
        ``datetime.date``, some as UK text, ISO text or Excel serial numbers.
    known : dict
        ``by_category`` and ``by_age`` (lists in category / age-group order,
        then the total), ``excluded``, ``not_active``, ``reasons`` (rows per
        reason) and ``rows``.
    """
    rng = np.random.default_rng(seed)
    census = np.datetime64(CENSUS, "D").astype("int64")
    per_problem = max(1, n // 2000)
    n_problem = per_problem * (len(PLANTED) + 1)  # duplicates are pairs
    n_inactive = max(2, n // 20)
    n_active = n - n_problem - n_inactive
    if n_active < 10:
        raise ValueError(f"n={n} is too small: at least {n_problem + n_inactive + 10} rows")

    kind = np.array(
        ["active"] * n_active
        + ["ended"] * (n_inactive // 2)
        + ["later"] * (n_inactive - n_inactive // 2)
        + [p for p in PLANTED for _ in range(per_problem * (2 if p == "duplicate" else 1))],
        dtype=object,
    )
    rng.shuffle(kind)

    cats = rng.choice(
        len(PLACEMENT_CATEGORIES), size=n, p=[0.36, 0.06, 0.30, 0.09, 0.04, 0.12, 0.03]
    )
    # Ages -1..25 (-1: born after 31 August 2024, before the census: Under 5).
    age = rng.integers(-1, 26, size=n)
    age[kind == "age 26"] = 26
    # Date of birth in the school year that gives that age on 31 August 2024.
    year_start = pd.to_datetime({"year": 2023 - age, "month": 9, "day": 1}).to_numpy()
    dob = year_start.astype("datetime64[D]").astype("int64") + rng.integers(0, 365, size=n)
    year_end = pd.to_datetime({"year": 2024 - age, "month": 8, "day": 31}).to_numpy()
    dob = np.minimum(dob, year_end.astype("datetime64[D]").astype("int64"))
    dob = np.minimum(dob, census)  # age -1 children are born by the census
    dob[kind == "future dob"] = census + rng.integers(1, 200, size=(kind == "future dob").sum())

    start = dob + ((census - dob) * rng.random(n)).astype("int64")
    start = np.minimum(np.maximum(start, dob), census)
    has_end = rng.random(n) < 0.3
    end = census + rng.integers(0, 1000, size=n)  # on or after the census: still active
    later = kind == "later"
    start[later] = census + rng.integers(1, 120, size=later.sum())
    end[later] = np.maximum(end[later], start[later])
    ended = kind == "ended"
    has_end[ended] = True
    end[ended] = census - rng.integers(1, 2000, size=ended.sum())
    start[ended] = np.minimum(start[ended], end[ended])
    ebs = kind == "end before start"
    has_end[ebs] = True
    start[ebs] = census - 100
    end[ebs] = census - 200

    ids = (np.arange(n) + 500_000).astype(object)
    label_choice = rng.integers(0, 12, size=n)
    placement = np.array(
        [
            LABELS[PLACEMENT_CATEGORIES[c]][i % len(LABELS[PLACEMENT_CATEGORIES[c]])]
            for c, i in zip(cats, label_choice, strict=True)
        ],
        dtype=object,
    )

    col_dob, col_start = _dates(dob), _dates(start)
    col_end = np.where(has_end, _dates(end), None).astype(object)
    # Some dates as a case system exports them: UK text, ISO text, Excel serials.
    style = rng.random(n)
    uk = style < 0.02
    col_dob[uk] = pd.Series(col_dob[uk]).map(lambda d: d.strftime("%d/%m/%Y")).to_numpy(object)
    iso = (style >= 0.02) & (style < 0.04)
    col_start[iso] = pd.Series(col_start[iso]).map(lambda d: d.isoformat()).to_numpy(object)
    serial = (style >= 0.04) & (style < 0.05)
    col_start[serial] = (start[serial] - np.datetime64("1899-12-30", "D").astype("int64")).astype(
        float
    )

    def rows(k: str) -> np.ndarray:
        return np.flatnonzero(kind == k)

    ids[rows("missing id")] = None
    col_start[rows("missing start")] = None
    col_dob[rows("missing dob")] = None
    col_start[rows("bad start")] = "unknown"
    col_end[rows("bad end")] = "TBC"
    col_dob[rows("bad dob")] = "31/02/2010"
    placement[rows("unmapped")] = "Residential farm"
    placement[rows("blank placement")] = None
    dups = rows("duplicate")
    ids[dups[1::2]] = ids[dups[0::2]]  # pairs of active plans for one child
    # An ended plan for a child who also has an active plan is not a duplicate.
    ended_rows, active_rows = rows("ended"), rows("active")
    share = min(len(ended_rows), len(active_rows)) // 2
    ids[ended_rows[:share]] = ids[active_rows[:share]]

    columns = {
        "Child ID": ids,
        "Date of birth": col_dob,
        "Placement type": placement,
        "Primary need": np.array(NEEDS, dtype=object)[rng.integers(0, len(NEEDS), size=n)],
        "Plan start date": col_start,
        "Plan end date": col_end,
        "Case worker": ("Team " + pd.Series(rng.integers(1, 9, size=n)).astype(str)).to_numpy(
            object
        ),
    }
    # Object columns keep None for a blank cell (pandas would make text columns NaN).
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})

    counted = kind == "active"
    by_cat = np.bincount(cats[counted], minlength=len(PLACEMENT_CATEGORIES))
    lows = np.array([AGE_BANDS[g][0] for g in AGE_GROUPS[1:]])
    by_age = np.bincount(
        np.searchsorted(lows, age[counted], side="right"), minlength=len(AGE_GROUPS)
    )
    reasons: dict[str, int] = {}
    for p in PLANTED:
        reasons[REASON_OF[p]] = reasons.get(REASON_OF[p], 0) + int((kind == p).sum())
    known = {
        "rows": n,
        "by_category": [int(x) for x in by_cat] + [int(counted.sum())],
        "by_age": [int(x) for x in by_age] + [int(counted.sum())],
        "excluded": int(n_problem),
        "not_active": int(n_inactive),
        "reasons": reasons,
    }
    return frame, known


def _cell_rows(frame: pd.DataFrame):
    yield from frame.itertuples(index=False, name=None)


def write_xlsx(frame: pd.DataFrame, path: Path) -> str:
    """Write the extract with the case-system headers; returns the writer used."""
    try:
        import xlsxwriter
    except ImportError:
        xlsxwriter = None
    if xlsxwriter is not None:
        # Not constant_memory: that writes inline strings, where Excel and case
        # systems write a shared-string table (as read here).
        book = xlsxwriter.Workbook(str(path), {"default_date_format": "dd/mm/yyyy"})
        sheet = book.add_worksheet("Extract")
        sheet.write_row(0, 0, FILE_HEADERS)
        for r, row in enumerate(_cell_rows(frame), start=1):
            for c, v in enumerate(row):
                if v is None or (isinstance(v, float) and v != v):
                    continue
                sheet.write(r, c, v)
        book.close()
        return "xlsxwriter"
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Extract")
    sheet.append(list(FILE_HEADERS))
    for row in _cell_rows(frame):
        sheet.append(list(row))
    book.save(path)
    return "openpyxl write-only"


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write the extract as CSV, every date as ISO text (as case systems export them).

    Excel serial numbers in the frame become ISO text too: in a CSV a number is
    text, never a serial, so the known answer holds for both files.
    """
    out = frame.copy()
    for column in ("Date of birth", "Plan start date", "Plan end date"):
        values = out[column].to_numpy(dtype=object).copy()
        serial = np.array([isinstance(v, float) and v == v for v in values], dtype=bool)
        if serial.any():
            days = np.floor(values[serial].astype(float)).astype("int64")
            shown = np.datetime64("1899-12-30", "D") + days.astype("timedelta64[D]")
            values[serial] = shown.astype(str).astype(object)
        out[column] = values
    out.columns = list(FILE_HEADERS)
    out.to_csv(path, index=False, date_format="%Y-%m-%d")


def _status_kb(field: str) -> int | None:
    """A memory figure of this process from /proc (Linux), in kB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    VmHWM belongs to the process's own memory map, which ``exec`` makes new;
    ``ru_maxrss`` (the fallback off Linux) keeps the parent's peak across
    ``fork`` + ``exec``, so it would count the parent's extract too.
    """
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    """Resident memory of this process now, in MiB (the peak off Linux)."""
    now = _status_kb("VmRSS")
    return now / 1024 if now is not None else _peak_mib()


def _reference_s() -> float:
    """Seconds for a fixed pure-Python loop, to compare machines (and load)."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def child(kind: str, path: Path, hide_pyarrow: bool) -> dict:
    """One measured job, in this (fresh) process; returns what it saw."""
    if kind == "dsg":
        import contextlib
        import io

        from addin.cli import main as dsg

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = dsg(
                ["caseload", str(path), "--census-date", CENSUS.isoformat(), "--format", "csv"]
            )
        lines = out.getvalue().splitlines()
        counts = dict(line.rsplit(",", 1) for line in lines[1:])
        return {
            "code": code,
            "by_category": [int(counts[c]) for c in [*PLACEMENT_CATEGORIES, TOTAL]],
            "excluded": int(counts["Excluded rows"]),
            "pyarrow": "pyarrow" in sys.modules and sys.modules["pyarrow"] is not None,
            "peak_mib": _peak_mib(),
        }
    if kind == "openpyxl":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
        book.close()
        return {"rows": rows, "peak_mib": _peak_mib()}
    if kind == "pyarrow":
        frame = pd.read_csv(path, engine="pyarrow")
        return {"rows": len(frame) + 1, "peak_mib": _peak_mib()}
    raise ValueError(kind)


def measure(kind: str, path: Path, repeat: int, hide_pyarrow: bool = False) -> dict:
    """Run ``child(kind)`` in ``repeat`` fresh processes: best wall time, largest peak."""
    best: dict | None = None
    for _ in range(repeat):
        command = [sys.executable, __file__, "--child", kind, str(path)]
        if hide_pyarrow:
            command.append("--hide-pyarrow")
        t0 = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{kind} failed:\n{proc.stderr}")
        result = json.loads(proc.stdout.splitlines()[-1])
        result["seconds"] = seconds
        if best is None:
            best = result
        else:
            best["peak_mib"] = max(best["peak_mib"], result["peak_mib"])
            best["seconds"] = min(best["seconds"], seconds)
    assert best is not None
    return best


def measure_side_by_side(jobs: dict[str, tuple[str, Path, bool]], repeat: int) -> dict[str, dict]:
    """:func:`measure` for several jobs, taking turns: each round runs every job once.

    On a machine whose load changes during the run (other work on shared
    cores), each job then meets the same changes, and their ratio holds.
    """
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for name, (kind, path, hide) in jobs.items():
            one = measure(kind, path, 1, hide_pyarrow=hide)
            if name not in best:
                best[name] = one
            else:
                best[name]["peak_mib"] = max(best[name]["peak_mib"], one["peak_mib"])
                best[name]["seconds"] = min(best[name]["seconds"], one["seconds"])
    return best


def _has_pyarrow() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=640_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast job (best)")
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the extracts into DIR (and reuse them there on the next run) "
        "instead of a temporary folder",
    )
    parser.add_argument("--child", choices=("dsg", "openpyxl", "pyarrow"), help=argparse.SUPPRESS)
    parser.add_argument("--hide-pyarrow", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.path, args.hide_pyarrow)))
        return 0

    t0 = time.perf_counter()
    frame, known = make_extract(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        xlsx = folder / f"extract_{args.rows}_{args.seed}.xlsx"
        csv_path = folder / f"extract_{args.rows}_{args.seed}.csv"
        if xlsx.is_file():
            writer = f"(reused {xlsx.name})"
        else:
            part = xlsx.with_suffix(".part.xlsx")
            writer = write_xlsx(frame, part)
            os.replace(part, xlsx)
        if not csv_path.is_file():
            part = csv_path.with_suffix(".part.csv")
            write_csv(frame, part)
            os.replace(part, csv_path)
        del frame
        print(
            f"extract: {known['rows']:,} rows, seed {args.seed}; .xlsx written with {writer} "
            f"({xlsx.stat().st_size / 1e6:.1f} MB), .csv {csv_path.stat().st_size / 1e6:.1f} MB; "
            f"{time.perf_counter() - t0:.0f} s"
        )
        arrow = _has_pyarrow()
        runs: dict[str, dict] = {}
        runs["dsg xlsx"] = measure("dsg", xlsx, args.repeat)
        if not args.skip_openpyxl:
            runs["openpyxl"] = measure("openpyxl", xlsx, 1)
        csv_jobs = {"dsg csv": ("dsg", csv_path, False)}
        if arrow:
            csv_jobs["pyarrow"] = ("pyarrow", csv_path, False)
            csv_jobs["dsg csv, no pyarrow"] = ("dsg", csv_path, True)
        runs.update(measure_side_by_side(csv_jobs, args.repeat))

    failures = []
    for name, r in runs.items():
        if name.startswith("dsg"):
            if r["code"] != 0:
                failures.append(f"{name}: exit {r['code']}")
            if r["by_category"] != known["by_category"] or r["excluded"] != known["excluded"]:
                failures.append(f"{name}: counts {r['by_category']} {r['excluded']} != known")

    def row(what: str, ours: str, base: str | None, target: str) -> str:
        o = runs[ours]
        if base is None or base not in runs:
            ratio = "not measured"
            base_s = "-"
        else:
            b = runs[base]
            base_s = f"{b['seconds']:.2f} s"
            ratio = (
                f"{b['seconds'] / o['seconds']:.1f}x faster"
                if ours == "dsg xlsx"
                else (f"{o['seconds'] / b['seconds']:.2f}x the time")
            )
        return (
            f"| {what} | {o['seconds']:.2f} s | {base_s} | {ratio} | {target} | "
            f"{o['peak_mib']:.0f} MiB |"
        )

    print(f"machine reference: a 10,000,000-step Python loop takes {_reference_s():.2f} s here")
    print()
    print(f"`dsg caseload`, {known['rows']:,}-row extract (whole process: start-up, read, count):")
    print()
    print("| file | dsg caseload | baseline | ratio | target | dsg peak memory |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        row(".xlsx vs openpyxl read-only, every row", "dsg xlsx", "openpyxl", ">= 10x, < 400 MiB")
    )
    pyarrow_note = "" if arrow else " (pyarrow not installed: baseline not measured)"
    label = "with pyarrow installed" if arrow else "pyarrow not installed"
    print(
        row(
            f".csv vs pandas read_csv(engine='pyarrow'), {label}{pyarrow_note}",
            "dsg csv",
            "pyarrow",
            "<= 2x, < 400 MiB",
        )
    )
    if "dsg csv, no pyarrow" in runs:
        print(
            row(
                ".csv vs the same baseline, pyarrow hidden from dsg",
                "dsg csv, no pyarrow",
                "pyarrow",
                "<= 2x, < 400 MiB",
            )
        )
    print()
    extra = []
    if "openpyxl" in runs:
        extra.append(f"openpyxl peak {runs['openpyxl']['peak_mib']:.0f} MiB")
    if "pyarrow" in runs:
        extra.append(f"pyarrow reader peak {runs['pyarrow']['peak_mib']:.0f} MiB")
    if extra:
        print("Baselines: " + "; ".join(extra) + ".")
    if failures:
        print("MISMATCH:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("Every dsg caseload run printed the known counts.")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
