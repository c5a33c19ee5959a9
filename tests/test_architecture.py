"""The layers point one way: models/ knows nothing of Excel or files (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

FORBIDDEN = {
    "xlwings",
    "openpyxl",
    "python_calamine",
    "addin",
    "workbooks",
    "win32com",
    "pythoncom",
    "pywintypes",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_models_import_no_excel_or_file_layer():
    files = sorted((REPO / "models").rglob("*.py"))
    assert files, "models/ has no Python files"
    offenders = {str(f.relative_to(REPO)): sorted(imported_roots(f) & FORBIDDEN) for f in files}
    offenders = {k: v for k, v in offenders.items() if v}
    assert offenders == {}


def test_the_check_itself_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom openpyxl import load_workbook\nimport xlwings as xw\n")
    assert imported_roots(bad) & FORBIDDEN == {"openpyxl", "xlwings"}


def test_workbooks_do_not_import_the_excel_faces():
    files = sorted((REPO / "workbooks").rglob("*.py"))
    offenders = {str(f.relative_to(REPO)) for f in files if "addin" in imported_roots(f)}
    assert offenders == set()
