"""A range far larger than any council needs: the right answer or a message saying the limit.

The functions are called with the 2-D lists xlwings hands them once it has converted
Excel's ranges (xlwings' own conversion of 100,000 rows takes seconds and is measured
by benchmarks/udf_benchmark.py, never timed here). Expected figures are plain sums.
"""

from __future__ import annotations

import math

import pytest
import xlwings

import addin.udfs as udfs
from tests.conftest import PENNY

N = 100_000
HEAD = ["Placement", "Count", "Cost per place"]
YEARS = [["2024-25"], ["2025-26"]]


def message(function, *args) -> str:
    with pytest.raises(xlwings.XlwingsError) as info:
        result = function(*args)
        pytest.fail(f"{function.__name__} returned {result[:3]}... for {N:,} rows")
    return str(info.value)


def test_a_table_of_100000_rows_is_refused_naming_the_limit():
    rows = [HEAD] + [[f"Provider {i}", 1, 1000.0] for i in range(N)]
    assert message(udfs.placement_cost_table, rows) == (
        "DSG input error: placements: has 100,000 rows: at most 10,000 can be given "
        "(select the table only, not whole columns)"
    )
    moves = [["Placement", "Year", "Change"]] + [["Provider 1", "2025-26", 1]] * N
    text = message(udfs.placement_projection, rows[:3], YEARS, [[0.0]], [[0.0]], moves, None)
    assert "moves: has 100,000 rows: at most 10,000" in text
    assert "placements" not in text


def test_a_table_at_the_limit_gives_the_right_totals():
    n = 10_000
    counts = [1 + i % 7 for i in range(n)]
    costs = [1000.0 + i / 100 for i in range(n)]
    rows = [HEAD] + [
        [f"Provider {i}", c, p] for i, (c, p) in enumerate(zip(counts, costs, strict=True))
    ]
    result = udfs.placement_cost_table(rows)
    assert len(result) == n + 2
    total = result[-1]
    assert total[0] == "Total"
    assert total[1] == sum(counts)
    assert abs(total[3] - math.fsum(c * p for c, p in zip(counts, costs, strict=True))) <= PENNY
    assert result[1234] == [
        "Provider 1233",
        float(counts[1233]),
        costs[1233],
        counts[1233] * costs[1233],
        pytest.approx(counts[1233] / sum(counts)),
        pytest.approx(counts[1233] * costs[1233] / total[3]),
    ]


def test_a_whole_column_of_100000_rows_with_blanks_below_the_table_gives_the_answer():
    table = [HEAD, ["Mainstream", 30, 20000], ["Independent", 10, 60000]]
    whole_column = table + [[None, "", None]] * (N - 2)
    assert udfs.placement_cost_table(whole_column) == udfs.placement_cost_table(table)
    years = YEARS + [[None]] * (N - 2)
    assert udfs.block_transfer_impact(years, [[450e6]], [[0.01]]) == udfs.block_transfer_impact(
        YEARS, [[450e6]], [[0.01]]
    )


def test_every_cell_bad_lists_the_first_twenty_and_counts_the_rest():
    n = 10_000
    rows = [HEAD] + [[f"Provider {i}", "n/a", -1.0] for i in range(n)]
    text = message(udfs.placement_cost_table, rows)
    listed = text.removeprefix("DSG input error: ").split("; ")
    assert len(listed) == 21
    assert (
        listed[0]
        == "placements row 1 'Provider 0', column 'Count': text 'n/a' where a number belongs"
    )
    assert listed[1] == "placements row 1 'Provider 0', column 'Cost per place': -1 is negative"
    assert listed[19].startswith("placements row 10 'Provider 9', column 'Cost per place'")
    assert listed[20] == f"placements: and {2 * n - 20:,} more problems not listed"


def test_ten_thousand_rows_of_one_name_are_reported_as_duplicates_of_row_one():
    n = 10_000
    rows = [HEAD] + [["Mainstream", 1, 1000.0]] * n
    listed = message(udfs.placement_cost_table, rows).split("; ")
    assert (
        "row 2 'Mainstream', column 'Placement': duplicate name 'Mainstream' (also row 1)"
        in listed[0]
    )
    assert listed[-1] == f"placements: and {n - 1 - 20:,} more problems not listed"


def test_100000_years_or_values_are_refused_naming_the_limit():
    assert message(udfs.variance_to_plan, [["2024-25"]] * N, [[1.0]], [[1.0]]) == (
        "DSG input error: years: has 100,000 years: at most 100 can be given "
        "(select the years only, not whole columns)"
    )
    assert message(udfs.block_transfer_impact, YEARS, [[450e6]] * N, [[0.01]]) == (
        "DSG input error: schools_block: has 100,000 values but there are 2 years "
        "(2024-25 to 2025-26): give one value per year or one value for all"
    )
    text = message(udfs.placement_projection, [HEAD, ["A", 1, 1]], YEARS, [[0.1]] * N, [[0]])
    assert "growth: has 100,000 values but there are 1 placements" in text
