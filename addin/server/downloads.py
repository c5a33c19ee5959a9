"""Returns kept per person, handed over by short-lived, single-use, signed links.

A written return stays in ``DSG_RETURNS_DIR/<person>/`` (the person's folder
is named by a hash of their Entra ID object id, never by their name) until it
is downloaded or ``DSG_RETURNS_KEEP_MINUTES`` pass. Its link carries a token
signed with ``DSG_SECRET_KEY`` (itsdangerous, HMAC-SHA1 over the person, the
file name and a nonce, with its time), valid for ``DSG_LINK_MINUTES``:

- it works once: the download first renames the file to a claimed name (an
  atomic rename, so two requests, even in two server processes, cannot both
  win) and deletes it once sent;
- it expires: an old token is refused before the file is looked at;
- it is only for its owner: the token names the person, and the signed-in
  caller must be that person.

The link never shows a path on the server: only the file name, which the
person already knows from the Refresh sheet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from addin.server.request import Delivery

#: Salt of the signed tokens, so a token signed for something else never passes.
SALT = "dsg-return-download"
CLAIMED = ".claimed-"


class DownloadRefused(Exception):
    """The link cannot be used; ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def person_folder_name(user_id: str) -> str:
    """The folder name of a person's returns: a hash of their id, never the id itself.

    >>> person_folder_name("n/a")
    'u-a683c5c5349f6f7fb903'
    """
    return "u-" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True)
class ReturnStore:
    """The returns folder of the server, with its link life and how long returns are kept."""

    root: Path
    secret_key: str
    link_seconds: float
    keep_seconds: float

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=SALT)

    def folder(self, user_id: str) -> Path:
        """The person's folder, created when first needed (owner-only permissions)."""
        path = self.root / person_folder_name(user_id)
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def token(self, user_id: str, written: Path) -> str:
        """A signed token for ``written``, a return in the person's folder."""
        if written.parent.resolve() != self.folder(user_id).resolve():
            raise ValueError(f"{written.name} is not in the person's returns folder")
        payload = {"u": person_folder_name(user_id), "f": written.name, "n": secrets.token_hex(8)}
        return str(self._serializer().dumps(payload))

    def delivery(self, user_id: str, written: Path, base_url: str) -> Delivery:
        """The link the person sees, and the time (UTC) it stops working."""
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.link_seconds)
        return Delivery(
            url=f"{base_url.rstrip('/')}/{self.token(user_id, written)}",
            expires=until.strftime("%H:%M UTC"),
        )

    def claim(self, token: str, user_id: str) -> Path:
        """Check ``token`` for the caller ``user_id`` and claim its file; the claimed path.

        The caller sends the claimed file and then deletes it.
        """
        try:
            payload = self._serializer().loads(token, max_age=round(self.link_seconds))
        except SignatureExpired:
            raise DownloadRefused(
                410, "this download link has expired: run the refresh again"
            ) from None
        except BadSignature:
            raise DownloadRefused(404, "this is not a valid download link") from None
        if not isinstance(payload, dict) or not {"u", "f", "n"} <= set(payload):
            raise DownloadRefused(404, "this is not a valid download link")
        if payload["u"] != person_folder_name(user_id):
            raise DownloadRefused(403, "this download link belongs to someone else")
        name = str(payload["f"])
        if Path(name).name != name or name.startswith("."):
            raise DownloadRefused(404, "this is not a valid download link")
        source = self.root / payload["u"] / name
        claimed = source.with_name(f"{CLAIMED}{payload['n']}-{name}")
        try:
            os.rename(source, claimed)
        except FileNotFoundError:
            raise DownloadRefused(
                410, "this download link was used already or the return was deleted"
            ) from None
        return claimed

    def sweep(self, now: float | None = None) -> int:
        """Delete returns (and claimed leftovers) older than the keeping time; how many."""
        now = time.time() if now is None else now
        removed = 0
        if not self.root.is_dir():
            return 0
        for person in self.root.iterdir():
            if not person.is_dir() or not person.name.startswith("u-"):
                continue
            for f in person.iterdir():
                try:
                    if f.is_file() and now - f.stat().st_mtime > self.keep_seconds:
                        f.unlink()
                        removed += 1
                except FileNotFoundError:  # claimed or swept by another process meanwhile
                    continue
        return removed
