"""bikeflow.evaluation: the model and the baselines scored on the same pairs, by lead band and
over all leads; the quality gate on the holdout; the backtest by fold, by year, and the
calibrated forecasts' coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from support.forecast_frames import forecasts

from bikeflow.evaluation import (
    FOLD_COLUMNS,
    band_scores,
    calibrated_by_band,
    fold_scores,
    holdout_metrics,
    lead_scores_by_year,
)
from bikeflow.features import BASELINES

BANDS = [7, 14]  # 1-7, 8-14 (empty here), 15+


def holdout() -> pd.DataFrame:
    """Four forecasts; the last has no seasonal mean, so nothing of it is scored.

    day        lead weather  actual model latest_day same_weekday seasonal
    2020-01-06    3 observed    100   110        120          130       80
    2020-01-07    3 unknown     200   190        180          170      220
    2021-01-06   20 unknown     100   140        160          110      150
    2021-01-07   20 unknown     100   900        900          900      NaN
    """
    return forecasts(
        ["2020-01-06", "2020-01-07", "2021-01-06", "2021-01-07"],
        lead_days=[3, 3, 20, 20],
        weather_known=[True, False, False, False],
        actual=[100.0, 200.0, 100.0, 100.0],
        model=[110.0, 190.0, 140.0, 900.0],
        latest_day=[120.0, 180.0, 160.0, 900.0],
        same_weekday_latest=[130.0, 170.0, 110.0, 900.0],
        seasonal_mean=[80.0, 220.0, 150.0, np.nan],
        origin=pd.to_datetime(["2020-01-01", "2020-01-01", "2021-01-01", "2021-01-01"]),
    )


def test_the_baselines_are_the_three_naive_forecasts():
    assert BASELINES == ("latest_day", "same_weekday_latest", "seasonal_mean")


def test_band_scores_by_hand_with_the_best_baseline_and_the_improvement_on_it():
    table = band_scores(holdout(), BANDS)
    assert table["band"].tolist() == ["1-7", "15+", "all"]  # no forecast 8-14 days ahead
    rows = table.set_index("band").to_dict("index")
    short = rows["1-7"]
    assert short["forecasts"] == 2 and short["weather_known"] == 0.5
    assert (short["model_mae"], short["latest_day_mae"]) == (10.0, 20.0)
    assert (short["same_weekday_latest_mae"], short["seasonal_mean_mae"]) == (30.0, 20.0)
    # latest_day and seasonal_mean tie at 20: the first by name is the best
    assert short["best_baseline"] == "latest_day"
    assert short["improvement"] == pytest.approx(1 - 10 / 20)
    # 15+: the row without a seasonal mean is not scored; the model is worse than the best
    long = rows["15+"]
    assert long["forecasts"] == 1 and long["model_mae"] == 40.0
    assert long["best_baseline"] == "same_weekday_latest"
    assert long["improvement"] == pytest.approx(1 - 40 / 10)
    # all three: model 60 / 3, same weekday 70 / 3 (the others 100 / 3 and 90 / 3)
    every = rows["all"]
    assert every["forecasts"] == 3 and every["weather_known"] == pytest.approx(1 / 3)
    assert every["model_mae"] == pytest.approx(20.0)
    assert every["best_baseline"] == "same_weekday_latest"
    assert every["improvement"] == pytest.approx(1 - 60 / 70)


def test_a_perfect_baseline_leaves_the_improvement_undefined():
    perfect = holdout().iloc[:1].assign(latest_day=100.0)
    row = band_scores(perfect, BANDS).iloc[0]
    assert row["best_baseline"] == "latest_day" and row["improvement"] is None


@pytest.mark.parametrize(("min_improvement", "passed"), [(0.10, True), (0.15, False)])
def test_holdout_metrics_gate_the_model_on_all_leads_against_the_best_baseline(
    min_improvement, passed
):
    metrics = holdout_metrics(holdout(), BANDS, min_improvement)
    gate = metrics["quality_gate"]
    # improvement 1 - 20 / (70 / 3) = 1 / 7, about 0.143
    assert gate["best_baseline"] == "same_weekday_latest"
    assert gate["improvement"] == pytest.approx(1 / 7)
    assert gate["passed"] is passed
    model = metrics["scores"]["model"]
    assert model["mae"] == pytest.approx(20.0)
    assert model["rmse"] == pytest.approx(math.sqrt((100 + 100 + 1600) / 3))
    assert set(metrics["scores"]) == {"model", *BASELINES}
    assert [row["band"] for row in metrics["by_lead"]] == ["1-7", "15+", "all"]


def test_a_holdout_with_nothing_to_score_is_an_error():
    with pytest.raises(ValueError, match="no holdout forecast"):
        holdout_metrics(holdout().iloc[3:], BANDS, 0.1)


def test_fold_scores_by_hand():
    table = fold_scores(holdout())
    assert list(table.columns) == FOLD_COLUMNS
    first, second = table.to_dict("records")
    assert first["origin"] == pd.Timestamp("2020-01-01")
    assert (first["first_day"], first["last_day"]) == (
        pd.Timestamp("2020-01-06"),
        pd.Timestamp("2020-01-07"),
    )
    # +10 and -10: no bias, 10 off; the counts 100 and 200 average 150
    assert (first["forecasts"], first["mean_actual"], first["bias"]) == (2, 150.0, 0.0)
    assert (first["mae"], first["rmse"]) == (10.0, 10.0)
    assert first["r2"] == pytest.approx(1 - 200 / 5000)
    # the second fold's only scored forecast: 40 too high; one count, so no R2
    assert (second["forecasts"], second["bias"], second["mae"]) == (1, 40.0, 40.0)
    assert math.isnan(second["r2"])


def test_fold_scores_of_nothing_scored_is_an_empty_table_with_its_columns():
    table = fold_scores(holdout().iloc[3:])
    assert table.empty and list(table.columns) == FOLD_COLUMNS


def calibrated_holdout() -> pd.DataFrame:
    """holdout() with intervals: the first count inside 90..110, the second outside
    195..199, the third inside 100..200; the second's expected error 30, the others' 10."""
    return holdout().assign(
        expected_abs_error=[10.0, 30.0, 10.0, 10.0],
        lower=[90.0, 195.0, 100.0, 0.0],
        upper=[110.0, 199.0, 200.0, 1.0],
    )


def test_calibrated_by_band_gives_coverage_and_expected_mae_of_calibrated_forecasts():
    frame = calibrated_holdout()
    frame.loc[2, "expected_abs_error"] = np.nan  # the third was not calibrated
    table = calibrated_by_band(frame, BANDS).set_index("band")
    assert table.index.tolist() == ["1-7", "15+", "all"]
    short = table.loc["1-7"]
    assert short["calibrated"] == 2 and short["coverage"] == 0.5
    assert short["expected_mae"] == 20.0 and short["calibrated_mae"] == 10.0
    # 15+: only the last row (calibrated, whatever its baselines): 800 off, outside 0..1
    assert table.loc["15+", "calibrated"] == 1 and table.loc["15+", "coverage"] == 0.0
    assert table.loc["all", "calibrated"] == 3


def test_lead_scores_by_year_scores_all_years_then_each_with_its_coverage():
    table = lead_scores_by_year(calibrated_holdout(), BANDS)
    assert table.columns[0] == "period"
    assert list(zip(table["period"], table["band"], strict=True)) == [
        ("all", "1-7"),
        ("all", "15+"),
        ("all", "all"),
        ("2020", "1-7"),
        ("2020", "all"),
        ("2021", "15+"),
        ("2021", "all"),
    ]
    rows = table.set_index(["period", "band"])
    # over all years: 2 of the 3 scored counts inside their intervals
    assert rows.loc[("all", "all"), "coverage"] == pytest.approx(2 / 3)
    assert rows.loc[("2020", "all"), "model_mae"] == 10.0
    assert rows.loc[("2021", "15+"), "coverage"] == 1.0
    assert rows.loc[("2021", "15+"), "forecasts"] == 1
