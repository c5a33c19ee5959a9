"""Validation at the edge of the models.

Excel hands the add-in 2-D arrays: tables with a header row, series as a row,
a column or one value, blanks as ``None`` or ``""``, text where a number
belongs. These helpers turn such values (or a :class:`pandas.DataFrame` read
from a workbook) into clean numpy/pandas inputs, and collect every problem
before raising one :class:`~models.errors.InputError`, so a finance officer
fixes the sheet in one pass.

Conventions (METHOD.md, "Conventions"):

- headers match case-insensitively, ignoring surrounding spaces, in any
  column order; extra columns are ignored;
- trailing all-blank rows are ignored; rows are numbered 1-based from the
  first data row;
- a series may be a row, a column or one value used for every year.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError, Problem

__all__ = [
    "Column",
    "is_blank",
    "rows_of",
    "read_table",
    "read_years",
    "read_series",
    "read_scalar",
    "read_choice",
    "parse_year",
]

_YEAR = re.compile(r"^\s*(\d{4})\s*[-/]\s*(\d{2})\s*$")


def is_blank(value: Any) -> bool:
    """True for what Excel sends for an empty cell (``None``, ``""``, NaN).

    >>> [is_blank(v) for v in (None, "", "  ", float("nan"), 0, "x")]
    [True, True, True, True, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def _header(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip().casefold()


def _show(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def rows_of(value: Any) -> list[list[Any]]:
    """A 2-D list of rows from what Excel or a reader hands over.

    A DataFrame becomes its header row followed by its values; a scalar a
    1x1 list; a flat sequence one row.
    """
    if isinstance(value, pd.DataFrame):
        head = [list(value.columns)]
        body = value.astype(object).where(value.notna(), None).values.tolist()
        return head + body
    if isinstance(value, (np.ndarray, pd.Series, pd.Index)):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            return []
        if all(isinstance(r, (list, tuple, np.ndarray)) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def _number(value: Any) -> tuple[float | None, str | None]:
    """(number, None) or (None, what is wrong)."""
    if is_blank(value):
        return None, "is blank"
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return None, f"TRUE/FALSE ({value}) where a number belongs"
    if isinstance(value, numbers.Real):
        x = float(value)
        if not math.isfinite(x):
            return None, f"{x} is not a finite number"
        return x, None
    if isinstance(value, str):
        text = value.strip()
        try:
            float(text.replace(",", "").replace("£", ""))
        except ValueError:
            return None, f"text {_show(value)} where a number belongs"
        return None, f"text {_show(value)} where a number belongs (a number stored as text)"
    return None, f"{type(value).__name__} {_show(value)} where a number belongs"


@dataclass(frozen=True)
class Column:
    """A column a table argument must have.

    kind: ``"name"`` (non-blank text, unique when ``unique``), ``"text"``
    (any text, blank allowed), ``"number"``, ``"year"`` (``YYYY-YY``).
    ``minimum`` / ``above`` bound numbers (``>=`` / ``>``).
    """

    name: str
    kind: str = "number"
    minimum: float | None = None
    above: float | None = None
    unique: bool = False
    required: bool = True


def _bound_problem(
    x: float, minimum: float | None, above: float | None, maximum: float | None = None
) -> str | None:
    if minimum is not None and x < minimum:
        return f"{x:g} is below {minimum:g}" if minimum != 0 else f"{x:g} is negative"
    if above is not None and x <= above:
        return f"{x:g} must be greater than {above:g}"
    if maximum is not None and x > maximum:
        return f"{x:g} is above {maximum:g}"
    return None


def parse_year(value: Any) -> tuple[str | None, str | None]:
    """A financial-year label ``YYYY-YY`` from a cell, or what is wrong.

    >>> parse_year("2024-25")
    ('2024-25', None)
    >>> parse_year(" 2024/25 ")
    ('2024-25', None)
    >>> parse_year("2024-26")[1]
    "'2024-26' is not a financial year: the second part must be 25"
    """
    if is_blank(value):
        return None, "is blank"
    m = _YEAR.match(str(value))
    if not m:
        return None, f"{_show(value)} is not a financial year like '2024-25'"
    start, end = int(m.group(1)), int(m.group(2))
    if (start + 1) % 100 != end:
        return None, (
            f"{_show(value)} is not a financial year: the second part must be "
            f"{(start + 1) % 100:02d}"
        )
    return f"{start}-{end:02d}", None


def read_table(value: Any, argument: str, columns: Sequence[Column]) -> pd.DataFrame:
    """Validate a table argument (header row + data rows) into a DataFrame.

    Returns a DataFrame with the canonical column names of ``columns`` (in
    that order), one row per data row in input order. Numbers are floats.

    >>> read_table([["count", " Placement "], [3, "A"]], "placements",
    ...            [Column("Placement", "name"), Column("Count", minimum=0)])
      Placement  Count
    0         A    3.0
    """
    rows = rows_of(value)
    problems: list[Problem] = []
    if not rows or all(is_blank(v) for v in rows[0]):
        raise InputError(
            [Problem(argument, "", "has no header row: select the table including its headers")]
        )
    header = [_header(v) for v in rows[0]]
    positions: dict[str, int] = {}
    for col in columns:
        key = col.name.casefold()
        found = [i for i, h in enumerate(header) if h == key]
        if not found:
            if col.required:
                problems.append(Problem(argument, "", f"missing column '{col.name}'"))
        elif len(found) > 1:
            problems.append(
                Problem(argument, "", f"column '{col.name}' appears {len(found)} times")
            )
        else:
            positions[col.name] = found[0]
    if problems:
        seen = ", ".join(repr(str(v).strip()) for v in rows[0] if not is_blank(v))
        problems[-1] = Problem(
            problems[-1].argument,
            problems[-1].where,
            problems[-1].what + f" (headers found: {seen})",
        )
        raise InputError(problems)

    body = [list(r) + [None] * (len(rows[0]) - len(r)) for r in rows[1:]]
    while body and all(is_blank(v) for v in body[-1]):
        body.pop()

    name_col = next((c for c in columns if c.kind == "name"), None)
    out: dict[str, list[Any]] = {c.name: [] for c in columns if c.name in positions}
    seen_names: dict[str, int] = {}
    for r, row in enumerate(body, start=1):
        label = ""
        if name_col is not None and name_col.name in positions:
            nv = row[positions[name_col.name]]
            if not is_blank(nv):
                label = f" {_show(str(nv).strip())}"
        where_row = f"row {r}{label}"
        if all(is_blank(row[i]) for i in positions.values()):
            problems.append(Problem(argument, where_row, "is blank (delete it or fill it in)"))
            for c in out:
                out[c].append(None)
            continue
        for col in columns:
            if col.name not in positions:
                continue
            v = row[positions[col.name]]
            where = f"{where_row}, column '{col.name}'"
            if col.kind == "name":
                if is_blank(v):
                    problems.append(Problem(argument, where, "name is blank"))
                    out[col.name].append(None)
                    continue
                name = str(v).strip()
                if col.unique:
                    key = name.casefold()
                    if key in seen_names:
                        problems.append(
                            Problem(
                                argument,
                                where,
                                f"duplicate name {_show(name)} (also row {seen_names[key]})",
                            )
                        )
                    else:
                        seen_names[key] = r
                out[col.name].append(name)
            elif col.kind == "text":
                out[col.name].append("" if is_blank(v) else str(v).strip())
            elif col.kind == "year":
                y, err = parse_year(v)
                if err:
                    problems.append(Problem(argument, where, err))
                out[col.name].append(y)
            else:
                x, err = _number(v)
                if err is None:
                    err = _bound_problem(x, col.minimum, col.above)
                if err:
                    problems.append(Problem(argument, where, err))
                    x = None
                out[col.name].append(x)
    if problems:
        raise InputError(problems)
    frame = pd.DataFrame(out, columns=list(out))
    for col in columns:
        if col.name in frame and col.kind == "number":
            frame[col.name] = frame[col.name].astype(float)
    return frame


def _cells(value: Any, argument: str) -> list[Any]:
    """The cells of a one-row or one-column range, in order, blanks kept."""
    rows = rows_of(value)
    if not rows:
        return []
    if len(rows) == 1:
        return list(rows[0])
    if all(len(r) == 1 for r in rows):
        return [r[0] for r in rows]
    raise InputError(
        [
            Problem(
                argument, "", f"is a {len(rows)}x{len(rows[0])} range: give one row or one column"
            )
        ]
    )


def _flatten(value: Any, argument: str) -> list[Any]:
    """The cells of a one-row or one-column range without trailing blanks."""
    flat = _cells(value, argument)
    while flat and is_blank(flat[-1]):
        flat.pop()
    return flat


def all_blank(value: Any) -> bool:
    """True when an argument is omitted or every cell of it is empty.

    >>> all_blank(None), all_blank([[None, ""]]), all_blank([["", 0]])
    (True, True, False)
    """
    return all(is_blank(v) for row in rows_of(value) for v in row)


def _is_header(value: Any) -> bool:
    if not isinstance(value, str) or is_blank(value):
        return False
    try:
        float(value.replace(",", "").replace("£", ""))
    except ValueError:
        return True
    return False


def _per_position(value: Any, n: int, argument: str, what: str) -> list[Any]:
    """n cells from a row or column of n, or one cell used for all n.

    Only a range of exactly one cell is used for every position; a blank cell
    inside a longer range stays blank (and is reported), never replaced by
    its neighbour. Blank cells past the n-th are ignored, and a text header
    cell in front of n values (``Funding[[#All],[Transfer rate]]``) is skipped.
    """
    flat = _cells(value, argument)
    if len(flat) == 1:
        return flat * n
    header = bool(flat) and _is_header(flat[0])
    keep = n + 1 if header else n
    while len(flat) > keep and is_blank(flat[-1]):
        flat.pop()
    if header and len(flat) == n + 1:
        flat = flat[1:]
    if len(flat) != n:
        raise InputError([Problem(argument, "", f"has {len(flat)} values but there are {what}")])
    return flat


def read_years(value: Any, argument: str = "years") -> list[str]:
    """Consecutive ascending financial years, as ``YYYY-YY`` labels.

    A header cell ``Year`` at the start of the range is skipped, so
    ``Funding[[#All],[Year]]`` works as well as ``Funding[Year]``.

    >>> read_years([["2023-24"], ["2024-25"]])
    ['2023-24', '2024-25']
    """
    flat = _flatten(value, argument)
    if flat and isinstance(flat[0], str) and flat[0].strip().casefold() == "year":
        flat = flat[1:]
    if not flat:
        raise InputError([Problem(argument, "", "has no years")])
    problems: list[Problem] = []
    years: list[str | None] = []
    for i, v in enumerate(flat, start=1):
        y, err = parse_year(v)
        if err:
            problems.append(Problem(argument, f"item {i}", err))
        years.append(y)
    if not problems:
        for i in range(1, len(years)):
            prev, cur = int(years[i - 1][:4]), int(years[i][:4])
            if cur != prev + 1:
                problems.append(
                    Problem(
                        argument,
                        f"item {i + 1}",
                        f"years must be consecutive and ascending: "
                        f"{years[i]} follows {years[i - 1]}",
                    )
                )
    if problems:
        raise InputError(problems)
    return [y for y in years if y is not None]


def read_series(
    value: Any,
    years: Sequence[str],
    argument: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    default: float | None = None,
) -> np.ndarray:
    """One number per year: a row, a column, or one value used for every year.

    ``default`` is used when the argument is omitted (``None``).

    >>> read_series(0.01, ["2023-24", "2024-25"], "rate")
    array([0.01, 0.01])
    """
    n = len(years)
    if default is not None and all_blank(value):
        return np.full(n, float(default))
    flat = _per_position(
        value,
        n,
        argument,
        f"{n} years ({years[0]} to {years[-1]}): give one value per year or one value for all",
    )
    return _numbers(flat, argument, [f"year {y}" for y in years], minimum, above, maximum)


def _numbers(
    cells: list[Any],
    argument: str,
    places: Sequence[str],
    minimum: float | None,
    above: float | None,
    maximum: float | None,
) -> np.ndarray:
    """Cells to floats within bounds; every bad cell reported at its place."""
    problems: list[Problem] = []
    out = np.empty(len(cells))
    for i, v in enumerate(cells):
        x, err = _number(v)
        if err is None:
            err = _bound_problem(x, minimum, above, maximum)
        if err:
            problems.append(Problem(argument, places[i], err))
            continue
        out[i] = x
    if problems:
        raise InputError(problems)
    return out


def read_per_item(
    value: Any, names: Sequence[str], argument: str, *, above: float | None = None
) -> np.ndarray:
    """One number per named item (placement), or one value for all.

    >>> read_per_item([[0.05], [0.1]], ["A", "B"], "growth")
    array([0.05, 0.1 ])
    """
    n = len(names)
    flat = _per_position(
        value,
        n,
        argument,
        f"{n} placements: give one rate per placement (in table order) or one rate for all",
    )
    return _numbers(
        flat, argument, [f"placement {_show(name)}" for name in names], None, above, None
    )


def read_scalar(
    value: Any,
    argument: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    default: float | None = None,
) -> float:
    """One number (a 1x1 range or a value); ``default`` when omitted.

    >>> read_scalar([[4222]], "first", above=0)
    4222.0
    """
    if default is not None and all_blank(value):
        return float(default)
    flat = _flatten(value, argument) if not is_blank(value) else []
    if len(flat) > 1:
        raise InputError([Problem(argument, "", f"has {len(flat)} values: give one value")])
    v = flat[0] if flat else None
    x, err = _number(v)
    if err is None:
        err = _bound_problem(x, minimum, above, maximum)
    if err:
        raise InputError([Problem(argument, "", err)])
    return x


def read_choice(value: Any, argument: str, choices: Iterable[str], default: str) -> str:
    """One of ``choices`` (case-insensitive); ``default`` when omitted or blank.

    >>> read_choice("Count", "measure", ["spend", "count", "cost"], "spend")
    'count'
    """
    choices = list(choices)
    flat = [] if value is None else _flatten(value, argument)
    if not flat or is_blank(flat[0]):
        return default
    text = str(flat[0]).strip().casefold()
    if text not in choices:
        raise InputError(
            [Problem(argument, "", f"{_show(flat[0])} is not one of {', '.join(choices)}")]
        )
    return text


def finite_result(frame: pd.DataFrame, argument: str) -> pd.DataFrame:
    """``frame`` unchanged when every number in it is finite; otherwise an error.

    Inputs that are each finite can still multiply or add up past what a
    float (and Excel) holds; the person reads which row and column, never
    ``inf`` or a blank. Rows are named by the table's first column.

    >>> finite_result(pd.DataFrame({"Placement": ["A"], "Total cost": [float("inf")]}), "placements")
    Traceback (most recent call last):
    ...
    models.errors.InputError: placements row 'A', column 'Total cost': the result is too large to compute: check the size of the inputs
    """
    problems: list[Problem] = []
    label = frame.columns[0]
    for col in frame.columns[1:]:
        for name, v in zip(frame[label], frame[col], strict=True):
            if (
                isinstance(v, numbers.Real)
                and not isinstance(v, bool)
                and not math.isfinite(float(v))
            ):
                problems.append(
                    Problem(
                        argument,
                        f"row {_show(name)}, column '{col}'",
                        "the result is too large to compute: check the size of the inputs",
                    )
                )
    if problems:
        raise InputError(problems)
    return frame
