"""The Mitigations table: the savings a plan counts on, by workstream and year.

Convention (the model workbook's About sheet says it too): the Funding and
Placements inputs describe the *mitigated* plan, so

- unmitigated spend[t]   = mitigated spend[t] + sum of Planned saving[t]
- risk-adjusted spend[t] = mitigated spend[t] + sum of Planned saving[t] x (1 - Confidence)

References
----------
RETURN.md, "Mitigations" and "Scenarios"; :mod:`models.scenarios` draws each
workstream's delivery around its Confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.errors import InputError, Problem, Problems, show
from models.validation import is_blank, parse_number, parse_year, rows_of

__all__ = ["MITIGATION_COLUMNS", "Mitigations"]

#: The longest workstream name: the return's Notes item (name, year, saving, confidence) stays
#: within an Excel cell's 32,767 characters even when every character is a control character
#: shown as ``[U+0007]`` (8 characters).
MAX_WORKSTREAM = 4_000

#: The RAG ratings a workstream may carry (any case), as the return's other RAG columns.
RAGS = ("green", "amber", "red")

#: The Mitigations table's columns, in order.
MITIGATION_COLUMNS: tuple[str, ...] = (
    "Workstream",
    "Year",
    "Planned saving",
    "Delivered saving",
    "Confidence",
    "RAG",
)


def _text(value: Any) -> str:
    """A workstream cell as text: a whole number loses the ``.0`` Office.js gives it.

    >>> _text(2025.0), _text(" ERB places "), _text(1.5)
    ('2025', 'ERB places', '1.5')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True, eq=False)
class Mitigations:
    """The Mitigations table: savings the plan counts on, one row per workstream and year.

    Convention: the Funding and Placements inputs describe the *mitigated*
    plan, so

    - unmitigated spend[t]  = mitigated spend[t] + sum of Planned saving[t]
    - risk-adjusted spend[t] = mitigated spend[t] + sum of Planned saving[t] x (1 - Confidence)

    Attributes
    ----------
    workstream, year, rag : tuple of str
        Workstream, financial year (``2025-26``) and RAG of each row.
    planned, delivered : numpy.ndarray
        Planned saving and saving delivered to date, pounds (>= 0).
    confidence : numpy.ndarray
        Share of the planned saving expected, 0 to 1.

    Examples
    --------
    >>> m = Mitigations(("ERB places",), ("2025-26",), [1e6], [0.0], [0.8], ("Amber",))
    >>> m.by_year(["2024-25", "2025-26"], m.planned * (1 - m.confidence)).round(2).tolist()
    [0.0, 200000.0]
    """

    workstream: tuple[str, ...]
    year: tuple[str, ...]
    planned: np.ndarray
    delivered: np.ndarray
    confidence: np.ndarray
    rag: tuple[str, ...]

    def __post_init__(self) -> None:
        for name in ("workstream", "year", "rag"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        n = len(self.workstream)
        found = Problems()
        for name in ("planned", "delivered", "confidence"):
            values = np.array(getattr(self, name), dtype=float, ndmin=1)
            values.flags.writeable = False
            object.__setattr__(self, name, values)
        for name, column in (
            ("year", "Year"),
            ("planned", "Planned saving"),
            ("delivered", "Delivered saving"),
            ("confidence", "Confidence"),
            ("rag", "RAG"),
        ):
            if len(getattr(self, name)) != n:
                found.add(
                    "Mitigations",
                    f"column '{column}'",
                    f"has {len(getattr(self, name))} values for {n} rows",
                )
        found.raise_if_any()
        for i in range(n):
            where = f"row {i + 1} {show(self.workstream[i])}"
            for column, x, high in (
                ("Planned saving", self.planned[i], math.inf),
                ("Delivered saving", self.delivered[i], math.inf),
                ("Confidence", self.confidence[i], 1.0),
            ):
                if not math.isfinite(x):
                    found.add("Mitigations", f"{where}, column '{column}'", "is not a number")
                elif x < 0 or x > high:
                    limit = "between 0 and 1" if high == 1.0 else "0 or more"
                    found.add(
                        "Mitigations", f"{where}, column '{column}'", f"{x:g}: must be {limit}"
                    )
        found.raise_if_any()

    def __len__(self) -> int:
        return len(self.workstream)

    @classmethod
    def empty(cls) -> Mitigations:
        """No workstreams: a model without a Mitigations table."""
        return cls((), (), np.zeros(0), np.zeros(0), np.zeros(0), ())

    @classmethod
    def from_rows(cls, table: Any, money_limit: float = math.inf, beyond: str = "") -> Mitigations:
        """The Mitigations table as read (header row first), every bad cell at once.

        A saving above ``money_limit`` is refused with the text ``beyond``
        (the model's money limit, :data:`models.parse.MONEY_LIMIT`). A
        workstream has one row a year (its name compared ignoring case and
        spaces): a second row for the same year is refused rather than counted
        twice. A row shorter than the header reads its missing cells as blank. A
        workstream name is at most :data:`MAX_WORKSTREAM` characters.

        >>> Mitigations.from_rows([list(MITIGATION_COLUMNS), ["ERB", "2025-26", 5e5, 0, 1.2, "Red"]])
        Traceback (most recent call last):
        ...
        models.errors.InputError: Mitigations row 1 'ERB', column 'Confidence': 1.2: must be between 0 and 1
        >>> Mitigations.from_rows([list(MITIGATION_COLUMNS), ["ERB", "2025-26", 5e5, 0, 0.5, "Red"],
        ...                        ["erb ", "2025/26", 1e5, 0, 0.5, "Red"]])
        Traceback (most recent call last):
        ...
        models.errors.InputError: Mitigations row 2 'erb ', column 'Year': 2025-26 is already given for this workstream on row 1: one row per workstream and year (add the savings together)
        """
        rows = rows_of(table)
        if not rows:
            return cls.empty()
        header = [("" if is_blank(h) else " ".join(str(h).split()).casefold()) for h in rows[0]]
        found = Problems()
        where: dict[str, int] = {}
        for column in MITIGATION_COLUMNS:
            if column.casefold() not in header:
                found.add("Mitigations", "", f"has no column '{column}'")
            else:
                where[column] = header.index(column.casefold())
        found.raise_if_any()
        width = len(header)  # a row shorter than the header: its missing cells are blank
        body = [
            list(r) + [None] * (width - len(r)) for r in rows[1:] if not all(is_blank(v) for v in r)
        ]
        seen: dict[tuple[str, str], int] = {}  # (workstream, year) -> first row
        numbers: dict[str, list[float]] = {c: [] for c in MITIGATION_COLUMNS[2:5]}
        years: list[str] = []
        for i, r in enumerate(body, start=1):
            label = f"row {i} {show(r[where['Workstream']])}"
            if is_blank(r[where["Workstream"]]):
                found.add("Mitigations", f"row {i}, column 'Workstream'", "is blank")
            elif len(_text(r[where["Workstream"]])) > MAX_WORKSTREAM:
                found.add(
                    "Mitigations",
                    f"{label}, column 'Workstream'",
                    f"is {len(_text(r[where['Workstream']])):,} characters long: give a name of at "
                    f"most {MAX_WORKSTREAM:,} (the return's cells hold 32,767)",
                )
            y, err = parse_year(r[where["Year"]])
            if err is not None or y is None:
                found.add("Mitigations", f"{label}, column 'Year'", err or "is blank")
            years.append(y or "")
            key = (" ".join(_text(r[where["Workstream"]]).split()).casefold(), y or "")
            if y and not is_blank(r[where["Workstream"]]) and key in seen:
                found.add(
                    "Mitigations",
                    f"{label}, column 'Year'",
                    f"{y} is already given for this workstream on row {seen[key]}: one row per "
                    "workstream and year (add the savings together)",
                )
            seen.setdefault(key, i)
            for column in numbers:
                x, err = parse_number(r[where[column]])
                if err is not None or x is None:
                    found.add("Mitigations", f"{label}, column '{column}'", err or "is blank")
                elif x < 0 or (column == "Confidence" and x > 1):
                    limit = "between 0 and 1" if column == "Confidence" else "0 or more"
                    found.add(
                        "Mitigations", f"{label}, column '{column}'", f"{x:g}: must be {limit}"
                    )
                elif column != "Confidence" and x > money_limit:
                    found.add("Mitigations", f"{label}, column '{column}'", f"{x:g} is {beyond}")
                numbers[column].append(math.nan if x is None else x)
            rag = r[where["RAG"]]
            if is_blank(rag) or str(rag).strip().casefold() not in RAGS:
                found.add(
                    "Mitigations",
                    f"{label}, column 'RAG'",
                    f"{'blank' if is_blank(rag) else show(rag)} is not one of Green, Amber, Red",
                )
        found.raise_if_any()
        return cls(
            tuple(_text(r[where["Workstream"]]) for r in body),
            tuple(years),
            np.array(numbers["Planned saving"]),
            np.array(numbers["Delivered saving"]),
            np.array(numbers["Confidence"]),
            tuple("" if is_blank(r[where["RAG"]]) else str(r[where["RAG"]]).strip() for r in body),
        )

    def year_index(self, years: tuple[str, ...] | list[str]) -> np.ndarray:
        """Position of each row's year among ``years``; an error names a row outside them."""
        problems = [
            Problem(
                "Mitigations",
                f"row {i + 1} {show(w)}, column 'Year'",
                f"{y} is not a Funding year ({years[0]} to {years[-1]})",
            )
            for i, (w, y) in enumerate(zip(self.workstream, self.year, strict=True))
            if y not in years
        ]
        if problems:
            raise InputError(problems)
        return np.array([list(years).index(y) for y in self.year], dtype=int)

    def by_year(self, years: tuple[str, ...] | list[str], amounts: np.ndarray) -> np.ndarray:
        """``amounts`` (one per row, or scenarios x rows) summed into ``years``.

        Notes
        -----
        ::

            out[..., t] = sum over rows i with Year_i = t of amounts[..., i]
        """
        onehot = np.zeros((len(self), len(years)))
        if len(self):
            onehot[np.arange(len(self)), self.year_index(years)] = 1.0
        return np.asarray(amounts, dtype=float) @ onehot
