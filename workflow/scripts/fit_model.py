"""Rule fit_model: fit the model on the training days, score it and the baselines on the
holdout, apply the quality gate and save the model (skops)."""

from pathlib import Path

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage, holdout_problem
from bikeflow.features import BASELINES, Features
from bikeflow.formats import csv_text, json_text
from bikeflow.logs import fail, log_to
from bikeflow.model import fit_and_evaluate
from bikeflow.persistence import save_model
from bikeflow.quality_gate import headline
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "fit_model")
params = snakemake.params
coverage = Coverage.from_json(Path(snakemake.input.coverage).read_text(encoding="utf-8"))
if (problem := holdout_problem(coverage, params.holdout_months)) is not None:
    fail(log, problem)

try:
    evaluation = fit_and_evaluate(
        read_table(snakemake.input.daily),
        target=params.target,
        features=Features.from_config(params.features),
        horizon_days=params.horizon_days,
        holdout_months=params.holdout_months,
        regressor=params.regressor,
        random_state=params.random_state,
        min_improvement=params.min_improvement,
    )
except ValueError as error:
    fail(log, f"cannot fit the model: {error}")

metrics = evaluation.metrics
predictions = evaluation.predictions.round(dict.fromkeys(["model", *BASELINES], 1))
predictions["actual"] = predictions["actual"].astype("int64")
save_model(evaluation.model, snakemake.output.model)
write_text(snakemake.output.metrics, json_text(metrics))
write_text(snakemake.output.predictions, csv_text(predictions))

log.info(
    "trained on %d days (%s to %s); holdout %d days from %s",
    metrics["training"]["rows"],
    metrics["training"]["start"],
    metrics["training"]["end"],
    metrics["holdout"]["rows"],
    metrics["holdout"]["start"],
)
for name, score in metrics["scores"].items():
    log.info("holdout %s: MAE %.1f, RMSE %.1f, R2 %.3f", name, *score.values())
gate = metrics["quality_gate"]
if gate["passed"]:
    log.info("%s", headline(gate))
else:
    log.warning("%s", headline(gate))  # starts with QUALITY GATE FAILED
