"""The council's DSG model, typed: what :func:`models.parse.parse_model` makes of the workbook.

The model workbook's tables are read once, at the edge
(:func:`models.parse.parse_model`), into these frozen dataclasses. Every
figure of the return (:mod:`models.return_figures`) is computed from them,
never from the raw tables, so a figure never meets a blank, a text or an
Excel error where a number belongs.

- series are :class:`pandas.Series` of floats, keyed by financial year
  (``2024-25``), placement, Section 251 code, EHCP category or age group;
  their values are read-only;
- money is unrounded float pounds; rates are decimals (0.01 = 1%).

A scenario is a copy with one part replaced, for example a 2% transfer in
every year::

    scenario = dataclasses.replace(
        model, funding=dataclasses.replace(model.funding, transfer_rate=rate_2pc)
    )
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError, Problem

__all__ = [
    "Settings",
    "Funding",
    "Placements",
    "Agreement",
    "HighNeedsLines",
    "EHCPNumbers",
    "Condition",
    "DSGModel",
    "year_series",
]


def _frozen(values: Any, index: Any, name: str) -> pd.Series:
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return pd.Series(array, index=pd.Index(list(index), dtype=object), name=name, copy=False)


def year_series(values: Any, years: Any, name: str = "") -> pd.Series:
    """A read-only series of floats keyed by financial year.

    >>> year_series([1.0, 2.0], ["2024-25", "2025-26"], "Transfer rate").to_dict()
    {'2024-25': 1.0, '2025-26': 2.0}
    """
    return _frozen(values, years, name)


def keyed(values: Any, keys: Any, name: str = "") -> pd.Series:
    """A read-only series of floats keyed by placement, line, category or age group.

    >>> keyed([3.0], ["Independent"], "Count").to_dict()
    {'Independent': 3.0}
    """
    return _frozen(values, keys, name)


def _same_keys(part: str, keys: tuple[str, ...], **series: pd.Series) -> None:
    """Every series of a part is keyed by ``keys``, in order (a scenario replaced with care)."""
    wrong = [name for name, s in series.items() if tuple(s.index) != keys]
    if wrong:
        raise InputError(
            [
                Problem(
                    part,
                    ", ".join(wrong),
                    f"must be keyed by {', '.join(keys) or 'nothing'} in that order",
                )
            ]
        )


@dataclass(frozen=True)
class Settings:
    """The Settings table.

    Attributes
    ----------
    la_name : str
        ``Local authority``.
    la_code : str
        ``LA code``: DfE's three-digit LA number (``873``).
    period : str
        ``Return period``, normalised to ``YYYY-YY Qn`` (``2024-25 Q2``).
    current_year : str
        The financial year of the period (``2024-25``).
    period_end : datetime.date
        ``Period end date``: the last day of the period's quarter.
    prepared_by : str
        ``Prepared by`` (may be empty).
    opening_deficit : float
        ``Opening cumulative deficit``: pounds brought forward into the
        first Funding year (positive = deficit).
    dfe_data_folder : str or None
        ``DfE data folder``, when the model has that row.
    """

    la_name: str
    la_code: str
    period: str
    current_year: str
    period_end: dt.date
    prepared_by: str
    opening_deficit: float
    dfe_data_folder: str | None = None


@dataclass(frozen=True, eq=False)
class Funding:
    """The Funding table: one value per financial year, pounds (rates as decimals)."""

    years: tuple[str, ...]
    income: pd.Series
    schools_block: pd.Series
    transfer_rate: pd.Series
    other_high_needs_spend: pd.Series
    other_blocks_deficit: pd.Series
    council_contribution: pd.Series
    other_contributions: pd.Series

    def __post_init__(self) -> None:
        _same_keys(
            "Funding",
            self.years,
            income=self.income,
            schools_block=self.schools_block,
            transfer_rate=self.transfer_rate,
            other_high_needs_spend=self.other_high_needs_spend,
            other_blocks_deficit=self.other_blocks_deficit,
            council_contribution=self.council_contribution,
            other_contributions=self.other_contributions,
        )


@dataclass(frozen=True, eq=False)
class Placements:
    """The Placements table (base year) and the Moves table, keyed by placement.

    ``moves`` is ``Placement | Year | Change`` (children, + or -), or None.
    """

    names: tuple[str, ...]
    count: pd.Series
    cost_per_place: pd.Series
    growth: pd.Series
    inflation: pd.Series
    moves: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        _same_keys(
            "Placements",
            self.names,
            count=self.count,
            cost_per_place=self.cost_per_place,
            growth=self.growth,
            inflation=self.inflation,
        )


@dataclass(frozen=True, eq=False)
class Agreement:
    """The Safety Valve agreement's profile, keyed by the years it lists (ascending)."""

    years: tuple[str, ...]
    dfe_payment_due: pd.Series
    dfe_payment_received: pd.Series
    council_contribution: pd.Series
    agreed_deficit: pd.Series

    def __post_init__(self) -> None:
        _same_keys(
            "Agreement",
            self.years,
            dfe_payment_due=self.dfe_payment_due,
            dfe_payment_received=self.dfe_payment_received,
            council_contribution=self.council_contribution,
            agreed_deficit=self.agreed_deficit,
        )


@dataclass(frozen=True, eq=False)
class HighNeedsLines:
    """Budget and forecast outturn of the current year, keyed by Section 251 code, pounds."""

    budget: pd.Series
    forecast: pd.Series


@dataclass(frozen=True, eq=False)
class EHCPNumbers:
    """EHC plans: census history, the period's actual and plan, and the actual by age.

    ``history`` has one row per placement category and one column per
    census, headed as the return shows it (``January 2024``).
    """

    history: pd.DataFrame
    actual: pd.Series
    plan: pd.Series
    by_age: pd.Series


@dataclass(frozen=True)
class Condition:
    """One row of the Conditions table; ``rag`` is Green, Amber or Red."""

    condition: str
    rag: str
    commentary: str


@dataclass(frozen=True, eq=False)
class DSGModel:
    """One council's DSG model, validated: the return's figures are computed from it.

    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> m.settings.period, m.funding.years, m.placements.names
    ('2024-25 Q2', ('2023-24', '2024-25', '2025-26'), ('Special', 'Independent'))
    """

    settings: Settings
    funding: Funding
    placements: Placements
    agreement: Agreement
    high_needs: HighNeedsLines
    ehcp: EHCPNumbers
    conditions: tuple[Condition, ...] = ()

    @property
    def years(self) -> tuple[str, ...]:
        """The Funding years: the years of every figure."""
        return self.funding.years

    @property
    def current_year(self) -> str:
        """The financial year of the return period."""
        return self.settings.current_year
