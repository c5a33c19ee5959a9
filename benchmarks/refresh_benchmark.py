"""``dsg refresh`` of the embedded example against a bare openpyxl load and save of the template.

The refresh is what a person waits for after pressing Run (README, "Fast
where a person waits": the whole process within 2x of the floor). The floor
is the least any refresh must do: start Python, import openpyxl, load the
return template and save it. Both are timed as whole processes, side by
side in one run, best of ``--runs`` each (the best is the least disturbed by
other work on the machine), alternating so that both see the same load:

- ``floor``: ``python -c "import openpyxl; wb = openpyxl.load_workbook(TEMPLATE); wb.save(OUT)"``
- ``refresh``: ``python -m addin.cli refresh --out DIR`` (the example model, the
  shipped template: the README's main job).

The first run of each warms the file cache and writes the project's ``.pyc``
files, as installing the package does (the floor's openpyxl has its own from
its installation): ``PYTHONDONTWRITEBYTECODE`` is taken out of the children's
environment so that a setting in the shell does not make every run compile
the project from source. ``--no-pyc`` compiles the project from source in
every run (a copy of its packages without ``.pyc`` files, run with
``PYTHONDONTWRITEBYTECODE=1``; openpyxl and numpy keep their installed
``.pyc`` files), the worst case.

Run from the repository root::

    python benchmarks/refresh_benchmark.py [--runs 7] [--no-pyc]

It prints both times, the ratio and a README-ready table row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "workbooks" / "templates" / "dfe_monitoring_return.xlsx"
TARGET = 2.0


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=env["PYTHONPATH"], capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each, best taken (default 7)")
    parser.add_argument(
        "--no-pyc",
        action="store_true",
        help="compile the project from source in every run (a copy without .pyc files)",
    )
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPYCACHEPREFIX", None)
    floor_times, refresh_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        if args.no_pyc:  # a copy of the project without .pyc files, never given any
            source = Path(tmp) / "source"
            for package in ("models", "workbooks", "addin"):
                shutil.copytree(
                    ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
                )
            shutil.copy2(ROOT / "setup.cfg", source / "setup.cfg")
            env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(source))
        out = Path(tmp) / "copy.xlsx"
        floor = [
            sys.executable,
            "-c",
            f"import openpyxl; wb = openpyxl.load_workbook({str(TEMPLATE)!r}); wb.save({str(out)!r})",
        ]
        refresh = [sys.executable, "-m", "addin.cli", "refresh", "--out", str(Path(tmp) / "r")]
        _time(floor, env), _time(refresh, env)  # warm the file cache and .pyc files
        for _ in range(args.runs):
            floor_times.append(_time(floor, env))
            refresh_times.append(_time(refresh, env))
    f, r = min(floor_times), min(refresh_times)
    ratio = r / f
    print(f"floor   (python, import openpyxl, load + save the template): {f:.3f} s")
    print(f"refresh (python -m addin.cli refresh, the embedded example): {r:.3f} s")
    source = "the project compiled from source in every run" if args.no_pyc else ".pyc files"
    print(
        f"ratio {ratio:.2f}x (target within {TARGET:.0f}x), best of {args.runs} runs each, {source}"
    )
    print()
    print("| Benchmark | Ours | Baseline | Ratio | Target |")
    print("|---|---|---|---|---|")
    print(
        f"| `dsg refresh` of the example, whole process | {r:.2f} s | openpyxl load + save of "
        f"the template, whole process: {f:.2f} s | {ratio:.2f}x | within {TARGET:.0f}x |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
