"""``dsg forecast``: EHC plan demand by placement, forecast from DfE statistics.

``dsg forecast --la CODE[,CODE...]|all --data-dir DIR [--origin YEAR]
[--horizon N] [--format table|csv] [--out FILE.xlsx]``

The cohort model of :mod:`models.forecast`, calibrated on the DfE files in
``DIR`` (the 2025 caseload, the 2022 age bands and the 2025 new plans) as
published by the January ``--origin`` census (default: the newest), forecast
``--horizon`` years on (default 3) with P10, P50 and P90 for the seven
placement categories and ``Total``. ``--la all`` forecasts every council in
one pass.

CSV: header ``LA code,Category,Statistic,<year>,...``; ``Actual`` rows hold
the censuses up to the origin, ``P10``/``P50``/``P90`` rows the years after
it; whole plans, rounded half-up. ``x`` marks a count DfE did not publish
(suppressed, or before DfE counted placements); a cell outside its row's
years is empty.

Bad input is refused with exit code 2 and a message naming it: a data
folder without one of the three files, an unknown council, an origin outside
the data or too early to measure errors, a council with no count at the
origin (a council reorganised away; with ``all`` such councils are listed on
stderr and left out), an ``--out`` that is not ``.xlsx`` or already exists.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

from models.errors import DSGError, InputError, Problem
from models.money import round_half_up

#: How a count DfE did not publish is shown (the DfE symbol).
SUPPRESSED = "x"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="EHC plans by placement forecast from DfE statistics, with P10/P50/P90",
        description="Forecast EHC plans by the seven placement categories and in total with "
        "the cohort model (single year of age by placement), calibrated on the DfE files.",
    )
    parser.add_argument(
        "--la",
        required=True,
        help="council(s): 3-digit DfE code (873) or ONS code (E10000003), comma-separated, "
        "or 'all'",
    )
    parser.add_argument(
        "--data-dir",
        required=True,
        type=Path,
        help="folder holding the DfE files (sub-folders are searched)",
    )
    parser.add_argument(
        "--origin",
        type=int,
        default=None,
        help="last January census used (default: the newest in the data)",
    )
    parser.add_argument(
        "--horizon", type=int, default=3, help="years forecast after the origin (1-10, default 3)"
    )
    parser.add_argument("--format", choices=("table", "csv"), default="table")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write FILE.xlsx: the forecast as an Excel Table and a chart per category",
    )
    parser.set_defaults(handler=run_forecast)


def _fail(message: str, code: int = 2) -> int:
    print(f"dsg forecast: {message}", file=sys.stderr)
    return code


def _councils(data, text: str) -> tuple[list[int], list[str]]:
    """Positions of the councils asked for, and notes on councils of ``all`` left out."""
    if text.strip().casefold() == "all":
        return [int(i) for i in data.councils], []
    codes = [c for c in (part.strip() for part in text.split(",")) if c]
    if not codes:
        raise InputError([Problem("--la", "", "is empty: give council codes or 'all'")])
    problems, found = [], []
    for code in codes:
        try:
            found.append(data.find(code))
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return list(dict.fromkeys(found)), []


def _cell(value: float, year: int, origin: int, statistic: str) -> str:
    if (statistic == "Actual") != (year <= origin):
        return ""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    return str(int(round_half_up(value, 0)))


def run_forecast(args) -> int:
    import numpy as np

    from models.forecast import flows, forecast, forecast_table
    from workbooks.demand_data import load_demand_data

    if args.out is not None:
        if args.out.suffix.casefold() != ".xlsx":
            return _fail(f"--out {args.out}: give a .xlsx file name")
        if args.out.exists():
            return _fail(f"--out {args.out}: the file already exists; give a new name")
        if not args.out.parent.is_dir():
            return _fail(f"--out {args.out}: folder {args.out.parent} does not exist")
    try:
        data = load_demand_data(args.data_dir)
        areas, _ = _councils(data, args.la)
        result = forecast(data, args.origin, args.horizon)
        o = data.year_index(result.origin)
        missing = [i for i in areas if np.isnan(data.total[i, o])]
        if missing and args.la.strip().casefold() != "all":
            raise InputError(
                [
                    Problem(
                        "--la",
                        data.codes[i],
                        f"{data.names[i]} has no January {result.origin} count in the DfE "
                        "caseload file (a council reorganised away, or not yet created): "
                        "give another --origin or council",
                    )
                    for i in missing
                ]
            )
        if missing:
            print(
                f"dsg forecast: left out, no January {result.origin} count: "
                + ", ".join(f"{data.codes[i]} {data.names[i]}" for i in missing),
                file=sys.stderr,
            )
        areas = [i for i in areas if i not in missing]
        table = forecast_table(data, result, areas)
        last_year = flows(data, result.origin - 1) if result.origin - 1 >= data.years[0] else None
        if args.out is not None:
            from workbooks.forecast_workbook import write_forecast_workbook

            write_forecast_workbook(args.out, table, result)
    except (DSGError, FileNotFoundError, FileExistsError) as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"cannot write {args.out}: {e}", 1)
    years = [c for c in table.columns if isinstance(c, int)]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["LA code", "Category", "Statistic"] + [str(y) for y in years])
        for row in table.itertuples(index=False):
            cells = [
                _cell(v, y, result.origin, row[3]) for v, y in zip(row[4:], years, strict=True)
            ]
            writer.writerow([row[0], row[2], row[3]] + cells)
    else:
        lines = {}
        if last_year is not None:
            for i in areas:
                lines[data.codes[i]] = flow_text(last_year, i)
        print(forecast_text(table, result, years, lines))
    if args.out is not None:
        print(f"Wrote {args.out}", file=sys.stderr)
    return 0


def _plans(value: float) -> str:
    return SUPPRESSED if math.isnan(value) else f"{int(round_half_up(value, 0)):,}"


def flow_text(flows, i: int) -> str:
    """The flows behind the last year of history, for council ``i``."""
    return (
        f"Calendar {flows.year}: {_plans(flows.new[i])} new plans (DfE); "
        f"{_plans(flows.left[i])} ceased or moved away, implied by the January "
        f"{flows.year} and {flows.year + 1} counts (DfE ceased plans: {_plans(flows.ceased[i])})"
    )


def forecast_text(table, result, years: list[int], flow_lines: dict | None = None) -> str:
    """The readable table: a block per council, years as columns."""
    k, m = result.settings
    out = [
        f"EHC plans forecast from the January {result.origin} census "
        f"(cohort model; credibility k = {k:g} plans, {m}-year window; "
        "P10-P90: the 80% interval from earlier origins' errors)",
        "",
    ]
    for code, block in table.groupby("LA code", sort=False):
        out.append(f"{block['Council'].iloc[0]} (LA {code})")
        if flow_lines and code in flow_lines:
            out.append(flow_lines[code])
        rows = [["Category", "Statistic"] + [str(y) for y in years]]
        for row in block.itertuples(index=False):
            cells = [
                _cell(v, y, result.origin, row[3]) for v, y in zip(row[4:], years, strict=True)
            ]
            rows.append([row[2] if row[3] == "Actual" else "", row[3]] + cells)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for n, r in enumerate(rows):
            line = "  ".join(
                [r[0].ljust(widths[0]), r[1].ljust(widths[1])]
                + [c.rjust(w) for c, w in zip(r[2:], widths[2:], strict=True)]
            )
            out.append(line.rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        out.append("")
    out.append(
        "x = not published by DfE. Sources: DfE 'Education, health and care plans' 2025 and "
        "2022 releases (caseload, age bands, new plans)."
    )
    return "\n".join(out)
