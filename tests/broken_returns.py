"""Returns with one figure broken, for each check of the Checks sheet, in each direction.

A check that cannot fail is not a check (STYLE.md): for every check the
return writes, a figure it reconciles is put one pound high and one pound low
(the Return period, which is text, is put in another year and in a year the
return does not cover), and the return is written. The tests then read the
result twice: from the writer's own evaluation (``WrittenReturn.checks``) and
from the live formulas recalculated by LibreOffice; both must show FAIL for
exactly the checks the broken figure feeds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from models import monitoring as m
from models.inputs import ModelInputs
from models.mitigations import Mitigations
from models.model import DSGModel
from models.monitoring import MonitoringReturn, ReturnTable, monitoring_return, return_of
from models.parse import parse_model
from models.validation import rows_of
from tests.test_return import example_inputs
from workbooks import return_spec as spec
from workbooks.return_template import TEMPLATE_PATH
from workbooks.return_writer import Audit, WrittenReturn, write_return

AUDIT = Audit("dsg-high-needs", "test", "2024-10-01T09:00:00+01:00", "model.xlsx", "0" * 64)


def _shift(frame: pd.DataFrame, row: str, col: str, pounds: float) -> ReturnTable:
    out = frame.copy()
    out.loc[row, col] = float(out.loc[row, col]) + pounds
    return ReturnTable.from_frame(out)


def _lines(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    return dataclasses.replace(
        fig, high_needs_table=_shift(fig.high_needs, m.S251_LABELS[0], "Budget", d)
    )


def _expenditure(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    fs = _shift(fig.financial_summary, m.EXPENDITURE, fig.current_year, d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def _ehcp(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    actual = m.period_actual(fig.period)
    return dataclasses.replace(fig, ehcp_table=_shift(fig.ehcp, m.TOTAL_BY_AGE, actual, d))


def _brought_forward(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    fs = _shift(fig.financial_summary, m.BROUGHT_FORWARD, fig.years[0], d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def _carried_forward(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """The current year's carried forward: feeds the roll-forward and the Safety Valve sheet."""
    fs = _shift(fig.financial_summary, m.CUMULATIVE, fig.current_year, d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def _forecast_surplus(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    return _sv_cell(fig, fig.current_year, m.FORECAST_SURPLUS, d)


def _in_year(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    fs = _shift(fig.financial_summary, m.INCOME, fig.years[0], d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def _agreement(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    fs = _shift(fig.financial_summary, m.AGREEMENT_PROFILE, fig.current_year, d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def _period(fig: MonitoringReturn, period: str) -> MonitoringReturn:
    return dataclasses.replace(fig, cover={**fig.cover, "Return period": period})


def _sv_cell(fig: MonitoringReturn, year: str, column: str, d: float) -> MonitoringReturn:
    sv = fig.safety_valve.copy()
    k = sv.index[sv["Year"] == year][0]
    sv.loc[k, column] = float(sv.loc[k, column]) + d
    return dataclasses.replace(fig, safety_valve_table=ReturnTable.from_frame(sv))


def _withheld(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    return _sv_cell(fig, fig.current_year, m.DFE_WITHHELD, d)


def _total_due(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    return _sv_cell(fig, m.SV_TOTAL, m.DFE_DUE, d)


def _in_order_cell(table: ReturnTable, label: str, column: str, d: float) -> ReturnTable:
    """``table`` (rows in order, labelled in its first column) with one figure moved by ``d``."""
    frame = table.frame()
    k = frame.index[frame.iloc[:, 0] == label][0]
    frame.loc[k, column] = float(frame.loc[k, column]) + d
    return ReturnTable.from_frame(frame)


def _mitigation_total(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """The Mitigations Total row's planned saving."""
    table = _in_order_cell(fig.mitigations_table, m.MITIGATIONS_TOTAL, m.PLANNED, d)
    return dataclasses.replace(fig, mitigations_table=table)


def _mitigation_variance(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """A workstream's Variance, against its delivered - planned (and the Total's Variance)."""
    label = fig.mitigations_table.cells[0][0]
    table = _in_order_cell(fig.mitigations_table, label, m.VARIANCE, d)
    return dataclasses.replace(fig, mitigations_table=table)


def _scenarios_mitigated(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """A later year's Mitigated view on the Scenarios sheet, against the Financial summary."""
    table = _in_order_cell(fig.scenarios_table, fig.years[-1], m.MITIGATED, d)
    return dataclasses.replace(fig, scenarios_table=table)


def _dfe_contribution(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """A later year's DfE contribution on the Financial summary, against the expected payment."""
    fs = _shift(fig.financial_summary, m.DFE_CONTRIBUTION, fig.years[-1], d)
    return dataclasses.replace(fig, financial_summary_table=fs)


def suppressed_figures() -> MonitoringReturn:
    """The example with DfE's suppressed figures in EHCPHistory: ``x``, ``c`` and ``z``
    in the January 2023 census (NMSS, hospital, other), as a DfE download shows them."""
    inputs = example_inputs()
    rows = [list(r) for r in rows_of(inputs.tables["EHCPHistory"])]
    for r, mark in ((4, "x"), (5, "C"), (7, " z ")):
        rows[r][2] = mark
    return monitoring_return(ModelInputs({**inputs.tables, "EHCPHistory": rows}))


def _suppressed_other_total(fig: MonitoringReturn, d: float) -> MonitoringReturn:
    """A census column beside the suppressed one, its Total a pound out: still checked."""
    fig = suppressed_figures()
    return dataclasses.replace(fig, ehcp_table=_shift(fig.ehcp, m.TOTAL, "January 2024", d))


#: name -> (how the figures are broken, the checks that must FAIL)
CASES: dict[str, tuple[Callable[[MonitoringReturn], MonitoringReturn], set[str]]] = {}
for _name, _break, _fails in (
    ("lines", _lines, {spec.CHECK_LINES}),
    ("expenditure", _expenditure, {spec.CHECK_EXPENDITURE, spec.CHECK_IN_YEAR}),
    ("ehcp", _ehcp, {spec.CHECK_EHCP}),
    ("brought_forward", _brought_forward, {spec.CHECK_ROLL_FORWARD}),
    (
        "carried_forward",
        _carried_forward,
        {spec.CHECK_ROLL_FORWARD, spec.CHECK_AGREEMENT, spec.CHECK_SCENARIOS},
    ),
    ("forecast_surplus", _forecast_surplus, {spec.CHECK_AGREEMENT}),
    ("withheld", _withheld, {spec.CHECK_SAFETY_VALVE}),
    ("total_due", _total_due, {spec.CHECK_SAFETY_VALVE}),
    ("dfe_contribution", _dfe_contribution, {spec.CHECK_SAFETY_VALVE, spec.CHECK_ROLL_FORWARD}),
    ("in_year", _in_year, {spec.CHECK_IN_YEAR}),
    ("agreement", _agreement, {spec.CHECK_AGREEMENT}),
    ("mitigation_total", _mitigation_total, {spec.CHECK_MITIGATIONS}),
    ("mitigation_variance", _mitigation_variance, {spec.CHECK_MITIGATIONS}),
    ("scenarios_mitigated", _scenarios_mitigated, {spec.CHECK_SCENARIOS}),
):
    for _sign, _word in ((1, "high"), (-1, "low")):
        CASES[f"{_name}_1_pound_{_word}"] = (
            lambda fig, b=_break, d=_sign * 1.0: b(fig, d),
            _fails,
        )
CASES["suppressed_census"] = (lambda fig: suppressed_figures(), set())
CASES["suppressed_census_other_total_1_pound_high"] = (
    lambda fig: _suppressed_other_total(fig, 1.0),
    {spec.CHECK_EHCP},
)
CASES["suppressed_census_other_total_1_pound_low"] = (
    lambda fig: _suppressed_other_total(fig, -1.0),
    {spec.CHECK_EHCP},
)
CASES["period_in_another_year"] = (lambda fig: _period(fig, "2025-26 Q2"), {spec.CHECK_PERIOD})
CASES["period_outside_the_years"] = (lambda fig: _period(fig, "2031-32 Q2"), {spec.CHECK_PERIOD})


#: Workstreams for the small example (tests.test_return.example_inputs): pence, a
#: delivered saving in the current year, years after it, and a workstream over two years.
EXAMPLE_MITIGATIONS = Mitigations(
    (
        "Enhanced resource base places",
        "Enhanced resource base places",
        "Special school places",
        "Inclusion in mainstream schools",
    ),
    ("2024-25", "2025-26", "2025-26", "2026-27"),
    [1_200_000.0, 2_000_000.0, 1_500_000.5, 800_000.0],
    [450_000.25, 0.0, 0.0, 0.0],
    [0.8, 0.7, 0.6, 0.5],
    ("Amber", "Amber", "Red", "Green"),
)


def example_model(write_off_year: str | None = "2026-27") -> DSGModel:
    """The small example with :data:`EXAMPLE_MITIGATIONS` and, by default, the 2026 write-off."""
    model = parse_model(example_inputs())
    settings = dataclasses.replace(
        model.settings, write_off_year=write_off_year, override_end="2026-27"
    )
    return dataclasses.replace(model, mitigations=EXAMPLE_MITIGATIONS, settings=settings)


def example_figures() -> MonitoringReturn:
    """The small example's return, with mitigations and the write-off: every check PASSes."""
    return return_of(example_model())


def write_case(name: str, folder: Path) -> WrittenReturn:
    """The return of case ``name`` written into ``folder`` (its own, so names do not clash)."""
    breaker, _ = CASES[name]
    return write_return(breaker(example_figures()), TEMPLATE_PATH, folder, AUDIT)


def failing(checks: dict[str, str]) -> set[str]:
    """The checks whose result is not PASS."""
    return {label for label, result in checks.items() if result != spec.PASS}
