"""A small sample model that loads in one call, for doctests and tests.

``Sampleshire`` (LA code 999), return period 2024-25 Q2, three Funding years
in round figures, so every figure of the return can be worked by hand:

=========================  ==========  ==========  ==========
Funding                    2023-24     2024-25     2025-26
=========================  ==========  ==========  ==========
High Needs Block income    12,000,000  13,000,000  14,000,000
Schools block             100,000,000 105,000,000 110,000,000
Transfer rate              0.01        0.005       0
Other high needs spend      6,000,000   (unused)    6,000,000
Other blocks deficit                0     100,000           0
Council contribution        1,000,000           0     500,000
Other contributions                 0           0     250,000
=========================  ==========  ==========  ==========

Placements (2023-24): Special 100 at £40,000, growing 10% a year, no
inflation; Independent 50 at £80,000, no growth, 5% inflation; moves in
2025-26: 10 from Independent to Special. HighNeedsLines: a budget of
£1,000,000 a line; forecast £1,000,000 a line but £2,500,000 on 1.2.3.
Agreement: DfE due £1,000,000 a year, received £1,000,000 and £500,000
(£500,000 withheld in 2024-25); expected £500,000 in 2024-25 (the balance not
expected) and £1,000,000 in 2025-26; agreed cumulative deficit £10,000,000, £9,200,000, £8,000,000. Opening
cumulative deficit £10,000,000.
"""

from __future__ import annotations

import datetime as dt

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.inputs import ModelInputs
from models.model import DSGModel

__all__ = ["sample_inputs", "sample_model"]


def sample_inputs() -> ModelInputs:
    """The sample model's tables, as a reader hands them over: header row, then the rows."""
    from models.parse import S251_LINES

    lines: list[list[object]] = [
        [f"{code} {text}", 1_000_000.0, 2_500_000.0 if code == "1.2.3" else 1_000_000.0]
        for code, text in S251_LINES
    ]
    return ModelInputs(
        {
            "Settings": [
                ["Setting", "Value"],
                ["Local authority", "Sampleshire"],
                ["LA code", 999],
                ["Return period", "2024-25 Q2"],
                ["Period end date", dt.datetime(2024, 9, 30)],
                ["Prepared by", "Finance officer"],
                ["Opening cumulative deficit", 10_000_000],
            ],
            "Funding": [
                [
                    "Year",
                    "High Needs Block income",
                    "Schools block",
                    "Transfer rate",
                    "Other high needs spend",
                    "Other blocks in-year deficit",
                    "Council contribution",
                    "Other contributions",
                ],
                ["2023-24", 12e6, 100e6, 0.01, 6e6, 0, 1e6, 0],
                ["2024-25", 13e6, 105e6, 0.005, 0, 100_000, 0, 0],
                ["2025-26", 14e6, 110e6, 0, 6e6, 0, 500_000, 250_000],
            ],
            "Placements": [
                ["Placement", "Count", "Cost per place", "Growth", "Inflation"],
                ["Special", 100, 40_000, 0.1, 0],
                ["Independent", 50, 80_000, 0, 0.05],
            ],
            "Moves": [
                ["Placement", "Year", "Change"],
                ["Special", "2025-26", 10],
                ["Independent", "2025-26", -10],
            ],
            "Agreement": [
                [
                    "Year",
                    "DfE payment due",
                    "DfE payment received",
                    "Council contribution",
                    "Agreed cumulative deficit",
                    "DfE payment expected",
                ],
                ["2023-24", 1e6, 1e6, 1e6, 10e6, 1e6],
                ["2024-25", 1e6, 500_000, 0, 9.2e6, 500_000],
                ["2025-26", 1e6, 0, 500_000, 8e6, 1e6],
            ],
            "HighNeedsLines": [["Line", "Budget", "Forecast outturn"], *lines],
            "EHCPHistory": [
                ["Category", "2023", "2024"],
                *[[c, 100 + 10 * i, 110 + 10 * i] for i, c in enumerate(PLACEMENT_CATEGORIES)],
            ],
            "EHCPPeriod": [
                ["Category", "Actual", "Plan"],
                *[[c, 120 + 10 * i, 118 + 10 * i] for i, c in enumerate(PLACEMENT_CATEGORIES)],
            ],
            "EHCPByAge": [
                ["Age group", "Actual"],
                *[[a, v] for a, v in zip(AGE_GROUPS, [50, 300, 350, 250, 100], strict=True)],
            ],
            "Conditions": [
                ["Condition", "RAG", "Commentary"],
                ["Reach an in-year balance by 2025-26", "amber", "Behind plan"],
            ],
        },
        source="sample model",
    )


def sample_model() -> DSGModel:
    """The sample model, parsed (:func:`models.parse.parse_model`).

    >>> sample_model().funding.income.to_dict()
    {'2023-24': 12000000.0, '2024-25': 13000000.0, '2025-26': 14000000.0}
    """
    from models.parse import parse_model

    return parse_model(sample_inputs())
