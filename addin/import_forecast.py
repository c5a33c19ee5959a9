"""Import the council's EHC plan forecast into the open model workbook.

The ``EHCPForecast`` table (``Category | Year | Actual | P10 | P50 | P90``,
:data:`models.forecast_growth.FORECAST_COLUMNS`) is filled with the cohort
model's forecast for the council (:func:`models.forecast.forecast`, the model
of ``dsg forecast``): for the seven placement categories and ``Total``, DfE's
counts for the seven censuses up to the origin (empty where DfE suppressed
them) and P10, P50 and P90 for the three censuses after it. The origin is the
newest January census in the DfE files.

Where the inputs come from: the ``Settings`` table, rows ``LA code`` and
``DfE data folder``, as for the EHCP history import (:mod:`addin.import_history`,
whose settings reader this module uses). The folder (searched with its
sub-folders) must hold the DfE files the forecast is calibrated on: the 2025
release's caseload, new plans and ceased plans files and the 2022 release's
caseload by age band (:func:`workbooks.demand_data.load_demand_data`).

Two entry points share :func:`import_forecast_into`:

- :func:`import_ehcp_forecast`: the classic add-in's macro, called from VBA
  with ``RunPython "import addin.import_forecast; addin.import_forecast.import_ehcp_forecast()"``;
- :func:`import_ehcp_forecast_script`: the Office.js script (xlwings Server /
  Lite), given the book by the runtime.

Only the cells of the table change, and only once the forecast is computed:
any problem is shown before anything is written. The workbook is never saved
here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlwings as xw

from addin.import_history import (
    FOLDER_SETTING,
    LA_SETTING,
    ImportProblem,
    alert_problem,
    dfe_folder,
    fill_table,
    find_table,
    read_settings,
    setting,
)
from models.errors import DSGError
from models.forecast import forecast, forecast_table
from models.forecast_growth import FORECAST_COLUMNS, FORECAST_TABLE, ehcp_forecast_rows
from workbooks.demand_data import load_demand_data

#: Censuses the import forecasts after the origin.
HORIZON = 3
#: Title of the message box shown when the import cannot run.
ALERT_TITLE = "Import EHCP forecast"


def forecast_rows_for(folder: str | Path, la: str) -> list[list[Any]]:
    """The EHCPForecast table (header row first) of council ``la`` from the DfE files in ``folder``.

    Raises :class:`ImportProblem` naming the Settings row at fault, or the
    model's :class:`~models.errors.DSGError` (an unknown council names
    ``LA code``).
    """
    try:
        data = load_demand_data(folder)
    except FileNotFoundError as e:
        raise ImportProblem(f"table 'Settings', row '{FOLDER_SETTING}': {e}") from None
    area = data.find(la, f"table 'Settings', row '{LA_SETTING}'")
    result = forecast(data, None, HORIZON)
    return [list(FORECAST_COLUMNS), *ehcp_forecast_rows(forecast_table(data, result, [area]))]


def import_forecast_into(book: xw.Book) -> list[list[Any]]:
    """Fill the ``EHCPForecast`` table of ``book``; returns the rows written (header first)."""
    settings = read_settings(book)
    la = setting(settings, LA_SETTING, "give the council's 3-digit DfE code (873) or ONS code")
    folder = setting(
        settings,
        FOLDER_SETTING,
        "give the folder holding the DfE 'Education, health and care plans' files",
    )
    where = dfe_folder(book, folder)  # on the server: inside its data root, or refused
    _, table = find_table(book, FORECAST_TABLE)
    if table is None:
        raise ImportProblem(
            f"the workbook has no '{FORECAST_TABLE}' table to fill (columns "
            f"{' | '.join(FORECAST_COLUMNS)}): rebuild the model with dsg new-model"
        )
    rows = forecast_rows_for(where, la)
    fill_table(table, rows)
    return rows


def _run(book: xw.Book) -> None:
    try:
        import_forecast_into(book)
    except DSGError as e:
        alert_problem(book, e, ALERT_TITLE)


def import_ehcp_forecast() -> None:
    """Classic add-in macro: fill ``EHCPForecast`` in the workbook that called it."""
    _run(xw.Book.caller())


@xw.script(name="Import EHCP forecast")
def import_ehcp_forecast_script(book: xw.Book) -> None:
    """Office.js script: fill ``EHCPForecast`` in the open workbook."""
    _run(book)
