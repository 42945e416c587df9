"""bikeflow.results_readme: what the results index says, from small inputs made here."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from support.daily_frames import FEATURES, synthetic_daily
from support.drift_frames import SETTINGS, drift_of, summary_of, three_years

from bikeflow.drift import drift_backtest
from bikeflow.formats import json_text
from bikeflow.quality_gate import quality_gate, sentence
from bikeflow.results_readme import (
    alarms_by_year_table,
    caption_line,
    drift_explanation,
    drift_summary,
    freshness_table,
    metrics_table,
    monitor_summary,
    warnings,
    worst_days_table,
    years_text,
)


def test_the_index_says_why_each_alarm_fired():
    daily = three_years()
    late = daily["date"] >= date(2020, 12, 1)
    daily.loc[late, "tmax_c"] += 10
    daily.loc[late, "total"] = (daily.loc[late, "total"] * 0.3).round().astype("Int64")
    report = json.loads(json_text(drift_of(daily)))  # as the index reads it
    rows = {row["feature"]: row for row in report["features"]}
    heat, total = rows["tmax_c"], rows["total"]
    assert drift_explanation(report, heat) == (
        "`tmax_c`: the last 30 days (2020-12-02 to 2020-12-31) were warmer than the same weeks "
        f"of 2018-2019: mean {heat['current_mean']:.1f} °C against {heat['reference_mean']:.1f}; "
        f"PSI {heat['psi']:.2f} above 0.2, KS {heat['ks_statistic']:.2f} above 0.3."
    )
    assert drift_explanation(report, total).startswith(
        "`total`: the last 14 days (2020-12-18 to 2020-12-31) were quieter than the same weeks "
        f"of 2018-2019: mean {total['current_mean']:,.0f} bicycles a day against "
    )
    summary = "\n".join(drift_summary(report))
    assert "the same weeks of the 2 years before (those the data cover: 2018-2019)" in summary
    assert summary.count("\n- ") == 2  # one line per alarm


def test_the_index_says_when_nothing_alarmed_or_could_be_checked():
    calm = json.loads(json_text(drift_of(three_years())))
    assert "An alarm needs both PSI and KS above their thresholds." in drift_summary(calm)[0]
    either = json.loads(json_text(drift_of(three_years(), alarm_on="either")))
    assert "An alarm needs PSI or KS above its threshold." in drift_summary(either)[0]
    assert (
        "No alarm: every compared feature and the target are within thresholds."
        in drift_summary(calm)
    )
    young = json.loads(json_text(drift_of(synthetic_daily(date(2020, 1, 1), 300))))
    assert "(those the data cover: no year)" in drift_summary(young)[0]
    assert "- `total` not checked: the daily table does not reach a year before this window." in (
        drift_summary(young)
    )


def test_years_are_written_as_a_range_when_consecutive():
    assert years_text([2017, 2018, 2019, 2020]) == "2017-2020"
    assert years_text([2016, 2018]) == "2016, 2018"
    assert years_text([2020]) == "2020"


def test_the_index_summarises_the_monitor_backtest():
    daily = three_years()
    daily.loc[daily["date"] >= date(2020, 3, 20), "total"] //= 3
    alarms = drift_backtest(daily, target="total", features=FEATURES, settings=SETTINGS)
    text = monitor_summary(json.loads(json_text(summary_of(alarms))))
    assert text == (
        "The same check as of each of the 24 month ends from 2019-01-31 to 2020-12-31. In the "
        "quiet period 2019-01-01 to 2019-12-31, 0 of 12 month ends (0.0%) raised a weather or "
        "daylight alarm (false alarms: nothing changed the weather). The `total` alarm fired at "
        "the month end 2020-03-31, 30 days after 2020-03-01 (the pandemic)."
    )
    short = drift_backtest(
        synthetic_daily(date(2020, 1, 1), 300), target="total", features=FEATURES, settings=SETTINGS
    )
    assert "cannot be backtested yet" in monitor_summary(summary_of(short))
    assert alarms_by_year_table(summary_of(short)) == ""


# ---- the data and model sections, and the warnings that open the page ----------------------


def health_of(*sources: tuple[str, str, int, bool], flagged: int = 0) -> dict:
    """A health report with (name, last observation, lag in days, stale) per source."""
    return {
        "sources": [
            {"name": name, "last": last, "lag_days": lag, "stale": stale}
            for name, last, lag, stale in sources
        ],
        "stale_sources": [name for name, _, _, stale in sources if stale],
        "daily_table": {"quality_flagged_days": flagged, "counter_issue_days": 0},
    }


FRESH = health_of(("counts", "2021-12-31", 0, False), ("weather", "2021-12-30", 1, False))


def test_a_healthy_run_opens_with_no_warning():
    metrics = {"quality_gate": quality_gate(80.0, {"latest_day": 100.0}, 0.1)}
    assert warnings(metrics, FRESH, {"drifted": []}) == []


def test_warnings_put_a_failed_gate_first_then_stale_sources_flagged_weather_and_drift():
    gate = quality_gate(95.0, {"latest_day": 100.0, "seasonal_mean": 120.0}, 0.1)
    health = health_of(
        ("counts", "2021-12-31", 0, False), ("weather", "2021-11-30", 31, True), flagged=1
    )
    found = warnings({"quality_gate": gate}, health, {"drifted": ["tmax_c", "total"]})
    assert found == [
        f"**Quality gate failed.** {sentence(gate)}",
        "**Stale source:** `weather` lags the newest source by 31 days.",
        "**Weather quality:** on 1 day a value failed GHCN's quality checks and was left out "
        "(column `quality_flagged` of the daily table).",
        "**Drift** against the same weeks of earlier years: `tmax_c`, `total` (see "
        "[Monitoring](#monitoring) for why).",
    ]
    assert "latest_day" in found[0] and "5.0%" in found[0]


def test_freshness_names_each_source_with_its_accepted_sha256_and_marks_a_stale_one():
    sources = {
        "counts": {"description": "Fremont Bridge counts", "url": "https://example.org/c.csv"},
        "weather": {"description": "Sea-Tac weather", "url": "https://example.org/w.csv"},
    }
    accepted = {"counts": {"sha256": "ab" * 32}, "weather": {"sha256": "cd" * 32}}
    health = health_of(("counts", "2021-12-31", 0, False), ("weather", "2021-11-30", 31, True))
    assert freshness_table(sources, accepted, health).splitlines()[2:] == [
        "| [Fremont Bridge counts](https://example.org/c.csv) | 2021-12-31 | 0 days "
        "| `abababababab` | [valid](validation/counts.md) |",
        "| [Sea-Tac weather](https://example.org/w.csv) | 2021-11-30 | 31 days (**stale**) "
        "| `cdcdcdcdcdcd` | [valid](validation/weather.md) |",
    ]


def test_metrics_table_puts_the_model_in_bold_and_writes_numbers_for_people():
    metrics = {
        "scores": {
            "model": {"mae": 1234.4, "rmse": 2345.6, "r2": 0.78912},
            "same_weekday_last_week": {"mae": 2000.0, "rmse": 3000.0, "r2": 0.5},
        }
    }
    assert metrics_table(metrics).splitlines() == [
        "| | MAE | RMSE | R² |",
        "|---|---|---|---|",
        "| **model** | 1,234 | 2,346 | 0.789 |",
        "| Same weekday last week | 2,000 | 3,000 | 0.500 |",
    ]


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
    row = worst_days_table(worst).splitlines()[2]
    assert row == "| 2021-02-13 | 312 | 2,890 | +2,578 |  | 12.2 |  | sensor \\| west |"


def test_a_caption_becomes_its_first_paragraph_on_one_line():
    rst = "Daily bicycles against\nthe day's maximum temperature.\n\nA second paragraph.\n"
    assert caption_line(rst) == "Daily bicycles against the day's maximum temperature."
