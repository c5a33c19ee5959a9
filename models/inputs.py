"""The council's model inputs, as read from its model workbook.

One frozen dataclass holds every input table of the model workbook (issue
"model workbook": Settings, Funding, Placements, Moves, Agreement,
HighNeedsLines, EHCPHistory, EHCPPeriod, EHCPByAge, Conditions, and the optional
EHCPForecast, Sources and Mitigations), each exactly
as read (header row first, cells as Excel holds them): a list of rows from
the file reader (:mod:`workbooks.model_reader`, no pandas), or a
:class:`pandas.DataFrame` (header row as columns) from an open book or a
test; :func:`models.validation.rows_of` reads either. Validation happens when
the figures are computed (:func:`models.parse.parse_model`), so the same
checks and messages apply whether the tables came from a file
(``workbooks``) or from an open book through xlwings (``addin``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a DataFrame view imports pandas when asked for
    import pandas as pd

#: Table names of the model workbook, in the order a reader meets them.
TABLE_NAMES: tuple[str, ...] = (
    "Settings",
    "Funding",
    "Placements",
    "Moves",
    "Agreement",
    "HighNeedsLines",
    "EHCPHistory",
    "EHCPPeriod",
    "EHCPByAge",
    "Conditions",
)

#: Tables a model may have, read when present: the EHCP forecast import fills EHCPForecast
#: (:mod:`models.forecast_growth`), which a Placements Growth of ``forecast`` reads; a model
#: built before Mitigations (:mod:`models.mitigations`) existed has no savings listed.
OPTIONAL_TABLES: tuple[str, ...] = ("EHCPForecast", "Sources", "Mitigations")

#: Columns of the optional Sources table: where each figure comes from, its ``Status``
#: (Actual, Estimate, Assumption or Plan) and the return ``Sheet`` it appears on.
SOURCE_COLUMNS: tuple[str, ...] = ("Item", "Figure", "Source", "Status", "Sheet")

#: Columns each table must have (EHCPHistory: ``Category`` then one column per
#: January census year).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Settings": ("Setting", "Value"),
    "Funding": (
        "Year",
        "High Needs Block income",
        "Schools block",
        "Transfer rate",
        "Other high needs spend",
        "Other blocks in-year deficit",
        "Council contribution",
        "Other contributions",
    ),
    "Placements": ("Placement", "Count", "Cost per place", "Growth", "Inflation"),
    "Moves": ("Placement", "Year", "Change"),
    "Agreement": (
        "Year",
        "DfE payment due",
        "DfE payment received",
        "Council contribution",
        "Agreed cumulative deficit",
    ),
    "HighNeedsLines": ("Line", "Budget", "Forecast outturn"),
    "EHCPHistory": ("Category",),
    "EHCPPeriod": ("Category", "Actual", "Plan"),
    "EHCPByAge": ("Age group", "Actual"),
    "Conditions": ("Condition", "RAG", "Commentary"),
}

#: Columns a table may have, read when present; the model builder writes them. A model
#: without one reads as its default (:mod:`models.parse`): ``DfE payment expected`` as
#: ``DfE payment due`` (every instalment expected when the agreement says), ``Forum
#: decision`` as blank (not yet decided).
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "Funding": ("Forum decision",),
    "Agreement": ("DfE payment expected",),
}

#: Rows of the Settings table.
SETTINGS: tuple[str, ...] = (
    "Local authority",
    "LA code",
    "Return period",
    "Period end date",
    "Prepared by",
    "Opening cumulative deficit",
)

#: Rows of the Settings table that only some commands need, or that a model built before
#: them lacks (each then reads as its default, :mod:`models.parse`): the folder the council
#: saved the DfE statistics files in (the EHCP history import), the income basis, and the
#: deficit write-off (METHOD.md, DEFICIT_WRITE_OFF) set against the council's usable reserves.
OPTIONAL_SETTINGS: tuple[str, ...] = (
    "DfE data folder",
    "High Needs Block basis",
    "Write-off year",
    "Write-off share",
    "Override end",
    "Usable reserves",
)


@dataclass(frozen=True)
class ModelInputs:
    """Every input table of one council's model workbook, as read.

    ``source`` names where the tables came from (a path or a book name), for
    messages and the audit block.
    """

    tables: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def table(self, name: str) -> Any:
        """The table ``name`` as read (rows or a DataFrame); KeyError names the missing table."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"the model has no table '{name}'") from None

    def frame(self, name: str) -> pd.DataFrame:
        """The table ``name`` as a DataFrame of objects (header row as columns), to read or edit.

        >>> ModelInputs({"Moves": [["Year", "Change"], ["2025-26", 30]]}).frame("Moves")
              Year Change
        0  2025-26     30
        """
        import pandas as pd

        table = self.table(name)
        if isinstance(table, pd.DataFrame):
            return table.copy()
        from models.validation import rows_of

        rows = rows_of(table)
        if not rows:
            return pd.DataFrame()
        return pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
