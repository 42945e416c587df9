"""Rule model_card: the Markdown model card, from the published model's metrics, the
backtest, the importance and the monitors' backtests."""

import json
from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.logs import log_to
from bikeflow.model_card import Words, model_card

log = log_to(snakemake.log[0], "model_card")
inputs = snakemake.input


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


metrics = read_json(inputs.metrics)
card = model_card(
    metrics,
    pd.read_csv(inputs.leads, dtype={"period": str, "band": str}),
    pd.read_csv(inputs.folds, dtype={"origin": str, "train_until": str}),
    pd.read_csv(inputs.importance),
    read_json(inputs.drift_monitor),
    read_json(inputs.live_monitor),
    Words(
        counter=snakemake.params.dataset["counter"],
        weather_station=snakemake.params.dataset["weather_station"],
        counts=snakemake.params.counts,
        counter_issues=snakemake.params.counter_issues or None,
    ),
)
write_text(snakemake.output[0], card)
log.info(
    "model card written; quality gate %s",
    "passed" if metrics["quality_gate"]["passed"] else "FAILED",
)
