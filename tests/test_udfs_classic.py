"""The Excel functions on the classic Windows add-in path, exercised on Linux.

A child Python process (without ``XLWINGS_ON_SERVER``, so xlwings would pick
its classic COM decorators on Windows) stubs the pywin32 modules, imports
xlwings' real Windows engine (``xlwings._xlwindows``) and ``xlwings.udfs``,
uses the classic decorators to import ``addin.udfs``, and then runs xlwings'
own code:

- ``xlwings.udfs.call_udf``: what the COM server runs for each cell, with the
  arguments as Windows Excel passes them (a range's values as a tuple of
  tuples; ``-2147352572`` for an omitted optional argument);
- ``xlwings.udfs.generate_vba_wrapper``: the VBA "Import Python UDFs" writes;
- ``xlwings.udfs.import_udfs`` against a stub workbook, which records the
  ``Application.MacroOptions`` calls that give the function wizard its
  category and help texts.

It prints JSON; the tests below check it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import PENNY, REPO
from tests.officejs import OPTIONAL as OPTIONAL_BY_FUNCTION
from tests.officejs import PARAMETERS

SCRIPT = r'''
import ctypes, datetime as dt, io, json, sys, types
from unittest import mock


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


class com_error(Exception):
    pass


class TimeType(dt.datetime):
    pass


# pywin32, as far as xlwings.udfs and xlwings._xlwindows touch it at import time.
module("pythoncom", CoInitialize=lambda: None, ole_error=com_error, __file__="pythoncom.pyd")
module("pywintypes", com_error=com_error, error=com_error, TimeType=TimeType, IID=lambda s: s)
client = module("win32com.client", Dispatch=mock.MagicMock(name="Dispatch"), DispatchEx=mock.MagicMock(),
                CDispatch=type("CDispatch", (), {}), CoClassBaseClass=type("CoClassBaseClass", (), {}),
                DispatchBaseClass=type("DispatchBaseClass", (), {}), gencache=mock.MagicMock())
module("win32com", client=client)
for name in ("win32api", "win32con", "win32gui", "win32process", "win32timezone"):
    sys.modules[name] = mock.MagicMock(name=name)

import xlwings  # noqa: E402

# The real Windows engine: its conversion of cell values is what Excel on Windows goes through.
with mock.patch.object(ctypes, "windll", mock.MagicMock(), create=True), \
        mock.patch.object(ctypes, "oledll", mock.MagicMock(), create=True), \
        mock.patch.object(ctypes, "PyDLL", mock.MagicMock()):
    from xlwings import _xlwindows
xlwings.engines.add(xlwings.main.Engine(impl=_xlwindows.engine))
module("xlwings.com_server", loop=None)  # call_udf imports the COM server's event loop

import xlwings.udfs as udfs  # noqa: E402

# What xlwings/__init__.py does on Windows with pywin32: the classic decorators.
xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
udfs.__pro__ = False  # embedded-code look-up of PRO workbooks: not part of this add-in

import addin.udfs as module_under_test  # noqa: E402

MISSING = -2147352572  # what VBA passes for an omitted Optional Variant


def tt(rows):
    """A range's values as Windows Excel passes them: a tuple of tuples."""
    return tuple(tuple(r) for r in rows)


PLACEMENTS = tt([["Placement", "Count", "Cost per place"], ["Mainstream", 30.0, 20000.0],
                 ["Independent", 10.0, 60000.0], [None, None, None]])
CALLS = {
    "placement_cost_table": (PLACEMENTS,),
    "ehcp_growth": (tt([[4222.0]]), 7707.0, 5.0),
    "percent_change": (4222.0, tt([[7707.0]])),
    "placement_projection": (PLACEMENTS, tt([["2024-25", "2025-26"]]), 0.0, tt([[0.0], [0.1]]),
                             tt([["Placement", "Year", "Change"], ["Mainstream", "2025-26", 10.0]]),
                             "count"),
    "placement_projection_defaults": (PLACEMENTS, tt([["2024-25", "2025-26"]]), 0.0, 0.0, MISSING, MISSING),
    "block_transfer_impact": (tt([["2023-24"], ["2024-25"]]), tt([[450e6], [480e6]]), 0.01, MISSING),
    "dsg_trajectory": (tt([["2024-25"]]), 40015000.0, 100000000.0, 111730000.0, MISSING, MISSING, MISSING),
    "dsg_summary": (tt([["2024-25", "2025-26"]]), 40e6, 100e6, tt([[110e6, 95e6]]), MISSING, MISSING,
                    MISSING),
    "variance_to_plan": (tt([["2024-25", "2025-26"]]), tt([[105.0, 0.0]]), tt([[100.0, 0.0]]), MISSING),
    "ehcp_forecast": (tt([["Age", 2024.0, 2025.0], ["under 3", 30.0, 33.0]]
                         + [["age %d" % a, 10.0, 11.0] for a in range(3, 26)]), MISSING, 2.0, "p50"),
    "ehcp_forecast_defaults": (tt([["Age", 2024.0, 2025.0], ["under 3", 30.0, 33.0]]
                                  + [["age %d" % a, 10.0, 11.0] for a in range(3, 26)]),
                               MISSING, MISSING, MISSING),
    "dsg_fan": (tt([["2024-25", "2025-26"]]), 40e6, 100e6, 110e6, MISSING, MISSING, MISSING,
                tt([[50e6, 55e6]]), 0.0, 0.0, 50.0, MISSING),
    "dsg_fan_defaults": (tt([["2024-25", "2025-26"]]), 40e6, 100e6, 110e6, MISSING, MISSING, MISSING,
                         MISSING, MISSING, MISSING, MISSING, MISSING),
    "deficit_write_off": (tt([["2025-26", "2026-27", "2027-28"]]), tt([[60e6, 70e6, 80e6]]),
                          MISSING, MISSING, MISSING),
}
ERRORS = {
    "placement_cost_table": (tt([["Placement", "Count"], ["Mainstream", 3.0]]),),
    "block_transfer_impact": (tt([["2023-24", "2025-26"]]), 450e6, 0.01, MISSING),
    "ehcp_forecast": (tt([["Age", 2025.0], ["age 3", 10.0]]), MISSING, 11.0, "P75"),
    "dsg_fan": (tt([["2024-25"]]), 0.0, 1.0, 1.0, MISSING, MISSING, MISSING, MISSING, -0.5,
                float("inf"), 0.0, MISSING),
    "deficit_write_off": (tt([["2026-27"]]), 1.0, MISSING, 2.0, MISSING),
}

out = {"pro": xlwings.__pro__, "results": {}, "errors": {}, "meta": {}}
for key, args in CALLS.items():
    name = key.replace("_defaults", "")
    out["results"][key] = udfs.call_udf("addin.udfs", name, args)
for name, args in ERRORS.items():
    try:
        value = udfs.call_udf("addin.udfs", name, args)
        out["errors"][name] = {"returned": value}
    except Exception as e:
        out["errors"][name] = {"type": type(e).__name__, "xlwings_error": isinstance(e, xlwings.XlwingsError),
                               "message": str(e)}
for attr in dir(module_under_test):
    f = getattr(module_under_test, attr)
    if hasattr(f, "__xlfunc__"):
        info = {k: v for k, v in f.__xlfunc__.items() if k != "argmap"}
        out["meta"][info["name"]] = info

buffer = io.StringIO()
udfs.generate_vba_wrapper("addin.udfs", module_under_test, buffer, types.SimpleNamespace(Name="model.xlsx"))
out["vba"] = buffer.getvalue()

# "Import Python UDFs" end to end against a stub workbook.
imported = {}
macro_options = []


class VBComponents:
    def __call__(self, name):
        return name

    def Remove(self, component):
        imported["removed"] = component

    def Import(self, path):
        with open(path) as f:
            imported["module"] = f.read()


workbook = types.SimpleNamespace(
    Name="model.xlsx",
    VBProject=types.SimpleNamespace(VBComponents=VBComponents()),
    Application=types.SimpleNamespace(Version="16.0",
                                      MacroOptions=lambda macro, **kw: macro_options.append([macro, kw])),
)
udfs.import_udfs("addin.udfs", workbook)
out["imported_module"] = imported.get("module", "")
out["macro_options"] = macro_options
print(json.dumps(out))
'''


@pytest.fixture(scope="module")
def classic() -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("XLWINGS_ON_SERVER", "XLWINGS_LICENSE_KEY")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


FUNCTIONS = PARAMETERS


def close(got, want):
    """Tables equal: text exactly, numbers to the penny (money) or 1e-9 relative (rates)."""
    assert len(got) == len(want), (got, want)
    for g_row, w_row in zip(got, want, strict=True):
        assert len(g_row) == len(w_row), (g_row, w_row)
        for g, w in zip(g_row, w_row, strict=True):
            if isinstance(w, float):
                assert isinstance(g, float) and abs(g - w) <= max(
                    PENNY if abs(w) >= 1 else 0, 1e-9 * abs(w), 1e-12
                ), (g, w)
            else:
                assert g == w, (g, w)


def test_xlfunc_metadata(classic):
    meta = classic["meta"]
    assert sorted(meta) == sorted(FUNCTIONS)
    for name, params in FUNCTIONS.items():
        info = meta[name]
        assert info["name"] == name
        assert info["category"] == "DSG High Needs"
        assert info["sub"] is False
        assert info["ret"]["doc"].strip() and "Python function" not in info["ret"]["doc"]
        assert [a["name"] for a in info["args"]] == params
        for a in info["args"]:
            assert a["doc"].strip() and "Positional argument" not in a["doc"], (name, a)
            optional = OPTIONAL_BY_FUNCTION.get(name, set())
            assert ("optional" in a) == (a["name"] in optional), (name, a)
            if "optional" in a:
                assert a["optional"] is None


def test_results_through_call_udf(classic):
    r = classic["results"]
    close(
        r["placement_cost_table"],
        [
            [
                "Placement",
                "Count",
                "Cost per place",
                "Total cost",
                "Share of count",
                "Share of cost",
            ],
            ["Mainstream", 30.0, 20000.0, 600000.0, 0.75, 0.5],
            ["Independent", 10.0, 60000.0, 600000.0, 0.25, 0.5],
            ["Total", 40.0, 30000.0, 1200000.0, 1.0, 1.0],
        ],
    )
    # Committee report: 4,222 to 7,707 EHCPs over 5 years, 12.79% a year, +82.5% in all.
    assert f"{r['ehcp_growth'][0][0]:.2%}" == "12.79%"
    assert f"{r['percent_change'][0][0]:+.1%}" == "+82.5%"
    close(
        r["placement_projection"],
        [
            ["Placement", "2024-25", "2025-26"],
            ["Mainstream", 30.0, 40.0],
            ["Independent", 10.0, 10.0],
            ["Total", 40.0, 50.0],
        ],
    )
    close(
        r["placement_projection_defaults"],
        [
            ["Placement", "2024-25", "2025-26"],
            ["Mainstream", 600000.0, 600000.0],
            ["Independent", 600000.0, 600000.0],
            ["Total", 1200000.0, 1200000.0],
        ],
    )
    close(
        r["block_transfer_impact"],
        [
            [
                "Year",
                "Schools block",
                "Transfer rate",
                "Transfer",
                "Cumulative transfer",
                "Schools forum approval",
                "Secretary of State approval",
            ],
            ["2023-24", 450e6, 0.01, 4.5e6, 4.5e6, "Required", "Required"],
            ["2024-25", 480e6, 0.01, 4.8e6, 9.3e6, "Required", "Required"],
        ],
    )
    close(
        r["dsg_trajectory"],
        [
            [
                "Year",
                "Income",
                "Transfers in",
                "Spend",
                "Other blocks",
                "In-year deficit",
                "Contributions",
                "Cumulative deficit",
            ],
            ["2024-25", 100e6, 0.0, 111.73e6, 0.0, 11.73e6, 0.0, 51.745e6],
        ],
    )
    close(
        r["dsg_summary"],
        [
            ["Measure", "Value"],
            ["In-year balance year", "2025-26"],
            ["Deficit cleared year", "Not reached"],
            ["Peak cumulative deficit", 50e6],
            ["Peak year", "2024-25"],
            ["Closing cumulative deficit", 45e6],
        ],
    )
    # An empty Variance % (plan 0) is written as "" by xlwings' Windows engine: an empty cell.
    close(
        r["variance_to_plan"],
        [
            ["Year", "Plan", "Forecast", "Variance", "Variance %", "RAG"],
            ["2024-25", 100.0, 105.0, 5.0, 0.05, "Amber"],
            ["2025-26", 0.0, 0.0, 0.0, "", "Green"],
        ],
    )


def test_errors_carry_the_message(classic):
    e = classic["errors"]["placement_cost_table"]
    assert "returned" not in e
    assert e["xlwings_error"]
    assert "placements" in e["message"] and "missing column 'Cost per place'" in e["message"]
    e = classic["errors"]["block_transfer_impact"]
    assert "returned" not in e
    assert "years" in e["message"] and "item 2" in e["message"] and "consecutive" in e["message"]


def test_ehcp_forecast_through_call_udf(classic):
    # Every cohort grows 10% a year of age: 11 x 1.1 = 12.1 at every age a year on, 13.31 two.
    r = classic["results"]
    groups = [("Under 5", 5), ("Age 5 to 10", 6), ("Age 11 to 15", 5), ("Age 16 to 19", 4)]
    groups += [("Age 20 to 25", 6), ("Total", 26)]
    close(
        r["ehcp_forecast"],
        [["Age group", "2026", "2027"]] + [[g, 12.1 * n, 13.31 * n] for g, n in groups],
    )
    assert r["ehcp_forecast_defaults"][0] == ["Age group", "2026", "2027", "2028"]
    # horizon 3 and P50 by default: its first two years are the ones above
    assert [row[:3] for row in r["ehcp_forecast_defaults"][1:]] == r["ehcp_forecast"][1:]


def test_ehcp_forecast_errors_name_every_argument(classic):
    e = classic["errors"]["ehcp_forecast"]
    assert "returned" not in e and e["xlwings_error"]
    for part in (
        "history_by_age",
        "at least two consecutive January censuses",
        "horizon",
        "10",
        "statistic",
        "'P75' is not one of P50, P10, P90",
    ):
        assert part in e["message"], (part, e["message"])


def test_generated_vba(classic):
    vba = classic["vba"]
    for name, params in FUNCTIONS.items():
        # xlwings writes the Python name as it is (lower case); VBA names are case-insensitive, so
        # =PLACEMENT_COST_TABLE(...) in a cell calls it.
        optional = OPTIONAL_BY_FUNCTION.get(name, set())
        signature = ", ".join(("Optional " if p in optional else "") + p for p in params)
        assert f"Function {name}({signature})" in vba, name
        assert (
            f'XLPy.CallUDF("addin.udfs", "{name}", Array({", ".join(params)}), ThisWorkbook, '
            "Application.Caller)" in vba
        )
        # On error the cell shows Err.Description: the classic front's way of showing the message.
        body = vba.split(f"Function {name}(", 1)[1].split("End Function", 1)[0]
        assert "On Error GoTo failed" in body
        assert f"{name} = Err.Description" in body
    assert len(re.findall(r"^Function ", vba, flags=re.M)) == len(FUNCTIONS)


def test_import_python_udfs_registers_category_and_help(classic):
    module = classic["imported_module"]
    assert module.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert classic["vba"] in module
    options = {macro: kw for macro, kw in classic["macro_options"]}
    assert sorted(options) == sorted(f"'model.xlsx'!{name}" for name in FUNCTIONS)
    for name, params in FUNCTIONS.items():
        kw = options[f"'model.xlsx'!{name}"]
        assert kw["Category"] == "DSG High Needs"
        assert kw["Description"].strip()
        assert len(kw["ArgumentDescriptions"]) == len(params)
        assert all(d.strip() and len(d) <= 255 for d in kw["ArgumentDescriptions"])


def test_dsg_fan_through_call_udf(classic):
    # Both spreads 0: every scenario is DSG_TRAJECTORY's path, 50m then 60m, above the plan.
    r = classic["results"]
    close(
        r["dsg_fan"],
        [
            ["Year", "P10", "P50", "P90", "Deterministic", "Plan", "P(on track)"],
            ["2024-25", 50e6, 50e6, 50e6, 50e6, 50e6, 1.0],
            ["2025-26", 60e6, 60e6, 60e6, 60e6, 55e6, 0.0],
        ],
    )
    defaults = r["dsg_fan_defaults"]
    assert [row[4] for row in defaults[1:]] == [50e6, 60e6]
    assert [row[5:] for row in defaults[1:]] == [["", ""], ["", ""]]  # no plan: blank cells
    assert all(row[1] < row[2] < row[3] for row in defaults[1:])


def test_deficit_write_off_through_call_udf(classic):
    close(
        classic["results"]["deficit_write_off"],
        [
            [
                "Year",
                "Cumulative deficit",
                "Write-off",
                "Cumulative deficit after write-off",
                "Falls on the council",
            ],
            ["2025-26", 60e6, 0.0, 60e6, 0.0],
            ["2026-27", 70e6, 54e6, 16e6, 0.0],
            ["2027-28", 80e6, 0.0, 26e6, 26e6],
        ],
    )


def test_scenario_functions_errors_name_every_argument(classic):
    e = classic["errors"]
    fan, write_off = e["dsg_fan"], e["deficit_write_off"]
    assert "returned" not in fan and fan["xlwings_error"]
    for part in ("spend_sd", "negative", "income_sd", "inf is not a finite number", "scenarios"):
        assert part in fan["message"], (part, fan["message"])
    assert "returned" not in write_off and write_off["xlwings_error"]
    for part in ("write_off_year", "needs 2025-26", "share", "2 is above 1"):
        assert part in write_off["message"], (part, write_off["message"])
