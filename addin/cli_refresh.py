"""``dsg refresh [MODEL] [--template PATH] [--out DIR] [--n 10000] [--seed 1]``: write the return.

Writes the DfE monitoring return. MODEL defaults to the embedded example,
``workbooks/examples/cambridgeshire.xlsx``. ``--n`` and ``--seed`` are the
Scenarios sheet's run (the audit block records both; ``dsg scenarios`` with
the same numbers prints the same table, deficit positive).
Prints the path written as its last line. Exit 0 on success; 2 on bad input
(the model, its tables, or the template), with a message on stderr naming the
sheet, table, row and column; 1 on anything else. On any failure nothing is
written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.errors import DSGError

#: The embedded example (``workbooks.example_cambridgeshire.EXAMPLE_PATH``), spelt here so
#: that the refresh does not import the example's builder just for its path.
EXAMPLE_MODEL = (
    Path(__file__).resolve().parents[1] / "workbooks" / "examples" / "cambridgeshire.xlsx"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    from addin.refresh_core import DEFAULT_TEMPLATE

    p = subparsers.add_parser(
        "refresh",
        help="write the DfE monitoring return from a model workbook",
        description="Compute the DfE monitoring return from the model workbook's tables, fill a copy "
        "of the return template by its labels, and save it as "
        "<LA code>_<period>_DSG_monitoring_return.xlsx (never over an earlier one).",
    )
    p.add_argument(
        "model",
        nargs="?",
        type=Path,
        default=EXAMPLE_MODEL,
        help="the council's model workbook (default: the Cambridgeshire example)",
    )
    p.add_argument(
        "--template",
        type=Path,
        default=DEFAULT_TEMPLATE,
        help="the return template (default: the one shipped with the add-in)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("returns"), help="output folder (default: ./returns)"
    )
    p.add_argument(
        "--n", type=int, default=10_000, help="scenarios on the Scenarios sheet (10,000)"
    )
    p.add_argument("--seed", type=int, default=1, help="their seed, 0 to 999,999,999,999,999 (1)")
    p.set_defaults(handler=handle)


def _sheets_of(model: Path) -> dict[str, str]:
    """{table: sheet} of the model workbook, to name the sheet in a message."""
    try:
        import openpyxl

        from addin.refresh_core import table_sheets
        from workbooks.limits import MODEL_LIMITS, check_xlsx

        check_xlsx(model, MODEL_LIMITS)  # never reopen a file refused for its size
        wb = openpyxl.load_workbook(model)
        return table_sheets((ws.title, name) for ws in wb.worksheets for name in ws.tables)
    except Exception:  # the message is still useful without the sheet
        return {}


def print_problems(command: str, model: Path, error: DSGError) -> None:
    """Every problem of a refused model on stderr, one a line, each table's sheet named."""
    from addin.refresh_core import problem_lines

    lines = problem_lines(error, _sheets_of(model))
    if len(lines) == 1:
        print(f"dsg {command}: {model.name}: {lines[0]}", file=sys.stderr)
    else:
        print(f"dsg {command}: {model.name}: {len(lines)} problems to fix:", file=sys.stderr)
        for line in lines:
            print(f"  - {line}", file=sys.stderr)


def handle(args: argparse.Namespace) -> int:
    from addin.refresh_core import run_refresh

    model: Path = args.model
    if not model.is_file():
        print(f"dsg refresh: model workbook not found: {model}", file=sys.stderr)
        return 2
    try:
        from addin.cli_scenarios import check_run
        from workbooks.model_reader import read_model

        check_run(args.n, args.seed)
        inputs = read_model(model)
        result = run_refresh(inputs, args.template, args.out, args.n, args.seed)
    except DSGError as e:
        print_problems("refresh", model, e)
        print("Nothing was written.", file=sys.stderr)
        return 2
    except Exception as e:  # the command reports, never shows a traceback
        print(f"dsg refresh: failed: {type(e).__name__}: {e}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    failed = [c for c in result.checks if not c.passed]
    for c in result.checks:
        print(f"{c.result}  {c.check}")
    if failed:
        print(f"{len(failed)} check(s) FAIL: see the Checks sheet", file=sys.stderr)
    print(result.path)
    return 0
