"""``dsg show [MODEL]``: the model's key tables, printed for a person.

Prints the placement cost table, the block-transfer impact and the DSG
trajectory of a model workbook (default: the embedded Cambridgeshire
example): the typed model's own figures (:func:`models.parse.parse_model`,
:mod:`models.return_figures`), the same the refresh writes, formatted here
and never recomputed: pounds, years as ``2024-25``, and the return's one sign
rule (RETURN.md, "One sign rule"): the trajectory's surplus/(deficit) columns
are minus the deficit, a deficit shown in brackets. A
model the refresh would refuse (a blank, text or error where a figure
belongs) is refused the same way, naming table, row and column (exit 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models.errors import DSGError
from models.inputs import ModelInputs
from models.money import format_percent, format_pounds, round_half_up
from models.parse import parse_model
from models.return_figures import placement_costs, trajectory, transfer_impact
from workbooks.example_cambridgeshire import EXAMPLE_PATH


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "show",
        help="print a model's placement costs, block transfers and DSG trajectory",
        description="Print the placement cost table, the block-transfer impact and the DSG "
        "trajectory of a model workbook (default: the Cambridgeshire example).",
    )
    p.add_argument(
        "model",
        nargs="?",
        type=Path,
        default=EXAMPLE_PATH,
        help="the council's model workbook (default: the Cambridgeshire example)",
    )
    p.set_defaults(handler=handle)


def _pounds(x: float) -> str:
    return format_pounds(x)


def _bracketed(x: float) -> str:
    """Pounds with a negative figure in brackets, as the return's number format shows it.

    >>> _bracketed(-51_745_000), _bracketed(1_000.4)
    ('(£51,745,000)', '£1,000')
    """
    text = format_pounds(x)
    return f"({text[1:]})" if text.startswith("-") else text


#: The trajectory's deficit columns and the surplus/(deficit) columns that show them.
SURPLUS_COLUMNS = {
    "In-year deficit": "In-year surplus/(deficit)",
    "Cumulative deficit": "Cumulative surplus/(deficit)",
}


def _count(x: float) -> str:
    return f"{round_half_up(x, 1):,.1f}".removesuffix(".0")


def render(frame: pd.DataFrame, formats: dict[str, Callable[[float], str]]) -> str:
    """A table as aligned text: text left, figures right."""
    shown = frame.copy()
    for col, fmt in formats.items():
        shown[col] = [fmt(v) for v in frame[col]]
    return shown.to_string(index=False, justify="right")


def tables(inputs: ModelInputs) -> list[tuple[str, str]]:
    """(title, text) of the three tables: the typed model's own figures, formatted."""
    model = parse_model(inputs)
    placements = placement_costs(model)
    transfers = transfer_impact(model)
    dsg = trajectory(model)
    for deficit in SURPLUS_COLUMNS:  # one sign rule: minus the deficit
        dsg[deficit] = 0.0 - dsg[deficit].astype(float)
    dsg = dsg.rename(columns=SURPLUS_COLUMNS)
    years, opening = model.years, model.settings.opening_deficit
    money = {c: _pounds for c in ("Cost per place", "Total cost")}
    share = {c: format_percent for c in ("Share of count", "Share of cost")}
    return [
        (
            f"Placement cost table ({years[0]}, the base year)",
            render(placements, {"Count": _count, **money, **share}),
        ),
        (
            "Block-transfer impact",
            render(
                transfers,
                {
                    "Schools block": _pounds,
                    "Transfer rate": format_percent,
                    "Transfer": _pounds,
                    "Cumulative transfer": _pounds,
                },
            ),
        ),
        (
            f"DSG trajectory (surplus/(deficit): a deficit in brackets; "
            f"{_bracketed(0.0 - opening)} brought forward into {years[0]}; "
            f"{model.current_year} is the forecast year)",
            render(
                dsg,
                {c: _pounds for c in dsg.columns if c != "Year"}
                | {c: _bracketed for c in SURPLUS_COLUMNS.values()},
            ),
        ),
    ]


def handle(args: argparse.Namespace) -> int:
    from addin.cli_refresh import print_problems
    from workbooks.model_reader import read_model

    try:
        shown = tables(read_model(args.model))
    except DSGError as e:
        print_problems("show", args.model, e)
        return 2
    print(args.model.name)
    for title, text in shown:
        print()
        print(title)
        print(text)
    return 0
