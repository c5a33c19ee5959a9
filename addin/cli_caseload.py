"""``dsg caseload``: a case-management extract to EHC plan counts at a census.

    dsg caseload EXTRACT.xlsx|.csv --census-date YYYY-MM-DD [--mapping MAP.csv]
                 [--out DIR] [--format table|csv]

Counts the plans active on the census date by the seven placement categories
and by age group, and reports every row left out with its reason. ``--format
csv`` prints ``Category,Count`` rows: the seven categories, ``Total``, then
``Excluded rows``. ``--out DIR`` writes a workbook with sheets ``Counts``,
``By age`` and ``Data quality`` (every problem row) and prints its path as
the last line. Exit 0 done, 2 bad input (message on stderr naming the file, row
and column; nothing is written), 1 anything else.

What the counts assumed (dates that read either way, taken as UK day/month/year)
is listed under "Read as assumed" in the table, and on stderr with ``--format csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from models.caseload import CaseloadCounts, caseload_counts, census_date
from models.errors import InputError
from workbooks.extracts import DEFAULT_MAPPING, read_extract, read_mapping, write_caseload_workbook
from workbooks.safe_text import csv_writer

#: Problem rows listed on screen before pointing at the workbook.
SHOWN_PROBLEMS = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "caseload",
        help="count EHC plans at a census from a case-management extract, with a data-quality report",
        description="Count the EHC plans active on the census date by placement category and "
        "age group (age on 31 August before the census), listing every row left out and why.",
    )
    parser.add_argument("extract", type=Path, help="the extract, .xlsx or .csv, one row per plan")
    parser.add_argument(
        "--census-date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the census date, e.g. 2025-01-16",
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        metavar="MAP.csv",
        help="CSV 'Placement label,Category' turning the extract's placement "
        f"types into the seven categories (default: {DEFAULT_MAPPING.name} "
        "shipped with the tool)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder to write the workbook (Counts, By age, Data quality) to",
    )
    parser.add_argument(
        "--format",
        choices=("table", "csv"),
        default="table",
        help="table (default) or csv: Category,Count rows",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        census = census_date(args.census_date, argument="--census-date")
        mapping = read_mapping(args.mapping)
        extract = read_extract(args.extract)
        result = caseload_counts(
            extract.table, census, mapping, header_row=extract.header_row, argument=extract.source
        )
        written = None
        if args.out is not None:
            written = write_caseload_workbook(result, args.out, source=extract.source)
    except InputError as exc:
        for problem in exc.problems:
            print(f"dsg caseload: {problem}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"dsg caseload: {exc}", file=sys.stderr)
        return 2

    if args.format == "csv":
        _print_csv(result)
        for note in result.notes:  # stdout stays pure CSV; what was assumed goes to stderr
            print(f"dsg caseload: note: {note}", file=sys.stderr)
    else:
        _print_table(result, extract.source, written)
    if written is not None:
        print(written)
    return 0


def _print_csv(result: CaseloadCounts) -> None:
    writer = csv_writer(sys.stdout, lineterminator="\n")
    writer.writerow(["Category", "Count"])
    for label, value in result.by_category.items():
        writer.writerow([label, int(value)])
    writer.writerow(["Excluded rows", result.excluded])


def _table(title: str, rows: list[tuple[str, int]]) -> list[str]:
    width = max(len(title), *(len(label) for label, _ in rows))
    lines = [f"{title:<{width}}  {'Count':>9}"]
    lines += [f"{label:<{width}}  {value:>9,}" for label, value in rows]
    return lines


def _print_table(result: CaseloadCounts, source: str, written: Path | None) -> None:
    out: list[str] = [
        f"EHC plans active on {result.census.date().isoformat()} in {source} "
        f"(ages on {result.age_on.date().isoformat()})",
        "",
    ]
    out += _table("Category", [(k, int(v)) for k, v in result.by_category.items()])
    out.append("")
    out += _table("Age group", [(k, int(v)) for k, v in result.by_age.items()])
    out += [
        "",
        f"Rows in the extract: {result.rows:,}; counted {result.counted:,}; "
        f"excluded (problems) {result.excluded:,}; not active at census {result.not_active:,} "
        f"(ended before {result.ended_before:,}, start after {result.starts_after:,})",
    ]
    if result.notes:
        out += ["", "Read as assumed (check these):"]
        out += [f"  {note}" for note in result.notes]
    summary = result.reason_summary()
    if len(summary):
        out += ["", "Problems by reason (a row may have several):"]
        out += [f"  {reason}: {int(n):,}" for reason, n in summary.items()]
        out += ["", f"First problem rows (of {len(result.problems):,}):"]
        for row in result.problems.head(SHOWN_PROBLEMS).itertuples(index=False):
            out.append(
                f"  row {row[1]} (data row {row[0]}), Child ID {row[2] or '(blank)'}: "
                f"{row[3]}: {row[4]}"
            )
        if written is not None:
            out.append(f"Full list: sheet 'Data quality' of {written.name}")
        else:
            out.append("Full list: run again with --out DIR to write the 'Data quality' sheet")
    else:
        out += ["", "No problems found."]
    print("\n".join(out))
