"""``dsg lite``: main.py and requirements.txt for xlwings Lite, tried in a clean interpreter.

The generated main.py is imported by a Python started without site-packages (``-S -E``)
whose path holds only the generated folder, xlwings (xlwings Lite's own runtime) and the
packages requirements.txt names with what they import themselves: none of this project's
files, no openpyxl, no calamine. Every function is called there through xlwings' Office.js
protocol, as Lite calls it, and must return what the add-in's own functions return.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from addin.cli import main as dsg
from addin.cli_lite import PYODIDE_PROVIDED
from tests import officejs
from tests.test_server import SAMPLES

#: What pandas and numpy import themselves (Pyodide ships them alongside).
DEPENDENCIES = ("dateutil", "pytz", "tzdata", "six")


def clean_site(folder: Path, packages: list[str]) -> Path:
    """A folder holding only ``packages`` (links to the installed ones)."""
    site = folder / "site"
    site.mkdir()
    for name in dict.fromkeys(packages):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (site / source.name).symlink_to(source)
        libs = source.parent / f"{name}.libs"  # numpy's bundled shared libraries
        if libs.is_dir():
            (site / libs.name).symlink_to(libs)
    return site


@pytest.fixture(scope="module")
def lite(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lite") / "lite"
    assert dsg(["lite", "--out", str(out)]) == 0
    return out


def test_requirements_are_only_packages_pyodide_provides(lite):
    lines = (lite / "requirements.txt").read_text(encoding="utf-8").split()
    assert lines and set(lines) <= set(PYODIDE_PROVIDED.values())
    assert "python-calamine" not in lines and "openpyxl" not in lines


def test_main_py_runs_every_function_in_a_clean_interpreter(lite, tmp_path):
    lines = (lite / "requirements.txt").read_text(encoding="utf-8").split()
    requirement_imports = [k for k, v in PYODIDE_PROVIDED.items() if v and v in lines]
    site = clean_site(tmp_path, [*requirement_imports, *DEPENDENCIES, "xlwings"])
    calls = [[name, args] for name, (args, _) in SAMPLES.items()]
    calls.append(["percent_change", [[["x"]], [[1]]]])
    (tmp_path / "calls.json").write_text(json.dumps(calls), encoding="utf-8")
    program = f"""
import asyncio, json, sys
sys.path[:0] = [{str(lite)!r}, {str(site)!r}]
import main
import xlwings, xlwings.server
from tests_stub import payload
"""
    (tmp_path / "tests_stub.py").write_text(
        "def payload(name, args):\n"
        "    return {'func_name': name, 'args': args, 'caller_address': 'Sheet1!B2',\n"
        "            'formula_name': name.upper(), 'version': __import__('xlwings').__version__,\n"
        "            'runtime': '1.4', 'culture_info_name': 'en-GB',\n"
        "            'date_format': 'dd/mm/yyyy', 'client': 'Office.js'}\n",
        encoding="utf-8",
    )
    program = program.replace("import main", f"sys.path.append({str(tmp_path)!r})\nimport main")
    program += f"""
out = []
for name, args in json.load(open({str(tmp_path / "calls.json")!r})):
    try:
        out.append({{"value": asyncio.run(xlwings.server.custom_functions_call(payload(name, args), main))}})
    except Exception as e:
        out.append({{"error": str(e)}})
foreign = sorted(m for m in sys.modules if m.split(".")[0] in ("openpyxl", "python_calamine", "defusedxml", "workbooks"))
print(json.dumps({{"results": out, "foreign": foreign,
                  "models": main.__dict__.get("_SOURCES") is not None and sys.modules["models"].__spec__.loader.__class__.__name__,
                  "paths": [p for p in sys.path if "site-packages" in p]}}))
"""
    env = {
        "XLWINGS_ON_SERVER": "true",
        "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
        "PATH": os.environ.get("PATH", ""),
    }
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-c", program],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["paths"] == []  # no site-packages: only the clean folder
    assert report["models"] == "_Bundled"  # our modules came from main.py, not the checkout
    assert report["foreign"] == []
    results = report["results"]
    for (name, args), result in zip(calls[:-1], results[:-1], strict=True):
        assert result == {"value": officejs.call(name, *args)}, name
    assert "first: text 'x' where a number belongs" in results[-1]["error"]


def test_lite_never_overwrites(lite, capsys):
    before = (lite / "main.py").read_bytes()
    assert dsg(["lite", "--out", str(lite)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (lite / "main.py").read_bytes() == before
