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

- **US dates**: text dates are day/month/year. A column holding a text date
  that can only be month/day/year (``09/13/2019``) is refused, naming its
  rows (its other dates may have been read with day and month swapped);
  dates that read either way (``09/01/2019``: 9 January) are counted and
  listed in :attr:`CaseloadCounts.notes`, so the reading is never silent.
- **Memory** is linear in the rows: a detail naming other rows names at most
  :data:`SHOWN_ROWS` of them, however many rows share one Child ID.

:func:`caseload_counts` is a short list of steps, each a function stating its
rule: :func:`plan_dates`, :func:`plan_status`, :func:`placement_categories`,
:func:`sen2_age`, :func:`problem_checks`, :func:`problem_list`,
:func:`count_by_category`, :func:`count_by_age`.
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
    "date_column",
    "DateColumn",
    "sen2_age",
    "plan_dates",
    "plan_status",
    "placement_categories",
    "duplicate_plans",
    "problem_checks",
    "problem_list",
    "count_by_category",
    "count_by_age",
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
#: The last Excel serial read as a date: 31/12/2261 (Excel's own go to 31/12/9999, but pandas
#: holds dates only to 2262, and a later serial would wrap round to a wrong date).
_MAX_SERIAL = int((np.datetime64("2261-12-31", "D") - _EXCEL_EPOCH).astype(np.int64))
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
    """Dates from text parts; impossible dates (31/02) become NaT.

    So do parts that are not ASCII numbers (``\\d`` in the patterns also matches
    other scripts' digits, such as ``٢٠١٠``) and years outside :data:`_PLAIN_YEARS`
    (pandas holds dates from 1677 to 2262 only; no child's date is near either end):
    each is then a cell that is not a date, named with its row like any other.

    >>> [str(d)[:10] for d in _from_parts(pd.Series(["2010", "1676", "٢٠١٠"]),
    ...                                   pd.Series(["05", "05", "05"]), pd.Series(["01"] * 3))]
    ['2010-05-01', 'NaT', 'NaT']
    """

    def number(part: pd.Series) -> pd.Series:
        ascii_digits = part.astype(str).str.fullmatch(r"[0-9]+")
        return pd.to_numeric(part.where(ascii_digits), errors="coerce")

    y, m, d = number(year), number(month), number(day)
    y = y.where((y >= _PLAIN_YEARS[0]) & (y <= _PLAIN_YEARS[1]))
    parts = pd.DataFrame({"year": y, "month": m, "day": d})
    return pd.to_datetime(parts, errors="coerce")


@dataclass(frozen=True)
class DateColumn:
    """A column of dates as parsed, with what the parse had to assume.

    Attributes
    ----------
    dates : Series of datetime64
        Midnight dates, NaT where missing or not a date; a default RangeIndex.
    missing, bad : ndarray of bool
        The cell is blank; the cell is not blank but is not a date.
    month_first : ndarray of bool
        Text ``a/b/yyyy`` with ``a <= 12 < b``: a date only as month/day/year
        (US), so not a date here (UK day/month/year).
    either_way : ndarray of bool
        Text ``a/b/yyyy`` with ``a, b <= 12`` and ``a != b``: a date either way,
        read as day/month/year.
    """

    dates: pd.Series
    missing: np.ndarray
    bad: np.ndarray
    month_first: np.ndarray
    either_way: np.ndarray


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
    dropped. Serials outside 1 to 132,219 (31/12/2261) are not dates, nor
    are years before 1678 or after 2261 however written: pandas holds no
    others, and no child's date is near either end. Text
    with ``/``, ``.`` or ``-`` between the parts is day/month/year (UK);
    :func:`date_column` also says which cells could only be US dates.

    Examples
    --------
    >>> d, missing, bad = parse_dates(["2025-01-16", "16/01/2025", 45673, None, "soon", "31/02/2024"])
    >>> [str(x.date()) if not pd.isna(x) else None for x in d]
    ['2025-01-16', '2025-01-16', '2025-01-16', None, None, None]
    >>> missing.tolist(), bad.tolist()
    ([False, False, False, True, False, False], [False, False, False, False, True, True])
    """
    column = date_column(values)
    return column.dates, column.missing, column.bad


def date_column(values: Any) -> DateColumn:
    """:func:`parse_dates`, and which text dates were read by the UK rule.

    A text date ``a/b/yyyy`` is UK day/month/year. When ``a <= 12 < b`` it can
    only be a US month/day/year date: it is flagged ``month_first`` (and is not
    a date). When both ``a`` and ``b`` are 12 or less and differ, it is a date
    either way and flagged ``either_way``: read as day/month/year.

    Examples
    --------
    >>> c = date_column(["09/01/2019", "09/13/2019", "13/09/2019", "01/01/2019"])
    >>> [str(x.date()) if not pd.isna(x) else None for x in c.dates]
    ['2019-01-09', None, '2019-09-13', '2019-01-01']
    >>> c.month_first.tolist(), c.either_way.tolist()
    ([False, True, False, False], [True, False, False, False])
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    s = s.reset_index(drop=True)
    n_rows = len(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        dates = s.dt.normalize().astype("datetime64[ns]")
        missing = dates.isna().to_numpy()
        none = np.zeros(n_rows, dtype=bool)
        return DateColumn(dates, missing, none, none, none)

    # Factorised as stored (Arrow strings stay in Arrow); only the distinct values become
    # objects. A categorical (as the CSV reader gives a date column) is factorised already:
    # its codes and categories are taken as they are (code -1 is a missing value).
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy().astype("int64")
        uniques = s.cat.categories
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    n = len(u)
    parsed = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    blank = np.zeros(n, dtype=bool)
    month_first = np.zeros(n, dtype=bool)
    either_way = np.zeros(n, dtype=bool)

    # Sort the distinct values by kind (one pass over the distinct values only).
    kind = _kinds(u.to_numpy(dtype=object))

    text = u[kind == "text"].astype(str).str.strip()
    blank[text.index[text == ""]] = True
    plain = _plain_dates(text.to_numpy(dtype=object))  # the common forms, at C speed
    if plain.fast.any():
        at = text.index[plain.fast]
        parsed[at] = plain.dates[plain.fast]
        month_first[at] = plain.month_first[plain.fast]
        either_way[at] = plain.either_way[plain.fast]
        text = text[~plain.fast]
    iso = text.str.extract(_ISO)
    ok = iso[0].notna()
    if ok.any():
        parsed[iso.index[ok]] = _from_parts(
            iso.loc[ok, 0], iso.loc[ok, 1], iso.loc[ok, 2]
        ).to_numpy()
    uk = text[~ok].str.extract(_UK)
    ok = uk[0].notna()
    if ok.any():
        parts = uk.loc[ok]
        parsed[parts.index] = _from_parts(parts[2], parts[1], parts[0]).to_numpy()
        first = pd.to_numeric(parts[0].where(parts[0].str.fullmatch(r"[0-9]+")), errors="coerce")
        middle = pd.to_numeric(parts[1].where(parts[1].str.fullmatch(r"[0-9]+")), errors="coerce")
        month_first[parts.index[(first <= 12) & (middle > 12)]] = True
        either_way[parts.index[(first <= 12) & (middle <= 12) & (first != middle)]] = True

    num = pd.to_numeric(u[kind == "number"], errors="coerce").astype(float)
    good = num.notna() & (num >= 1) & (num < _MAX_SERIAL + 1)
    if good.any():
        days = np.floor(num[good].to_numpy()).astype("int64")
        parsed[num.index[good]] = (_EXCEL_EPOCH + days.astype("timedelta64[D]")).astype(
            "datetime64[ns]"
        )

    when = u[kind == "datetime"]
    if len(when):  # a year pandas cannot hold (before 1678, after 2261) is not a date here
        years = np.fromiter((v.year for v in when), dtype=np.int64, count=len(when))
        when = when[(years >= _PLAIN_YEARS[0]) & (years <= _PLAIN_YEARS[1])]
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
    return DateColumn(
        dates=dates,
        missing=missing,
        bad=bad,
        month_first=np.append(month_first, False)[codes],
        either_way=np.append(either_way, False)[codes],
    )


#: The years :func:`_plain_dates` reads itself: within pandas' nanosecond range (1677-09-21
#: to 2262-04-11) by whole years, so that a date it reads is one ``pd.to_datetime`` reads.
_PLAIN_YEARS = (1678, 2261)


@dataclass(frozen=True)
class _PlainDates:
    """What :func:`_plain_dates` read (arrays over the texts given)."""

    fast: np.ndarray
    dates: np.ndarray
    month_first: np.ndarray
    either_way: np.ndarray


def _plain_dates(texts: np.ndarray) -> _PlainDates:
    """Texts of exactly ten characters, ``YYYY-MM-DD`` or ``DD/MM/YYYY``, read at C speed.

    The forms nearly every extract's dates take, read without a regular
    expression per text and exactly as :func:`date_column`'s general rule
    reads them: ASCII digits; the UK form's separators each one of ``/``,
    ``.`` or ``-``; an impossible date (month 13, 31 February) is NaT, and
    the UK form's ``month_first`` and ``either_way`` flags are set by the same
    rule. A text of these forms whose year is outside :data:`_PLAIN_YEARS`,
    and every other text, is left to the general rule (``fast`` False).

    Notes
    -----
    ::

        date = first day of (year, month) + (day - 1) days,  if 1 <= month <= 12
               and 1 <= day <= days in that month; else NaT

    >>> r = _plain_dates(np.array(["2024-02-29", "2023-02-29", "2024-2-1", "1500-01-01",
    ...                            "29/02/2024", "09/13/2019", "09.01-2019", "x"], dtype=object))
    >>> r.fast.tolist()
    [True, True, False, False, True, True, True, False]
    >>> [str(d)[:10] for d in r.dates]
    ['2024-02-29', 'NaT', 'NaT', 'NaT', '2024-02-29', 'NaT', '2019-01-09', 'NaT']
    >>> r.month_first.tolist()[4:7], r.either_way.tolist()[4:7]
    ([False, True, False], [False, False, True])
    """
    n = len(texts)
    out = _PlainDates(
        fast=np.zeros(n, dtype=bool),
        dates=np.full(n, np.datetime64("NaT", "ns")),
        month_first=np.zeros(n, dtype=bool),
        either_way=np.zeros(n, dtype=bool),
    )
    if not n:
        return out
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    tens = np.flatnonzero(lengths == 10)
    if not len(tens):
        return out
    chars = np.array(texts[tens].tolist(), dtype="<U10").view(np.uint32).reshape(-1, 10)
    digit = chars.astype(np.int64) - 48

    def number(*at: int) -> np.ndarray:
        value = np.zeros(len(tens), dtype=np.int64)
        for i in at:
            value = value * 10 + digit[:, i]
        return value

    def digits(*at: int) -> np.ndarray:
        part = digit[:, list(at)]
        return np.asarray(((part >= 0) & (part <= 9)).all(axis=1))

    separator = (chars == 47) | (chars == 46) | (chars == 45)  # / . -
    iso = (chars[:, 4] == 45) & (chars[:, 7] == 45) & digits(0, 1, 2, 3, 5, 6, 8, 9)
    uk = separator[:, 2] & separator[:, 5] & digits(0, 1, 3, 4, 6, 7, 8, 9)
    year = np.where(iso, number(0, 1, 2, 3), number(6, 7, 8, 9))
    month = np.where(iso, number(5, 6), number(3, 4))
    day = np.where(iso, number(8, 9), number(0, 1))
    read = (iso | uk) & (year >= _PLAIN_YEARS[0]) & (year <= _PLAIN_YEARS[1])
    out.fast[tens[read]] = True
    ok = read & (month >= 1) & (month <= 12) & (day >= 1)
    first = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(np.int64)
    ok &= day <= length
    when = first[ok].astype("datetime64[D]") + (day[ok] - 1).astype("timedelta64[D]")
    out.dates[tens[ok]] = when.astype("datetime64[ns]")
    as_uk = read & uk
    out.month_first[tens[as_uk & (day <= 12) & (month > 12)]] = True
    out.either_way[tens[as_uk & (day <= 12) & (month <= 12) & (day != month)]] = True
    return out


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
    if isinstance(d.dtype, np.dtype) and d.dtype.kind == "M":  # plain dates: integer arithmetic
        # Each distinct day once (an extract has a few thousand), then spread to the rows.
        days = d.to_numpy().astype("datetime64[D]")
        missing = np.isnat(days)
        codes, distinct = pd.factorize(np.where(missing, 0, days.astype("int64")))
        year_of, month_of, day_of = _civil(np.asarray(distinct, dtype=np.int64))
        year = np.where(missing, 0, year_of[codes])
        monthday = np.where(missing, 0, (month_of * 100 + day_of)[codes])
    else:
        year = d.dt.year.fillna(0).to_numpy(dtype="int64")
        monthday = (d.dt.month.fillna(0) * 100 + d.dt.day.fillna(0)).to_numpy(dtype="int64")
    return a.year - year - (monthday > a.month * 100 + a.day).astype("int64")


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of each day number (days since 1970-01-01), proleptic Gregorian.

    Notes
    -----
    H. Hinnant's ``civil_from_days`` (chrono-Compatible Low-Level Date
    Algorithms), on whole arrays: 400-year eras of 146,097 days, years
    starting 1 March so that the leap day ends the year::

        z = days + 719468;  era = z // 146097;  doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100);  mp = (5 * doy + 2) // 153
        day = doy - (153 * mp + 2) // 5 + 1;  month = mp + 3 if mp < 10 else mp - 9
        year = yoe + era * 400 + (month <= 2)

    >>> [v.tolist() for v in _civil(np.array([0, 19782, -1, 11016]))]
    [[1970, 2024, 1969, 2000], [1, 2, 12, 2], [1, 29, 31, 29]]
    """
    z = days.astype(np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year, month, day


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


#: The characters ``str.strip`` removes that ASCII text can hold (``str.isspace``), line feed aside.
_ASCII_SPACE: tuple[str, ...] = tuple(c for c in map(chr, range(128)) if c.isspace() and c != "\n")


def _trimmed_folded(texts: np.ndarray) -> np.ndarray:
    """Texts trimmed and case-folded (``str.strip().casefold()`` of each).

    Child IDs are nearly always already so (digits, or a code in lower case,
    without spaces): that is checked on all of them joined by line feeds into
    one ASCII text, by character searches at C speed, and they are then
    returned as they are. Where the joined text holds whitespace other than
    the line feeds that join it (or an ID holds a line feed), a character
    outside ASCII or an upper-case letter, each ID is trimmed and folded.

    >>> _trimmed_folded(np.array(["a1", "B2 ", "", "\tc"], dtype=object)).tolist()
    ['a1', 'b2', '', 'c']
    >>> ids = np.array(["a1", "b2", ""], dtype=object)
    >>> _trimmed_folded(ids) is ids
    True
    """
    joined = "\n".join(texts)
    if (
        joined.isascii()
        and joined.count("\n") == max(len(texts) - 1, 0)
        and not any(c in joined for c in _ASCII_SPACE)
        and joined.lower() == joined
    ):
        return texts
    return np.array([v.strip().casefold() for v in texts], dtype=object)


#: Digits a Child ID may have for :func:`_digit_keys` (its number fits an int64).
_DIGIT_KEY_WIDTH = 18


def _digit_keys(texts: np.ndarray) -> np.ndarray | None:
    """Codes for Child IDs that are all whole numbers written plainly; None if any is not.

    Where every ID is ASCII digits without a leading zero (``"0"`` aside) or
    blank, two IDs are equal as text exactly when their numbers are equal:
    the numbers are built at C speed, a digit position at a time, and coded
    by :func:`_sorted_codes` (no hashing of text). A blank ID gives -1.

    >>> _digit_keys(np.array(["12", "7", "", "12", "0"], dtype=object)).tolist()
    [3, 2, -1, 3, 1]
    >>> _digit_keys(np.array(["12", "012"], dtype=object)) is None  # "012" is not "12"
    True
    >>> _digit_keys(np.array(["12", "A7"], dtype=object)) is None
    True
    """
    n = len(texts)
    joined = "\n".join(texts)
    if not n or not joined.isascii():
        return None
    raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
    if not len(raw):
        return np.full(n, -1, dtype=np.int64)  # one ID, blank
    breaks = np.flatnonzero(raw == 10)
    if len(breaks) != n - 1:
        return None  # an ID holds a line feed
    starts = np.concatenate(([0], breaks + 1))
    lengths = np.concatenate((breaks, [len(raw)])) - starts
    if lengths.max() > _DIGIT_KEY_WIDTH or not (((raw - 48) <= 9) | (raw == 10)).all():
        return None
    if ((lengths > 1) & (raw[np.minimum(starts, len(raw) - 1)] == 48)).any():
        return None  # a leading zero: "012" and "12" differ as text
    digit = raw - np.uint8(48)  # a line feed's value is never read
    width = int(lengths.max())
    ends = starts + lengths
    lead = width - lengths  # the number right-aligned in `width` digits, led by zeros
    number = np.zeros(n, dtype=np.int64)
    for position in range(width):
        value = digit.take(ends + (position - width), mode="clip")
        value *= lead <= position
        number *= 10
        number += value
    blank = lengths == 0
    given = number[~blank]
    if (given[1:] > given[:-1]).all():  # distinct and in order, as extracts often are
        codes = np.cumsum(~blank) - 1
    else:
        codes = _sorted_codes(np.where(blank, -1, number))
    codes[blank] = -1
    return codes


def _id_keys(values: pd.Series) -> np.ndarray:
    """A code per row comparing Child IDs trimmed and case-insensitively; -1 for a blank ID.

    A column of numbers (blanks aside), as Excel holds numeric IDs, is
    compared as numbers; anything else through its text.
    """
    arr = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(arr, skipna=False) == "string":  # all text, as CSV holds IDs
        digits = _digit_keys(arr)  # plain numbers are already trimmed and folded
        if digits is not None:
            return digits
        keys = _trimmed_folded(arr)
        codes = pd.factorize(keys)[0]
        return np.where(keys == "", -1, codes)
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
    notes : tuple of str
        What the counts assumed about the data, for the person to check
        (dates that read either way were read as UK day/month/year).
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
    notes: tuple[str, ...] = ()

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


#: The date columns of an extract.
DATE_COLUMNS: tuple[str, ...] = ("Date of birth", "Plan start date", "Plan end date")

#: Rows named in a message or a detail before "and N more": keeps every message, and
#: every line of the data-quality list, short whatever the extract's size.
SHOWN_ROWS = 5


@dataclass(frozen=True)
class PlanDates:
    """The three date columns of an extract, parsed (:func:`plan_dates`)."""

    dob: DateColumn
    start: DateColumn
    end: DateColumn
    notes: tuple[str, ...]


def _rows_shown(rows: np.ndarray) -> str:
    """'3, 9, 12' or '3, 9, 12, 15, 20 and 1,204 more' (rows already 1-based)."""
    shown = ", ".join(str(int(r)) for r in rows[:SHOWN_ROWS])
    more = len(rows) - SHOWN_ROWS
    return shown if more <= 0 else f"{shown} and {more:,} more"


def plan_dates(extract: pd.DataFrame, header_row: int, argument: str) -> PlanDates:
    """Parse the date columns; refuse a column of US dates; note UK readings.

    Rule
    ----
    Text dates with ``/`` (or ``.``, ``-``) are UK day/month/year, the form
    English case-management systems and DfE's SEN2 guidance use. A text date
    that can only be month/day/year (``09/13/2019``: month 13) means the
    column was exported in the US form, and every other date in it may have
    been read with day and month swapped (``09/01/2019`` as 9 January, not
    1 September), so the whole extract is refused, naming the column and the
    first rows. Dates that read either way (``09/01/2019``) in a column with no
    such date are read as UK dates and said so in the notes: never silently.

    Raises
    ------
    InputError
        Naming the spreadsheet row, column and value of the first US-form
        dates of each such column.

    Examples
    --------
    >>> x = pd.DataFrame({"Date of birth": ["09/01/2015", "2015-01-01"],
    ...     "Plan start date": ["2020-01-01"] * 2, "Plan end date": None})
    >>> plan_dates(x, 1, "extract.csv").notes[0]  # doctest: +ELLIPSIS
    "Date of birth: 1 date such as '09/01/2015' could be read either way; read as UK ..."
    >>> x.loc[1, "Date of birth"] = "01/31/2015"
    >>> plan_dates(x, 1, "extract.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    models.errors.InputError: extract.csv row 3, column 'Date of birth': '01/31/2015' cannot be day/month/year (month 31): ...
    """
    columns = {name: date_column(extract[name]) for name in DATE_COLUMNS}
    problems: list[Problem] = []
    notes: list[str] = []
    for name, column in columns.items():
        us = np.flatnonzero(column.month_first)
        raw = extract[name]
        if len(us):
            value = str(raw.iloc[us[0]]).strip()
            month = int(re.split(r"[/.-]", value)[1])
            problems.append(
                Problem(
                    argument,
                    f"row {us[0] + 1 + header_row}, column '{name}'",
                    f"{value!r} cannot be day/month/year (month {month}): the column looks "
                    f"like US month/day/year dates (rows {_rows_shown(us + 1 + header_row)}), "
                    "and its other dates may have been read with day and month swapped. "
                    "Dates written with '/' are read as UK day/month/year: export the extract "
                    "with ISO dates (2019-09-13) or UK dates (13/09/2019)",
                )
            )
            continue
        either = np.flatnonzero(column.either_way)
        if len(either):
            value = str(raw.iloc[either[0]]).strip()
            when = column.dates.iloc[either[0]]
            count = f"{len(either):,} date{'s' if len(either) > 1 else ''}"
            notes.append(
                f"{name}: {count} such as {value!r} could be read either way; read as UK "
                f"day/month/year ({when.day} {when.strftime('%B %Y')}), as are all dates "
                "written with '/'"
            )
    if problems:
        raise InputError(problems)
    return PlanDates(
        dob=columns["Date of birth"],
        start=columns["Plan start date"],
        end=columns["Plan end date"],
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class PlanStatus:
    """Each plan's dates against the census (:func:`plan_status`)."""

    has_start: np.ndarray
    has_end: np.ndarray
    ends_before_start: np.ndarray
    active: np.ndarray
    ended_before: np.ndarray
    starts_after: np.ndarray


def plan_status(dates: PlanDates, census: pd.Timestamp) -> PlanStatus:
    """Which plans are active on the census date.

    Rule
    ----
    Active when ``Plan start date <= census`` and (``Plan end date`` blank or
    ``>= census``): a plan ending on the census day is still active on it
    (DfE SEN2 guidance: plans maintained on census day). A plan whose start
    date is missing or not a date, whose end date is not a date, or which ends
    before it starts is never active (its row is a problem).

    Notes
    -----
    ::

        active = start known and end not bad and start <= census
                 and (end blank or end >= census) and not (end < start)
    """
    start, end = dates.start.dates.to_numpy(), dates.end.dates.to_numpy()
    census_v = np.datetime64(census.to_datetime64(), "ns")
    has_start, has_end = ~np.isnat(start), ~np.isnat(end)
    ends_before_start = has_start & has_end & (end < start)
    active = (
        has_start
        & ~dates.end.bad
        & (start <= census_v)
        & (~has_end | (end >= census_v))
        & ~ends_before_start
    )
    return PlanStatus(
        has_start=has_start,
        has_end=has_end,
        ends_before_start=ends_before_start,
        active=active,
        ended_before=has_end & (end < census_v),
        starts_after=has_start & (start > census_v),
    )


def placement_categories(placement: pd.Series, labels: Mapping[str, str]) -> np.ndarray:
    """Each row's category index in :data:`PLACEMENT_CATEGORIES`; -1 unmapped, -2 blank.

    Rule
    ----
    The placement label, trimmed, spaces collapsed and case-folded
    (:func:`normalise_label`), looked up in the mapping; distinct labels are
    looked up once.

    >>> placement_categories(pd.Series([" academy", "Farm", None]),
    ...                      {"academy": PLACEMENT_CATEGORIES[0]}).tolist()
    [0, -1, -2]
    """
    codes, uniques = pd.factorize(placement, use_na_sentinel=True)
    index = {c: i for i, c in enumerate(PLACEMENT_CATEGORIES)}
    keys = [normalise_label(v) for v in uniques]
    of_unique = [-2 if not k else index.get(labels.get(k, ""), -1) for k in keys]
    return np.array([*of_unique, -2], dtype="int64")[codes]


def duplicate_plans(id_key: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Rows whose child has more than one active plan.

    Rule
    ----
    Child IDs compare trimmed and case-insensitively (:func:`_id_keys`).
    Every row of such a group is a problem and none is counted: choosing one
    would choose a placement category, which is the officer's decision. An
    ended plan beside an active one is not a duplicate. Linear in the rows
    (one count per ID).

    >>> duplicate_plans(np.array([0, 0, 1, 1, -1, -1]),
    ...                 np.array([True, True, True, False, True, True])).tolist()
    [True, True, False, False, False, False]
    """
    rows = np.flatnonzero(active & (id_key >= 0))
    per_key = np.bincount(id_key[rows], minlength=1)
    duplicate = np.zeros(len(id_key), dtype=bool)
    duplicate[rows[per_key[id_key[rows]] > 1]] = True
    return duplicate


@dataclass(frozen=True)
class Check:
    """One problem rule: its reason, the rows it finds and their detail text."""

    reason: str
    rows: np.ndarray
    detail: Any  # str, or a function of the row positions giving one text per row


def problem_checks(
    extract: pd.DataFrame,
    dates: PlanDates,
    status: PlanStatus,
    category: np.ndarray,
    id_key: np.ndarray,
    age: np.ndarray,
    census: pd.Timestamp,
    age_on: pd.Timestamp,
) -> list[Check]:
    """The problem rules, in the order the data-quality list gives them.

    Rule
    ----
    Checked on every row, since without them it cannot be known whether the
    plan was active: plan start date missing or not a date; plan end date not
    a date; plan ending before it starts. Checked on the active plans only
    (the ones counted): Child ID blank; date of birth missing, not a date or
    after the census date; age outside 0-25 (SEN2 age, :func:`sen2_age`);
    placement blank or not in the mapping; more than one active plan for one
    child (:func:`duplicate_plans`).
    """
    active = status.active
    dob = dates.dob.dates.to_numpy()
    census_v = np.datetime64(census.to_datetime64(), "ns")
    has_dob = ~np.isnat(dob)
    dob_future = has_dob & (dob > census_v)
    top = max(hi for _, hi in AGE_BANDS.values())
    start, end, dob_s = dates.start.dates, dates.end.dates, dates.dob.dates

    def not_a_date(column: str) -> Any:
        raw = extract[column].reset_index(drop=True)
        return lambda idx: (
            column + ": '" + raw.iloc[idx].astype(str).str.slice(0, 40) + ("' is not a date")
        )

    raw_place = extract["Placement type"].reset_index(drop=True)
    return [
        Check("Missing Child ID", active & (id_key < 0), "Child ID is blank"),
        Check("Missing date", dates.start.missing, "Plan start date is blank"),
        Check("Missing date", active & dates.dob.missing, "Date of birth is blank"),
        Check("Not a date", dates.start.bad, not_a_date("Plan start date")),
        Check("Not a date", dates.end.bad, not_a_date("Plan end date")),
        Check("Not a date", active & dates.dob.bad, not_a_date("Date of birth")),
        Check(
            "Plan ends before it starts",
            status.ends_before_start,
            lambda idx: (
                "Plan end date "
                + _iso(end.iloc[idx])
                + " is before Plan start date "
                + _iso(start.iloc[idx])
            ),
        ),
        Check(
            "Date in the future",
            active & dob_future,
            lambda idx: (
                "Date of birth "
                + _iso(dob_s.iloc[idx])
                + " is after the census date "
                + census.date().isoformat()
            ),
        ),
        Check(
            "Age outside 0-25",
            active & has_dob & ~dob_future & (age > top),
            lambda idx: (
                "age "
                + pd.Series(age[idx]).astype(str)
                + " on "
                + age_on.date().isoformat()
                + " (Date of birth "
                + _iso(dob_s.iloc[idx])
                + ")"
            ),
        ),
        Check("Unmapped placement type", active & (category == -2), "Placement type is blank"),
        Check(
            "Unmapped placement type",
            active & (category == -1),
            lambda idx: (
                "'"
                + raw_place.iloc[idx].astype(str).str.strip().reset_index(drop=True)
                + "' is not in the placement mapping"
            ),
        ),
        Check(
            "Duplicate active plan",
            duplicate_plans(id_key, active),
            lambda idx: _duplicate_detail(id_key, idx),
        ),
    ]


def problem_list(checks: list[Check], child_id: pd.Series, header_row: int) -> pd.DataFrame:
    """The data-quality list: one line per row and reason, in row order, then rule order.

    Columns :data:`PROBLEM_COLUMNS`; ``Spreadsheet row = Data row + header_row``.
    """
    pieces: list[pd.DataFrame] = []
    for order, check in enumerate(checks):
        idx = np.flatnonzero(check.rows)
        if not len(idx):
            continue
        if isinstance(check.detail, str):
            detail = np.full(len(idx), check.detail, dtype=object)
        else:
            detail = pd.Series(check.detail(idx)).to_numpy(dtype=object)
        pieces.append(
            pd.DataFrame(
                {
                    "Data row": idx + 1,
                    "Spreadsheet row": idx + 1 + header_row,
                    "Child ID": _id_text(child_id.iloc[idx].to_numpy(dtype=object)),
                    "Reason": check.reason,
                    "Detail": detail,
                    "_order": order,
                }
            )
        )
    if not pieces:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if "row" in c else object) for c in PROBLEM_COLUMNS}
        )
    return (
        pd.concat(pieces, ignore_index=True)
        .sort_values(["Data row", "_order"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def count_by_category(category: np.ndarray, counted: np.ndarray) -> pd.Series:
    """Plans counted per placement category, then ``Total``.

    RETURN.md, "EHCP numbers": the seven categories.
    """
    counts = np.bincount(category[counted], minlength=len(PLACEMENT_CATEGORIES))
    return pd.Series(
        [*counts.astype(int).tolist(), int(counted.sum())],
        index=[*PLACEMENT_CATEGORIES, TOTAL],
        dtype="int64",
    )


def count_by_age(age: np.ndarray, counted: np.ndarray) -> pd.Series:
    """Plans counted per age group, then ``Total by age group``.

    RETURN.md, "EHCP numbers": the five age groups; an age of -1 (born after
    31 August, by the census) is ``Under 5``.
    """
    top = max(hi for _, hi in AGE_BANDS.values())
    group_of = np.array([AGE_GROUPS.index(age_group(max(a, 0))) for a in range(-1, top + 1)])
    counts = np.bincount(group_of[age[counted] + 1], minlength=len(AGE_GROUPS))
    return pd.Series(
        [*counts.astype(int).tolist(), int(counts.sum())],
        index=[*AGE_GROUPS, TOTAL_BY_AGE],
        dtype="int64",
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
        Counts (number of plans), the problem list, the rows left out and
        the notes on what was assumed.

    Raises
    ------
    InputError
        A missing column; a date column in US month/day/year form
        (:func:`plan_dates`).

    Notes
    -----
    The steps, each a function with its rule: :func:`plan_dates`,
    :func:`plan_status`, :func:`placement_categories`, :func:`sen2_age`,
    :func:`problem_checks` (with :func:`duplicate_plans`),
    :func:`problem_list`, :func:`count_by_category`, :func:`count_by_age`.
    Every row is exactly one of counted, excluded or not active::

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

    dates = plan_dates(extract, header_row, argument)
    status = plan_status(dates, census_ts)
    category = placement_categories(extract["Placement type"], labels)
    age = sen2_age(dates.dob.dates, census_ts)
    id_key = _id_keys(extract["Child ID"])
    checks = problem_checks(extract, dates, status, category, id_key, age, census_ts, age_on)

    problem = np.zeros(len(extract), dtype=bool)
    for check in checks:
        problem |= check.rows
    counted = status.active & ~problem
    clean_inactive = ~problem & ~status.active
    return CaseloadCounts(
        by_category=count_by_category(category, counted),
        by_age=count_by_age(age, counted),
        problems=problem_list(checks, extract["Child ID"], header_row),
        rows=len(extract),
        excluded=int(problem.sum()),
        not_active=int(clean_inactive.sum()),
        ended_before=int((clean_inactive & status.ended_before).sum()),
        starts_after=int((clean_inactive & status.starts_after).sum()),
        census=census_ts,
        age_on=age_on,
        notes=dates.notes,
    )


def _iso(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%Y-%m-%d").reset_index(drop=True).astype(object)


def _duplicate_detail(key: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """'active plans for this child in data rows 3, 9' for each row of a duplicate group.

    A group's text is built once and shared by its rows, naming at most
    :data:`SHOWN_ROWS` rows then "and N more": memory stays linear however
    many rows share one Child ID (listing every row in every row's detail
    would take N squared).

    >>> _duplicate_detail(np.array([4, 4, 7, 4]), np.array([0, 1, 3])).tolist()
    ['active plans for this child in data rows 1, 2, 4', 'active plans for this child in data rows 1, 2, 4', 'active plans for this child in data rows 1, 2, 4']
    """
    keys = key[idx]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(order)]
    text = np.empty(len(idx), dtype=object)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        members = order[a:b]
        text[members] = "active plans for this child in data rows " + _rows_shown(idx[members] + 1)
    return text
