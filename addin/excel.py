"""Between Excel's values and the models: results to 2-D tables, errors to messages.

Kept apart from ``addin.udfs`` so the functions there stay one line each,
and so the conversion is tested without xlwings' decorators.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from xlwings import XlwingsError

from models.errors import DSGError, InputError, Problem
from models.validation import ResultTable

#: What a person sees before the message, in the cell or on the #VALUE! hover.
ERROR_PREFIX = "DSG input error: "


class ExcelInputError(XlwingsError):
    """Bad input, shown to the person as it is.

    Derives from ``xlwings.XlwingsError`` because xlwings Server and xlwings
    Lite show only that class's message on the ``#VALUE!`` hover; any other
    exception reads "An error occurred". The classic add-in's generated VBA
    puts the error's description in the cell.
    """


def cell(value: Any) -> Any:
    """One value as Excel should receive it: plain floats, text, or None (blank).

    >>> cell(np.float64(1.5)), cell(float("nan")), cell(None), cell("Total"), cell(np.int64(3))
    (1.5, None, None, 'Total', 3.0)
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Real):
        x = float(value)
        return None if math.isnan(x) else x
    return value


def to_rows(result: Any) -> list[list[Any]]:
    """A model's result as a 2-D list that spills: header row then data rows.

    >>> to_rows(pd.DataFrame({"Measure": ["Peak"], "Value": [np.float64(2.0)]}))
    [['Measure', 'Value'], ['Peak', 2.0]]
    >>> to_rows(0.1279)
    [[0.1279]]

    A number that is not finite is never shown as a blank cell:

    >>> to_rows(float("inf"))
    Traceback (most recent call last):
    ...
    models.errors.InputError: result: inf is not a number Excel can show
    """
    if isinstance(result, ResultTable):
        return result.rows()
    if isinstance(result, pd.DataFrame):
        header = [str(c) for c in result.columns]
        return [header] + [[cell(v) for v in row] for row in result.itertuples(index=False)]
    if isinstance(result, float) and not math.isfinite(result):
        raise InputError([Problem("result", "", f"{result} is not a number Excel can show")])
    return [[cell(result)]]


def call_model(function: Callable[..., Any], *args: Any) -> list[list[Any]]:
    """Call one model function and return its result as Excel rows.

    A domain error becomes :class:`ExcelInputError` with the model's message,
    so the person reads what is wrong instead of a bare ``#VALUE!``.
    """
    try:
        return to_rows(function(*args))
    except DSGError as e:
        raise ExcelInputError(ERROR_PREFIX + str(e)) from None
    except Exception as e:  # a fault of ours: still say something the person can pass on
        raise ExcelInputError(
            f"{ERROR_PREFIX.replace('input ', '')}unexpected {type(e).__name__} in "
            f"{function.__name__}: {e} (please report this with the inputs)"
        ) from e
