"""Publish a file: whole or not at all, never over another file, no litter, on any file system.

Every file the add-in writes (the return, the history CSV and workbook, the
benchmark, the caseload workbook, a new model, the example) goes through
:func:`publish`:

1. the content is written to a hidden temporary file in the target folder,
   ``.~dsg-<host>-<pid>-<random>-<name>.tmp``, created like any other file
   (mode ``0o666`` less the umask, so every output gets the same
   permissions), then flushed to disk (``fsync``);
2. it is published under the final name **without replacing** anything:
   ``os.link`` (which fails if the name exists) then ``unlink`` of the
   temporary name; where the file system has no hard links (many network
   shares: ``EPERM``, ``ENOTSUP``, ``EXDEV``...), a rename that refuses to
   replace (Linux ``renameat2(RENAME_NOREPLACE)``, macOS
   ``renamex_np(RENAME_EXCL)``, Windows ``os.rename``, which never
   replaces); where that too is missing, the final name is first claimed
   with ``O_CREAT | O_EXCL`` (atomic on every file system, NFS included) and
   the temporary file renamed over our own empty claim (a run killed in the
   instant between the two leaves an empty file under the name: never a
   partial one, never another's file replaced). A taken name gets
   the next free one (``name_v2.xlsx``, ``name_v3.xlsx``...), or, for a path
   the person chose that must not change, :class:`FileExistsError`;
3. on any failure the temporary file is removed and nothing is left under
   the final name. A run killed part-way cannot remove its temporary file;
   the next publish into the folder removes every temporary file of this
   host whose process has ended (its PID is in the name; a process still
   running, on this host or another, is never touched).

Two writers publishing the same name at once get two files: each claim is
atomic, so neither overwrites the other.

References
----------
POSIX ``link()``, ``open(O_CREAT|O_EXCL)``: fail with ``EEXIST`` when the name exists.
Linux ``rename(2)``: ``RENAME_NOREPLACE`` (since Linux 3.15; ``EINVAL`` where the
file system does not support it). Microsoft, ``MoveFileEx`` without
``MOVEFILE_REPLACE_EXISTING`` (Python's ``os.rename`` on Windows).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable
from pathlib import Path

from models.errors import DSGError

#: Hidden temporary names start so; the rest names host, PID and a random token.
TEMP_PREFIX = ".~dsg-"
TEMP_SUFFIX = ".tmp"
#: How many names are tried (``_v2`` ... ``_v<MAX_VERSIONS>``) before giving up.
MAX_VERSIONS = 10_000
#: errno values meaning "this file system cannot do that", not "the name is taken".
_UNSUPPORTED = {
    getattr(errno, name)
    for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "ENOSYS", "EINVAL", "EMLINK", "EACCES")
    if hasattr(errno, name)
}


class OutputError(DSGError):
    """The output folder cannot take the file (it is a file, or cannot be created or written)."""

    def __init__(self, folder: Path | str, what: str):
        self.folder = str(folder)
        super().__init__(f"output folder {folder} (--out): {what}")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:24] or "host"


def temp_path(folder: Path, name: str) -> Path:
    """A hidden temporary name in ``folder`` for ``name``, carrying this host and process."""
    token = secrets.token_hex(4)
    return folder / f"{TEMP_PREFIX}{_host()}-{os.getpid()}-{token}-{name}{TEMP_SUFFIX}"


_TEMP = re.compile(
    re.escape(TEMP_PREFIX)
    + r"(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]+-.*"
    + re.escape(TEMP_SUFFIX)
    + r"$"
)


def _running(pid: int) -> bool:
    """Whether process ``pid`` of this host is still running (when unsure: yes)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporary files of ended processes of this host in ``folder``; those removed."""
    removed: list[Path] = []
    host = _host()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m is None or m["host"] != host or _running(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):  # another run may have removed it just now
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


def candidates(name: str, numbered: bool = True):
    """``name``, then ``<stem>_v2<suffix>``, ``_v3``... (only ``name`` when not ``numbered``).

    >>> from itertools import islice
    >>> list(islice(candidates("873_return.xlsx"), 3))
    ['873_return.xlsx', '873_return_v2.xlsx', '873_return_v3.xlsx']
    """
    yield name
    if not numbered:
        return
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    for version in range(2, MAX_VERSIONS + 1):
        yield f"{stem}_v{version}{dot}{suffix}"


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_renameat2: Callable[[str, str], int] | None | bool = False  # False: not looked up yet


def _rename_noreplace_fn() -> Callable[[str, str], int] | None:
    """The platform's rename-without-replacing, or None."""
    global _renameat2
    if _renameat2 is not False:
        return _renameat2  # type: ignore[return-value]
    fn: Callable[[str, str], int] | None = None
    if sys.platform == "win32":

        def fn(src: str, dst: str) -> int:  # MoveFileEx without REPLACE_EXISTING
            os.rename(src, dst)
            return 0

    else:
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        except OSError:
            libc = None
        if libc is not None and hasattr(libc, "renameat2"):
            call = libc.renameat2
            AT_FDCWD, RENAME_NOREPLACE = -100, 1

            def fn(src: str, dst: str) -> int:
                if call(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), RENAME_NOREPLACE):
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e), dst)
                return 0

        elif libc is not None and hasattr(libc, "renamex_np"):
            call = libc.renamex_np
            RENAME_EXCL = 0x4

            def fn(src: str, dst: str) -> int:
                if call(os.fsencode(src), os.fsencode(dst), RENAME_EXCL):
                    e = ctypes.get_errno()
                    raise OSError(e, os.strerror(e), dst)
                return 0

    _renameat2 = fn
    return fn


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` only if ``dst`` does not exist (FileExistsError otherwise).

    Raises OSError with an errno in the "not supported" set where neither the
    platform nor the file system can rename without replacing.
    """
    fn = _rename_noreplace_fn()
    if fn is None:
        raise OSError(errno.ENOSYS, "no rename without replacing on this platform", str(dst))
    fn(str(src), str(dst))


def _claim_and_replace(src: Path, dst: Path) -> None:
    """Claim ``dst`` with O_EXCL (FileExistsError if taken), then rename ``src`` over the claim."""
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    os.close(fd)
    try:
        os.replace(src, dst)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(dst)
        raise


def _place(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target`` without replacing anything; FileExistsError if taken."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    else:
        os.unlink(tmp)
        return
    try:
        rename_noreplace(tmp, target)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    _claim_and_replace(tmp, target)


def publish(
    folder: str | os.PathLike[str],
    name: str,
    write: Callable[[Path], object],
    *,
    numbered: bool = True,
    replace: bool = False,
) -> Path:
    """Write a file with ``write(temporary path)`` and publish it as ``name`` in ``folder``.

    Parameters
    ----------
    folder
        The output folder; created if missing.
    name
        The file name wanted.
    write
        Writes the whole content to the path it is given (a file that exists, empty).
    numbered
        True: a taken name gets the next free ``_v2``, ``_v3``...; False: a
        taken name raises FileExistsError (a path the person chose).
    replace
        True: replace ``name`` if it exists (``os.replace``, still atomic).
        Only for rebuilding the package's own example from its source; never
        for a person's file.

    Returns
    -------
    Path
        The path published.

    Raises
    ------
    OutputError
        The folder is a file, or cannot be created or written, or the content
        could not be saved (disk full...); nothing is left behind.
    FileExistsError
        ``numbered`` is False and ``name`` is taken; nothing is left behind.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [publish(folder, "a.csv", lambda p: p.write_text("x")).name for _ in range(2)]
    ['a.csv', 'a_v2.csv']
    >>> sorted(p.name for p in folder.iterdir())
    ['a.csv', 'a_v2.csv']
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(folder, f"cannot be created ({exc.strerror or exc})") from None
    remove_stale(folder)
    tmp = temp_path(folder, name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    except OSError as exc:
        raise OutputError(folder, f"cannot be written to ({exc.strerror or exc})") from None
    os.close(fd)
    try:
        try:
            write(tmp)
            fd = os.open(tmp, os.O_RDONLY if sys.platform != "win32" else os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise OutputError(
                folder, f"{name} could not be saved ({exc.strerror or exc}); nothing was written"
            ) from None
        if replace:
            try:
                os.replace(tmp, folder / name)
            except OSError as exc:
                raise OutputError(
                    folder, f"{name} cannot be written ({exc.strerror or exc})"
                ) from None
            _fsync_dir(folder)
            return folder / name
        for candidate in candidates(name, numbered):
            target = folder / candidate
            try:
                _place(tmp, target)
            except FileExistsError:
                if not numbered:
                    raise FileExistsError(
                        errno.EEXIST, "already exists: it is never overwritten", str(target)
                    ) from None
                continue
            except OSError as exc:
                raise OutputError(
                    folder, f"{candidate} cannot be written ({exc.strerror or exc})"
                ) from None
            _fsync_dir(folder)
            return target
        raise OutputError(folder, f"no free name left for {name} (tried {MAX_VERSIONS})")
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
