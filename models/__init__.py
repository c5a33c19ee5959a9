"""The calculations of the High Needs / DSG method (METHOD.md), pure numpy/pandas.

Nothing here reads or writes a workbook or knows about Excel: ``addin`` and
``workbooks`` call in, never the other way round (tests/test_architecture.py).
"""
