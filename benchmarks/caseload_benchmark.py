"""Benchmark: a national-size caseload extract to counts, against openpyxl.

Builds a synthetic extract (640,000 plans by default, a deterministic seed)
whose counts and problem rows are known by construction, writes it as .xlsx
in a temporary folder, then in a separate process for each reader (so that
peak memory is measured separately) times and measures:

(a) ``workbooks.extracts.read_extract`` (python-calamine) + ``caseload_counts``;
(b) openpyxl ``load_workbook(read_only=True)`` reading the same rows into a
    DataFrame + the same ``caseload_counts``.

Both must give exactly the known counts, problem reasons and row totals.
Peak memory is the child process's peak resident set size (``VmHWM`` on
Linux, else ``ru_maxrss``); its resident size after the imports is shown
for reference, and the peak above it is what the reader and counts add.

Usage (from the repository root)::

    pip install xlsxwriter   # optional, only to write the test file faster
    python benchmarks/caseload_benchmark.py [--rows 640000] [--seed 2025] [--skip-openpyxl]
                                            [--keep DIR]

Without xlsxwriter the file is written with openpyxl's write-only mode
(slower to build; the timings measured are the same).
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

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.caseload import EXTRACT_COLUMNS, caseload_counts  # noqa: E402
from models.categories import AGE_BANDS, AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE  # noqa: E402

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
    """Write the extract as CSV (dates as ISO text, serials as numbers)."""
    out = frame.copy()
    out.columns = list(FILE_HEADERS)
    out.to_csv(path, index=False, date_format="%Y-%m-%d")


def _status_mb(field: str) -> float | None:
    """A memory figure of this process from /proc (Linux), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _peak_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    VmHWM belongs to the process's own memory map, which ``exec`` makes new;
    ``ru_maxrss`` (the fallback off Linux) keeps the parent's peak across
    ``fork`` + ``exec``, so it would count the parent's extract too.
    """
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    now = _status_mb("VmRSS")
    return now if now is not None else _peak_mb()


def _summary(result) -> dict:
    return {
        "by_category": [int(x) for x in result.by_category.to_numpy()],
        "by_age": [int(x) for x in result.by_age.to_numpy()],
        "excluded": result.excluded,
        "not_active": result.not_active,
        "rows": result.rows,
        "reasons": {k: int(v) for k, v in result.reason_summary().items()},
        "problem_lines": len(result.problems),
    }


def _reference_s() -> float:
    """Seconds for a fixed pure-Python loop, to compare machines (and load)."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def child(reader: str, path: Path) -> dict:
    """Run one reader + the counts in this process and measure it."""
    from workbooks.extracts import read_extract, read_mapping

    mapping = read_mapping()
    baseline = _rss_mb()
    t0 = time.perf_counter()
    if reader == "calamine":
        extract = read_extract(path)
        table, header_row = extract.table, extract.header_row
    else:
        from openpyxl import load_workbook

        from workbooks.extracts import HEADER_ALIASES, _locate

        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        headers = ["" if v is None else str(v) for v in next(it)]
        where = _locate(headers, EXTRACT_COLUMNS, path.name, HEADER_ALIASES)
        cols = [where[c] for c in EXTRACT_COLUMNS]
        table = pd.DataFrame(
            [[row[i] for i in cols] for row in it], columns=list(EXTRACT_COLUMNS), dtype=object
        )
        book.close()
        header_row = 1
    t1 = time.perf_counter()
    result = caseload_counts(table, CENSUS, mapping, header_row=header_row)
    t2 = time.perf_counter()
    return {
        "reader": reader,
        "read_s": t1 - t0,
        "count_s": t2 - t1,
        "total_s": t2 - t0,
        "rss_after_imports_mb": baseline,
        "peak_rss_mb": _peak_mb(),
        **_summary(result),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=640_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--skip-openpyxl", action="store_true")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="write the extract into DIR (and reuse it there on the next run) "
        "instead of a temporary folder",
    )
    parser.add_argument("--child", choices=("calamine", "openpyxl"), help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.path)))
        return 0

    t0 = time.perf_counter()
    frame, known = make_extract(args.rows, args.seed)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"extract_{args.rows}_{args.seed}.xlsx"
        if path.is_file():
            writer = f"(reused {path})"
        else:
            part = path.with_suffix(".part.xlsx")
            writer = write_xlsx(frame, part)
            os.replace(part, path)
        del frame
        t2 = time.perf_counter()
        print(
            f"extract: {known['rows']:,} rows, seed {args.seed}; built in {t1 - t0:.1f} s, "
            f"written with {writer} in {t2 - t1:.1f} s ({path.stat().st_size / 1e6:.1f} MB)"
        )
        readers = ["calamine"] + ([] if args.skip_openpyxl else ["openpyxl"])
        results = {}
        for reader in readers:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", reader, str(path)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            results[reader] = json.loads(proc.stdout)

    print(f"machine reference: a 10,000,000-step Python loop takes {_reference_s():.2f} s here")
    failures = []
    for reader, r in results.items():
        for key in ("rows", "by_category", "by_age", "excluded", "not_active", "reasons"):
            if r[key] != known[key]:
                failures.append(f"{reader}: {key} {r[key]} != known {known[key]}")
        print(
            f"{reader:9s} read {r['read_s']:6.2f} s + counts {r['count_s']:5.2f} s = "
            f"{r['total_s']:6.2f} s; peak RSS {r['peak_rss_mb']:5.0f} MB = "
            f"{r['rss_after_imports_mb']:.0f} MB after imports + "
            f"{r['peak_rss_mb'] - r['rss_after_imports_mb']:.0f} MB"
        )
    if "openpyxl" in results:
        a, b = results["calamine"], results["openpyxl"]
        print(
            f"ratio openpyxl/calamine: time x{b['total_s'] / a['total_s']:.1f}, peak RSS "
            f"x{b['peak_rss_mb'] / a['peak_rss_mb']:.2f}, peak RSS above imports "
            f"x{(b['peak_rss_mb'] - b['rss_after_imports_mb']) / max(1.0, a['peak_rss_mb'] - a['rss_after_imports_mb']):.2f}"
        )
    r = results["calamine"]
    labels = [*PLACEMENT_CATEGORIES, TOTAL]
    print(
        "counts: "
        + "; ".join(f"{lab} {v:,}" for lab, v in zip(labels, r["by_category"], strict=True))
    )
    print(
        "by age: "
        + "; ".join(
            f"{lab} {v:,}" for lab, v in zip([*AGE_GROUPS, TOTAL_BY_AGE], r["by_age"], strict=True)
        )
    )
    print(
        f"excluded rows {r['excluded']:,} ({r['problem_lines']:,} problem lines), "
        f"not active {r['not_active']:,}; reasons: "
        + "; ".join(f"{k} {v:,}" for k, v in r["reasons"].items())
    )
    if failures:
        print("MISMATCH:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("all counts, reasons and row totals equal the known answer")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
