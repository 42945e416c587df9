"""Rule permutation_importance: how much each input matters to the published model, on its
holdout forecasts (one issue a week, as issued: the model's inputs as known then)."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.features import Days, ModelSettings, feature_frame
from bikeflow.formats import csv_text, rounded_columns
from bikeflow.logs import log_to
from bikeflow.model import TRUSTED_TYPES, importance_table
from bikeflow.persistence import load_model
from bikeflow.table_io import read_table

# One issue a week: the shuffles predict every forecast `repeats` times per column, and a
# week apart the issues still cover every lead and season of the holdout.
ISSUES_APART = 7

log = log_to(snakemake.log[0], "permutation_importance")
params = snakemake.params
settings = ModelSettings.from_config(params.model)

dates = ["issue_date", "last_count_day", "last_weather_day", "date"]
holdout = pd.read_csv(snakemake.input.holdout, parse_dates=dates)
weekly = sorted(holdout["issue_date"].unique())[::ISSUES_APART]
pairs = holdout[holdout["issue_date"].isin(weekly)].reset_index(drop=True)
days = Days.from_daily(read_table(snakemake.input.daily), settings)
table = importance_table(
    load_model(snakemake.input.model, trusted=TRUSTED_TYPES),
    feature_frame(days, pairs, settings.features),
    pairs["actual"].to_numpy(dtype=float),
    repeats=params.repeats,
    random_state=settings.random_state,
)
write_text(
    snakemake.output[0], csv_text(rounded_columns(table, ["importance_mean", "importance_std"]))
)
log.info(
    "%d forecasts of %d issues, %d repeats; most important: %s",
    len(pairs),
    len(weekly),
    params.repeats,
    ", ".join(table["feature"].head(3)),
)
