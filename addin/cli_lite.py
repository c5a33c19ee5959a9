"""``dsg lite``: the Excel functions for xlwings Lite (Python inside the workbook, no install).

``dsg lite [--out DIR]`` writes ``DIR/main.py`` and ``DIR/requirements.txt`` (default: the
folder ``lite``) to paste into xlwings Lite's editor and its requirements tab. ``main.py``
carries the source of every module the served functions need (those of
:data:`addin.server.FUNCTION_MODULES` and what they import from this package, found by
reading their imports), loads it from memory, and exposes each function, so the functions
in Lite are the same code as in the classic add-in and on the server. ``requirements.txt``
names the other packages those modules import, each one Pyodide provides; a module
needing anything else is refused, naming it. Never overwrites: an existing file is refused.

Exit codes: 0 written, 2 an output file exists or a module needs a package Pyodide lacks.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import sys
from pathlib import Path

from models.errors import InputError, Problem

#: Our packages, bundled into main.py.
OWN_PACKAGES = ("models", "addin", "workbooks")
#: Packages that xlwings Lite's Pyodide provides, by import name: their requirement line.
#: Source: Pyodide's package list (pyodide.org, "Packages built in Pyodide"); xlwings is
#: xlwings Lite's own runtime, so it is not listed in requirements.txt.
PYODIDE_PROVIDED: dict[str, str] = {
    "numpy": "numpy",
    "pandas": "pandas",
    "dateutil": "python-dateutil",
    "pytz": "pytz",
    "xlwings": "",
}
#: Import names never bundled: the classic add-in's Windows bridge and the file readers.
NOT_FOR_LITE = frozenset({"openpyxl", "python_calamine", "defusedxml", "xlwings_server"})
DEFAULT_OUT = Path("lite")


def register(subparsers) -> None:
    lite = subparsers.add_parser(
        "lite",
        help="write main.py and requirements.txt for xlwings Lite",
        description="Write main.py (the Excel functions, with the modules they need) and "
        "requirements.txt (packages Pyodide provides) for xlwings Lite. Existing files are "
        "never overwritten.",
    )
    lite.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="folder (default ./lite)"
    )
    lite.set_defaults(handler=run_lite)


def _source_file(module: str) -> Path | None:
    """The source file of one of our modules, found without importing it."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(list(spec.submodule_search_locations)[0]).joinpath(*rest)
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Absolute names imported by the file of ``module`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            if base == "__future__":
                continue
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def bundle(roots: tuple[str, ...]) -> tuple[dict[str, tuple[bool, str]], set[str]]:
    """{module: (is package, source)} of ``roots`` and our modules they import; third parties."""
    modules: dict[str, tuple[bool, str]] = {}
    third: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in modules:
            continue
        path = _source_file(name)
        if path is None:
            continue  # "from package import name" where name is not a module
        modules[name] = (path.name == "__init__.py", path.read_text(encoding="utf-8"))
        parts = name.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        for imported in _imports(path, name):
            top = imported.split(".")[0]
            if top in OWN_PACKAGES:
                todo.append(imported)
            elif top not in sys.stdlib_module_names:
                third.add(top)
    return modules, third


def functions_of(roots: tuple[str, ...]) -> list[tuple[str, str]]:
    """(module, function) of every ``@xw.func`` in ``roots``, read from the source."""
    found = []
    for name in roots:
        path = _source_file(name)
        assert path is not None, name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                ast.unparse(d).split("(")[0] in ("xw.func", "xlwings.func", "func")
                for d in node.decorator_list
            ):
                found.append((name, node.name))
    return found


HEADER = '''"""DSG High Needs: the Excel functions for xlwings Lite.

Written by ``dsg lite`` (dsg-high-needs {version}); run it again rather than editing
this file. The modules the functions need are carried below as source and loaded
from memory; requirements.txt names the packages they import, all from Pyodide.
"""

import importlib.abc
import importlib.util
import sys

_SOURCES = {sources}


class _Bundled(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the bundled modules from _SOURCES."""

    def find_spec(self, name, path=None, target=None):
        if name not in _SOURCES:
            return None
        is_package, _ = _SOURCES[name]
        return importlib.util.spec_from_loader(name, self, is_package=is_package)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        _, source = _SOURCES[module.__name__]
        code = compile(source, "<dsg-lite>/" + module.__name__.replace(".", "/") + ".py", "exec")
        exec(code, module.__dict__)


if not any(isinstance(f, _Bundled) for f in sys.meta_path):
    sys.meta_path.insert(0, _Bundled())

'''


def main_py(roots: tuple[str, ...]) -> tuple[str, list[str]]:
    """The text of main.py and the lines of requirements.txt; InputError for other packages."""
    from addin.refresh_core import tool_version

    modules, third = bundle(roots)
    lacking = sorted(t for t in third if t not in PYODIDE_PROVIDED or t in NOT_FOR_LITE)
    if lacking:
        raise InputError(
            [
                Problem(
                    "dsg lite", m, "is imported by the functions but Pyodide does not provide it"
                )
                for m in lacking
            ]
        )
    sources = (
        "{\n"
        + "".join(
            f"    {name!r}: ({pkg!r}, {src!r}),\n" for name, (pkg, src) in sorted(modules.items())
        )
        + "}"
    )
    text = HEADER.format(version=tool_version(), sources=sources)
    for module, func in functions_of(roots):
        text += f"from {module} import {func}  # noqa: E402,F401\n"
    requirements = sorted({PYODIDE_PROVIDED[t] for t in third} - {""})
    return text, requirements


def run_lite(args: argparse.Namespace) -> int:
    from addin.server import FUNCTION_MODULES
    from workbooks.publish import publish

    out: Path = args.out
    problems = [
        Problem("--out", str(out / name), "already exists: it is never overwritten")
        for name in ("main.py", "requirements.txt")
        if (out / name).exists()
    ]
    if out.exists() and not out.is_dir():
        problems.append(Problem("--out", str(out), "is a file, not a folder"))
    if problems:
        raise InputError(problems)
    text, requirements = main_py(FUNCTION_MODULES)
    written = [
        publish(out, "main.py", lambda p: p.write_text(text, encoding="utf-8"), numbered=False),
        publish(
            out,
            "requirements.txt",
            lambda p: p.write_text("".join(f"{r}\n" for r in requirements), encoding="utf-8"),
            numbered=False,
        ),
    ]
    for path in written:
        print(path)
    return 0
