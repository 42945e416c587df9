"""Rule backtest: the model refitted every few months over the history, each fold issuing
forecasts on every run day until the next refit as the live forecasts are issued; scored by
fold, by lead band and year, and by month (the live-error alarm's timeline), each forecast
calibrated from the folds before it; and the calibration the next published forecasts get."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.calibration import CalibrationSettings, latest, rolling
from bikeflow.evaluation import fold_scores, lead_scores_by_year
from bikeflow.features import Days, ModelSettings
from bikeflow.formats import csv_text, rounded_columns
from bikeflow.live_error import timeline
from bikeflow.logs import fail, log_to
from bikeflow.model import backtest, backtest_folds
from bikeflow.publication import Publication
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "backtest")
params = snakemake.params
settings = ModelSettings.from_config(params.model)
publication = Publication.from_config(
    **params.publication, days_ahead=params.forecasts["days_ahead"]
)
calibration = CalibrationSettings.from_config(params.forecasts)
days = Days.from_daily(read_table(snakemake.input.daily), settings)
bands = list(calibration.lead_bands)

folds = backtest_folds(days, publication, **params.backtest)
if not folds:
    fail(
        log,
        f"No backtest fold has history before it: the daily table runs {days.start.date()} to "
        f"{days.last.date()}, and a fold (every evaluation.backtest.step_months from "
        f"evaluation.backtest.first_origin: {params.backtest['first_origin']}) needs "
        "training days before its origin. Is the overlap of the sources too short?",
    )
forecasts, training_rows = backtest(days, publication, settings, folds, n_jobs=snakemake.threads)
forecasts = rolling(forecasts, calibration)

trained = pd.DataFrame(
    {
        "origin": [fold.origin for fold in folds],
        "train_until": [fold.train_until for fold in folds],
        "train_rows": training_rows,
    }
)
by_fold = trained.merge(fold_scores(forecasts), on="origin")
month_ends = pd.date_range(forecasts["date"].min(), forecasts["date"].max(), freq="ME")
months = timeline(forecasts.rename(columns={"model": "forecast"}), month_ends, params.window_days)

rounded = ["mean_actual", "bias", "mae", "rmse", "r2"]
write_text(snakemake.output.folds, csv_text(rounded_columns(by_fold, rounded)))
write_text(snakemake.output.leads, csv_text(lead_scores_by_year(forecasts, bands).round(4)))
write_text(snakemake.output.months, csv_text(months.round(4)))
write_text(snakemake.output.calibration, csv_text(latest(forecasts, calibration).round(4)))

for fold in by_fold.itertuples():
    log.info(
        "fold %s: %d forecasts, MAE %.1f, bias %.1f",
        fold.origin,
        fold.forecasts,
        fold.mae,
        fold.bias,
    )
log.info("%d folds, %d forecasts, on %d threads", len(folds), len(forecasts), snakemake.threads)
