"""Domain exceptions of the models.

The Excel layer (``addin``) and the file layer (``workbooks``) turn these into
the message a person sees: in the cell, on the ``#VALUE!`` hover, or on stderr.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    Attributes
    ----------
    argument : str
        The function argument or table the problem is in (``placements``).
    where : str
        The row, year or column, as a person would find it
        (``row 3 'Independent', column 'Count'``); empty for the whole argument.
    what : str
        What is wrong (``text 'abc' where a number belongs``).
    """

    argument: str
    where: str
    what: str

    def __str__(self) -> str:
        place = f"{self.argument} {self.where}".strip()
        return f"{place}: {self.what}"


def show(value: Any) -> str:
    """A cell's value as a problem quotes it: ``repr``, cut to 40 characters.

    >>> show("abc"), show("x" * 50)
    ("'abc'", "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'")
    """
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class DSGError(Exception):
    """Base class of every error the models raise on purpose."""


class InputError(DSGError, ValueError):
    """Bad input: carries every problem found, so the sheet is fixed in one pass.

    >>> e = InputError([Problem("rate", "year 2024-25", "text 'x' where a number belongs")])
    >>> str(e)
    "rate year 2024-25: text 'x' where a number belongs"
    """

    def __init__(self, problems: list[Problem] | Problem | str, argument: str = ""):
        if isinstance(problems, str):
            problems = [Problem(argument, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return "; ".join(str(p) for p in self.problems)


class ProjectionError(InputError):
    """A projection produced an impossible value (a negative count)."""


class Problems:
    """Collects the problems of several validation steps, to report them together.

    The one collector of the models: the Excel functions run their argument
    checks through it, and :func:`models.parse.parse_model` every check of
    the model workbook.

    >>> found = Problems()
    >>> found.run(lambda: 1)
    1
    >>> def bad():
    ...     raise InputError("is blank", argument="first")
    >>> found.run(bad) is None, len(found.items)
    (True, 1)
    >>> found.add("Settings", "row 2 'LA code', column 'Value'", "is blank")
    >>> found.raise_if_any()
    Traceback (most recent call last):
    ...
    models.errors.InputError: first: is blank; Settings row 2 'LA code', column 'Value': is blank
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def __len__(self) -> int:
        return len(self.items)

    def run(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``step(*args, **kwargs)``, or None with its problems kept."""
        try:
            return step(*args, **kwargs)
        except InputError as e:
            self.items.extend(e.problems)
            return None

    def run_as(
        self, step: Callable[[], Any], rename: dict[str, str] | None = None, where: str = ""
    ) -> Any:
        """``step()``, or None with its problems kept under the table's name.

        ``rename`` maps a function's argument names to the table a person
        reads (``placements`` -> ``Placements``); ``where`` places a problem
        that names no row (a Settings value checked as a scalar).
        """
        try:
            return step()
        except InputError as e:
            for p in e.problems:
                argument = (rename or {}).get(p.argument, p.argument)
                self.items.append(Problem(argument, p.where or where, p.what))
            return None

    def add(self, argument: str, where: str, what: str) -> None:
        """Keep one problem."""
        self.items.append(Problem(argument, where, what))

    def raise_if_any(self) -> None:
        """Raise one InputError with every problem collected, if there are any."""
        if self.items:
            raise InputError(self.items)


_BLANK_CELL = re.compile(r"^row (\d+)(?: '.*')?, column '(.+)'$")


def cell_of(where: str) -> tuple[int, str] | None:
    """(row, column) of a problem placed at one table cell, else None.

    >>> cell_of("row 3 'Independent', column 'Count'"), cell_of("column 'Year'")
    ((3, 'Count'), None)
    """
    m = _BLANK_CELL.match(where)
    return (int(m.group(1)), m.group(2)) if m else None


def summarise_blank_columns(problems: list[Problem], rows: int) -> list[Problem]:
    """Problems with every column blank in all ``rows`` data rows said once, not cell by cell.

    A new model's table has its labels but no figures yet; naming each empty
    cell would bury what to do. Columns blank in every row become one
    problem (in the place of the first), naming the rows and the columns.

    >>> cells = [Problem("Funding", f"row {r}, column '{c}'", "is blank") for r in (1, 2) for c in "AB"]
    >>> [str(p) for p in summarise_blank_columns(cells + [Problem("Funding", "row 2, column 'C'", "is blank")], 2)]
    ["Funding rows 1 to 2, columns 'A', 'B': blank in every row: fill them in", "Funding row 2, column 'C': is blank"]
    """
    if rows < 2:
        return problems
    blank: dict[str, set[int]] = {}
    for p in problems:
        cell = cell_of(p.where)
        if cell and p.what == "is blank":
            blank.setdefault(cell[1], set()).add(cell[0])
    empty = [col for col, found in blank.items() if len(found) == rows]
    if not empty:
        return problems
    out: list[Problem] = []
    said = False
    for p in problems:
        cell = cell_of(p.where)
        if cell and p.what == "is blank" and cell[1] in empty:
            if not said:
                named = ", ".join(f"'{col}'" for col in empty)
                plural = len(empty) > 1
                out.append(
                    Problem(
                        p.argument,
                        f"rows 1 to {rows}, column{'s' if plural else ''} {named}",
                        f"blank in every row: fill {'them' if plural else 'it'} in",
                    )
                )
                said = True
            continue
        out.append(p)
    return out
