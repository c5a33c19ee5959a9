"""EHC plan history by the return's seven placement categories and age groups.

Pure mapping from the DfE "Education, health and care plans" caseload rows
(numbers, NaN where DfE suppressed a figure) to the rows of the return's
"EHCP numbers" table (RETURN.md): the seven categories of
:data:`models.categories.PLACEMENT_CATEGORIES` then ``Total``, and the age
groups of :data:`models.categories.AGE_GROUPS` then ``Total by age group``.

Mapping decisions (``All EHC plans`` rows of the caseload file, 2025 and
2026 releases), following DfE's High Needs benchmarking tool, whose EHCP
placement columns use the same seven categories (the extract supplied to
DfE for 2021-22, ``Outturn data 202122.xlsx``, columns G-N: "Mainstream
schools or academies", "Resourced provision or SEN units", "Maintained
special schools or special academies", "NMSS or independent schools",
"Hospital schools or alternative provision", "Post 16", "Other"; every
council's January 2021 figures there are reproduced by this mapping, apart
from hospital schools, see below and ``tests/test_dfe_benchmarking_tool.py``):

- *Mainstream schools or academies* is ``mainstream_total`` minus the six
  resourced provision / SEN unit columns and minus ``mainstream_independent``:
  the plain LA maintained, academy and free school columns.
- *Resourced provision or SEN units* is the sum of the six columns
  ``mainstream_{la_maintained,academy,free_school}_{resourced_provision,senunit}``.
- *Maintained special schools or special academies* is
  ``special_la_maintained + special_academy_free`` (2025 layout) or
  ``special_la_maintained + special_academy + special_free_school`` (2026
  layout, where DfE splits the academy/free school column). Hospital schools
  are in these columns: the 2025 and 2026 releases have no hospital school
  column. (DfE's benchmarking tool counts them under hospital schools and
  AP: for January 2021 its figures differ from ours by exactly the 2022
  release's establishment type "Hospital School", 0 to 24 plans a council.)
- *NMSS or independent* is ``special_independent + special_non_maintained +
  mainstream_independent``: DfE's benchmarking tool counts independent
  mainstream schools as independent (Cambridgeshire, January 2021: the
  tool's 2,060 mainstream and 225 NMSS or independent are the file's 2,138
  and 147 with its 78 ``mainstream_independent`` plans moved).
- *Hospital schools or alternative provision* is ``ap_pru_total`` (AP
  academies, AP free schools, LA maintained AP/PRUs).
- *Post 16 and further education* is ``fe_total`` (general FE and tertiary
  colleges, specialist post-16 institutions and UKRLP providers).
- *Other placements or direct payments* is ``ehcplans`` minus
  (``mainstream_total + special_total + ap_pru_total + fe_total``): elective
  home education, other arrangements by the LA or parents, NEET, non
  maintained early years, awaiting provision, placement not recorded.
  For 2024 Hackney and Peterborough returned totals only (DfE footnote 5),
  so their 2024 "other" holds the plans without a recorded placement.
- *Total* is ``ehcplans``.

A category that needs a suppressed value is missing (NaN), never 0, so the
categories add up to ``Total`` wherever none is missing. Cambridgeshire's
and North East Lincolnshire's January 2025 placements are suppressed by DfE
(footnote 1 of the 2025 data guidance), so only their total is known.

Age groups come from the single-year rows of the breakdown topic "Age at
start of academic year" (2026 release) or "Child or young persons age"
(2025 release), ``breakdown`` ``under 3``, ``age 3`` ... ``age 25``,
published from January 2024. Other topics ("Age when plan started",
Ethnicity, Sex, "Years EHC plan in place") are not ages at the census and
are never used. Where a year has single-year rows for an area, an age with
no row is 0: DfE leaves out ages without plans (in every area-year of the
2025 release where no age is suppressed the rows present add up to
``ehcplans``). A suppressed age makes its group missing. ``Total by age
group`` adds the groups.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from models.categories import AGE_BANDS, AGE_GROUPS, PLACEMENT_CATEGORIES, TOTAL, TOTAL_BY_AGE
from models.errors import InputError, Problem

#: The six resourced provision and SEN unit columns of the caseload file.
RESOURCED_COLUMNS: tuple[str, ...] = (
    "mainstream_la_maintained_resourced_provision",
    "mainstream_la_maintained_senunit",
    "mainstream_academy_resourced_provision",
    "mainstream_academy_senunit",
    "mainstream_free_school_resourced_provision",
    "mainstream_free_school_senunit",
)

#: Every count column the mapping reads (2025 layout; the 2026 layout's
#: ``special_academy`` + ``special_free_school`` make ``special_academy_free``,
#: see :func:`harmonise_layout`).
CASELOAD_COUNTS: tuple[str, ...] = (
    "ehcplans",
    "mainstream_total",
    *RESOURCED_COLUMNS,
    "mainstream_independent",
    "special_la_maintained",
    "special_academy_free",
    "special_independent",
    "special_non_maintained",
    "special_total",
    "ap_pru_total",
    "fe_total",
)

#: The ``breakdown`` of the whole-caseload rows.
ALL_PLANS = "All EHC plans"

#: Breakdown topics holding single years of age at the census, newest name
#: first: "Age at start of academic year" (2026 release) was "Child or young
#: persons age" (2025 release).
AGE_TOPICS: tuple[str, ...] = ("Age at start of academic year", "Child or young persons age")

#: The 2026 release's columns that together are the 2025 ``special_academy_free``.
SPECIAL_ACADEMY_FREE_2026: tuple[str, ...] = ("special_academy", "special_free_school")


def harmonise_layout(rows: pd.DataFrame) -> pd.DataFrame:
    """The 2026 layout's special academy and special free school columns as one.

    The 2026 release splits ``special_academy_free`` into ``special_academy``
    and ``special_free_school``; where the frame has the two and not the one,
    a ``special_academy_free`` column is added as their sum (missing where
    either is). A frame in the 2025 layout is returned unchanged.

    Notes
    -----
    ::

        special_academy_free = special_academy + special_free_school

    References
    ----------
    DfE, "Education, health and care plans", reporting year 2026,
    ``data/caseload.csv`` (../shared/data/dfe/README.md, ``ehcp2026_caseload_sample.csv``).

    Examples
    --------
    Devon, January 2026:

    >>> rows = pd.DataFrame({"special_academy": [589.0], "special_free_school": [328.0]})
    >>> harmonise_layout(rows)["special_academy_free"].tolist()
    [917.0]
    """
    if "special_academy_free" in rows.columns or not all(
        c in rows.columns for c in SPECIAL_ACADEMY_FREE_2026
    ):
        return rows
    out = rows.copy()
    out["special_academy_free"] = _sum(out, SPECIAL_ACADEMY_FREE_2026)
    return out


def _sum(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.Series:
    # min_count = all columns: one missing value makes the sum missing.
    return frame[list(columns)].sum(axis=1, skipna=False)


def placement_categories(rows: pd.DataFrame) -> pd.DataFrame:
    """Plans by the seven placement categories and in total, per January census.

    Parameters
    ----------
    rows : pandas.DataFrame
        One area's ``All EHC plans`` rows: a ``year`` column (January
        census year) and the count columns of :data:`CASELOAD_COUNTS`
        (plans, float, NaN where suppressed). Other columns are ignored.

    Returns
    -------
    pandas.DataFrame
        Index: the seven categories then ``Total``; columns: the years in
        ascending order; values in plans (float, NaN where suppressed).

    Notes
    -----
    ::

        resourced   = sum of the six *_resourced_provision and *_senunit
        mainstream  = mainstream_total - resourced - mainstream_independent
        maintained  = special_la_maintained + special_academy_free
        nmss        = special_independent + special_non_maintained + mainstream_independent
        hospital_ap = ap_pru_total
        post16      = fe_total
        other       = ehcplans - (mainstream_total + special_total + ap_pru_total + fe_total)
        Total       = ehcplans

    Any term missing makes its category missing. Independent mainstream
    schools count as NMSS or independent, as in DfE's High Needs
    benchmarking tool.

    References
    ----------
    DfE, "Education, health and care plans", reporting years 2025 and 2026,
    ``caseload.csv`` and its data guidance; DfE High Needs benchmarking tool,
    EHCP placement columns (``Outturn data 202122.xlsx``, columns G-N, in
    ../shared/data/dfe/dsg_deficit_and_s251); RETURN.md, "EHCP numbers".

    Examples
    --------
    Cambridgeshire, January 2019 (2025 release; 38 plans in independent
    mainstream schools):

    >>> row = dict(year=2019, ehcplans=4198, mainstream_total=1757,
    ...            mainstream_la_maintained_resourced_provision=0,
    ...            mainstream_la_maintained_senunit=1,
    ...            mainstream_academy_resourced_provision=0,
    ...            mainstream_academy_senunit=21,
    ...            mainstream_free_school_resourced_provision=0,
    ...            mainstream_free_school_senunit=0, mainstream_independent=38,
    ...            special_la_maintained=500,
    ...            special_academy_free=681, special_independent=146,
    ...            special_non_maintained=6, special_total=1333, ap_pru_total=1,
    ...            fe_total=751)
    >>> placement_categories(pd.DataFrame([row]))[2019].astype(int).tolist()
    [1697, 22, 1181, 190, 1, 751, 356, 4198]
    """
    rows = harmonise_layout(rows)
    _check_columns(rows, ("year",) + CASELOAD_COUNTS, "caseload rows")
    _check_unique_years(rows, "caseload rows")
    data = rows.sort_values("year").set_index("year")[list(CASELOAD_COUNTS)].astype(float)
    resourced = _sum(data, RESOURCED_COLUMNS)
    placed = _sum(data, ["mainstream_total", "special_total", "ap_pru_total", "fe_total"])
    values = [
        data["mainstream_total"] - resourced - data["mainstream_independent"],
        resourced,
        _sum(data, ["special_la_maintained", "special_academy_free"]),
        _sum(data, ["special_independent", "special_non_maintained", "mainstream_independent"]),
        data["ap_pru_total"],
        data["fe_total"],
        data["ehcplans"] - placed,
        data["ehcplans"],
    ]
    table = pd.DataFrame(values, index=list(PLACEMENT_CATEGORIES) + [TOTAL])
    table.columns = [int(y) for y in table.columns]
    table.index.name = "Category"
    return table


_AGE_LABEL = re.compile(
    r"^\s*(?:age\s+(\d{1,2})(?:\s+and\s+(under|over))?|under\s+(\d{1,2}))\s*$", re.IGNORECASE
)
#: Oldest age with an EHC plan: the caseload file's single ages run to ``age 25``.
_OLDEST = 25


def age_of_breakdown(label: str) -> tuple[int, int]:
    """(lowest, highest) whole age of a single-year ``breakdown`` label.

    Besides DfE's ``age 7`` and ``under 3``, the open-ended labels the 2026
    release uses (``age 2 and under``, ``age 20 and over``; an EHC plan runs
    to age 25 at most) are read, so such a band falls in the age group that
    holds it.

    >>> age_of_breakdown("age 7"), age_of_breakdown("under 3")
    ((7, 7), (0, 2))
    >>> age_of_breakdown("age 2 and under"), age_of_breakdown("Age 20 and over")
    ((0, 2), (20, 25))
    """
    m = _AGE_LABEL.match(str(label))
    if not m:
        raise InputError(
            [Problem("breakdown", repr(label), "is not an age like 'age 7' or 'under 3'")]
        )
    if m.group(1) is not None:
        age = int(m.group(1))
        side = (m.group(2) or "").casefold()
        if side == "under":
            return 0, age
        if side == "over":
            return age, max(age, _OLDEST)
        return age, age
    return 0, int(m.group(3)) - 1


def single_age_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` that give single years of age at the census.

    Per year, the rows of the first topic of :data:`AGE_TOPICS` present
    (``breakdown_topic``, compared case-insensitively); every other topic
    ("Age when plan started", Ethnicity, Sex, "Years EHC plan in place",
    ``All EHC plans``) is left out.

    Examples
    --------
    >>> rows = pd.DataFrame({"year": [2026, 2026, 2025],
    ...     "breakdown_topic": ["Age at start of academic year", "Age when plan started",
    ...                         "Child or young persons age"],
    ...     "breakdown": ["age 10", "age 2 and under", "age 9"]})
    >>> single_age_rows(rows)["breakdown"].tolist()
    ['age 10', 'age 9']
    """
    _check_columns(rows, ("year", "breakdown_topic"), "age rows")
    topic = rows["breakdown_topic"].astype(str).str.strip().str.casefold()
    keep = pd.Series(False, index=rows.index)
    for year in rows["year"].unique():
        in_year = rows["year"] == year
        for name in AGE_TOPICS:
            hit = in_year & (topic == name.casefold())
            if hit.any():
                keep |= hit
                break
    return rows[keep]


def _group_of(low: int, high: int) -> str | None:
    for label, (band_low, band_high) in AGE_BANDS.items():
        if band_low <= low and high <= band_high:
            return label
    return None


def age_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """Plans by age group per January census, from single-year age rows.

    Parameters
    ----------
    rows : pandas.DataFrame
        One area's single-year rows: ``year`` (January census), ``breakdown``
        (``under 3``, ``age 3`` ... ``age 25``) and ``ehcplans`` (plans,
        NaN where suppressed).

    Returns
    -------
    pandas.DataFrame
        Index: the age groups then ``Total by age group``; columns: the
        years that have age rows; plans (float, NaN where an age is suppressed).

    Notes
    -----
    ::

        group(year) = sum of ehcplans over the single ages in the group's band
        Total by age group = sum of the groups

    An age without a row counts 0 (DfE leaves out ages without plans); a
    suppressed age makes its group, and the total, missing.

    References
    ----------
    DfE, "Education, health and care plans" 2025 and 2026, ``caseload.csv``,
    breakdown topic "Child or young persons age" (2025) or "Age at start of
    academic year" (2026); RETURN.md, "EHCP numbers".

    Examples
    --------
    >>> rows = pd.DataFrame({"year": [2025] * 4,
    ...                      "breakdown": ["under 3", "age 4", "age 5", "age 25"],
    ...                      "ehcplans": [5, 163, 298, float("nan")]})
    >>> age_groups(rows)[2025].tolist()
    [168.0, 298.0, 0.0, 0.0, nan, nan]
    """
    _check_columns(rows, ("year", "breakdown", "ehcplans"), "age rows")
    problems: list[Problem] = []
    groups: list[str | None] = []
    for label in rows["breakdown"]:
        try:
            low, high = age_of_breakdown(label)
        except InputError as e:
            problems.extend(e.problems)
            groups.append(None)
            continue
        group = _group_of(low, high)
        if group is None:
            problems.append(Problem("breakdown", repr(label), "is outside the age groups 0 to 25"))
        groups.append(group)
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(
        {
            "year": rows["year"].astype(int).to_numpy(),
            "group": groups,
            "plans": rows["ehcplans"].astype(float).to_numpy(),
        }
    )
    years = sorted(frame["year"].unique())
    table = pd.DataFrame(0.0, index=list(AGE_GROUPS), columns=years)
    summed = frame.groupby(["group", "year"])["plans"].sum(min_count=1)
    has_nan = frame.groupby(["group", "year"])["plans"].apply(lambda s: bool(s.isna().any()))
    for (group, year), value in summed.items():
        table.loc[group, year] = np.nan if has_nan[(group, year)] else value
    table.loc[TOTAL_BY_AGE] = table.loc[list(AGE_GROUPS)].sum(axis=0, skipna=False)
    table.columns = [int(y) for y in table.columns]
    table.index.name = "Age group"
    return table


def adds_up(table: pd.DataFrame, tolerance: float = 0.0) -> pd.Series:
    """Per year: True where no category is missing and they add up to ``Total``; NaN otherwise.

    >>> t = pd.DataFrame({2019: [1.0] * 7 + [7.0], 2025: [np.nan] * 7 + [8.0]},
    ...                  index=list(PLACEMENT_CATEGORIES) + [TOTAL])
    >>> adds_up(t).tolist()
    [True, nan]
    """
    parts = table.loc[list(PLACEMENT_CATEGORIES)]
    complete = parts.notna().all(axis=0) & table.loc[TOTAL].notna()
    result = (parts.sum(axis=0) - table.loc[TOTAL]).abs() <= tolerance
    return result.astype(object).where(complete, np.nan)


def _check_columns(rows: pd.DataFrame, needed: tuple[str, ...], argument: str) -> None:
    missing = [c for c in needed if c not in rows.columns]
    if missing:
        raise InputError([Problem(argument, "", f"missing column(s) {', '.join(missing)}")])


def _check_unique_years(rows: pd.DataFrame, argument: str) -> None:
    repeated = rows["year"][rows["year"].duplicated()].unique()
    if len(repeated):
        raise InputError(
            [
                Problem(
                    argument,
                    f"year {int(repeated[0])}",
                    "appears more than once: give one area's rows",
                )
            ]
        )
