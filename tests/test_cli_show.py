"""``dsg show``: the example's tables printed for a person, figures from the models."""

from __future__ import annotations

import re

from addin.cli import main


def test_show_prints_the_three_tables_of_the_example(capsys):
    assert main(["show"]) == 0
    out = capsys.readouterr().out
    assert "Placement cost table (2023-24, the base year)" in out
    assert "Block-transfer impact" in out
    assert "DSG trajectory" in out
    # Committee report 3.16: 1% transfers of £4.5m and £4.8m, £9.3m in all, Secretary of State.
    transfers = {
        line.split()[0]: line for line in out.splitlines() if re.match(r"^20\d\d-\d\d ", line)
    }
    assert "£4,500,000" in transfers["2023-24"] and "£9,300,000" in out
    # METHOD.md worked figures: £40.015m brought forward into 2024-25, £11.730m in-year, £51.745m.
    # RETURN.md "One sign rule": surplus/(deficit) columns, a deficit in brackets.
    assert "Cumulative surplus/(deficit)" in out and "In-year surplus/(deficit)" in out
    trajectory = [
        line for line in out.splitlines() if line.startswith("2024-25") and "(£51,745,000)" in line
    ]
    assert len(trajectory) == 1 and "(£11,730,000)" in trajectory[0]
    assert "(£53,515,000) brought forward into 2023-24" in out
    assert "nan" not in out.lower()


def test_show_names_a_missing_model(capsys, tmp_path):
    assert main(["show", str(tmp_path / "nowhere.xlsx")]) == 2
    assert "nowhere.xlsx" in capsys.readouterr().err
