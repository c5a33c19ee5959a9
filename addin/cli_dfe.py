"""``dsg dfe-history`` and ``dsg benchmark``: a council's published DfE statistics.

``dsg dfe-history --la 873 --data-dir DIR [--format table|csv] [--out PATH]``
prints the council's EHC plans by the return's seven placement categories
per January census (and, in the table, by age group); ``--out`` writes a
separate small workbook (``.xlsx``) or CSV to paste into the model workbook.

``dsg benchmark --la 873 --data-dir DIR [--out PATH.xlsx]`` sets the council
against its region and England.

``--la`` takes the 3-digit DfE code (873) or the ONS code (E10000003);
``--data-dir`` is the folder holding the files downloaded from DfE (searched
with its sub-folders), DfE's "Education, health and care plans" release zip
as downloaded, or the caseload file itself. Where the folder holds several
releases the one with the newest January census is read
(:func:`workbooks.dfe.find_caseload`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from models.errors import DSGError
from models.money import round_half_up
from workbooks import dfe
from workbooks.safe_text import csv_writer

#: How a suppressed figure is shown in the printed table (the DfE symbol).
SUPPRESSED = "x"


def register(subparsers) -> None:
    history = subparsers.add_parser(
        "dfe-history",
        help="a council's EHC plans by placement category from DfE statistics",
        description="EHC plans at each January census by the return's seven placement "
        "categories (DfE 'Education, health and care plans', the newest release found).",
    )
    _common(history)
    history.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table (default) for reading, csv for pasting",
    )
    history.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write PATH.xlsx (EHCPHistory table to paste) or PATH.csv",
    )
    history.add_argument(
        "--caseload-file",
        default=None,
        help="name of the caseload file in the data folder (default: the newest release found: "
        f"a release zip, {dfe.RELEASE_MEMBER} or {dfe.CASELOAD_2025_FILE})",
    )
    history.set_defaults(handler=run_history)

    bench = subparsers.add_parser(
        "benchmark",
        help="a council's EHCP growth, placements, High Needs Block and deficit against region and England",
    )
    _common(bench)
    bench.add_argument(
        "--out", type=Path, default=None, help="also write the benchmark to PATH.xlsx with a chart"
    )
    bench.add_argument(
        "--caseload-file",
        default=None,
        help="name of the caseload file in the data folder (default: the newest release found)",
    )
    bench.add_argument("--allocations-file", default=dfe.DSG_ALLOCATIONS_FILE)
    bench.add_argument("--deficit-file", default=dfe.DSG_DEFICIT_FILE)
    bench.set_defaults(handler=run_benchmark)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--la", required=True, help="council: 3-digit DfE code (873) or ONS code (E10000003)"
    )
    parser.add_argument(
        "--data-dir",
        required=True,
        type=Path,
        help="folder holding the DfE files (sub-folders are searched), or the release zip",
    )


def _fail(message: str, code: int = 2) -> int:
    print(f"dsg: {message}", file=sys.stderr)
    return code


def run_history(args) -> int:
    written = args.out  # an existing file is never replaced: the name may get _v2
    try:
        history = dfe.council_history(args.data_dir, args.la, args.caseload_file)
        if args.out is not None:
            suffix = args.out.suffix.casefold()
            if suffix == ".csv":
                written = dfe.write_history_csv(args.out, history)
            elif suffix == ".xlsx":
                written = dfe.write_history_workbook(args.out, history)
            else:
                return _fail(f"--out {args.out}: give a .xlsx or .csv file name")
    except (DSGError, FileNotFoundError) as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"cannot write {args.out}: {e}", 1)
    if args.format == "csv":
        writer = csv_writer(sys.stdout, lineterminator="\n")
        for row in dfe.history_rows(history):
            writer.writerow(["" if v is None else v for v in row])
    else:
        print(history_text(history))
    if args.out is not None:
        print(f"Wrote {written}", file=sys.stderr)
    return 0


def _count(value) -> str:
    return SUPPRESSED if value is None or pd.isna(value) else f"{dfe.round_count(value):,}"


def _text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def history_text(history: dfe.History) -> str:
    """The readable table: categories, then age groups, counts with thousands separators."""
    c = history.council
    release = f", {history.release} release" if history.release is not None else ""
    out = [
        f"{c.name} (LA {c.old_la_code}, {' / '.join(c.new_la_codes)}), {c.region_name}",
        f"EHC plans at the January census (DfE 'Education, health and care plans'{release})",
        "",
    ]
    table = history.categories
    rows = [["Category"] + [str(y) for y in table.columns]]
    rows += [[label] + [_count(v) for v in table.loc[label]] for label in table.index]
    out.append(_text_table(rows))
    if history.ages.shape[1]:
        ages = history.ages
        out.append("")
        rows = [["Age group"] + [str(y) for y in ages.columns]]
        rows += [[label] + [_count(v) for v in ages.loc[label]] for label in ages.index]
        out.append(_text_table(rows))
    out.append("")
    out.extend(history.notes)
    out.append(f"x = suppressed or not published by DfE. Source: {_source_name(history.source)}")
    return "\n".join(out)


def _source_name(path: Path) -> str:
    """The file's name, with its zip when it was read from one (``release.zip/data/caseload.csv``)."""
    for parent in path.parents:
        if parent.suffix.casefold() == ".zip":
            return f"{parent.name}: {path.relative_to(parent).as_posix()}"
    return path.name


def _measure_text(label: str, value: float) -> str:
    if pd.isna(value):
        return SUPPRESSED
    low = label.casefold()
    if "growth" in low or "share" in low:
        return f"{round_half_up(value * 100, 2):.2f}%"
    if "allocation" in low:
        return f"£{round_half_up(value / 1e6, 2):,.2f}m"
    return f"{dfe.round_count(value):,}"


#: What the two High Needs Block figures are (ESFA's DSG allocations, hnb_before_deductions
#: and hnb_after_deductions; Section 251 guidance for line 1.0.2).
HNB_BASES = (
    "High Needs Block before deductions: the whole allocation. After deductions: less the "
    "place funding ESFA pays academies and FE colleges directly, the income a council's model "
    "holds (Settings 'High Needs Block basis'). Section 251 line 1.0.2 must be on the same "
    "basis: the council's own place funding only after deductions, all place funding before."
)


def benchmark_text(
    council: dfe.Council, table: pd.DataFrame, index: pd.DataFrame, sources: list[Path]
) -> str:
    out = [f"{council.name} against {council.region_name} and England", ""]
    rows = [["Measure"] + list(table.columns)]
    rows += [[label] + [_measure_text(label, v) for v in table.loc[label]] for label in table.index]
    out.append(_text_table(rows))
    if len(index):
        out.append("")
        out.append(
            "High Needs Block allocation and EHC plans (January inside the financial year), "
            "first year = 100"
        )
        rows = [["Financial year"] + list(index.columns)]
        rows += [
            [fy] + ["x" if pd.isna(v) else f"{round_half_up(v, 1):.1f}" for v in index.loc[fy]]
            for fy in index.index
        ]
        out.append(_text_table(rows))
    out.append("")
    out.append(HNB_BASES)
    out.append(
        "x = suppressed or not published. Sources: " + "; ".join(_source_name(p) for p in sources)
    )
    return "\n".join(out)


def run_benchmark(args) -> int:
    from models.benchmark import benchmark_table, growth_index

    written = args.out  # an existing file is never replaced: the name may get _v2
    try:
        council, areas, sources = dfe.benchmark_figures(
            args.data_dir,
            args.la,
            caseload_file=args.caseload_file,
            allocations_file=args.allocations_file,
            deficit_file=args.deficit_file,
        )
        table = benchmark_table(areas)
        index = growth_index(areas)
        if args.out is not None:
            if args.out.suffix.casefold() != ".xlsx":
                return _fail(f"--out {args.out}: give a .xlsx file name")
            title = f"{council.name} against {council.region_name} and England"
            written = dfe.write_benchmark_workbook(args.out, title, table, index, sources)
    except (DSGError, FileNotFoundError) as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"cannot write {args.out}: {e}", 1)
    print(benchmark_text(council, table, index, sources))
    if args.out is not None:
        print(f"Wrote {written}", file=sys.stderr)
    return 0
