"""bikeflow.daily: days from hours (completeness, DST), counter issues, the join, its coverage."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from support.data import (
    counts_rows,
    counts_text,
    ghcn_rows,
    ghcn_text,
    hourly_count,
    write,
)
from support.sources import COUNTS, WEATHER
from support.tables import (
    COUNT_NAMES,
    blank,
    issues_frame,
)

from bikeflow.daily import (
    Coverage,
    aggregate_daily,
    coverage,
    flag_counter_issues,
    holdout_problem,
    holdout_start,
    hours_expected,
    join_weather,
    no_overlap_problem,
)
from bikeflow.dataset import weather_columns
from bikeflow.sources import read_daily_weather, read_hourly_counts

WEATHER_COLUMNS = weather_columns(WEATHER.schema)  # the weather table's value columns
# The daylight-saving cases below are dated in this zone (the library takes any zone: see
# test_hours_expected), whatever zone the configured counter is in.
TIMEZONE = "America/Los_Angeles"


def days_from(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def day_sums(day: date, hours=range(24)) -> dict[str, int]:
    """Hand-computed daily sums of the deterministic test counts over `hours`, per column."""
    return {
        column: sum(hourly_count(day, hour)[position] for hour in hours)
        for position, column in enumerate(COUNT_NAMES)
    }


@pytest.fixture
def daily_of(read_counts):
    def daily(rows: list[list[str]]) -> pd.DataFrame:
        return aggregate_daily(read_counts(rows), TIMEZONE)

    return daily


def one_day(daily: pd.DataFrame, day: date) -> pd.Series:
    (row,) = daily.index[daily["date"] == day]
    return daily.loc[row]


def test_full_days_sum_all_24_hours(daily_of):
    start = date(2021, 1, 8)  # a Friday, so the weekend rhythm is in the sums too
    daily = daily_of(counts_rows(start, 3))
    assert sorted(daily.columns[1 : 1 + len(COUNT_NAMES)]) == sorted(COUNT_NAMES)
    assert list(daily.columns) == [
        "date",
        *daily.columns[1 : 1 + len(COUNT_NAMES)],
        "hours_observed",
        "hours_expected",
        "complete",
    ]
    assert daily["date"].tolist() == days_from(start, date(2021, 1, 10))
    for day in daily["date"]:
        row = one_day(daily, day)
        assert {column: row[column] for column in COUNT_NAMES} == day_sums(day)
        assert (row["hours_observed"], row["hours_expected"], row["complete"]) == (24, 24, True)
    for column in COUNT_NAMES:
        assert daily[column].dtype == "Int64"


@pytest.mark.parametrize("hour", [0, 8, 23])
def test_day_with_one_blank_hour_is_incomplete_without_totals(daily_of, hour):
    rows = counts_rows(date(2021, 1, 4), 2)
    rows[hour] = blank(rows[hour])
    daily = daily_of(rows)
    broken, fine = daily.iloc[0], daily.iloc[1]
    assert (broken["hours_observed"], broken["hours_expected"]) == (23, 24)
    assert not broken["complete"]
    assert all(pd.isna(broken[column]) for column in COUNT_NAMES)
    assert fine["complete"]
    assert fine["total"] == day_sums(date(2021, 1, 5))["total"]


def test_day_with_missing_rows_is_incomplete(daily_of):
    # As on the counter's first day: the export starts at 13:00 and the last day stops early.
    rows = counts_rows(date(2012, 10, 2), 3)
    daily = daily_of(rows[13:-4])
    assert daily["date"].tolist() == days_from(date(2012, 10, 2), date(2012, 10, 4))
    assert daily["hours_observed"].tolist() == [11, 24, 20]
    assert daily["complete"].tolist() == [False, True, False]
    assert daily["total"].isna().tolist() == [True, False, True]
    assert daily.loc[1, "total"] == day_sums(date(2012, 10, 3))["total"]


def test_day_with_every_hour_blank_is_kept_with_zero_hours(daily_of):
    rows = counts_rows(date(2021, 1, 4), 2)
    rows[24:] = [blank(row) for row in rows[24:]]
    daily = daily_of(rows)
    assert daily["date"].tolist() == [date(2021, 1, 4), date(2021, 1, 5)]
    assert daily["hours_observed"].tolist() == [24, 0]
    assert daily["complete"].tolist() == [True, False]
    assert daily[COUNT_NAMES].iloc[1].isna().all()


def test_spring_forward_day_with_blank_0200_is_complete(daily_of):
    day = date(2021, 3, 14)
    rows = counts_rows(date(2021, 3, 13), 3)
    rows[24 + 2] = blank(rows[24 + 2])  # the 02:00 that does not exist
    row = one_day(daily_of(rows), day)
    assert (row["hours_observed"], row["hours_expected"]) == (23, 23)
    assert row["complete"]
    hours = [hour for hour in range(24) if hour != 2]
    assert {column: row[column] for column in COUNT_NAMES} == day_sums(day, hours)


def test_spring_forward_day_with_another_blank_hour_is_incomplete(daily_of):
    rows = counts_rows(date(2021, 3, 14), 1)
    rows[2] = blank(rows[2])
    rows[17] = blank(rows[17])
    row = daily_of(rows).iloc[0]
    assert (row["hours_observed"], row["hours_expected"]) == (22, 23)
    assert not row["complete"]
    assert pd.isna(row["total"])


def test_fall_back_day_with_24_rows_is_complete(daily_of):
    day = date(2021, 11, 7)
    row = daily_of(counts_rows(day, 1)).iloc[0]
    assert (row["hours_observed"], row["hours_expected"], row["complete"]) == (24, 24, True)
    assert {column: row[column] for column in COUNT_NAMES} == day_sums(day)


@pytest.mark.parametrize(
    ("timezone", "day", "hours"),
    [
        (TIMEZONE, date(2021, 3, 13), 24),
        (TIMEZONE, date(2021, 3, 14), 23),
        (TIMEZONE, date(2021, 3, 15), 24),
        (TIMEZONE, date(2021, 11, 7), 24),  # 25 hours long, capped: the export folds one
        (TIMEZONE, date(2022, 3, 13), 23),
        (TIMEZONE, date(2021, 7, 1), 24),
        ("Europe/London", date(2021, 3, 28), 23),
    ],
)
def test_hours_expected(timezone, day, hours):
    assert hours_expected(pd.Series([day]), timezone).tolist() == [hours]


def test_spring_forward_day_with_counted_0200_but_blank_0500_is_incomplete(daily_of):
    rows = counts_rows(date(2021, 3, 14), 1)  # 02:00 carries counts here
    rows[5] = blank(rows[5])
    row = daily_of(rows).iloc[0]
    assert not row["complete"]
    assert pd.isna(row["total"])


def test_hour_with_one_blank_part_does_not_give_a_partial_sum(daily_of):
    label = COUNTS.count_labels[-1]  # a part of the total, when the counter has parts
    rows = counts_rows(date(2021, 1, 4), 1)
    rows[8][COUNTS.header.index(label)] = ""  # the row-sum check skips rows with a blank part
    row = daily_of(rows).iloc[0]
    assert not row["complete"]
    assert pd.isna(row[COUNTS.tidy[label]])


def test_counter_issues_flag_inclusive_ranges_and_join_overlaps(daily_of):
    daily = daily_of(counts_rows(date(2021, 1, 1), 10))
    issues = issues_frame(
        (date(2021, 1, 3), date(2021, 1, 5), "sensor dropout"),
        (date(2021, 1, 5), date(2021, 1, 6), "construction, east side"),
        (date(2021, 1, 9), date(2021, 1, 9), "spike"),
        (date(2020, 6, 1), date(2020, 6, 30), "before the table"),
    )
    flagged = flag_counter_issues(daily, issues)
    assert dict(zip(flagged["date"], flagged["counter_issue"], strict=True)) == {
        date(2021, 1, 1): "",
        date(2021, 1, 2): "",
        date(2021, 1, 3): "sensor dropout",
        date(2021, 1, 4): "sensor dropout",
        date(2021, 1, 5): "sensor dropout; construction, east side",
        date(2021, 1, 6): "construction, east side",
        date(2021, 1, 7): "",
        date(2021, 1, 8): "",
        date(2021, 1, 9): "spike",
        date(2021, 1, 10): "",
    }
    pd.testing.assert_frame_equal(flagged.drop(columns="counter_issue"), daily)
    assert "counter_issue" not in daily.columns


def test_no_counter_issues_flags_nothing(daily_of):
    daily = daily_of(counts_rows(date(2021, 1, 1), 3))
    flagged = flag_counter_issues(daily, issues_frame())
    assert flagged["counter_issue"].tolist() == ["", "", ""]


@pytest.fixture
def winter(tmp_path, counts_schema, weather_schema):
    """Daily counts 2021-01-01..2021-03-31 and weather 2020-12-01..2021-03-20."""

    def build(weather_rows=None):
        hourly = read_hourly_counts(
            write(tmp_path / "counts.csv", counts_text(counts_rows(date(2021, 1, 1), 90))),
            counts_schema,
        )
        rows = ghcn_rows(date(2020, 12, 1), 110) if weather_rows is None else weather_rows
        weather = read_daily_weather(write(tmp_path / "ghcn.csv", ghcn_text(rows)), weather_schema)
        return aggregate_daily(hourly, TIMEZONE), weather

    return build


def test_coverage_of_sources_that_end_on_different_days(winter):
    daily, weather = winter()
    span = coverage(daily, weather)
    assert span.counts == (date(2021, 1, 1), date(2021, 3, 31))
    assert span.weather == (date(2020, 12, 1), date(2021, 3, 20))
    assert span.common == (date(2021, 1, 1), date(2021, 3, 20))
    assert span.truncated
    text = span.describe()
    assert "2021-01-01 to 2021-03-20" in text
    assert "counts 2021-01-01 to 2021-03-31" in text
    assert "weather 2020-12-01 to 2021-03-20" in text
    assert no_overlap_problem(span) is None


def test_coverage_record_names_each_source_and_round_trips(winter):
    daily, weather = winter()
    span = coverage(daily, weather, names=("fremont_bridge", "seatac_weather"))
    assert span.to_dict() == {
        "sources": {
            "fremont_bridge": {
                "role": "counts",
                "first_day": "2021-01-01",
                "last_day": "2021-03-31",
            },
            "seatac_weather": {
                "role": "weather",
                "first_day": "2020-12-01",
                "last_day": "2021-03-20",
            },
        },
        "common": {"first_day": "2021-01-01", "last_day": "2021-03-20", "days": 79},
    }
    text = span.to_json()
    assert text.endswith("}\n") and json.loads(text) == span.to_dict()
    assert Coverage.from_json(text) == span


def test_join_keeps_exactly_the_common_days(winter):
    daily, weather = winter()
    joined = join_weather(daily, weather)
    assert joined["date"].tolist() == days_from(date(2021, 1, 1), date(2021, 3, 20))
    assert len(joined) == 31 + 28 + 20
    assert list(joined.columns) == [*daily.columns, *weather.columns.drop("date")]
    row = one_day(joined, date(2021, 2, 1))
    assert row["total"] == day_sums(date(2021, 2, 1))["total"]
    assert row["tmax_c"] == one_day(weather, date(2021, 2, 1))["tmax_c"]
    assert joined["total"].dtype == "Int64"


def test_weather_day_missing_inside_the_range_keeps_counts(winter):
    gap = date(2021, 2, 10)
    rows = [row for row in ghcn_rows(date(2020, 12, 1), 110) if row[1] != gap.isoformat()]
    daily, weather = winter(rows)
    joined = join_weather(daily, weather)
    assert len(joined) == 79
    row = one_day(joined, gap)
    assert row["total"] == day_sums(gap)["total"]
    assert row["complete"]
    assert row[WEATHER_COLUMNS].isna().all()
    assert joined[WEATHER_COLUMNS].drop(index=row.name).notna().all(axis=None)


def test_same_range_is_not_truncated(read_counts, read_weather):
    daily = aggregate_daily(read_counts(counts_rows(date(2021, 1, 1), 5)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(2021, 1, 1), 5))
    span = coverage(daily, weather)
    assert span.common == span.counts == span.weather == (date(2021, 1, 1), date(2021, 1, 5))
    assert not span.truncated
    assert len(join_weather(daily, weather)) == 5


def test_counts_inside_a_longer_weather_record_are_kept_whole(read_counts, read_weather):
    daily = aggregate_daily(read_counts(counts_rows(date(2021, 1, 3), 3)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(2021, 1, 1), 10))
    span = coverage(daily, weather)
    assert span.common == (date(2021, 1, 3), date(2021, 1, 5))
    assert span.truncated
    assert join_weather(daily, weather)["date"].tolist() == days_from(*span.common)


def test_sources_that_do_not_overlap(read_counts, read_weather):
    daily = aggregate_daily(read_counts(counts_rows(date(2021, 1, 1), 10)), TIMEZONE)
    weather = read_weather(ghcn_rows(date(1869, 1, 1), 5))
    span = coverage(daily, weather, names=("fremont_bridge", "seatac_weather"))
    assert span.common is None
    assert span.truncated
    assert "do not overlap" in span.describe()
    assert "counts 2021-01-01 to 2021-01-10" in span.describe()
    assert "weather 1869-01-01 to 1869-01-05" in span.describe()
    assert span.to_dict()["common"] is None
    assert Coverage.from_json(span.to_json()) == span
    assert no_overlap_problem(span) == (
        "fremont_bridge and seatac_weather have no day in common (fremont_bridge 2021-01-01 "
        "to 2021-01-10; seatac_weather 1869-01-01 to 1869-01-05), so there is no daily table "
        "to build. Is each source's url (sources.<name>.url in the config) the data meant?"
    )
    joined = join_weather(daily, weather)
    assert joined.empty
    assert list(joined.columns) == [*daily.columns, *weather.columns.drop("date")]


def span_of(common: tuple[date, date] | None, counts=None, weather=None) -> Coverage:
    counts = counts or (date(2020, 1, 1), date(2021, 6, 30))
    weather = weather or common or (date(1869, 1, 1), date(1899, 12, 31))
    return Coverage(counts, weather, common, names=("fremont_bridge", "seatac_weather"))


@pytest.mark.parametrize(
    ("first", "months", "too_short"),
    [
        (date(2021, 4, 20), 2, False),  # one day before the holdout, which starts 2021-04-21
        (date(2021, 4, 21), 2, True),  # the holdout would be the whole overlap
        (date(2021, 5, 20), 2, True),
        (date(2020, 1, 1), 12, False),
        (date(2020, 7, 1), 12, True),
    ],
)
def test_overlap_must_be_longer_than_the_holdout(first, months, too_short):
    span = span_of((first, date(2021, 6, 20)))
    problem = holdout_problem(span, months)
    assert (problem is not None) == too_short
    if too_short:
        start = holdout_start(date(2021, 6, 20), months)
        days = (date(2021, 6, 20) - first).days + 1
        assert problem == (
            "The overlap of the sources is too short for the model: fremont_bridge and "
            f"seatac_weather share {first} to 2021-06-20 ({days} days; fremont_bridge "
            f"2020-01-01 to 2021-06-30; seatac_weather {first} to 2021-06-20), but the holdout "
            f"(model.holdout_months: {months}) alone takes the last {months} months, from "
            f"{start}, leaving no day before it to train on."
        )


def test_holdout_check_of_sources_without_overlap_says_they_do_not_overlap():
    span = span_of(None)
    assert holdout_problem(span, 12) == no_overlap_problem(span)


@pytest.mark.parametrize(
    ("last", "months", "start"),
    [
        (date(2021, 6, 20), 2, date(2021, 4, 21)),
        (date(2021, 12, 31), 12, date(2021, 1, 1)),
        (date(2024, 2, 29), 1, date(2024, 2, 1)),
        (date(2021, 3, 31), 1, date(2021, 3, 1)),
    ],
)
def test_holdout_starts_months_before_the_day_after_the_last(last, months, start):
    assert holdout_start(last, months) == start
