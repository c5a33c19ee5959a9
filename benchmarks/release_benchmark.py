"""Benchmark: a national-size DfE caseload release, unpacked and as the zip, to a history.

Builds a synthetic ``data/caseload.csv`` in the 2026 layout (the columns of
../shared/data/dfe/ehcp_sen2/ehcp2026_caseload_sample.csv) with every breakdown topic the
full release holds, for 153 councils, 9 regions and England, January 2019 to 2026
(about 95,000 rows by default), writes it and the release zip in a temporary folder, then
in a separate process for each case (so that peak memory is measured separately) times:

(a) baseline: ``pandas.read_csv`` of the whole CSV as text, which any reader must at least do;
(b) ``workbooks.dfe.council_history`` from the unpacked folder (``data/caseload.csv``);
(c) the same from the release zip (read in memory through the capped stream).

(b) and (c) must give the same history. Printed: seconds, the child's peak resident set
size above its size after the imports, and the ratios (b)/(a) and (c)/(a).

Usage (from the repository root)::

    python benchmarks/release_benchmark.py [--councils 153] [--seed 2026] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.caseload_benchmark import _peak_mib, _rss_mib  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "dfe" / "ehcp_sen2" / "ehcp2026_caseload_sample.csv"
YEARS = range(2019, 2027)
TOPICS = {
    "All EHC plans": ["All EHC plans"],
    "Age at start of academic year": ["under 3"] + [f"age {a}" for a in range(3, 26)],
    "Age when plan started": ["age 2 and under"]
    + [f"age {a}" for a in range(3, 20)]
    + ["age 20 and over"],
    "Ethnicity": [f"Ethnic group {k}" for k in range(1, 20)],
    "Sex": ["Female", "Male"],
    "Years EHC plan in place": ["1 or less", "2", "3", "4", "5", "6 or more"],
}


def make_release(councils: int, seed: int) -> pd.DataFrame:
    """The synthetic caseload: text columns as in the sample, counts random, some suppressed."""
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    text = list(sample.columns[: list(sample.columns).index("ehcplans")])
    counts = list(sample.columns[len(text) :])
    rng = np.random.default_rng(seed)
    areas = [
        ("Local authority", f"{800 + k:03d}", f"E0{k:07d}", f"Council {k}") for k in range(councils)
    ]
    areas += [("Regional", "", "", "") for _ in range(9)] + [("National", "", "", "")]
    rows = []
    for level, old, new, name in areas:
        for year in YEARS:
            for topic, labels in TOPICS.items():
                for label in labels:
                    rows.append(
                        [
                            f"{year - 1}{year % 100:02d}",
                            "Academic year",
                            level,
                            "E92000001",
                            "England",
                            "E12000009",
                            "South West",
                            new,
                            old,
                            name,
                            topic,
                            label,
                        ]
                    )
    frame = pd.DataFrame(rows, columns=text)
    values = rng.integers(0, 400, size=(len(frame), len(counts))).astype(str)
    values[rng.random(values.shape) < 0.02] = "x"
    return pd.concat([frame, pd.DataFrame(values, columns=counts)], axis=1)


def child(case: str, path: Path) -> dict:
    from workbooks import dfe

    base = _rss_mib()
    start = time.perf_counter()
    if case == "baseline":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        digest = [len(frame)]
    else:
        history = dfe.council_history(path, "800")
        digest = history.categories.fillna(-1).to_numpy().tolist()
    seconds = time.perf_counter() - start
    return {"case": case, "s": seconds, "peak_mb": _peak_mib() - base, "digest": digest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=153)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dsg-release-"))
    unpacked = folder / "unpacked"
    csv_path = unpacked / "data" / "caseload.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    frame = make_release(args.councils, args.seed)
    frame.to_csv(csv_path, index=False)
    zip_path = folder / "education-health-and-care-plans_2026.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(csv_path, "data/caseload.csv")
    print(
        f"{len(frame):,} rows; caseload.csv {csv_path.stat().st_size / 1e6:.1f} MB, "
        f"zip {zip_path.stat().st_size / 1e6:.1f} MB"
    )
    results = {}
    for case, path in (("baseline", csv_path), ("unpacked", unpacked), ("zip", zip_path)):
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        results[case] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[case]
        print(f"{case:9s} {r['s']:6.2f} s  peak +{r['peak_mb']:6.0f} MB")
    if results["unpacked"]["digest"] != results["zip"]["digest"]:
        print("the zip and the unpacked folder gave different histories")
        return 1
    a = results["baseline"]
    for case in ("unpacked", "zip"):
        r = results[case]
        print(
            f"ratio {case}/baseline: time x{r['s'] / a['s']:.2f}, "
            f"peak memory x{r['peak_mb'] / max(a['peak_mb'], 1.0):.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
