"""The DfE EHC plan files the demand forecast is calibrated on, read into arrays.

Reads, from one data folder (searched with its sub-folders, as
:func:`workbooks.dfe.locate` does):

- the 2025 release caseload (``ehcp2025_caseload_all_and_age.csv``): plans at
  January 2019-2025 by placement, and by single age with placement for 2024
  and 2025 (:func:`workbooks.dfe.read_caseload_2025`);
- the 2022 release caseload by age band (``ehcp2022_sen2_age_caseload_2010-2022.csv``,
  :func:`workbooks.dfe.read_age_caseload_2022`): statements and plans, 2010-2022;
- the 2025 release new plans (``ehcp2025_newplans_all_and_age.csv``,
  :func:`read_new_plans_2025`): plans started per calendar year 2019-2024 by
  placement, and 2022-2024 by age when the plan started;
- the 2025 release ceased plans (``ehcp2025_ceased_plans_all.csv``,
  :func:`read_ceased_2025`): plans ceased per calendar year 2022-2024.

Placements become the seven categories through
:func:`models.ehcp_history.placement_categories` (one call for every row), so
the forecast counts plans exactly as the history and the return do.

Where the 2025 and 2022 releases both give a January total (2019-2022) the
2025 release is used (they agree for every council). Ages without a row in a
council's single-age table count 0 (DfE leaves them out); ``under 3`` is split
equally over ages 0, 1 and 2. A council-year with a suppressed age or cell
keeps no single-age table (the model then derives one, see
:func:`models.forecast.origin_stock`); a suppressed category blanks that
year's categories (the latest earlier shares are used).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from models.categories import AGE_GROUPS, PLACEMENT_CATEGORIES
from models.ehcp_history import ALL_PLANS, CASELOAD_COUNTS, age_of_breakdown, placement_categories
from models.errors import InputError, Problem
from models.forecast import AGES, COUNCIL, ENGLAND, REGION, DemandData
from workbooks import dfe

NEW_PLANS_2025_FILE = "ehcp2025_newplans_all_and_age.csv"
#: The ``breakdown`` of the all-new-plans rows.
ALL_NEW_PLANS = "New EHC plans"
_NEW_COUNTS = tuple(c for c in CASELOAD_COUNTS if c != "ehcplans")
NEW_PLANS_COLUMNS: tuple[str, ...] = (
    "time_period",
    "geographic_level",
    "region_code",
    "old_la_code",
    "la_name",
    "breakdown_topic",
    "breakdown",
    "new_ehc_plans",
) + _NEW_COUNTS
_ENGLAND_CODE = "E92000001"
CEASED_2025_FILE = "ehcp2025_ceased_plans_all.csv"
CEASED_COLUMNS: tuple[str, ...] = (
    "time_period",
    "geographic_level",
    "region_code",
    "old_la_code",
    "breakdown",
    "total_ceased",
)
#: The ``breakdown_topic`` of new plans by age when the plan started.
AGE_STARTED = "Age when plan started"


def _read(path: Path, expected: tuple[str, ...], what: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError([Problem(path.name, "", f"is not a readable CSV file ({e})")]) from None
    raw.columns = [str(c).strip().casefold() for c in raw.columns]
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    path.name,
                    "header",
                    f"is not the expected DfE {what} file: missing column(s) "
                    + ", ".join(repr(c) for c in missing),
                )
            ]
        )
    return raw


def read_ceased_2025(source: str | Path, file_name: str = CEASED_2025_FILE) -> pd.DataFrame:
    """The 2025 release ceased plans file: plans ceased per calendar year (2022-2024).

    Returns ``year`` (calendar year), the geography as text and
    ``total_ceased`` as a float (NaN where suppressed).
    """
    path = dfe.locate(source, file_name)
    raw = _read(path, CEASED_COLUMNS, "ceased plans")
    numbers = dfe.to_numbers(raw, ("total_ceased",), path.name)
    text = raw[["geographic_level", "region_code", "old_la_code", "breakdown"]].apply(
        lambda s: s.str.strip()
    )
    text.insert(0, "year", dfe.census_years(raw, path.name))
    return pd.concat([text, numbers], axis=1)


def read_new_plans_2025(source: str | Path, file_name: str = NEW_PLANS_2025_FILE) -> pd.DataFrame:
    """The 2025 release new plans file: plans started per calendar year, by placement.

    Returns ``year`` (the calendar year), the geography and breakdown columns
    as text, ``new_ehc_plans`` and the placement columns as floats (NaN where
    suppressed). Text where a number belongs is refused naming line and column.
    """
    path = dfe.locate(source, file_name)
    raw = _read(path, NEW_PLANS_COLUMNS, "new plans")
    numbers = dfe.to_numbers(raw, ("new_ehc_plans",) + _NEW_COUNTS, path.name)
    years = dfe.census_years(raw, path.name)
    text = raw[
        [
            "geographic_level",
            "region_code",
            "old_la_code",
            "la_name",
            "breakdown_topic",
            "breakdown",
        ]
    ].apply(lambda s: s.str.strip())
    text.insert(0, "year", years)
    return pd.concat([text, numbers], axis=1)


def _started_ages(label: str) -> tuple[int, int]:
    """Ages of an "Age when plan started" label: ``age 2 and under`` is 0-2,
    ``age 20 and over`` 20-25, ``age 7`` 7.

    >>> _started_ages("age 2 and under"), _started_ages("age 20 and over"), _started_ages("age 7")
    ((0, 2), (20, 25), (7, 7))
    """
    text = str(label).strip().casefold()
    if text.endswith("and under"):
        return 0, int(text.split()[1])
    if text.endswith("and over"):
        return int(text.split()[1]), AGES - 1
    return age_of_breakdown(label)


def _area_key(frame: pd.DataFrame) -> pd.Series:
    level = frame["geographic_level"].str.casefold()
    return pd.Series(
        np.where(
            level == "local authority",
            frame["old_la_code"],
            np.where(level == "regional", frame["region_code"], _ENGLAND_CODE),
        ),
        index=frame.index,
    )


def _categories(rows: pd.DataFrame, count: str = "ehcplans") -> np.ndarray:
    """(n, 7) the seven categories of each row (one mapping call for all rows)."""
    if rows.empty:
        return np.empty((0, len(PLACEMENT_CATEGORIES)))
    frame = rows.rename(columns={count: "ehcplans"}).copy()
    frame["year"] = np.arange(len(frame))
    table = placement_categories(frame)
    return table.loc[list(PLACEMENT_CATEGORIES)].to_numpy(dtype=float).T


def load_demand_data(
    data_dir: str | Path,
    *,
    caseload_file: str = dfe.CASELOAD_2025_FILE,
    bands_file: str = dfe.AGE_2022_FILE,
    new_plans_file: str = NEW_PLANS_2025_FILE,
    ceased_file: str = CEASED_2025_FILE,
) -> DemandData:
    """Every area's counts from the three DfE files in ``data_dir``.

    A missing file is a FileNotFoundError naming it (the command turns it
    into a message and exit code 2).
    """
    caseload = dfe.read_caseload_2025(data_dir, caseload_file)
    bands = dfe.read_age_caseload_2022(data_dir, bands_file)
    new = read_new_plans_2025(data_dir, new_plans_file)
    ceased_rows = read_ceased_2025(data_dir, ceased_file)

    caseload = caseload.assign(area=_area_key(caseload))
    bands = bands.assign(area=_area_key(bands))
    new = new.assign(area=_area_key(new))
    ceased_rows = ceased_rows.assign(area=_area_key(ceased_rows))

    level_of = caseload["geographic_level"].str.casefold()
    las = caseload[level_of == "local authority"].sort_values("year")
    latest = las.groupby("area").last()
    regions = caseload[level_of == "regional"].sort_values("year").groupby("area").last()
    council_codes = sorted(latest.index)
    region_codes = sorted(regions.index)
    codes = tuple(council_codes + region_codes + [_ENGLAND_CODE])
    names = tuple(
        list(latest.loc[council_codes, "la_name"])
        + list(regions.loc[region_codes, "region_name"])
        + ["England"]
    )
    position = {c: i for i, c in enumerate(codes)}
    level = np.array([COUNCIL] * len(council_codes) + [REGION] * len(region_codes) + [ENGLAND])
    region_pos = {c: position[c] for c in region_codes}
    parent = np.array(
        [region_pos.get(latest.loc[c, "region_code"], len(codes) - 1) for c in council_codes]
        + [len(codes) - 1] * len(region_codes)
        + [-1]
    )

    first = int(min(bands["year"].min(), caseload["year"].min()))
    last = int(max(caseload["year"].max(), new["year"].max() + 1))
    years = np.arange(first, last + 1)
    A, Y, C = len(codes), len(years), len(PLACEMENT_CATEGORIES)

    def where(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a = frame["area"].map(position)
        keep = a.notna().to_numpy()
        return keep, a.to_numpy()[keep].astype(int), (frame["year"].to_numpy()[keep] - first)

    total = np.full((A, Y), np.nan)
    categories = np.full((A, Y, C), np.nan)
    all_plans = caseload[caseload["breakdown"].str.casefold() == ALL_PLANS.casefold()]
    keep, a, y = where(all_plans)
    total[a, y] = all_plans["ehcplans"].to_numpy()[keep]
    cats = _categories(all_plans)[keep]
    complete = ~np.isnan(cats).any(-1)
    categories[a[complete], y[complete]] = cats[complete]

    band_rows = bands[bands["characteristic_age"].isin(AGE_GROUPS + ("Total",))]
    band = np.full((A, Y, len(AGE_GROUPS)), np.nan)
    keep, a, y = where(band_rows)
    values = band_rows["total_all"].to_numpy()[keep]
    labels = band_rows["characteristic_age"].to_numpy()[keep]
    is_total = labels == "Total"
    gap = np.isnan(total[a[is_total], y[is_total]])
    total[a[is_total][gap], y[is_total][gap]] = values[is_total][gap]
    group = np.array([AGE_GROUPS.index(g) if g in AGE_GROUPS else -1 for g in labels])
    sel = group >= 0
    band[a[sel], y[sel], group[sel]] = values[sel]
    band_seen = np.zeros((A, Y), dtype=int)
    np.add.at(band_seen, (a[sel], y[sel]), ~np.isnan(values[sel]))
    # Statements ran to age 19: before plans (2014) the 20-25 band is absent
    # and the four younger bands add up to the total, so it counts 0.
    top = len(AGE_GROUPS) - 1
    younger = band[..., :top].sum(-1)
    absent = (band_seen == top) & np.isnan(band[..., top]) & (younger == total)
    band[absent, top] = 0.0
    band_seen[absent] += 1
    band[band_seen < len(AGE_GROUPS)] = np.nan

    age_rows = caseload[caseload["breakdown"].str.casefold() != ALL_PLANS.casefold()]
    ages = np.full((A, Y, AGES), np.nan)
    joint = np.full((A, Y, AGES, C), np.nan)
    if not age_rows.empty:
        keep, a, y = where(age_rows)
        span = [age_of_breakdown(b) for b in age_rows["breakdown"].to_numpy()[keep]]
        plans = age_rows["ehcplans"].to_numpy()[keep]
        cats = _categories(age_rows)[keep]
        has = np.zeros((A, Y), dtype=bool)
        has[a, y] = True
        ages[has] = 0.0
        joint[has] = 0.0
        bad = np.zeros((A, Y), dtype=bool)
        for i, (low, high) in enumerate(span):
            width = high - low + 1
            if high >= AGES:
                continue
            ages[a[i], y[i], low : high + 1] += plans[i] / width
            joint[a[i], y[i], low : high + 1] += cats[i] / width
            if np.isnan(cats[i]).any():
                bad[a[i], y[i]] = True
        bad_ages = np.isnan(ages).any(-1)
        ages[bad_ages] = np.nan
        joint[bad | bad_ages] = np.nan

    new_rows = new[new["breakdown"].str.casefold() == ALL_NEW_PLANS.casefold()]
    new_plans = np.full((A, Y, C), np.nan)
    keep, a, y = where(new_rows)
    cats = _categories(new_rows, "new_ehc_plans")[keep]
    complete = ~np.isnan(cats).any(-1)
    new_plans[a[complete], y[complete]] = cats[complete]

    aliases = {
        str(ons).strip().casefold(): position[old]
        for ons, old in zip(las["new_la_code"], las["old_la_code"], strict=True)
        if str(ons).strip() and old in position
    }
    new_by_age = np.full((A, Y, AGES), np.nan)
    started = new[new["breakdown_topic"].str.casefold() == AGE_STARTED.casefold()]
    if not started.empty:
        keep, a, y = where(started)
        plans = started["new_ehc_plans"].to_numpy()[keep]
        has = np.zeros((A, Y), dtype=bool)
        has[a, y] = True
        new_by_age[has] = 0.0
        for i, label in enumerate(started["breakdown"].to_numpy()[keep]):
            low, high = _started_ages(label)
            new_by_age[a[i], y[i], low : high + 1] += plans[i] / (high - low + 1)
        new_by_age[np.isnan(new_by_age).any(-1)] = np.nan

    ceased = np.full((A, Y), np.nan)
    total_rows = ceased_rows[ceased_rows["breakdown"].str.casefold() == "all ceased ehc plans"]
    keep, a, y = where(total_rows)
    ceased[a, y] = total_rows["total_ceased"].to_numpy()[keep]

    return DemandData(
        codes=codes,
        names=names,
        level=level,
        parent=parent,
        years=years,
        total=total,
        categories=categories,
        ages=ages,
        joint=joint,
        bands=band,
        new_plans=new_plans,
        new_by_age=new_by_age,
        ceased=ceased,
        aliases=aliases,
    )
