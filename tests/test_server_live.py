"""``dsg serve`` as a council runs it: a real uvicorn process over HTTPS on this machine.

A certificate made here for 127.0.0.1 (the stand-in for the council's, or mkcert's
on a developer's machine) is given with ``--certs``; the server runs without sign-in
(``DSG_ENVIRONMENT=dev``: the signed-in paths are covered in tests/test_server.py).
Every request goes to 127.0.0.1 only and the process is stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests import officejs
from tests.conftest import REPO
from tests.officejs import payload
from tests.test_refresh_officejs import book_payload
from tests.test_return import EXAMPLE


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1: ``cert.pem`` and ``key.pem`` in ``folder``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return folder / "cert.pem"


#: The live server's certificate, for Node to trust.
CERT: dict[str, Path] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    certs = folder / "certs"
    certs.mkdir()
    cert = make_certificate(certs)
    CERT["path"] = cert
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DSG_", "XLWINGS_"))},
        "PYTHONPATH": str(REPO),
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "DSG_ENVIRONMENT": "dev",
        "DSG_RETURNS_DIR": str(folder / "returns"),
    }
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "addin.cli", "serve", "--port", str(port), "--certs", str(certs)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = httpx.Client(
        base_url=f"https://127.0.0.1:{port}",
        verify=ssl.create_default_context(cafile=str(cert)),
        timeout=30,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("dsg serve did not start:\n" + (folder / "server.log").read_text())
            time.sleep(0.2)
        yield client
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_live_server_over_https_serves_manifest_functions_script_and_download(live):
    manifest = live.get("/manifest.xml")
    assert manifest.status_code == 200
    assert 'DefaultValue="DSG High Needs [dev]"' in manifest.text
    base = f"https://127.0.0.1:{live.base_url.port}"
    assert f"{base}/xlwings/custom-functions-code.js" in manifest.text
    answer = live.post(
        "/xlwings/custom-functions-call", json=payload("percent_change", [[[100]], [[125]]])
    )
    assert answer.status_code == 200 and answer.json()["result"] == [[0.25]]
    bad = live.post(
        "/xlwings/custom-functions-call", json=payload("percent_change", [[["x"]], [[1]]])
    )
    assert bad.status_code == 400 and "first: text 'x' where a number belongs" in bad.text
    script = live.post("/xlwings/custom-scripts-call/refresh_return", json=book_payload(EXAMPLE))
    assert script.status_code == 200
    sets = [
        a
        for a in script.json()["actions"]
        if a["func"] == "setValues" and (a["start_row"], a["start_column"]) == (0, 0)
    ]
    log = sets[-1]["values"]  # the Refresh sheet's log, from A1
    assert log[4][0] == "Download" and log[4][1].startswith(f"{base}/dsg/returns/")
    first = live.get(log[4][1])
    assert first.status_code == 200 and first.content[:2] == b"PK"
    assert live.get(log[4][1]).status_code == 410


def test_served_javascript_in_node_registers_every_function_and_returns_its_table(live, tmp_path):
    """The custom functions' JavaScript, run by Node with Office.js stood in, calls the server."""
    from tests.test_server import SAMPLES, served_functions

    node = shutil.which("node")
    if node is None:
        pytest.fail("Node is needed for this test (tests/run.sh installs it)")
    calls = [[name, args] for name, (args, _) in SAMPLES.items()]
    calls.append(["percent_change", [[["x"]], [[1]]]])
    (tmp_path / "calls.json").write_text(json.dumps(calls), encoding="utf-8")
    script = REPO / "tests" / "js" / "custom_functions.js"
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(CERT["path"])}
    done = subprocess.run(
        [node, str(script), str(live.base_url).rstrip("/"), str(tmp_path / "calls.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["registered"] == sorted(
        f.__xlfunc__["name"].upper() for f in served_functions().values()
    )
    results = out["results"]
    for (name, args), result in zip(calls[:-1], results[:-1], strict=True):
        assert result.get("value") == officejs.call(name, *args), (name, result)
    bad = results[-1]
    assert bad["code"] == "#VALUE!"
    assert "first: text 'x' where a number belongs" in bad["error"]


def test_dsg_serve_refuses_missing_settings_and_certificates_with_exit_2(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DSG_", "XLWINGS_"))},
        "PYTHONPATH": str(REPO),
        "XLWINGS_LICENSE_KEY": "noncommercial",
    }
    prod = subprocess.run(
        [sys.executable, "-m", "addin.cli", "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert prod.returncode == 2
    assert "sign-in is on in production: set DSG_ENTRAID_CLIENT_ID" in prod.stderr
    assert "Traceback" not in prod.stderr
    certs = subprocess.run(
        [sys.executable, "-m", "addin.cli", "serve", "--certs", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**env, "DSG_ENVIRONMENT": "dev"},
        cwd=tmp_path,
        timeout=120,
    )
    assert certs.returncode == 2
    assert "has no cert.pem" in certs.stderr and "has no key.pem" in certs.stderr


def test_ribbon_refresh_and_task_pane_open_the_return_in_node(live, tmp_path):
    """The ribbon's Refresh runs the script; the task pane's Open the return downloads the
    return once and hands it to Excel.createWorkbook; a second try shows why it cannot."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node is needed for this test (tests/run.sh installs it)")
    (tmp_path / "book.json").write_text(json.dumps(book_payload(EXAMPLE)), encoding="utf-8")
    done = subprocess.run(
        [
            node,
            str(REPO / "tests" / "js" / "taskpane.js"),
            str(live.base_url).rstrip("/"),
            str(tmp_path / "book.json"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(CERT["path"])},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["associated"] == ["dsg-import-ehcp-history", "dsg-refresh-return"]
    assert out["scriptCalls"] == ["refresh_return"] and out["completed"] == 1
    assert out["first"] is True and out["created"] == 1
    assert out["workbookStart"] == "PK" and out["workbookBytes"] > 10_000
    assert "opened in a new workbook" in out["firstStatus"]
    assert out["second"] is False and "used already" in out["secondStatus"]
