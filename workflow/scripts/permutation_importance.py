"""Rule permutation_importance: how much each input column matters on the scored holdout."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.logs import log_to
from bikeflow.model import (
    TRUSTED_TYPES,
    Features,
    csv_text,
    dates_of,
    feature_frame,
    importance_table,
    rounded_columns,
    target_values,
)
from bikeflow.persistence import load_model
from bikeflow.tables import read_table

log = log_to(snakemake.log[0], "permutation_importance")
params = snakemake.params

model = load_model(snakemake.input.model, trusted=TRUSTED_TYPES)
daily = read_table(snakemake.input.daily)
scored = pd.to_datetime(pd.read_csv(snakemake.input.predictions, usecols=["date"])["date"])
rows = dates_of(daily).isin(scored)
table = importance_table(
    model,
    feature_frame(daily[rows], Features.from_config(params.features)),
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
