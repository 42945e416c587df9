"""Rule backtest: rolling-origin evaluation, one fold per origin, folds in parallel."""

from bikeflow.atomic import write_text
from bikeflow.features import Features
from bikeflow.formats import csv_text, iso, rounded_columns
from bikeflow.logs import log_to
from bikeflow.model import backtest
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "backtest")
params = snakemake.params

per_day, folds, skipped = backtest(
    read_table(snakemake.input.daily),
    target=params.target,
    features=Features.from_config(params.features),
    horizon_days=params.horizon_days,
    regressor=params.regressor,
    random_state=params.random_state,
    first_origin=params.backtest["first_origin"],
    step_months=params.backtest["step_months"],
    fold_days=params.backtest["horizon_days"],
    n_jobs=snakemake.threads,
)
per_day["actual"] = per_day["actual"].astype("int64")
per_day["predicted"] = per_day["predicted"].astype(float).round(1)
folds = rounded_columns(folds, ["mean_actual", "bias", "mae", "rmse", "r2"])
write_text(snakemake.output.days, csv_text(per_day))
write_text(snakemake.output.folds, csv_text(folds))

for fold in skipped:
    log.warning(
        "origin %s skipped: %d usable training days, %d usable days from %s to %s",
        iso(fold.origin),
        fold.train.sum(),
        fold.test.sum(),
        iso(fold.origin),
        iso(fold.test_end),
    )
for fold in folds.itertuples():
    log.info(
        "fold %s: %d test days, MAE %.1f, bias %.1f", fold.origin, fold.rows, fold.mae, fold.bias
    )
log.info("%d folds on %d threads", len(folds), snakemake.threads)
