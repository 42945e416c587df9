"""bikeflow.table_io: tables written as CSV and Parquet, read back with their types, byte-stable."""

from __future__ import annotations

from datetime import date

import pandas as pd
from support.data import (
    counts_rows,
    hourly_count,
)
from support.tables import COUNT_NAMES, blank

from bikeflow.table_io import read_table, write_table


def test_write_then_read_round_trips_values_and_dtypes(tmp_path, daily_table):
    write_table(daily_table, tmp_path / "daily.csv", tmp_path / "daily.parquet")
    back = read_table(tmp_path / "daily.parquet")
    pd.testing.assert_frame_equal(back, daily_table)
    assert all(type(value) is date for value in back["date"])
    assert back["total"].dtype == "Int64"
    assert back["total"].isna().tolist() == [False, False, True]
    assert back["counter_issue"].tolist() == ["", "", "outage, 09:00"]
    assert back["quality_flagged"].tolist() == ["TMAX", "", ""]


def test_hourly_table_round_trips_timestamps(tmp_path, read_counts):
    rows = counts_rows(date(2021, 1, 4), 1)
    rows[3] = blank(rows[3])
    hourly = read_counts(rows)
    write_table(hourly, tmp_path / "hourly.csv", tmp_path / "hourly.parquet")
    pd.testing.assert_frame_equal(read_table(tmp_path / "hourly.parquet"), hourly)
    lines = (tmp_path / "hourly.csv").read_text(encoding="utf-8").splitlines()
    columns = lines[0].split(",")
    assert columns[:3] == ["timestamp", "date", "hour"]
    assert sorted(columns[3:]) == sorted(COUNT_NAMES)
    assert lines[4] == "2021-01-04T03:00:00,2021-01-04,3" + "," * len(COUNT_NAMES)
    counted = dict(zip(COUNT_NAMES, hourly_count(date(2021, 1, 4), 13), strict=True))
    values = ",".join(str(counted[column]) for column in columns[3:])
    assert lines[14] == f"2021-01-04T13:00:00,2021-01-04,13,{values}"


def test_writing_the_same_frame_twice_is_byte_identical(tmp_path, daily_table):
    write_table(daily_table, tmp_path / "a" / "daily.csv", tmp_path / "a" / "daily.parquet")
    write_table(daily_table, tmp_path / "b" / "daily.csv", tmp_path / "b" / "daily.parquet")
    for name in ("daily.csv", "daily.parquet"):
        first = (tmp_path / "a" / name).read_bytes()
        assert first == (tmp_path / "b" / name).read_bytes()
    # and rewriting in place changes nothing
    write_table(daily_table, tmp_path / "a" / "daily.csv", tmp_path / "a" / "daily.parquet")
    assert (tmp_path / "a" / "daily.parquet").read_bytes() == (
        tmp_path / "b" / "daily.parquet"
    ).read_bytes()


def test_csv_has_unix_newlines_no_index_and_plain_values(tmp_path):
    frame = pd.DataFrame(
        {
            "date": [date(2021, 1, 1), date(2021, 1, 2)],
            "total": pd.array([5, None], dtype="Int64"),
            "precipitation_mm": [10.9, float("nan")],
            "complete": [True, False],
            "reason": ["", "a, b"],
        },
        index=[7, 3],
    )
    write_table(frame, tmp_path / "t.csv", tmp_path / "t.parquet")
    assert (tmp_path / "t.csv").read_bytes() == (
        b"date,total,precipitation_mm,complete,reason\n"
        b"2021-01-01,5,10.9,True,\n"
        b'2021-01-02,,,False,"a, b"\n'
    )
    assert read_table(tmp_path / "t.parquet").index.tolist() == [0, 1]
