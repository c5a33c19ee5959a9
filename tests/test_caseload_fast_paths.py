"""The caseload's fast paths read exactly what the general rules read.

Plain ``YYYY-MM-DD`` and ``DD/MM/YYYY`` dates (:func:`models.caseload._plain_dates`),
Child IDs that are plain numbers (:func:`models.caseload._digit_keys`), SEN2 ages by
integer calendar arithmetic (:func:`models.caseload._civil`) and a CSV extract's
categorical columns: each is compared with the general rule it stands in for, on texts
built to sit on every edge (impossible dates, the years pandas cannot hold, leading
zeros, mixed separators, blanks, spaces, letters).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import caseload
from models.caseload import _digit_keys, _trimmed_folded, date_column, sen2_age

DIGITS = "0123456789"


def _general(values: object, monkeypatch: pytest.MonkeyPatch) -> caseload.DateColumn:
    """:func:`date_column` with the fast path switched off: every text through the regexes."""
    with monkeypatch.context() as m:
        m.setattr(
            caseload,
            "_plain_dates",
            lambda texts: caseload._PlainDates(
                fast=np.zeros(len(texts), dtype=bool),
                dates=np.full(len(texts), np.datetime64("NaT", "ns")),
                month_first=np.zeros(len(texts), dtype=bool),
                either_way=np.zeros(len(texts), dtype=bool),
            ),
        )
        return date_column(values)


def _same(a: caseload.DateColumn, b: caseload.DateColumn) -> None:
    pd.testing.assert_series_equal(a.dates, b.dates)
    for name in ("missing", "bad", "month_first", "either_way"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name


def _date_texts() -> st.SearchStrategy[str]:
    # Years pandas cannot hold as nanoseconds (before 1677, after 2262) are left out: the
    # general rule does not read them either (they are never given to the fast path).
    year = st.sampled_from(["1678", "1900", "2000", "2024", "2261"])
    two = st.text(DIGITS, min_size=2, max_size=2)
    sep = st.sampled_from(["/", ".", "-", " ", "x"])
    iso = st.builds(lambda y, m, d, s: f"{y}{s}{m}{s}{d}", year, two, two, sep)
    uk = st.builds(lambda d, a, m, b, y: f"{d}{a}{m}{b}{y}", two, sep, two, sep, year)
    padded = st.builds(lambda t, p: f"{p}{t}{p}", st.one_of(iso, uk), st.sampled_from(["", " "]))
    return st.one_of(iso, uk, padded, st.text("0123456789/-.é ", max_size=9))


@settings(max_examples=300, deadline=None)
@given(st.lists(_date_texts(), min_size=1, max_size=40))
def test_plain_dates_read_as_the_general_rule(texts: list[str]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(date_column(texts), _general(texts, monkeypatch))


def test_plain_dates_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "2024-02-29",
        "2023-02-29",
        "2024-04-31",
        "2024-00-10",
        "2024-13-01",
        "2024-01-00",
        "1677-12-31",
        "1678-01-01",
        "2261-12-31",
        "2262-01-01",
        "29/02/2024",
        "09/13/2019",
        "13/09/2019",
        "09/01/2019",
        "01/01/2019",
        "09.01-2019",
        "00/13/2019",
        "2024-1-01",
        " 2024-01-01",
        "",
        None,
    ]
    fast = date_column(texts)
    _same(fast, _general(texts, monkeypatch))
    assert [str(d.date()) if not pd.isna(d) else None for d in fast.dates][:3] == [
        "2024-02-29",
        None,
        None,
    ]
    assert fast.month_first.tolist()[11] and fast.either_way.tolist()[13]


def test_categorical_dates_read_as_the_same_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["2024-01-02", "", "02/01/2024", "2024-01-02", "soon", "31/02/2024", "TBC", ""]
    as_categories = pd.Series(pd.Categorical(texts + ["2030-01-01"])[:-1])  # an unused category
    _same(date_column(as_categories), _general(pd.Series(texts, dtype=object), monkeypatch))


def _general_keys(texts: np.ndarray) -> np.ndarray:
    keys = _trimmed_folded(texts)
    codes = pd.factorize(keys)[0]
    return np.where(keys == "", -1, codes)


def _same_groups(a: np.ndarray, b: np.ndarray) -> None:
    """Two codings of the same rows put the same rows together (and the same rows at -1)."""
    assert ((a < 0) == (b < 0)).all()
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    assert len({x for x, _ in pairs}) == len(pairs) == len({y for _, y in pairs})


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(0, 10**19).map(str),
            st.text(DIGITS, max_size=4),
            st.sampled_from(["", "0", "00", "007", "7", " 7", "7 ", "A7", "a7", "1e3", "\n"]),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_digit_keys_group_as_text(ids: list[str]) -> None:
    texts = np.array(ids, dtype=object)
    fast = _digit_keys(texts)
    plain = all(
        t == "" or (t.isascii() and t.isdigit() and len(t) <= 18 and (t == "0" or t[0] != "0"))
        for t in ids
    )
    assert (fast is not None) == plain
    if fast is not None:
        _same_groups(fast, _general_keys(texts))
    _same_groups(caseload._id_keys(pd.Series(texts, dtype=object)), _general_keys(texts))


def test_digit_keys_of_a_national_extract() -> None:
    rng = np.random.default_rng(7)
    numbers = rng.integers(1, 2_000_000, size=50_000)
    texts = np.array([str(v) for v in numbers], dtype=object)
    texts[::97] = ""
    _same_groups(_digit_keys(texts), _general_keys(texts))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.integers(-106_000, 106_000)),
        min_size=1,
        max_size=50,
    ),
    st.sampled_from(["2025-01-16", "2024-08-31", "2024-09-01", "2000-02-29"]),
)
def test_sen2_age_as_pandas_calendar(days: list[int | None], census: str) -> None:
    dob = pd.Series(
        [np.datetime64(d, "D") if d is not None else np.datetime64("NaT") for d in days],
        dtype="datetime64[ns]",
    )
    a = caseload.age_date(census)
    year = dob.dt.year.fillna(0).to_numpy(dtype="int64")
    monthday = (dob.dt.month.fillna(0) * 100 + dob.dt.day.fillna(0)).to_numpy(dtype="int64")
    expected = a.year - year - (monthday > a.month * 100 + a.day).astype("int64")
    assert sen2_age(dob, census).tolist() == expected.tolist()


# --- dates pandas cannot hold: not dates, named by row, never a crash or a wrong date -----------


def test_years_pandas_cannot_hold_are_not_dates_however_written():
    """pandas holds dates from 1677-09-21 to 2262-04-11: a year outside 1678-2261, as text,
    as a date or datetime cell, or as an Excel serial, is a cell that is not a date. Before,
    text and date cells raised OutOfBoundsDatetime and serials after 2262 wrapped round to a
    wrong date (serial 150,000, a day in 2310, read as 1726)."""
    import datetime as dt

    import pandas as pd

    from models.caseload import _MAX_SERIAL, date_column

    cells = [
        "1676-05-01",
        "2262-04-12",
        "01/01/1677",
        dt.date(1676, 1, 1),
        dt.datetime(2300, 1, 1),
        150_000,
        2_958_465,
        _MAX_SERIAL + 1,
        "2261-12-31",
        "01.01.1678",
        dt.date(2010, 5, 1),
        pd.Timestamp("2020-02-02"),
        _MAX_SERIAL,
    ]
    c = date_column(cells)
    assert c.bad.tolist() == [True] * 8 + [False] * 5
    assert [str(d)[:10] for d in c.dates[8:]] == [
        "2261-12-31",
        "1678-01-01",
        "2010-05-01",
        "2020-02-02",
        "2261-12-31",
    ]


def test_digits_of_other_scripts_are_not_dates():
    """``\\d`` matches Arabic-Indic digits too; before, they reached pandas' number parser
    and the run stopped with a ValueError."""
    from models.caseload import date_column

    c = date_column(["٢٠١٠-٠٥-٠١", "٠١/٠٥/٢٠١٠", "2010-05-01"])
    assert c.bad.tolist() == [True, True, False]


def test_dsg_caseload_names_each_such_date_by_row(tmp_path, capsys):
    import csv

    from addin.cli import main

    path = tmp_path / "extract.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Child ID", "Date of birth", "Placement", "Primary need", "Plan start date",
                    "Plan end date"])  # fmt: skip
        w.writerow(["1", "2012-03-04", "Mainstream school", "ASD", "2020-01-01", ""])
        w.writerow(["2", "1676-05-01", "Mainstream school", "ASD", "2020-01-01", ""])
        w.writerow(["3", "٢٠١٠-٠٥-٠١", "Mainstream school", "ASD", "2020-01-01", ""])
        w.writerow(["4", "2012-03-04", "Mainstream school", "ASD", "1500-01-01", ""])
    assert main(["caseload", str(path), "--census-date", "2025-01-16"]) == 0
    out = capsys.readouterr().out
    assert "Date of birth: '1676-05-01' is not a date" in out
    assert "Date of birth: '٢٠١٠-٠٥-٠١' is not a date" in out
    assert "Plan start date: '1500-01-01' is not a date" in out
