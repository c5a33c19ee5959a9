"""The served add-in over HTTP: the real xlwings Server application with sign-in on.

The application is the one ``dsg serve`` runs (:func:`addin.server.app.create_app`), in
production mode: Microsoft Entra ID sign-in, the scripts' role, CORS for Excel on the web.
Tokens are signed here with a test key, and xlwings Server's own hook for the key set
(``auth.entraid.jwks.get_jwks_json``, meant for servers that cannot reach Microsoft) hands
it that key: nothing calls Microsoft. Requests go through FastAPI's TestClient.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import inspect
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
from fastapi.testclient import TestClient  # the [server] extra: tests/run.sh installs it
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from addin.server import FUNCTION_MODULES, NAMESPACE
from addin.server import app as served
from addin.server.settings import MANIFEST_IDS, OFFICE_ORIGINS
from tests import officejs
from tests.conftest import SHARED
from tests.officejs import OMITTED, payload, row
from tests.test_refresh_officejs import book_payload
from tests.test_return import EXAMPLE

CLIENT_ID = "11111111-2222-4333-8444-555555555555"
TENANT_ID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
ROLE = "DSG.Returns"
RETURNS = Path(tempfile.mkdtemp(prefix="dsg-served-returns-"))
atexit.register(shutil.rmtree, RETURNS, ignore_errors=True)
DATA_ROOT = SHARED / "data" / "dfe"

ENV = {
    "DSG_ENVIRONMENT": "prod",
    "DSG_ENTRAID_CLIENT_ID": CLIENT_ID,
    "DSG_ENTRAID_TENANT_ID": TENANT_ID,
    "DSG_SECRET_KEY": "test-signing-key-for-download-links-0123456789",
    "DSG_SCRIPT_ROLE": ROLE,
    "DSG_DATA_ROOT": str(DATA_ROOT),
    "DSG_RETURNS_DIR": str(RETURNS),
    "DSG_LINK_MINUTES": "5",
}

APP = served.create_app(ENV)

from xlwings_server.auth.entraid import jwks as entraid_jwks  # noqa: E402

KEY = RSAKey.generate_key(2048, parameters={"kid": "dsg-test-key"})


async def _test_key_set() -> dict[str, Any]:
    return KeySet([KEY]).as_dict(private=False)


@pytest.fixture(autouse=True)
def test_signing_key(monkeypatch):
    """xlwings Server's key-set hook returns the test key: tokens signed here verify."""
    monkeypatch.setattr(entraid_jwks, "get_jwks_json", _test_key_set)


def token(oid: str = "oid-finance-1", name: str = "A. Finance", roles=(ROLE,), **claims) -> str:
    now = int(time.time())
    body = {
        "ver": "2.0",
        "iss": f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
        "aud": CLIENT_ID,
        "oid": oid,
        "name": name,
        "preferred_username": f"{oid}@council.gov.uk",
        "roles": list(roles),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        **claims,
    }
    return "Bearer " + jwt.encode({"alg": "RS256", "kid": "dsg-test-key"}, body, KEY)


OFFICER = {"Authorization": token()}
COLLEAGUE = {"Authorization": token(oid="oid-finance-2", name="B. Colleague")}
NO_ROLE = {"Authorization": token(oid="oid-viewer", name="C. Viewer", roles=())}


@pytest.fixture(scope="module")
def client():
    with TestClient(APP) as c:
        yield c


def served_functions() -> dict[str, Any]:
    funcs = {}
    for name in FUNCTION_MODULES:
        module = importlib.import_module(name)
        funcs.update({k: v for k, v in vars(module).items() if hasattr(v, "__xlfunc__")})
    return funcs


YEARS = row(["2024-25", "2025-26"])
PLACEMENTS = [
    ["Placement", "Count", "Cost per place"],
    ["Mainstream", 30, 20000],
    ["Independent", 10, 60000],
]
#: Arguments for each function, as Office.js sends them, and a cell of the expected table.
SAMPLES: dict[str, tuple[list[Any], tuple[int, int, Any]]] = {
    "placement_cost_table": ([PLACEMENTS], (3, 3, 1_200_000.0)),
    "ehcp_growth": (
        [[[4222]], [[7707]], [[5]]],
        (0, 0, pytest.approx((7707 / 4222) ** (1 / 5) - 1)),
    ),
    "percent_change": ([[[100]], [[125]]], (0, 0, pytest.approx(0.25))),
    "placement_projection": (
        [PLACEMENTS, YEARS, [[0.0]], [[0.0]], OMITTED, [["count"]]],
        (3, 2, 40.0),
    ),
    "block_transfer_impact": ([YEARS, [[450e6]], [[0.01]]], (1, 0, "2024-25")),
    "dsg_trajectory": ([YEARS, [[0]], [[100]], [[110]]], (0, 0, "Year")),
    "dsg_summary": ([YEARS, [[0]], [[100]], [[100]]], (1, 0, "In-year balance year")),
    "variance_to_plan": ([YEARS, [[105]], [[100]]], (0, 0, "Year")),
}


def call(client, name: str, args: list[Any], headers=OFFICER):
    return client.post("/xlwings/custom-functions-call", json=payload(name, args), headers=headers)


def run_script(client, name: str, book: dict[str, Any], headers=OFFICER):
    return client.post(f"/xlwings/custom-scripts-call/{name}", json=book, headers=headers)


def refresh_log(actions: list[dict[str, Any]]) -> list[list[Any]]:
    """The Refresh sheet's log: the write from A1 (the fan block beside it starts at E1)."""
    sets = [
        a
        for a in actions
        if a["func"] == "setValues" and (a["start_row"], a["start_column"]) == (0, 0)
    ]
    return sets[-1]["values"]


# --- the manifest and metadata -------------------------------------------------------------------


def test_manifest_names_the_product_with_its_id_icons_namespace_buttons_and_sign_in(client):
    text = client.get("/manifest.xml").text
    assert f"<Id>{MANIFEST_IDS['prod']}</Id>" in text
    assert "<ProviderName>DSG High Needs</ProviderName>" in text
    assert '<DisplayName DefaultValue="DSG High Needs" />' in text
    assert f'<bt:String id="Functions.Namespace" DefaultValue="{NAMESPACE}" />' in text
    for label in ("Refresh DfE monitoring return", "Import EHCP history", "Task pane"):
        assert f'DefaultValue="{label}"' in text
    assert "Hello World" not in text and "xlwings.org" not in text
    assert f"<Id>{CLIENT_ID}</Id>" in text  # WebApplicationInfo: Office's single sign-on
    for size in (16, 32, 80):
        url = f"/static/images/icons/dsg-{size}.png"
        assert url in text
        icon = client.get(url)
        assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")


def test_metadata_lists_every_function_of_the_served_modules_and_every_script(client):
    meta = client.get("/xlwings/custom-functions-meta.json").json()
    assert sorted(f["name"] for f in meta["functions"]) == sorted(
        f.__xlfunc__["name"].upper() for f in served_functions().values()
    )
    code = client.get("/xlwings/custom-functions-code.js").text
    for func in served_functions().values():
        assert f'CustomFunctions.associate("{func.__xlfunc__["name"].upper()}"' in code
    scripts = client.get("/xlwings/custom-scripts-meta.json").json()
    assert {s["function_name"]: (s["name"], s["required_roles"]) for s in scripts} == {
        "refresh_return": ("Refresh DfE monitoring return", [ROLE]),
        "import_ehcp_history_script": ("Import EHCP history", [ROLE]),
        "import_ehcp_forecast_script": ("Import EHCP forecast", [ROLE]),
    }


def test_task_pane_has_the_script_buttons_and_the_return_download(client):
    text = client.get("/taskpane.html").text
    assert 'xw-click="refresh_return"' in text
    assert 'xw-click="import_ehcp_history_script"' in text
    assert 'xw-click="import_ehcp_forecast_script"' in text
    assert 'id="dsg-open-return"' in text and "dsg-taskpane.js" in text


def test_cors_admits_excel_on_the_web_only(client):
    def preflight(origin: str):
        return client.options(
            "/xlwings/custom-functions-call",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )

    for origin in OFFICE_ORIGINS:
        assert preflight(origin).headers.get("access-control-allow-origin") == origin
    hostile = preflight("https://attacker.example")
    assert "access-control-allow-origin" not in hostile.headers
    assert "*" not in hostile.headers.get("access-control-allow-origin", "")


# --- sign-in -------------------------------------------------------------------------------------


def test_without_a_token_every_call_is_401(client):
    assert call(client, "percent_change", [[[1]], [[2]]], headers={}).status_code == 401
    assert (
        run_script(client, "refresh_return", book_payload(EXAMPLE), headers={}).status_code == 401
    )
    assert client.get("/dsg/returns/anything").status_code == 401


def test_a_token_from_another_tenant_app_or_key_is_401(client):
    wrong_aud = {"Authorization": token(aud="99999999-2222-4333-8444-555555555555")}
    other_key = RSAKey.generate_key(2048, parameters={"kid": "dsg-test-key"})
    forged = "Bearer " + jwt.encode(
        {"alg": "RS256", "kid": "dsg-test-key"},
        {"ver": "2.0", "aud": CLIENT_ID, "oid": "x"},
        other_key,
    )
    for headers in (wrong_aud, {"Authorization": forged}, {"Authorization": "Bearer junk"}):
        response = call(client, "percent_change", [[[1]], [[2]]], headers=headers)
        assert response.status_code == 401, headers


def test_functions_need_sign_in_only_scripts_need_the_role(client):
    assert call(client, "percent_change", [[[100]], [[125]]], headers=NO_ROLE).status_code == 200
    response = run_script(client, "refresh_return", book_payload(EXAMPLE), headers=NO_ROLE)
    assert response.status_code in (400, 403)
    assert ROLE in response.text


# --- every function over HTTP ----------------------------------------------------------------------


def test_every_function_answers_over_http_with_its_table(client):
    for name, func in served_functions().items():
        if name not in SAMPLES:  # a function added since: blank arguments are refused by name
            args = [[[None]] for _ in func.__xlfunc__["args"]]
            response = call(client, name, args)
            assert response.status_code == 400 and response.text, name
            continue
        args, (r, c, expected) = SAMPLES[name]
        response = call(client, name, args)
        assert response.status_code == 200, (name, response.text)
        table = response.json()["result"]
        assert len({len(line) for line in table}) == 1, name  # a rectangle, spills as one
        assert table[r][c] == expected, (name, table)
        assert table == officejs.call(name, *args), name  # what xlwings' protocol gives


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("percent_change", [[["x"]], [[2]]], "first: text 'x' where a number belongs"),
        ("ehcp_growth", [[[0]], [[10]], [[2]]], "first"),
        ("variance_to_plan", [row(["2024-25", "2026-27"]), [[1]], [[1]]], "years"),
    ],
)
def test_bad_input_is_400_with_the_message(client, name, args, message):
    response = call(client, name, args)
    assert response.status_code == 400
    assert message in response.text


# --- the refresh and its download ----------------------------------------------------------------


def refresh(client, headers=OFFICER) -> list[list[Any]]:
    response = run_script(client, "refresh_return", book_payload(EXAMPLE), headers=headers)
    assert response.status_code == 200, response.text
    return refresh_log(response.json()["actions"])


def test_refresh_over_http_shows_the_file_name_and_a_link_never_a_server_path(client):
    log = refresh(client)
    assert log[1][:2] == ["Status", "Return written"]
    assert log[2][0] == "Return"
    assert re.fullmatch(r"873_2024-25_Q2_DSG_monitoring_return(_v\d+)?\.xlsx", log[2][1])
    assert log[4][0] == "Download" and log[4][1].startswith("http://testserver/dsg/returns/")
    assert "works once" in log[4][2]
    text = repr(log)
    assert str(RETURNS) not in text and "/tmp" not in text


def test_the_download_works_once_for_its_owner(client):
    log = refresh(client)
    url = log[4][1]
    assert client.get(url, headers=COLLEAGUE).status_code == 403  # someone else's
    first = client.get(url, headers=OFFICER)
    assert first.status_code == 200
    assert first.content[:2] == b"PK"  # the workbook itself
    assert f'filename="{log[2][1]}"' in first.headers["content-disposition"]
    second = client.get(url, headers=OFFICER)
    assert second.status_code == 410 and "used already" in second.text


def test_returns_are_kept_per_person(client):
    refresh(client)
    refresh(client, headers=COLLEAGUE)
    folders = [p for p in RETURNS.iterdir() if p.is_dir()]
    assert len(folders) >= 2
    assert not any("oid-finance" in p.name for p in folders)  # named by a hash


def test_an_expired_or_tampered_link_is_refused(client, monkeypatch):
    signed_at = int(time.time()) - 6 * 60  # links live 5 minutes here
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: signed_at)
    url = refresh(client)[4][1]
    monkeypatch.undo()
    monkeypatch.setattr(entraid_jwks, "get_jwks_json", _test_key_set)
    expired = client.get(url, headers=OFFICER)
    assert expired.status_code == 410 and "expired" in expired.text
    fresh = refresh(client)[4][1]
    tampered = fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")
    assert client.get(tampered, headers=OFFICER).status_code == 404


def test_returns_older_than_the_keeping_time_are_deleted(client):
    url = refresh(client)[4][1]
    store = served.state().store
    assert store.sweep(now=time.time() + store.keep_seconds + 1) >= 1
    assert client.get(url, headers=OFFICER).status_code == 410


# --- the EHCP import and the server's data root --------------------------------------------------


def history_book(folder: str) -> dict[str, Any]:
    from tests.test_import_history import YEARS as years
    from tests.test_import_history import _payload

    header = ["Category", *years]
    return _payload(
        [["Setting", "Value"], ["LA code", "873"], ["DfE data folder", folder]],
        [header, ["Mainstream", *([None] * len(years))]],
        f"A1:{chr(ord('A') + len(years))}2",
        f"A2:{chr(ord('A') + len(years))}2",
    )


def alerts(actions: list[dict[str, Any]]) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]


@pytest.mark.parametrize(
    ("folder", "why"),
    [
        ("/etc/passwd", "is an absolute path"),
        ("/home", "is an absolute path"),
        ("C:\\Users\\finance", "is an absolute path"),
        ("~", "starts with ~"),
        ("~root/.ssh", "starts with ~"),
        ("../../..", "goes up a folder with '..'"),
        ("dfe/../../etc", "goes up a folder with '..'"),
    ],
)
@pytest.mark.parametrize("script", ["import_ehcp_history_script", "import_ehcp_forecast_script"])
def test_the_imports_refuse_paths_outside_the_data_root(client, folder, why, script, monkeypatch):
    opened = []
    import addin.import_forecast
    from workbooks import dfe

    monkeypatch.setattr(dfe, "council_history", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(addin.import_forecast, "load_demand_data", lambda *a, **k: opened.append(a))
    response = run_script(client, script, history_book(folder))
    assert response.status_code == 200
    messages = alerts(response.json()["actions"])
    assert len(messages) == 1 and why in messages[0], messages
    assert "row 'DfE data folder'" in messages[0]
    assert opened == []  # refused before any file was looked at


def test_the_import_reads_the_data_root(client):
    if not DATA_ROOT.is_dir():
        pytest.fail(f"the shared DfE data is missing: {DATA_ROOT}")
    response = run_script(client, "import_ehcp_history_script", history_book("."))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    assert alerts(actions) == []
    values = [a["values"] for a in actions if a["func"] == "setValues"]
    assert values and values[0][0][0] == "Category"
    assert any(line[0] == "Total" for line in values[0])


def test_a_missing_folder_under_the_root_names_no_server_path(client):
    response = run_script(client, "import_ehcp_history_script", history_book("no-such-release"))
    messages = alerts(response.json()["actions"])
    assert len(messages) == 1 and "row 'DfE data folder'" in messages[0]
    assert str(DATA_ROOT) not in messages[0]


# --- a slow script does not hold up anyone's functions -------------------------------------------


def test_a_slow_script_does_not_delay_a_function_call(client, monkeypatch):
    import addin.refresh

    started, release = threading.Event(), threading.Event()
    real = addin.refresh.run_refresh

    def slow_refresh(*args, **kwargs):
        started.set()
        release.wait(30)  # holds until the function call below has answered
        return real(*args, **kwargs)

    monkeypatch.setattr(addin.refresh, "run_refresh", slow_refresh)
    script: dict[str, Any] = {}
    runner = threading.Thread(
        target=lambda: script.update(r=run_script(client, "refresh_return", book_payload(EXAMPLE)))
    )
    runner.start()
    try:
        assert started.wait(30), "the script did not start"
        answered: dict[str, Any] = {}
        caller = threading.Thread(
            target=lambda: answered.update(r=call(client, "percent_change", [[[100]], [[125]]]))
        )
        caller.start()
        caller.join(10)
        # the function answered while the script was still running
        assert "r" in answered, "the function call waited for the script"
        assert answered["r"].status_code == 200
        assert "r" not in script
    finally:
        release.set()
        runner.join(60)
    assert script["r"].status_code == 200


def test_served_scripts_are_coroutines_running_their_script_in_a_thread():
    import custom_scripts

    for name in ("refresh_return", "import_ehcp_history_script"):
        func = getattr(custom_scripts, name)
        assert inspect.iscoroutinefunction(inspect.unwrap(func))
        assert "to_thread" in inspect.getsource(inspect.unwrap(func))


def test_settings_are_checked_before_the_server_starts():
    from addin.server.settings import ServerSettingsError, from_environ

    with pytest.raises(ServerSettingsError, match="DSG_ENTRAID_CLIENT_ID"):
        from_environ({"DSG_ENVIRONMENT": "prod", "DSG_SECRET_KEY": "x" * 40})
    with pytest.raises(ServerSettingsError, match="DSG_SECRET_KEY"):
        from_environ({**ENV, "DSG_SECRET_KEY": "short"})
    with pytest.raises(ServerSettingsError, match="DSG_CORS_ORIGINS"):
        from_environ({**ENV, "DSG_CORS_ORIGINS": "*"})
    with pytest.raises(ServerSettingsError, match="DSG_ENVIRONMENT"):
        from_environ({**ENV, "DSG_ENVIRONMENT": "staging"})
    with pytest.raises(ServerSettingsError, match="DSG_LINK_MINUTES"):
        from_environ({**ENV, "DSG_LINK_MINUTES": "0"})
    assert asyncio.iscoroutinefunction(_test_key_set)
