"""The refresh without Excel: compute the return from a model's tables and write it.

What the three buttons share (:mod:`addin.refresh`): :func:`run_refresh`
computes every figure of the DfE monitoring return from the model's input
tables (:mod:`models.monitoring`) and fills a copy of the return template by
its labels (:mod:`workbooks.return_writer`); :func:`describe` turns a refusal
into the message a person reads. It imports no xlwings, so ``dsg refresh``
starts without loading Excel's bridge.
"""

from __future__ import annotations

import configparser
import dataclasses
from importlib import metadata
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.inputs import ModelInputs
from models.monitoring import SCENARIOS, SEED, inputs_sha256, monitoring_return
from workbooks import refresh_sheet
from workbooks.refresh_sheet import REFRESH_SHEET, fan_caption, fan_rows
from workbooks.return_template import TEMPLATE_PATH
from workbooks.return_writer import Audit, TemplateError, WrittenReturn, now_text, write_return

DISTRIBUTION = "dsg-high-needs"
#: The template shipped with the package.
DEFAULT_TEMPLATE = TEMPLATE_PATH
#: Where the Office.js script writes returns on the server.
RETURNS_DIR_ENV = "DSG_RETURNS_DIR"
#: The sheet the book's buttons report to, and the rows of its log.
LOG_SHEET = REFRESH_SHEET
LOG_ROWS = refresh_sheet.LOG_ROWS


def tool_version() -> str:
    """The installed version of the package, or the source tree's (setup.cfg)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        cfg = configparser.ConfigParser()
        cfg.read(Path(__file__).resolve().parents[1] / "setup.cfg")
        version = cfg.get("metadata", "version", fallback="unknown")
        return f"{version} (source tree, not installed)"


def run_refresh(
    inputs: ModelInputs,
    template: Path = DEFAULT_TEMPLATE,
    out_dir: Path = Path("returns"),
    scenarios: int = SCENARIOS,
    seed: int = SEED,
) -> WrittenReturn:
    """Compute the return from ``inputs``, fill ``template``, save in ``out_dir``; the path and checks.

    The Scenarios sheet runs ``scenarios`` scenarios (10,000) with ``seed`` (1), the run
    ``dsg scenarios`` makes with the same numbers; the audit block records both.
    """
    figures = monitoring_return(inputs, scenarios=scenarios, seed=seed)
    audit = Audit(
        tool=DISTRIBUTION,
        version=tool_version(),
        refreshed_at=now_text(),
        model=inputs.source,
        sha256=inputs_sha256(inputs),
    )
    written = write_return(figures, Path(template), Path(out_dir), audit)
    caption = fan_caption(figures.scenario_count, figures.scenario_seed, audit.refreshed_at)
    return dataclasses.replace(written, fan=fan_rows(figures.scenarios_table), fan_caption=caption)


def refresh(
    inputs: ModelInputs, template: Path = DEFAULT_TEMPLATE, out_dir: Path = Path("returns")
) -> Path:
    """Write the DfE monitoring return for ``inputs``; the path written.

    Raises
    ------
    InputError
        The model's tables are wrong (naming table, row and column).
    TemplateError
        The template lacks a sheet, label or header, or carries drawings.
    """
    return run_refresh(inputs, template, out_dir).path


def table_sheets(pairs: Any) -> dict[str, str]:
    """{table name (case-folded): sheet name} from ``(sheet, table)`` pairs."""
    return {str(t).strip().casefold(): str(s) for s, t in pairs}


def problem_lines(error: Exception, sheets: dict[str, str] | None = None) -> list[str]:
    """Each problem a person reads, with its table's sheet named when known."""
    if isinstance(error, InputError):
        parts = []
        for p in error.problems:
            sheet = (sheets or {}).get(p.argument.split(" ")[0].casefold())
            parts.append(f"sheet '{sheet}', table {p}" if sheet else str(p))
        return parts
    if isinstance(error, TemplateError) and len(error.problems) > 1:
        return [f"template {Path(error.template).name}: {p}" for p in error.problems]
    return [str(error)]


def describe(error: Exception, sheets: dict[str, str] | None = None) -> str:
    """The message a person reads, with each table's sheet named when known."""
    return "; ".join(problem_lines(error, sheets))
