"""Every check the return writes can FAIL, in each direction, in the writer's own evaluation.

The same broken returns are recalculated by LibreOffice in
tests/test_return_libreoffice.py; both must agree.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from models import monitoring as m
from models.inputs import ModelInputs
from models.monitoring import monitoring_return
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
    columns = list(inputs.tables["Funding"].columns)
    rows = [
        [f"{y}-{(y + 1) % 100:02d}", 110e6 + k * 1_234_567.89, 480e6, 0.01, 0, 0, 0, 0]
        for k, y in enumerate(range(2023, 2023 + years))
    ]
    return with_table(inputs, "Funding", pd.DataFrame(rows, columns=columns))


def test_two_hundred_funding_years_pass_the_roll_forward_and_an_error_still_fails(tmp_path):
    """200 years of 5-8% growth reach cumulative deficits of 10**18 pounds, where a double
    cannot hold the penny and the sums are off by pounds.

    The tolerance is half a penny per figure plus the float error of the sum
    (return_writer._Sum). A pound off still FAILs wherever a double can show
    it (cumulative deficits up to about 10**13 pounds, year 100 here); at 10**18
    an error of one part in 10**13 FAILs.
    """
    fig = monitoring_return(long_funding(example_inputs(), 200))
    cumulative = fig.financial_summary.loc[m.CUMULATIVE]
    assert abs(cumulative.iloc[-1]) > 1e18 and abs(cumulative.iloc[100]) > 1e13
    ok = return_writer.write_return(fig, TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
    assert {c.check: c.result for c in ok.checks} == dict.fromkeys(spec.CHECK_LABELS, spec.PASS)
    errors = [(k, d) for k in (0, 50, 100) for d in (1.0, -1.0)]
    errors += [(199, d * abs(cumulative.iloc[-1]) * 1e-13) for d in (1.0, -1.0)]
    for k, d in errors:
        fs = fig.financial_summary.copy()
        fs.loc[m.CUMULATIVE, fig.years[k]] += d
        bad = dataclasses.replace(fig, financial_summary=fs)
        written = return_writer.write_return(bad, TEMPLATE_PATH, tmp_path, broken_returns.AUDIT)
        results = {c.check: c.result for c in written.checks}
        assert broken_returns.failing(results) == {spec.CHECK_ROLL_FORWARD}, (k, d)
