"""The DfE monitoring return's figures, one function per quantity, from the typed model.

Each function takes a :class:`~models.model.DSGModel` and returns one
quantity: an array of pounds in the order of the Funding years
(``model.years``) unless it says otherwise. A function uses others by calling
them, so a scenario (``dataclasses.replace(model, ...)``) flows through every
figure. Money is unrounded float pounds; the writer rounds once, half-up.

The rules are those of the refresh, stated in the model workbook's About
sheet and in :mod:`models.monitoring`'s docstring; each function names its
own under References. The doctests use :func:`models.samples.sample_model`,
whose figures are worked by hand in that module's docstring.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from models.model import DSGModel, Keyed
from models.placements import placement_cost_table
from models.projection import placement_projection_result
from models.trajectory import dsg_trajectory
from models.transfers import block_transfer_impact, block_transfer_result
from models.validation import ResultTable
from models.variance import variance_percent, variance_to_plan_result
from models.years import year_start

if TYPE_CHECKING:  # the tables for a person (dsg show) import pandas when called
    import pandas as pd

_Figure = TypeVar("_Figure")


def once_per_model(figure: Callable[[DSGModel], _Figure]) -> Callable[[DSGModel], _Figure]:
    """Compute ``figure(model)`` once for each model object, however many figures use it.

    The model is immutable, so its figures are too: an array comes back
    read-only, a table as a copy, and a scenario (a new object) has figures
    of its own. The cache holds the model weakly: a scenario's figures go
    when it goes.
    """
    cache: weakref.WeakKeyDictionary[DSGModel, Any] = weakref.WeakKeyDictionary()

    @functools.wraps(figure)
    def cached(model: DSGModel) -> _Figure:
        if model not in cache:
            value = figure(model)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
            cache[model] = value
        result = cache[model]
        if isinstance(result, ResultTable):  # a table as a copy: its lists could be changed
            columns = [c.copy() if isinstance(c, np.ndarray) else list(c) for c in result.columns]
            result = ResultTable(list(result.header), columns, result.blank)
        kept: _Figure = result
        return kept

    return cached


__all__ = [
    "placement_costs",
    "projected_spend",
    "expenditure",
    "transfers_in",
    "dfe_contribution",
    "dfe_payment_withheld",
    "dfe_payment_expected",
    "council_contribution",
    "other_contributions",
    "contributions",
    "in_year_deficit",
    "cumulative_deficit",
    "brought_forward",
    "agreed_deficit",
    "variance_to_agreement",
    "high_needs_variance",
    "high_needs_variance_percent",
    "high_needs_totals",
    "ehcp_variance",
    "transfer_impact",
    "transfer_table",
    "trajectory",
    "percent_of",
]


def percent_of(actual: np.ndarray, plan: np.ndarray) -> list[float | None]:
    """Variance as a share of |plan|; None (an empty cell) where the plan is 0.

    The return's Variance %, through the one function that computes it,
    :func:`models.variance.variance_percent`, element by element.

    Notes
    -----
    ::

        Variance % = (Actual - Plan) / |Plan|        (empty when Plan = 0)

    References
    ----------
    METHOD.md, "VARIANCE_TO_PLAN"; RETURN.md, High needs expenditure.

    >>> percent_of(np.array([14_500_000.0, 5.0]), np.array([13_000_000.0, 0.0]))
    [0.11538461538461539, None]
    """
    out = variance_percent(np.asarray(actual, float), np.asarray(plan, float))
    return [None if v is None or not np.isfinite(v) else float(v) for v in out]


def placement_costs(model: DSGModel) -> pd.DataFrame:
    """PLACEMENT_COST_TABLE of the base year: count, cost per place, total cost, shares.

    References
    ----------
    METHOD.md, "PLACEMENT_COST_TABLE".

    >>> from models.samples import sample_model
    >>> placement_costs(sample_model())["Total cost"].tolist()
    [4000000.0, 4000000.0, 8000000.0]
    """
    return placement_cost_table(_placement_rows(model))


def _placement_rows(model: DSGModel) -> list[list[Any]]:
    """``Placement | Count | Cost per place`` of the base year, as a table argument."""
    p = model.placements
    body = zip(p.names, p.count.tolist(), p.cost_per_place.tolist(), strict=True)
    return [["Placement", "Count", "Cost per place"], *map(list, body)]


# --- High Needs expenditure ---------------------------------------------------------------


@once_per_model
def projected_spend(model: DSGModel) -> np.ndarray:
    """Spend on placements each Funding year, projected from the base year (pounds).

    Notes
    -----
    ::

        projected_spend[t] = sum over placements of count[p,t] x cost[p,t]

    with ``count`` and ``cost`` as PLACEMENT_PROJECTION (growth, moves,
    inflation); the base year is the first Funding year.

    References
    ----------
    METHOD.md, "PLACEMENT_PROJECTION"; the refresh's rules (About sheet).

    >>> from models.samples import sample_model
    >>> projected_spend(sample_model()).tolist()
    [8000000.0, 8600000.0, 8768000.0]
    """
    p = model.placements
    projection = placement_projection_result(
        _placement_rows(model),
        list(model.years),
        [[g] for g in p.growth],
        [[g] for g in p.inflation],
        p.moves.rows() if p.moves is not None else None,
        "spend",
    )
    return np.array([float(column[-1]) for column in projection.columns[1:]])


def expenditure(model: DSGModel) -> np.ndarray:
    """High Needs expenditure each year (pounds).

    Notes
    -----
    ::

        expenditure[t] = sum(HighNeedsLines Forecast outturn)            t = current year
                       = projected_spend[t] + Other high needs spend[t]   otherwise

    (Funding's ``Other high needs spend`` of the current year is not used.)

    References
    ----------
    The refresh's rules: "High Needs expenditure of the current year is the sum
    of HighNeedsLines Forecast outturn" (models/monitoring.py, About sheet).

    >>> from models.samples import sample_model
    >>> expenditure(sample_model()).tolist()
    [14000000.0, 14500000.0, 14768000.0]
    """
    spend = projected_spend(model) + model.funding.other_high_needs_spend.to_numpy()
    spend[model.years.index(model.current_year)] = float(model.high_needs.forecast.to_numpy().sum())
    return spend


# --- Income side --------------------------------------------------------------------------


def transfers_in(model: DSGModel) -> np.ndarray:
    """Block transfers into the High Needs Block (pounds).

    Notes
    -----
    ::

        transfers_in[t] = Schools block[t] x Transfer rate[t]

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT"; committee report 3.16 (1% of £480m = £4.8m).

    >>> from models.samples import sample_model
    >>> transfers_in(sample_model()).round(2).tolist()
    [1000000.0, 525000.0, 0.0]
    """
    return model.funding.schools_block.to_numpy() * model.funding.transfer_rate.to_numpy()


@once_per_model
def transfer_table(model: DSGModel) -> ResultTable:
    """The BLOCK_TRANSFER_IMPACT table of the Funding years, without pandas (the return's).

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT".

    >>> from models.samples import sample_model
    >>> transfer_table(sample_model()).columns[6]
    ['Required', 'Not required', 'Not required']
    """
    f = model.funding
    return block_transfer_result(
        list(f.years),
        f.schools_block.to_numpy(),
        f.transfer_rate.to_numpy(),
        None,
        [list(f.forum_decision)],
    )


def transfer_impact(model: DSGModel) -> pd.DataFrame:
    """The BLOCK_TRANSFER_IMPACT table of the Funding years: transfers and approvals (a DataFrame).

    References
    ----------
    METHOD.md, "BLOCK_TRANSFER_IMPACT".

    >>> from models.samples import sample_model
    >>> transfer_impact(sample_model())["Secretary of State approval"].tolist()
    ['Required', 'Not required', 'Not required']
    """
    f = model.funding
    return block_transfer_impact(
        list(f.years),
        f.schools_block.to_numpy(),
        f.transfer_rate.to_numpy(),
        None,
        [list(f.forum_decision)],
    )


# --- Contributions ------------------------------------------------------------------------


def dfe_contribution(model: DSGModel) -> np.ndarray:
    """DfE Safety Valve contribution each year (pounds): received, then expected.

    Notes
    -----
    ::

        dfe[t] = Agreement DfE payment received[t]   t <  current year (closed)
               = Agreement DfE payment expected[t]   t >= current year (the forecast)
               = 0                                   t not in the Agreement

    A payment due but withheld is not dropped: the forecast counts what the
    council expects (:func:`dfe_payment_withheld` shows what was held back).

    References
    ----------
    DfE Safety Valve agreement terms: payments are made in instalments,
    subject to the authority's satisfactory progress, and may be withheld
    (committee report 3.4, 3.8); RETURN.md, Safety Valve (``DfE payment
    expected`` is what the forecast assumes for the current and later years).

    >>> from models.samples import sample_model
    >>> dfe_contribution(sample_model()).tolist()
    [1000000.0, 500000.0, 1000000.0]
    """
    a, now = model.agreement, year_start(model.current_year)
    out = np.zeros(len(model.years))
    for k, year in enumerate(model.years):
        if year in a.years:
            paid = a.dfe_payment_received if year_start(year) < now else a.expected
            out[k] = float(paid[year])
    return out


def dfe_payment_withheld(model: DSGModel) -> list[float | None]:
    """DfE Safety Valve payment due but not received, each Agreement year (pounds).

    None (an empty cell) for a year after the current one: nothing there is
    due yet.

    Notes
    -----
    ::

        withheld[t] = DfE payment due[t] - DfE payment received[t]   t <= current year
                    = empty                                         t >  current year

    References
    ----------
    DfE Safety Valve agreement terms (instalments subject to progress; paused
    payments are withheld: committee report 3.6, 3.8); RETURN.md, Safety
    Valve ``DfE payment withheld``.

    >>> from models.samples import sample_model
    >>> dfe_payment_withheld(sample_model())
    [0.0, 500000.0, None]
    """
    a, now = model.agreement, year_start(model.current_year)
    return [
        float(a.dfe_payment_due[y] - a.dfe_payment_received[y]) if year_start(y) <= now else None
        for y in a.years
    ]


def dfe_payment_expected(model: DSGModel) -> list[float | None]:
    """DfE Safety Valve payment the forecast assumes, each Agreement year (pounds).

    None (an empty cell) for a year before the current one: closed, it counts
    what was received.

    Notes
    -----
    ::

        expected[t] = Agreement DfE payment expected[t]   t >= current year
                    = empty                              t <  current year

    References
    ----------
    RETURN.md, Safety Valve ``DfE payment expected``; :func:`dfe_contribution`.

    >>> from models.samples import sample_model
    >>> dfe_payment_expected(sample_model())
    [None, 500000.0, 1000000.0]
    """
    a, now = model.agreement, year_start(model.current_year)
    return [float(a.expected[y]) if year_start(y) >= now else None for y in a.years]


def council_contribution(model: DSGModel) -> np.ndarray:
    """Council contribution to the cumulative deficit each year: Funding's (pounds).

    >>> from models.samples import sample_model
    >>> council_contribution(sample_model()).tolist()
    [1000000.0, 0.0, 500000.0]
    """
    return model.funding.council_contribution.to_numpy().copy()


def other_contributions(model: DSGModel) -> np.ndarray:
    """Other contributions to the cumulative deficit each year: Funding's (pounds).

    >>> from models.samples import sample_model
    >>> other_contributions(sample_model()).tolist()
    [0.0, 0.0, 250000.0]
    """
    return model.funding.other_contributions.to_numpy().copy()


def contributions(model: DSGModel) -> np.ndarray:
    """Money applied to the cumulative deficit each year (pounds).

    Notes
    -----
    ::

        contributions[t] = dfe[t] + council[t] + other[t]

    References
    ----------
    The refresh's rules (models/monitoring.py, About sheet); METHOD.md,
    "DSG_TRAJECTORY" (contributions).

    >>> from models.samples import sample_model
    >>> contributions(sample_model()).tolist()
    [2000000.0, 500000.0, 1750000.0]
    """
    return dfe_contribution(model) + council_contribution(model) + other_contributions(model)


# --- The deficit --------------------------------------------------------------------------


def in_year_deficit(model: DSGModel) -> np.ndarray:
    """In-year DSG deficit (pounds; negative is a surplus).

    Notes
    -----
    ::

        in_year_deficit[t] = expenditure[t] - income[t] - transfers_in[t] + other_blocks[t]

    References
    ----------
    METHOD.md, "DSG_TRAJECTORY"; committee report 3.8 (2024-25: £11.730m).

    >>> from models.samples import sample_model
    >>> in_year_deficit(sample_model()).round(2).tolist()
    [1000000.0, 1075000.0, 768000.0]
    """
    f = model.funding
    return (
        expenditure(model)
        - f.income.to_numpy()
        - transfers_in(model)
        + f.other_blocks_deficit.to_numpy()
    )


@once_per_model
def cumulative_deficit(model: DSGModel) -> np.ndarray:
    """Cumulative DSG deficit carried forward at the end of each year (pounds).

    Notes
    -----
    ::

        cumulative_deficit[-1] = Settings Opening cumulative deficit
        cumulative_deficit[t]  = cumulative_deficit[t-1] + in_year_deficit[t] - contributions[t]

    References
    ----------
    METHOD.md, "DSG_TRAJECTORY"; committee report 3.8: £40.015m brought
    forward + £11.730m in-year = £51.745m.

    Examples
    --------
    >>> import dataclasses
    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> cumulative_deficit(m).round(2).tolist()
    [9000000.0, 9575000.0, 8593000.0]

    A scenario: one more percentage point of the Schools block transferred in
    2025-26 (£1.1m) lowers that year's cumulative deficit by exactly that.

    >>> rate = m.funding.transfer_rate + [0.0, 0.0, 0.01]
    >>> higher = dataclasses.replace(m, funding=dataclasses.replace(m.funding, transfer_rate=rate))
    >>> float((cumulative_deficit(m) - cumulative_deficit(higher))[-1].round(2))
    1100000.0
    """
    deficit = model.settings.opening_deficit + np.cumsum(
        in_year_deficit(model) - contributions(model)
    )
    return np.asarray(deficit, dtype=float)


def brought_forward(model: DSGModel) -> np.ndarray:
    """Cumulative DSG deficit brought forward into each year (pounds; negative is a surplus).

    Notes
    -----
    ::

        brought_forward[first year] = Settings Opening cumulative deficit
        brought_forward[t]          = cumulative_deficit[t-1]

    References
    ----------
    RETURN.md, Financial summary (``Cumulative surplus/(deficit) brought
    forward``, shown as minus this); METHOD.md, "DSG_TRAJECTORY"; committee
    report 3.8: £40.015m brought forward into 2024-25.

    >>> from models.samples import sample_model
    >>> brought_forward(sample_model()).round(2).tolist()
    [10000000.0, 9000000.0, 9575000.0]
    """
    return np.concatenate(([model.settings.opening_deficit], cumulative_deficit(model)[:-1]))


def trajectory(model: DSGModel) -> pd.DataFrame:
    """The DSG_TRAJECTORY table of the model's figures (what ``dsg show`` prints).

    References
    ----------
    METHOD.md, "DSG_TRAJECTORY".

    >>> from models.samples import sample_model
    >>> trajectory(sample_model())["Cumulative deficit"].round(2).tolist()
    [9000000.0, 9575000.0, 8593000.0]
    """
    return dsg_trajectory(
        list(model.years),
        model.settings.opening_deficit,
        model.funding.income.to_numpy(),
        expenditure(model),
        transfers_in(model),
        contributions(model),
        model.funding.other_blocks_deficit.to_numpy(),
    )


# --- The agreement ------------------------------------------------------------------------


def agreed_deficit(model: DSGModel) -> list[float | None]:
    """Agreement ``Agreed cumulative deficit`` for each Funding year; None where not listed.

    >>> from models.samples import sample_model
    >>> agreed_deficit(sample_model())
    [10000000.0, 9200000.0, 8000000.0]
    """
    agreed = model.agreement.agreed_deficit
    return [float(agreed[y]) if y in model.agreement.years else None for y in model.years]


@once_per_model
def variance_to_agreement(model: DSGModel) -> ResultTable:
    """Forecast against agreed cumulative deficit, for the Funding years the Agreement lists.

    Returns
    -------
    models.validation.ResultTable
        VARIANCE_TO_PLAN's ``Year | Plan | Forecast | Variance | Variance % |
        RAG`` (no rows when the Agreement lists no Funding year).

    Notes
    -----
    ::

        Variance = Forecast cumulative deficit - Agreed cumulative deficit
        RAG      = Green when Variance <= 0; Amber when Variance <= 5% x |Agreed|; Red

    References
    ----------
    METHOD.md, "VARIANCE_TO_PLAN"; the refresh's rules (models/monitoring.py).

    >>> from models.samples import sample_model
    >>> v = variance_to_agreement(sample_model())
    >>> v.columns[3].round(2).tolist(), v.columns[5]
    ([-1000000.0, 375000.0, 593000.0], ['Green', 'Amber', 'Red'])
    """
    agreed = agreed_deficit(model)
    listed = [k for k, a in enumerate(agreed) if a is not None]
    if not listed:
        empty = np.zeros(0)
        return ResultTable(
            ["Year", "Plan", "Forecast", "Variance", "Variance %", "RAG"],
            [[], empty, empty, empty, empty, []],
            blank=frozenset({"Variance %"}),
        )
    forecast = cumulative_deficit(model)
    return variance_to_plan_result(
        [model.years[k] for k in listed],
        [[float(forecast[k])] for k in listed],
        [[agreed[k]] for k in listed],
    )


# --- High needs lines and EHCP numbers ----------------------------------------------------


def high_needs_variance(model: DSGModel) -> Keyed:
    """Forecast outturn less budget, per Section 251 line (pounds; positive is an overspend).

    Notes
    -----
    ::

        variance[line] = Forecast outturn[line] - Budget[line]

    References
    ----------
    RETURN.md, High needs expenditure.

    >>> from models.samples import sample_model
    >>> float(high_needs_variance(sample_model())["1.2.3"])
    1500000.0
    """
    return model.high_needs.forecast - model.high_needs.budget


def high_needs_totals(model: DSGModel) -> tuple[float, float, float]:
    """Total budget, total forecast outturn and their variance, over the Section 251 lines.

    Notes
    -----
    ::

        total budget   = sum(Budget[line])
        total forecast = sum(Forecast outturn[line])
        total variance = total forecast - total budget

    References
    ----------
    RETURN.md, High needs expenditure: the Total row.

    >>> from models.samples import sample_model
    >>> high_needs_totals(sample_model())
    (13000000.0, 14500000.0, 1500000.0)
    """
    budget = float(sum(float(b) for b in model.high_needs.budget))
    forecast = float(sum(float(f) for f in model.high_needs.forecast))
    return budget, forecast, forecast - budget


def high_needs_variance_percent(model: DSGModel) -> list[float | None]:
    """Each line's variance as a share of |Budget|; None where the budget is 0.

    Notes
    -----
    ::

        variance %[line] = (Forecast outturn[line] - Budget[line]) / |Budget[line]|

    References
    ----------
    RETURN.md, High needs expenditure; :func:`percent_of`.

    >>> from models.samples import sample_model
    >>> high_needs_variance_percent(sample_model())[3]
    1.5
    """
    return percent_of(model.high_needs.forecast.to_numpy(), model.high_needs.budget.to_numpy())


def ehcp_variance(model: DSGModel) -> Keyed:
    """EHC plans of the period against plan, per placement category.

    Notes
    -----
    ::

        variance[category] = Actual[category] - Plan[category]

    References
    ----------
    RETURN.md, EHCP numbers.

    >>> from models.samples import sample_model
    >>> float(ehcp_variance(sample_model()).sum())
    14.0
    """
    return model.ehcp.actual - model.ehcp.plan
