"""bikeflow.publication: what each source has published on a run day, the issues the runs
make, the days each issue forecasts at which leads, and the lead bands."""

from __future__ import annotations

import pandas as pd
import pytest

from bikeflow.publication import (
    ISSUE_COLUMNS,
    Publication,
    SourcePublication,
    band_labels,
    by_band,
    lead_band,
    weather_known,
)

MONTHLY = {"every": "month", "day": 5}  # the config's counts
DAILY = {"every": "day", "lag_days": 2}  # the config's weather


def config_publication(days_ahead: int = 7) -> Publication:
    return Publication.from_config(MONTHLY, DAILY, days_ahead)


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def issue(issue_date: str, last_count_day: str, last_weather_day: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "issue_date": [day(issue_date)],
            "last_count_day": [day(last_count_day)],
            "last_weather_day": [day(last_weather_day)],
        }
    )


@pytest.mark.parametrize(
    ("run", "last_day"),
    [
        ("2020-03-04", "2020-01-31"),  # the day before the release: two months back
        ("2020-03-05", "2020-02-29"),  # on the release day: up to the end of February
        ("2020-03-31", "2020-02-29"),  # later that month: still February
        ("2021-01-04", "2020-11-30"),  # before January's release: November of the year before
        ("2021-01-05", "2020-12-31"),  # January's release: up to New Year's Eve
    ],
)
def test_a_monthly_source_has_published_up_to_the_end_of_the_month_before_its_release(
    run, last_day
):
    published = SourcePublication.from_config(MONTHLY)
    assert published == SourcePublication("month", day=5)
    assert published.last_day(pd.DatetimeIndex([run]))[0] == day(last_day)


def test_a_daily_source_is_its_lag_behind_the_run_whatever_the_time_of_day():
    published = SourcePublication.from_config(DAILY)
    runs = pd.DatetimeIndex(["2020-03-01 18:30", "2021-01-01"])
    assert list(published.last_day(runs)) == [day("2020-02-28"), day("2020-12-30")]


def test_each_run_issues_as_of_the_later_of_the_two_sources():
    issues = config_publication().issues("2020-03-03", "2020-03-06")
    assert list(issues.columns) == ["issue_date", "last_count_day", "last_weather_day"]
    # the weather is two days behind the run; February's counts appear on 5 March
    assert issues["issue_date"].dt.strftime("%m-%d").tolist() == [
        "03-01",
        "03-02",
        "03-03",
        "03-04",
    ]
    assert issues["last_count_day"].dt.strftime("%m-%d").tolist() == [
        "01-31",
        "01-31",
        "02-29",
        "02-29",
    ]
    assert (issues["issue_date"] == issues["last_weather_day"]).all()


def test_the_issue_date_is_the_counts_day_when_the_counts_are_the_later_source():
    daily_counts = Publication.from_config({"every": "day", "lag_days": 1}, MONTHLY, 7)
    issues = daily_counts.issues("2020-03-10", "2020-03-10")
    assert issues.iloc[0].tolist() == [day("2020-03-09"), day("2020-03-09"), day("2020-02-29")]


def test_runs_without_a_new_issue_date_issue_nothing_new_and_the_first_issue_stands():
    # Both monthly: the weather appears on the 3rd, the counts on the 5th.
    both_monthly = Publication.from_config(MONTHLY, {"every": "month", "day": 3}, 7)
    issues = both_monthly.issues("2020-03-01", "2020-03-10")
    # 1-2 March issue as of 31 January; 3 March (February's weather) issues as of 29 February
    # with the counts to 31 January. The runs of 4-10 March see the same issue date: the
    # record is written once (an existing record is kept as issued), so the issue is the one
    # the first run made, as the live forecasts are.
    assert issues.to_dict("records") == [
        {
            "issue_date": day("2020-01-31"),
            "last_count_day": day("2020-01-31"),
            "last_weather_day": day("2020-01-31"),
        },
        {
            "issue_date": day("2020-02-29"),
            "last_count_day": day("2020-01-31"),
            "last_weather_day": day("2020-02-29"),
        },
    ]


def test_an_issue_forecasts_from_the_day_after_the_last_count_to_days_ahead_after_it():
    pairs = config_publication(days_ahead=7).forecast_days(
        issue("2020-03-04", "2020-02-29", "2020-03-04")
    )
    assert list(pairs.columns) == ISSUE_COLUMNS
    assert pairs["date"].iloc[0] == day("2020-03-01") and pairs["date"].iloc[-1] == day(
        "2020-03-11"
    )
    assert pairs["lead_days"].tolist() == list(range(1, 12))
    assert (pairs["issue_date"] == day("2020-03-04")).all()


def test_several_issues_forecast_one_after_the_other_each_with_its_own_leads():
    issues = pd.concat(
        [
            issue("2020-03-04", "2020-02-29", "2020-03-04"),  # 11 days
            issue("2020-03-05", "2020-03-05", "2020-03-03"),  # counts on the issue date: 7
        ],
        ignore_index=True,
    )
    pairs = config_publication(days_ahead=7).forecast_days(issues)
    assert len(pairs) == 11 + 7
    second = pairs[pairs["issue_date"] == day("2020-03-05")]
    assert second["date"].dt.strftime("%m-%d").tolist() == [f"03-{d:02d}" for d in range(6, 13)]
    assert second["lead_days"].tolist() == list(range(1, 8))


def test_no_issue_forecasts_nothing():
    pairs = config_publication().forecast_days(
        config_publication().issues("2020-03-03", "2020-03-02")
    )
    assert pairs.empty and list(pairs.columns) == ISSUE_COLUMNS


def test_the_weather_is_known_up_to_its_last_published_day():
    pairs = config_publication(days_ahead=2).forecast_days(
        issue("2020-03-04", "2020-02-29", "2020-03-03")
    )
    # 1..6 March: observed to the 3rd, not yet from the 4th
    assert weather_known(pairs).tolist() == [True, True, True, False, False, False]


def test_over_a_year_of_the_config_pattern_the_issues_reach_3_to_33_days_past_the_last_count():
    gaps = config_publication().gaps()
    assert len(gaps) == 365  # a new weather day on every run, so an issue on every run
    # 3 days on the 5th (end of last month + weather two days behind the run); 33 on
    # 4 August (counts to 30 June, weather to 2 August)
    assert (gaps["issue_gap"].min(), gaps["issue_gap"].max()) == (3, 33)
    assert (gaps["weather_gap"] == gaps["issue_gap"]).all()  # the weather is the later source


def test_two_daily_sources_keep_a_constant_gap():
    gaps = Publication.from_config(
        {"every": "day", "lag_days": 3}, {"every": "day", "lag_days": 1}, 7
    ).gaps()
    assert set(gaps["issue_gap"]) == {2} and set(gaps["weather_gap"]) == {2}


def test_band_labels_name_each_band_by_its_first_and_last_lead():
    assert band_labels([7, 14, 28]) == ["1-7", "8-14", "15-28", "29+"]
    assert band_labels([]) == ["1+"]


@pytest.mark.parametrize(
    ("lead", "band"),
    [(1, "1-7"), (7, "1-7"), (8, "8-14"), (14, "8-14"), (15, "15-28"), (28, "15-28")]
    + [(29, "29+"), (60, "29+")],
)
def test_a_lead_falls_in_the_band_whose_upper_bound_it_does_not_pass(lead, band):
    assert lead_band([lead], [7, 14, 28]).tolist() == [band]


def test_by_band_gives_the_bands_with_rows_in_order_then_all():
    forecasts = pd.DataFrame({"lead_days": [1, 30, 7, 40]})
    groups = [(band, list(rows["lead_days"])) for band, rows in by_band(forecasts, [7, 14, 28])]
    assert groups == [("1-7", [1, 7]), ("29+", [30, 40]), ("all", [1, 30, 7, 40])]
    assert list(by_band(forecasts.iloc[:0], [7, 14, 28])) == []
