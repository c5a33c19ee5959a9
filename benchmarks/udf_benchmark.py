"""Benchmark: each Excel function against xlwings' own floor, at the example's sizes.

The floor of a function is what xlwings costs before and after our code: a
function with the same signature and the same xlwings options (its
``__xlfunc__`` record copied) that only returns a result stored beforehand,
the very rows our function returns for the same arguments. Both are called
the way Excel on the web and Mac calls them, through
``xlwings.server.custom_functions_call`` with the Office.js payload
(``tests/officejs.py``), with the arguments the Calculations sheet of the
embedded example (``workbooks/examples/cambridgeshire.xlsx``) passes: the
Placements table (7 placements, 5 columns), the Moves table (12 moves),
five financial years as a column, the Workings rows as rows of five;
DSG_FAN runs its default 10,000 scenarios against the agreed profile.

Each round times a batch of calls of ours, then a batch of the floor's,
function by function (interleaved, so that both see the same machine); the
table shows the median per call over the rounds, and the ratio of the two.

A second table times a 100,000-row range passed to a function (a table
argument and a series): what a person waits for before reading the answer
or the message, next to the floor of the same size.

Usage (from the repository root)::

    python benchmarks/udf_benchmark.py [--rounds 100] [--batch 10] [--large-rows 100000] [--skip-large]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import inspect
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_ON_SERVER", "true")
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
import xlwings  # noqa: E402
import xlwings.server  # noqa: E402

import addin.udfs  # noqa: E402
from models.forecast_growth import resolve_forecast_growth  # noqa: E402
from models.inputs import ModelInputs  # noqa: E402
from models.validation import MAX_TABLE_ROWS  # noqa: E402
from tests.officejs import OMITTED, payload  # noqa: E402

EXAMPLE = ROOT / "workbooks" / "examples" / "cambridgeshire.xlsx"

FUNCTIONS = [
    "placement_cost_table",
    "ehcp_growth",
    "percent_change",
    "placement_projection",
    "block_transfer_impact",
    "dsg_trajectory",
    "dsg_summary",
    "variance_to_plan",
    "dsg_fan",
    "deficit_write_off",
]
#: Functions that run a Monte Carlo: their target is a time, not a ratio to the floor.
MONTE_CARLO = ("dsg_fan",)


def example_tables() -> dict[str, list[list[Any]]]:
    """Every Excel Table of the example as the 2-D list of values Office.js sends."""
    book = openpyxl.load_workbook(EXAMPLE, data_only=False)
    tables = {}
    for sheet in book.worksheets:
        for name, ref in sheet.tables.items():
            tables[name] = [[c.value for c in r] for r in sheet[ref]]
    # A placement's Growth of 'forecast' is the P50 growth the Workings sheet passes on.
    return dict(resolve_forecast_growth(ModelInputs(tables)).tables)


def column(table: list[list[Any]], header: str) -> list[list[Any]]:
    """``Table[Header]``: the column's data cells, as a one-column range."""
    i = table[0].index(header)
    return [[r[i]] for r in table[1:]]


def call(module: Any, name: str, args: list[Any]) -> Any:
    """One Office.js call, driven to completion without an event loop's overhead.

    ``custom_functions_call`` never suspends for an ordinary function, so the
    coroutine finishes on its first step; the same driver serves ours and the floor.
    """
    coro = xlwings.server.custom_functions_call(payload(name, args), module)
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()  # pragma: no cover - a suspension would be a change in xlwings
    return asyncio.run(xlwings.server.custom_functions_call(payload(name, args), module))


def example_calls() -> dict[str, list[Any]]:
    """The arguments of each function as the example's Calculations sheet passes them."""
    t = example_tables()
    funding, agreement = t["Funding"], t["Agreement"]
    years = column(funding, "Year")

    def values(table: list[list[Any]], header: str) -> list[float]:
        return [float(r[0]) for r in column(table, header)]

    # The Workings rows (rows of n cells, as the sheet lays them out), with the sheet's rules.
    projection_args = [
        t["Placements"],
        years,
        column(t["Placements"], "Growth"),
        column(t["Placements"], "Inflation"),
        t["Moves"],
        OMITTED,
    ]
    projection = call(addin.udfs, "placement_projection", projection_args)
    spend = [
        a + b
        for a, b in zip(projection[-1][1:], values(funding, "Other high needs spend"), strict=True)
    ]
    transfers = [
        a * b
        for a, b in zip(
            values(funding, "Schools block"), values(funding, "Transfer rate"), strict=True
        )
    ]
    contributions = [
        a + b + c
        for a, b, c in zip(
            values(agreement, "DfE payment due"),
            values(funding, "Council contribution"),
            values(funding, "Other contributions"),
            strict=True,
        )
    ]
    opening = [[float(next(r[1] for r in t["Settings"] if r[0] == "Opening cumulative deficit"))]]
    trajectory = [
        years,
        opening,
        column(funding, "High Needs Block income"),
        [spend],
        [transfers],
        [contributions],
        column(funding, "Other blocks in-year deficit"),
    ]
    cumulative = call(addin.udfs, "dsg_trajectory", trajectory)
    forecast = [[r[-1] for r in cumulative[1:]]]
    first, last = [[4222]], [[7707]]  # the EHCPHistory totals of the first and last census
    return {
        "placement_cost_table": [t["Placements"]],
        "ehcp_growth": [first, last, [[5]]],
        "percent_change": [first, last],
        "placement_projection": projection_args,
        "block_transfer_impact": [
            years,
            column(funding, "Schools block"),
            column(funding, "Transfer rate"),
        ],
        "dsg_trajectory": trajectory,
        "dsg_summary": trajectory,
        "variance_to_plan": [years, forecast, column(agreement, "Agreed cumulative deficit")],
        # 10,000 scenarios (the default) against the agreed profile
        "dsg_fan": [*trajectory, column(agreement, "Agreed cumulative deficit")],
        "deficit_write_off": [years, [[v] for v in forecast[0]]],
    }


def floor_module(results: dict[str, Any]) -> Any:
    """A module of floor functions: our signatures and xlwings options, stored results.

    A stored exception (the message a person reads) is raised instead of returned.
    """

    class Floor:
        pass

    module = Floor()
    for name, stored in results.items():
        ours = getattr(addin.udfs, name)
        params = ", ".join(
            str(p).split(":")[0].split("=")[0] + ("=None" if p.default is None else "")
            for p in inspect.signature(ours).parameters.values()
        )
        scope: dict[str, Any] = {"stored": stored}
        body = "raise stored" if isinstance(stored, Exception) else "return stored"
        exec(f"def {name}({params}):\n    {body}\n", scope)  # noqa: S102
        floor = scope[name]
        floor.__doc__ = ours.__doc__
        floor.__annotations__ = dict(ours.__annotations__)
        floor.__xlfunc__ = copy.deepcopy(ours.__xlfunc__)
        assert inspect.signature(floor) == inspect.signature(ours), name
        setattr(module, name, floor)
    return module


def per_call(module: Any, name: str, args: list[Any], batch: int) -> float:
    """Seconds per call of ``module.<name>`` over a batch of calls."""
    start = time.perf_counter()
    for _ in range(batch):
        call(module, name, args)
    return (time.perf_counter() - start) / batch


def measure(
    calls: dict[str, list[Any]], floor: Any, rounds: int, batch: int
) -> dict[str, tuple[float, float]]:
    """Median seconds per call, ours and the floor's, interleaved round by round."""
    ours: dict[str, list[float]] = {name: [] for name in calls}
    floors: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, args in calls.items():
            ours[name].append(per_call(addin.udfs, name, args, batch))
            floors[name].append(per_call(floor, name, args, batch))
    return {
        name: (statistics.median(ours[name]), statistics.median(floors[name])) for name in calls
    }


def table(rows: list[tuple[str, float, float]], first: str) -> str:
    lines = [
        f"| {first} | ours (µs) | xlwings floor (µs) | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, ours, floor in rows:
        lines.append(f"| {name} | {ours * 1e6:,.0f} | {floor * 1e6:,.0f} | {ours / floor:.2f}x |")
    return "\n".join(lines)


def outcome(name: str, args: list[Any]) -> tuple[Any, str]:
    """What a person gets: the rows, or the message on the #VALUE! hover."""
    try:
        return call(addin.udfs, name, args), "the result"
    except xlwings.XlwingsError as e:
        text = str(e)
        return e, text if len(text) <= 160 else text[:157] + "..."


def large_cases(n: int) -> dict[str, tuple[str, list[Any]]]:
    """An ``n``-row range in each kind of argument, and the worst table a council may pass."""
    years = [["2024-25"], ["2025-26"]]
    head = ["Placement", "Count", "Cost per place"]
    placements = [head] + [[f"Provider {i}", 1 + i % 7, 1000.0 + i] for i in range(n)]
    limit = MAX_TABLE_ROWS
    every_cell_bad = [head] + [[f"Provider {i % 10}", "n/a", -1.0] for i in range(limit)]
    moves = [["Placement", "Year", "Change"]] + [["Provider 1", "2025-26", 1] for _ in range(n)]
    return {
        f"placements, {n:,} rows": ("placement_cost_table", [placements]),
        f"moves, {n:,} rows": (
            "placement_projection",
            [placements[:3], years, [[0.05]], [[0.03]], moves, OMITTED],
        ),
        f"a series of {n:,} values": ("block_transfer_impact", [years, [[450e6]] * n, [[0.01]]]),
        f"years, {n:,} cells": ("variance_to_plan", [[["2024-25"]] * n, [[1.0]], [[1.0]]]),
        f"placements, {limit:,} rows, every cell bad": ("placement_cost_table", [every_cell_bad]),
        f"placements, {limit:,} valid rows": ("placement_cost_table", [placements[: limit + 1]]),
    }


def handed_over(name: str, args: list[Any], stored: Any) -> tuple[tuple[Any, ...], float]:
    """The arguments as xlwings hands them to the function, and the floor's time for them.

    The floor function of :func:`floor_module`, keeping what it was given.
    """
    floor = floor_module({name: stored})
    plain = getattr(floor, name)
    kept: list[tuple[Any, ...]] = []

    def keeping(*given: Any) -> Any:
        kept.append(given)
        return plain(*given)

    keeping.__xlfunc__ = plain.__xlfunc__  # type: ignore[attr-defined]
    keeping.__signature__ = inspect.signature(plain)  # type: ignore[attr-defined]
    setattr(floor, name, keeping)
    start = time.perf_counter()
    try:
        call(floor, name, args)
    except xlwings.XlwingsError:
        pass
    return kept[0], time.perf_counter() - start


def large_table(n: int, rounds: int) -> None:
    """Times of an ``n``-row range: our code alone, the whole call, and xlwings' floor."""
    rows = [
        "| argument | our code (ms) | whole call (s) | xlwings floor (s) | ratio |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    messages = []
    for label, (name, args) in large_cases(n).items():
        got, what = outcome(name, args)
        given, floor_t = handed_over(name, args, got)
        function = getattr(addin.udfs, name)
        ours = []
        for _ in range(rounds):
            start = time.perf_counter()
            try:
                function(*given)
            except xlwings.XlwingsError:
                pass
            ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        outcome(name, args)
        whole = time.perf_counter() - start
        rows.append(
            f"| {label} | {statistics.median(ours) * 1e3:,.1f} | {whole:,.2f} | {floor_t:,.2f} "
            f"| {whole / floor_t:.2f}x |"
        )
        messages.append(f"- {label}: {what}")
    print("\n".join(rows))
    print()
    print("\n".join(messages))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--large-rows", type=int, default=100_000)
    parser.add_argument("--large-rounds", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true")
    ns = parser.parse_args(argv)

    calls = example_calls()
    results = {name: call(addin.udfs, name, args) for name, args in calls.items()}
    floor = floor_module(results)
    for name, args in calls.items():
        assert call(floor, name, args) == results[name], name
    timings = measure(calls, floor, ns.rounds, ns.batch)
    print(
        f"Each Excel function at the example's sizes, through custom_functions_call "
        f"(median of {ns.rounds} rounds of {ns.batch} calls, interleaved):"
    )
    print()
    print(table([(name, *timings[name]) for name in FUNCTIONS], "function"))
    worst = max(ours / floor for name, (ours, floor) in timings.items() if name not in MONTE_CARLO)
    print()
    print(f"Largest ratio of the calculating functions: {worst:.2f}x (target: 1.5x)")
    for name in MONTE_CARLO:
        ours, floor = timings[name]
        print(
            f"{name}: {ours * 1e3:.1f} ms a call for 10,000 scenarios "
            f"(target: under 200 ms; {ours / floor:.2f}x its floor: the draws are the work)"
        )

    if ns.skip_large:
        return
    print()
    print(
        f"Large ranges: our code is the function given the arguments as xlwings hands them "
        f"(median of {ns.large_rounds}); the whole call and xlwings' floor (the same arguments "
        "to a function that returns the stored outcome) are timed once each:"
    )
    print()
    large_table(ns.large_rows, ns.large_rounds)


if __name__ == "__main__":
    main()
