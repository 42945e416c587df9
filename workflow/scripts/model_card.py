"""Rule model_card: the Markdown model card, from the metrics, backtest and importance."""

import json

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.logs import log_to
from bikeflow.model_card import model_card

log = log_to(snakemake.log[0], "model_card")

with open(snakemake.input.metrics, encoding="utf-8") as handle:
    metrics = json.load(handle)
folds = pd.read_csv(
    snakemake.input.folds, dtype={"origin": str, "test_start": str, "test_end": str}
)
importance = pd.read_csv(snakemake.input.importance)
write_text(snakemake.output[0], model_card(metrics, folds, importance))
log.info(
    "model card written; quality gate %s",
    "passed" if metrics["quality_gate"]["passed"] else "FAILED",
)
