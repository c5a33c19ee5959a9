"""`dsg benchmark` on a release that holds one January census only (the 2026 layout's
sample: Devon and Plymouth, January 2026): the counts and shares, and no growth row,
since growth needs two censuses. Before, it stopped with "years: 0 must be greater than 0".
"""

from __future__ import annotations

import shutil

from addin.cli import main


def test_one_census_gives_the_counts_and_no_growth(dfe_dir, tmp_path, capsys):
    data = tmp_path / "release" / "data"
    data.mkdir(parents=True)
    shutil.copy(dfe_dir / "ehcp_sen2" / "ehcp2026_caseload_sample.csv", data / "caseload.csv")
    code = main(["benchmark", "--la", "878", "--data-dir", str(tmp_path / "release")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "EHC plans, January 2026" in out
    assert "EHCP growth a year" not in out
