"""``dsg show [MODEL]``: the model's key tables, printed for a person.

Prints the placement cost table, the block-transfer impact and the DSG
trajectory of a model workbook (default: the embedded Cambridgeshire
example), computed by the same models as the Excel functions and the
refresh: pounds formatted, years as ``2024-25``, deficits positive.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models.inputs import ModelInputs
from models.money import format_pounds, round_half_up
from models.monitoring import (
    COUNCIL_CONTRIBUTION,
    DFE_CONTRIBUTION,
    EXPENDITURE,
    INCOME,
    OTHER_BLOCKS,
    OTHER_CONTRIBUTIONS,
    TRANSFERS_IN,
    monitoring_return,
)
from models.placements import placement_cost_table
from models.trajectory import dsg_trajectory
from models.transfers import block_transfer_impact
from models.validation import Column, read_table
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


def _percent(x: float) -> str:
    return f"{round_half_up(x * 100, 1):.1f}%"


def _count(x: float) -> str:
    return f"{round_half_up(x, 1):,.1f}".removesuffix(".0")


def render(frame: pd.DataFrame, formats: dict[str, Callable[[float], str]]) -> str:
    """A table as aligned text: text left, figures right."""
    shown = frame.copy()
    for col, fmt in formats.items():
        shown[col] = [fmt(v) for v in frame[col]]
    return shown.to_string(index=False, justify="right")


def tables(inputs: ModelInputs) -> list[tuple[str, str]]:
    """(title, text) of the three tables."""
    fig = monitoring_return(inputs)
    placements = placement_cost_table(inputs.table("Placements"))
    funding = read_table(
        inputs.table("Funding"),
        "Funding",
        [
            Column("Year", "year"),
            Column("Schools block", minimum=0),
            Column("Transfer rate", minimum=0),
        ],
    )
    transfers = block_transfer_impact(
        funding["Year"], funding["Schools block"], funding["Transfer rate"]
    )
    fs = fig.financial_summary
    contributions = [
        sum(
            fs.loc[row, y] or 0.0
            for row in (DFE_CONTRIBUTION, COUNCIL_CONTRIBUTION, OTHER_CONTRIBUTIONS)
        )
        for y in fig.years
    ]
    trajectory = dsg_trajectory(
        fig.years,
        fig.opening_deficit,
        [fs.loc[INCOME, y] for y in fig.years],
        [fs.loc[EXPENDITURE, y] for y in fig.years],
        [fs.loc[TRANSFERS_IN, y] for y in fig.years],
        contributions,
        [fs.loc[OTHER_BLOCKS, y] for y in fig.years],
    )
    money = {c: _pounds for c in ("Cost per place", "Total cost")}
    share = {c: _percent for c in ("Share of count", "Share of cost")}
    return [
        (
            f"Placement cost table ({fig.years[0]}, the base year)",
            render(placements, {"Count": _count, **money, **share}),
        ),
        (
            "Block-transfer impact",
            render(
                transfers,
                {
                    "Schools block": _pounds,
                    "Transfer rate": _percent,
                    "Transfer": _pounds,
                    "Cumulative transfer": _pounds,
                },
            ),
        ),
        (
            f"DSG trajectory (deficit positive; {format_pounds(fig.opening_deficit)} brought forward "
            f"into {fig.years[0]}; {fig.current_year} is the forecast year)",
            render(trajectory, {c: _pounds for c in trajectory.columns if c != "Year"}),
        ),
    ]


def handle(args: argparse.Namespace) -> int:
    from workbooks.model_reader import read_model

    inputs = read_model(args.model)
    print(args.model.name)
    for title, text in tables(inputs):
        print()
        print(title)
        print(text)
    return 0
