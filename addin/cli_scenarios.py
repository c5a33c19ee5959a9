"""``dsg scenarios [MODEL] [--n 10000] [--seed 1] [--format table|csv] [--out FILE.xlsx]``.

How likely the agreed profile is: the model workbook (default: the embedded
Cambridgeshire example) run for ``--n`` scenarios at once
(:func:`models.monitoring.scenario_run`, the run behind the return's
Scenarios sheet), printed as the Scenarios table
(:func:`models.monitoring.scenario_figures`: the unmitigated, mitigated and
risk-adjusted plans, P10, P50 and P90 of the cumulative deficit, the agreed
profile and P(on track), and the write-off columns when the model sets a
``Write-off year``; deficit positive, where the return shows the same
figures negative) and the P(on track) of each agreement year. With the same
``--n`` and ``--seed`` as ``dsg refresh`` (10,000 and 1 by default), the
table is the return's, to the penny.
Where the model has an EHCPForecast table, each placement's count growth
spread comes from the forecast's P10-P90; where it has a Mitigations table,
their delivery is drawn around each workstream's confidence. When the
model's years hold the 2026 write-off (METHOD.md, DEFICIT_WRITE_OFF), what
falls on the council when the override ends is printed too.

``--spread 0`` runs every spread at 0 (and every DfE payment paid): the P50
is then the deterministic trajectory to the penny. ``--out`` writes the table
and a native fan chart (:mod:`workbooks.scenarios_workbook`).
Exit codes: 0 success, 2 bad input (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from models.errors import DSGError, InputError, Problem
from models.money import format_percent, format_pounds

#: The most scenarios a run may ask for (models.scenarios.MAX_SCENARIOS).
MAX_N = 1_000_000
#: The largest seed (models.scenarios.MAX_SEED: the audit block records it exactly).
MAX_SEED = 999_999_999_999_999


def register(subparsers: argparse._SubParsersAction) -> None:
    from workbooks.example_cambridgeshire import EXAMPLE_PATH

    p = subparsers.add_parser(
        "scenarios",
        help="how likely the agreed profile is: P10/P50/P90 of the deficit and P(on track)",
        description="Run the model for many scenarios at once (count growth, inflation, "
        "income, mitigation delivery, DfE payments) and print P10/P50/P90 of the cumulative "
        "deficit and P(on track) for each agreement year (default: the Cambridgeshire example).",
    )
    p.add_argument(
        "model",
        nargs="?",
        type=Path,
        default=EXAMPLE_PATH,
        help="the council's model workbook (default: the Cambridgeshire example)",
    )
    p.add_argument("--n", type=int, default=10_000, help="scenarios, 1 to 1,000,000 (10,000)")
    p.add_argument(
        "--seed",
        type=int,
        default=1,
        help="seed, 0 to 999,999,999,999,999: the same seed, the same table (1)",
    )
    p.add_argument(
        "--spread",
        choices=("default", "0"),
        default="default",
        help="'0': nothing drawn: every spread 0, every DfE payment paid, every saving delivered "
        "as planned (the deterministic model, the Financial summary's figures)",
    )
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write FILE.xlsx: the table and a fan chart (never over a file)",
    )
    p.set_defaults(handler=handle)


def _percent(x: float | None) -> str:
    return "" if x is None else format_percent(x)


def _pounds(x: float | None) -> str:
    return "" if x is None else format_pounds(x)


def check_run(n: int, seed: int) -> None:
    """Refuse ``--n`` outside 1 to 1,000,000 or ``--seed`` outside 0 to 999,999,999,999,999,
    naming the option."""
    found = []
    if not 1 <= n <= MAX_N:
        found.append(Problem("--n", "", f"{n:,}: give 1 to {MAX_N:,} scenarios"))
    if not 0 <= seed <= MAX_SEED:
        found.append(Problem("--seed", "", f"{seed:,}: give a whole number from 0 to {MAX_SEED:,}"))
    if found:
        raise InputError(found)


def run(inputs: Any, n: int, seed: int, zero: bool) -> tuple[Any, Any]:
    """The typed model and its scenarios: :func:`models.monitoring.scenario_run`, the run the
    refresh puts on the return's Scenarios sheet (the model's mitigations, its EHCPForecast
    table where it has one)."""
    from models.monitoring import scenario_run
    from models.parse import parse_model
    from models.scenarios import Spreads

    check_run(n, seed)
    model = parse_model(inputs)
    spreads = Spreads.zero() if zero else Spreads()
    result = scenario_run(model, n, seed, spreads, inputs.tables.get("EHCPForecast"))
    return model, result


def _write_off_lines(model: Any, result: Any) -> tuple[str, ...]:
    """What falls on the council when the override ends (:func:`models.monitoring.write_off_summary`),
    with the 2026 grant's defaults where the model sets no write-off."""
    from models.monitoring import write_off_summary

    return write_off_summary(model, result, defaults=True)


def _out_exists(out: Path) -> InputError:
    """The refusal of an --out that exists; ``dsg`` prints it and exits 2, as for any DSGError."""
    return InputError([Problem("--out", str(out), "the file already exists; give a new name")])


def handle(args: argparse.Namespace) -> int:
    from addin.cli_refresh import print_problems
    from workbooks.model_reader import read_model

    if args.out is not None:
        if args.out.suffix.casefold() != ".xlsx":
            raise InputError([Problem("--out", str(args.out), "give a .xlsx file name")])
        if args.out.exists():
            raise _out_exists(args.out)
        if not args.out.parent.is_dir():
            raise InputError(
                [Problem("--out", str(args.out), f"folder {args.out.parent} does not exist")]
            )
    try:
        model, result = run(read_model(args.model), args.n, args.seed, args.spread == "0")
    except DSGError as e:
        print_problems("scenarios", args.model, e)
        return 2
    from models.monitoring import P_ON_TRACK, scenario_figures

    rows = scenario_figures(model, result).rows()
    if args.format == "csv":
        from workbooks.safe_text import csv_writer

        writer = csv_writer(sys.stdout, lineterminator="\n")
        writer.writerow(rows[0])
        for r in rows[1:]:
            writer.writerow(["" if v is None else v for v in r])
    else:
        print(
            f"{model.settings.la_name}: {result.n:,} scenarios, seed {result.seed}; cumulative "
            f"DSG deficit at the end of each year (deficit positive)"
        )
        shown = [rows[0]] + [
            [
                r[0],
                *(
                    _percent(v) if name == P_ON_TRACK else _pounds(v)
                    for name, v in zip(rows[0][1:], r[1:], strict=True)
                ),
            ]
            for r in rows[1:]
        ]
        widths = [max(len(str(r[j])) for r in shown) for j in range(len(shown[0]))]
        for r in shown:
            print(
                "  ".join(
                    str(v).ljust(w) if j == 0 else str(v).rjust(w)
                    for j, (v, w) in enumerate(zip(r, widths, strict=True))
                )
            )
        print()
        for year, p in zip(result.years, result.p_on_track(), strict=True):
            if p is not None:
                print(f"P(on track) {year}: {_percent(p)}")
        for line in _write_off_lines(model, result):
            print(line)
    if args.out is not None:
        from workbooks.scenarios_workbook import write_scenarios_workbook

        try:
            path = write_scenarios_workbook(
                args.out,
                result,
                f"{model.settings.la_name}: how likely the agreed profile is",
                scenario_figures(model, result),
            )
        except FileExistsError:  # appeared while the scenarios ran
            raise _out_exists(args.out) from None
        print(f"Wrote {path}", file=sys.stderr)
    return 0
