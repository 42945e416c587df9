"""Rule model_card: the Markdown model card, from the metrics, backtest, importance and the
drift monitor's backtest."""

import json

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.logs import log_to
from bikeflow.model_card import model_card

log = log_to(snakemake.log[0], "model_card")


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


metrics = read_json(snakemake.input.metrics)
folds = pd.read_csv(
    snakemake.input.folds, dtype={"origin": str, "test_start": str, "test_end": str}
)
importance = pd.read_csv(snakemake.input.importance)
monitor = read_json(snakemake.input.monitor)
write_text(snakemake.output[0], model_card(metrics, folds, importance, monitor))
log.info(
    "model card written; quality gate %s",
    "passed" if metrics["quality_gate"]["passed"] else "FAILED",
)
