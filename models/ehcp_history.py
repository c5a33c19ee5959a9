"""EHC plan history by the return's seven placement categories and age groups.

Pure mapping from the DfE "Education, health and care plans" caseload rows
(numbers, NaN where DfE suppressed a figure) to the rows of the return's
"EHCP numbers" table (RETURN.md): the seven categories of
:data:`models.categories.PLACEMENT_CATEGORIES` then ``Total``, and the age
groups of :data:`models.categories.AGE_GROUPS` then ``Total by age group``.

Mapping decisions (2025 release caseload file, rows ``All EHC plans``):

- *Mainstream schools or academies* is ``mainstream_total`` minus the six
  resourced provision / SEN unit columns. In the file ``mainstream_total``
  includes those six (``mainstream_total`` = LA maintained + academy + free
  school + independent mainstream + the six), so the difference is the four
  plain mainstream columns; mainstream independent schools count here.
- *Resourced provision or SEN units* is the sum of the six columns
  ``mainstream_{la_maintained,academy,free_school}_{resourced_provision,senunit}``.
- *Maintained special schools or special academies* is
  ``special_la_maintained + special_academy_free`` (special free schools
  are included with academies, as DfE publishes them).
- *NMSS or independent* is ``special_independent + special_non_maintained``;
  mainstream independent schools are not in it (they are mainstream).
- *Hospital schools or alternative provision* is ``ap_pru_total`` (AP
  academies, AP free schools, LA maintained AP/PRUs). DfE has no separate
  hospital school column; hospital schools fall in its "other" settings.
- *Post 16 and further education* is ``fe_total`` (general FE and tertiary
  colleges, specialist post-16 institutions and, from 2023, UKRLP providers).
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

Age groups come from the single-year rows (``breakdown`` ``under 3``,
``age 3`` ... ``age 25``, published for January 2024 and 2025). Where a year
has single-year rows for an area, an age with no row is 0: DfE leaves out
ages without plans (in every area-year of the 2025 release where no age is
suppressed the rows present add up to ``ehcplans``). A suppressed age makes
its group missing. ``Total by age group`` adds the groups.
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

#: Every count column the mapping reads.
CASELOAD_COUNTS: tuple[str, ...] = (
    "ehcplans",
    "mainstream_total",
    *RESOURCED_COLUMNS,
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
        mainstream  = mainstream_total - resourced
        maintained  = special_la_maintained + special_academy_free
        nmss        = special_independent + special_non_maintained
        hospital_ap = ap_pru_total
        post16      = fe_total
        other       = ehcplans - (mainstream_total + special_total + ap_pru_total + fe_total)
        Total       = ehcplans

    Any term missing makes its category missing.

    References
    ----------
    DfE, "Education, health and care plans", reporting year 2025,
    ``caseload.csv`` and its data guidance; RETURN.md, "EHCP numbers".

    Examples
    --------
    Cambridgeshire, January 2019 (2025 release):

    >>> row = dict(year=2019, ehcplans=4198, mainstream_total=1757,
    ...            mainstream_la_maintained_resourced_provision=0,
    ...            mainstream_la_maintained_senunit=1,
    ...            mainstream_academy_resourced_provision=0,
    ...            mainstream_academy_senunit=21,
    ...            mainstream_free_school_resourced_provision=0,
    ...            mainstream_free_school_senunit=0, special_la_maintained=500,
    ...            special_academy_free=681, special_independent=146,
    ...            special_non_maintained=6, special_total=1333, ap_pru_total=1,
    ...            fe_total=751)
    >>> placement_categories(pd.DataFrame([row]))[2019].astype(int).tolist()
    [1735, 22, 1181, 152, 1, 751, 356, 4198]
    """
    _check_columns(rows, ("year",) + CASELOAD_COUNTS, "caseload rows")
    _check_unique_years(rows, "caseload rows")
    data = rows.sort_values("year").set_index("year")[list(CASELOAD_COUNTS)].astype(float)
    resourced = _sum(data, RESOURCED_COLUMNS)
    placed = _sum(data, ["mainstream_total", "special_total", "ap_pru_total", "fe_total"])
    values = [
        data["mainstream_total"] - resourced,
        resourced,
        _sum(data, ["special_la_maintained", "special_academy_free"]),
        _sum(data, ["special_independent", "special_non_maintained"]),
        data["ap_pru_total"],
        data["fe_total"],
        data["ehcplans"] - placed,
        data["ehcplans"],
    ]
    table = pd.DataFrame(values, index=list(PLACEMENT_CATEGORIES) + [TOTAL])
    table.columns = [int(y) for y in table.columns]
    table.index.name = "Category"
    return table


_AGE_LABEL = re.compile(r"^\s*(?:age\s+(\d{1,2})|under\s+(\d{1,2}))\s*$", re.IGNORECASE)


def age_of_breakdown(label: str) -> tuple[int, int]:
    """(lowest, highest) whole age of a single-year ``breakdown`` label.

    >>> age_of_breakdown("age 7"), age_of_breakdown("under 3")
    ((7, 7), (0, 2))
    """
    m = _AGE_LABEL.match(str(label))
    if not m:
        raise InputError(
            [Problem("breakdown", repr(label), "is not an age like 'age 7' or 'under 3'")]
        )
    if m.group(1) is not None:
        age = int(m.group(1))
        return age, age
    return 0, int(m.group(2)) - 1


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
    DfE, "Education, health and care plans" 2025, ``caseload.csv``,
    breakdown topic "Child or young persons age"; RETURN.md, "EHCP numbers".

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
