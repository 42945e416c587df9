"""bikeflow.results_readme: what the results index says, piece by piece and as a whole page
built from documents made by the library as the workflow writes them."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd
import pytest
from support.daily_frames import FEATURES, at, synthetic_daily
from support.drift_frames import SETTINGS, drift_of, summary_of, three_years

from bikeflow.daily import Coverage
from bikeflow.drift import drift_backtest
from bikeflow.formats import json_text
from bikeflow.monitoring import health_report, worst_days
from bikeflow.quality_gate import quality_gate, sentence
from bikeflow.results_readme import (
    Figure,
    Results,
    caption_line,
    drift_explanation,
    drift_lines,
    freshness_table,
    index_markdown,
    warnings,
    worst_days_table,
    years_text,
)

SOURCES = {  # the config's sources, as the rule gets them
    "fremont_bridge": {
        "description": "Fremont Bridge hourly bicycle counts",
        "url": "https://example.org/fremont.csv",
    },
    "seatac_weather": {
        "description": "Sea-Tac daily weather (GHCN-Daily)",
        "url": "https://example.org/USW00024233.csv",
    },
}
SHA256 = {name: hashlib.sha256(name.encode()).hexdigest() for name in SOURCES}
WEATHER_COLUMNS = ["tmax_c", "precipitation_mm"]
BANDS = ["1-7", "8-14", "15-28", "29+", "all"]


def as_written(document: dict) -> dict:
    return json.loads(json_text(document))


def live_error(alarm: bool = False, forecasts: int = 60) -> dict:
    return {
        "as_of": "2020-11-30",
        "forecasts": forecasts,
        "mae": 700.0 if alarm else 300.0,
        "expected_mae": 280.0,
        "ratio": 2.5 if alarm else 1.07,
        "coverage": 0.55 if alarm else 0.8,
        "window_days": 30,
        "max_ratio": 2.0,
        "alarm": alarm,
    }


LIVE_MONITOR = {
    "window_days": 30,
    "max_ratio": 2.0,
    "month_ends": 24,
    "quiet_period": {
        "start": "2019-01-01",
        "end": "2019-12-31",
        "month_ends": 12,
        "alarm_month_ends": 1,
        "false_alarm_rate": 1 / 12,
        "alarms": ["2019-02-28"],
    },
    "known_change": {
        "date": "2020-03-01",
        "label": "the pandemic",
        "description": "the pandemic",
        "monitored_before": True,
        "first_alarm": "2020-03-31",
        "published": "2020-04-05",
        "days_after": 35,
    },
}


def metrics(model_mae: float = 300.0, promotion: dict | None = None) -> dict:
    baselines = {"latest_day": 500.0, "same_weekday_latest": 450.0, "seasonal_mean": 480.0}
    by_lead = [
        {
            "band": band,
            "forecasts": 100,
            "model_mae": model_mae,
            **{f"{name}_mae": mae for name, mae in baselines.items()},
            "best_baseline": "same_weekday_latest",
            "improvement": 1 - model_mae / 450.0,
        }
        for band in BANDS
    ]
    document = {
        "target": "total",
        "holdout": {"start": "2020-10-01", "end": "2020-12-31", "forecasts": 500},
        "by_lead": by_lead,
        "quality_gate": quality_gate(model_mae, baselines, 0.1),
    }
    return as_written(document | ({"promotion": promotion} if promotion else {}))


def latest() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "issue_date": "2020-12-30",
            "date": ["2020-12-01", "2021-01-06"],
            "lead_days": [1, 37],
            "weather": ["observed", "unknown"],
            "forecast": [2100, 1500],
            "lower": [1800, 1000],
            "upper": [2400, 2100],
            "expected_abs_error": [200, 400],
            "model_sha256": "ab" * 32,
        }
    )


def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "band": ["1-7", "all"],
            "forecasts": [40, 60],
            "weather_observed": [0.9, 0.7],
            "mae": [250.0, 300.0],
            "expected_mae": [240.0, 280.0],
            "ratio": [1.04, 1.07],
            "bias": [10.0, -5.0],
            "coverage": [0.8, 0.78],
        }
    )


def results(*, calm: bool = True, **changes) -> Results:
    """The index's inputs from three synthetic years to 2020-12-31. Unless `calm`, the
    weather stops 10 days before the counts, a weather value failed its checks on one day,
    December is warm (tmax_c drifts) and the live error alarms."""
    daily = three_years()
    daily.loc[daily["date"].isin([date(2020, 2, 3), date(2020, 2, 4)]), "counter_issue"] = "outage"
    daily.loc[at(daily, date(2020, 12, 25)), "holiday"] = "Christmas Day"
    weather_until = date(2020, 12, 31) if calm else date(2020, 12, 21)
    if not calm:
        daily.loc[at(daily, date(2020, 5, 5)), "quality_flagged"] = "TMAX"
        daily.loc[daily["date"] >= date(2020, 12, 1), "tmax_c"] += 10
    counts = daily[["date", "total", "west", "east"]]
    weather = daily.loc[daily["date"] <= weather_until, ["date", "tmax_c", "precipitation_mm"]]
    span = Coverage(
        counts=(date(2018, 1, 1), date(2020, 12, 31)),
        weather=(date(2018, 1, 1), weather_until),
        common=(date(2018, 1, 1), weather_until),
        names=tuple(SOURCES),
    )
    holdout = pd.DataFrame(
        {
            "date": ["2020-12-24", "2020-12-24", "2020-12-25", "2020-12-28"],
            "actual": [3000, 3000, 1200, 2500],
            "model": [2600.0, 2800.0, 2450.0, 2450.0],
        }
    )
    inputs = {
        "title": "Bicycle traffic over a test bridge",
        "sources": SOURCES,
        "accepted": {name: {"sha256": sha} for name, sha in SHA256.items()},
        "coverage": span.describe(),
        "metrics": metrics(),
        "health": as_written(
            health_report(counts, weather, daily, staleness_days=5, names=tuple(SOURCES))
        ),
        "drift": as_written(drift_of(daily)),
        "drift_monitor": as_written(
            summary_of(drift_backtest(daily, features=FEATURES, settings=SETTINGS))
        ),
        "live_error": live_error(alarm=not calm),
        "live_monitor": LIVE_MONITOR,
        "latest": latest(),
        "scores": scores(),
        "worst": worst_days(holdout, daily, count=3, weather_columns=WEATHER_COLUMNS),
        "counter_issues": "resources/counter_issues.csv",
        "figures": [
            Figure("daily_traffic", "figures/daily_traffic.png", "Bicycles a day over the bridge.")
        ],
        "tables": ["daily", "weather"],
    }
    return Results(**(inputs | changes))


@pytest.fixture(scope="module")
def calm_page() -> str:
    return index_markdown(results())


def test_a_calm_run_opens_with_no_warning(calm_page):
    assert warnings(results()) == []
    assert "> - " not in calm_page


def test_warnings_put_the_live_error_first_then_the_gate_the_promotion_and_the_data():
    held_back = {"promoted": False, "why": "it failed the quality gate. Numbers."}
    found = warnings(results(calm=False, metrics=metrics(440.0, promotion=held_back)))
    gate = quality_gate(440.0, {"same_weekday_latest": 450.0}, 0.1)
    assert found[0].startswith("**Live-error alarm.** **The alarm is on.** The 60 published")
    assert found[1] == f"**Quality gate failed.** {sentence(gate)}"
    assert found[2].startswith("**Candidate held back:** it failed the quality gate.")
    assert found[3] == "**Stale source:** `seatac_weather` lags the newest source by 10 days."
    assert found[4].startswith("**Weather quality:** on 1 day a value failed")
    assert found[5].startswith("**Input drift** against the same weeks of earlier years: `tmax_c`")
    assert len(found) == 6


def test_the_sections_come_in_reading_order(calm_page):
    headings = [line for line in calm_page.splitlines() if line.startswith("#")]
    assert headings == [
        "# Results: Bicycle traffic over a test bridge",
        "## Data",
        "## Forecasts",
        "### Latest forecast",
        "### How the published forecasts did",
        "## Model",
        "## Monitoring",
        "### Days to look at",
        "## Figures",
        "### Daily traffic",
        "## Tables",
    ]
    assert calm_page.endswith("\n") and not calm_page.endswith("\n\n")


def test_the_latest_forecast_says_what_it_knew_and_gives_each_day_with_its_interval(calm_page):
    assert (
        "Issued 2020-12-30, the last day the sources cover, from the counts published up to "
        "2020-11-30 by the model `abababababab`"
    ) in calm_page
    assert "| 2020-12-01 | 1 | observed | 2,100 | 1,800 to 2,400 |" in calm_page
    assert "| 2021-01-06 | 37 | unknown | 1,500 | 1,000 to 2,100 |" in calm_page
    assert "[latest.csv](forecasts/latest.csv)" in calm_page


def test_how_the_published_forecasts_did_by_lead_against_what_was_expected(calm_page):
    assert "No alarm. The 60 published forecasts of the 30 days up to 2020-11-30 missed by 300" in (
        calm_page
    )
    assert "| 1-7 | 40 | 90.0% | 250 | 240 | 1.04 | 80.0% |" in calm_page
    unscored = index_markdown(results(live_error=live_error(forecasts=0), scores=scores()[:0]))
    assert "No published forecast has been scored yet" in unscored
    assert "| Lead (days) | Forecasts scored |" not in unscored


def test_the_model_section_gives_the_holdout_by_lead_the_gate_and_the_promotion():
    promoted = {"promoted": True, "why": "it passed the quality gate and no model was published."}
    page = index_markdown(results(metrics=metrics(promotion=promoted)))
    assert "| 1-7 | 100 | 300 | Same weekday latest, 450 | 33.3% |" in page
    assert "**Quality gate passed.**" in page
    assert "**Latest candidate promoted:** it passed the quality gate" in page


def test_the_monitoring_section_says_how_far_each_alarm_can_be_trusted(calm_page):
    assert "**Live error.** The live-error alarm fires when the forecasts of the last 30 days" in (
        calm_page
    )
    assert "it fired at 1 of 12 month ends in the quiet period" in calm_page
    assert "first fired for the month ending 2020-03-31, as soon as its counts were published " in (
        calm_page
    )
    assert "No alarm: every compared feature is within thresholds." in calm_page
    assert "The drift check, run as of each of the 24 month ends" in calm_page


def test_the_index_says_why_each_drift_alarm_fired():
    daily = three_years()
    daily.loc[daily["date"] >= date(2020, 12, 1), "tmax_c"] += 10
    report = as_written(drift_of(daily))
    heat = {row["feature"]: row for row in report["features"]}["tmax_c"]
    assert drift_explanation(report, heat) == (
        "`tmax_c`: the last 30 days (2020-12-02 to 2020-12-31) were warmer than the same weeks "
        f"of 2018-2019: mean {heat['current_mean']:.1f} °C against {heat['reference_mean']:.1f}; "
        f"PSI {heat['psi']:.2f} above 0.2, KS {heat['ks_statistic']:.2f} above 0.3."
    )
    lines = "\n".join(drift_lines(report))
    assert "the same weeks of the 2 years before (those the data cover: 2018-2019)" in lines
    assert lines.count("\n- ") == 1  # one line per alarm


def test_the_index_says_when_nothing_could_be_checked():
    young = as_written(drift_of(synthetic_daily(date(2020, 1, 1), 300)))
    lines = drift_lines(young)
    assert "(those the data cover: no year)" in lines[0]
    assert "- `tmax_c` not checked: the daily table does not reach a year before this window." in (
        lines
    )
    either = as_written(drift_of(three_years(), alarm_on="either"))
    assert "An alarm needs PSI or KS above its threshold." in drift_lines(either)[0]


def test_years_are_written_as_a_range_when_consecutive():
    assert years_text([2017, 2018, 2019, 2020]) == "2017-2020"
    assert years_text([2016, 2018]) == "2016, 2018"
    assert years_text([]) == "no year"


def test_freshness_names_each_source_with_its_accepted_sha256_and_marks_a_stale_one():
    rows = freshness_table(results(calm=False))[2:]
    assert rows == [
        "| [Fremont Bridge hourly bicycle counts](https://example.org/fremont.csv) | 2020-12-31 "
        f"| 0 days | `{SHA256['fremont_bridge'][:12]}` | [valid](validation/fremont_bridge.md) |",
        "| [Sea-Tac daily weather (GHCN-Daily)](https://example.org/USW00024233.csv) | "
        f"2020-12-21 | 10 days (**stale**) | `{SHA256['seatac_weather'][:12]}` | "
        "[valid](validation/seatac_weather.md) |",
    ]


def test_days_to_look_at_average_each_days_forecasts(calm_page):
    assert (
        "The curated list of counter problems, [`resources/counter_issues.csv`]"
        "(../resources/counter_issues.csv), excludes 2 days of the daily table"
    ) in calm_page
    # 12-24 forecast twice (2600, 2800) for 3000 counted: mean error -300
    assert "| 2020-12-24 | 3,000 | 2,700 | -300 |" in calm_page
    assert "| Christmas Day |" in calm_page


def test_worst_days_leave_missing_weather_blank_and_escape_pipes():
    worst = pd.DataFrame(
        {
            "date": ["2021-02-13"],
            "actual": [312],
            "predicted": [2890.4],
            "error": [2578.4],
            "tmax_c": [float("nan")],
            "precipitation_mm": [12.25],
            "holiday": [""],
            "counter_issue": ["sensor | west"],
        }
    )
    row = worst_days_table(worst)[2]
    assert row == "| 2021-02-13 | 312 | 2,890 | +2,578 |  | 12.2 |  | sensor \\| west |"


def test_figures_show_their_caption_and_tables_are_linked(calm_page):
    assert "![Daily traffic](figures/daily_traffic.png)\n\nBicycles a day over the bridge." in (
        calm_page
    )
    assert "- [daily](tables/daily.csv) ([Parquet](tables/daily.parquet))" in calm_page


def test_a_counter_without_curated_issues_is_told_how_to_start_a_list():
    page = index_markdown(results(counter_issues=None))
    assert "The counter has no curated list of its problems" in page
    assert "name it in `issues` of the counts source in `config/config.yaml`" in page
    assert "counter_issues.csv" not in page


def test_a_source_in_the_repository_is_linked_from_the_results_folder():
    """The demo's sources are paths in the repository: the page in results/ links them so
    the link leads to the file."""
    demo = {name: source | {"url": f".test/data/{name}.csv"} for name, source in SOURCES.items()}
    rows = freshness_table(results(sources=demo))[2:]
    assert rows[0].startswith(
        "| [Fremont Bridge hourly bicycle counts](../.test/data/fremont_bridge.csv) |"
    )


def test_a_caption_becomes_its_first_paragraph_on_one_line():
    rst = "Daily bicycles against\nthe day's maximum temperature.\n\nA second paragraph.\n"
    assert caption_line(rst, {}) == "Daily bicycles against the day's maximum temperature."


def test_a_captions_substitutions_become_the_datasets_words():
    rst = "Bicycles at |counter| against the weather at\n|weather_station|.\n"
    words = {"counter": "Test Bridge", "weather_station": "Test Airport"}
    assert (
        caption_line(rst, words) == "Bicycles at Test Bridge against the weather at Test Airport."
    )
    with pytest.raises(KeyError, match=r"\|place\|"):
        caption_line("Bicycles at |place|.", words)
