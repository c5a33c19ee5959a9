"""EHC plan demand forecast: a cohort model by single year of age and placement,
the naive baselines it is measured against, rolling-origin errors and intervals.

Pure numpy/pandas. The arrays come from :mod:`workbooks.demand_data`, which reads
the DfE files; every count is in plans (float, NaN where DfE did not publish it).

The cohort model
----------------
The state at a January census ``t`` is ``N_t[a, c]``: plans by single year of
age ``a`` (0 to 25, age on 31 August before the census, the SEN2 rule) and by
the seven placement categories ``c`` of :data:`models.categories.PLACEMENT_CATEGORIES`
(taken from :func:`models.ehcp_history.placement_categories`, so the mapping of
DfE columns to categories is the one the rest of the product uses). A year's
step (:func:`step`)::

    prev[a]       = N_t[a-1]             (a >= 1: the cohort one year younger ages by one year)
    prev[0]       = N_t[0]               (age 0: this year's intake stands on last year's)
    moved[a, :]   = prev[a, :] @ T[a]    (placement shifts with age: phase transfers)
    aged[a, :]    = min(r[a], 1) * moved[a, :]                        (plans ceasing net of joiners)
                  + max(r[a] - 1, 0) * sum(prev[a, :]) * s[a, :]      (plans joining net of ceasing)
    N_t+1[a, c]   = aged[a, c] * exp(d[c]) * sum(aged[a, :]) / sum_c aged[a, c] * exp(d[c])
                                         (the placement mix keeps drifting as it has lately)

``r[a]`` is the cohort progression ratio at age ``a``: plans aged ``a`` at
``t + 1`` per plan aged ``a - 1`` at ``t``. It is the net of the two flows by
age, new plans joining and plans ceasing (``r = 1 - ceased/prev + new/prev``,
:func:`flows`). The model is calibrated on the net because the flows by age
cannot be read off DfE's files for the years a forecast stands on: ceased
plans have no age at all (2022-2024, totals only), new plans by age start
in 2022 and count the age when the plan started, not the census age (so the
implied leavers come out negative at ages 3-4 in 2024), and plans moving
between councils appear in neither. Calibrating on the net is the method of
DfE's own pupil number projections ("cohort progression ratios") and of
councils' school place planning. Age 25 leaves the state (plans end at 26).
Where the ratio is below 1 the cohort shrinks in the placements it has after
the phase move; where it is above 1 the extra plans take the placement shares
``s[a, :]`` of that age.

Calibration (:func:`fit_cohort`), per council, at an origin census ``O``, only
on what DfE had published by then (:func:`published_by`):

- ``N_O``: plans by age and placement at ``O``. DfE publishes the joint table
  for January 2024 and 2025; before that only age bands (2010-2022, Under 5,
  5-10, 11-15, 16-19, 20-25) and the seven categories (2019 on). Single ages
  are derived from a band by an equal split over its ages
  (:func:`split_bands`); a year without ages (2023) takes the age shape of the
  latest earlier census with ages, scaled to its total; the joint table is
  the iterative proportional fit (:func:`proportional_fit`) of the region's
  published joint table (or, before 2024, :func:`structural_seed`: which
  placements are open at which age) to the council's age and category totals.
- ``r[a]``: summed over the last ``m`` pairs of consecutive censuses with ages
  at both ends (:func:`progression_ratios`), then shrunk toward the region and
  the region toward England (:func:`shrink`)::

      r_raw[a]   = sum_t num_t[a] / sum_t exp_t[a]
      r[a]       = w * r_raw[a] + (1 - w) * r_parent[a],  w = exp / (exp + k)

  the credibility weight of Buhlmann's empirical-Bayes estimator, with
  ``exp`` the plans at risk. ``k`` (plans) and ``m`` are chosen at each
  origin by a rolling-origin backtest on earlier origins only
  (:func:`choose_settings`), from ``K_GRID`` and ``WINDOW_GRID``.
- ``T[a]``: the least-movement transition (:func:`least_movement`) taking
  the placement shares at age ``a - 1`` to those at age ``a``, both read off
  ``N_O`` and shrunk like ``r`` (exposure: plans at that age).
- ``d[c]``: the yearly drift of category ``c``'s share of all plans over
  the last ``m`` years (:func:`share_drift`), shrunk the same way
  (exposure: the category's plans). Regions' and England's placement rates
  are pooled from the councils that returned placements (:func:`pooled`).

References
----------
DfE, "Education, health and care plans" (2025 release: caseload, new plans)
and the 2022 release (caseload by age band 2010-2022), SEN2 data guidance.
DfE, "National pupil projections" methodology (cohort progression ratios).
Buhlmann, H. and Gisler, A. (2005), *A Course in Credibility Theory*, ch. 4
(credibility weight n / (n + k)). Deming, W. E. and Stephan, F. F. (1940),
"On a least squares adjustment of a sampled frequency table" (iterative
proportional fitting).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from models.categories import AGE_BANDS, PLACEMENT_CATEGORIES, TOTAL
from models.errors import InputError, Problem

#: Single years of age, 0 to 25.
AGES = 26
#: The seven categories then ``Total``: the series every method forecasts.
SERIES: tuple[str, ...] = (*PLACEMENT_CATEGORIES, TOTAL)
#: Index of further education among the categories (none below age 16 in the seed).
POST16 = PLACEMENT_CATEGORIES.index("Post 16 and further education")
#: Index of other placements (open at every age in the seed).
OTHER = PLACEMENT_CATEGORIES.index("Other placements or direct payments")
#: Candidate credibility constants ``k`` (plans) for the shrinkage.
K_GRID: tuple[float, ...] = (0.0, 30.0, 100.0, 300.0, 1000.0, 3000.0)
#: Candidate windows ``m`` (pairs of consecutive censuses) for the ratios.
WINDOW_GRID: tuple[int, ...] = (1, 2, 3)
#: Settings used where no earlier origin can be scored.
DEFAULT_SETTINGS: tuple[float, int] = (300.0, 3)
#: Earlier origins scored when choosing ``k`` and ``m``.
SELECTION_ORIGINS = 3
#: Earlier origins whose errors make an interval (per horizon).
INTERVAL_ORIGINS = 5
#: Fewest errors an interval is read from; fewer fall back (see :func:`interval_quantiles`).
MIN_ERRORS = 30
#: Levels of the interval.
LOW, HIGH = 0.10, 0.90

COUNCIL, REGION, ENGLAND = 0, 1, 2


@dataclass(frozen=True)
class DemandData:
    """DfE EHC plan counts for every area, on one axis of January census years.

    Areas are councils, regions and England (``level`` 0, 1, 2); ``parent``
    is the index of the region of a council and of England for a region (-1
    for England). Arrays (A areas, Y years), NaN where not published:

    - ``total`` (A, Y): all plans at the census.
    - ``categories`` (A, Y, 7): plans by placement category.
    - ``ages`` (A, Y, 26): plans by single age where DfE published ages.
    - ``joint`` (A, Y, 26, 7): plans by age and category where published.
    - ``bands`` (A, Y, 5): plans by age band (2022 release).
    - ``new_plans`` (A, Y, 7): new plans by category in calendar year ``y``
      (published with the census of ``y + 1``).
    - ``new_by_age`` (A, Y, 26): new plans by age when the plan started,
      calendar year ``y`` (2022 on).
    - ``ceased`` (A, Y): plans ceased in calendar year ``y`` (2022 on).
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    level: np.ndarray
    parent: np.ndarray
    years: np.ndarray
    total: np.ndarray
    categories: np.ndarray
    ages: np.ndarray
    joint: np.ndarray
    bands: np.ndarray
    new_plans: np.ndarray
    new_by_age: np.ndarray
    ceased: np.ndarray
    #: Other codes of an area (ONS codes, case-folded) to its position.
    aliases: dict[str, int] = field(default_factory=dict)

    @property
    def councils(self) -> np.ndarray:
        """Indices of the councils."""
        return np.flatnonzero(self.level == COUNCIL)

    def find(self, code: str, argument: str = "--la") -> int:
        """Position of the council with 3-digit DfE code or ONS code ``code``.

        >>> sample_data().find("001"), sample_data().find(" e1 ")
        (0, 0)
        """
        key = str(code).strip().casefold()
        for i in self.councils:
            if self.codes[i].casefold() == key:
                return int(i)
        if key in self.aliases:
            return self.aliases[key]
        raise InputError(
            [
                Problem(
                    argument,
                    repr(str(code).strip()),
                    "is not a council in the DfE caseload file: give the 3-digit DfE code "
                    "(Cambridgeshire 873) or the ONS code (E10000003)",
                )
            ]
        )

    def year_index(self, year: int, argument: str = "--origin") -> int:
        """Position of census ``year`` on the year axis; InputError outside the data."""
        years = self.years
        if not (int(years[0]) <= year <= int(years[-1])):
            raise InputError(
                [
                    Problem(
                        argument,
                        str(year),
                        f"is outside the data: January censuses {int(years[0])} to "
                        f"{int(years[-1])} are available",
                    )
                ]
            )
        return int(year - years[0])

    def series(self) -> np.ndarray:
        """(A, Y, 8): the seven categories then ``Total``."""
        return np.concatenate([self.categories, self.total[..., None]], axis=-1)


def published_by(data: DemandData, origin: int) -> DemandData:
    """The data as DfE had published it by the January ``origin`` census.

    Censuses after ``origin`` and new plans of calendar years from ``origin``
    on (published with the next census) are blanked, so nothing fitted at
    ``origin`` can see them.

    Notes
    -----
    ::

        census arrays:   year <= origin
        new plans:       calendar year <= origin - 1

    Examples
    --------
    >>> d = sample_data()
    >>> bool(np.isnan(published_by(d, 2024).total[:, -1]).all())
    True
    """
    o = data.year_index(origin)
    census = data.years > data.years[o]
    flows = data.years >= data.years[o]

    def blank(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
        out = a.copy()
        out[:, mask] = np.nan
        return out

    return replace(
        data,
        total=blank(data.total, census),
        categories=blank(data.categories, census),
        ages=blank(data.ages, census),
        joint=blank(data.joint, census),
        bands=blank(data.bands, census),
        new_plans=blank(data.new_plans, flows),
        new_by_age=blank(data.new_by_age, flows),
        ceased=blank(data.ceased, flows),
    )


# --- Single ages and the joint table --------------------------------------------------


def split_bands(bands: np.ndarray) -> np.ndarray:
    """Single ages from the five age bands, by an equal split over each band's ages.

    Notes
    -----
    ::

        n[a] = N[band of a] / (number of ages in the band)

    DfE published ages only in bands before January 2024; the equal split is
    the assumption that adds nothing the bands do not say.

    Examples
    --------
    >>> split_bands(np.array([5.0, 6.0, 10.0, 8.0, 12.0]))[[0, 5, 11, 16, 25]].tolist()
    [1.0, 1.0, 2.0, 2.0, 2.0]
    """
    out = np.empty(bands.shape[:-1] + (AGES,))
    for j, (low, high) in enumerate(AGE_BANDS.values()):
        out[..., low : high + 1] = bands[..., j : j + 1] / (high - low + 1)
    return out


def band_totals(ages: np.ndarray) -> np.ndarray:
    """The five age bands from single ages (sum over each band's ages).

    >>> band_totals(np.ones(26)).tolist()
    [5.0, 6.0, 5.0, 4.0, 6.0]
    """
    return np.stack([ages[..., lo : hi + 1].sum(-1) for lo, hi in AGE_BANDS.values()], axis=-1)


def structural_seed() -> np.ndarray:
    """(26, 7) the seed of the fit: 1 where a placement is open to an age, else 0.

    Schools and alternative provision (the first five categories) from age 2
    to 19 (nursery classes to the end of special school sixth forms); further
    education from 16 to 25; other placements at every age (Children and
    Families Act 2014, s.46 and s.83: plans run from birth to 25, schools to
    19, further education from 16).

    >>> s = structural_seed(); s[15, POST16], s[16, POST16], s[3, 0], s[20, 0], s[0, 6]
    (np.float64(0.0), np.float64(1.0), np.float64(1.0), np.float64(0.0), np.float64(1.0))
    """
    seed = np.zeros((AGES, len(PLACEMENT_CATEGORIES)))
    seed[2:20, :POST16] = 1.0
    seed[16:, POST16] = 1.0
    seed[:, OTHER] = 1.0
    return seed


def proportional_fit(
    seed: np.ndarray, by_age: np.ndarray, by_category: np.ndarray, iterations: int = 60
) -> np.ndarray:
    """Plans by age and category that add up to the age and category totals.

    Iterative proportional fitting: the seed's rows are scaled to the age
    totals, then its columns to the category totals, and again; the last
    step scales the rows, so the ages add up exactly.

    Parameters
    ----------
    seed : numpy.ndarray
        (..., 26, 7) non-negative: the pattern kept (zeros stay zero).
    by_age : numpy.ndarray
        (..., 26) plans by age.
    by_category : numpy.ndarray
        (..., 7) plans by category.

    Notes
    -----
    ::

        x[a, c] <- x[a, c] * by_age[a] / sum_c x[a, c]
        x[a, c] <- x[a, c] * by_category[c] / sum_a x[a, c]
        (repeat; finish with the row step)

    An age whose seed row is all zero takes the category shares.

    References
    ----------
    Deming and Stephan (1940).

    Examples
    --------
    >>> x = proportional_fit(np.ones((26, 7)), np.full(26, 7.0), np.full(7, 26.0))
    >>> float(x[0, 0]), float(x.sum())
    (1.0, 182.0)
    """
    x = np.broadcast_to(seed, by_age.shape + (seed.shape[-1],)).astype(float)
    total_c = by_category.sum(-1, keepdims=True)
    shares = np.where(total_c > 0, by_category / np.where(total_c > 0, total_c, 1.0), 1.0 / 7)
    empty_row = x.sum(-1, keepdims=True) <= 0
    x = np.where(empty_row, shares[..., None, :], x)
    for _ in range(iterations):
        rows = x.sum(-1, keepdims=True)
        x = x * np.divide(by_age[..., None], rows, out=np.zeros_like(rows), where=rows > 0)
        cols = x.sum(-2, keepdims=True)
        x = x * np.divide(by_category[..., None, :], cols, out=np.ones_like(cols), where=cols > 0)
    rows = x.sum(-1, keepdims=True)
    return x * np.divide(by_age[..., None], rows, out=np.zeros_like(rows), where=rows > 0)


def _latest(values: np.ndarray, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """Per area, the latest complete slice at or before year index ``upto`` and its year index."""
    complete = ~np.isnan(values[:, : upto + 1]).reshape(values.shape[0], upto + 1, -1).any(-1)
    idx = np.where(complete.any(1), upto - np.argmax(complete[:, ::-1], axis=1), -1)
    picked = values[np.arange(values.shape[0]), np.maximum(idx, 0)]
    picked = np.where((idx >= 0).reshape((-1,) + (1,) * (picked.ndim - 1)), picked, np.nan)
    return picked, idx


def age_table(data: DemandData) -> tuple[np.ndarray, np.ndarray]:
    """(A, Y, 26) plans by single age where known, and (A, Y) True where single ages are published.

    Published single ages where complete, else the age bands split equally
    (:func:`split_bands`), else NaN.
    """
    published = ~np.isnan(data.ages).any(-1)
    from_bands = split_bands(data.bands)
    table = np.where(published[..., None], data.ages, from_bands)
    return table, published


def origin_stock(data: DemandData, o: int) -> np.ndarray:
    """(A, 26, 7) plans by age and category at year index ``o`` (data already published_by).

    Notes
    -----
    ::

        ages:        published single ages at O; else bands at O split equally;
                     else the latest earlier age shape * total_O / its total;
                     else (a council without ages yet) its region's shape
        categories:  published at O; else latest earlier shares * total_O;
                     else equal shares (before 2019: only Total is used)
        joint:       published at O where complete; else proportional_fit(seed, ages, categories)
                     with seed = the region's published joint at O, or structural_seed()

    An area without a total at ``O`` gets NaN (the caller refuses it).
    """
    total = data.total[:, o]
    ages, _ = age_table(data)
    shape, _ = _latest(ages, o)
    # a council with no ages yet (created in 2023: Cumberland, Westmorland and
    # Furness) takes its region's age shape, and a region England's
    for lev in (REGION, COUNCIL):
        rows = np.flatnonzero((data.level == lev) & np.isnan(shape).any(-1) & (data.parent >= 0))
        shape[rows] = shape[data.parent[rows]]
    shape_sum = shape.sum(-1, keepdims=True)
    by_age = np.divide(
        shape * total[:, None], shape_sum, out=np.full_like(shape, np.nan), where=shape_sum > 0
    )
    cats, _ = _latest(data.categories, o)
    cat_sum = cats.sum(-1, keepdims=True)
    by_cat = np.where(
        cat_sum > 0,
        cats * total[:, None] / np.where(cat_sum > 0, cat_sum, 1.0),
        total[:, None] / len(PLACEMENT_CATEGORIES),
    )
    by_cat = np.where(np.isnan(by_cat), total[:, None] / len(PLACEMENT_CATEGORIES), by_cat)
    joint_o = data.joint[:, o]
    complete = ~np.isnan(joint_o).reshape(len(total), -1).any(-1)
    parent = np.maximum(data.parent, 0)
    parent_complete = complete[parent] & (data.parent >= 0)
    seed = np.where(
        parent_complete[:, None, None], np.nan_to_num(joint_o[parent]), structural_seed()
    )
    seed = np.where(seed.sum((-1, -2), keepdims=True) > 0, seed, structural_seed())
    fitted = proportional_fit(seed, np.nan_to_num(by_age), by_cat)
    stock = np.where(complete[:, None, None], np.nan_to_num(joint_o), fitted)
    return np.where(
        np.isnan(total)[:, None, None] | np.isnan(by_age).any(-1)[:, None, None], np.nan, stock
    )


# --- Rates ---------------------------------------------------------------------------


def credibility_weight(exposure: np.ndarray, k: float) -> np.ndarray:
    """Buhlmann's credibility weight ``n / (n + k)`` (0 where there is no exposure).

    >>> credibility_weight(np.array([0.0, 100.0, 900.0]), 100.0).tolist()
    [0.0, 0.5, 0.9]
    """
    n = np.nan_to_num(np.asarray(exposure, dtype=float))
    denom = n + k
    return np.divide(n, denom, out=np.zeros_like(n), where=denom > 0)


def shrink(
    raw: np.ndarray,
    exposure: np.ndarray,
    level: np.ndarray,
    parent: np.ndarray,
    k: float,
    default: np.ndarray | float,
) -> np.ndarray:
    """Each area's rate pulled toward its parent's: England, then regions, then councils.

    Notes
    -----
    ::

        w          = exposure / (exposure + k)
        England    = w * raw + (1 - w) * default
        region     = w * raw + (1 - w) * England
        council    = w * raw + (1 - w) * region

    ``raw`` may be NaN where the exposure is 0 (its weight is then 0).

    Examples
    --------
    >>> level, parent = np.array([0, 1, 2]), np.array([1, 2, -1])
    >>> shrink(np.array([2.0, 1.0, 1.0]), np.array([100.0, 1e9, 1e9]), level, parent, 100.0, 1.0)
    array([1.5, 1. , 1. ])
    """
    out = np.empty(raw.shape)
    base = np.broadcast_to(np.asarray(default, dtype=float), raw.shape[1:])
    for lev in (ENGLAND, REGION, COUNCIL):
        idx = np.flatnonzero(level == lev)
        if not len(idx):
            continue
        prior = (
            np.broadcast_to(base, (len(idx),) + raw.shape[1:])
            if lev == ENGLAND
            else out[parent[idx]]
        )
        w = credibility_weight(exposure[idx], k)
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (raw.ndim - w.ndim)), prior.shape)
        out[idx] = np.where(w > 0, w * np.nan_to_num(raw[idx]) + (1 - w) * prior, prior)
    return out


def progression_ratios(data: DemandData, o: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(A, 26) summed numerators and exposures of the cohort progression ratio.

    Over the last ``window`` pairs of consecutive censuses ``(t, t + 1)``,
    ``t + 1 <= O``, with plans by age at both (published single ages or bands).

    Notes
    -----
    ::

        exp_t[a] = n_t[a - 1]  (a >= 1),   exp_t[0] = n_t[0]
        num_t[a] = n_t+1[a]                               both years with single ages
                 = N_t+1[band] * exp_t[a] / exp_t[band]   otherwise (the band's ratio)

    Examples
    --------
    >>> d = sample_data()
    >>> num, exp = progression_ratios(d, d.year_index(2025), 1)
    >>> round(float(num[0, 12] / exp[0, 12]), 3)
    1.05
    """
    ages, single = age_table(data)
    A = ages.shape[0]
    num = np.zeros((A, AGES))
    exp = np.zeros((A, AGES))
    used = np.zeros(A, dtype=int)
    for t in range(o - 1, -1, -1):
        before, after = ages[:, t], ages[:, t + 1]
        ok = ~np.isnan(before).any(-1) & ~np.isnan(after).any(-1) & (used < window)
        if not ok.any():
            continue
        e = np.concatenate([before[:, :1], before[:, :-1]], axis=1)
        both = single[:, t] & single[:, t + 1]
        e_band = band_totals(e)
        ratio = np.divide(band_totals(after), e_band, out=np.zeros_like(e_band), where=e_band > 0)
        n_band = e * ratio[:, _BAND_OF_AGE]
        n = np.where(both[:, None], after, n_band)
        num[ok] += n[ok]
        exp[ok] += e[ok]
        used += ok
    return num, exp


_BAND_OF_AGE = np.array(
    [j for j, (lo, hi) in enumerate(AGE_BANDS.values()) for _ in range(lo, hi + 1)]
)


def least_movement(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The transition matrix taking shares ``u`` to shares ``v`` that moves the fewest plans.

    Parameters
    ----------
    u, v : numpy.ndarray
        (..., 7) placement shares (each sums to 1) at one age and the next.

    Returns
    -------
    numpy.ndarray
        (..., 7, 7): row ``c`` is where a plan in ``c`` goes; rows sum to 1
        and ``u @ T == v``.

    Notes
    -----
    ::

        stay[c]   = min(u[c], v[c])
        T[c, c]   = stay[c] / u[c]
        T[c, d]  += (u[c] - stay[c]) / u[c] * (v[d] - stay[d]) / sum(v - stay)
        T[c, :]   = v  where u[c] = 0

    Those who can stay stay; the categories that shrink send their surplus to
    those that grow, in proportion to the growth.

    Examples
    --------
    >>> T = least_movement(np.array([0.5, 0.5]), np.array([0.25, 0.75]))
    >>> T.tolist()
    [[0.5, 0.5], [0.0, 1.0]]
    """
    stay = np.minimum(u, v)
    surplus = u - stay
    growth = v - stay
    total_growth = growth.sum(-1, keepdims=True)
    safe_u = np.where(u > 0, u, 1.0)
    keep = np.where(u > 0, stay / safe_u, 0.0)
    leave = np.where(u > 0, surplus / safe_u, 0.0)
    moves = total_growth > 0
    to = np.divide(growth, total_growth, out=np.zeros_like(growth), where=moves)
    T = leave[..., :, None] * to[..., None, :]
    n = u.shape[-1]
    # nothing grows (u equals v up to rounding): the surplus stays where it is
    T[..., np.arange(n), np.arange(n)] += keep + np.where(moves, 0.0, leave)
    return np.where((u > 0)[..., :, None], T, v[..., None, :])


def pooled(values: np.ndarray, valid: np.ndarray, data: DemandData) -> np.ndarray:
    """``values`` with each region's and England's rows replaced by the sum over their
    councils where ``valid``.

    DfE's own region and England rows count a council's unreturned
    placements (Cambridgeshire, January 2025) as unknown, which falls in
    "other": the parents' placement rates are read off the councils that
    returned placements instead.

    >>> d = sample_data()
    >>> pooled(np.array([1.0, 5.0, 9.0]), np.array([True, True, True]), d).tolist()
    [1.0, 1.0, 1.0]
    """
    out = values.copy()
    councils = data.councils
    kept = np.where(
        valid[councils].reshape((-1,) + (1,) * (values.ndim - 1)),
        np.nan_to_num(values[councils]),
        0.0,
    )
    region_of = data.parent[councils]
    for lev in (REGION, ENGLAND):
        for p in np.flatnonzero(data.level == lev):
            members = np.ones(len(councils), dtype=bool) if lev == ENGLAND else region_of == p
            out[p] = kept[members].sum(0)
    return out


def share_drift(data: DemandData, o: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(A, 7) yearly drift of each category's share of plans, and its exposure (plans).

    Notes
    -----
    ::

        share_c(t) = plans_c(t) / plans(t)
        drift_c    = ln(share_c(O) / share_c(O - w)) / w

    over the longest span ``w <= window`` (years) with categories published
    at both ends; 0 with exposure 0 where there is none or a share is 0. The
    exposure is the category's plans at ``O`` (the caller shrinks the drift
    toward the region's, see :func:`shrink`). The mix of placements keeps
    moving the way it has lately (the growth of mainstream and other
    placements against special schools since 2019), on top of the ageing.

    Examples
    --------
    >>> d = sample_data()
    >>> drift, n = share_drift(d, 1, 1)
    >>> float(np.abs(drift).max()) < 1e-12, bool((n[0] > 0).all())
    (True, True)
    """
    cats = data.categories
    complete = ~np.isnan(cats).any(-1)
    drift = np.full(cats[:, o].shape, np.nan)
    exposure = np.zeros(cats[:, o].shape)
    for w in range(min(window, o), 0, -1):
        both = complete[:, o] & complete[:, o - w]
        now = pooled(cats[:, o], both, data)
        then = pooled(cats[:, o - w], both, data)
        now = now / np.where(now.sum(-1, keepdims=True) > 0, now.sum(-1, keepdims=True), np.nan)
        then = then / np.where(then.sum(-1, keepdims=True) > 0, then.sum(-1, keepdims=True), np.nan)
        ok = np.isnan(drift) & (now > 0) & (then > 0)
        drift = np.where(ok, np.log(np.where(ok, now, 1.0) / np.where(ok, then, 1.0)) / w, drift)
        exposure = np.where(ok, np.nan_to_num(pooled(cats[:, o], both, data)), exposure)
    return drift, exposure


@dataclass(frozen=True)
class CohortFit:
    """The cohort model calibrated at one origin: state and rates for every area."""

    origin: int
    stock: np.ndarray  # (A, 26, 7)
    ratio: np.ndarray  # (A, 26)
    transition: np.ndarray  # (A, 26, 7, 7)
    mix: np.ndarray  # (A, 26, 7)
    drift: np.ndarray  # (A, 7)
    k: float
    window: int


def phase_shift(
    own: np.ndarray, fallback: np.ndarray, at_age: np.ndarray, data: DemandData, k: float
) -> tuple[np.ndarray, np.ndarray]:
    """Placement shares at each age ``a - 1`` and the shares the cohort moves to at age ``a``.

    Parameters
    ----------
    own : numpy.ndarray
        (A, 26, 7) each area's shares by age (NaN at an age without plans).
    fallback : numpy.ndarray
        (A, 26, 7) shares used where ``own`` is NaN (the shrunk shares).
    at_age : numpy.ndarray
        (A, 26) plans at each age (the exposure).

    Notes
    -----
    ::

        u[a]     = own[a - 1]                         (fallback where the age has no plans)
        D_raw[a] = own[a] - own[a - 1]                (the shift between consecutive ages)
        D[a]     = shrink(D_raw, min(n[a - 1], n[a]), k, toward the region's, England's, 0)
        v[a]     = max(u[a] + D[a], 0) / sum_c max(u[a] + D[a], 0)

    The council keeps its own placement pattern; only the shift from one
    age to the next (the phase transfer) is pulled toward the region's where
    the council has few plans at those ages.

    Examples
    --------
    >>> d = sample_data(); own = f = d.joint[:, 1] / d.ages[:, 1, :, None]
    >>> u, v = phase_shift(own, f, d.ages[:, 1], d, 100.0)
    >>> bool(np.allclose(u, v))
    True
    """
    shares = np.where(np.isnan(own), fallback, own)
    u = np.concatenate([shares[:, :1], shares[:, :-1]], axis=1)
    raw = shares - u
    exposure = np.minimum(at_age, np.concatenate([at_age[:, :1], at_age[:, :-1]], axis=1))
    raw = np.where(
        np.isnan(own) | np.isnan(np.concatenate([own[:, :1], own[:, :-1]], axis=1)), np.nan, raw
    )
    shift = shrink(raw, exposure, data.level, data.parent, k, 0.0)
    v = np.maximum(u + shift, 0.0)
    total = v.sum(-1, keepdims=True)
    v = np.divide(v, total, out=u.copy(), where=total > 0)
    return u, v


def fit_cohort(
    data: DemandData, origin: int, k: float, window: int, stock: np.ndarray | None = None
) -> CohortFit:
    """Calibrate the cohort model at the January ``origin`` census (see the module notes).

    Only :func:`published_by` ``(data, origin)`` is read. ``stock`` is
    :func:`origin_stock` at ``origin`` when the caller already has it (it
    does not depend on ``k`` or ``window``).
    """
    d = published_by(data, origin)
    o = d.year_index(origin)
    if stock is None:
        stock = origin_stock(d, o)
    num, exp = progression_ratios(d, o, window)
    raw = np.divide(num, exp, out=np.full_like(num, np.nan), where=exp > 0)
    ratio = shrink(raw, exp, d.level, d.parent, k, 1.0)

    returned = ~np.isnan(d.categories[:, o]).any(-1) | ~np.isnan(d.joint[:, o]).any((-1, -2))
    clean = pooled(np.nan_to_num(stock), returned, d)
    at_age = clean.sum(-1)
    share_raw = np.divide(
        clean, at_age[..., None], out=np.full_like(clean, np.nan), where=at_age[..., None] > 0
    )
    level_shares = shrink(share_raw, at_age, d.level, d.parent, k, 1.0 / len(PLACEMENT_CATEGORIES))
    before, shares = phase_shift(share_raw, level_shares, at_age, d, k)
    transition = least_movement(before, shares)
    transition[:, 0] = np.eye(len(PLACEMENT_CATEGORIES))

    drift_raw, drift_n = share_drift(d, o, window)
    drift = shrink(drift_raw, drift_n, d.level, d.parent, k, 0.0)
    return CohortFit(origin, stock, ratio, transition, shares, drift, k, window)


def step(stock: np.ndarray, fit: CohortFit) -> np.ndarray:
    """Plans by age and category a year on (see the module notes for the formula).

    Examples
    --------
    >>> d = sample_data(); f = fit_cohort(d, 2025, 0.0, 1)
    >>> nxt = step(f.stock, f)
    >>> bool((nxt >= 0).all()), nxt.shape == f.stock.shape
    (True, True)
    """
    prev = np.concatenate([stock[:, :1], stock[:, :-1]], axis=1)
    moved = np.einsum("lac,lacd->lad", prev, fit.transition)
    size = prev.sum(-1)
    r = fit.ratio
    aged = (
        np.minimum(r, 1.0)[..., None] * moved
        + (np.maximum(r - 1.0, 0.0) * size)[..., None] * fit.mix
    )
    tilted = aged * np.exp(fit.drift)[:, None, :]
    kept = aged.sum(-1, keepdims=True)
    scale = np.divide(
        kept,
        tilted.sum(-1, keepdims=True),
        out=np.zeros_like(kept),
        where=tilted.sum(-1, keepdims=True) > 0,
    )
    return tilted * scale


def project(fit: CohortFit, horizon: int) -> np.ndarray:
    """(A, horizon, 8) plans by the seven categories and ``Total``, 1 to ``horizon`` years on.

    Notes
    -----
    ::

        N_O+h = step(N_O+h-1),  category c = sum_a N[a, c],  Total = sum_a,c N[a, c]
    """
    n = np.nan_to_num(fit.stock)
    out = []
    for _ in range(horizon):
        n = step(n, fit)
        by_cat = n.sum(1)
        out.append(np.concatenate([by_cat, by_cat.sum(-1, keepdims=True)], axis=-1))
    result = np.stack(out, axis=1)
    missing = np.isnan(fit.stock).any((-1, -2))
    result[missing] = np.nan
    return result


# --- The flows behind the ratios ------------------------------------------------------------


@dataclass(frozen=True)
class Flows:
    """New and ceased plans in calendar year ``year``, between the censuses of ``year`` and ``year + 1``.

    ``new``: new plans DfE published (A,); ``left``: plans that ceased or
    moved to another council, implied by the counts (A,); ``ceased``: plans
    DfE published as ceased (A,, NaN before 2022). ``new_by_age`` (A, 26)
    and ``left_by_age`` (A, 27: ages 0-25, then 26, the plans that age out)
    where DfE published both censuses by single age and new plans by age.
    """

    year: int
    new: np.ndarray
    left: np.ndarray
    ceased: np.ndarray
    new_by_age: np.ndarray
    left_by_age: np.ndarray


def flows(data: DemandData, year: int) -> Flows:
    """The flows of calendar ``year``, new plans from DfE and leavers implied by the censuses.

    Notes
    -----
    ::

        left          = N_year + new_year - N_year+1
        left_by_age[a] = n_year[a - 1] + new_year[a] - n_year+1[a]     (a = 1..25)
        left_by_age[0] = new_year[0] - n_year+1[0]
        left_by_age[26] = n_year[25]                                   (plans end at 26)

    So the cohort progression ratio of that pair splits exactly into its
    flows: ``r[a] = 1 - left_by_age[a - 1 -> a] / n[a - 1] + new[a] / n[a - 1]``.
    ``left`` counts plans that moved to another council as well as those
    ceased, and new plans by the age the plan started (the census counts
    age at 31 August): the difference from DfE's ``ceased`` is that
    movement and timing. New plans aged "2 and under" and "20 and over" are
    spread equally over 0-2 and 20-25.

    Examples
    --------
    >>> d = sample_data(); f = flows(d, 2024)
    >>> round(float(f.left[0] - (d.total[0, 0] + f.new[0] - d.total[0, 1])), 9)
    0.0
    """
    y = data.year_index(year, "year")
    if y + 1 >= len(data.years):
        raise InputError([Problem("year", str(year), "has no later census to compare with")])
    new = data.new_plans[:, y].sum(-1)
    left = data.total[:, y] + new - data.total[:, y + 1]
    single = ~np.isnan(data.ages[:, y]).any(-1) & ~np.isnan(data.ages[:, y + 1]).any(-1)
    by_age = data.new_by_age[:, y]
    before, after = data.ages[:, y], data.ages[:, y + 1]
    prev = np.concatenate([np.zeros((len(new), 1)), before[:, :-1]], axis=1)
    left_by_age = np.concatenate([prev + by_age - after, before[:, -1:]], axis=1)
    left_by_age[~single] = np.nan
    return Flows(year, new, left, data.ceased[:, y], by_age, left_by_age)


# --- Naive baselines --------------------------------------------------------------------


def origin_series(data: DemandData, o: int) -> np.ndarray:
    """(A, Y', 8) the seven categories and Total up to year index ``o``, the origin filled.

    A category suppressed at the origin (Cambridgeshire, January 2025) takes
    its latest earlier share of the origin's total, as the cohort model does.
    """
    series = data.series()[:, : o + 1].copy()
    cats, _ = _latest(data.categories, o)
    s = cats.sum(-1, keepdims=True)
    filled = cats * data.total[:, o : o + 1] / np.where(s > 0, s, np.nan)
    gap = np.isnan(series[:, o, :-1])
    series[:, o, :-1] = np.where(gap, filled, series[:, o, :-1])
    return series


def last_value(series: np.ndarray, horizon: int) -> np.ndarray:
    """The origin's count, held: ``F_O+h = y_O``.

    >>> last_value(np.array([[[1.0], [2.0]]]), 2)[0, :, 0].tolist()
    [2.0, 2.0]
    """
    return np.repeat(series[:, -1:], horizon, axis=1)


def compound_growth(series: np.ndarray, years: int, horizon: int) -> np.ndarray:
    """Growth at the compound annual rate of the last ``years`` years.

    Notes
    -----
    ::

        g      = (y_O / y_O-w) ** (1 / w) - 1
        F_O+h  = y_O * (1 + g) ** h

    ``w = years``, or the longest shorter span with a positive count at its
    start when the series is shorter or suppressed there; ``g = 0`` where
    there is none.

    Examples
    --------
    >>> y = np.array([[[100.0], [110.0], [121.0]]])
    >>> compound_growth(y, 2, 2)[0, :, 0].round(6).tolist()
    [133.1, 146.41]
    """
    last = series[:, -1]
    rate = np.full(last.shape, np.nan)
    for w in range(years, 0, -1):
        if w >= series.shape[1]:
            continue
        base = series[:, -1 - w]
        ok = np.isnan(rate) & (base > 0) & ~np.isnan(last)
        rate = np.where(ok, (last / np.where(ok, base, 1.0)) ** (1.0 / w) - 1.0, rate)
    rate = np.nan_to_num(rate)
    h = np.arange(1, horizon + 1).reshape(1, -1, *([1] * (series.ndim - 2)))
    return last[:, None] * (1.0 + rate[:, None]) ** h


def linear_trend(series: np.ndarray, horizon: int, years: int = 6) -> np.ndarray:
    """Least-squares straight line through the last ``years`` counts, extended.

    Notes
    -----
    ::

        y_t ~ a + b t  over the last `years` censuses with a count (at least 2)
        F_O+h = max(a + b (O + h), 0)

    One count only: held.

    Examples
    --------
    >>> y = np.array([[[1.0], [np.nan], [3.0], [4.0]]])
    >>> linear_trend(y, 2)[0, :, 0].round(6).tolist()
    [5.0, 6.0]
    """
    window = series[:, -years:]
    t = np.arange(window.shape[1], dtype=float).reshape(1, -1, *([1] * (series.ndim - 2)))
    ok = ~np.isnan(window)
    n = ok.sum(1)
    tt = np.where(ok, t, 0.0)
    yy = np.where(ok, window, 0.0)
    st, sy = tt.sum(1), yy.sum(1)
    stt, sty = (tt * tt).sum(1), (tt * yy).sum(1)
    denom = n * stt - st * st
    slope = np.divide(n * sty - st * sy, denom, out=np.zeros_like(sy), where=denom > 0)
    safe_n = np.where(n > 0, n, 1)
    intercept = (sy - slope * st) / safe_n
    h = np.arange(1, horizon + 1).reshape(1, -1, *([1] * (series.ndim - 2)))
    end = window.shape[1] - 1
    fitted = intercept[:, None] + slope[:, None] * (end + h)
    return np.maximum(np.where((n > 0)[:, None], fitted, np.nan), 0.0)


#: The methods compared, in the order the backtest prints them.
METHODS: tuple[str, ...] = (
    "Cohort",
    "Last value",
    "Growth 1y",
    "Growth 3y",
    "Growth 6y",
    "Linear trend",
)


def baseline_forecast(data: DemandData, origin: int, method: str, horizon: int) -> np.ndarray:
    """(A, horizon, 8) forecast of a naive method fitted on what was published by ``origin``."""
    d = published_by(data, origin)
    o = d.year_index(origin)
    series = origin_series(d, o)
    if method == "Last value":
        return last_value(series, horizon)
    if method.startswith("Growth "):
        return compound_growth(series, int(method.split()[1].rstrip("y")), horizon)
    if method == "Linear trend":
        return linear_trend(series, horizon)
    raise ValueError(f"unknown method {method!r}")


# --- Rolling-origin errors, settings and intervals ---------------------------------------


def log_errors(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Forecast errors on the log scale, defined at zero counts too.

    Notes
    -----
    ::

        e = ln((actual + 1) / (forecast + 1))

    The ``+ 1`` keeps a category of zeros defined (``e = 0`` when both are 0).

    >>> log_errors(np.array([0.0, 9.0]), np.array([0.0, 19.0])).round(4).tolist()
    [0.0, 0.6931]
    """
    return np.log((actual + 1.0) / (np.maximum(forecast, 0.0) + 1.0))


def absolute_percentage_errors(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """``100 * |F - A| / A``; NaN where the actual is 0 or missing (left out of the scores).

    >>> absolute_percentage_errors(np.array([90.0, 1.0]), np.array([100.0, 0.0])).tolist()
    [10.0, nan]
    """
    return np.where(
        actual > 0, 100.0 * np.abs(forecast - actual) / np.where(actual > 0, actual, 1.0), np.nan
    )


class Forecasts:
    """Point forecasts of one method at many origins, computed once and kept.

    ``get(origin)`` returns (A, H, 8) for horizons 1 to ``horizon``.
    """

    def __init__(self, data: DemandData, method: str, horizon: int = 3):
        self.data = data
        self.method = method
        self.horizon = horizon
        self._cache: dict[tuple, np.ndarray] = {}
        self._stock: dict[int, np.ndarray] = {}

    def get(self, origin: int, settings: tuple[float, int] | None = None) -> np.ndarray:
        key = (origin, settings)
        if key not in self._cache:
            if self.method == "Cohort":
                k, m = settings if settings is not None else choose_settings(self, origin)
                if origin not in self._stock:
                    self._stock[origin] = origin_stock(
                        published_by(self.data, origin), self.data.year_index(origin)
                    )
                fit = fit_cohort(self.data, origin, k, m, self._stock[origin])
                self._cache[key] = project(fit, self.horizon)
            else:
                self._cache[key] = baseline_forecast(self.data, origin, self.method, self.horizon)
        return self._cache[key]


def _actual(data: DemandData, year: int) -> np.ndarray:
    return data.series()[:, int(year - data.years[0])]


def choose_settings(forecasts: Forecasts, origin: int) -> tuple[float, int]:
    """``(k, m)`` with the lowest median APE over the earlier origins ``O-3 .. O-1``.

    Each candidate forecasts from every earlier origin ``O'``; its errors at
    horizons ``h`` with ``O' + h <= O`` (only censuses published by ``O``),
    over councils, the seven categories and ``Total`` where DfE published
    them, are pooled and their median taken. Ties go to the first candidate
    (smaller ``k``, shorter window). Without any earlier origin to score,
    :data:`DEFAULT_SETTINGS`.
    """
    data = forecasts.data
    first = int(data.years[0]) + 1
    candidates = [(k, m) for k in K_GRID for m in WINDOW_GRID]
    councils = data.councils
    best, best_score = DEFAULT_SETTINGS, np.inf
    for cand in candidates:
        errs = []
        for past in range(max(first, origin - SELECTION_ORIGINS), origin):
            f = forecasts.get(past, cand)
            for h in range(1, forecasts.horizon + 1):
                if past + h > origin:
                    break
                ape = absolute_percentage_errors(
                    f[councils, h - 1], _actual(data, past + h)[councils]
                )
                errs.append(ape[~np.isnan(ape)])
        pooled = np.concatenate(errs) if errs else np.array([])
        if len(pooled) and np.median(pooled) < best_score:
            best, best_score = cand, float(np.median(pooled))
    return best


def past_errors(forecasts: Forecasts, origin: int, h: int) -> np.ndarray:
    """(n, 8) log errors of councils' forecasts ``h`` years ahead from the last
    :data:`INTERVAL_ORIGINS` origins ``O'`` with ``O' + h <= O``; NaN where no actual."""
    data = forecasts.data
    councils = data.councils
    rows = []
    first = int(data.years[0]) + 1
    for past in range(origin - h, max(first, origin - h - INTERVAL_ORIGINS + 1) - 1, -1):
        f = forecasts.get(past)[councils, h - 1]
        a = _actual(data, past + h)[councils]
        rows.append(log_errors(f, a))
    return np.concatenate(rows) if rows else np.empty((0, len(SERIES)))


def interval_quantiles(forecasts: Forecasts, origin: int, horizon: int) -> np.ndarray:
    """(horizon, 8, 2) low and high log-error quantiles per horizon and series.

    Notes
    -----
    ::

        q1_lo, q1_hi = percentiles 10 and 90 of the one-year-ahead log errors e
                       (log_errors) of councils' forecasts from the last
                       INTERVAL_ORIGINS origins before O
        q_h          = h * (min(q1_lo, 0), max(q1_hi, 0))

    The one-year errors of the latest origins describe the present regime
    (growth since 2019 is not that of the statement-to-plan conversion years
    that longer horizons would have to reach back to), and an error in a
    growth rate compounds, so its log error grows in proportion to the
    horizon. A category with fewer than :data:`MIN_ERRORS` errors takes
    ``Total``'s quantiles. No errors at all for ``Total``: InputError (the
    origin is too early). The backtest measures the coverage this gives; it
    was preferred to the quantiles of each horizon's own errors, which must
    reach back to older origins and covered only 58% at three years in the
    same backtest (origins 2019-2022).
    """
    e = past_errors(forecasts, origin, 1)
    q1 = np.full((len(SERIES), 2), np.nan)
    for s in range(len(SERIES)):
        col = e[:, s] if len(e) else np.array([])
        col = col[~np.isnan(col)]
        if len(col) >= MIN_ERRORS:
            q1[s] = np.quantile(col, [LOW, HIGH])
    if np.isnan(q1[-1]).any():
        raise InputError(
            [
                Problem(
                    "--origin",
                    str(origin),
                    "is too early: no earlier origin whose forecast errors make an interval",
                )
            ]
        )
    q1 = np.where(np.isnan(q1), q1[-1], q1)
    q1[:, 0] = np.minimum(q1[:, 0], 0.0)
    q1[:, 1] = np.maximum(q1[:, 1], 0.0)
    return q1[None] * np.arange(1, horizon + 1)[:, None, None]


def intervals(point: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """(A, H, 8, 3) P10, P50, P90 from a point forecast and log-error quantiles.

    Notes
    -----
    ::

        P50 = F
        P10 = (F + 1) * exp(q_lo) - 1,  P90 = (F + 1) * exp(q_hi) - 1   (not below 0)

    Examples
    --------
    >>> p = intervals(np.array([[[99.0]]]), np.array([[[np.log(0.9), np.log(1.2)]]]))
    >>> p[0, 0, 0].round(6).tolist()
    [89.0, 99.0, 119.0]
    """
    f = np.maximum(point, 0.0)
    lo = np.maximum((f + 1.0) * np.exp(quantiles[None, ..., 0]) - 1.0, 0.0)
    hi = (f + 1.0) * np.exp(quantiles[None, ..., 1]) - 1.0
    return np.stack([np.minimum(lo, f), f, np.maximum(hi, f)], axis=-1)


@dataclass(frozen=True)
class Forecast:
    """A forecast from one origin: P10, P50, P90 for every area, year and series."""

    origin: int
    years: tuple[int, ...]
    bands: np.ndarray  # (A, H, 8, 3)
    settings: tuple[float, int]


def forecast(data: DemandData, origin: int | None = None, horizon: int = 3) -> Forecast:
    """The cohort model's forecast with intervals, every area at once.

    ``origin`` defaults to the newest census in the data; ``horizon`` is 1 to
    10 years (the backtest measures 1 to 3).

    Notes
    -----
    ::

        (k, m)        = choose_settings(origin)          (earlier origins only)
        P50           = project(fit_cohort(data, origin, k, m), horizon)
        P10, P90      = intervals(P50, interval_quantiles(origin))

    Everything is computed for every council, region and England in one
    pass of array operations; ``InputError`` names ``--origin`` or
    ``--horizon`` when either is out of range.

    Examples
    --------
    >>> d = sample_data()
    >>> forecast(d, 2026)
    Traceback (most recent call last):
    ...
    models.errors.InputError: --origin 2026: is outside the data: January censuses 2024 to 2025 are available
    """
    if origin is None:
        has = ~np.isnan(data.total[data.councils]).all(0)
        origin = int(data.years[np.flatnonzero(has)[-1]])
    data.year_index(origin)
    if not 1 <= horizon <= 10:
        raise InputError(
            [Problem("--horizon", str(horizon), "must be a whole number of years from 1 to 10")]
        )
    run = Forecasts(data, "Cohort", horizon=horizon)
    settings = choose_settings(run, origin)
    point = run.get(origin, settings)
    q = interval_quantiles(_Fixed(run, settings), origin, horizon)
    return Forecast(
        origin, tuple(range(origin + 1, origin + horizon + 1)), intervals(point, q), settings
    )


class _Fixed(Forecasts):
    """The cohort forecasts of a run at fixed settings (for the interval's past errors)."""

    def __init__(self, run: Forecasts, settings: tuple[float, int]):
        super().__init__(run.data, run.method, run.horizon)
        self._run = run
        self._settings = settings

    def get(self, origin: int, settings: tuple[float, int] | None = None) -> np.ndarray:
        return self._run.get(origin, self._settings)


# --- A small sample for the doctests ------------------------------------------------------


def sample_data() -> DemandData:
    """Two years of one council, its region and England (single ages and categories).

    Every age of the council grows 5% a year from one age to the next;
    region and England are ten and a hundred times bigger.
    """
    years = np.array([2024, 2025])
    base = np.linspace(10.0, 40.0, AGES)
    ages24 = base
    ages25 = np.concatenate([[base[0] * 1.05], base[:-1] * 1.05])
    shares = np.array([0.4, 0.05, 0.2, 0.1, 0.02, 0.13, 0.1])
    council_ages = np.stack([ages24, ages25])
    scale = np.array([1.0, 10.0, 100.0])
    ages = scale[:, None, None] * council_ages[None]
    joint = ages[..., None] * shares
    cats = joint.sum(2)
    new = np.broadcast_to(shares * 50.0, (3, 2, 7)).copy() * scale[:, None, None]
    new[:, 1] = np.nan
    return DemandData(
        codes=("001", "R1", "E"),
        names=("Council", "Region", "England"),
        level=np.array([COUNCIL, REGION, ENGLAND]),
        parent=np.array([1, 2, -1]),
        years=years,
        total=ages.sum(-1),
        categories=cats,
        ages=ages,
        joint=joint,
        bands=band_totals(ages),
        new_plans=new,
        new_by_age=np.where(np.isnan(new[..., :1]), np.nan, new.sum(-1, keepdims=True) / AGES)
        * np.ones(AGES),
        ceased=np.full((3, 2), np.nan),
        aliases={"e1": 0},
    )


# --- The backtest -------------------------------------------------------------------------


def backtest_origins(data: DemandData, horizon: int = 3) -> list[int]:
    """Origins the backtest scores: a census with councils' categories and a later census.

    >>> backtest_origins(sample_data())
    [2024]
    """
    councils = data.councils
    has_cats = ~np.isnan(data.categories[councils]).any(-1).all(0)
    has_total = ~np.isnan(data.total[councils]).all(0)
    years = [int(y) for y, c in zip(data.years, has_cats & has_total, strict=True) if c]
    last = max(int(y) for y, t in zip(data.years, has_total, strict=True) if t)
    return [y for y in years if y < last]


def rolling_backtest(
    data: DemandData, origins: list[int] | None = None, horizon: int = 3, methods=METHODS
) -> pd.DataFrame:
    """Every council, origin, horizon, series and method: forecast, P10, P90 and actual.

    Each forecast, its settings and its interval are fitted at its origin
    on :func:`published_by` data only; the actual is the census ``h`` years on.
    Rows whose actual DfE did not publish are left out.
    """
    if origins is None:
        origins = backtest_origins(data, horizon)
    last = int(data.years[-1])
    councils = data.councils
    frames = []
    for method in methods:
        run = Forecasts(data, method, horizon)
        for origin in origins:
            h_max = min(horizon, last - origin)
            if h_max < 1:
                continue
            if method == "Cohort":
                settings = choose_settings(run, origin)
                point = run.get(origin, settings)
                q = interval_quantiles(_Fixed(run, settings), origin, horizon)
            else:
                point = run.get(origin)
                q = interval_quantiles(run, origin, horizon)
            band = intervals(point, q)[councils]
            for h in range(1, h_max + 1):
                actual = _actual(data, origin + h)[councils]
                frame = pd.DataFrame(
                    {
                        "method": method,
                        "origin": origin,
                        "horizon": h,
                        "council": np.repeat(np.array(data.codes)[councils], len(SERIES)),
                        "series": np.tile(SERIES, len(councils)),
                        "forecast": band[:, h - 1, :, 1].ravel(),
                        "p10": band[:, h - 1, :, 0].ravel(),
                        "p90": band[:, h - 1, :, 2].ravel(),
                        "actual": actual.ravel(),
                    }
                )
                frames.append(frame[frame["actual"].notna() & frame["forecast"].notna()])
    return pd.concat(frames, ignore_index=True)


def score_backtest(records: pd.DataFrame) -> pd.DataFrame:
    """Median and mean APE (%) and 80% interval coverage (%) by horizon, series and method.

    Notes
    -----
    ::

        APE      = 100 * |forecast - actual| / actual     (actual > 0 only)
        coverage = 100 * share of actuals with P10 <= actual <= P90

    ``Categories`` pools the seven categories.
    """
    r = records.copy()
    r["ape"] = absolute_percentage_errors(r["forecast"].to_numpy(), r["actual"].to_numpy())
    r["inside"] = ((r["p10"] <= r["actual"]) & (r["actual"] <= r["p90"])).astype(float) * 100
    pooled = r[r["series"] != TOTAL].assign(series="Categories")
    r = pd.concat([r, pooled], ignore_index=True)
    g = r.groupby(["horizon", "series", "method"], sort=False)
    table = pd.DataFrame(
        {
            "MdAPE": g["ape"].median(),
            "MAPE": g["ape"].mean(),
            "Cover80": g["inside"].mean(),
            "n": g["ape"].count(),
        }
    )
    return table


#: Censuses of history shown with a forecast (the origin and the six before it).
HISTORY_YEARS = 7
#: The statistics of a forecast table, in row order.
STATISTICS: tuple[str, ...] = ("Actual", "P10", "P50", "P90")


def forecast_table(data: DemandData, result: Forecast, areas: list[int]) -> pd.DataFrame:
    """The forecast as a long table: one row per council, series and statistic.

    Columns ``LA code``, ``Council``, ``Category``, ``Statistic``, then the
    census years from ``origin - 6`` to the last forecast year. ``Actual``
    holds the published counts up to the origin (NaN where DfE did not
    publish one) and nothing after; ``P10``/``P50``/``P90`` hold the forecast
    after the origin and nothing before. Plans, unrounded.

    Examples
    --------
    >>> d = sample_data()
    >>> t = forecast_table(d, Forecast(2025, (2026,), np.ones((3, 1, 8, 3)), (0.0, 1)), [0])
    >>> t.columns.tolist()[:5], t.shape
    (['LA code', 'Council', 'Category', 'Statistic', 2019], (32, 12))
    """
    first = result.origin - HISTORY_YEARS + 1
    past = list(range(first, result.origin + 1))
    years = past + list(result.years)
    series = data.series()
    rows: list[list[object]] = []
    for i in areas:
        for s, name in enumerate(SERIES):
            actual = [
                float(series[i, y - int(data.years[0]), s])
                if int(data.years[0]) <= y <= int(data.years[-1])
                else np.nan
                for y in past
            ]
            base: list[object] = [data.codes[i], data.names[i], name]
            rows.append([*base, "Actual", *actual, *([np.nan] * len(result.years))])
            for k, stat in enumerate(STATISTICS[1:]):
                values = [float(v) for v in result.bands[i, :, s, k]]
                rows.append([*base, stat, *([np.nan] * len(past)), *values])
    return pd.DataFrame(rows, columns=["LA code", "Council", "Category", "Statistic"] + years)
