"""Rule permutation_importance: how much each input column matters on the scored holdout."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.features import Features, dates_of, feature_frame, target_values
from bikeflow.formats import csv_text, rounded_columns
from bikeflow.logs import log_to
from bikeflow.model import TRUSTED_TYPES, importance_table
from bikeflow.persistence import load_model
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "permutation_importance")
params = snakemake.params

model = load_model(snakemake.input.model, trusted=TRUSTED_TYPES)
daily = read_table(snakemake.input.daily)
scored = pd.to_datetime(pd.read_csv(snakemake.input.predictions, usecols=["date"])["date"])
rows = dates_of(daily).isin(scored)
# Features from the whole table first: a day's history features read the days before it.
features = feature_frame(
    daily,
    Features.from_config(params.features),
    target=params.target,
    horizon_days=params.horizon_days,
)
table = importance_table(
    model,
    features[rows],
    target_values(daily[rows], params.target).to_numpy(),
    repeats=params.repeats,
    random_state=params.random_state,
)
write_text(
    snakemake.output[0], csv_text(rounded_columns(table, ["importance_mean", "importance_std"]))
)
log.info(
    "%d holdout days, %d repeats; most important: %s",
    rows.sum(),
    params.repeats,
    ", ".join(table["feature"].head(3)),
)
