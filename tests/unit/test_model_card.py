"""bikeflow.model_card: who can use which forecast, the numbers by lead, the gate and the
promotion, the backtest and the monitors, from a model run on synthetic days."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support.daily_frames import PUBLICATION, SETTINGS

from bikeflow.calibration import CalibrationSettings, rolling
from bikeflow.drift import BACKTEST_COLUMNS
from bikeflow.drift import backtest_summary as drift_summary
from bikeflow.evaluation import fold_scores, holdout_metrics, lead_scores_by_year
from bikeflow.features import Days
from bikeflow.formats import json_text
from bikeflow.live_error import LiveErrorSettings, timeline
from bikeflow.live_error import backtest_summary as live_summary
from bikeflow.model import backtest, backtest_folds, fold_at, run_fold
from bikeflow.model_card import Words, model_card

BANDS = [7, 14, 28]
CALIBRATION = CalibrationSettings(tuple(BANDS), 0.8, 1)
CHANGE = {"date": "2020-06-01", "label": "a change", "description": "a test change"}


def rounded(document: dict) -> dict:
    """As the rules write it and the card's rule reads it back."""
    return json.loads(json_text(document))


@pytest.fixture(scope="module")
def inputs(two_years):
    days = Days.from_daily(two_years, SETTINGS)
    end = pd.Timestamp("2020-12-31")
    forecasts, _ = run_fold(days, fold_at("2020-10-01", end, PUBLICATION), PUBLICATION, SETTINGS)
    metrics = {
        "target": "total",
        "features": SETTINGS.features.as_dict(),
        "level": SETTINGS.level,
        "regressor": {"name": "HistGradientBoostingRegressor", **SETTINGS.regressor},
        "publication": {
            "counts": {"every": "month", "day": 5},
            "weather": {"every": "day", "lag_days": 2},
        },
        "days_ahead": 7,
        "daily_table": {
            "start": "2019-01-01",
            "end": "2020-12-31",
            "days": 731,
            "usable_days": 731,
        },
        "training": {"until": "2020-12-31", "rows": 1400},
        "holdout": {
            "months": 3,
            "start": "2020-10-01",
            "end": "2020-12-31",
            "trained_until": "2020-08-31",
            "issues": int(forecasts["issue_date"].nunique()),
            "forecasts": len(forecasts),
        },
        **holdout_metrics(forecasts, BANDS, 0.1),
    }
    folds = backtest_folds(days, PUBLICATION, "2019-09-01", 4)
    backtested = rolling(backtest(days, PUBLICATION, SETTINGS, folds)[0], CALIBRATION)
    months = timeline(
        backtested.rename(columns={"model": "forecast"}),
        pd.date_range("2019-09-30", "2020-12-31", freq="ME"),
        30,
    )
    live = live_summary(
        months,
        LiveErrorSettings(30, 2.0),
        {"start": "2019-01-01", "end": "2019-12-31"},
        CHANGE,
        PUBLICATION.counts,
    )
    drift_alarms = pd.DataFrame(
        {"month_end": ["2019-11-30", "2019-12-31"], "feature": "tmax_c", "drifted": [True, False]}
    ).reindex(columns=BACKTEST_COLUMNS)
    return {
        "metrics": rounded(metrics),
        "leads": lead_scores_by_year(backtested, BANDS),
        "folds": fold_scores(backtested).assign(
            origin=lambda f: f["origin"].dt.strftime("%Y-%m-%d")
        ),
        "importance": pd.DataFrame(
            {
                "feature": ["weekday", "tmax_c"],
                "importance_mean": [800.0, 20.0],
                "importance_std": [9.0, 1.0],
            }
        ),
        "drift_monitor": rounded(
            drift_summary(drift_alarms, quiet_period={"start": "2019-01-01", "end": "2019-12-31"})
        ),
        "live_monitor": rounded(live),
    }


WORDS = Words(
    counter="Test Bridge",
    weather_station="Test Airport",
    counts={"total": "Both directions", "inbound": "Into town"},
    counter_issues="resources/test_issues.csv",
)


def card(inputs, **changes) -> str:
    return model_card(**(inputs | {"words": WORDS} | changes))


def test_model_card_has_every_section_in_reading_order(inputs):
    text = card(inputs)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Intended use: who can use which forecast",
        "## Model",
        "## Data",
        "## Holdout metrics",
        "## Quality gate and promotion",
        "## What the model relies on",
        "## Rolling-origin backtest",
        "## Monitoring: how far the alarms can be trusted",
        "## Known limitations",
    ]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_the_card_says_who_can_use_which_forecast_with_the_error_to_expect(inputs):
    text = card(inputs)
    assert "once a month, around day 5, up to the end of the month before" in text
    assert "every day, 2 days behind" in text
    assert "**Days already past, whose weather is observed (nowcasts).**" in text
    assert "**The coming days, whose weather is not known yet.**" in text
    assert "| lead (days) | weather observed | MAE | expected MAE | inside the interval |" in text
    for band in ["1-7", "8-14", "15-28", "29+"]:
        assert f"\n| {band} | " in text


def test_the_holdout_is_scored_by_lead_against_the_best_baseline(inputs):
    text = card(inputs)
    metrics = inputs["metrics"]
    assert f"{metrics['holdout']['forecasts']:,} forecasts" in text
    first = metrics["by_lead"][0]
    assert f"| {first['band']} | {first['forecasts']:,} | {first['model_mae']:,.0f} |" in text
    assert "**passed**" in text


def test_a_held_back_candidate_opens_the_card(inputs):
    metrics = inputs["metrics"] | {
        "promotion": {"promoted": False, "why": "it failed the quality gate. Numbers."}
    }
    text = card(inputs, metrics=metrics)
    assert text.splitlines()[4].startswith("> **The latest candidate was held back:** it failed")
    assert "The latest candidate was **held back**" in text


def test_a_failed_gate_opens_the_card(inputs):
    metrics = rounded(
        inputs["metrics"] | {"quality_gate": inputs["metrics"]["quality_gate"] | {"passed": False}}
    )
    assert "> **QUALITY GATE FAILED:" in card(inputs, metrics=metrics)


def test_the_monitors_say_how_far_they_can_be_trusted(inputs):
    text = card(inputs)
    assert "- **Live error** (the primary alarm): The live-error alarm fires when" in text
    assert "more than 2 times the error expected" in text
    assert "- **Input drift**: The drift check" in text
    assert "at 1 of the 2 month ends of the quiet period" in text


def test_the_card_names_the_configured_counter_its_count_and_its_weather(inputs):
    text = card(inputs)
    assert text.startswith("# Model card: daily bicycle count (`total`) at Test Bridge\n")
    assert "counted a day at Test Bridge (`total`: Both directions)" in text
    assert "The weather is observed at Test Airport, not at the counter" in text
    assert "the periods curated in `resources/test_issues.csv`" in text


def test_a_counter_without_curated_issues_is_told_where_a_list_would_go(inputs):
    text = card(inputs, words=Words("Test Bridge", "Test Airport", counter_issues=None))
    assert "which this counter does not have yet (`issues` of the counts source" in text
    assert "counter_issues.csv" not in text
