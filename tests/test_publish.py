"""Every file we write is published whole, never over another file, without litter.

The cases are the ones that lost or damaged files: a save failing part-way, a
run killed mid-save (24 killed runs left 1.7 GB of hidden workbooks), runs
writing into one folder at once (10 of 130 caseload workbooks overwritten),
file systems without hard links (network shares: concurrent refreshes lost
returns), and outputs with different permissions.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from addin.refresh import refresh
from models.caseload import caseload_counts
from tests.test_return import example_inputs, files
from workbooks import publish as pub
from workbooks.extracts import DEFAULT_MAPPING, read_mapping, write_caseload_workbook
from workbooks.publish import OutputError, publish

REPO = Path(__file__).resolve().parents[1]
NAME = "873_2024-25_Q2_DSG_monitoring_return.xlsx"


def no_hard_links(monkeypatch, code: int = errno.EPERM) -> None:
    """A file system without hard links, as many network shares are."""

    def link(src, dst, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr(pub.os, "link", link)


def no_rename_without_replace(monkeypatch) -> None:
    """Nor a rename that refuses to replace (NFS: renameat2 gives EINVAL)."""

    def rename(src, dst):
        raise OSError(errno.EINVAL, "Invalid argument", str(dst))

    monkeypatch.setattr(pub, "rename_noreplace", rename)


def half_then_fail(path: Path) -> None:
    """A save that writes half a file and fails (a full disk, a share that went away)."""
    with open(path, "wb") as f:
        f.write(b"PK\x03\x04 half a workbook")
    raise OSError(errno.ENOSPC, "No space left on device")


# --- a save that fails part-way -------------------------------------------------------------


def test_a_save_failing_part_way_leaves_nothing_and_says_so(tmp_path):
    with pytest.raises(OutputError) as e:
        publish(tmp_path, "out.xlsx", half_then_fail)
    assert "out.xlsx could not be saved (No space left on device)" in str(e.value)
    assert "nothing was written" in str(e.value)
    assert files(tmp_path) == []  # nothing under the final name, no temporary file


def test_a_return_whose_save_fails_part_way_leaves_nothing(tmp_path, monkeypatch):
    def save(self, filename):
        half_then_fail(Path(filename))

    monkeypatch.setattr(openpyxl.Workbook, "save", save)
    with pytest.raises(OutputError, match="could not be saved"):
        refresh(example_inputs(), out_dir=tmp_path / "out")
    assert files(tmp_path / "out") == []


def test_the_final_name_appears_only_once_the_file_is_whole(tmp_path):
    """While the content is being written, nothing exists under the final name."""
    seen = []

    def write(path: Path) -> None:
        path.write_bytes(b"first half ")
        seen.append(sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")))
        with open(path, "ab") as f:
            f.write(b"second half")

    written = publish(tmp_path, "a.txt", write)
    assert seen == [[]]
    assert written.read_bytes() == b"first half second half"


@pytest.mark.parametrize("code", [errno.EPERM, errno.ENOTSUP, errno.EXDEV])
def test_without_hard_links_a_failing_save_still_leaves_nothing(tmp_path, monkeypatch, code):
    no_hard_links(monkeypatch, code)
    with pytest.raises(OutputError):
        publish(tmp_path, "out.xlsx", half_then_fail)
    assert files(tmp_path) == []


# --- never over another file ----------------------------------------------------------------


@pytest.mark.parametrize("links", ["hard links", "no hard links", "neither"])
def test_a_taken_name_gets_the_next_and_nothing_is_replaced(tmp_path, monkeypatch, links):
    if links != "hard links":
        no_hard_links(monkeypatch)
    if links == "neither":
        no_rename_without_replace(monkeypatch)
    (tmp_path / "a.csv").write_text("the person's file")
    written = [publish(tmp_path, "a.csv", lambda p, k=k: p.write_text(f"run {k}")) for k in (1, 2)]
    assert [p.name for p in written] == ["a_v2.csv", "a_v3.csv"]
    assert (tmp_path / "a.csv").read_text() == "the person's file"
    assert [p.read_text() for p in written] == ["run 1", "run 2"]
    assert files(tmp_path) == ["a.csv", "a_v2.csv", "a_v3.csv"]


def test_a_name_the_person_chose_is_refused_when_taken(tmp_path, monkeypatch):
    no_hard_links(monkeypatch)
    (tmp_path / "m.xlsx").write_text("mine")
    with pytest.raises(FileExistsError, match="never overwritten"):
        publish(tmp_path, "m.xlsx", lambda p: p.write_text("new"), numbered=False)
    assert (tmp_path / "m.xlsx").read_text() == "mine" and files(tmp_path) == ["m.xlsx"]


@pytest.mark.parametrize("links", ["hard links", "no hard links", "neither"])
def test_threads_publishing_one_name_at_once_give_distinct_whole_files(
    tmp_path, monkeypatch, links
):
    if links != "hard links":
        no_hard_links(monkeypatch)
    if links == "neither":
        no_rename_without_replace(monkeypatch)
    n = 16
    start = threading.Barrier(n)
    written: list[Path] = []

    def run(k: int) -> None:
        def write(path: Path) -> None:
            start.wait()  # every writer reaches the publish at the same moment
            path.write_text(f"writer {k} " * 1000)

        written.append(publish(tmp_path, "r.txt", write))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({p.name for p in written}) == n
    assert sorted(p.read_text() for p in written) == sorted(f"writer {k} " * 1000 for k in range(n))
    assert len(files(tmp_path)) == n  # no temporary file left


CHILD = r"""
import os, sys, errno, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from workbooks import publish as pub
if sys.argv[2] == "nolink":
    def link(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")
    pub.os.link = link
folder = Path(sys.argv[1])
while not (folder / "go").exists():
    time.sleep(0.001)
def write(path):
    path.write_text(f"process {{os.getpid()}}\n" * 2000)
print(pub.publish(folder / "out", "r.txt", write))
"""


@pytest.mark.parametrize("mode", ["link", "nolink"])
def test_processes_publishing_one_name_at_once_give_distinct_whole_files(tmp_path, mode):
    n = 8
    script = CHILD.format(repo=str(REPO))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), mode], stdout=subprocess.PIPE, text=True
        )
        for _ in range(n)
    ]
    (tmp_path / "go").touch()
    paths = [Path(p.communicate(timeout=60)[0].strip()) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(paths)) == n
    texts = [p.read_text() for p in paths]
    pids = {int(t.split("\n", 1)[0].split()[1]) for t in texts}
    assert pids == {p.pid for p in procs}  # every process's file, none overwritten
    assert all(t == (t.split("\n", 1)[0] + "\n") * 2000 for t in texts)  # each whole
    assert len(files(tmp_path / "out")) == n


def _caseload():
    frame = pd.DataFrame(
        [
            {
                "Child ID": f"C{k}",
                "Date of birth": pd.Timestamp(2012, 1, 1),
                "Placement type": "Academy",
                "Primary need": "ASD",
                "Plan start date": pd.Timestamp(2021, 1, 1),
                "Plan end date": None,
            }
            for k in range(20)
        ],
        dtype=object,
    )
    return caseload_counts(frame, "2025-01-16", read_mapping(DEFAULT_MAPPING))


@pytest.mark.parametrize("links", ["hard links", "no hard links"])
def test_concurrent_caseload_runs_into_one_folder_keep_every_workbook(tmp_path, monkeypatch, links):
    if links != "hard links":
        no_hard_links(monkeypatch)
    result = _caseload()
    n = 8
    written: list[Path] = []
    threads = [
        threading.Thread(
            target=lambda k=k: written.append(
                write_caseload_workbook(result, tmp_path, source=f"extract {k}")
            )
        )
        for k in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({p.name for p in written}) == n and len(files(tmp_path)) == n
    sources = set()
    for p in written:
        ws = openpyxl.load_workbook(p)["Counts"]
        sources |= {r[1].value for r in ws.iter_rows() if r[0].value == "Extract"}
    assert sources == {f"extract {k}" for k in range(n)}  # none overwritten by another


def test_concurrent_refreshes_without_hard_links_keep_every_return(tmp_path, monkeypatch):
    no_hard_links(monkeypatch, errno.ENOTSUP)
    n = 6
    written: list[Path] = []
    inputs = example_inputs()
    threads = [
        threading.Thread(target=lambda: written.append(refresh(inputs, out_dir=tmp_path)))
        for _ in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({p.name for p in written}) == n and len(files(tmp_path)) == n
    for p in written:
        assert zipfile.ZipFile(p).testzip() is None


# --- a run killed part-way --------------------------------------------------------------------

KILLED = """
import sys, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from workbooks.publish import publish
def write(path):
    path.write_bytes(b"half a workbook")
    print("saving", flush=True)
    time.sleep(60)
publish(Path(sys.argv[1]), "caseload_2025-01-16.xlsx", write)
"""


def _killed_mid_save(folder: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED.format(repo=str(REPO)), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "saving"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_run_killed_mid_save_leaves_no_litter_after_the_next_run(tmp_path):
    for _ in range(3):  # each run removes what the killed one before it left
        _killed_mid_save(tmp_path)
        left = files(tmp_path)
        assert len(left) == 1 and left[0].startswith(pub.TEMP_PREFIX)
    assert not (tmp_path / "caseload_2025-01-16.xlsx").exists()  # never a half file under the name
    written = write_caseload_workbook(_caseload(), tmp_path)
    assert files(tmp_path) == [written.name] == ["caseload_2025-01-16.xlsx"]


def test_the_temporary_file_of_a_running_process_or_another_host_is_kept(tmp_path):
    mine = pub.temp_path(tmp_path, "a.xlsx")
    mine.write_text("being written by this process")
    parent = (
        tmp_path / f"{pub.TEMP_PREFIX}{pub._host()}-{os.getppid()}-ab12-b.xlsx{pub.TEMP_SUFFIX}"
    )
    parent.write_text("being written by a running process")
    other = tmp_path / f"{pub.TEMP_PREFIX}otherhost-999999-ab12-c.xlsx{pub.TEMP_SUFFIX}"
    other.write_text("being written on another machine sharing the folder")
    own = tmp_path / ".~lock.budget.xlsx#"
    own.write_text("not ours")
    dead = tmp_path / f"{pub.TEMP_PREFIX}{pub._host()}-999999999-ab12-d.xlsx{pub.TEMP_SUFFIX}"
    dead.write_text("left by a killed run")
    assert pub.remove_stale(tmp_path) == [dead]
    assert sorted(files(tmp_path)) == sorted(p.name for p in (mine, parent, other, own))


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_every_output_gets_the_permissions_of_a_normal_file(tmp_path, umask):
    old = os.umask(umask)
    try:
        normal = tmp_path / "normal.txt"
        normal.write_text("x")
        written = [
            refresh(example_inputs(), out_dir=tmp_path / "r"),
            write_caseload_workbook(_caseload(), tmp_path / "c"),
            publish(tmp_path / "p", "h.csv", lambda p: p.write_text("a,b\n")),
        ]
    finally:
        os.umask(old)
    want = 0o666 & ~umask
    assert (normal.stat().st_mode & 0o777) == want
    assert [oct(p.stat().st_mode & 0o777) for p in written] == [oct(want)] * 3


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        publish(tmp_path / "f", "a.csv", lambda p: p.write_text("y"))


# --- dsg build-example ----------------------------------------------------------------------


def test_build_example_writes_in_the_current_folder_never_into_the_package(
    tmp_path, monkeypatch, capsys
):
    from addin.cli import main as dsg
    from workbooks.example_cambridgeshire import EXAMPLE_PATH

    before = (EXAMPLE_PATH.stat().st_mtime_ns, EXAMPLE_PATH.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert dsg(["build-example"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "cambridgeshire.xlsx"
    assert files(tmp_path) == ["cambridgeshire.xlsx"]
    assert dsg(["build-example"]) == 2  # never over a file
    assert "already exists" in capsys.readouterr().err
    assert (EXAMPLE_PATH.stat().st_mtime_ns, EXAMPLE_PATH.read_bytes()) == before
    assert files(tmp_path) == ["cambridgeshire.xlsx"]
