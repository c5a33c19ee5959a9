"""The council's DSG model, typed: what :func:`models.parse.parse_model` makes of the workbook.

The model workbook's tables are read once, at the edge
(:func:`models.parse.parse_model`), into these frozen dataclasses. Every
figure of the return (:mod:`models.return_figures`) is computed from them,
never from the raw tables, so a figure never meets a blank, a text or an
Excel error where a number belongs.

- series are :class:`Keyed`: a read-only numpy array of floats with its keys
  (financial year ``2024-25``, placement, Section 251 code, EHCP category or
  age group); tables are :class:`Grid`: row labels, column labels and a
  read-only 2-D array. Neither needs pandas, so the refresh never imports
  it; ``.series()`` and ``.frame()`` build the pandas view for a person;
- money is unrounded float pounds; rates are decimals (0.01 = 1%).

A scenario is a copy with one part replaced, for example a 2% transfer in
every year::

    scenario = dataclasses.replace(
        model, funding=dataclasses.replace(model.funding, transfer_rate=rate_2pc)
    )
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import InputError, Problem
from models.mitigations import Mitigations

if TYPE_CHECKING:  # pandas is imported only to show a part to a person
    import pandas as pd

__all__ = [
    "Keyed",
    "Grid",
    "Moves",
    "Settings",
    "Funding",
    "Placements",
    "Agreement",
    "HighNeedsLines",
    "EHCPNumbers",
    "Condition",
    "Source",
    "DSGModel",
    "year_series",
    "keyed",
]


def _read_only(values: Any, ndim: int) -> np.ndarray:
    array = np.array(values, dtype=float, ndmin=ndim)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Keyed:
    """A read-only array of floats with its keys (years, placements, lines, categories).

    What a :class:`pandas.Series` of the model was, in numpy: indexing by key,
    iteration over the values, and arithmetic with an array, a list, a number
    or another ``Keyed`` of the same keys give floats or a new ``Keyed``.

    >>> k = Keyed(("2024-25", "2025-26"), [1.0, 2.0], "Income")
    >>> k["2025-26"], (k + [0.5, 0.5]).tolist(), k.to_dict()
    (2.0, [1.5, 2.5], {'2024-25': 1.0, '2025-26': 2.0})
    """

    keys: tuple[str, ...]
    values: np.ndarray
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", tuple(self.keys))
        object.__setattr__(self, "values", _read_only(self.values, 1))
        if len(self.values) != len(self.keys):
            raise ValueError(
                f"{self.name or 'values'}: {len(self.values)} values for {len(self.keys)} keys"
            )

    @property
    def index(self) -> tuple[str, ...]:
        """The keys, in order (the name a Series gave them)."""
        return self.keys

    def __getitem__(self, key: str) -> float:
        try:
            return float(self.values[self.keys.index(key)])
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[float]:
        return iter(self.values.tolist())

    def __len__(self) -> int:
        return len(self.keys)

    def to_numpy(self) -> np.ndarray:
        """The values, read-only."""
        return self.values

    def tolist(self) -> list[float]:
        return list(self.values.tolist())

    def to_dict(self) -> dict[str, float]:
        return dict(zip(self.keys, self.values.tolist(), strict=True))

    def sum(self) -> float:
        return float(self.values.sum())

    def _other(self, other: Any) -> np.ndarray:
        if isinstance(other, Keyed):
            if other.keys != self.keys:
                raise ValueError(f"keys differ: {self.keys} and {other.keys}")
            return other.values
        return np.asarray(other, dtype=float)

    def _new(self, values: np.ndarray) -> Keyed:
        return Keyed(self.keys, values, self.name)

    def __add__(self, other: Any) -> Keyed:
        return self._new(self.values + self._other(other))

    __radd__ = __add__

    def __sub__(self, other: Any) -> Keyed:
        return self._new(self.values - self._other(other))

    def __rsub__(self, other: Any) -> Keyed:
        return self._new(self._other(other) - self.values)

    def __mul__(self, other: Any) -> Keyed:
        return self._new(self.values * self._other(other))

    __rmul__ = __mul__

    def __neg__(self) -> Keyed:
        return self._new(-self.values)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.values if dtype is None else self.values.astype(dtype)

    def series(self) -> pd.Series:
        """The values as a :class:`pandas.Series` keyed by ``keys``, for a person to read."""
        import pandas as pd

        return pd.Series(
            self.values.copy(), index=pd.Index(list(self.keys), dtype=object), name=self.name
        )

    def __repr__(self) -> str:
        return f"Keyed({self.name!r}, {self.to_dict()})"


@dataclass(frozen=True, eq=False)
class Grid:
    """A read-only 2-D array of floats with its row and column labels.

    >>> g = Grid(("A", "B"), ("January 2024",), [[1.0], [2.0]])
    >>> g.column("January 2024").tolist(), g.columns
    ([1.0, 2.0], ('January 2024',))
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        object.__setattr__(self, "columns", tuple(self.columns))
        values = _read_only(self.values, 2)
        if values.size == 0:
            values = _read_only(np.zeros((len(self.rows), len(self.columns))), 2)
        if values.shape != (len(self.rows), len(self.columns)):
            raise ValueError(
                f"{values.shape} values for {len(self.rows)}x{len(self.columns)} labels"
            )
        object.__setattr__(self, "values", values)

    def column(self, label: str) -> Keyed:
        """One column, keyed by the row labels."""
        return Keyed(self.rows, self.values[:, self.columns.index(label)], label)

    def frame(self) -> pd.DataFrame:
        """The grid as a :class:`pandas.DataFrame`, for a person to read."""
        import pandas as pd

        return pd.DataFrame(self.values.copy(), index=list(self.rows), columns=list(self.columns))


@dataclass(frozen=True, eq=False)
class Moves:
    """The Moves table: planned net changes in count (children, + or -), one per row.

    >>> Moves(("Independent",), ("2025-26",), [-10.0]).rows()
    [['Placement', 'Year', 'Change'], ['Independent', '2025-26', -10.0]]
    """

    placements: tuple[str, ...]
    years: tuple[str, ...]
    change: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "placements", tuple(self.placements))
        object.__setattr__(self, "years", tuple(self.years))
        object.__setattr__(self, "change", _read_only(self.change, 1))

    def __len__(self) -> int:
        return len(self.placements)

    def rows(self) -> list[list[Any]]:
        """Header then one row per move, as a table argument."""
        body = zip(self.placements, self.years, self.change.tolist(), strict=True)
        return [["Placement", "Year", "Change"], *map(list, body)]


def year_series(values: Any, years: Any, name: str = "") -> Keyed:
    """Read-only floats keyed by financial year.

    >>> year_series([1.0, 2.0], ["2024-25", "2025-26"], "Transfer rate").to_dict()
    {'2024-25': 1.0, '2025-26': 2.0}
    """
    return Keyed(tuple(years), values, name)


def keyed(values: Any, keys: Any, name: str = "") -> Keyed:
    """Read-only floats keyed by placement, line, category or age group.

    >>> keyed([3.0], ["Independent"], "Count").to_dict()
    {'Independent': 3.0}
    """
    return Keyed(tuple(keys), values, name)


def _same_keys(part: str, keys: tuple[str, ...], **series: Any) -> None:
    """Every series of a part is a :class:`Keyed` keyed by ``keys``, in order.

    A scenario replaced with care: a bare array, a list or a pandas Series is
    refused by name, as are keys in another order.

    >>> _same_keys("Funding", ("2024-25",), income=[1.0])
    Traceback (most recent call last):
    ...
    models.errors.InputError: Funding income: must be keyed by 2024-25 in that order
    """
    wrong = [name for name, s in series.items() if not isinstance(s, Keyed) or s.keys != keys]
    if wrong:
        raise InputError(
            [
                Problem(
                    part,
                    ", ".join(wrong),
                    f"must be keyed by {', '.join(keys) or 'nothing'} in that order",
                )
            ]
        )


@dataclass(frozen=True)
class Settings:
    """The Settings table.

    Attributes
    ----------
    la_name : str
        ``Local authority``.
    la_code : str
        ``LA code``: DfE's three-digit LA number (``873``).
    period : str
        ``Return period``, normalised to ``YYYY-YY Qn`` (``2024-25 Q2``).
    current_year : str
        The financial year of the period (``2024-25``).
    period_end : datetime.date
        ``Period end date``: the last day of the period's quarter.
    prepared_by : str
        ``Prepared by`` (may be empty).
    opening_deficit : float
        ``Opening cumulative deficit``: pounds brought forward into the
        first Funding year (positive = deficit).
    dfe_data_folder : str or None
        ``DfE data folder``, when the model has that row.
    hnb_basis : str
        ``High Needs Block basis``: ``after deductions`` (the default) or
        ``before deductions``, the basis of the income and of Section 251
        line 1.0.2.
    write_off_year : str or None
        ``Write-off year``: the financial year a grant writes off part of the
        deficit built up to the end of the year before (``2026-27``: the High
        Needs Stability Grant); None when the model sets no write-off.
    write_off_share : float
        ``Write-off share``: the share written off, 0 to 1 (default 0.9).
    override_end : str
        ``Override end``: the last financial year the statutory override
        covers (default ``2027-28``); what remains after it falls on the council.
    usable_reserves : float or None
        ``Usable reserves``: the council's usable reserves, pounds, set against
        what falls on the council; None when not given.
    """

    la_name: str
    la_code: str
    period: str
    current_year: str
    period_end: dt.date
    prepared_by: str
    opening_deficit: float
    dfe_data_folder: str | None = None
    hnb_basis: str = "after deductions"
    write_off_year: str | None = None
    write_off_share: float = 0.9
    override_end: str = "2027-28"
    usable_reserves: float | None = None


@dataclass(frozen=True, eq=False)
class Funding:
    """The Funding table: one value per financial year, pounds (rates as decimals).

    ``forum_decision`` is the schools forum's decision on each year's
    transfer: ``Approved``, ``Refused`` or ``""`` (not yet decided, or no
    transfer); empty when the model has no ``Forum decision`` column.
    """

    years: tuple[str, ...]
    income: Keyed
    schools_block: Keyed
    transfer_rate: Keyed
    other_high_needs_spend: Keyed
    other_blocks_deficit: Keyed
    council_contribution: Keyed
    other_contributions: Keyed
    forum_decision: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.forum_decision:
            object.__setattr__(self, "forum_decision", ("",) * len(self.years))
        _same_keys(
            "Funding",
            self.years,
            income=self.income,
            schools_block=self.schools_block,
            transfer_rate=self.transfer_rate,
            other_high_needs_spend=self.other_high_needs_spend,
            other_blocks_deficit=self.other_blocks_deficit,
            council_contribution=self.council_contribution,
            other_contributions=self.other_contributions,
        )


@dataclass(frozen=True, eq=False)
class Placements:
    """The Placements table (base year) and the Moves table, keyed by placement.

    ``moves`` is the Moves table (:class:`Moves`), or None when it is empty.
    """

    names: tuple[str, ...]
    count: Keyed
    cost_per_place: Keyed
    growth: Keyed
    inflation: Keyed
    moves: Moves | None = None

    def __post_init__(self) -> None:
        _same_keys(
            "Placements",
            self.names,
            count=self.count,
            cost_per_place=self.cost_per_place,
            growth=self.growth,
            inflation=self.inflation,
        )


@dataclass(frozen=True, eq=False)
class Agreement:
    """The Safety Valve agreement's profile, keyed by the years it lists (ascending).

    ``dfe_payment_due`` is what the agreement says DfE pays each year,
    ``dfe_payment_received`` what came, and ``dfe_payment_expected`` what the
    council expects for the current and later years (on time, later, or never);
    a model without that column expects each instalment when due
    (:mod:`models.parse`).
    """

    years: tuple[str, ...]
    dfe_payment_due: Keyed
    dfe_payment_received: Keyed
    council_contribution: Keyed
    agreed_deficit: Keyed
    dfe_payment_expected: Keyed | None = None

    def __post_init__(self) -> None:
        if self.dfe_payment_expected is None:
            object.__setattr__(self, "dfe_payment_expected", self.dfe_payment_due)
        _same_keys(
            "Agreement",
            self.years,
            dfe_payment_due=self.dfe_payment_due,
            dfe_payment_received=self.dfe_payment_received,
            council_contribution=self.council_contribution,
            agreed_deficit=self.agreed_deficit,
            dfe_payment_expected=self.dfe_payment_expected,
        )

    @property
    def expected(self) -> Keyed:
        """``DfE payment expected`` (typed: never None after construction)."""
        assert self.dfe_payment_expected is not None
        return self.dfe_payment_expected


@dataclass(frozen=True, eq=False)
class HighNeedsLines:
    """Budget and forecast outturn of the current year, keyed by Section 251 code, pounds."""

    budget: Keyed
    forecast: Keyed


@dataclass(frozen=True, eq=False)
class EHCPNumbers:
    """EHC plans: census history, the period's actual and plan, and the actual by age.

    ``history`` has one row per placement category and one column per
    census, headed as the return shows it (``January 2024``).
    """

    history: Grid
    actual: Keyed
    plan: Keyed
    by_age: Keyed


@dataclass(frozen=True)
class Source:
    """One row of the Sources table: a figure, where it comes from and what it is.

    ``status`` is ``Actual``, ``Estimate``, ``Assumption`` or ``Plan``;
    ``sheet`` the return sheet the figure appears on (may be empty).
    """

    item: str
    figure: str
    source: str
    status: str
    sheet: str = ""


@dataclass(frozen=True)
class Condition:
    """One row of the Conditions table; ``rag`` is Green, Amber or Red."""

    condition: str
    rag: str
    commentary: str


@dataclass(frozen=True, eq=False)
class DSGModel:
    """One council's DSG model, validated: the return's figures are computed from it.

    >>> from models.samples import sample_model
    >>> m = sample_model()
    >>> m.settings.period, m.funding.years, m.placements.names
    ('2024-25 Q2', ('2023-24', '2024-25', '2025-26'), ('Special', 'Independent'))
    """

    settings: Settings
    funding: Funding
    placements: Placements
    agreement: Agreement
    high_needs: HighNeedsLines
    ehcp: EHCPNumbers
    conditions: tuple[Condition, ...] = ()
    sources: tuple[Source, ...] = ()
    mitigations: Mitigations = field(default_factory=Mitigations.empty)

    @property
    def years(self) -> tuple[str, ...]:
        """The Funding years: the years of every figure."""
        return self.funding.years

    @property
    def current_year(self) -> str:
        """The financial year of the return period."""
        return self.settings.current_year
