"""Whatever goes wrong inside a function, the person reads a message, not a bare error."""

from __future__ import annotations

import pytest
import xlwings

from addin.excel import call_model
from models.errors import InputError


def test_a_domain_error_reads_as_an_input_error():
    def model(x):
        raise InputError("is blank", argument="first")

    with pytest.raises(xlwings.XlwingsError, match=r"^DSG input error: first: is blank$"):
        call_model(model, 1)


def test_an_unexpected_fault_still_reaches_the_person():
    def placement_cost_table(x):
        table: dict[str, int] = {}
        return table["missing"]

    with pytest.raises(xlwings.XlwingsError) as e:
        call_model(placement_cost_table, 1)
    assert str(e.value).startswith("DSG error: unexpected KeyError in placement_cost_table")
    assert "please report" in str(e.value)


def test_a_result_that_is_not_a_finite_number_is_never_a_blank_cell():
    for value in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(xlwings.XlwingsError, match="is not a number Excel can show"):
            call_model(float, value)
