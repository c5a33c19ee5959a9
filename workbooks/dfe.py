"""Readers for the DfE statistics files a council downloads.

Each reader takes either the path of the file itself or a data folder plus
the DfE file name (defaulting to the name DfE publishes it under, and
overridable), checks the header, and returns a tidy :class:`pandas.DataFrame`:
identifier columns as text, counts and money as floats.

DfE conventions handled here:

- ``x`` (unavailable or suppressed), ``z`` (not applicable), ``c``
  (confidential) and empty cells become missing (NaN), never 0; any other
  text where a number belongs is refused, naming file, row and column.
- ``time_period`` 201819 is the January 2019 census (academic year 2018/19);
  a plain 2022 in the 2022 release also means January 2022. Readers add a
  ``year`` column holding the January census year as an int.
- councils carry a 3-digit ``old_la_code`` (Cambridgeshire 873) and an ONS
  ``new_la_code`` (E10000003); :func:`find_council` accepts either.
- the DSG allocations summary gives 2019-20 in GBP million and later years
  in GBP; the reader returns pounds throughout.

A file whose header lacks an expected column is refused with an
:class:`~models.errors.InputError` naming the file and every missing column.

The EHC plan caseload is read as DfE publishes it (:func:`read_caseload`):
the release zip as downloaded (``data/caseload.csv`` inside it), its
unpacked folder, or the files as renamed in ../shared/data/dfe
(``ehcp2025_caseload_all_and_age.csv``); in the 2025 layout or the 2026 one
(``special_academy`` + ``special_free_school`` in place of
``special_academy_free``; the single-age topic "Age at start of academic
year" in place of "Child or young persons age"). Unknown columns and
breakdown topics other than ``All EHC plans`` and the single ages are
ignored. Where a folder holds several releases, the one with the newest
January census is read, every year from it (each release revises the
earlier years). A zip is never unpacked to disk: its member is read into
memory through a stream capped at :data:`MAX_CASELOAD_BYTES`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, NoReturn

import numpy as np
import pandas as pd

from models.ehcp_history import (
    AGE_TOPICS,
    ALL_PLANS,
    CASELOAD_COUNTS,
    SPECIAL_ACADEMY_FREE_2026,
    harmonise_layout,
)
from models.errors import InputError, Problem
from models.money import round_half_up
from workbooks.limits import DFE_LIMITS, check_xlsx

#: DfE file names as published (2025 and 2022 EHC plan releases, the DSG
#: allocations summary and the derived DSG deficit file).
CASELOAD_2025_FILE = "ehcp2025_caseload_all_and_age.csv"
ESTAB_2022_FILE = "ehcp2022_sen2_estab_caseload_2015-2022_subset.csv"
AGE_2022_FILE = "ehcp2022_sen2_age_caseload_2010-2022.csv"
DSG_ALLOCATIONS_FILE = "dsg_allocations_summary_2019-20_to_2023-24.csv"
DSG_DEFICIT_FILE = "dsg_deficit_derived.csv"

#: Cell markers DfE uses in place of a number: suppressed, not applicable,
#: confidential. All become missing.
MARKERS: dict[str, str] = {"x": "suppressed", "z": "not applicable", "c": "confidential"}

_GEOGRAPHY = (
    "time_period",
    "geographic_level",
    "region_code",
    "region_name",
    "new_la_code",
    "old_la_code",
    "la_name",
)

#: Columns of the 2025 caseload file the history and benchmark use.
CASELOAD_2025_COLUMNS: tuple[str, ...] = (
    _GEOGRAPHY + ("breakdown_topic", "breakdown") + CASELOAD_COUNTS
)
#: The same for the 2026 layout: ``special_academy_free`` split in two.
CASELOAD_2026_COLUMNS: tuple[str, ...] = (
    tuple(c for c in CASELOAD_2025_COLUMNS if c != "special_academy_free")
    + SPECIAL_ACADEMY_FREE_2026
)
#: Identifier (text) columns of the caseload file.
_CASELOAD_TEXT = _GEOGRAPHY + (
    "time_identifier",
    "country_code",
    "country_name",
    "breakdown_topic",
    "breakdown",
)
#: Count columns of the caseload file as DfE publishes it (2025 and 2026
#: layouts); any other column is ignored.
CASELOAD_PUBLISHED_COUNTS: tuple[str, ...] = (
    "ehcplans",
    "mainstream_la_maintained",
    "mainstream_la_maintained_resourced_provision",
    "mainstream_la_maintained_senunit",
    "mainstream_academy",
    "mainstream_academy_resourced_provision",
    "mainstream_academy_senunit",
    "mainstream_free_school",
    "mainstream_free_school_resourced_provision",
    "mainstream_free_school_senunit",
    "mainstream_independent",
    "mainstream_total",
    "mainstream_total_pc",
    "special_la_maintained",
    "special_academy_free",
    "special_academy",
    "special_free_school",
    "special_independent",
    "special_non_maintained",
    "special_total",
    "special_total_pc",
    "ap_pru_academy",
    "ap_pru_free_school",
    "ap_pru_la_maintained",
    "ap_pru_total",
    "ap_pru_total_pc",
    "general_fe_tertiary_colleges",
    "specialist_post_16_institutions",
    "ukrlp_provider",
    "fe_total",
    "fe_total_pc",
    "elective_home_education",
    "other_arrangements_la",
    "other_arrangements_parents",
    "online_provider",
    "w_settings",
    "other_schools",
    "other_placement_settings",
    "neet",
    "neet_ntci",
    "neet_other",
    "neet_other_csa",
    "ed_elsewhere",
    "ed_elsewhere_pc",
    "nm_early_years",
    "nm_early_years_pc",
    "placement_unknown",
    "placement_unknown_pc",
    "await_prov_2022",
    "perm_ex_2022",
)
#: Breakdown topics the history reads; rows of any other topic are ignored.
CASELOAD_TOPICS: tuple[str, ...] = (ALL_PLANS,) + AGE_TOPICS

#: The caseload file's name inside DfE's release zip and its unpacked folder.
RELEASE_MEMBER = "data/caseload.csv"
#: The caseload file as renamed in ../shared/data/dfe (``ehcp2025_caseload_all_and_age.csv``).
_RENAMED_CASELOAD = re.compile(r"^ehcp\d{4}_caseload_all_and_age\.csv$", re.IGNORECASE)
#: Largest caseload CSV read from a release zip, uncompressed (bytes). DfE's
#: full 2026 ``caseload.csv`` (every topic, council and year) is some tens of MB.
MAX_CASELOAD_BYTES = 256 * 1024 * 1024
#: Largest release zip opened (bytes, as downloaded); bounds its list of files too.
MAX_ZIP_BYTES = 256 * 1024 * 1024
#: Most members a release zip may list (DfE's hold a few dozen files).
MAX_ZIP_MEMBERS = 10_000
_CHUNK = 1024 * 1024

ESTAB_2022_COLUMNS: tuple[str, ...] = _GEOGRAPHY + (
    "establishment_type",
    "establishment_group",
    "total_st",
    "total_ehc",
    "total_all",
)
AGE_2022_COLUMNS: tuple[str, ...] = _GEOGRAPHY + (
    "characteristic_age",
    "total_st",
    "total_ehc",
    "total_all",
)
_COUNTS_2022 = ("total_st", "total_ehc", "total_all")

#: Money columns of the DSG allocations summary (before/after deductions).
DSG_MONEY_COLUMNS: tuple[str, ...] = tuple(
    f"{block}_{when}_deductions"
    for when in ("before", "after")
    for block in ("sb", "cssb", "hnb", "eyb", "total_dsg")
)
DSG_ALLOCATIONS_COLUMNS: tuple[str, ...] = (
    (
        "financial_year",
        "row_type",
        "la_code",
        "la_name",
    )
    + DSG_MONEY_COLUMNS
    + ("units",)
)
_UNITS = {"gbp": 1.0, "gbp million": 1_000_000.0}

DSG_DEFICIT_COLUMNS: tuple[str, ...] = (
    "time_period",
    "geographic_level",
    "region_name",
    "la_name",
    "deficit",
    "financial_year",
)

_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def locate(source: str | Path, file_name: str) -> Path:
    """The DfE file: ``source`` itself, or ``file_name`` inside the folder ``source``.

    A folder is searched at its top level first, then in its sub-folders
    (DfE zips unpack into ``data/``; the shared copy keeps them in
    ``ehcp_sen2/`` and so on). FileNotFoundError names what was looked for.
    """
    path = Path(source)
    if path.is_file():
        return path
    if path.is_dir():
        direct = path / file_name
        if direct.is_file():
            return direct
        found = sorted(p for p in path.rglob(file_name) if p.is_file())
        if found:
            return found[0]
        raise FileNotFoundError(
            f"DfE file '{file_name}' not found in {path} (nor in its sub-folders): "
            "download it from explore-education-statistics.service.gov.uk or give its path"
        )
    raise FileNotFoundError(f"DfE data folder or file not found: {path}")


def _read_text(data: Path | IO[bytes], name: str, usecols=None) -> pd.DataFrame:
    """Every column as text, headers trimmed and lower-cased; a CSV that cannot be parsed is refused."""

    def read(encoding: str) -> pd.DataFrame:
        if not isinstance(data, Path):
            data.seek(0)
        return pd.read_csv(
            data, dtype=str, keep_default_na=False, encoding=encoding, usecols=usecols
        )

    try:
        try:
            raw = read("utf-8-sig")
        except UnicodeDecodeError:
            raw = read("latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as e:
        raise InputError([Problem(name, "", f"is not a readable CSV file ({e})")]) from None
    raw.columns = [str(c).strip().casefold() for c in raw.columns]
    return raw


def _missing_columns(raw: pd.DataFrame, expected: Iterable[str], name: str) -> InputError | None:
    missing = [c for c in expected if c not in raw.columns]
    if not missing:
        return None
    return InputError(
        [
            Problem(
                name,
                "header",
                f"is not the expected DfE file: missing column(s) {', '.join(repr(c) for c in missing)}",
            )
        ]
    )


def _read_raw(path: Path, expected: Iterable[str]) -> pd.DataFrame:
    """Every column as text, headers lower-cased; refuse missing columns."""
    raw = _read_text(path, path.name)
    problem = _missing_columns(raw, expected, path.name)
    if problem is not None:
        raise problem
    return raw


def to_numbers(raw: pd.DataFrame, columns: Iterable[str], file: str) -> pd.DataFrame:
    """Text cells to floats: numbers converted, ``x``/``z``/``c``/blank missing.

    Any other text is collected and refused, naming row (the CSV line) and column.

    >>> to_numbers(pd.DataFrame({"n": ["12", "x", "z", "c", "", "3.5"]}), ["n"], "f.csv")["n"].tolist()
    [12.0, nan, nan, nan, nan, 3.5]
    """
    out = pd.DataFrame(index=raw.index)
    problems: list[Problem] = []
    for c in columns:
        text = raw[c].astype(object)
        values = pd.to_numeric(text, errors="coerce").astype(float)
        odd = values.isna().to_numpy() | np.isinf(values.to_numpy())
        if odd.any():
            # blanks, markers, thousands separators, spaces: look at those cells only
            rest = text[odd].fillna("").astype(str).str.strip().str.replace(",", "", regex=False)
            marker = rest.eq("") | rest.str.casefold().isin(list(MARKERS))
            good = rest.str.match(_NUMBER)
            values[rest.index[good]] = rest[good].astype(float)
            values[rest.index[marker]] = np.nan
            for i in rest.index[~(marker | good)][:20]:
                line = _line(raw, i)
                problems.append(
                    Problem(
                        file,
                        f"line {line}, column '{c}'",
                        f"text {rest[i]!r} where a number belongs",
                    )
                )
        out[c] = values
    if problems:
        raise InputError(problems)
    return out


def _line(raw: pd.DataFrame, label) -> int:
    """The CSV line of row ``label``: rows keep the file's position as their label when filtered."""
    if isinstance(label, (int, np.integer)):
        return int(label) + 2
    return raw.index.get_loc(label) + 2


def census_year(time_period: str) -> int:
    """January census year of a DfE ``time_period``.

    >>> census_year("201819"), census_year("2022")
    (2019, 2022)
    """
    text = str(time_period).strip()
    if re.fullmatch(r"\d{6}", text):
        start, end = int(text[:4]), int(text[4:])
        if (start + 1) % 100 != end:
            raise ValueError(f"time_period {text!r} is not an academic year like 201819")
        return start + 1
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    raise ValueError(f"time_period {text!r} is not a DfE time period like 201819 or 2022")


def census_years(raw: pd.DataFrame, file: str) -> pd.Series:
    """The January census year of every row's ``time_period`` (:func:`census_year`).

    Every bad ``time_period`` is refused at once (the first 20), naming its line.
    """
    problems: list[Problem] = []
    years = []
    for i, tp in raw["time_period"].items():
        try:
            years.append(census_year(tp))
        except ValueError as e:
            years.append(-1)
            if len(problems) < 20:
                problems.append(
                    Problem(file, f"line {_line(raw, i)}, column 'time_period'", str(e))
                )
    if problems:
        raise InputError(problems)
    return pd.Series(years, index=raw.index, dtype=int)


def _finish(
    raw: pd.DataFrame, text_cols: Iterable[str], numbers: pd.DataFrame, year: pd.Series | None
) -> pd.DataFrame:
    frame = raw[[c for c in text_cols if c in raw.columns]].apply(lambda s: s.str.strip())
    if year is not None:
        frame.insert(0, "year", year)
    return pd.concat([frame, numbers], axis=1)


@dataclass(frozen=True)
class CaseloadFile:
    """Where a caseload CSV is: a file, or ``member`` inside the release zip ``path``."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        """How messages name it: ``caseload.csv`` or ``release.zip: data/caseload.csv``."""
        return self.path.name if self.member is None else f"{self.path.name}: {self.member}"

    @property
    def source(self) -> Path:
        """A path naming it: the file, or the member's path under the zip."""
        return self.path if self.member is None else self.path / self.member


def _safe_member(name: str) -> bool:
    """False for a member name that is absolute, has a drive, or climbs out with ``..``."""
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return False
    return ".." not in PurePosixPath(text).parts


def _release_member(path: Path, strict: bool = True) -> str | None:
    """The caseload member of the zip ``path`` (``data/caseload.csv``), None if it has none.

    Refuses (InputError naming the zip) a zip file larger than
    :data:`MAX_ZIP_BYTES`, a file that is not a zip, more than
    :data:`MAX_ZIP_MEMBERS` members, any member name that is absolute or
    holds ``..``, and a caseload member declared larger than
    :data:`MAX_CASELOAD_BYTES`. With ``strict`` False (a zip met while
    searching a folder) a zip that is too large, unreadable or holds no
    caseload member is passed over (None); one that holds it is checked in full.
    """

    def refuse(where: str, what: str) -> NoReturn:
        raise InputError([Problem(path.name, where, what)])

    try:
        size = path.stat().st_size
        if size > MAX_ZIP_BYTES:
            if not strict:
                return None
            refuse(
                "",
                f"is {size:,} bytes, more than the {MAX_ZIP_BYTES:,} a DfE release zip may be: not read",
            )
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        if isinstance(e, InputError):
            raise
        if not strict:
            return None
        raise InputError([Problem(path.name, "", f"is not a readable zip file ({e})")]) from None
    wanted = RELEASE_MEMBER.casefold()
    hits = [
        i
        for i in infos
        if not i.is_dir()
        and (
            i.filename.replace("\\", "/").casefold() == wanted
            or i.filename.replace("\\", "/").casefold().endswith("/" + wanted)
        )
    ]
    if not hits and not strict:
        return None
    if len(infos) > MAX_ZIP_MEMBERS:
        refuse(
            "",
            f"lists {len(infos):,} files, more than the {MAX_ZIP_MEMBERS:,} a DfE release holds: not read",
        )
    unsafe = [i.filename for i in infos if not _safe_member(i.filename)]
    if unsafe:
        refuse(
            f"member {unsafe[0]!r}",
            "has an absolute path or '..' in its name: not a DfE release zip, not read",
        )
    if not hits:
        return None
    hits.sort(key=lambda i: (i.filename.count("/"), i.filename))
    info = hits[0]
    if info.file_size > MAX_CASELOAD_BYTES:
        refuse(
            f"member {info.filename!r}",
            f"declares {info.file_size:,} bytes unpacked, more than the {MAX_CASELOAD_BYTES:,} "
            "a DfE caseload file may be: not read",
        )
    return info.filename


def read_capped(stream: IO[bytes], limit: int, name: str) -> bytes:
    """At most ``limit`` bytes of ``stream``; InputError naming ``name`` if it holds more.

    Reads in chunks and stops one byte past the limit, so a zip member whose
    header understates its size still costs at most ``limit`` bytes.

    >>> read_capped(io.BytesIO(b"abc"), 3, "f")
    b'abc'
    >>> read_capped(io.BytesIO(b"abcd"), 3, "f")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    models.errors.InputError: f: ... more than the limit of 3 bytes...
    """
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise InputError(
                [Problem(name, "", f"unpacks to more than the limit of {limit:,} bytes: not read")]
            )


def _open(cf: CaseloadFile) -> Path | IO[bytes]:
    """The CSV to hand to pandas: the file, or the zip member read into memory (capped)."""
    if cf.member is None:
        return cf.path
    try:
        with zipfile.ZipFile(cf.path) as zf, zf.open(cf.member) as member:
            return io.BytesIO(read_capped(member, MAX_CASELOAD_BYTES, cf.name))
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError) as e:
        # a bad CRC (a header that lies about the size), encryption, a truncated download
        raise InputError([Problem(cf.name, "", f"cannot be read from the zip ({e})")]) from None


def find_caseload(source: str | Path, file_name: str | None = None) -> CaseloadFile:
    """The caseload file to read from ``source``: a file, a release zip or a folder.

    With ``file_name`` the folder's file of that name is read (:func:`locate`).
    Otherwise a folder (and its sub-folders) is searched for the files DfE
    publishes: ``caseload.csv`` (the release zip unpacked), release zips
    holding ``data/caseload.csv``, and the renamed
    ``ehcp<year>_caseload_all_and_age.csv``. Where several are found, the
    one with the newest January census wins (:func:`newest_census`); a tie
    goes to an unpacked file, then to the first by path. FileNotFoundError
    says what was looked for.
    """
    if file_name is not None:
        return _as_caseload_file(locate(source, file_name))
    path = Path(source)
    if path.is_file():
        return _as_caseload_file(path)
    if not path.is_dir():
        raise FileNotFoundError(f"DfE data folder or file not found: {path}")
    found: list[CaseloadFile] = []
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        low = p.name.casefold()
        if low == "caseload.csv" or _RENAMED_CASELOAD.match(p.name):
            found.append(CaseloadFile(p))
        elif low.endswith(".zip"):
            member = _release_member(p, strict=False)
            if member is not None:
                found.append(CaseloadFile(p, member))
    if not found:
        raise FileNotFoundError(
            f"no DfE caseload file in {path} (nor in its sub-folders): looked for the release "
            f"zip (holding {RELEASE_MEMBER}), its unpacked {RELEASE_MEMBER}, and "
            f"{CASELOAD_2025_FILE}; download 'Education, health and care plans' from "
            "explore-education-statistics.service.gov.uk or give the file's path"
        )
    if len(found) == 1:
        return found[0]
    ranked = [(newest_census(cf), cf.member is None, -k, cf) for k, cf in enumerate(found)]
    return max(ranked, key=lambda r: r[:3])[3]


def _as_caseload_file(path: Path) -> CaseloadFile:
    if path.suffix.casefold() != ".zip":
        return CaseloadFile(path)
    member = _release_member(path)
    if member is None:
        raise FileNotFoundError(
            f"{path.name} holds no {RELEASE_MEMBER}: give the 'Education, health and care plans' "
            "release zip as downloaded from explore-education-statistics.service.gov.uk"
        )
    return CaseloadFile(path, member)


def newest_census(cf: CaseloadFile) -> int:
    """The latest January census year in the caseload file (its ``time_period`` column only)."""
    raw = _read_text(
        _open(cf), cf.name, usecols=lambda c: str(c).strip().casefold() == "time_period"
    )
    problem = _missing_columns(raw, ("time_period",), cf.name)
    if problem is not None:
        raise problem
    years = census_years(raw, cf.name)
    if years.empty:
        raise InputError([Problem(cf.name, "", "holds no rows")])
    return int(years.max())


def _caseload_layout(raw: pd.DataFrame, name: str) -> None:
    """Refuse a header that is neither the 2025 nor the 2026 layout, naming what is missing."""
    split = "special_academy_free" not in raw.columns and any(
        c in raw.columns for c in SPECIAL_ACADEMY_FREE_2026
    )
    expected = CASELOAD_2026_COLUMNS if split else CASELOAD_2025_COLUMNS
    missing = [repr(c) for c in expected if c not in raw.columns]
    if not missing:
        return
    if "'special_academy_free'" in missing:
        i = missing.index("'special_academy_free'")
        missing[i] += " (or, 2026 layout, 'special_academy' and 'special_free_school')"
    raise InputError(
        [
            Problem(
                name,
                "header",
                f"is not the expected DfE file: missing column(s) {', '.join(missing)}",
            )
        ]
    )


def read_caseload_file(cf: CaseloadFile) -> pd.DataFrame:
    """The caseload rows of ``cf``: ``All EHC plans`` and single years of age.

    Returns one row per area, year and breakdown: ``year`` (January census),
    the geography and breakdown columns as text, DfE's count columns
    (:data:`CASELOAD_PUBLISHED_COUNTS` present in the file) as floats,
    missing where DfE suppressed them, and in the 2026 layout a
    ``special_academy_free`` column (``special_academy + special_free_school``).
    Column names are lower-cased (``AP_PRU_total_pc`` becomes
    ``ap_pru_total_pc``). Unknown columns and rows of other breakdown topics
    are left out unread; a line number in a message is the file's.
    """
    known = set(_CASELOAD_TEXT) | set(CASELOAD_PUBLISHED_COUNTS)
    raw = _read_text(_open(cf), cf.name, usecols=lambda c: str(c).strip().casefold() in known)
    _caseload_layout(raw, cf.name)
    topics = {t.casefold() for t in CASELOAD_TOPICS}
    raw = raw[raw["breakdown_topic"].str.strip().str.casefold().isin(topics)]
    counts = [c for c in CASELOAD_PUBLISHED_COUNTS if c in raw.columns]
    numbers = to_numbers(raw, counts, cf.name)
    return harmonise_layout(_finish(raw, _CASELOAD_TEXT, numbers, census_years(raw, cf.name)))


def read_caseload(source: str | Path, file_name: str | None = None) -> pd.DataFrame:
    """The EHC plan caseload from ``source`` (:func:`find_caseload`, :func:`read_caseload_file`)."""
    return read_caseload_file(find_caseload(source, file_name))


def read_caseload_2025(source: str | Path, file_name: str = CASELOAD_2025_FILE) -> pd.DataFrame:
    """The caseload file named ``file_name`` in ``source`` (or ``source`` itself).

    Kept for callers that name the 2025 file; it reads either layout
    (:func:`read_caseload_file`).
    """
    return read_caseload(source, file_name)


def read_estab_caseload_2022(source: str | Path, file_name: str = ESTAB_2022_FILE) -> pd.DataFrame:
    """The 2022 release caseload by establishment type (statements + EHC plans, 2015-2022).

    ``total_st`` statements, ``total_ehc`` EHC plans, ``total_all`` both, at January ``year``.
    """
    path = locate(source, file_name)
    raw = _read_raw(path, ESTAB_2022_COLUMNS)
    numbers = to_numbers(raw, _COUNTS_2022, path.name)
    text = _GEOGRAPHY + ("establishment_type", "establishment_group")
    return _finish(raw, text, numbers, census_years(raw, path.name))


def read_age_caseload_2022(source: str | Path, file_name: str = AGE_2022_FILE) -> pd.DataFrame:
    """The 2022 release caseload by age band (statements + EHC plans, 2010-2022).

    ``characteristic_age`` holds ``Under 5``, ``Age 5 to 10`` ... ``Total``.
    """
    path = locate(source, file_name)
    raw = _read_raw(path, AGE_2022_COLUMNS)
    numbers = to_numbers(raw, _COUNTS_2022, path.name)
    text = _GEOGRAPHY + ("characteristic_age",)
    return _finish(raw, text, numbers, census_years(raw, path.name))


def read_dsg_allocations(source: str | Path, file_name: str = DSG_ALLOCATIONS_FILE) -> pd.DataFrame:
    """The DSG allocations summary by block, in pounds.

    ``row_type`` is ``la``, ``national`` (``la_code`` ENGLAND) or
    ``aggregate`` (regions and council types, named in ``la_code``). Values
    published in GBP million are multiplied by 1,000,000; ``units`` becomes
    ``GBP``. Rows repeated word for word (the London aggregate appears twice
    a year) are kept once.
    """
    path = locate(source, file_name)
    raw = _read_raw(path, DSG_ALLOCATIONS_COLUMNS)
    problems = []
    unit_text = raw["units"].str.casefold()
    for i in np.flatnonzero(~unit_text.isin(list(_UNITS)).to_numpy())[:20]:
        problems.append(
            Problem(
                path.name,
                f"line {i + 2}, column 'units'",
                f"unit {raw['units'].iloc[i]!r} is not GBP or GBP million",
            )
        )
    if problems:
        raise InputError(problems)
    numbers = to_numbers(raw, DSG_MONEY_COLUMNS, path.name)
    scale = unit_text.map(_UNITS).astype(float)
    numbers = numbers.mul(scale, axis=0)
    frame = raw[["financial_year", "row_type", "la_code", "la_name"]].copy()
    frame = pd.concat([frame, numbers], axis=1)
    frame["units"] = "GBP"
    return frame.drop_duplicates().reset_index(drop=True)


def read_dsg_deficit(source: str | Path, file_name: str = DSG_DEFICIT_FILE) -> pd.DataFrame:
    """DSG cumulative deficit as a percentage of total DSG, by area and financial year.

    ``deficit`` is in percent (3.59 = 3.59% of DSG; positive is a deficit).
    The file names councils, not codes: match on ``la_name``.
    """
    path = locate(source, file_name)
    raw = _read_raw(path, DSG_DEFICIT_COLUMNS)
    numbers = to_numbers(raw, ["deficit"], path.name)
    frame = raw[["financial_year", "geographic_level", "region_name", "la_name"]].copy()
    return pd.concat([frame, numbers], axis=1)


@dataclass(frozen=True)
class Council:
    """A council as the 2025 caseload file names it."""

    old_la_code: str
    new_la_codes: tuple[str, ...]
    name: str
    region_code: str
    region_name: str


def find_council(caseload: pd.DataFrame, code: str, argument: str = "--la") -> Council:
    """The council whose 3-digit DfE code or ONS code is ``code`` (case-insensitive).

    A council whose ONS code changed (Buckinghamshire, Dorset) is found by
    either ONS code; its history follows its 3-digit code.
    """
    text = str(code).strip()
    las = caseload[caseload["geographic_level"].str.casefold() == "local authority"]
    key = text.casefold()
    hit = las[
        (las["old_la_code"].str.casefold() == key) | (las["new_la_code"].str.casefold() == key)
    ]
    if hit.empty:
        raise InputError(
            [
                Problem(
                    argument,
                    "",
                    (
                        f"no council with code {text!r} in the DfE caseload file: give the 3-digit "
                        "DfE code (Cambridgeshire 873) or the ONS code (E10000003)"
                    ),
                )
            ]
        )
    old = hit["old_la_code"].iloc[0]
    rows = las[las["old_la_code"] == old].sort_values("year")
    latest = rows.iloc[-1]
    return Council(
        old_la_code=old,
        new_la_codes=tuple(dict.fromkeys(rows["new_la_code"])),
        name=latest["la_name"],
        region_code=latest["region_code"],
        region_name=latest["region_name"],
    )


def area_rows(caseload: pd.DataFrame, level: str, council: Council) -> pd.DataFrame:
    """Caseload rows of the council (``level`` "la"), its region or England."""
    geo = caseload["geographic_level"].str.casefold()
    if level == "la":
        return caseload[
            (geo == "local authority") & (caseload["old_la_code"] == council.old_la_code)
        ]
    if level == "region":
        return caseload[(geo == "regional") & (caseload["region_code"] == council.region_code)]
    if level == "england":
        return caseload[geo == "national"]
    raise ValueError(f"level must be la, region or england, not {level!r}")


# --- A council's history and benchmark, assembled from the files -------------------


@dataclass(frozen=True)
class History:
    """A council's EHC plan history from one DfE release.

    ``categories``: the seven categories then ``Total`` (rows) by January
    census year (columns). ``ages``: the age groups then ``Total by age
    group`` for the years with single-year age rows. NaN where suppressed.
    ``source``: the file read (a zip member as ``<zip>/data/caseload.csv``);
    ``release``: its newest January census (DfE's reporting year);
    ``notes``: what a reader should know, such as why there are no age groups.
    """

    council: Council
    categories: pd.DataFrame
    ages: pd.DataFrame
    source: Path
    release: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def council_history(
    data_dir: str | Path,
    la: str,
    file_name: str | None = None,
    caseload: pd.DataFrame | None = None,
) -> History:
    """The EHCP history of council ``la`` (3-digit or ONS code).

    ``data_dir`` is a folder, a release zip or a caseload CSV
    (:func:`find_caseload`; ``file_name`` names the file in the folder).
    Where the file holds no single-age rows for the council, ``ages`` has no
    columns and ``notes`` says why.
    """
    cf = find_caseload(data_dir, file_name)
    if caseload is None:
        caseload = read_caseload_file(cf)
    council = find_council(caseload, la)
    categories, ages = _area_history(caseload, "la", council)
    notes: list[str] = []
    if ages.shape[1] == 0:
        notes.append(
            f"No age groups: {cf.name} holds no '{AGE_TOPICS[0]}' (or '{AGE_TOPICS[1]}') rows "
            f"for {council.name}. DfE publishes single ages at the census from January 2024, "
            "in the full caseload file of the release; other topics (such as 'Age when plan "
            "started') are not ages at the census."
        )
    years = [int(y) for y in categories.columns]
    return History(
        council,
        categories,
        ages,
        source=cf.source,
        release=max(years) if years else None,
        notes=tuple(notes),
    )


def _area_history(
    caseload: pd.DataFrame, level: str, council: Council
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(categories, age groups) of the council, its region or England."""
    from models.ehcp_history import age_groups, placement_categories, single_age_rows

    rows = area_rows(caseload, level, council)
    plans = rows[rows["breakdown"].str.casefold() == ALL_PLANS.casefold()]
    return placement_categories(plans), age_groups(single_age_rows(rows))


def _read_if_present(data_dir: str | Path, name: str, reader, sources: list[Path]):
    """``reader(file)`` when the data folder holds ``name`` (noting it in ``sources``), else None."""
    try:
        path = locate(data_dir, name)
    except FileNotFoundError:
        return None
    sources.append(path)
    return reader(path)


def benchmark_figures(
    data_dir: str | Path,
    la: str,
    *,
    caseload_file: str | None = None,
    allocations_file: str = DSG_ALLOCATIONS_FILE,
    deficit_file: str = DSG_DEFICIT_FILE,
):
    """(council, [AreaFigures for the council, its region, England], sources).

    The caseload is found as by :func:`find_caseload` (the newest release in
    ``data_dir``, or the file named ``caseload_file``). The allocations and
    deficit files are optional: when a file is absent from ``data_dir`` its
    measures are left out (``sources`` says which files were read).
    """
    from models.benchmark import MAINSTREAM, NMSS, AreaFigures
    from models.categories import TOTAL

    cf = find_caseload(data_dir, caseload_file)
    caseload = read_caseload_file(cf)
    council = find_council(caseload, la)
    sources = [cf.source]
    alloc = _read_if_present(data_dir, allocations_file, read_dsg_allocations, sources)
    deficit = _read_if_present(data_dir, deficit_file, read_dsg_deficit, sources)

    areas = []
    for level, name in (
        ("la", council.name),
        ("region", council.region_name),
        ("england", "England"),
    ):
        table, _ = _area_history(caseload, level, council)
        hnb = after = pd.Series(dtype=float)
        if alloc is not None:
            hnb = _allocations_of(alloc, level, council)
            after = _allocations_of(alloc, level, council, "hnb_after_deductions")
        dpc = pd.Series(dtype=float)
        if deficit is not None:
            dpc = _deficit_of(deficit, level, council)
        areas.append(
            AreaFigures(
                name=name,
                plans=table.loc[TOTAL],
                nmss=table.loc[NMSS],
                mainstream=table.loc[MAINSTREAM],
                high_needs_block=hnb,
                deficit_percent=dpc,
                high_needs_block_after=after,
            )
        )
    return council, areas, sources


def _allocations_of(
    alloc: pd.DataFrame, level: str, council: Council, column: str = "hnb_before_deductions"
) -> pd.Series:
    kind = alloc["row_type"].str.casefold()
    code = alloc["la_code"].str.casefold()
    if level == "la":
        rows = alloc[(kind == "la") & (code == council.old_la_code.casefold())]
    elif level == "region":
        rows = alloc[(kind == "aggregate") & (code == council.region_name.casefold())]
    else:
        rows = alloc[kind == "national"]
    rows = rows.drop_duplicates("financial_year")
    return pd.Series(rows[column].to_numpy(), index=rows["financial_year"], dtype=float)


def _deficit_of(deficit: pd.DataFrame, level: str, council: Council) -> pd.Series:
    geo = deficit["geographic_level"].str.casefold()
    if level == "la":
        rows = deficit[
            (geo == "local authority")
            & (deficit["la_name"].str.casefold() == council.name.casefold())
        ]
    elif level == "region":
        rows = deficit[
            (geo == "regional")
            & (deficit["region_name"].str.casefold() == council.region_name.casefold())
        ]
    else:
        rows = deficit[geo == "national"]
    rows = rows.drop_duplicates("financial_year")
    return pd.Series(rows["deficit"].to_numpy(), index=rows["financial_year"], dtype=float)


# --- Writing for people ------------------------------------------------------------


def history_rows(history: History, ages: bool = False) -> list[list]:
    """Header + rows of the EHCPHistory table: ``Category``, one column per January year.

    Suppressed figures are DfE's ``x`` (the model's EHCPHistory reads it as
    suppressed, never 0; a blank cell would be refused); counts are ints.
    """
    table = history.ages if ages else history.categories
    header = ["Age group" if ages else "Category"] + [int(y) for y in table.columns]
    body = [
        [label] + ["x" if pd.isna(v) else int(round_count(v)) for v in table.loc[label]]
        for label in table.index
    ]
    return [header] + body


def round_count(value: float) -> int:
    """A count of plans as a whole number, half-up (the files hold whole numbers)."""
    return int(round_half_up(value))


def _replace_atomically(path: Path, write) -> Path:
    """Publish ``write``'s file at ``path``, or ``<stem>_v2<suffix>``... when taken; the path written.

    The name is kept for the callers; nothing is replaced (:func:`workbooks.publish.publish`).
    """
    from workbooks.publish import publish

    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    return publish(path.parent, path.name, write)


def write_history_csv(path: str | Path, history: History) -> Path:
    """The CSV of ``dsg dfe-history``: ``Category,<year>...``, seven categories then Total.

    Text that a spreadsheet would read as a formula is neutralised
    (:func:`workbooks.safe_text.csv_field`); the path written is returned.
    """
    from workbooks.safe_text import csv_writer

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            csv_writer(f, lineterminator="\n").writerows(
                ["" if v is None else v for v in row] for row in history_rows(history)
            )

    return _replace_atomically(Path(path), write)


def write_history_workbook(path: str | Path, history: History) -> Path:
    """A small workbook to paste from: the ``EHCPHistory`` table, the age groups below it.

    Never the person's model workbook: a separate file, written whole, text as
    text (:mod:`workbooks.safe_text`); the path written is returned.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.table import Table, TableStyleInfo

    from workbooks.safe_text import append_row, set_text

    def write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "EHCPHistory"
        rows = history_rows(history)
        rows[0] = [str(h) for h in rows[0]]
        for row in rows:
            append_row(ws, row)
        _table(ws, "EHCPHistory", 1, len(rows), len(rows[0]), Table, TableStyleInfo)
        start = len(rows) + 3
        ages = history_rows(history, ages=True)
        ages[0] = [str(h) for h in ages[0]]
        for i, row in enumerate(ages):
            for j, v in enumerate(row):
                set_text(ws, start + i, j + 1, v)
        if len(ages[0]) > 1:
            _table(
                ws,
                "EHCPHistoryByAge",
                start,
                start + len(ages) - 1,
                len(ages[0]),
                Table,
                TableStyleInfo,
            )
        note = set_text(ws, start + len(ages) + 1, 1, _source_note(history))
        note.font = Font(italic=True)
        for row in ws.iter_rows(min_row=2, min_col=2):
            for c in row:
                c.number_format = "#,##0"
        ws.column_dimensions["A"].width = 48
        wb.save(tmp)

    return _replace_atomically(Path(path), write)


def _table(ws, name, first_row, last_row, columns, Table, TableStyleInfo):
    from openpyxl.utils import get_column_letter

    ref = f"A{first_row}:{get_column_letter(columns)}{last_row}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def _source_note(history: History) -> str:
    c = history.council
    return (
        f"{c.name} ({c.old_la_code} / {', '.join(c.new_la_codes)}): EHC plans at January, "
        f"DfE 'Education, health and care plans' 2025 release ({history.source.name}). "
        "Empty cells: suppressed by DfE."
    )


def write_benchmark_workbook(
    path: str | Path, title: str, table: pd.DataFrame, index: pd.DataFrame, sources: list[Path]
) -> Path:
    """The benchmark as a ``Benchmark`` sheet with a native line chart of ``index``.

    Text (the title, the DfE files' area names) is written as text
    (:mod:`workbooks.safe_text`); the path written is returned.
    """
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.styles import Font

    from workbooks.safe_text import append_row

    def write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "Benchmark"
        append_row(ws, [title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([])
        append_row(ws, ["Measure"] + list(table.columns))
        for c in ws[3]:
            c.font = Font(bold=True)
        for label, row in table.iterrows():
            append_row(ws, [label] + [None if pd.isna(v) else float(v) for v in row])
            fmt = _format_of(str(label))
            for c in ws[ws.max_row][1:]:
                c.number_format = fmt
        ws.append([])
        append_row(ws, ["Financial year"] + list(index.columns))
        top = ws.max_row
        for c in ws[top]:
            c.font = Font(bold=True)
        for fy, row in index.iterrows():
            append_row(ws, [fy] + [None if pd.isna(v) else float(v) for v in row])
            for c in ws[ws.max_row][1:]:
                c.number_format = "0.0"
        bottom = ws.max_row
        ws.append([])
        append_row(ws, ["Sources: " + "; ".join(p.name for p in sources)])
        if len(index):
            chart = LineChart()
            chart.title = "High Needs Block allocation against EHC plans (first year = 100)"
            chart.y_axis.title = "Index"
            chart.x_axis.title = "Financial year (plans at the January inside it)"
            data = Reference(
                ws, min_col=2, max_col=1 + len(index.columns), min_row=top, max_row=bottom
            )
            cats = Reference(ws, min_col=1, min_row=top + 1, max_row=bottom)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(cats)
            chart.height, chart.width = 10, 24
            chart.legend.position = "b"
            chart.x_axis.delete = False  # openpyxl 3.1 hides axes in Excel unless told
            chart.y_axis.delete = False
            ws.add_chart(chart, f"A{ws.max_row + 2}")
        ws.column_dimensions["A"].width = 62
        for col in "BCDEFG":
            ws.column_dimensions[col].width = 22
        wb.save(tmp)

    return _replace_atomically(Path(path), write)


def _format_of(label: str) -> str:
    low = label.casefold()
    if "growth" in low or "share" in low:
        return "0.00%"
    if "allocation" in low:
        return '"£"#,##0'
    return "#,##0"


#: DfE's High Needs benchmarking tool's data sheet for 2021-22, as DfE supplied it.
BENCHMARKING_OUTTURN_FILE = "Outturn data 202122.xlsx"


@dataclass(frozen=True)
class SpecialPlaceCost:
    """What one council's special school places cost its High Needs Block, from DfE's tool.

    Attributes
    ----------
    la_code, la_name : str
        DfE's three-digit code and the council's name.
    outturn_year : str
        The Section 251 outturn's financial year (``2020-21``: the tool's
        2021-22 sheet carries the latest outturn then published).
    census : int
        The January census of the placement count (2021).
    place_funding, top_up : float
        Section 251 outturn, pounds: place funding for special schools and
        academies (line 1.0.2, after deductions: the places the council
        funds, i.e. maintained special schools), and top-up funding for
        maintained special schools and special academies (line 1.2.1/1.2.2,
        the special schools share).
    plans : float
        EHC plans in maintained special schools or special academies.
    """

    la_code: str
    la_name: str
    outturn_year: str
    census: int
    place_funding: float
    top_up: float
    plans: float

    @property
    def per_plan(self) -> float:
        """Cost to the High Needs Block (after deductions) per plan in a special school.

        Notes
        -----
        ::

            per_plan = (place funding + top-up) / plans

        Academies' place funding (£10,000 a place) is paid by DfE directly
        and deducted from the council's High Needs Block, so it is in
        neither side on the after-deductions basis.
        """
        return (self.place_funding + self.top_up) / self.plans


def _joined(value: object) -> str:
    return "" if value is None else " ".join(str(value).split()).casefold()


def special_place_cost(
    source: str | Path, la_code: str, file_name: str = BENCHMARKING_OUTTURN_FILE
) -> SpecialPlaceCost:
    """One council's special school cost per plan from DfE's High Needs benchmarking tool.

    Parameters
    ----------
    source : str or Path
        The tool's data workbook, or a folder holding it (searched below,
        as :func:`locate` does).
    la_code : str
        DfE's three-digit LA code (``873``).

    Returns
    -------
    SpecialPlaceCost

    Notes
    -----
    Columns are found by their headers, never by position: the count under
    "Maintained special schools or special academies" (row 6, the tool's
    EHCP placement columns G-N), and in the "Section 251 outturn" block
    (row 3) place funding's and top-up's "Special schools and academies"
    (row 4). The outturn's year is read from the block's note ("values for
    ... 2020-21 currently"); the count is the January census of the tool's
    first year (2021 for 2021-22).

    References
    ----------
    DfE, High Needs benchmarking tool, ``Outturn data 202122.xlsx`` (supplied
    to DfE by the tool's owner; Open Government Licence), columns G-N and
    BI-CI.

    Raises
    ------
    InputError
        The file is too large or not a workbook, a header is missing, or the
        council is not in it, naming which.
    """
    path = locate(source, file_name)
    check_xlsx(path, DFE_LIMITS, argument=path.name)
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        top = [list(r) for r in ws.iter_rows(min_row=1, max_row=6, values_only=True)]
        width = max(len(r) for r in top)
        for r in top:
            r.extend([None] * (width - len(r)))
        problems: list[Problem] = []

        def find(row: int, label: str, start: int = 0) -> int:
            for c in range(start, width):
                if _joined(top[row][c]) == label.casefold():
                    return c
            problems.append(Problem(path.name, f"row {row + 1}", f"has no header '{label}'"))
            return -1

        count_col = find(5, "Maintained special schools or special academies")
        outturn = find(2, "Section 251 outturn")
        place = find(3, "Special schools and academies", max(outturn, 0))
        top_up = find(3, "Special schools and academies (1)", max(outturn, 0))
        if problems:
            raise InputError(problems)
        note = " ".join(str(v) for r in top[:2] for v in r[outturn : outturn + 1] if v is not None)
        years = re.findall(r"\b(20\d\d-\d\d)\b", note)
        outturn_year = years[-1] if years else ""
        tool_year = next(
            (
                str(v)
                for v in top[0] + top[1]
                if v is not None and re.fullmatch(r"20\d\d-\d\d", str(v))
            ),
            "",
        )
        census = int(tool_year[:4]) if tool_year else 0
        for row in ws.iter_rows(min_row=8, values_only=True):
            if len(row) <= max(count_col, place, top_up) or row[2] is None:
                continue
            try:
                code = f"{int(row[2]):03d}"
            except (TypeError, ValueError):
                continue
            if code != str(la_code).strip():
                continue
            values = []
            for c, what in ((place, "place funding"), (top_up, "top-up"), (count_col, "plans")):
                v = row[c]
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise InputError(
                        [Problem(path.name, f"LA {code}", f"{what} is {v!r}, not a number")]
                    )
                values.append(float(v))
            if values[2] <= 0:
                raise InputError(
                    [Problem(path.name, f"LA {code}", "has no plans in special schools")]
                )
            return SpecialPlaceCost(
                code, str(row[3]), outturn_year, census, values[0], values[1], values[2]
            )
    finally:
        wb.close()
    raise InputError([Problem(path.name, "", f"has no row for LA {la_code}")])
