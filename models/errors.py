"""Domain exceptions of the models.

The Excel layer (``addin``) and the file layer (``workbooks``) turn these into
the message a person sees: in the cell, on the ``#VALUE!`` hover, or on stderr.
"""

from __future__ import annotations

from dataclasses import dataclass


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

    >>> found = Problems()
    >>> found.run(lambda: 1)
    1
    >>> def bad():
    ...     raise InputError("is blank", argument="first")
    >>> found.run(bad) is None, len(found.items)
    (True, 1)
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def run(self, step, *args, **kwargs):
        """``step(*args, **kwargs)``, or None with its problems kept."""
        try:
            return step(*args, **kwargs)
        except InputError as e:
            self.items.extend(e.problems)
            return None

    def raise_if_any(self) -> None:
        """Raise one InputError with every problem collected, if there are any."""
        if self.items:
            raise InputError(self.items)
