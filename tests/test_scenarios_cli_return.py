"""``dsg scenarios`` and ``dsg refresh`` on a model with mitigations and a write-off: one table.

The embedded example is given workstreams (in 2025-26 to 2027-28, after its
current year, so their delivery is drawn) and the 2026 write-off in its
Settings (80%: not the default share), as a council's model sets them; both commands then run the same
10,000 scenarios with seed 1 (models.monitoring.scenario_run), and the
command's table, deficit positive, is the return's Scenarios sheet negated,
to the penny, write-off columns included.
"""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

import models.monitoring
import models.parse
from addin.cli import main
from models.mitigations import Mitigations
from tests.conftest import PENNY
from tests.test_return_scenarios import scenarios_sheet

WORKSTREAMS = Mitigations(
    ("Enhanced resource base places", "Special school places", "Inclusion in mainstream schools"),
    ("2025-26", "2026-27", "2027-28"),
    [1_500_000.0, 2_250_000.5, 900_000.0],
    [0.0, 0.0, 0.0],
    [0.75, 0.6, 0.5],
    ("Amber", "Red", "Green"),
)


@pytest.fixture
def planned(monkeypatch):
    """parse_model giving the example with WORKSTREAMS and a write-off of 80% (not the default 90%) set."""
    parse = models.parse.parse_model

    def with_plan(inputs):
        model = parse(inputs)
        settings = dataclasses.replace(
            model.settings, write_off_year="2026-27", write_off_share=0.8, override_end="2027-28"
        )
        return dataclasses.replace(model, mitigations=WORKSTREAMS, settings=settings)

    monkeypatch.setattr(models.parse, "parse_model", with_plan)
    monkeypatch.setattr(models.monitoring, "parse_model", with_plan)


def test_dsg_scenarios_prints_the_returns_scenarios_with_the_write_off(planned, capsys, tmp_path):
    assert main(["scenarios", "--format", "csv"]) == 0
    lines = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    header, body = lines[0], lines[1:]
    assert header[-2:] == ["After write-off", "Falls on the council"]
    assert main(["refresh", "--out", str(tmp_path)]) == 0
    sheet = scenarios_sheet(next(tmp_path.glob("*.xlsx")))
    for row in body:
        got = sheet[row[0]]
        for name, text in zip(header[1:], row[1:], strict=True):
            value = got[name.casefold()]
            if name == "P(on track)":
                assert value == pytest.approx(float(text), abs=1e-12), (row[0], name)
            else:
                assert abs(value + float(text)) <= PENNY, (row[0], name, value, text)
    # the savings are drawn: the risk-adjusted plan is worse than the plan, better than none
    last = sheet["2027-28"]
    assert last["unmitigated"] < last["risk-adjusted"] < last["mitigated"]
    assert last["falls on the council"] < 0  # a deficit is left when the override ends


def test_the_write_off_line_follows_the_models_settings(planned, capsys):
    assert main(["scenarios", "--n", "500"]) == 0
    out = capsys.readouterr().out
    assert (
        "Falls on the council at the end of the override (2027-28), after 80.0% of the deficit "
        "at the end of 2025-26 is written off in 2026-27" in out
    )


def test_the_return_says_what_falls_on_the_council_against_reserves_as_dsg_scenarios_does(
    tmp_path, capsys
):
    """The example sets the 2026 write-off and £30m of usable reserves: the Scenarios sheet's
    note carries the line `dsg scenarios` prints for the same run (n, seed)."""
    import openpyxl

    assert main(["scenarios", "--n", "3000", "--seed", "5"]) == 0
    falls, reserves = capsys.readouterr().out.strip().splitlines()[-2:]
    assert falls.startswith("Falls on the council at the end of the override (2027-28)")
    assert reserves.startswith("Usable reserves £30,000,000: what falls on the council exceeds")
    assert main(["refresh", "--n", "3000", "--seed", "5", "--out", str(tmp_path)]) == 0
    ws = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))["Scenarios"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert falls in texts and reserves in texts


def test_no_write_off_line_on_the_return_when_the_model_sets_none(tmp_path, monkeypatch):
    parse = models.parse.parse_model

    def without_write_off(inputs):
        model = parse(inputs)
        settings = dataclasses.replace(model.settings, write_off_year=None)
        return dataclasses.replace(model, settings=settings)

    monkeypatch.setattr(models.monitoring, "parse_model", without_write_off)
    import openpyxl

    assert main(["refresh", "--out", str(tmp_path)]) == 0
    ws = openpyxl.load_workbook(next(tmp_path.glob("*.xlsx")))["Scenarios"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith("Falls on the council at the end")]
