"""``dsg new-model`` and ``dsg build-example``: the council's model workbook.

``dsg new-model PATH [--officejs] [--namespace NAME] [--la NAME --la-code CODE]
[--first-year YYYY-YY]`` writes a blank model workbook for a council: every
input table laid out, the calculations, workings and dashboard in place, the
figures left for the council. It never overwrites a file.

``dsg build-example [--out PATH]`` writes the Cambridgeshire example model,
built from its sources, to PATH (default ``cambridgeshire.xlsx`` in the current
folder). It never writes into the installed package (whose copy ``dsg refresh``
uses, and a test keeps equal to the builder's output) and never overwrites a
file.

Both print the path they wrote as their last line.
"""

from __future__ import annotations

import argparse
import keyword
import sys
from pathlib import Path

from addin.server import NAMESPACE
from models.errors import InputError, Problem

#: Where ``dsg build-example`` writes without --out: the current folder, never the package.
EXAMPLE_OUT = Path("cambridgeshire.xlsx")


def register(subparsers) -> None:
    new = subparsers.add_parser(
        "new-model",
        help="write a blank model workbook for a council",
        description="Write a blank model workbook (input tables, calculations, workings, "
        "dashboard) for a council. An existing file is never overwritten.",
    )
    new.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="the workbook to write: .xlsx, or .xlsm for the classic Windows add-in with "
        "xlwings' VBA modules and a Refresh button on the Dashboard",
    )
    new.add_argument(
        "--officejs",
        action="store_true",
        help="call the functions by their Office.js names (NAMESPACE.FUNCTION)",
    )
    new.add_argument(
        "--namespace",
        default=NAMESPACE,
        help=f"namespace of the Office.js custom functions (default {NAMESPACE}, the served "
        "add-in's: see docs/deployment.md)",
    )
    new.add_argument("--la", default="", metavar="NAME", help="local authority name")
    new.add_argument("--la-code", default="", metavar="CODE", help="3-digit DfE LA code, e.g. 873")
    new.add_argument(
        "--first-year",
        default="2024-25",
        metavar="YYYY-YY",
        help="first financial year of the Funding table (default 2024-25)",
    )
    new.add_argument("--years", type=int, default=5, help="number of financial years (default 5)")
    new.set_defaults(handler=run_new_model)

    example = subparsers.add_parser(
        "build-example",
        help="write the Cambridgeshire example model workbook, built from its sources",
        description="Build the Cambridgeshire example model from its sources and write it to "
        "--out. An existing file is never overwritten.",
    )
    example.add_argument(
        "--out",
        type=Path,
        default=EXAMPLE_OUT,
        help=f"where to write it (default ./{EXAMPLE_OUT}, never into the package)",
    )
    example.set_defaults(handler=run_build_example)


def run_new_model(args: argparse.Namespace) -> int:
    from models.validation import parse_year
    from workbooks.model_builder import blank_spec, function_name, write_model

    problems: list[Problem] = []
    year, what = parse_year(args.first_year)
    if what:
        problems.append(Problem("--first-year", "", what))
    if not 1 <= args.years <= 30:
        problems.append(Problem("--years", "", f"{args.years} is not between 1 and 30"))
    code = args.la_code.strip()
    if code and not (code.isdigit() and len(code) == 3):
        problems.append(Problem("--la-code", "", f"{code!r} is not a 3-digit DfE LA code"))
    try:
        function_name("X", True, args.namespace)
    except ValueError as exc:
        problems.append(Problem("--namespace", "", str(exc)))
    path: Path = args.path
    macro = path.suffix.lower() == ".xlsm"
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        problems.append(
            Problem("PATH", str(path), "must end in .xlsx (or .xlsm for the classic add-in)")
        )
    if macro and args.officejs:
        problems.append(
            Problem("--officejs", "", "an .xlsm model is for the classic add-in: use .xlsx")
        )
    if path.exists():
        problems.append(
            Problem("PATH", str(path), "already exists: the model is never overwritten")
        )
    if problems or year is None:
        raise InputError(problems)
    spec = blank_spec(args.la.strip(), code, first_year=year, n_years=args.years)
    try:
        if macro:
            from workbooks.macro_model import MacroModelError, write_macro_model

            try:
                written = write_macro_model(path, lambda p: write_model(spec, p))
            except MacroModelError as exc:
                raise InputError([Problem("PATH", str(path), str(exc))]) from None
        else:
            written = write_model(spec, path, officejs=args.officejs, namespace=args.namespace)
    except FileExistsError as exc:
        raise InputError([Problem("PATH", str(path), str(exc))]) from None
    except OSError as exc:
        print(f"dsg new-model: cannot write {path}: {exc}", file=sys.stderr)
        return 1
    note = write_run_button_module(Path(written))
    if note:
        print(note)
    print(written)
    return 0


def write_run_button_module(workbook: Path) -> str:
    """Write ``<workbook name>.py`` beside the workbook, for the classic Run button.

    The xlwings ribbon's *Run main* imports the module named like the
    workbook and calls its ``main()``; this one line points it at the
    refresh. Returns a note for the person, or "" when nothing needed saying.
    An existing file is left alone.
    """
    name = workbook.stem
    if not name.isidentifier() or keyword.iskeyword(name):
        return (
            f"note: the Run button needs a Python file named like the workbook; {name!r} is not "
            "a valid Python module name, so rename the workbook (letters, digits, underscores) "
            "and save beside it a file <name>.py containing: from addin.refresh import main"
        )
    from workbooks.publish import publish

    module = workbook.with_suffix(".py")
    text = (
        f'"""The Run button of {name}.xlsx / {name}.xlsm: the xlwings ribbon\'s "Run main" '
        f'imports this module."""\n\nfrom addin.refresh import main  # noqa: F401\n'
    )
    try:
        publish(
            module.parent,
            module.name,
            lambda p: p.write_text(text, encoding="utf-8"),
            numbered=False,
        )
    except FileExistsError:
        return f"note: {module} already exists and was left as it is; it should contain: from addin.refresh import main"
    return f"wrote {module} (the xlwings Run button calls its main(): the refresh)"


def run_build_example(args: argparse.Namespace) -> int:
    from workbooks.example_cambridgeshire import example_spec, with_last_refresh
    from workbooks.model_builder import write_model

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError([Problem("--out", str(out), "must end in .xlsx")])
    if out.exists():
        raise InputError(
            [Problem("--out", str(out), "already exists: the model is never overwritten")]
        )
    try:
        written = write_model(with_last_refresh(example_spec()), out)
    except FileExistsError as exc:  # appeared while it was being built
        raise InputError([Problem("--out", str(out), str(exc))]) from None
    except OSError as exc:
        print(f"dsg build-example: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    print(written)
    return 0
