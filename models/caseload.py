"""EHC plan counts at a January census from a case-management extract.

The extract has one row per plan with the columns of :data:`EXTRACT_COLUMNS`.
:func:`caseload_counts` counts the plans active on the census date by the
seven placement categories of the return and by age group, and lists every
row it could not count with the reason (a data-quality report), so that a
finance officer sees which records to fix in the case-management system.

Rules (each one documented where it is applied):

- **Active at census**: ``Plan start date <= census date`` and (``Plan end
  date`` blank or ``Plan end date >= census date``). A plan ending on the
  census date is still active on it; a plan ending the day before is not.
  A plan starting after the census date is *not active* (extracts are often
  taken weeks after the census), not a problem.
- **Age** (the SEN2 rule): whole years on the 31 August on or before the
  census date (census 2025-01-16: 31 August 2024). A child born after that
  31 August but on or before the census date is in ``Under 5``.
- **Problems**. Checked on every row, because without them it cannot be
  known whether the plan was active: plan start date missing or not a date;
  plan end date not a date; plan ending before it starts. Checked on the
  plans active at census (the only ones that are counted): Child ID blank;
  date of birth missing or not a date; date of birth after the census date
  (a date in the future); age outside 0-25; placement type blank or not in
  the mapping; more than one active plan for one child. A row may have
  several reasons; every reason is listed.
- **Duplicates**: when a child has more than one active plan, *every* row of
  the group is a problem and none is counted: choosing one would choose a
  placement category, which is the officer's decision, not the tool's. The
  Child IDs are compared trimmed and case-insensitively.
- Every row is exactly one of: counted, excluded (has a problem), not active
  at census.

Dates may be given as datetimes, Excel serial numbers (days since
1899-12-30), ISO text (``2025-01-16``, a time part is allowed) or UK text
(``16/01/2025``, also with ``-`` or ``.``). Anything else is "not a date".
Text that is a number (``"45000"``) is not taken as a serial: only a numeric
cell is.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.categories import (
    AGE_BANDS,
    AGE_GROUPS,
    PLACEMENT_CATEGORIES,
    TOTAL,
    TOTAL_BY_AGE,
    age_group,
)
from models.errors import InputError, Problem

__all__ = [
    "EXTRACT_COLUMNS",
    "REASONS",
    "CaseloadCounts",
    "normalise_label",
    "placement_mapping",
    "census_date",
    "age_date",
    "parse_dates",
    "sen2_age",
    "caseload_counts",
]

#: The columns of a caseload extract, canonical names, in order.
EXTRACT_COLUMNS: tuple[str, ...] = (
    "Child ID",
    "Date of birth",
    "Placement type",
    "Primary need",
    "Plan start date",
    "Plan end date",
)

#: Problem reasons, in the order the data-quality report lists them.
REASONS: tuple[str, ...] = (
    "Missing Child ID",
    "Missing date",
    "Not a date",
    "Plan ends before it starts",
    "Date in the future",
    "Age outside 0-25",
    "Unmapped placement type",
    "Duplicate active plan",
)

#: Columns of the problem list.
PROBLEM_COLUMNS: tuple[str, ...] = ("Data row", "Spreadsheet row", "Child ID", "Reason", "Detail")

_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_SERIAL = 2958465  # 9999-12-31
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")


def normalise_label(label: Any) -> str:
    """A placement label as it is matched: trimmed, spaces collapsed, case-folded.

    >>> normalise_label("  Maintained   SPECIAL school ")
    'maintained special school'
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return ""
    return " ".join(str(label).split()).casefold()


def placement_mapping(mapping: Mapping[Any, Any], argument: str = "mapping") -> dict[str, str]:
    """Validate a {placement label: category} mapping into {normalised label: category}.

    Categories match the seven of :data:`~models.categories.PLACEMENT_CATEGORIES`
    case-insensitively and are returned spelt as there. Every unknown
    category, blank label and label given two different categories is
    reported together.

    >>> placement_mapping({" Academy ": "mainstream schools or academies"})
    {'academy': 'Mainstream schools or academies'}
    >>> placement_mapping({"Farm": "Farms"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    models.errors.InputError: mapping label 'Farm': 'Farms' is not one of the seven placement categories (Mainstream schools or academies; ...; Other placements or direct payments)
    """
    canonical = {normalise_label(c): c for c in PLACEMENT_CATEGORIES}
    choices = "; ".join(PLACEMENT_CATEGORIES)
    out: dict[str, str] = {}
    problems: list[Problem] = []
    for label, category in mapping.items():
        key = normalise_label(label)
        if not key:
            problems.append(
                Problem(argument, "", f"a blank placement label (category {category!r})")
            )
            continue
        cat = canonical.get(normalise_label(category))
        if cat is None:
            problems.append(
                Problem(
                    argument,
                    f"label {str(label).strip()!r}",
                    f"{str(category).strip()!r} is not one of the seven placement "
                    f"categories ({choices})",
                )
            )
            continue
        if key in out and out[key] != cat:
            problems.append(
                Problem(
                    argument,
                    f"label {str(label).strip()!r}",
                    f"is mapped to both {out[key]!r} and {cat!r}",
                )
            )
            continue
        out[key] = cat
    if problems:
        raise InputError(problems)
    return out


def census_date(value: Any, argument: str = "census date") -> pd.Timestamp:
    """The census date as a midnight :class:`pandas.Timestamp`.

    Accepts a date, a datetime or ISO text ``YYYY-MM-DD``.

    >>> census_date("2025-01-16")
    Timestamp('2025-01-16 00:00:00')
    >>> census_date("16/01/2025")
    Traceback (most recent call last):
    ...
    models.errors.InputError: census date: '16/01/2025' is not a date written YYYY-MM-DD
    """
    if isinstance(value, (_dt.date, pd.Timestamp, np.datetime64)) and not pd.isna(value):
        return pd.Timestamp(value).normalize()
    text = str(value).strip() if value is not None else ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return pd.Timestamp(_dt.date.fromisoformat(text))
        except ValueError:
            pass
    raise InputError([Problem(argument, "", f"{text!r} is not a date written YYYY-MM-DD")])


def age_date(census: Any) -> pd.Timestamp:
    """The date ages are taken on: 31 August on or before the census date (SEN2).

    Notes
    -----
    ::

        age date = 31 August of census year,      if census is on or after 31 August
                 = 31 August of census year - 1,  otherwise

    References
    ----------
    DfE SEN2 guidance: age is age on 31 August before the January census.

    >>> age_date("2025-01-16")
    Timestamp('2024-08-31 00:00:00')
    >>> age_date("2024-08-31")
    Timestamp('2024-08-31 00:00:00')
    """
    c = census_date(census)
    year = c.year if (c.month, c.day) >= (8, 31) else c.year - 1
    return pd.Timestamp(year=year, month=8, day=31)


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """Dates from text parts; impossible dates (31/02) become NaT."""
    parts = pd.DataFrame(
        {"year": pd.to_numeric(year), "month": pd.to_numeric(month), "day": pd.to_numeric(day)}
    )
    return pd.to_datetime(parts, errors="coerce")


def parse_dates(values: Any) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Parse a column of dates as a case-management extract holds them.

    Parameters
    ----------
    values : sequence or Series
        Cells: datetimes or dates, Excel serial numbers, ISO or UK text,
        blanks (``None``, ``""``, NaN, NaT).

    Returns
    -------
    dates : Series of datetime64
        Midnight dates, NaT where missing or not a date; a default
        RangeIndex.
    missing : ndarray of bool
        The cell is blank.
    bad : ndarray of bool
        The cell is not blank but is not a date.

    Notes
    -----
    Each distinct value is parsed once (an extract has far fewer distinct
    dates than rows), then spread back to the rows. Serials count days from
    1899-12-30, as Excel's do from March 1900; the fraction (a time) is
    dropped. Serials outside 1 to 2958465 (31/12/9999) are not dates.

    Examples
    --------
    >>> d, missing, bad = parse_dates(["2025-01-16", "16/01/2025", 45673, None, "soon", "31/02/2024"])
    >>> [str(x.date()) if not pd.isna(x) else None for x in d]
    ['2025-01-16', '2025-01-16', '2025-01-16', None, None, None]
    >>> missing.tolist(), bad.tolist()
    ([False, False, False, True, False, False], [False, False, False, False, True, True])
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    s = s.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        dates = s.dt.normalize().astype("datetime64[ns]")
        missing = dates.isna().to_numpy()
        return dates, missing, np.zeros(len(s), dtype=bool)

    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    n = len(u)
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    blank = np.zeros(n, dtype=bool)

    # Sort the distinct values by kind (one pass over the distinct values only).
    kind = _kinds(u.to_numpy(dtype=object))

    text = u[kind == "text"].astype(str).str.strip()
    blank[text.index[text == ""]] = True
    iso = text.str.extract(_ISO)
    ok = iso[0].notna()
    if ok.any():
        parsed[iso.index[ok]] = _from_parts(
            iso.loc[ok, 0], iso.loc[ok, 1], iso.loc[ok, 2]
        ).to_numpy()
    uk = text[~ok].str.extract(_UK)
    ok = uk[0].notna()
    if ok.any():
        parsed[uk.index[ok]] = _from_parts(uk.loc[ok, 2], uk.loc[ok, 1], uk.loc[ok, 0]).to_numpy()

    num = pd.to_numeric(u[kind == "number"], errors="coerce").astype(float)
    good = num.notna() & (num >= 1) & (num < _MAX_SERIAL + 1)
    if good.any():
        days = np.floor(num[good].to_numpy()).astype("int64")
        parsed[num.index[good]] = (_EXCEL_EPOCH + days.astype("timedelta64[D]")).astype(
            "datetime64[ns]"
        )

    when = u[kind == "datetime"]
    if len(when):
        conv = pd.to_datetime(when, errors="coerce")
        if getattr(conv.dt, "tz", None) is not None:
            conv = conv.dt.tz_localize(None)
        parsed[when.index] = conv.dt.normalize().astype("datetime64[ns]").to_numpy()

    # Spread back to the rows; code -1 is a missing value (None, NaN, NaT).
    full_parsed = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    full_blank = np.append(blank, True)
    dates = pd.Series(full_parsed[codes], dtype="datetime64[ns]")
    missing = full_blank[codes]
    bad = ~missing & dates.isna().to_numpy()
    return dates, missing, bad


#: The kind of a cell of each common exact type (subclasses go through :func:`_kind`).
_KIND_OF_TYPE: dict[type, str] = {
    str: "text",
    float: "number",
    int: "number",
    bool: "other",
    _dt.date: "datetime",
    _dt.datetime: "datetime",
    pd.Timestamp: "datetime",
}


def _kinds(values: np.ndarray) -> np.ndarray:
    """:func:`_kind` of each value, looked up by exact type (one call per value only
    for types not in :data:`_KIND_OF_TYPE`)."""
    lookup = _KIND_OF_TYPE.get
    return np.array(
        [lookup(t) or _kind(v) for t, v in zip(map(type, values), values, strict=True)],
        dtype=object,
    )


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bool, np.bool_)):
        return "other"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "number"
    if isinstance(value, (_dt.date, np.datetime64)):  # includes datetime and Timestamp
        return "datetime"
    return "other"


def sen2_age(dob: pd.Series, census: Any) -> np.ndarray:
    """Whole years of age on the 31 August on or before the census date.

    Parameters
    ----------
    dob : Series of datetime64
        Dates of birth (NaT gives a meaningless value: mask it).
    census : date or ``YYYY-MM-DD``
        The census date.

    Returns
    -------
    ndarray of int64
        Age in whole years (negative for a child born after the age date).

    Notes
    -----
    ::

        a = age_date(census)
        age = a.year - dob.year - (1 if (dob.month, dob.day) > (a.month, a.day) else 0)

    Someone born on 31 August is a year older on that day; someone born
    on 1 September is not.

    Examples
    --------
    >>> dob = pd.Series(pd.to_datetime(["1999-08-31", "1999-09-01", "2024-08-31"]))
    >>> sen2_age(dob, "2025-01-16").tolist()
    [25, 24, 0]
    """
    a = age_date(census)
    d = pd.Series(dob).reset_index(drop=True)
    year = d.dt.year.fillna(0).to_numpy(dtype="int64")
    monthday = (d.dt.month.fillna(0) * 100 + d.dt.day.fillna(0)).to_numpy(dtype="int64")
    return a.year - year - (monthday > a.month * 100 + a.day).astype("int64")


def _id_text(values: np.ndarray) -> np.ndarray:
    """Child IDs as trimmed text; a whole number read as ``1234.0`` shows as ``1234``."""
    u = np.asarray(values, dtype=object)
    text = np.full(len(u), "", dtype=object)
    is_text = pd.Series(u, dtype=object).map(type).isin([str, np.str_]).to_numpy()
    if is_text.any():
        text[is_text] = np.char.strip(u[is_text].astype(str)).astype(object)
    other = ~is_text & pd.notna(u)
    if other.any():
        num = pd.to_numeric(pd.Series(u[other], dtype=object), errors="coerce").to_numpy(
            dtype=float
        )
        whole = np.isfinite(num) & (np.mod(num, 1) == 0) & (np.abs(num) < 2**53)
        shown = u[other].astype(str).astype(object)
        shown[whole] = num[whole].astype("int64").astype(str).astype(object)
        text[other] = shown
    return text


def _sorted_codes(values: np.ndarray) -> np.ndarray:
    """A code per value, equal values sharing one (NaNs get codes of their own).

    A stable sort takes one pass over IDs already in order, as extracts
    often are; nearly every ID being distinct, hashing would be slower.
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.empty(len(values), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    codes = np.empty(len(values), dtype="int64")
    codes[order] = np.cumsum(starts) - 1
    return codes


def _id_keys(values: pd.Series) -> np.ndarray:
    """A code per row comparing Child IDs trimmed and case-insensitively; -1 for a blank ID.

    A column of numbers (blanks aside), as Excel holds numeric IDs, is
    compared as numbers; anything else through its text.
    """
    arr = values.to_numpy(dtype=object)
    blank = pd.isna(arr) | (arr == "")
    numbers = arr if not blank.any() else np.where(blank, None, arr)
    if pd.api.types.infer_dtype(numbers, skipna=True) in (
        "floating",
        "integer",
        "mixed-integer-float",
    ):
        try:  # numpy converts plain numbers (None to NaN) without pandas' per-value checks
            as_float = np.asarray(numbers, dtype=float)
        except (TypeError, ValueError, OverflowError):
            as_float = pd.to_numeric(pd.Series(numbers, dtype=object)).to_numpy(float)
        return np.where(np.isnan(as_float), -1, _sorted_codes(as_float))
    codes, uniques = pd.factorize(numbers, use_na_sentinel=True)
    keys = pd.Series(_id_text(np.asarray(uniques, dtype=object)), dtype=object).str.casefold()
    key_codes, _ = pd.factorize(keys.to_numpy(dtype=object))
    key_codes = np.where((keys == "").to_numpy(), -1, key_codes)
    return np.append(key_codes, -1)[codes]


@dataclass(frozen=True)
class CaseloadCounts:
    """The counts of an extract at a census date and what they leave out.

    Attributes
    ----------
    by_category : Series of int
        Plans counted, index the seven categories then ``Total``.
    by_age : Series of int
        Plans counted, index the five age groups then ``Total by age group``.
    problems : DataFrame
        One line per problem (a row may have several): ``Data row`` (1-based
        from the first data row), ``Spreadsheet row``, ``Child ID``,
        ``Reason`` (one of :data:`REASONS`), ``Detail``; in row order.
    rows : int
        Data rows in the extract.
    excluded : int
        Rows with at least one problem (not counted).
    not_active : int
        Rows without a problem whose plan was not active at the census.
    ended_before : int
        Of ``not_active``, plans that ended before the census date.
    starts_after : int
        Of ``not_active``, plans that start after the census date.
    census : Timestamp
        The census date.
    age_on : Timestamp
        The date ages are taken on (31 August before the census).
    """

    by_category: pd.Series
    by_age: pd.Series
    problems: pd.DataFrame
    rows: int
    excluded: int
    not_active: int
    ended_before: int
    starts_after: int
    census: pd.Timestamp
    age_on: pd.Timestamp

    @property
    def counted(self) -> int:
        """Plans counted (the ``Total``)."""
        return int(self.by_category[TOTAL])

    def reason_summary(self) -> pd.Series:
        """Problems per reason (a row with two bad dates counts twice under
        ``Not a date``), in :data:`REASONS` order, reasons met only."""
        counts = self.problems["Reason"].value_counts()
        return pd.Series({r: int(counts[r]) for r in REASONS if r in counts.index}, dtype="int64")


def _check_columns(extract: pd.DataFrame, argument: str) -> None:
    missing = [c for c in EXTRACT_COLUMNS if c not in extract.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in extract.columns)
        raise InputError(
            [
                Problem(argument, "", f"missing column '{c}' (columns found: {found})")
                for c in missing
            ]
        )


def caseload_counts(
    extract: pd.DataFrame,
    census: Any,
    mapping: Mapping[Any, Any],
    *,
    header_row: int = 1,
    argument: str = "extract",
) -> CaseloadCounts:
    """Count the EHC plans active at the census by placement category and age group.

    Parameters
    ----------
    extract : DataFrame
        One row per plan, columns :data:`EXTRACT_COLUMNS` (others ignored),
        cells as read (see :func:`parse_dates` for dates). Rows are
        numbered by position: the first is data row 1.
    census : date or ``YYYY-MM-DD``
        The census date (the January census day).
    mapping : mapping
        {placement label: one of the seven categories}; labels match
        trimmed and case-insensitively (:func:`placement_mapping`).
    header_row : int
        The spreadsheet row of the header, so that
        ``Spreadsheet row = Data row + header_row``.
    argument : str
        How errors name the extract (its file name).

    Returns
    -------
    CaseloadCounts
        Counts (number of plans), the problem list and the rows left out.

    Notes
    -----
    The rules (active plan, SEN2 age, problems, duplicates) are in the
    module docstring. Every row is exactly one of counted, excluded or not
    active::

        Total = Total by age group = rows - excluded - not_active

    References
    ----------
    RETURN.md, "EHCP numbers" (categories and age groups); DfE SEN2 guidance
    (age on 31 August, plans maintained on census day).

    Examples
    --------
    >>> x = pd.DataFrame({"Child ID": [1, 2, 2, 3], "Date of birth": ["2015-03-01"] * 4,
    ...     "Placement type": ["Academy", "Academy", "PRU", "Academy"], "Primary need": "ASD",
    ...     "Plan start date": ["2020-01-01"] * 3 + ["2025-02-01"], "Plan end date": None})
    >>> r = caseload_counts(x, "2025-01-16", {"Academy": "Mainstream schools or academies",
    ...                                       "PRU": "Hospital schools or alternative provision"})
    >>> int(r.by_category["Mainstream schools or academies"]), r.excluded, r.not_active
    (1, 2, 1)
    >>> r.problems["Reason"].tolist()
    ['Duplicate active plan', 'Duplicate active plan']
    """
    _check_columns(extract, argument)
    census_ts = census_date(census)
    age_on = age_date(census_ts)
    labels = placement_mapping(mapping)
    n = len(extract)
    data_row = np.arange(1, n + 1, dtype="int64")

    id_values = extract["Child ID"].to_numpy(dtype=object)
    id_key = _id_keys(extract["Child ID"])
    dob, dob_missing, dob_bad = parse_dates(extract["Date of birth"])
    start, start_missing, start_bad = parse_dates(extract["Plan start date"])
    end, _, end_bad = parse_dates(extract["Plan end date"])
    start_v, end_v, dob_v = start.to_numpy(), end.to_numpy(), dob.to_numpy()
    census_v = np.datetime64(census_ts.to_datetime64(), "ns")

    has_start = ~np.isnat(start_v)
    has_end = ~np.isnat(end_v)
    dates_known = has_start & ~end_bad
    ends_before_start = has_start & has_end & (end_v < start_v)
    started = has_start & (start_v <= census_v)
    not_ended = ~has_end | (end_v >= census_v)
    active = dates_known & started & not_ended & ~ends_before_start

    # Placement categories: distinct labels are looked up once.
    codes, uniques = pd.factorize(extract["Placement type"].astype(object), use_na_sentinel=True)
    cat_index = {c: i for i, c in enumerate(PLACEMENT_CATEGORIES)}
    uniq_norm = [normalise_label(v) for v in uniques]
    uniq_cat = np.array(
        [cat_index.get(labels.get(k, ""), -1) for k in uniq_norm] + [-1], dtype="int64"
    )
    category = uniq_cat[codes]
    uniq_blank = np.array([k == "" for k in uniq_norm] + [True], dtype=bool)
    placement_blank = uniq_blank[codes]

    has_dob = ~np.isnat(dob_v)
    dob_future = has_dob & (dob_v > census_v)
    age = sen2_age(dob, census_ts)
    age_bad = has_dob & ~dob_future & (age > max(hi for _, hi in AGE_BANDS.values()))

    id_blank = id_key < 0
    dup_idx = np.flatnonzero(active & ~id_blank)
    per_key = np.bincount(id_key[dup_idx], minlength=1)
    duplicate = np.zeros(n, dtype=bool)
    duplicate[dup_idx[per_key[id_key[dup_idx]] > 1]] = True

    raw_place = extract["Placement type"].reset_index(drop=True)
    checks: list[tuple[str, np.ndarray, Any]] = [
        ("Missing Child ID", active & id_blank, "Child ID is blank"),
        ("Missing date", start_missing, "Plan start date is blank"),
        ("Missing date", active & dob_missing, "Date of birth is blank"),
        ("Not a date", start_bad, ("Plan start date", extract["Plan start date"])),
        ("Not a date", end_bad, ("Plan end date", extract["Plan end date"])),
        ("Not a date", active & dob_bad, ("Date of birth", extract["Date of birth"])),
        ("Plan ends before it starts", ends_before_start, None),
        ("Date in the future", active & dob_future, None),
        ("Age outside 0-25", active & age_bad, None),
        ("Unmapped placement type", active & placement_blank, "Placement type is blank"),
        ("Unmapped placement type", active & ~placement_blank & (category < 0), "placement"),
        ("Duplicate active plan", duplicate, None),
    ]

    pieces: list[pd.DataFrame] = []
    for order, (reason, mask, spec) in enumerate(checks):
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        if isinstance(spec, str) and spec != "placement":
            detail = pd.Series(spec, index=range(len(idx)), dtype=object)
        elif isinstance(spec, tuple):
            column, raw = spec
            shown = raw.reset_index(drop=True).iloc[idx].astype(str).str.slice(0, 40)
            detail = (column + ": '" + shown + "' is not a date").reset_index(drop=True)
        elif spec == "placement":
            shown = raw_place.iloc[idx].astype(str).str.strip()
            detail = ("'" + shown + "' is not in the placement mapping").reset_index(drop=True)
        elif reason == "Plan ends before it starts":
            detail = (
                "Plan end date "
                + _iso(end.iloc[idx])
                + " is before Plan start date "
                + _iso(start.iloc[idx])
            )
        elif reason == "Date in the future":
            detail = (
                "Date of birth "
                + _iso(dob.iloc[idx])
                + " is after the census date "
                + census_ts.date().isoformat()
            )
        elif reason == "Age outside 0-25":
            detail = (
                "age "
                + pd.Series(age[idx]).astype(str)
                + " on "
                + age_on.date().isoformat()
                + " (Date of birth "
                + _iso(dob.iloc[idx])
                + ")"
            )
        else:  # duplicates: name the other rows of the group
            detail = _duplicate_detail(id_key, idx)
        pieces.append(
            pd.DataFrame(
                {
                    "Data row": data_row[idx],
                    "Spreadsheet row": data_row[idx] + header_row,
                    "Child ID": _id_text(id_values[idx]),
                    "Reason": reason,
                    "Detail": detail.to_numpy(dtype=object),
                    "_order": order,
                }
            )
        )
    if pieces:
        problems = (
            pd.concat(pieces, ignore_index=True)
            .sort_values(["Data row", "_order"], kind="stable")
            .drop(columns="_order")
            .reset_index(drop=True)
        )
    else:
        problems = pd.DataFrame(
            {c: pd.Series(dtype="int64" if "row" in c else object) for c in PROBLEM_COLUMNS}
        )

    problem = np.zeros(n, dtype=bool)
    for _, mask, _ in checks:
        problem |= mask
    counted = active & ~problem
    clean_inactive = ~problem & ~active

    cat_counts = np.bincount(category[counted], minlength=len(PLACEMENT_CATEGORIES))
    # Age group of each age -1..25 (-1: born after 31 August, by the census: Under 5).
    top = max(hi for _, hi in AGE_BANDS.values())
    group_of = np.array([AGE_GROUPS.index(age_group(max(a, 0))) for a in range(-1, top + 1)])
    age_counts = np.bincount(group_of[age[counted] + 1], minlength=len(AGE_GROUPS))

    by_category = pd.Series(
        list(cat_counts.astype(int)) + [int(counted.sum())],
        index=[*PLACEMENT_CATEGORIES, TOTAL],
        dtype="int64",
    )
    by_age = pd.Series(
        list(age_counts.astype(int)) + [int(age_counts.sum())],
        index=[*AGE_GROUPS, TOTAL_BY_AGE],
        dtype="int64",
    )
    return CaseloadCounts(
        by_category=by_category,
        by_age=by_age,
        problems=problems,
        rows=n,
        excluded=int(problem.sum()),
        not_active=int(clean_inactive.sum()),
        ended_before=int((clean_inactive & has_end & (end_v < census_v)).sum()),
        starts_after=int((clean_inactive & has_start & (start_v > census_v)).sum()),
        census=census_ts,
        age_on=age_on,
    )


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").reset_index(drop=True).astype(object)


def _duplicate_detail(key: np.ndarray, idx: np.ndarray) -> pd.Series:
    """'active plans for this child in data rows 3, 9' for each row of a duplicate group."""
    rows = pd.DataFrame({"key": key[idx], "row": (idx + 1).astype(str)})
    joined = rows.groupby("key", sort=False)["row"].agg(", ".join)
    return ("active plans for this child in data rows " + rows["key"].map(joined)).reset_index(
        drop=True
    )
