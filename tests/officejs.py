"""Call the add-in's functions the way Excel on the web / Mac calls them (Office.js).

Office.js sends every argument as a 2-D matrix (a list of rows), an omitted
optional argument as ``[[None]]``, and a payload naming the function, the
calling cell and the client. xlwings Server and xlwings Lite hand that payload
to ``xlwings.server.custom_functions_call``; so do these helpers.

``tests/conftest.py`` sets ``XLWINGS_ON_SERVER=true`` before xlwings is first
imported, so ``addin.udfs`` is decorated with the Office.js decorators.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any

import xlwings
import xlwings.server

import addin.udfs

#: What Office.js sends for an optional argument left out of the formula.
OMITTED = [[None]]


def payload(
    func_name: str, args: Sequence[Any], caller_address: str = "Sheet1!B2"
) -> dict[str, Any]:
    """The JSON body Office.js posts for one custom function call."""
    return {
        "func_name": func_name,
        "args": list(args),
        "caller_address": caller_address,
        "formula_name": func_name.upper(),
        "version": xlwings.__version__,
        "runtime": "1.4",
        "culture_info_name": "en-GB",
        "date_format": "dd/mm/yyyy",
        "client": "Office.js",
    }


def call(func_name: str, *args: Any) -> list[list[Any]]:
    """Call ``addin.udfs.<func_name>`` through xlwings' Office.js protocol.

    Each argument must already be a 2-D matrix (see :func:`matrix`, :func:`row`,
    :func:`col`) or ``[[None]]`` for an omitted optional argument. Returns what
    xlwings sends back to Excel; raises what xlwings would report.
    """
    return asyncio.run(xlwings.server.custom_functions_call(payload(func_name, args), addin.udfs))


def matrix(value: Any) -> list[list[Any]]:
    """A value as Office.js sends it: a scalar becomes ``[[value]]``, a 2-D list stays."""
    if isinstance(value, (list, tuple)):
        if all(isinstance(r, (list, tuple)) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def row(values: Sequence[Any]) -> list[list[Any]]:
    """A series laid out across one row of cells."""
    return [list(values)]


def col(values: Sequence[Any]) -> list[list[Any]]:
    """A series laid out down one column of cells."""
    return [[v] for v in values]


def cells(result: list[list[Any]]) -> list[Any]:
    """Every cell of a result, flattened."""
    return [v for r in result for v in r]


def bad_cells(result: list[list[Any]]) -> list[Any]:
    """Cells Excel could not show as a value: NaN, infinities, error objects.

    Office.js writes a blank as ``""`` (xlwings turns ``None`` into ``""``)
    and an unrepresentable number as an error object (a dict).
    """
    out: list[Any] = []
    for v in cells(result):
        if isinstance(v, dict):
            out.append(v)
        elif isinstance(v, float) and not math.isfinite(v):
            out.append(v)
    return out


#: The optional parameters of each function.
OPTIONAL = {
    "placement_projection": {"moves", "measure"},
    "block_transfer_impact": {"threshold", "forum_decision"},
    "dsg_trajectory": {"transfers", "contributions", "other_blocks"},
    "dsg_summary": {"transfers", "contributions", "other_blocks"},
    "variance_to_plan": {"amber_tolerance"},
    "ehcp_forecast": {"new_plans_by_age", "horizon", "statistic"},
    "dsg_fan": {
        "transfers",
        "contributions",
        "other_blocks",
        "plan",
        "spend_sd",
        "income_sd",
        "scenarios",
        "seed",
    },
    "deficit_write_off": {"write_off_year", "share", "override_end"},
}
#: The functions' parameters, in order, as Excel lists them (METHOD.md signatures).
PARAMETERS = {
    "placement_cost_table": ["placements"],
    "ehcp_growth": ["first", "last", "years"],
    "percent_change": ["first", "last"],
    "placement_projection": ["placements", "years", "growth", "inflation", "moves", "measure"],
    "block_transfer_impact": ["years", "schools_block", "rate", "threshold", "forum_decision"],
    "dsg_trajectory": [
        "years",
        "opening_deficit",
        "income",
        "spend",
        "transfers",
        "contributions",
        "other_blocks",
    ],
    "dsg_summary": [
        "years",
        "opening_deficit",
        "income",
        "spend",
        "transfers",
        "contributions",
        "other_blocks",
    ],
    "variance_to_plan": ["years", "forecast", "plan", "amber_tolerance"],
    "ehcp_forecast": ["history_by_age", "new_plans_by_age", "horizon", "statistic"],
    "dsg_fan": [
        "years",
        "opening_deficit",
        "income",
        "spend",
        "transfers",
        "contributions",
        "other_blocks",
        "plan",
        "spend_sd",
        "income_sd",
        "scenarios",
        "seed",
    ],
    "deficit_write_off": [
        "years",
        "cumulative_deficit",
        "write_off_year",
        "share",
        "override_end",
    ],
}
