"""EHCP_FORECAST: EHC plans by age group in the coming censuses, from one council's ages.

The Excel function (METHOD.md, "EHCP_FORECAST") is the single-council,
ages-only form of the cohort model of :mod:`models.forecast`. A workbook
holds one council's plans by single age, not the national files the full
model is calibrated on, so this form keeps the model's age step and drops
what needs every council and the placements:

- **State.** ``n_t[a]``: plans by single age ``a`` (0-25, age on 31 August
  before the January census ``t``), from ``history_by_age``. DfE's ``under
  3`` row is split equally over ages 0, 1 and 2 (:func:`models.forecast.split_bands`'s
  rule); an age without a row counts 0 (DfE leaves such rows out).
- **Age step, ratio form** (no ``new_plans_by_age``)::

      r[a]       = sum_t n_t+1[a] / sum_t n_t[a - 1]   (a >= 1; r[0] uses n_t[0])
      n_t+1[a]   = r[a] * n_t[a - 1],   n_t+1[0] = r[0] * n_t[0]

  summed over the last :data:`WINDOW` pairs of consecutive censuses in the
  history (the model's default window, :data:`models.forecast.DEFAULT_SETTINGS`).
  ``r`` is the cohort progression ratio, the net of plans joining and
  ceasing at that age (DfE's pupil projection method). The full model shrinks
  each council's ratio toward its region's and England's; one council on its
  own has no region in the workbook, so ``k = 0`` (a value the full model's
  own search, :data:`models.forecast.K_GRID`, includes). An age whose cohort
  below had no plans in any pair takes the pooled ratio of its age group,
  and an age group without any plans the ratio 1 (the cohort holds).
- **Age step, flows form** (``new_plans_by_age`` given): the ratio splits into
  the plans that stay and the plans that join::

      stay[a]    = sum_t (n_t+1[a] - new_t[a]) / sum_t n_t[a - 1]
      n_t+1[a]   = max(stay[a] * n_t[a - 1] + new_last[a], 0)

  where ``new_t`` are the new plans of calendar year ``t`` (published with
  the census of ``t + 1``, so they fall between censuses ``t`` and ``t + 1``),
  summed over the pairs that have them, and ``new_last`` those of the latest
  calendar year given: the intake is assumed to hold at its latest level,
  where the ratio form assumes it grows with the cohort below. New plans
  count the age when the plan started, not the census age, so ``stay`` may
  exceed 1 at ages 3-4 (DfE's timing, not an error). ``age 2 and under`` is
  spread over 0-2 and ``age 20 and over`` over 20-25.
- **Placements** are not modelled (a workbook's history has no age by
  placement table); a council wanting the categories uses ``dsg forecast``.

Intervals
---------
P10 and P90 come from the errors of this same form, measured on every
council in DfE's age bands (2010-2022 release) at origins 2019, 2020 and 2021
(forecasting 2020-2022), fitted only on the censuses up to each origin
(:func:`calibrate_intervals`). Earlier origins are left out: their windows
reach into the statement-to-plan conversion (2014-2018), when plans to age 25
were new and the 20-25 group grew in a way that does not recur; the full model
likewise reads its intervals from its latest origins. The 10th and 90th percentiles
of the one-year log errors, per age group and for ``Total``, are
:data:`ONE_YEAR_LOG_ERRORS`; at ``h`` years they are multiplied by ``h``
(an error in a growth rate compounds), as :func:`models.forecast.interval_quantiles`
does::

    P50 = F,   P10 = (F + 1) * exp(h * q_lo) - 1,   P90 = (F + 1) * exp(h * q_hi) - 1

with ``q_lo <= 0 <= q_hi``, so ``P10 <= P50 <= P90`` in every cell.

Single ages are published for January 2024 and 2025 only, one pair with no
later census to score, so the errors are measured on the bands split equally
over their ages: they include that approximation and are, if anything, wide
for a council giving single ages. The errors lean negative (this form ran
above the outcome in 2020-2022), so the band is not symmetric around the P50.
Where a council has few plans under 3, the ``Under 5`` row follows them and is
noisy (the ratio at age 3 and above is read from few plans).

References
----------
METHOD.md, "EHCP_FORECAST(history_by_age, [new_plans_by_age], [horizon], [statistic])".
DfE, "Education, health and care plans" (2025 release: caseload by single age,
new plans by age when the plan started; 2022 release: caseload by age band).
DfE, "National pupil projections" methodology (cohort progression ratios).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from models.categories import AGE_BANDS, AGE_GROUPS, TOTAL
from models.errors import InputError, Problem, Problems, show
from models.forecast import AGES, DEFAULT_SETTINGS, split_bands
from models.validation import (
    MAX_PROBLEMS,
    MAX_TABLE_ROWS,
    MAX_YEARS,
    ResultTable,
    check_finite,
    is_blank,
    parse_number,
    read_scalar,
    rows_of,
)

#: Pairs of consecutive censuses the ratios are summed over (the full model's default window).
WINDOW = DEFAULT_SETTINGS[1]
#: The statistics the function returns, in the order METHOD.md lists them.
STATISTICS: tuple[str, ...] = ("P50", "P10", "P90")
#: Rows of the result: the five age groups, then Total.
ROWS: tuple[str, ...] = (*AGE_GROUPS, TOTAL)
#: Horizons the function accepts (censuses ahead).
MIN_HORIZON, MAX_HORIZON, DEFAULT_HORIZON = 1, 10, 3
#: (6, 2): 10th and 90th percentiles of the one-year log errors of this form, per age group
#: then Total, measured by :func:`calibrate_intervals` on DfE's age bands (every council,
#: origins 2019-2021); ``tests/test_ehcp_forecast.py`` recomputes them from the DfE file.
ONE_YEAR_LOG_ERRORS = np.array(
    [
        [-0.397930, 0.342860],
        [-0.104231, 0.092362],
        [-0.040850, 0.074157],
        [-0.165642, 0.100301],
        [-0.517542, 0.167675],
        [-0.090204, 0.047669],
    ]
)
#: Origins whose one-year errors make the interval (module notes, "Intervals").
CALIBRATION_ORIGINS: tuple[int, ...] = (2019, 2020, 2021)

_BAND_OF_AGE = np.array(
    [j for j, (lo, hi) in enumerate(AGE_BANDS.values()) for _ in range(lo, hi + 1)]
)
_AGE_LABEL = re.compile(r"^(?:age\s*)?(\d{1,2})(?:\.0+)?$")


# --- Reading the arguments ---------------------------------------------------------------


def age_span(label: Any) -> tuple[int, int] | None:
    """The ages (lowest, highest) a DfE age label covers, or None.

    Examples
    --------
    >>> [age_span(x) for x in ("under 3", "Age 3", " 25 ", 7.0, "age 2 and under", "26", "x")]
    [(0, 2), (3, 3), (25, 25), (7, 7), (0, 2), None, None]
    >>> age_span("age 20 and over")
    (20, 25)
    """
    if isinstance(label, bool):
        return None
    if isinstance(label, (int, float)) and not isinstance(label, bool):
        if not math.isfinite(float(label)) or float(label) != int(label):
            return None
        label = str(int(label))
    text = " ".join(str(label).strip().casefold().split())
    if text in ("under 3", "age under 3", "2 and under", "age 2 and under"):
        return (0, 2)
    if text in ("20 and over", "age 20 and over"):
        return (20, 25)
    m = _AGE_LABEL.match(text)
    if m and 0 <= int(m.group(1)) < AGES:
        return (int(m.group(1)), int(m.group(1)))
    return None


def _year(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and math.isfinite(float(value)):
        x = float(value)
        return int(x) if x == int(x) and 1990 <= x <= 2100 else None
    text = str(value).strip()
    return (
        int(text) if re.fullmatch(r"(19|20|21)\d\d", text) and 1990 <= int(text) <= 2100 else None
    )


def _at_most(problems: list[Problem], argument: str) -> list[Problem]:
    """The first :data:`~models.validation.MAX_PROBLEMS` problems, then how many more."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [
        *problems[:MAX_PROBLEMS],
        Problem(argument, "", f"and {rest:,} more problems not listed"),
    ]


def read_age_table(value: Any, argument: str, what: str) -> tuple[list[int], np.ndarray]:
    """A table ``Age | <year> | <year> ...`` as (years ascending, (Y, 26) plans by single age).

    ``what`` words the years in messages (``census year``, ``calendar year``).
    Every bad cell is reported at once, by row (1-based data row and its age
    label) and column (its year). Trailing all-blank rows and columns are ignored.

    Examples
    --------
    >>> years, n = read_age_table([["Age", 2025, "2024"], ["under 3", 3, 6], ["age 4", 1, 2]],
    ...                           "history_by_age", "census year")
    >>> years, n[:, :5].tolist()
    ([2024, 2025], [[2.0, 2.0, 2.0, 0.0, 2.0], [1.0, 1.0, 1.0, 0.0, 1.0]])
    """
    rows = [list(r) for r in rows_of(value)]
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows or all(is_blank(v) for v in rows[0]):
        raise InputError([Problem(argument, "", f"is empty: give a table Age | <{what}> ...")])
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    while width > 1 and all(is_blank(r[width - 1]) for r in rows):
        width -= 1
    rows = [r[:width] for r in rows]
    if len(rows) - 1 > MAX_TABLE_ROWS:
        raise InputError(
            [Problem(argument, "", f"has {len(rows) - 1:,} rows: at most {MAX_TABLE_ROWS:,}")]
        )
    header = rows[0]
    heads = ["" if is_blank(h) else str(h).strip().casefold() for h in header]
    if heads.count("age") != 1:
        raise InputError(
            [
                Problem(
                    argument,
                    "header",
                    f"needs one column 'Age' and one column per {what} (e.g. 2024, 2025)",
                )
            ]
        )
    age_col = heads.index("age")
    problems: list[Problem] = []
    year_cols: list[tuple[int, int]] = []
    for j, h in enumerate(header):
        if j == age_col:
            continue
        y = _year(h)
        if y is None:
            problems.append(
                Problem(argument, f"column {j + 1}", f"header {show(h)} is not a {what} like 2025")
            )
        elif y in [c for c, _ in year_cols]:
            problems.append(Problem(argument, f"column {j + 1}", f"{what} {y} appears twice"))
        else:
            year_cols.append((y, j))
    if len(year_cols) > MAX_YEARS:
        problems.append(Problem(argument, "", f"has {len(year_cols)} years: at most {MAX_YEARS}"))
    if problems:
        raise InputError(_at_most(problems, argument))
    year_cols.sort()
    years = [y for y, _ in year_cols]
    plans = np.zeros((len(years), AGES))
    seen: dict[int, int] = {}
    for i, r in enumerate(rows[1:], start=1):
        label = r[age_col]
        span = age_span(label)
        place = f"row {i}"
        if span is None:
            why = "is blank" if is_blank(label) else f"{show(label)} is not an age DfE publishes"
            problems.append(
                Problem(
                    argument,
                    f"{place}, column 'Age'",
                    f"{why}: give 'under 3', '3' ... '25' (or 'age 3' ...)",
                )
            )
            continue
        lo, hi = span
        clash = [a for a in range(lo, hi + 1) if a in seen]
        if clash:
            problems.append(
                Problem(
                    argument,
                    f"{place} {show(label)}, column 'Age'",
                    f"age {clash[0]} is already given on row {seen[clash[0]]}",
                )
            )
            continue
        for a in range(lo, hi + 1):
            seen[a] = i
        for k, (y, j) in enumerate(year_cols):
            x, err = parse_number(r[j])
            if err is None and x is not None and x < 0:
                err = f"{x:g} plans is negative"
            if err is not None or x is None:
                problems.append(
                    Problem(argument, f"{place} {show(label)}, column '{y}'", str(err or "blank"))
                )
                continue
            plans[k, lo : hi + 1] += x / (hi - lo + 1)
    if problems:
        raise InputError(_at_most(problems, argument))
    if len(rows) == 1:
        raise InputError([Problem(argument, "", "has no rows of ages")])
    return years, plans


def read_history(value: Any) -> tuple[list[int], np.ndarray]:
    """``history_by_age`` read (:func:`read_age_table`): consecutive censuses, at least two.

    >>> read_history([["Age", 2023, 2025], ["age 3", 1, 2]])
    Traceback (most recent call last):
    ...
    models.errors.InputError: history_by_age header: censuses must be consecutive January censuses: a gap from 2023 to 2025
    """
    years, plans = read_age_table(value, "history_by_age", "census year")
    if len(years) < 2:
        raise InputError(
            [
                Problem(
                    "history_by_age",
                    "",
                    f"has {len(years)} census ({', '.join(map(str, years))}): give at least "
                    "two consecutive January censuses",
                )
            ]
        )
    gaps = [f"{a} to {b}" for a, b in zip(years, years[1:], strict=False) if b != a + 1]
    if gaps:
        raise InputError(
            [
                Problem(
                    "history_by_age",
                    "header",
                    f"censuses must be consecutive January censuses: a gap from {gaps[0]}",
                )
            ]
        )
    if plans[-1].sum() <= 0:
        raise InputError(
            [
                Problem(
                    "history_by_age",
                    f"column '{years[-1]}'",
                    "has no plans at the latest census",
                )
            ]
        )
    return years, plans


def read_statistic(value: Any) -> str:
    """``P50`` (default), ``P10`` or ``P90``, matched ignoring case and spaces.

    >>> read_statistic(None), read_statistic([[" p90 "]])
    ('P50', 'P90')
    """
    cells = [v for r in rows_of(value) for v in r] if value is not None else []
    if len(cells) > 1:
        raise InputError([Problem("statistic", "", f"has {len(cells):,} values: give one value")])
    if not cells or is_blank(cells[0]):
        return "P50"
    text = str(cells[0]).strip().upper()
    if text not in STATISTICS:
        raise InputError(
            [Problem("statistic", "", f"{show(cells[0])} is not one of P50, P10, P90")]
        )
    return text


def read_horizon(value: Any) -> int:
    """Censuses ahead, a whole number from 1 to 10 (default 3).

    >>> read_horizon(None), read_horizon([[5]])
    (3, 5)
    """
    h = read_scalar(
        value,
        "horizon",
        minimum=MIN_HORIZON,
        maximum=MAX_HORIZON,
        default=DEFAULT_HORIZON,
    )
    if h != int(h):
        raise InputError(
            [Problem("horizon", "", f"{h:g} is not a whole number of years from 1 to 10")]
        )
    return int(h)


def consecutive_pairs(years: list[int]) -> list[int]:
    """Positions ``i`` with ``years[i + 1] == years[i] + 1``.

    >>> consecutive_pairs([2019, 2020, 2022, 2023])
    [0, 2]
    """
    return [i for i in range(len(years) - 1) if years[i + 1] == years[i] + 1]


# --- The model ---------------------------------------------------------------------------


def _shift(n: np.ndarray) -> np.ndarray:
    """The cohort one year younger at each age: ``n[a - 1]``, and ``n[0]`` at age 0."""
    return np.concatenate([n[..., :1], n[..., :-1]], axis=-1)


def progression(history: np.ndarray, pairs: list[int], new: np.ndarray | None) -> np.ndarray:
    """(..., 26) the ratio ``r[a]`` (``new`` None) or the staying rate ``stay[a]`` (module notes).

    ``history`` is (..., Y, 26); ``new`` (..., Y, 26) the new plans of the
    calendar year of each census (between it and the next), NaN where not given.
    An age without exposure takes its age group's pooled rate, a group without
    any the rate 1 (the cohort holds, or in the flows form stays).

    Examples
    --------
    >>> n = np.stack([np.full(26, 10.0), np.full(26, 11.0)])
    >>> progression(n, [0], None)[[0, 5]].round(6).tolist()
    [1.1, 1.1]
    """
    num = np.zeros(history.shape[:-2] + (AGES,))
    exp = np.zeros_like(num)
    for t in pairs:
        after = history[..., t + 1, :]
        if new is not None:
            after = after - np.nan_to_num(new[..., t, :])
        num += after
        exp += _shift(history[..., t, :])
    band_num = np.stack([num[..., _BAND_OF_AGE == j].sum(-1) for j in range(len(AGE_BANDS))], -1)
    band_exp = np.stack([exp[..., _BAND_OF_AGE == j].sum(-1) for j in range(len(AGE_BANDS))], -1)
    with np.errstate(over="ignore", invalid="ignore"):
        band = np.divide(band_num, band_exp, out=np.ones_like(band_num), where=band_exp > 0)
        return np.divide(num, exp, out=band[..., _BAND_OF_AGE].copy(), where=exp > 0)


def project_ages(
    history: np.ndarray,
    pairs: list[int],
    horizon: int,
    new: np.ndarray | None = None,
) -> np.ndarray:
    """(..., horizon, 26) plans by single age 1 to ``horizon`` censuses after the last.

    Notes
    -----
    ::

        ratio form:  n_t+1[a] = r[a] * n_t[a - 1]
        flows form:  n_t+1[a] = max(stay[a] * n_t[a - 1] + new_last[a], 0)

    ``new_last`` is the latest calendar year of ``new`` with any value.

    Examples
    --------
    >>> n = np.stack([np.full(26, 10.0), np.full(26, 11.0)])
    >>> project_ages(n, [0], 2)[:, 5].round(6).tolist()
    [12.1, 13.31]
    """
    rate = progression(history, pairs, new)
    n = history[..., -1, :]
    intake = np.zeros_like(n)
    if new is not None:
        given = ~np.isnan(new).all(-1)
        last = np.flatnonzero(given.reshape(-1, given.shape[-1]).any(0))[-1]
        intake = np.nan_to_num(new[..., last, :])
    out = []
    for _ in range(horizon):
        prev = _shift(n)
        with np.errstate(over="ignore", invalid="ignore"):
            n = np.maximum(np.where(prev > 0, rate * prev, 0.0) + intake, 0.0)
        out.append(n)
    return np.stack(out, axis=-2)


def by_group(ages: np.ndarray) -> np.ndarray:
    """(..., 6) the five age groups then Total from (..., 26) single ages.

    >>> by_group(np.ones(26)).tolist()
    [5.0, 6.0, 5.0, 4.0, 6.0, 26.0]
    """
    groups = np.stack([ages[..., _BAND_OF_AGE == j].sum(-1) for j in range(len(AGE_BANDS))], -1)
    return np.concatenate([groups, groups.sum(-1, keepdims=True)], axis=-1)


def bands_of(point: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """(H, 6, 3) P10, P50, P90 from (H, 6) point forecasts and (6, 2) one-year quantiles.

    Notes
    -----
    ::

        P10 = max((F + 1) * exp(h * min(q_lo, 0)) - 1, 0)
        P90 = (F + 1) * exp(h * max(q_hi, 0)) - 1

    Examples
    --------
    >>> b = bands_of(np.array([[99.0] * 6]), np.array([[np.log(0.9), np.log(1.2)]] * 6))
    >>> b[0, 0].round(6).tolist()
    [89.0, 99.0, 119.0]
    """
    h = np.arange(1, point.shape[0] + 1)[:, None]
    lo = np.minimum(quantiles[:, 0], 0.0)[None] * h
    hi = np.maximum(quantiles[:, 1], 0.0)[None] * h
    f = np.maximum(point, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        p10 = np.minimum(np.maximum((f + 1.0) * np.exp(lo) - 1.0, 0.0), f)
        p90 = np.maximum((f + 1.0) * np.exp(hi) - 1.0, f)
    return np.stack([p10, f, p90], axis=-1)


def calibrate_intervals(
    bands: np.ndarray, years: np.ndarray, origins: tuple[int, ...] = CALIBRATION_ORIGINS
) -> np.ndarray:
    """(6, 2) the 10th and 90th percentiles of this form's one-year log errors.

    Parameters
    ----------
    bands : numpy.ndarray
        (A, Y, 5) councils' plans by age group at January censuses ``years``
        (NaN where not published): DfE's 2022 release, as
        :class:`models.forecast.DemandData` holds it.
    years : numpy.ndarray
        (Y,) census years.

    Notes
    -----
    ::

        for each origin O: fit on the censuses O - WINDOW .. O (bands split equally
        over their ages), forecast O + 1 (ratio form) for councils with all of them
        e = log(actual + 1) - log(F + 1)            per age group and Total
        q = percentiles 10 and 90 of e, pooled over origins and councils

    Examples
    --------
    >>> b = np.array([[[5.0, 6.0, 5.0, 4.0, 6.0]] * 5])
    >>> calibrate_intervals(b, np.arange(2016, 2021), (2019,)).tolist()[0]
    [0.0, 0.0]
    """
    errors = []
    for origin in origins:
        idx = [int(np.flatnonzero(years == y)[0]) for y in range(origin - WINDOW, origin + 2)]
        window = bands[:, idx]
        ok = ~np.isnan(window).any((-1, -2))
        fit = split_bands(window[ok, :-1])
        point = by_group(project_ages(fit, list(range(WINDOW)), 1)[:, 0])
        actual = by_group(split_bands(window[ok, -1]))
        errors.append(np.log(actual + 1.0) - np.log(point + 1.0))
    e = np.concatenate(errors)
    return np.quantile(e, [0.1, 0.9], axis=0).T


# --- The function ------------------------------------------------------------------------


def ehcp_forecast_result(
    history_by_age: Any,
    new_plans_by_age: Any = None,
    horizon: Any = None,
    statistic: Any = None,
) -> ResultTable:
    """EHC plans by age group in the coming January censuses (one statistic).

    Parameters
    ----------
    history_by_age : table
        ``Age | <census year> ...``: plans by single age at two or more
        consecutive January censuses (``under 3``, ``3`` ... ``25``).
    new_plans_by_age : table, optional
        ``Age | <calendar year> ...``: new plans by age when the plan started.
    horizon : int, optional
        Censuses ahead, 1 to 10 (default 3).
    statistic : str, optional
        ``P50`` (default), ``P10`` or ``P90``.

    Returns
    -------
    ResultTable
        ``Age group | <census year> ...``, rows ``Under 5`` ... ``Age 20 to
        25`` and ``Total``: plans (unrounded).

    Notes
    -----
    See the module notes: the age step, then :func:`bands_of` with
    :data:`ONE_YEAR_LOG_ERRORS`. The history's censuses must be consecutive
    (a gap would hide a year's ageing); at most :data:`WINDOW` latest pairs are used.

    References
    ----------
    METHOD.md, "EHCP_FORECAST".

    Examples
    --------
    >>> hist = [["Age", 2024, 2025]] + [[f"age {a}", 10, 11] for a in range(3, 26)]
    >>> t = ehcp_forecast_result(hist, horizon=1)  # every age 11 x 1.1 = 12.1 a year on
    >>> t.header, [round(float(x), 6) for x in t.columns[1]][3:5]
    (['Age group', '2026'], [48.4, 72.6])
    >>> ehcp_forecast_result([["Age", 2025], ["age 3", 1]])
    Traceback (most recent call last):
    ...
    models.errors.InputError: history_by_age: has 1 census (2025): give at least two consecutive January censuses
    """
    found = Problems()
    history = found.run(read_history, history_by_age)
    new = (
        None
        if new_plans_by_age is None
        or all(is_blank(v) for r in rows_of(new_plans_by_age) for v in r)
        else found.run(read_age_table, new_plans_by_age, "new_plans_by_age", "calendar year")
    )
    h = found.run(read_horizon, horizon)
    stat = found.run(read_statistic, statistic)
    found.raise_if_any()
    assert history is not None and h is not None and stat is not None
    years, plans = history
    pairs = list(range(len(years) - 1))[-WINDOW:]
    new_by_census = None
    if new is not None:
        new_years, new_plans = new
        new_by_census = np.full((len(years), AGES), np.nan)
        for k, y in enumerate(new_years):
            if y in years:
                new_by_census[years.index(y)] = new_plans[k]
        pairs = [t for t in pairs if not np.isnan(new_by_census[t]).any()]
        if not pairs:
            raise InputError(
                [
                    Problem(
                        "new_plans_by_age",
                        "header",
                        f"no calendar year falls between two of the censuses "
                        f"{years[-WINDOW - 1 :][0]}-{years[-1]} (calendar year Y lies between "
                        "the censuses of January Y and January Y + 1)",
                    )
                ]
            )
    point = by_group(project_ages(plans, pairs, h, new_by_census))
    bands = bands_of(point, ONE_YEAR_LOG_ERRORS)[..., ("P10", "P50", "P90").index(stat)]
    forecast_years = [str(years[-1] + k) for k in range(1, h + 1)]
    table = ResultTable(["Age group", *forecast_years], [list(ROWS), *[bands[k] for k in range(h)]])
    return check_finite(table, "history_by_age")
