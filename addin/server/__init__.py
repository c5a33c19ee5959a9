"""The add-in served to Excel on the web and Mac: an xlwings Server project.

``dsg serve`` (:mod:`addin.cli_serve`) starts xlwings Server (the optional
extra ``pip install -e ".[server]"``) on the project folder ``project/``
beside this file: its ``custom_functions`` and ``custom_scripts`` packages
serve what :data:`FUNCTION_MODULES` and :data:`SCRIPT_MODULES` name, its
``templates/`` give the manifest (the product's name, ids, icons, ribbon) and
the task pane, and ``routers/custom.py`` adds the download of a written
return.

This package imports nothing heavy: the settings are in :mod:`.settings`, the
application in :mod:`.app`.
"""

from __future__ import annotations

from pathlib import Path

#: The xlwings Server project folder (XLWINGS_PROJECT_DIR).
PROJECT_DIR = Path(__file__).resolve().parent / "project"

#: The one namespace of the Office.js custom functions: ``=DSG.PLACEMENT_COST_TABLE(...)``.
#: The manifest registers it in every environment and ``dsg new-model --officejs`` writes it.
NAMESPACE = "DSG"

#: Modules whose ``@xw.func`` functions are served. Add a module here to serve its functions.
FUNCTION_MODULES: tuple[str, ...] = ("addin.udfs",)

#: Modules whose ``@xw.script`` scripts are served, each run off the event loop. Add a module
#: here to serve its scripts (and a task pane button in ``project/templates/taskpane.html``).
SCRIPT_MODULES: tuple[str, ...] = ("addin.refresh", "addin.import_history", "addin.import_forecast")
