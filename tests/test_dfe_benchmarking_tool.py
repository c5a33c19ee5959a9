"""Our EHCP history against DfE's High Needs benchmarking tool, every council, January 2021.

The tool's extract for 2021-22 (``../shared/data/dfe/dsg_deficit_and_s251/Outturn data
202122.xlsx``, read there) gives, per council, the number aged up to 25 with a statement or
EHC plan (column G) and their placements in the return's seven categories (H-N). Ours come
from the 2025 "Education, health and care plans" release through the same code as
``dsg dfe-history`` (:func:`workbooks.dfe.council_history`).

Tolerance: none. DfE revised no council's January 2021 figures between the release the tool
used and the 2025 release: the totals (column G against ``ehcplans``) agree exactly for every
council, and so do five of the seven categories. A revision would show there; a difference in
a category is a mapping difference and must be explained, never absorbed by a tolerance.

The one difference, and its explanation: the tool counts hospital schools under "Hospital
schools or alternative provision"; the 2025 release has no hospital school column and counts
them within the special school columns (the 2022 release's establishment type "Hospital
School"). So for 50 councils our maintained special schools are higher, and our hospital /
AP lower, by exactly that release's hospital school count: Bristol 24; Lincolnshire 13;
Norfolk 9; Manchester 8; Newcastle upon Tyne, Wirral 5; Camden, Staffordshire, Walsall,
Warwickshire 4; Buckinghamshire, Derbyshire, Lambeth, Leicester, Westminster 3; Blackburn
with Darwen, Bradford, Brent, Darlington, Hillingdon, Kensington and Chelsea, Lancashire,
Merton, Surrey, York 2; Brighton and Hove, Bromley, Cheshire West and Chester, Croydon,
Cumbria, Doncaster, Ealing, Hackney, Hammersmith and Fulham, Haringey, Hertfordshire,
Kingston upon Hull, Leicestershire, Liverpool, Milton Keynes, North Somerset,
Peterborough, Sefton, South Gloucestershire, Southampton, Southwark, Stockport,
Stoke-on-Trent, Trafford, Wolverhampton 1.
Five rows of the tool have no figures (``#N/A``), councils that did not exist at the January
2021 census under that code: Bournemouth, Dorset and Poole (837, 835, 836: replaced in 2019
by 839 and 838, which have figures) and North and West Northamptonshire (940, 941: formed
in April 2021; Northamptonshire, 928, has the figures).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from models.categories import PLACEMENT_CATEGORIES, TOTAL
from workbooks import dfe

TOOL_FILE = Path("dsg_deficit_and_s251") / "Outturn data 202122.xlsx"
CENSUS = 2021
#: Plans a council's figure may differ by, for DfE's revisions: none were found (see above).
REVISION_TOLERANCE = 0
#: The tool's columns G-N: plans, then the seven categories in the return's order.
TOOL_COLUMNS = [TOTAL, *PLACEMENT_CATEGORIES]
MAINTAINED, NMSS, HOSPITAL_AP = (
    PLACEMENT_CATEGORIES[2],
    PLACEMENT_CATEGORIES[3],
    PLACEMENT_CATEGORIES[4],
)
#: Councils with no figures in the tool, by 3-digit code.
NOT_IN_TOOL = {"835", "836", "837", "940", "941"}


@pytest.fixture(scope="module")
def tool(dfe_dir: Path) -> pd.DataFrame:
    """The tool's EHCP columns: index 3-digit code, columns ``name`` and :data:`TOOL_COLUMNS`."""
    ws = load_workbook(dfe_dir / TOOL_FILE, read_only=True, data_only=True).active
    header = [c for c in next(ws.iter_rows(min_row=6, max_row=6, values_only=True))]
    # the header row names the categories as the return does (line breaks aside)
    assert [" ".join(str(h).split()) for h in header[7:14]] == [
        "Mainstream schools or academies",
        "Resourced provision or SEN units",
        "Maintained special schools or special academies",
        "NMSS or independent schools",
        "Hospital schools or alternative provision",
        "Post 16",
        "Other",
    ]
    rows = {}
    for row in ws.iter_rows(min_row=8, values_only=True):
        if row[2] is None:
            continue
        code = f"{int(row[2]):03d}"
        values = row[6:14]
        rows[code] = [row[3]] + [None if v == "#N/A" else float(v) for v in values]
    return pd.DataFrame.from_dict(rows, orient="index", columns=["name", *TOOL_COLUMNS])


@pytest.fixture(scope="module")
def ours(dfe_dir: Path, tool: pd.DataFrame) -> pd.DataFrame:
    """Our January 2021 figures for every council the tool has figures for."""
    caseload = dfe.read_caseload(dfe_dir)
    out = {}
    for code in tool.index:
        if code in NOT_IN_TOOL:
            continue
        history = dfe.council_history(dfe_dir, code, caseload=caseload)
        out[code] = history.categories[CENSUS].reindex(TOOL_COLUMNS).to_list()
    return pd.DataFrame.from_dict(out, orient="index", columns=TOOL_COLUMNS)


@pytest.fixture(scope="module")
def hospital_schools(dfe_dir: Path) -> pd.Series:
    """Plans in hospital schools, January 2021, by council (2022 release, establishment type)."""
    estab = dfe.read_estab_caseload_2022(dfe_dir)
    rows = estab[
        (estab["year"] == CENSUS)
        & (estab["geographic_level"] == "Local authority")
        & (estab["establishment_type"] == "Hospital School")
    ]
    return rows.set_index("old_la_code")["total_all"]


def test_councils_without_figures_in_the_tool(tool):
    blank = tool[tool[TOOL_COLUMNS].isna().all(axis=1)]
    assert set(blank.index) == NOT_IN_TOOL
    assert len(tool) == 154 and tool.drop(index=list(NOT_IN_TOOL)).notna().all().all()


def test_cambridgeshire_as_the_tool_gives_it(tool, ours):
    assert tool.loc["873", "name"] == "Cambridgeshire"
    assert tool.loc["873", PLACEMENT_CATEGORIES[0]] == 2060 and tool.loc["873", NMSS] == 225
    assert ours.loc["873"].to_list() == tool.loc["873", TOOL_COLUMNS].to_list()


@pytest.mark.parametrize(
    "column",
    [TOTAL, PLACEMENT_CATEGORIES[0], PLACEMENT_CATEGORIES[1], NMSS, *PLACEMENT_CATEGORIES[5:]],
)
def test_every_council_agrees_with_the_tool(tool, ours, column):
    assert len(ours) == 149
    difference = (ours[column] - tool.loc[ours.index, column]).abs()
    off = difference[difference > REVISION_TOLERANCE]
    assert off.empty, f"{column}: " + ", ".join(
        f"{tool.loc[c, 'name']} ({c}) {difference[c]:+.0f}" for c in off.index
    )


def test_special_and_hospital_differ_only_by_hospital_schools(tool, ours, hospital_schools):
    hospital = hospital_schools.reindex(ours.index).fillna(0.0)
    special_gap = ours[MAINTAINED] - tool.loc[ours.index, MAINTAINED]
    ap_gap = tool.loc[ours.index, HOSPITAL_AP] - ours[HOSPITAL_AP]
    assert (special_gap - hospital).abs().max() <= REVISION_TOLERANCE
    assert (ap_gap - hospital).abs().max() <= REVISION_TOLERANCE
    differing = special_gap[special_gap != 0]
    assert len(differing) == 50
    top = differing.sort_values(ascending=False).head(4)
    assert [tool.loc[c, "name"] for c in top.index] == [
        "Bristol, City of",
        "Lincolnshire",
        "Norfolk",
        "Manchester",
    ]
    assert top.to_list() == [24, 13, 9, 8]


def test_the_old_mapping_would_disagree(dfe_dir, tool, ours):
    """Independent mainstream schools counted as mainstream: the comparison above would fail."""
    caseload = dfe.read_caseload(dfe_dir)
    rows = caseload[
        (caseload["year"] == CENSUS)
        & (caseload["breakdown"] == "All EHC plans")
        & (caseload["geographic_level"] == "Local authority")
    ].set_index("old_la_code")
    independent = rows.loc[ours.index, "mainstream_independent"]
    old_mainstream = ours[PLACEMENT_CATEGORIES[0]] + independent
    wrong = old_mainstream != tool.loc[ours.index, PLACEMENT_CATEGORIES[0]]
    assert wrong.sum() == (independent > 0).sum() > 100
    assert independent["873"] == 78
