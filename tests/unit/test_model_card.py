"""bikeflow.model_card: the card's sections and numbers, the monitor backtest, a failed gate."""

from __future__ import annotations

import json

import pandas as pd
from support.daily_frames import evaluate

from bikeflow.drift import BACKTEST_COLUMNS, backtest_summary
from bikeflow.formats import json_text
from bikeflow.model_card import model_card


def card_inputs(two_years, min_improvement=0.1):
    metrics = json.loads(json_text(evaluate(two_years, min_improvement).metrics))
    folds = pd.DataFrame(
        {
            "origin": ["2019-04-01", "2020-04-01"],
            "train_start": ["2018-01-01", "2018-01-01"],
            "train_end": ["2019-03-31", "2020-03-31"],
            "train_rows": [455, 821],
            "test_start": ["2019-04-01", "2020-04-01"],
            "test_end": ["2019-06-30", "2020-06-30"],
            "rows": [91, 91],
            "mean_actual": [3000.0, 2000.0],
            "bias": [10.0, 900.0],
            "mae": [300.0, 1000.0],
            "rmse": [400.0, 1200.0],
            "r2": [0.8, -2.0],
        }
    )
    importance = pd.DataFrame(
        {
            "feature": ["weekday", "tmax_c"],
            "importance_mean": [800.0, 200.0],
            "importance_std": [20.0, 5.0],
        }
    )
    return metrics, folds, importance, monitor_summary()


def monitor_summary(**change) -> dict:
    """The drift monitor's backtest summary for a small timeline: month ends 2019-10 to
    2020-04, a weather alarm in November 2019, the target alarming from April 2020."""
    months = ["2019-10-31", "2019-11-30", "2019-12-31", "2020-01-31", "2020-02-29"]
    months += ["2020-03-31", "2020-04-30"]
    rows = []
    for month in months:
        rows.append(
            {
                "month_end": month,
                "feature": "tmax_c",
                "group": "weather",
                "drifted": month == "2019-11-30",
            }
        )
        rows.append(
            {
                "month_end": month,
                "feature": "total",
                "group": "target",
                "drifted": month >= "2020-04-30",
            }
        )
    alarms = pd.DataFrame(rows).reindex(columns=BACKTEST_COLUMNS)
    return json.loads(json_text(backtest_summary(
        alarms,
        target="total",
        quiet_period={"start": "2019-01-01", "end": "2019-12-31"},
        known_change={"date": "2020-03-01", "description": "the pandemic"} | change,
    )))  # fmt: skip


def test_model_card_has_every_section_and_the_numbers(two_years):
    card = model_card(*card_inputs(two_years))
    for heading in (
        "## Intended use",
        "## Data",
        "## Holdout metrics",
        "## Quality gate",
        "## Rolling-origin backtest",
        "## Monitoring: how far the drift alarm can be trusted",
        "## Known limitations",
    ):
        assert heading in card
    assert "**Forecast horizon: 1 day.**" in card and "for the next day" in card
    assert "  - `latest_count`: the target on the latest day known at the horizon" in card
    assert "QUALITY GATE FAILED" not in card and "**passed**" in card
    assert "Median fold MAE: 650 bicycles per day" in card
    assert "Worst fold: 2020-04-01 to 2020-06-30, MAE 1,000" in card
    assert "15 km" in card and "2020" in card and "counter_issues.csv" in card
    assert "Training: the usable days before the holdout, 2019-01-01 to 2020-09-30" in card
    assert card.endswith("\n") and not card.endswith("\n\n")


def test_model_card_reports_the_monitor_backtest(two_years):
    card = model_card(*card_inputs(two_years))
    assert (
        "- **False alarms:** in 2019-2019, when nothing changed the weather or the daylight, "
        "1 of 3 month ends (33.3%) raised an alarm on a weather or daylight feature: "
        "2019-11-30 (`tmax_c`)." in card
    )
    assert (
        "- **Delay on a known change**, 2020-03-01 (the pandemic): the `total` alarm fired at "
        "the month end 2020-04-30, 60 days after." in card
    )
    # the backtest's folds straddle the change: 2020 against 2018-2019 (here 2019 only)
    assert (
        "mean fold MAE of the origins in 2020-2021 1,000, against 300 in 2018-2019: 3.33 times"
        in card
    )


def test_model_card_says_when_the_history_is_too_short_for_the_monitor(two_years):
    metrics, folds, importance, _ = card_inputs(two_years)
    card = model_card(metrics, folds, importance, monitor_summary(date="2019-06-01"))
    assert "not measured. The history does not reach back to a month end before the change." in card


def test_model_card_opens_with_a_failed_gate(two_years):
    card = model_card(*card_inputs(two_years, min_improvement=0.999))
    assert card.splitlines()[4].startswith("> **QUALITY GATE FAILED:")
