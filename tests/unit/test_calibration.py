"""bikeflow.calibration: the expected error and the interval of a forecast, learned from past
forecast errors by lead band, weather and season; thin groups borrow from wider ones; the
backtest calibrated fold by fold from what was known at each fold's origin."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from support.forecast_frames import days, forecasts, settings

from bikeflow.calibration import (
    MIN_FORECASTS,
    CalibrationSettings,
    apply,
    calibrate,
    inside,
    latest,
    ratio_quantiles,
    rolling,
)

CALIBRATED = ["expected_abs_error", "lower", "upper"]


def by_group(calibration: pd.DataFrame) -> dict:
    return {
        (row.band, row.weather, row.season): row._asdict()
        for row in calibration.itertuples(index=False)
    }


def test_settings_from_config_and_the_quantiles_of_the_interval():
    config = {"lead_bands": [7, 14, 28], "interval": 0.8, "calibration_years": 2}
    calibration = CalibrationSettings.from_config(config)
    assert calibration == CalibrationSettings((7, 14, 28), 0.8, 2)
    assert calibration.quantiles == pytest.approx((0.1, 0.9))


def test_relative_mae_and_the_interval_of_a_group_by_hand():
    # 30 January forecasts of 100, half 10 too high, half 10 too low; and one without a
    # forecast (left out, whatever its count)
    errors = pd.concat(
        [
            forecasts(days("2020-01-01", 30), model=100.0, actual=[90, 110]),
            forecasts(["2020-01-31"], model=np.nan, actual=5000),
        ],
        ignore_index=True,
    )
    assert MIN_FORECASTS == 30  # the group is just large enough to stand alone
    row = by_group(calibrate(errors, settings()))[("1-7", "observed", "DJF")]
    assert row["forecasts"] == 30
    assert row["relative_mae"] == pytest.approx(300 / 3000)
    # log((actual + 1) / (forecast + 1)): 15 times 91/101, 15 times 111/101; the 10 % and
    # 90 % quantiles fall inside each half
    assert row["lower_ratio"] == pytest.approx(91 / 101)
    assert row["upper_ratio"] == pytest.approx(111 / 101)


def test_relative_mae_is_the_sum_of_errors_over_the_sum_of_forecasts():
    # 10 off a forecast of 100 and 10 off one of 300: 20 / 400, not the mean of 10 % and 3.3 %
    errors = forecasts(["2020-01-01", "2020-01-02"], model=[100.0, 300.0], actual=[110, 290])
    calibration = calibrate(errors, settings())
    # too few forecasts anywhere: every group (2 bands x 2 weathers x 4 seasons) uses them all
    assert len(calibration) == 16
    assert (calibration["forecasts"] == 2).all()
    assert calibration["relative_mae"].tolist() == pytest.approx([0.05] * 16)


def test_ratio_quantiles_interpolate_between_the_log_ratios():
    group = pd.DataFrame({"ratio": np.log([2.0, 0.5, 1.25, 1.0, 0.8])})
    quantiles = ratio_quantiles(group, settings(interval=0.5))  # 25 % and 75 %: 2nd and 4th
    assert quantiles == pytest.approx({"lower_ratio": 0.8, "upper_ratio": 1.25})
    # halfway between the 1st and the 2nd of five: the geometric mean of 0.5 and 0.8
    halfway = ratio_quantiles(group, settings(interval=0.75))  # 12.5 %: position 0.5
    assert halfway["lower_ratio"] == pytest.approx(math.sqrt(0.5 * 0.8))
    nothing = ratio_quantiles(group.iloc[:0], settings())
    assert math.isnan(nothing["lower_ratio"]) and math.isnan(nothing["upper_ratio"])


def test_a_thin_group_borrows_from_its_band_and_weather_then_its_band_then_all():
    errors = pd.concat(
        [
            # 1-7 days, observed, winter: 30, 10 off 100
            forecasts(days("2020-01-01", 30), model=100.0, actual=[90, 110]),
            # 1-7 days, observed, summer: 5, 50 off
            forecasts(days("2020-07-01", 5), model=100.0, actual=150),
            # 1-7 days, weather unknown, winter: 5, 100 off
            forecasts(days("2020-02-01", 5), model=100.0, actual=200, weather_known=False),
            # 8 days and more, unknown, winter: 10, 30 off
            forecasts(
                days("2020-02-01", 10), model=100.0, actual=70, lead_days=20, weather_known=False
            ),
        ],
        ignore_index=True,
    )
    rows = by_group(calibrate(errors, settings(lead_bands=(7,))))
    # large enough: its own
    assert rows[("1-7", "observed", "DJF")]["forecasts"] == 30
    assert rows[("1-7", "observed", "DJF")]["relative_mae"] == pytest.approx(0.1)
    # 5 in summer: the 35 of its band and weather, every season
    for season in ("JJA", "MAM"):
        assert rows[("1-7", "observed", season)]["forecasts"] == 35
        assert rows[("1-7", "observed", season)]["relative_mae"] == pytest.approx(550 / 3500)
    # 5 with the weather unknown: the 40 of the band
    unknown = rows[("1-7", "unknown", "DJF")]
    assert unknown["forecasts"] == 40 and unknown["relative_mae"] == pytest.approx(1050 / 4000)
    # a band of 10: all 50 forecasts
    late = rows[("8+", "unknown", "DJF")]
    assert late["forecasts"] == 50 and late["relative_mae"] == pytest.approx(1350 / 5000)
    # intervals borrow the same way: 1-7 observed from its 35 (91/101 at 10 %, the summer's
    # 151/101 at 90 %), 1-7 unknown from the band's 40 (the unknown's 201/101 at 90 %)
    observed = rows[("1-7", "observed", "JJA")]
    assert (observed["lower_ratio"], observed["upper_ratio"]) == pytest.approx(
        (91 / 101, 151 / 101)
    )
    assert (unknown["lower_ratio"], unknown["upper_ratio"]) == pytest.approx((91 / 101, 201 / 101))


def test_the_expected_error_is_per_season_and_the_interval_is_not():
    errors = pd.concat(
        [
            forecasts(days("2019-12-17", 30), model=100.0, actual=[90, 110]),  # winter: 10 %
            forecasts(days("2020-07-01", 30), model=100.0, actual=[70, 130]),  # summer: 30 %
        ],
        ignore_index=True,
    )
    rows = by_group(calibrate(errors, settings()))
    seasons = {season: rows[("1-7", "observed", season)] for season in ("DJF", "MAM", "JJA", "SON")}
    assert seasons["DJF"]["relative_mae"] == pytest.approx(0.1)  # December is winter
    assert seasons["JJA"]["relative_mae"] == pytest.approx(0.3)
    assert seasons["MAM"]["relative_mae"] == pytest.approx(0.2)  # none: all 60
    assert seasons["SON"]["forecasts"] == 60
    # one interval for the band and weather, from all 60
    assert len({(row["lower_ratio"], row["upper_ratio"]) for row in seasons.values()}) == 1
    assert seasons["DJF"]["lower_ratio"] == pytest.approx(71 / 101)
    assert seasons["DJF"]["upper_ratio"] == pytest.approx(131 / 101)


def hand_calibration() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("1-7", "observed", "DJF", 30, 0.1, 0.9, 1.2),
            ("1-7", "unknown", "DJF", 30, 0.2, 0.5, 1.5),
            ("8+", "unknown", "JJA", 30, 0.3, 0.4, 2.0),
        ],
        columns=["band", "weather", "season", "forecasts", "relative_mae"]
        + ["lower_ratio", "upper_ratio"],
    )


def test_apply_scales_each_forecast_by_its_own_groups_numbers():
    frame = forecasts(
        ["2020-01-10", "2020-01-10", "2020-07-10", "2020-04-10"],
        model=[199.0, 199.0, 0.0, 199.0],
        actual=0,
        lead_days=[3, 3, 10, 10],
        weather_known=[True, False, False, True],
    ).set_axis([10, 11, 12, 13])
    expected = apply(hand_calibration(), frame, settings())
    assert list(expected.index) == [10, 11, 12, 13]
    # 0.1 x 199; (199 + 1) x 0.9 - 1; (199 + 1) x 1.2 - 1
    assert expected.loc[10].tolist() == pytest.approx([19.9, 179.0, 239.0])
    assert expected.loc[11].tolist() == pytest.approx([39.8, 99.0, 299.0])
    # a forecast of 0: no error expected, and no bound below 0 bicycles
    assert expected.loc[12].tolist() == pytest.approx([0.0, 0.0, 1.0])
    # a group the calibration does not have: nothing made up
    assert expected.loc[13].isna().all()


def folds(unpublished_errors: bool = False) -> pd.DataFrame:
    """Three folds of forecasts of 100, each with its own error: 10 % (origin 2020-01-01,
    winter days), 50 % (2020-04-01, spring) and 90 % (2020-07-01, summer). Each starts the day
    after the last count published on its origin (the counts appear on the 5th, up to the end
    of the month before). With `unpublished_errors`, the first fold also forecasts 1 March to
    6 April (its last runs, to 31 March), 200 % off: counts the second fold's origin has not
    seen (March's appear on 5 May)."""

    def fold(origin, last_count, count, actual):
        dates = days(pd.Timestamp(last_count) + pd.Timedelta(days=1), count)
        lead = (dates - pd.Timestamp(last_count)).days
        return forecasts(
            dates,
            model=100.0,
            actual=actual,
            lead_days=lead,
            origin=pd.Timestamp(origin),
            last_count_day=pd.Timestamp(last_count),
        )

    pieces = [
        fold("2020-01-01", "2019-11-30", 40, [90, 110]),
        fold("2020-04-01", "2020-02-29", 40, [50, 150]),
        fold("2020-07-01", "2020-05-31", 40, [10, 190]),
    ]
    if unpublished_errors:
        late = fold("2020-01-01", "2020-02-29", 37, 300)  # dates 1 March to 6 April
        pieces.insert(1, late.assign(last_count_day=pd.Timestamp("2020-01-31")))
    return pd.concat(pieces, ignore_index=True)


def expected_of(calibrated: pd.DataFrame, origin: str) -> pd.Series:
    return calibrated.loc[calibrated["origin"] == pd.Timestamp(origin), "expected_abs_error"]


def test_rolling_calibrates_each_fold_from_the_folds_before_it_only():
    backtest = folds()
    calibrated = rolling(backtest, settings(lead_bands=(60,)))
    assert calibrated.index.equals(backtest.index)
    assert calibrated[backtest.columns].equals(backtest)
    first = calibrated[calibrated["origin"] == pd.Timestamp("2020-01-01")]
    assert first[CALIBRATED].isna().all().all()  # nothing before it to learn from
    # the second from the first alone (10 %): its own 50 % errors would give 50
    second = calibrated[calibrated["origin"] == pd.Timestamp("2020-04-01")]
    assert second["expected_abs_error"].tolist() == pytest.approx([10.0] * 40)
    assert second["lower"].tolist() == pytest.approx([90.0] * 40)  # 101 x 91/101 - 1
    assert second["upper"].tolist() == pytest.approx([110.0] * 40)
    # the third from the first two: (40 x 10 + 40 x 50) / (80 x 100), not its own 90 %
    assert expected_of(calibrated, "2020-07-01").tolist() == pytest.approx([30.0] * 40)


def test_rolling_never_learns_from_counts_not_yet_published_at_the_folds_origin():
    # The first fold's forecasts of March were scored only when March's counts appeared,
    # on 5 May: at the second fold's origin (1 April) nobody knew how far off they were.
    calibrated = rolling(folds(unpublished_errors=True), settings(lead_bands=(60,)))
    assert expected_of(calibrated, "2020-04-01").tolist() == pytest.approx([10.0] * 40)


def test_rolling_learns_only_from_the_last_years_before_the_origin():
    # 110 days before 1 July is 13 March: the first fold and half the second are too old
    calibrated = rolling(folds(), settings(lead_bands=(60,), years=0.3))
    assert expected_of(calibrated, "2020-07-01").tolist() == pytest.approx([50.0] * 40)


def test_rolling_of_no_forecast_adds_empty_columns():
    calibrated = rolling(folds().iloc[:0], settings())
    assert calibrated.empty and set(CALIBRATED) <= set(calibrated.columns)


def test_latest_learns_from_the_last_years_of_forecasts_only():
    errors = pd.concat(
        [
            forecasts(days("2018-06-01", 40), model=100.0, actual=[50, 150]),  # long ago
            forecasts(days("2020-11-22", 40), model=100.0, actual=[90, 110]),  # to 2020-12-31
        ],
        ignore_index=True,
    )
    calibration = latest(errors, settings(years=1))
    assert calibration["forecasts"].max() == 40
    assert calibration["relative_mae"].tolist() == pytest.approx([0.1] * len(calibration))
    # three years reach back to 2018's summer: its own 50 %, and spring from all 80
    everything = by_group(latest(errors, settings(years=3)))
    assert everything[("1-7", "observed", "JJA")]["relative_mae"] == pytest.approx(0.5)
    assert everything[("1-7", "observed", "MAM")]["relative_mae"] == pytest.approx(0.3)


def test_inside_includes_both_bounds():
    assert inside([79, 80, 100, 120, 121], [80] * 5, [120] * 5).tolist() == [
        False,
        True,
        True,
        True,
        False,
    ]
