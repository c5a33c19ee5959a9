"""Every check the return writes can FAIL, in each direction, in the writer's own evaluation.

The same broken returns are recalculated by LibreOffice in
tests/test_return_libreoffice.py; both must agree.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from models import monitoring as m
from models.errors import InputError
from models.inputs import ModelInputs
from models.monitoring import ReturnTable, monitoring_return
from tests import broken_returns
from tests.test_return import example_inputs, with_table
from workbooks import return_spec as spec
from workbooks import return_writer
from workbooks.return_template import TEMPLATE_PATH

# --- every check can fail, in each direction (STYLE.md: a check that cannot fail is not a check) --


@pytest.mark.parametrize("case", sorted(broken_returns.CASES))
def test_each_check_fails_in_python_for_a_figure_broken_either_way(tmp_path, case):
    """The writer's own evaluation of the checks (the refresh's report) FAILs the broken check."""
    written = broken_returns.write_case(case, tmp_path)
    results = {c.check: c.result for c in written.checks}
    assert broken_returns.failing(results) == broken_returns.CASES[case][1]


def test_the_unbroken_example_passes_every_check_in_python(tmp_path):
    written = return_writer.write_return(
        broken_returns.example_figures(), TEMPLATE_PATH, tmp_path, broken_returns.AUDIT
    )
    assert {c.check: c.result for c in written.checks} == dict.fromkeys(
        spec.CHECK_LABELS, spec.PASS
    )


def long_funding(inputs: ModelInputs, years: int) -> ModelInputs:
    """``inputs`` with ``years`` Funding years from 2023-24, income growing a little each year."""
    columns = list(inputs.frame("Funding").columns)
    rows = [
        [f"{y}-{(y + 1) % 100:02d}", 110e6 + k * 1_234_567.89, 480e6, 0.01, 0, 0, 0, 0]
        for k, y in enumerate(range(2023, 2023 + years))
    ]
    return with_table(inputs, "Funding", pd.DataFrame(rows, columns=columns))


def test_seventy_funding_years_pass_the_roll_forward_and_a_pound_off_still_fails(tmp_path):
    """70 years of growth reach cumulative deficits near £5 x 10**11, the most the
    model accepts (£1 trillion is its money limit, and a financial year must start
    by 2100): the roll-forward check must neither fail on float error nor pass a
    pound off, in either direction, early, midway or in the last year.

    The tolerance is half a penny per figure plus the float error of the sum
    (return_writer._Sum), the same in Python and in the formula.
    """
    fig = monitoring_return(long_funding(example_inputs(), 70))
    cumulative = fig.financial_summary.loc[m.CUMULATIVE]
    assert abs(cumulative.iloc[-1]) > 1e11
    ok = return_writer.write_return(fig, TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
    assert {c.check: c.result for c in ok.checks} == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)
    for k, d in [(k, d) for k in (0, 35, 69) for d in (1.0, -1.0)]:
        fs = fig.financial_summary.copy()
        fs.loc[m.CUMULATIVE, fig.years[k]] += d
        bad = dataclasses.replace(fig, financial_summary_table=ReturnTable.from_frame(fs))
        written = return_writer.write_return(bad, TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
        results = {c.check: c.result for c in written.checks}
        # a carried-forward figure is also the Safety Valve sheet's forecast in an agreement year
        agreed = (
            {spec.CHECK_AGREEMENT} if fig.years[k] in fig.safety_valve["Year"].tolist() else set()
        )
        # and the Scenarios sheet's Mitigated view of that year
        assert broken_returns.failing(results) == {
            spec.CHECK_ROLL_FORWARD,
            spec.CHECK_SCENARIOS,
            *agreed,
        }, (k, d)


def test_two_hundred_funding_years_are_refused_naming_the_first_year_out_of_range():
    """A financial year must start between 1990 and 2100 (models.years): 200 years from
    2023-24 cannot be a council's plan, and the model says which rows are out of range."""
    with pytest.raises(InputError) as caught:
        monitoring_return(long_funding(example_inputs(), 200))
    assert "Funding row 79, column 'Year': '2101-02' is not a financial year" in str(caught.value)
    assert "from 1990 to 2100" in str(caught.value)
