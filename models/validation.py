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

Every check is vectorised or a single pass, so a range of 100,000 rows costs
a fraction of a second; a message lists the first :data:`MAX_PROBLEMS`
problems of an argument and counts the rest, and ranges larger than any
council needs (:data:`MAX_TABLE_ROWS` rows, :data:`MAX_YEARS` years) are
refused before their cells are read.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from models.errors import InputError, Problem, show
from models.years import parse_year_text

if TYPE_CHECKING:  # pandas is imported where a DataFrame is built or read, never at import
    import pandas as pd

__all__ = [
    "Column",
    "ResultTable",
    "is_blank",
    "rows_of",
    "read_table",
    "read_columns",
    "read_years",
    "read_series",
    "per_position",
    "read_scalar",
    "read_choice",
    "read_year",
    "parse_year",
    "parse_number",
    "check_finite",
]

#: Problems listed per argument; the rest are counted ("and 99,980 more problems").
MAX_PROBLEMS = 20
#: Data rows a table argument may have. A council's placement table has seven to a few
#: hundred rows, its planned moves a few hundred: a range this long is a whole column
#: selected by mistake, refused before its cells are read.
MAX_TABLE_ROWS = 10_000
#: Financial years a function may be given: consecutive years from
#: :data:`models.years.FIRST_START` to :data:`models.years.LAST_START` are fewer.
MAX_YEARS = 100

#: Python types read as numbers without a check per cell (bool is not among them).
_NUMERIC = frozenset({int, float, np.float64, np.int64, np.float32, np.int32})
_NAN = float("nan")


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
    pandas = sys.modules.get("pandas")  # a pandas blank exists only once pandas is imported
    return pandas is not None and (value is pandas.NA or value is pandas.NaT)


def _header(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip().casefold()


def rows_of(value: Any) -> list[list[Any]]:
    """A 2-D list of rows from what Excel or a reader hands over.

    A DataFrame becomes its header row followed by its values; a scalar a
    1x1 list; a flat sequence one row. A list of lists (what xlwings hands
    over) is returned as it is, not copied: callers never modify it.
    """
    if type(value) is list and value and all(type(r) is list for r in value):
        return value
    pandas = sys.modules.get("pandas")  # a DataFrame exists only once pandas is imported
    if pandas is not None and isinstance(value, pandas.DataFrame):
        head = [list(value.columns)]
        body = value.astype(object).where(value.notna(), None).values.tolist()
        return head + body
    if isinstance(value, np.ndarray) or (
        pandas is not None and isinstance(value, (pandas.Series, pandas.Index))
    ):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            return []
        if all(isinstance(r, (list, tuple, np.ndarray)) for r in value):
            return [list(r) for r in value]
        return [list(value)]
    return [[value]]


def _as_float(value: Any) -> float:
    """``float(value)``, infinity for an integer past a float's range (10**400).

    >>> _as_float(3), _as_float(10**400)
    (3.0, inf)
    """
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def parse_number(value: Any) -> tuple[float | None, str | None]:
    """(number, None) or (None, what is wrong)."""
    if is_blank(value):
        return None, "is blank"
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return None, f"TRUE/FALSE ({value}) where a number belongs"
    if isinstance(value, numbers.Real):
        x = _as_float(value)
        if not math.isfinite(x):
            return None, f"{x} is not a finite number"
        return x, None
    if isinstance(value, str):
        text = value.strip()
        try:
            float(text.replace(",", "").replace("£", ""))
        except ValueError:
            return None, f"text {show(value)} where a number belongs"
        return None, f"text {show(value)} where a number belongs (a number stored as text)"
    return None, f"{type(value).__name__} {show(value)} where a number belongs"


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


def _out_of_bounds(
    x: np.ndarray, minimum: float | None, above: float | None, maximum: float | None
) -> np.ndarray:
    """Element-wise: True where ``x`` breaks a bound (NaN never does)."""
    bad = np.zeros(x.shape, dtype=bool)
    if minimum is not None:
        bad |= x < minimum
    if above is not None:
        bad |= x <= above
    if maximum is not None:
        bad |= x > maximum
    return bad


def _cell_problem(
    value: Any, minimum: float | None, above: float | None, maximum: float | None
) -> str:
    """What is wrong with one cell that a number belongs in (called for bad cells only)."""
    x, err = parse_number(value)
    if err is None and x is not None:
        err = _bound_problem(x, minimum, above, maximum)
    return err or "is not a number"


def _to_numbers(cells: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Cells as floats, and where a cell is not a finite number (blank, text, TRUE...).

    One pass in C when every cell is an int or a float (what Excel sends for a
    range of numbers); a pass per cell otherwise.
    """
    if set(map(type, cells)) <= _NUMERIC:
        try:
            x = np.array(cells, dtype=float)
            return x, ~np.isfinite(x)
        except OverflowError:  # an integer past a float's range: cell by cell below
            pass
    x = np.fromiter(
        (_as_float(v) if type(v) in _NUMERIC else _NAN for v in cells),
        dtype=float,
        count=len(cells),
    )
    return x, ~np.isfinite(x)


def _blank_mask(cells: list[Any]) -> np.ndarray:
    """Element-wise :func:`is_blank`.

    >>> _blank_mask([None, "", " ", 0, "x", float("nan")]).tolist()
    [True, True, True, False, False, True]
    """
    if set(map(type, cells)) <= _NUMERIC:
        try:
            return np.isnan(np.array(cells, dtype=float))
        except OverflowError:  # an integer past a float's range is not blank
            return np.isnan(np.fromiter(map(_as_float, cells), dtype=float, count=len(cells)))
    return np.fromiter((is_blank(v) for v in cells), dtype=bool, count=len(cells))


@dataclass
class _Found:
    """Problems of one argument, found vectorised and worded only for the first few.

    Each finding is (0-based positions, column order, wording function); the
    problems are ordered by position then column, the first :data:`MAX_PROBLEMS`
    worded and the rest counted.
    """

    argument: str
    found: list[tuple[np.ndarray, int, Callable[[int], Problem]]] = field(default_factory=list)
    limit: int | None = MAX_PROBLEMS

    def add(self, where: np.ndarray, order: int, word: Callable[[int], Problem]) -> None:
        """Record ``word(i)`` for every ``i`` where the mask (or index array) ``where`` holds."""
        if where.dtype == bool:
            if not where.any():
                return
            positions = np.flatnonzero(where)
        else:
            positions = where
        if len(positions):
            self.found.append((positions, order, word))

    def problems(self) -> list[Problem]:
        if not self.found:
            return []
        position = np.concatenate([p for p, _, _ in self.found])
        order = np.concatenate([np.full(len(p), k) for p, k, _ in self.found])
        which = np.concatenate([np.full(len(p), j) for j, (p, _, _) in enumerate(self.found)])
        sequence = np.lexsort((order, position))
        shown = sequence if self.limit is None else sequence[: self.limit]
        out = [self.found[int(which[s])][2](int(position[s])) for s in shown]
        rest = len(sequence) - len(shown)
        if rest > 0:
            out.append(Problem(self.argument, "", f"and {rest:,} more problems not listed"))
        return out

    def raise_if_any(self) -> None:
        if self.found:
            raise InputError(self.problems())


def parse_year(value: Any) -> tuple[str | None, str | None]:
    """A financial-year label ``YYYY-YY`` from a cell, or what is wrong.

    The start must be a 4-digit year from :data:`models.years.FIRST_START`
    to :data:`models.years.LAST_START`, and the second part the last two
    digits of the next year.

    >>> parse_year("2024-25")
    ('2024-25', None)
    >>> parse_year(" 2024/25 ")
    ('2024-25', None)
    >>> parse_year("2024-26")[1]
    "'2024-26' is not a financial year: the second part must be 25"
    >>> parse_year("0224-25")[1]
    "'0224-25' is not a financial year: its start must be a 4-digit year from 1990 to 2100"
    """
    if type(value) is str:
        return parse_year_text(value)
    if is_blank(value):
        return None, "is blank"
    return parse_year_text(str(value))


def _too_many(argument: str, n: int, limit: int, what: str) -> InputError:
    select = "the table" if what == "rows" else f"the {what}"
    return InputError(
        [
            Problem(
                argument,
                "",
                f"has {n:,} {what}: at most {limit:,} can be given "
                f"(select {select} only, not whole columns)",
            )
        ]
    )


def read_columns(
    value: Any, argument: str, columns: Sequence[Column], *, limit: int | None = MAX_PROBLEMS
) -> dict[str, Any]:
    """Validate a table argument (header row + data rows) into its columns.

    The numpy core of :func:`read_table`: the canonical column names of
    ``columns`` (those present) to a float array (numbers) or a list of str
    (names, text, years), one element per data row in input order. The
    message lists the first ``limit`` problems and counts the rest (``None``:
    every problem, for a caller that summarises them).

    >>> read_columns([["count", " Placement "], [3, "A"]], "placements",
    ...              [Column("Placement", "name"), Column("Count", minimum=0)])
    {'Placement': ['A'], 'Count': array([3.])}
    """
    rows = rows_of(value)
    if not rows or all(is_blank(v) for v in rows[0]):
        raise InputError(
            [Problem(argument, "", "has no header row: select the table including its headers")]
        )
    header = [_header(v) for v in rows[0]]
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for col in columns:
        key = col.name.casefold()
        hits = [i for i, h in enumerate(header) if h == key]
        if not hits:
            if col.required:
                problems.append(Problem(argument, "", f"missing column '{col.name}'"))
        elif len(hits) > 1:
            problems.append(Problem(argument, "", f"column '{col.name}' appears {len(hits)} times"))
        else:
            positions[col.name] = hits[0]
    if problems:
        seen = ", ".join(repr(str(v).strip()) for v in rows[0] if not is_blank(v))
        last = problems[-1]
        problems[-1] = Problem(last.argument, last.where, last.what + f" (headers found: {seen})")
        raise InputError(problems)

    width = len(rows[0])
    end = len(rows)
    while end > 1 and all(is_blank(v) for v in rows[end - 1]):
        end -= 1
    n = end - 1
    if n > MAX_TABLE_ROWS:
        raise _too_many(argument, n, MAX_TABLE_ROWS, "rows")
    body = rows[1:end]
    if any(len(r) < width for r in body):
        body = [list(r) + [None] * (width - len(r)) for r in body]
    present = [c for c in columns if c.name in positions]
    cells = {c.name: [r[positions[c.name]] for r in body] for c in present}
    blank = {name: _blank_mask(v) for name, v in cells.items()}
    empty_row = np.logical_and.reduce([blank[c.name] for c in present]) if present else None

    name_col = next((c for c in present if c.kind == "name"), None)

    def where(i: int, column: str = "") -> str:
        label = ""
        if name_col is not None and not blank[name_col.name][i]:
            label = f" {show(str(cells[name_col.name][i]).strip())}"
        return f"row {i + 1}{label}" + (f", column '{column}'" if column else "")

    found = _Found(argument, limit=limit)
    filled = np.ones(n, dtype=bool)
    if empty_row is not None:
        found.add(
            empty_row,
            -1,
            lambda i: Problem(argument, where(i), "is blank (delete it or fill it in)"),
        )
        filled = ~empty_row
    out = {
        col.name: _read_column(col, order, cells[col.name], blank[col.name], filled, found, where)
        for order, col in enumerate(present)
    }
    found.raise_if_any()
    return out


def _read_column(
    col: Column,
    order: int,
    values: list[Any],
    is_empty: np.ndarray,
    filled: np.ndarray,
    found: _Found,
    where: Callable[[int, str], str],
) -> Any:
    """One column of a table checked vectorised: floats, or names / text / years as str."""
    argument, name = found.argument, col.name
    if col.kind in ("name", "text"):
        text = ["" if b else str(v).strip() for v, b in zip(values, is_empty, strict=True)]
        if col.kind == "text":
            return text
        found.add(
            is_empty & filled, order, lambda i: Problem(argument, where(i, name), "name is blank")
        )
        if col.unique:
            first: dict[str, int] = {}
            again: list[int] = []
            for i, t in enumerate(text):
                if t and first.setdefault(t.casefold(), i) != i:
                    again.append(i)

            def duplicate(i: int) -> Problem:
                also = first[text[i].casefold()] + 1
                return Problem(
                    argument, where(i, name), f"duplicate name {show(text[i])} (also row {also})"
                )

            found.add(np.array(again, dtype=np.intp), order, duplicate)
        return [t if t else None for t in text] if is_empty.any() else text
    if col.kind == "year":
        parsed = [parse_year(v) for v in values]
        bad = np.fromiter((e is not None for _, e in parsed), dtype=bool, count=len(values))
        found.add(
            bad & filled, order, lambda i: Problem(argument, where(i, name), str(parsed[i][1]))
        )
        return [y for y, _ in parsed]
    x, bad = _to_numbers(values)
    bad |= _out_of_bounds(x, col.minimum, col.above, None)
    found.add(
        bad & filled,
        order,
        lambda i: Problem(
            argument, where(i, name), _cell_problem(values[i], col.minimum, col.above, None)
        ),
    )
    return x


def read_table(value: Any, argument: str, columns: Sequence[Column]) -> pd.DataFrame:
    """Validate a table argument (header row + data rows) into a DataFrame.

    Returns a DataFrame with the canonical column names of ``columns`` (in
    that order), one row per data row in input order. Numbers are floats.
    See :func:`read_columns` for the arrays without pandas. Every problem is
    reported (the model workbook's reader summarises them).

    >>> read_table([["count", " Placement "], [3, "A"]], "placements",
    ...            [Column("Placement", "name"), Column("Count", minimum=0)])
      Placement  Count
    0         A    3.0
    """
    import pandas as pd

    data = read_columns(value, argument, columns, limit=None)
    return pd.DataFrame(data, columns=list(data))


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
    end = len(flat)
    while end and is_blank(flat[end - 1]):
        end -= 1
    return flat[:end]


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


def per_position(value: Any, n: int, argument: str, what: str) -> list[Any]:
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
    end = len(flat)
    while end > keep and is_blank(flat[end - 1]):
        end -= 1
    flat = flat[1:end] if header and end == n + 1 else flat[:end]
    if len(flat) != n:
        raise InputError([Problem(argument, "", f"has {len(flat):,} values but there are {what}")])
    return flat


def read_years(value: Any, argument: str = "years") -> list[str]:
    """Consecutive ascending financial years, as ``YYYY-YY`` labels.

    A header cell ``Year`` at the start of the range is skipped, so
    ``Funding[[#All],[Year]]`` works as well as ``Funding[Year]``. At most
    :data:`MAX_YEARS` years.

    >>> read_years([["2023-24"], ["2024-25"]])
    ['2023-24', '2024-25']
    """
    flat = _flatten(value, argument)
    if flat and isinstance(flat[0], str) and flat[0].strip().casefold() == "year":
        flat = flat[1:]
    if not flat:
        raise InputError([Problem(argument, "", "has no years")])
    if len(flat) > MAX_YEARS:
        raise _too_many(argument, len(flat), MAX_YEARS, "years")
    parsed = [parse_year(v) for v in flat]
    found = _Found(argument)
    bad = np.array([e is not None for _, e in parsed])
    found.add(bad, 0, lambda i: Problem(argument, f"item {i + 1}", str(parsed[i][1])))
    found.raise_if_any()
    years = [y for y, _ in parsed if y is not None]
    start = np.array([int(y[:4]) for y in years])
    step = np.flatnonzero(np.diff(start) != 1) + 1
    found.add(
        step,
        0,
        lambda i: Problem(
            argument,
            f"item {i + 1}",
            f"years must be consecutive and ascending: {years[i]} follows {years[i - 1]}",
        ),
    )
    found.raise_if_any()
    return years


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

    ``default`` is used when the argument is omitted (``None``) or every cell
    of it is empty. A blank cell inside a series that has values is an error
    naming the argument and the year, never 0.

    >>> read_series(0.01, ["2023-24", "2024-25"], "rate")
    array([0.01, 0.01])
    >>> read_series([[5.0, None]], ["2023-24", "2024-25"], "transfers", default=0.0)
    Traceback (most recent call last):
    ...
    models.errors.InputError: transfers year 2024-25: is blank
    """
    n = len(years)
    if default is not None and all_blank(value):
        return np.full(n, float(default))
    flat = per_position(
        value,
        n,
        argument,
        f"{n} years ({years[0]} to {years[-1]}): give one value per year or one value for all",
    )
    return _numbers(flat, argument, lambda i: f"year {years[i]}", minimum, above, maximum)


def _numbers(
    cells: list[Any],
    argument: str,
    place: Callable[[int], str],
    minimum: float | None,
    above: float | None,
    maximum: float | None,
) -> np.ndarray:
    """Cells to floats within bounds; every bad cell reported at its place."""
    x, bad = _to_numbers(cells)
    bad |= _out_of_bounds(x, minimum, above, maximum)
    if bad.any():
        found = _Found(argument)
        found.add(
            bad,
            0,
            lambda i: Problem(argument, place(i), _cell_problem(cells[i], minimum, above, maximum)),
        )
        found.raise_if_any()
    return x


def read_per_item(
    value: Any, names: Sequence[str], argument: str, *, above: float | None = None
) -> np.ndarray:
    """One number per named item (placement), or one value for all.

    >>> read_per_item([[0.05], [0.1]], ["A", "B"], "growth")
    array([0.05, 0.1 ])
    """
    n = len(names)
    flat = per_position(
        value,
        n,
        argument,
        f"{n} placements: give one rate per placement (in table order) or one rate for all",
    )
    return _numbers(flat, argument, lambda i: f"placement {show(names[i])}", None, above, None)


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
    if type(value) in _NUMERIC:
        x = _as_float(value)
        if math.isfinite(x):
            err = _bound_problem(x, minimum, above, maximum)
            if err:
                raise InputError([Problem(argument, "", err)])
            return x
    if default is not None and all_blank(value):
        return float(default)
    flat = _flatten(value, argument) if not is_blank(value) else []
    if len(flat) > 1:
        raise InputError([Problem(argument, "", f"has {len(flat):,} values: give one value")])
    v = flat[0] if flat else None
    x_, err = parse_number(v)
    if err is None and x_ is not None:
        err = _bound_problem(x_, minimum, above, maximum)
    if err or x_ is None:
        raise InputError([Problem(argument, "", err or "is blank")])
    return x_


def read_choice(value: Any, argument: str, choices: Iterable[str], default: str) -> str:
    """One of ``choices`` (case-insensitive); ``default`` when omitted or blank.

    >>> read_choice("Count", "measure", ["spend", "count", "cost"], "spend")
    'count'
    """
    options = list(choices)
    cell = _one_cell(value, argument, "value")
    if cell is None:
        return default
    text = str(cell).strip().casefold()
    if text not in options:
        raise InputError(
            [Problem(argument, "", f"{show(cell)} is not one of {', '.join(options)}")]
        )
    return text


def read_year(value: Any, argument: str, default: str) -> str:
    """One financial year (``2026-27``); ``default`` when omitted or blank.

    >>> read_year([["2027/28"]], "write_off_year", "2026-27"), read_year(None, "y", "2026-27")
    ('2027-28', '2026-27')
    """
    cell = _one_cell(value, argument, "year")
    if cell is None:
        return default
    year, err = parse_year(cell)
    if err is not None or year is None:
        raise InputError([Problem(argument, "", err or "is not a financial year")])
    return year


def _one_cell(value: Any, argument: str, what: str) -> Any:
    """The one cell of an argument, None when omitted or blank; more cells are an error."""
    flat = [] if value is None else _flatten(value, argument)
    if len(flat) > 1:
        raise InputError([Problem(argument, "", f"has {len(flat):,} values: give one {what}")])
    if not flat or is_blank(flat[0]):
        return None
    return flat[0]


TOO_LARGE = "the result is too large to compute: check the size of the inputs"


@dataclass(frozen=True)
class ResultTable:
    """A function's result as Excel shows it: a header and one column per header cell.

    Columns are numpy float arrays or lists (text). ``blank`` names the
    columns where NaN is an intended empty cell (Variance % when the plan is
    0); anywhere else a non-finite number is an error (:func:`check_finite`).

    >>> t = ResultTable(["Year", "Value"], [["2024-25"], np.array([1.5])])
    >>> t.rows()
    [['Year', 'Value'], ['2024-25', 1.5]]
    >>> t.frame()
          Year  Value
    0  2024-25    1.5
    """

    header: list[str]
    columns: list[Any]
    blank: frozenset[str] = frozenset()

    def rows(self) -> list[list[Any]]:
        """Header row then data rows: plain floats and str, an empty cell as None."""
        body = []
        for name, col in zip(self.header, self.columns, strict=True):
            if isinstance(col, np.ndarray):
                values = col.tolist()
                if name in self.blank and col.dtype.kind == "f" and np.isnan(col).any():
                    values = [None if v != v else v for v in values]
                body.append(values)
            else:
                body.append(col)
        return [list(self.header), *map(list, zip(*body, strict=True))]

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame, one column per header cell (an empty cell as None)."""
        import pandas as pd

        data = dict(zip(self.header, self.columns, strict=True))
        for name in self.blank:
            col = data[name]
            if isinstance(col, np.ndarray):
                data[name] = pd.Series([None if v != v else v for v in col.tolist()], dtype=object)
        return pd.DataFrame(data, columns=self.header)


def check_finite(table: ResultTable, argument: str) -> ResultTable:
    """``table`` unchanged when every number in it is finite; otherwise an error.

    Inputs that are each finite can still multiply or add up past what a
    float (and Excel) holds; the person reads which row and column, never
    ``inf`` or a blank. Rows are named by the table's first column.

    >>> check_finite(ResultTable(["Placement", "Total cost"], [["A"], np.array([np.inf])]),
    ...              "placements")
    Traceback (most recent call last):
    ...
    models.errors.InputError: placements row 'A', column 'Total cost': the result is too large to compute: check the size of the inputs
    """
    strict: list[np.ndarray] = []
    lenient: list[np.ndarray] = []
    other = False
    for name, col in zip(table.header[1:], table.columns[1:], strict=True):
        if isinstance(col, np.ndarray) and col.dtype.kind == "f":
            (lenient if name in table.blank else strict).append(col)
        elif not isinstance(col, np.ndarray):
            other = other or any(type(v) is not str for v in col)
    if (
        not other
        and (not strict or np.isfinite(np.concatenate(strict)).all())
        and (not lenient or not np.isinf(np.concatenate(lenient)).any())
    ):
        return table
    found = _Found(argument)
    labels = table.columns[0]

    def too_large(column: str) -> Callable[[int], Problem]:
        return lambda i: Problem(argument, f"row {show(labels[i])}, column '{column}'", TOO_LARGE)

    for order, (name, col) in enumerate(zip(table.header, table.columns, strict=True)):
        if isinstance(col, np.ndarray) and col.dtype.kind == "f":
            bad = np.isinf(col) if name in table.blank else ~np.isfinite(col)
        elif not isinstance(col, np.ndarray):
            bad = np.array([isinstance(v, float) and not math.isfinite(v) for v in col], dtype=bool)
        else:
            continue
        found.add(bad, order, too_large(name))
    found.raise_if_any()
    return table


def finite_result(frame: pd.DataFrame, argument: str) -> pd.DataFrame:
    """``frame`` unchanged when every number in it is finite; otherwise an error.

    The DataFrame form of :func:`check_finite`.

    >>> import pandas as pd
    >>> finite_result(pd.DataFrame({"Placement": ["A"], "Total cost": [float("inf")]}), "placements")
    Traceback (most recent call last):
    ...
    models.errors.InputError: placements row 'A', column 'Total cost': the result is too large to compute: check the size of the inputs
    """
    columns = [c.to_numpy(float) if c.dtype.kind == "f" else c.tolist() for _, c in frame.items()]
    check_finite(ResultTable([str(c) for c in frame.columns], columns), argument)
    return frame
