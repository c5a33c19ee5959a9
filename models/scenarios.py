"""How likely the plan is: the whole model run for thousands of scenarios at once.

The engine runs the typed model (:class:`~models.model.DSGModel`) the way
:mod:`models.return_figures` does (placements x years, transfers,
contributions, other blocks) on numpy arrays of scenarios x years x
placements, with a loop over years and placements but never over scenarios.
With every spread 0 it gives the deterministic model's figures, in-year and
cumulative, every year (a test checks it to the penny on the example and on
the hand-worked sample).

What is uncertain, and how it is drawn
--------------------------------------
The years up to and including the return's current year are outturn and the
quarter's forecast outturn: they take no draws. For every later year t and
scenario s:

- **Count growth** per placement: ``growth[p] + d[s,t] + e[s,t,p]``: a
  demand surprise ``d ~ Normal(0, sd_demand[t])`` shared by every
  placement (more or fewer plans overall) and a mix surprise ``e ~
  Normal(0, sd_growth[p])`` of each placement's own, both independent
  across years, so the surprises compound in the count. A Normal on the
  annual rate is the usual reading of a forecast band (the demand
  forecast's P10-P90 is close to symmetric in log terms). ``sd_demand[t]``
  comes from the demand forecast's P10-P90 of the **Total** where the model
  has an EHCPForecast table, year by year, so that the surprises compound
  to the forecast's own band at every census it gives
  (:func:`demand_spread_from_forecast`; for the example 4.5, 7.8 and 10.0
  points in 2025-26, 2026-27 and 2027-28); else :attr:`Spreads.demand`
  every year (3 points: Cambridgeshire's yearly EHC plan growth, January
  2019 to 2025, scattered by 3.4 points around its mean). The forecast's
  own category bands are not used: a category's errors are dominated by
  plans moving between categories (DfE's re-classifications, e.g.
  resourced provision 31 to 201 plans in Cambridgeshire in 2021), which
  cancel in the total, so drawing each category from its own band
  independently would make the total several times wider than the
  forecast says it is (for the example, 5 to 58 points a year in the
  first year against the Total's 4.5). The mix surprise ``sd_growth[p]``
  is :attr:`Spreads.count_growth` (2 points a year).
- **Cost inflation** per placement: ``inflation[p] + u[s,t,p]``, ``u ~
  Normal(0, sd_inflation)`` (1 point a year: the spread of price inflation
  around a plan's assumption).
- **Income growth**: ``income[s,t] = income[t] x prod over later years j <= t
  of (1 + f[s,j])``, ``f ~ Normal(0, sd_income)`` (1 point a year: the
  High Needs Block settlement is announced a year ahead, so little moves).
- **Mitigation delivery**: the share of each workstream's planned saving that
  is delivered, ``D[s,i] ~ Beta`` with mean the workstream's Confidence and
  standard deviation ``sd_mitigation`` (15 points). A Beta lives on 0-1 as a
  share does, and two figures (mean, spread) fix it; where ``sd^2`` is at or
  above ``c(1-c)`` (no Beta has it) the spread is cut to ``0.95 x
  sqrt(c(1-c))``. The shortfall ``planned x (1 - D)`` is added to spend in
  the workstream's year (the model describes the *mitigated* plan).
- **DfE payments**: each payment due after the current year is paid with
  probability ``dfe_paid`` (a Bernoulli per scenario and year), else 0: the
  department withholds an instalment when a council is off track.

With :meth:`Spreads.zero` nothing is drawn: the counts, costs, income and
contributions are the deterministic model's, bit for bit, and every saving
is delivered as planned (``Spreads.delivery = 1``), so every scenario is
the deterministic model, the mitigated plan, to the penny. The
risk-adjusted plan (savings at their confidence, :func:`mitigation_paths`)
is what a run with every spread 0 but ``delivery=None`` gives. Workstreams
of the current year and before are not drawn: their delivery is taken at
their confidence.

The steps (each a vectorised formula over scenarios)
----------------------------------------------------
::

    count[s,0,p] = Count_p
    count[s,t,p] = max(count[s,t-1,p] x ((1 + growth_p) + d[s,t] + e[s,t,p]) + moves[p,t], 0)
    cost[s,t,p]  = Cost_p x (1 + inflation_p)^t x prod_{j<=t} (1 + u[s,j,p] / (1 + inflation_p))
    spend[s,t]   = sum_p count[s,t,p] x cost[s,t,p] + other high needs spend[t]
                   (the current year: the HighNeedsLines forecast outturn, as the model)
                   + sum over workstreams i of year t of planned_i x (1 - D[s,i])
    income[s,t]  = income[t] x prod_{current < j <= t} (1 + f[s,j])
    dfe[s,t]     = DfE payment due[t] x B[s,t]           (t after the current year)
    in_year[s,t] = spend[s,t] - income[s,t] - transfers[t] + other blocks[t]
    cumulative[s,t] = opening + sum_{j<=t} (in_year[s,j] - (dfe[s,j] + council[j] + other[j]))

Percentiles are numpy's linear interpolation between order statistics (as
DSG_FAN); P(on track) in an agreement year is the share of scenarios whose
cumulative deficit is at or below the agreed cumulative deficit.

References
----------
METHOD.md, "DSG_TRAJECTORY", "PLACEMENT_PROJECTION" and "DSG_FAN";
:mod:`models.return_figures` (the figures reproduced); the About sheet's
convention for mitigations (unmitigated = mitigated + planned; risk-adjusted
= mitigated + planned x (1 - confidence)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from models import return_figures as rf
from models.errors import InputError, Problem, Problems
from models.mitigations import MITIGATION_COLUMNS, Mitigations
from models.model import DSGModel
from models.projection import move_matrix
from models.trajectory import cumulative_deficit, in_year_deficit, read_trajectory_inputs
from models.validation import (
    ResultTable,
    all_blank,
    check_finite,
    is_blank,
    parse_number,
    read_scalar,
    read_series,
    rows_of,
)

__all__ = [
    "MITIGATION_COLUMNS",
    "SCENARIO_COLUMNS",
    "Mitigations",
    "Spreads",
    "ScenarioResult",
    "demand_spread_from_forecast",
    "run_scenarios",
    "mitigation_paths",
    "FAN_COLUMNS",
    "dsg_fan_result",
]

#: The Scenarios table's columns.
SCENARIO_COLUMNS = [
    "Year",
    "Unmitigated",
    "Mitigated",
    "Risk-adjusted",
    "P10",
    "P50",
    "P90",
    "Agreed",
    "P(on track)",
]
#: z of the 90th percentile of a Normal: P10-P90 spans 2 x 1.2816 standard deviations.
Z90 = 1.2815515655446004
#: The largest share of the Beta's possible spread used when a spread is too wide.
BETA_SPREAD_CAP = 0.95
#: Most scenarios a run may have.
MAX_SCENARIOS = 1_000_000
#: The largest seed: the largest whole number of which Excel keeps every digit (15), so a
#: seed typed in a cell, and the one the audit block records, is the seed drawn with (2**64
#: would be recorded as 18,446,744,073,709,600,000, another seed).
MAX_SEED = 999_999_999_999_999
#: Most scenarios x years a run may have: its results are five arrays of that many floats.
MAX_SCENARIO_YEARS = 10_000_000
#: Cells (scenarios x years x placements) of one block of the placement steps: the
#: scenarios are drawn and projected in blocks of this many cells (16 MB an array), so
#: memory stays bounded whatever the number of placements; the block size depends only
#: on the model's shape, so a seed gives the same result every time.
BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class Spreads:
    """Standard deviations of the yearly surprises, and the chance a DfE payment is paid.

    ``count_growth`` (each placement's own mix surprise) is one figure for
    every placement or one per placement (in the Placements table's order);
    ``demand`` is the surprise shared by every placement; both decimal rates
    a year (0.02 = 2 points). ``delivery``: None draws each workstream's
    delivered share around its Confidence; a share (1.0: as planned) makes
    every workstream deliver it. See the module docstring for why each default.
    """

    count_growth: float | tuple[float, ...] = 0.02
    inflation: float = 0.01
    income: float = 0.01
    mitigation: float = 0.15
    dfe_paid: float = 0.9
    demand: float = 0.03
    delivery: float | None = None

    @classmethod
    def zero(cls) -> Spreads:
        """Nothing drawn: every spread 0, every DfE payment paid, every saving delivered as
        planned; the deterministic model."""
        return cls(0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0)

    def check(self, placements: int) -> None:
        """Refuse a negative, non-finite or wrongly sized spread, naming it."""
        found = Problems()
        growth = np.atleast_1d(np.asarray(self.count_growth, dtype=float))
        if growth.size not in (1, placements):
            found.add("count_growth", "", f"has {growth.size} values for {placements} placements")
        for name, values in (
            ("count_growth", growth),
            ("demand", np.array([self.demand])),
            ("inflation", np.array([self.inflation])),
            ("income", np.array([self.income])),
            ("mitigation", np.array([self.mitigation])),
        ):
            if not np.isfinite(values).all():
                found.add(name, "", "is not a finite number")
            elif (values < 0).any():
                found.add(name, "", "a standard deviation cannot be negative")
        if self.delivery is not None and not (0.0 <= self.delivery <= 1.0):
            found.add(
                "delivery", "", f"{self.delivery:g}: a share delivered must be between 0 and 1"
            )
        if not (0.0 <= self.dfe_paid <= 1.0):
            found.add("dfe_paid", "", f"{self.dfe_paid:g}: a probability must be between 0 and 1")
        found.raise_if_any()


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """The cumulative deficit of every scenario, and what a person reads of it.

    ``cumulative`` and ``in_year`` are scenarios x years (pounds), as are
    each scenario's ``spend`` (High Needs expenditure with any mitigation
    shortfall), ``income`` and ``contributions``; ``seed`` and ``spreads``
    are what drew them.
    """

    years: tuple[str, ...]
    seed: int
    spreads: Spreads
    cumulative: np.ndarray
    in_year: np.ndarray
    deterministic: np.ndarray
    agreed: list[float | None]
    growth_sd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    demand_sd: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unmitigated: np.ndarray = field(default_factory=lambda: np.zeros(0))
    risk_adjusted: np.ndarray = field(default_factory=lambda: np.zeros(0))
    spend: np.ndarray = field(default_factory=lambda: np.zeros(0))
    income: np.ndarray = field(default_factory=lambda: np.zeros(0))
    contributions: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        """Number of scenarios."""
        return int(self.cumulative.shape[0])

    def percentiles(self) -> np.ndarray:
        """P10, P50 and P90 of the cumulative deficit by year (3 x years), linear interpolation."""
        return np.percentile(self.cumulative, [10.0, 50.0, 90.0], axis=0)

    def p_on_track(self) -> list[float | None]:
        """Share of scenarios at or below the agreed cumulative deficit; None where none agreed.

        Notes
        -----
        ::

            P(on track)[t] = #{s : cumulative[s,t] <= agreed[t]} / n
        """
        return [
            None if a is None else float(np.mean(self.cumulative[:, k] <= a))
            for k, a in enumerate(self.agreed)
        ]

    def table(self) -> ResultTable:
        """``Year | Unmitigated | Mitigated | Risk-adjusted | P10 | P50 | P90 | Agreed | P(on track)``.

        Cumulative deficit at the end of each year, pounds (deficit positive);
        Mitigated is the deterministic model (:func:`mitigation_paths`).
        """
        p = self.percentiles()
        agreed = np.array([np.nan if a is None else a for a in self.agreed])
        track = np.array([np.nan if v is None else v for v in self.p_on_track()])
        return ResultTable(
            SCENARIO_COLUMNS,
            [
                list(self.years),
                self.unmitigated,
                self.deterministic,
                self.risk_adjusted,
                p[0],
                p[1],
                p[2],
                agreed,
                track,
            ],
            blank=frozenset({"Agreed", "P(on track)"}),
        )


def demand_spread_from_forecast(table: Any, years: Any, default: float) -> np.ndarray:
    """Standard deviation of each year's demand surprise, from the forecast's Total band.

    Parameters
    ----------
    table : rows or DataFrame
        The EHCPForecast table (``Category | Year | Actual | P10 | P50 | P90``).
    years : sequence of str
        The financial years to give a spread for (``2025-26``), each after
        the year before it.
    default : float
        The spread of every year where the table has no usable Total band.

    Returns
    -------
    numpy.ndarray
        One decimal rate per year of ``years``, shared by every placement.

    Notes
    -----
    Financial year ``t`` holds the January census ``c(t)`` (2025-26 holds
    January 2026). The Total's P10-P90 at census ``c``, read as a Normal
    band on log count, has variance ``v(c) = (ln(P90 / P10) / (2 x
    1.2816))^2``; ``v = 0`` at the census the forecast starts from (the
    year before its first forecast census) and before. Independent yearly
    surprises with::

        sd(t) = sqrt(max(v(c(t)) - v(c(t) - 1), 0))

    compound to exactly the forecast's band at every census it gives; after
    its last census each year takes the last increment. The band widens
    faster than with the square root of the horizon (the growth trend itself
    is uncertain), so later years get larger surprises than earlier ones.
    Only the Total is read: see the module docstring for why the category
    bands are not.

    References
    ----------
    :mod:`models.forecast` (the intervals from the rolling backtest);
    :mod:`models.forecast_growth` (the table).

    Examples
    --------
    >>> t = [["Category", "Year", "Actual", "P10", "P50", "P90"],
    ...      ["Total", 2025, 100, None, None, None],
    ...      ["Total", 2026, None, 95, 100, 105],
    ...      ["Special", 2027, None, 10, 100, 900],
    ...      ["Total", 2027, None, 90, 100, 111]]
    >>> demand_spread_from_forecast(t, ["2025-26", "2026-27", "2027-28"], 0.03).round(4).tolist()
    [0.039, 0.0719, 0.0719]
    >>> demand_spread_from_forecast(None, ["2025-26"], 0.03).tolist()
    [0.03]
    """
    years = list(years)
    out = np.full(len(years), float(default))
    rows = rows_of(table)
    if not rows or not years:
        return out
    header = [("" if is_blank(h) else str(h).strip().casefold()) for h in rows[0]]
    try:
        cat, year, p10, p90 = (header.index(c) for c in ("category", "year", "p10", "p90"))
    except ValueError:
        return out
    variance: dict[int, float] = {}
    for r in rows[1:]:
        if is_blank(r[cat]) or " ".join(str(r[cat]).split()).casefold() != "total":
            continue
        y, err = parse_number(r[year])
        lo, e1 = parse_number(r[p10])
        hi, e2 = parse_number(r[p90])
        if err is not None or y is None or e1 is not None or e2 is not None:
            continue
        if lo is not None and hi is not None and 0 < lo <= hi and math.isfinite(hi):
            variance[int(y)] = (math.log(hi / lo) / (2.0 * Z90)) ** 2
    if not variance:
        return out
    first, last = min(variance), max(variance)
    for c in range(first, last):  # a census missing inside the forecast: the one before
        variance.setdefault(c, variance[c - 1] if c > first else 0.0)
    step_after = max(variance[last] - variance.get(last - 1, 0.0), 0.0)

    def v(c: int) -> float:
        if c < first:
            return 0.0
        if c <= last:
            return variance[c]
        return variance[last] + (c - last) * step_after

    for k, t in enumerate(years):
        c = int(str(t)[:4]) + 1
        out[k] = math.sqrt(max(v(c) - v(c - 1), 0.0))
    return out


def mitigation_paths(
    model: DSGModel, mitigations: Mitigations | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative deficit of the unmitigated, mitigated and risk-adjusted plans (pounds).

    Notes
    -----
    The model describes the mitigated plan::

        mitigated[t]     = cumulative_deficit[t]                        (models.return_figures)
        unmitigated[t]   = mitigated[t] + sum_{j<=t} sum_{i: Year_i=j} Planned_i
        risk_adjusted[t] = mitigated[t] + sum_{j<=t} sum_{i: Year_i=j} Planned_i x (1 - Confidence_i)

    References
    ----------
    The About sheet's convention for mitigations; RETURN.md, Scenarios.

    Examples
    --------
    >>> from models.samples import sample_model
    >>> m = Mitigations(("ERB",), ("2024-25",), [1e6], [0.0], [0.75], ("Amber",))
    >>> [p.round(2).tolist() for p in mitigation_paths(sample_model(), m)]
    [[9000000.0, 10575000.0, 9593000.0], [9000000.0, 9575000.0, 8593000.0], [9000000.0, 9825000.0, 8843000.0]]
    """
    mitigated = rf.cumulative_deficit(model)
    if mitigations is None:
        mitigations = model.mitigations
    if mitigations is None or not len(mitigations):
        return mitigated, mitigated, mitigated
    years = model.years
    planned = np.cumsum(mitigations.by_year(years, mitigations.planned))
    expected_short = np.cumsum(
        mitigations.by_year(years, mitigations.planned * (1.0 - mitigations.confidence))
    )
    return mitigated + planned, mitigated, mitigated + expected_short


def _beta_delivery(
    rng: np.random.Generator, confidence: np.ndarray, sd: float, n: int
) -> np.ndarray:
    """Delivered share of each workstream in each scenario (n x workstreams).

    Notes
    -----
    ::

        v      = min(sd, 0.95 x sqrt(c(1-c)))^2
        kappa  = c(1-c) / v - 1
        D      ~ Beta(c x kappa, (1-c) x kappa)          (mean c, sd sqrt(v))
        D      = c                                       where v = 0 (sd 0, c = 0 or 1)

    A confidence so near 0 that ``c x kappa`` underflows to 0 (``5e-324``)
    has no Beta either: it too is delivered at ``c``.
    """
    c = confidence
    limit = BETA_SPREAD_CAP * np.sqrt(c * (1.0 - c))
    s = np.minimum(sd, limit)
    fixed = s <= 0
    v = np.where(fixed, 1.0, s * s)
    with np.errstate(all="ignore"):
        kappa = np.where(fixed, 2.0, c * (1.0 - c) / v - 1.0)
        a = np.where(fixed, 1.0, c * kappa)
        b = np.where(fixed, 1.0, (1.0 - c) * kappa)
    fixed = fixed | ~((a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b))
    a, b = np.where(fixed, 1.0, a), np.where(fixed, 1.0, b)
    if fixed.all():
        return np.broadcast_to(c, (n, len(c))).copy()
    draw = rng.beta(a, b, size=(n, len(c)))
    return np.where(fixed, c, draw)


def _projected_spend(
    rng: np.random.Generator,
    m: int,
    p: Any,
    moves: np.ndarray,
    growth_sd: np.ndarray,
    inflation_sd: float,
    future: np.ndarray,
    demand_sd: np.ndarray | None = None,
) -> np.ndarray:
    """Spend on placements of ``m`` scenarios by year (m x years): the placement steps.

    Notes
    -----
    ::

        count[s,t,p] = max(count[s,t-1,p] x ((1 + growth_p) + d[s,t] + e[s,t,p]) + moves[p,t], 0)
        cost[s,t,p]  = Cost_p x (1 + inflation_p)^t x prod_{j<=t} (1 + u[s,j,p] / (1 + inflation_p))
        spend[s,t]   = sum_p count[s,t,p] x cost[s,t,p]      (summed in table order)

    With e = u = 0 every product is exactly 1 and every sum in the order of
    PLACEMENT_PROJECTION's Total, so the figures are the projection's, bit for bit.
    """
    n_years, n_places = moves.shape[1], len(p.names)
    n_future = int(future.sum())
    g = p.growth.to_numpy()
    infl = p.inflation.to_numpy()
    shape = (m, n_years, n_places)
    e = np.zeros(shape)
    u = np.zeros(shape)
    if n_future and demand_sd is not None and demand_sd[future].any():
        e[:, future, :] = rng.normal(0.0, 1.0, (m, n_future, 1)) * demand_sd[future][:, None]
    if n_future and growth_sd.any():
        e[:, future, :] += rng.normal(0.0, 1.0, (m, n_future, n_places)) * growth_sd
    if n_future and inflation_sd > 0:
        u[:, future, :] = rng.normal(0.0, inflation_sd, (m, n_future, n_places))
    count = np.empty(shape)
    count[:, 0, :] = p.count.to_numpy()
    with np.errstate(all="ignore"):
        for k in range(1, n_years):
            count[:, k, :] = count[:, k - 1, :] * ((1.0 + g) + e[:, k, :]) + moves[:, k]
            if future[k]:
                np.maximum(count[:, k, :], 0.0, out=count[:, k, :])
        base_cost = p.cost_per_place.to_numpy()[:, None] * (1.0 + infl[:, None]) ** np.arange(
            n_years
        )
        cost = base_cost.T[None, :, :] * np.cumprod(1.0 + u / (1.0 + infl), axis=1)
        place_spend = count * cost
    projected = place_spend[:, :, 0].copy()
    for q in range(1, n_places):  # in the Placements table's order, as the projection's Total
        projected += place_spend[:, :, q]
    return projected


def run_scenarios(
    model: DSGModel,
    n: int = 10_000,
    seed: int = 1,
    spreads: Spreads | None = None,
    mitigations: Mitigations | None = None,
    forecast: Any = None,
) -> ScenarioResult:
    """Run the model for ``n`` scenarios at once (the formulas in the module docstring).

    Parameters
    ----------
    model : DSGModel
        The typed model (:func:`models.parse.parse_model`).
    n : int
        Scenarios, 1 to 1,000,000 (and at most 10,000,000 scenarios x years).
    seed : int
        Seed of numpy's ``default_rng`` (PCG64), 0 to :data:`MAX_SEED`: the same
        seed, the same result.
    spreads : Spreads, optional
        Default :class:`Spreads`; :meth:`Spreads.zero` gives the deterministic model.
    mitigations : Mitigations, optional
        The savings the plan counts on; by default the model's own
        (``model.mitigations``, empty for a model without the table).
    forecast : rows or DataFrame, optional
        The EHCPForecast table: where given, the demand surprise's spread
        comes from its Total's P10-P90 (:func:`demand_spread_from_forecast`),
        falling back to ``spreads.demand``. Ignored when that spread is 0.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    InputError
        ``n`` or ``seed`` out of range, a spread negative or not finite, a
        mitigation outside the Funding years; the model's own errors (a
        negative projected count) as the deterministic model raises them.

    Examples
    --------
    >>> from models.samples import sample_model
    >>> r = run_scenarios(sample_model(), n=4, seed=1, spreads=Spreads.zero())
    >>> r.table().rows()[3]
    ['2025-26', 8593000.0, 8593000.0, 8593000.0, 8593000.0, 8593000.0, 8593000.0, 8000000.0, 0.0]
    """
    spreads = Spreads() if spreads is None else spreads
    found = Problems()
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_SCENARIOS:
        found.add("n", "", f"{n!r}: give a whole number of scenarios from 1 to {MAX_SCENARIOS:,}")
    if (
        isinstance(seed, bool)
        or not isinstance(seed, (int, np.integer))
        or not 0 <= seed <= MAX_SEED
    ):
        found.add("seed", "", f"{seed!r}: give a whole number from 0 to {MAX_SEED:,}")
    found.raise_if_any()
    p = model.placements
    spreads.check(len(p.names))
    years = model.years
    if n * len(years) > MAX_SCENARIO_YEARS:
        raise InputError(
            [
                Problem(
                    "n",
                    "",
                    f"{n:,} scenarios x {len(years)} years is more than "
                    f"{MAX_SCENARIO_YEARS:,}: give fewer scenarios",
                )
            ]
        )
    n_years, n_places = len(years), len(p.names)
    now = years.index(model.current_year)
    future = np.arange(n_years) > now
    rng = np.random.default_rng(int(seed))

    # The deterministic figures: what the engine must reproduce with every spread 0.
    if mitigations is None:
        mitigations = model.mitigations
    views = mitigation_paths(model, mitigations)
    deterministic = views[1]
    expenditure = rf.expenditure(model)
    transfers = rf.transfers_in(model)
    council = rf.council_contribution(model)
    other = rf.other_contributions(model)
    dfe = rf.dfe_contribution(model)
    f = model.funding

    growth_sd = np.broadcast_to(np.asarray(spreads.count_growth, dtype=float), (n_places,)).astype(
        float
    )
    demand_sd = np.where(future, float(spreads.demand), 0.0)
    if forecast is not None and not all_blank(forecast) and spreads.demand > 0:
        later = [y for y, f in zip(years, future, strict=True) if f]
        demand_sd[future] = demand_spread_from_forecast(forecast, later, spreads.demand)

    # Placements: counts and costs, scenarios x years x placements.
    moves = (
        move_matrix(p.moves.rows(), list(p.names), list(years))
        if p.moves is not None
        else np.zeros((n_places, n_years))
    )
    n_future = int(future.sum())
    block = max(1, min(n, BLOCK_CELLS // (n_years * n_places or 1)))
    projected = np.concatenate(
        [
            _projected_spend(
                rng,
                min(block, n - first),
                p,
                moves,
                growth_sd,
                spreads.inflation,
                future,
                demand_sd,
            )
            for first in range(0, n, block)
        ]
    )
    spend = np.where(future, projected + f.other_high_needs_spend.to_numpy(), expenditure)

    # Mitigations: the shortfall on the plan's savings in the years after the current one,
    # drawn and summed into years a block of scenarios at a time (memory bounded however
    # many rows the table has; the draws are the same as in one block).
    if mitigations is not None and len(mitigations):
        later = future[mitigations.year_index(years)]
        rows = max(1, min(n, BLOCK_CELLS // len(mitigations)))
        shortfall = np.empty((n, n_years))
        for first in range(0, n, rows):
            m = min(rows, n - first)
            if spreads.delivery is not None:  # every workstream delivers this share
                delivery = np.full((m, len(mitigations)), float(spreads.delivery))
            else:
                delivery = _beta_delivery(rng, mitigations.confidence, spreads.mitigation, m)
                delivery = np.where(later, delivery, mitigations.confidence)
            shortfall[first : first + m] = mitigations.by_year(
                years, mitigations.planned * (1.0 - delivery)
            )
        spend = spend + shortfall

    # Income: compounding surprises after the current year.
    income_factor = np.ones((n, n_years))
    if n_future and spreads.income > 0:
        income_factor[:, future] = np.cumprod(
            1.0 + rng.normal(0.0, spreads.income, (n, n_future)), axis=1
        )
    income = f.income.to_numpy() * income_factor

    # DfE payments after the current year: paid or withheld.
    dfe_s = np.broadcast_to(dfe, (n, n_years))
    due_later = future & (dfe != 0)
    if spreads.dfe_paid < 1.0 and due_later.any():
        paid = rng.random((n, int(due_later.sum()))) < spreads.dfe_paid
        dfe_s = dfe_s.copy()
        dfe_s[:, due_later] = np.where(paid, dfe[due_later], 0.0)
    contributions = dfe_s + council + other

    with np.errstate(all="ignore"):
        in_year = in_year_deficit(spend, income, transfers, f.other_blocks_deficit.to_numpy())
        cumulative = cumulative_deficit(model.settings.opening_deficit, in_year, contributions)
    if not np.isfinite(cumulative).all():
        raise InputError(
            [Problem("scenarios", "", "the result is too large to compute: check the spreads")]
        )
    return ScenarioResult(
        years=years,
        seed=int(seed),
        spreads=spreads,
        cumulative=cumulative,
        in_year=in_year,
        deterministic=deterministic,
        agreed=rf.agreed_deficit(model),
        growth_sd=growth_sd,
        demand_sd=demand_sd,
        unmitigated=views[0],
        risk_adjusted=views[2],
        spend=spend,
        income=income,
        contributions=contributions,
    )


# --- DSG_FAN ------------------------------------------------------------------------------

#: DSG_FAN's columns (METHOD.md).
FAN_COLUMNS = ["Year", "P10", "P50", "P90", "Deterministic", "Plan", "P(on track)"]
#: DSG_FAN's defaults (METHOD.md).
FAN_SPEND_SD = 0.03
FAN_INCOME_SD = 0.01
FAN_SCENARIOS = 10_000
FAN_SEED = 1
#: The largest spend_sd or income_sd: a standard deviation of 100% a year. Above it a
#: year's factor (1 + e) is below 0 (spend or income negative) in more than one scenario in
#: six, and a spread typed as a percentage (3 for 3%) would pass unnoticed.
MAX_FAN_SD = 1.0


def _whole(value: Any, argument: str, low: int, high: int | None, default: int) -> int:
    """A whole number between ``low`` and ``high``; ``default`` when omitted.

    >>> _whole([[2e6]], "scenarios", 1, 1_000_000, 10_000)
    Traceback (most recent call last):
    ...
    models.errors.InputError: scenarios: 2,000,000 is more than 1,000,000
    """
    x = read_scalar(value, argument, default=default)
    if x != int(x):
        raise InputError([Problem(argument, "", f"{x:g} is not a whole number")])
    if x < low:
        raise InputError([Problem(argument, "", f"{x:,.0f} is less than {low:,}")])
    if high is not None and x > high:
        raise InputError([Problem(argument, "", f"{x:,.0f} is more than {high:,}")])
    return int(x)


def dsg_fan_result(
    years: Any,
    opening_deficit: Any,
    income: Any,
    spend: Any,
    transfers: Any = None,
    contributions: Any = None,
    other_blocks: Any = None,
    plan: Any = None,
    spend_sd: Any = None,
    income_sd: Any = None,
    scenarios: Any = None,
    seed: Any = None,
) -> ResultTable:
    """DSG_FAN: a Monte Carlo of DSG_TRAJECTORY with P10/P50/P90 and P(on track).

    Parameters
    ----------
    years, opening_deficit, income, spend, transfers, contributions, other_blocks
        DSG_TRAJECTORY's arguments (pounds).
    plan : series, optional
        Agreed cumulative deficit per year, pounds.
    spend_sd, income_sd : float, optional
        Standard deviation of each year's growth surprise, 0 to 1 (defaults 0.03
        and 0.01; 1 = 100% a year, :data:`MAX_FAN_SD`).
    scenarios : int, optional
        1 to 1,000,000 (default 10,000).
    seed : int, optional
        0 to 999,999,999,999,999 (default 1, :data:`MAX_SEED`).

    Returns
    -------
    ResultTable
        ``Year | P10 | P50 | P90 | Deterministic | Plan | P(on track)``; Plan
        and P(on track) blank without a plan.

    Notes
    -----
    Drawn year by year for every scenario at once (memory: a few arrays of
    ``scenarios``, whatever the years)::

        e[s,t] ~ Normal(0, spend_sd),  f[s,t] ~ Normal(0, income_sd)
        spend[s,t]  = spend[t]  x (1 + e[s,1]) x ... x (1 + e[s,t])
        income[s,t] = income[t] x (1 + f[s,1]) x ... x (1 + f[s,t])
        cumulative[s,t] = cumulative[s,t-1] + spend[s,t] - income[s,t] - transfers[t]
                          + other_blocks[t] - contributions[t]
        P(on track)[t]  = #{s : cumulative[s,t] <= plan[t]} / scenarios

    In each year the spend surprises are drawn before the income surprises,
    from numpy's ``default_rng(seed)``.

    References
    ----------
    METHOD.md, "DSG_FAN" and "DSG_TRAJECTORY".

    Examples
    --------
    >>> t = dsg_fan_result(["2024-25", "2025-26"], 40e6, 100e6, 110e6, plan=[[50e6, 55e6]],
    ...                    spend_sd=0, income_sd=0)
    >>> t.rows()[2]
    ['2025-26', 60000000.0, 60000000.0, 60000000.0, 60000000.0, 55000000.0, 0.0]
    """
    found = Problems()
    inputs = found.run(
        read_trajectory_inputs,
        years,
        opening_deficit,
        income,
        spend,
        transfers,
        contributions,
        other_blocks,
    )
    s_sd = found.run(
        read_scalar, spend_sd, "spend_sd", minimum=0, maximum=MAX_FAN_SD, default=FAN_SPEND_SD
    )
    i_sd = found.run(
        read_scalar, income_sd, "income_sd", minimum=0, maximum=MAX_FAN_SD, default=FAN_INCOME_SD
    )
    n = found.run(_whole, scenarios, "scenarios", 1, MAX_SCENARIOS, FAN_SCENARIOS)
    draw_seed = found.run(_whole, seed, "seed", 0, MAX_SEED, FAN_SEED)
    agreed = None
    if inputs is not None and not all_blank(plan):
        agreed = found.run(read_series, plan, inputs.years, "plan")
    found.raise_if_any()
    assert inputs is not None and s_sd is not None and i_sd is not None
    assert n is not None and draw_seed is not None
    rng = np.random.default_rng(draw_seed)
    n_years = len(inputs.years)
    p = np.empty((3, n_years))
    track = np.full(n_years, np.nan)
    with np.errstate(all="ignore"):
        deterministic = cumulative_deficit(
            inputs.opening_deficit,
            in_year_deficit(inputs.spend, inputs.income, inputs.transfers, inputs.other_blocks),
            inputs.contributions,
        )
        spend_factor = np.ones(n)
        income_factor = np.ones(n)
        running = np.zeros(n)  # the sum of the years so far, as DSG_TRAJECTORY's cumsum
        for t in range(n_years):
            if s_sd > 0:
                spend_factor *= 1.0 + rng.normal(0.0, s_sd, n)
            if i_sd > 0:
                income_factor *= 1.0 + rng.normal(0.0, i_sd, n)
            running += (
                inputs.spend[t] * spend_factor
                - inputs.income[t] * income_factor
                - inputs.transfers[t]
                + inputs.other_blocks[t]
            ) - inputs.contributions[t]
            cumulative = inputs.opening_deficit + running
            p[:, t] = np.percentile(cumulative, [10.0, 50.0, 90.0])
            if agreed is not None:
                track[t] = np.count_nonzero(cumulative <= agreed[t]) / n
    plan_column = np.full(n_years, np.nan) if agreed is None else agreed
    table = ResultTable(
        FAN_COLUMNS,
        [inputs.years, p[0], p[1], p[2], deterministic, plan_column, track],
        blank=frozenset({"Plan", "P(on track)"}),
    )
    return check_finite(table, "income, spend, transfers, contributions and other_blocks")
