"""The served add-in's settings, read from the environment and checked once.

Every setting is an environment variable (``DSG_...``), documented in
``docs/deployment.md``; :func:`xlwings_environ` turns them into the
``XLWINGS_...`` variables xlwings Server reads when it starts. Any
``XLWINGS_...`` variable the deployment sets itself is kept, except those this
module decides (sign-in, roles, CORS, namespace), so that a stray variable
cannot switch sign-in off in production.

Production (``DSG_ENVIRONMENT=prod``, the default) always signs people in with
Microsoft Entra ID and needs the app registration's ids and a signing key;
``DSG_ENVIRONMENT=dev`` runs without sign-in, for a developer's machine only.
"""

from __future__ import annotations

import os
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from addin.server import NAMESPACE, PROJECT_DIR
from models.errors import DSGError

#: Where Excel on the web runs the add-in from; the only origins CORS lets call the server.
#: Source: Microsoft's Office Add-ins documentation (Excel on the web's hosts).
OFFICE_ORIGINS: tuple[str, ...] = (
    "https://excel.officeapps.live.com",
    "https://excel.cloud.microsoft",
    "https://www.office.com",
    "https://office.live.com",
)

#: The product's manifest ids, one per environment, so that dev and prod can be installed
#: side by side. Fixed here so that every deployment of one environment is the same add-in.
MANIFEST_IDS: dict[str, str] = {
    "dev": "6a1e2f0c-3b7d-4c59-9e58-0d2c1f4b7a31",
    "prod": "c3d8a6e4-5f21-4b0a-8d7e-9a4f6b2c1e05",
}

ENVIRONMENTS = ("dev", "prod")
DEFAULT_SCRIPT_ROLE = "DSG.Returns"


class ServerSettingsError(DSGError):
    """A setting of the served add-in is missing or wrong; the message names the variable."""


@dataclass(frozen=True)
class ServerSettings:
    """The served add-in's settings (see ``docs/deployment.md``)."""

    environment: str
    sign_in: bool
    entraid_client_id: str
    entraid_tenant_id: str
    script_role: str
    data_root: Path | None
    returns_dir: Path
    keep_minutes: float
    link_minutes: float
    secret_key: str
    hostname: str
    cors_origins: tuple[str, ...]
    project_name: str
    manifest_id: str

    @property
    def script_roles(self) -> list[str]:
        """The roles a signed-in person needs to run a script (none without sign-in)."""
        return [self.script_role] if self.sign_in and self.script_role else []


def _minutes(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ServerSettingsError(f"{name}={text!r} is not a number of minutes") from None
    if not 0 < value <= 7 * 24 * 60:
        raise ServerSettingsError(f"{name}={text!r} must be more than 0 and at most a week")
    return value


def from_environ(env: Mapping[str, str] | None = None) -> ServerSettings:
    """Read and check the settings; every problem is named by its variable.

    >>> s = from_environ({"DSG_ENVIRONMENT": "dev"})
    >>> (s.sign_in, s.script_roles, s.link_minutes, s.keep_minutes)
    (False, [], 15.0, 60.0)
    >>> from_environ({"DSG_ENVIRONMENT": "prod"})
    Traceback (most recent call last):
    ...
    addin.server.settings.ServerSettingsError: sign-in is on in production: set DSG_ENTRAID_CLIENT_ID (the app registration's Application (client) ID); set DSG_ENTRAID_TENANT_ID (the Directory (tenant) ID); set DSG_SECRET_KEY (at least 32 characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")
    """
    env = os.environ if env is None else env
    environment = env.get("DSG_ENVIRONMENT", "prod").strip().lower() or "prod"
    if environment not in ENVIRONMENTS:
        raise ServerSettingsError(
            f"DSG_ENVIRONMENT={environment!r}: use 'prod' (sign-in on) or 'dev' (no sign-in)"
        )
    sign_in = environment == "prod" or env.get("DSG_SIGN_IN", "").strip().lower() in (
        "1",
        "yes",
        "true",
        "on",
    )
    client_id = env.get("DSG_ENTRAID_CLIENT_ID", "").strip()
    tenant_id = env.get("DSG_ENTRAID_TENANT_ID", "").strip()
    secret = env.get("DSG_SECRET_KEY", "").strip()
    missing = []
    if sign_in:
        if not client_id:
            missing.append(
                "set DSG_ENTRAID_CLIENT_ID (the app registration's Application (client) ID)"
            )
        if not tenant_id:
            missing.append("set DSG_ENTRAID_TENANT_ID (the Directory (tenant) ID)")
        for name, value in (
            ("DSG_ENTRAID_CLIENT_ID", client_id),
            ("DSG_ENTRAID_TENANT_ID", tenant_id),
        ):
            if value:
                try:
                    uuid.UUID(value)
                except ValueError:
                    missing.append(f"{name}={value!r} is not a GUID")
    if environment == "prod" and len(secret) < 32:
        missing.append(
            "set DSG_SECRET_KEY (at least 32 characters, e.g. "
            'python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    if missing:
        raise ServerSettingsError(
            f"sign-in is on in {'production' if environment == 'prod' else environment}: "
            + "; ".join(missing)
        )
    root_text = env.get("DSG_DATA_ROOT", "").strip()
    data_root = Path(root_text).expanduser().resolve() if root_text else None
    if data_root is not None and not data_root.is_dir():
        raise ServerSettingsError(f"DSG_DATA_ROOT={root_text!r} is not a folder")
    origins_text = env.get("DSG_CORS_ORIGINS", "").strip()
    origins = tuple(o.strip().rstrip("/") for o in origins_text.split(",") if o.strip())
    for origin in origins:
        if origin == "*" or not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?", origin):
            raise ServerSettingsError(
                f"DSG_CORS_ORIGINS: {origin!r} is not an https origin (no '*', no path)"
            )
    return ServerSettings(
        environment=environment,
        sign_in=sign_in,
        entraid_client_id=client_id,
        entraid_tenant_id=tenant_id,
        script_role=env.get("DSG_SCRIPT_ROLE", DEFAULT_SCRIPT_ROLE).strip(),
        data_root=data_root,
        returns_dir=Path(env.get("DSG_RETURNS_DIR", "").strip() or "returns").resolve(),
        keep_minutes=_minutes(env, "DSG_RETURNS_KEEP_MINUTES", 60.0),
        link_minutes=_minutes(env, "DSG_LINK_MINUTES", 15.0),
        secret_key=secret or secrets.token_urlsafe(48),
        hostname=env.get("DSG_HOSTNAME", "").strip(),
        cors_origins=origins or OFFICE_ORIGINS,
        project_name=env.get("DSG_PROJECT_NAME", "").strip() or "DSG High Needs",
        manifest_id=env.get("DSG_MANIFEST_ID", "").strip() or MANIFEST_IDS[environment],
    )


def xlwings_environ(s: ServerSettings) -> dict[str, str]:
    """The ``XLWINGS_...`` variables that start xlwings Server with settings ``s``.

    >>> env = xlwings_environ(from_environ({"DSG_ENVIRONMENT": "dev"}))
    >>> env["XLWINGS_AUTH_PROVIDERS"], env["XLWINGS_FUNCTIONS_NAMESPACE"]
    ('[]', 'DSG')
    """
    quoted = ",".join(f'"{o}"' for o in s.cors_origins)
    env = {
        "XLWINGS_PROJECT_DIR": str(PROJECT_DIR),
        "XLWINGS_ENVIRONMENT": s.environment,
        "XLWINGS_PROJECT_NAME": s.project_name,
        "XLWINGS_FUNCTIONS_NAMESPACE": NAMESPACE,
        f"XLWINGS_MANIFEST_ID_{s.environment.upper()}": s.manifest_id,
        "XLWINGS_AUTH_PROVIDERS": '["entraid"]' if s.sign_in else "[]",
        # functions need sign-in only; the scripts' role is checked per script
        "XLWINGS_AUTH_REQUIRED_ROLES": "[]",
        "XLWINGS_AUTH_ENTRAID_CLIENT_ID": s.entraid_client_id,
        "XLWINGS_AUTH_ENTRAID_TENANT_ID": s.entraid_tenant_id,
        "XLWINGS_AUTH_ENTRAID_MULTITENANT": "false",
        "XLWINGS_CORS_ALLOW_ORIGINS": f"[{quoted}]",
        "XLWINGS_SECRET_KEY": s.secret_key,
        "XLWINGS_ENABLE_EXAMPLES": "false",
        "XLWINGS_ENABLE_SOCKETIO": "false",
        "XLWINGS_ENABLE_HOTRELOAD": "false",
        "XLWINGS_ENABLE_WASM": "false",
        "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
    }
    if s.hostname:
        env["XLWINGS_HOSTNAME"] = s.hostname
    return env
