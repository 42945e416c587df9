"""bikeflow.forecast: the issue of a run from the sources' coverage, the days it forecasts,
issued records read back and checked, and records scored against the counts published
later, by lead band."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from support.forecast_frames import daily_counts, record

from bikeflow.daily import Coverage
from bikeflow.forecast import (
    RECORD_COLUMNS,
    SCORE_COLUMNS,
    RecordError,
    days_to_forecast,
    issue_dates,
    read_record,
    read_records,
    score,
    scores_by_band,
)
from bikeflow.publication import ISSUE_COLUMNS


def coverage(counts_last: date, weather_last: date) -> dict:
    """results/tables/coverage.json as the tables rule writes it."""
    return Coverage(
        counts=(date(2019, 1, 1), counts_last),
        weather=(date(2018, 1, 1), weather_last),
        common=(date(2019, 1, 1), min(counts_last, weather_last)),
        names=("fremont_bridge", "seatac_weather"),
    ).to_dict()


def test_the_issue_date_is_the_later_of_the_sources_last_days():
    dates = issue_dates(coverage(date(2020, 2, 29), date(2020, 3, 4)))
    assert dates == {
        "issue_date": pd.Timestamp("2020-03-04"),
        "last_count_day": pd.Timestamp("2020-02-29"),
        "last_weather_day": pd.Timestamp("2020-03-04"),
    }
    # the counts later than the weather (a weather outage): the counts' last day
    later_counts = issue_dates(coverage(date(2020, 3, 6), date(2020, 3, 4)))
    assert later_counts["issue_date"] == pd.Timestamp("2020-03-06")


def test_an_issue_forecasts_from_the_day_after_the_last_count_to_days_ahead_after_it():
    pairs = days_to_forecast(issue_dates(coverage(date(2020, 2, 29), date(2020, 3, 4))), 7)
    assert list(pairs.columns) == ISSUE_COLUMNS
    assert pairs["date"].dt.strftime("%m-%d").tolist() == [f"03-{d:02d}" for d in range(1, 12)]
    assert pairs["lead_days"].tolist() == list(range(1, 12))
    assert (pairs["issue_date"] == pd.Timestamp("2020-03-04")).all()
    assert (pairs["last_weather_day"] == pd.Timestamp("2020-03-04")).all()


def write_csv(path, frame: pd.DataFrame):
    frame.to_csv(path, index=False)
    return path


def test_a_record_reads_back_as_issued(tmp_path):
    issued = record("2020-03-04", "2020-03-01", 11)
    read = read_record(write_csv(tmp_path / "2020-03-04.csv", issued))
    assert list(read.columns) == [*RECORD_COLUMNS, "fremont_bridge_sha256"]
    assert read["issue_date"].unique().tolist() == ["2020-03-04"]
    assert read["date"].iloc[0] == "2020-03-01" and len(read) == 11
    assert read["lead_days"].tolist() == list(range(1, 12))


def test_a_record_without_its_columns_is_refused(tmp_path):
    issued = record("2020-03-04", "2020-03-01", 3).drop(columns=["lower", "upper"])
    with pytest.raises(RecordError, match="no column lower, upper"):
        read_record(write_csv(tmp_path / "2020-03-04.csv", issued))


@pytest.mark.parametrize(
    ("issue_dates_held", "named", "held"),
    [
        (["2020-03-04"], "2020-03-05", r"\['2020-03-04'\]"),  # renamed
        (["2020-03-04", "2020-03-05"], "2020-03-04", r"\['2020-03-04', '2020-03-05'\]"),
    ],
)
def test_a_record_holding_another_issue_date_than_its_name_is_refused(
    tmp_path, issue_dates_held, named, held
):
    issued = record("2020-03-04", "2020-03-01", 4).assign(issue_date=np.resize(issue_dates_held, 4))
    with pytest.raises(RecordError, match=f"holds issue dates {held}, not only {named}"):
        read_record(write_csv(tmp_path / f"{named}.csv", issued))


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01",  # an image
        b"",  # empty
        b'{"issue_date": "2020-03-04", "forecast": 1000}\n',  # JSON
    ],
    ids=["binary", "empty", "json"],
)
def test_a_file_that_is_not_a_csv_record_is_refused(tmp_path, content):
    path = tmp_path / "2020-03-04.csv"
    path.write_bytes(content)
    with pytest.raises(RecordError, match="not a forecast record"):
        read_record(path)


def test_records_are_read_one_after_the_other_by_issue_date(tmp_path):
    later = write_csv(tmp_path / "2020-03-05.csv", record("2020-03-05", "2020-03-01", 12))
    earlier = write_csv(tmp_path / "2020-03-04.csv", record("2020-03-04", "2020-03-01", 11))
    records = read_records([later, earlier])
    assert list(records.columns) == RECORD_COLUMNS  # the sources' checksums left out
    assert records["issue_date"].tolist() == ["2020-03-04"] * 11 + ["2020-03-05"] * 12
    assert records.index.tolist() == list(range(23))


def test_no_record_reads_as_an_empty_table():
    records = read_records([])
    assert records.empty and list(records.columns) == RECORD_COLUMNS


def test_a_bad_record_among_others_stops_the_reading(tmp_path):
    good = write_csv(tmp_path / "2020-03-04.csv", record("2020-03-04", "2020-03-01", 11))
    bad = write_csv(tmp_path / "2020-03-06.csv", record("2020-03-05", "2020-03-01", 12))
    with pytest.raises(RecordError, match="2020-03-06"):
        read_records([good, bad])


def test_score_joins_only_the_usable_counts_published_since():
    # counts of 1..4 March: the 2nd incomplete, the 3rd with a counter issue
    daily = daily_counts("2020-03-01", [1000, 1100, 1200, 1300])
    daily.loc[1, "complete"] = False
    daily.loc[2, "counter_issue"] = "outage"
    # a record of 1..6 March: the 5th and 6th not published yet; the 4th without a forecast
    issued = record(
        "2020-03-02",
        "2020-03-01",
        6,
        forecast=[1050, 1050, 1050, np.nan, 1050, 1050],
        weather=["observed", "observed", "unknown"],
    )
    scored = score(issued, daily, "total")
    assert scored["date"].tolist() == [pd.Timestamp("2020-03-01")]
    assert scored["actual"].tolist() == [1000.0]
    assert scored["issue_date"].tolist() == [pd.Timestamp("2020-03-02")]
    assert scored["weather_known"].tolist() == [True]
    assert scored[["forecast", "lower", "upper", "expected_abs_error"]].dtypes.eq(float).all()


def test_score_reads_the_weather_of_each_forecast():
    daily = daily_counts("2020-03-01", [1000, 1100, 1200])
    issued = record("2020-03-02", "2020-03-01", 3, weather=["observed", "observed", "unknown"])
    assert score(issued, daily, "total")["weather_known"].tolist() == [True, True, False]


def scored_by_hand() -> pd.DataFrame:
    """Three scored forecasts of a count of 1000.

    lead weather  forecast expected interval    error
       1 observed     1100       50 900..1200    +100 inside
       2 unknown       900      150 950..1050    -100 inside
      10 unknown      1300      100 1100..1500   +300 outside
    """
    return pd.DataFrame(
        {
            "lead_days": [1, 2, 10],
            "weather_known": [True, False, False],
            "actual": 1000.0,
            "forecast": [1100.0, 900.0, 1300.0],
            "expected_abs_error": [50.0, 150.0, 100.0],
            "lower": [900.0, 950.0, 1100.0],
            "upper": [1200.0, 1050.0, 1500.0],
        }
    )


def test_scores_by_band_by_hand():
    table = scores_by_band(scored_by_hand(), [7])
    assert list(table.columns) == SCORE_COLUMNS
    rows = table.set_index("band").to_dict("index")
    assert list(rows) == ["1-7", "8+", "all"]
    # +100 and -100: no bias, 200 off where 200 was expected
    assert rows["1-7"] == {
        "forecasts": 2,
        "weather_observed": 0.5,
        "mae": 100.0,
        "expected_mae": 100.0,
        "ratio": 1.0,
        "bias": 0.0,
        "coverage": 1.0,
    }
    assert rows["8+"] == {
        "forecasts": 1,
        "weather_observed": 0.0,
        "mae": 300.0,
        "expected_mae": 100.0,
        "ratio": 3.0,
        "bias": 300.0,
        "coverage": 0.0,
    }
    every = rows["all"]
    assert every["mae"] == pytest.approx(500 / 3) and every["ratio"] == pytest.approx(500 / 300)
    assert every["bias"] == pytest.approx(100.0) and every["coverage"] == pytest.approx(2 / 3)
    assert every["weather_observed"] == pytest.approx(1 / 3)


def test_a_band_without_an_expected_error_has_no_ratio():
    table = scores_by_band(scored_by_hand().assign(expected_abs_error=0.0), [7])
    assert table["ratio"].isna().all()


def test_nothing_scored_gives_an_empty_table_with_its_columns():
    table = scores_by_band(scored_by_hand().iloc[:0], [7])
    assert table.empty and list(table.columns) == SCORE_COLUMNS
