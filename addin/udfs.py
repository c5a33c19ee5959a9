"""The add-in's Excel functions (METHOD.md), one per calculation.

The same module serves both fronts:

- the classic Windows add-in: ``UDF Modules = addin.udfs`` in the
  ``xlwings.conf`` sheet, then *Import Python UDFs* on the xlwings ribbon;
- Excel on the web and Mac through Office.js (xlwings Server or xlwings
  Lite), where the functions register themselves as ``NAMESPACE.NAME``.

Each function converts Excel's arguments, calls one model function and
returns a 2-D table with a header row, which spills as a dynamic array. No
arithmetic happens here. Bad input shows its message in the cell (classic)
or on the ``#VALUE!`` hover (Office.js).
"""

from __future__ import annotations

import xlwings as xw

from addin.excel import call_model
from models import ehcp_forecast as forecast_model
from models import growth as growth_model
from models import placements as placement_model
from models import projection as projection_model
from models import scenarios as scenario_model
from models import trajectory as trajectory_model
from models import transfers as transfer_model
from models import variance as variance_model
from models import write_off as write_off_model

CATEGORY = "DSG High Needs"

_PLACEMENTS = "Table with headers Placement | Count | Cost per place, e.g. Placements[#All]."
_YEARS = "Financial years like 2024-25, consecutive and ascending (a row or a column)."
_PER_YEAR = "One value per year (a row or a column) or one value for every year."


@xw.func(category=CATEGORY)
@xw.arg("placements", ndim=2, doc=_PLACEMENTS)
def placement_cost_table(placements):
    """Placement cost table: count, cost per place, total cost and shares, with a Total row."""
    return call_model(placement_model.placement_cost_result, placements)


@xw.func(category=CATEGORY)
@xw.arg("first", doc="Number of plans (or any count) at the start; greater than 0.")
@xw.arg("last", doc="Number at the end; 0 or more.")
@xw.arg("years", doc="Years between the two counts; greater than 0.")
def ehcp_growth(first, last, years):
    """Compound annual growth rate: (last / first) ^ (1 / years) - 1."""
    return call_model(growth_model.ehcp_growth, first, last, years)


@xw.func(category=CATEGORY)
@xw.arg("first", doc="Starting value; greater than 0.")
@xw.arg("last", doc="Ending value.")
def percent_change(first, last):
    """Percent change: last / first - 1."""
    return call_model(growth_model.percent_change, first, last)


@xw.func(category=CATEGORY)
@xw.arg("placements", ndim=2, doc=_PLACEMENTS + " Counts and costs are for the base year.")
@xw.arg("years", ndim=2, doc=_YEARS + " The first is the base year.")
@xw.arg(
    "growth",
    ndim=2,
    doc="Yearly growth in count: one rate, or one per placement in table order (0.05 = 5%).",
)
@xw.arg(
    "inflation",
    ndim=2,
    doc="Yearly growth in cost per place: one rate, or one per placement in table order.",
)
@xw.arg(
    "moves", ndim=2, doc="Optional table Placement | Year | Change: planned net changes in count."
)
@xw.arg("measure", doc='Optional: "spend" (default), "count" or "cost".')
def placement_projection(placements, years, growth, inflation, moves=None, measure=None):
    """Placement projection by year (spend, count or cost per place), with a Total row."""
    return call_model(
        projection_model.placement_projection_result,
        placements,
        years,
        growth,
        inflation,
        moves,
        measure,
    )


@xw.func(category=CATEGORY)
@xw.arg("years", ndim=2, doc=_YEARS)
@xw.arg("schools_block", ndim=2, doc="Schools Block allocation, pounds. " + _PER_YEAR)
@xw.arg("rate", ndim=2, doc="Share moved to the High Needs Block (0.01 = 1%). " + _PER_YEAR)
@xw.arg(
    "threshold",
    doc="Optional: share above which the Secretary of State must approve; default 0.5%.",
)
@xw.arg(
    "forum_decision",
    ndim=2,
    doc="Optional: the schools forum's decision per year: Approved, Refused or blank. "
    "A refused transfer needs the Secretary of State.",
)
def block_transfer_impact(years, schools_block, rate, threshold=None, forum_decision=None):
    """Schools Block to High Needs Block transfers, their running total and the approvals needed."""
    return call_model(
        transfer_model.block_transfer_result, years, schools_block, rate, threshold, forum_decision
    )


_TRAJECTORY_ARGS = (
    ("years", _YEARS),
    (
        "opening_deficit",
        "Cumulative DSG deficit brought forward into the first year, pounds (surplus negative).",
    ),
    ("income", "High Needs Block allocation after deductions, pounds. " + _PER_YEAR),
    ("spend", "High Needs expenditure, pounds. " + _PER_YEAR),
    ("transfers", "Optional: block transfers into the High Needs Block, pounds. " + _PER_YEAR),
    (
        "contributions",
        "Optional: money applied to the deficit (DfE Safety Valve, council), pounds. " + _PER_YEAR,
    ),
    ("other_blocks", "Optional: net in-year deficit on the other DSG blocks, pounds. " + _PER_YEAR),
)


def _trajectory_args(f):
    for name, doc in reversed(_TRAJECTORY_ARGS):
        f = (
            xw.arg(name, ndim=2, doc=doc)(f)
            if name != "opening_deficit"
            else xw.arg(name, doc=doc)(f)
        )
    return f


@xw.func(category=CATEGORY)
@_trajectory_args
def dsg_trajectory(
    years, opening_deficit, income, spend, transfers=None, contributions=None, other_blocks=None
):
    """DSG trajectory: in-year and cumulative High Needs deficit year by year (deficit positive)."""
    return call_model(
        trajectory_model.dsg_trajectory_result,
        years,
        opening_deficit,
        income,
        spend,
        transfers,
        contributions,
        other_blocks,
    )


@xw.func(category=CATEGORY)
@_trajectory_args
def dsg_summary(
    years, opening_deficit, income, spend, transfers=None, contributions=None, other_blocks=None
):
    """DSG summary: in-year balance year, deficit cleared year, peak and closing cumulative deficit."""
    return call_model(
        trajectory_model.dsg_summary_result,
        years,
        opening_deficit,
        income,
        spend,
        transfers,
        contributions,
        other_blocks,
    )


@xw.func(category=CATEGORY)
@xw.arg("years", ndim=2, doc=_YEARS)
@xw.arg("forecast", ndim=2, doc="Forecast of a measure where higher is worse. " + _PER_YEAR)
@xw.arg("plan", ndim=2, doc="The plan for the same measure. " + _PER_YEAR)
@xw.arg(
    "amber_tolerance",
    doc="Optional: overrun as a share of the plan that is still Amber; default 5%.",
)
def variance_to_plan(years, forecast, plan, amber_tolerance=None):
    """Variance to plan with a Red/Amber/Green rating (higher is worse)."""
    return call_model(
        variance_model.variance_to_plan_result, years, forecast, plan, amber_tolerance
    )


@xw.func(category=CATEGORY)
@xw.arg(
    "history_by_age",
    ndim=2,
    doc="Table Age | <census year> | <census year> ...: EHC plans by single age (under 3, 3 ... "
    "25) at two or more consecutive January censuses, e.g. 2024 and 2025.",
)
@xw.arg(
    "new_plans_by_age",
    ndim=2,
    doc="Optional table Age | <calendar year> ...: new EHC plans by age when the plan started, "
    "as DfE publishes them.",
)
@xw.arg("horizon", doc="Optional: censuses ahead, a whole number from 1 to 10; default 3.")
@xw.arg("statistic", doc='Optional: "P50" (default, the central forecast), "P10" or "P90".')
def ehcp_forecast(history_by_age, new_plans_by_age=None, horizon=None, statistic=None):
    """EHC plans by age group in the coming January censuses (cohort model), P50, P10 or P90."""
    return call_model(
        forecast_model.ehcp_forecast_result, history_by_age, new_plans_by_age, horizon, statistic
    )


_FAN_ARGS = (
    ("plan", "Optional: the agreed cumulative deficit, pounds. " + _PER_YEAR),
    (
        "spend_sd",
        "Optional: standard deviation of each year's spend growth surprise, 0 to 1; "
        "default 0.03 (3%).",
    ),
    (
        "income_sd",
        "Optional: standard deviation of each year's income growth surprise, 0 to 1; "
        "default 0.01 (1%).",
    ),
    ("scenarios", "Optional: number of scenarios, 1 to 1,000,000; default 10,000."),
    (
        "seed",
        "Optional: a whole number from 0 to 999,999,999,999,999; the same seed gives the same "
        "table; default 1.",
    ),
)


def _fan_args(f):
    for name, doc in reversed(_FAN_ARGS):
        f = xw.arg(name, ndim=2, doc=doc)(f) if name == "plan" else xw.arg(name, doc=doc)(f)
    return _trajectory_args(f)


@xw.func(category=CATEGORY)
@_fan_args
def dsg_fan(
    years,
    opening_deficit,
    income,
    spend,
    transfers=None,
    contributions=None,
    other_blocks=None,
    plan=None,
    spend_sd=None,
    income_sd=None,
    scenarios=None,
    seed=None,
):
    """DSG fan: P10, P50 and P90 of the cumulative deficit over many scenarios, and P(on track)."""
    return call_model(
        scenario_model.dsg_fan_result,
        years,
        opening_deficit,
        income,
        spend,
        transfers,
        contributions,
        other_blocks,
        plan,
        spend_sd,
        income_sd,
        scenarios,
        seed,
    )


@xw.func(category=CATEGORY)
@xw.arg("years", ndim=2, doc=_YEARS)
@xw.arg(
    "cumulative_deficit",
    ndim=2,
    doc="Cumulative DSG deficit at the end of each year, pounds, as DSG_TRAJECTORY returns it. "
    + _PER_YEAR,
)
@xw.arg(
    "write_off_year",
    doc="Optional: the year the write-off grant is paid; default 2026-27. It and the year "
    "before must be in years.",
)
@xw.arg("share", doc="Optional: share of the deficit written off, 0 to 1; default 0.9 (90%).")
@xw.arg(
    "override_end", doc="Optional: the last year the statutory override covers; default 2027-28."
)
def deficit_write_off(
    years, cumulative_deficit, write_off_year=None, share=None, override_end=None
):
    """Deficit write-off: the 2026 grant and what falls on the council when the override ends."""
    return call_model(
        write_off_model.deficit_write_off_result,
        years,
        cumulative_deficit,
        write_off_year,
        share,
        override_end,
    )
