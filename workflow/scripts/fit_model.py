"""Rule fit_model: the candidate model. Evaluated on the holdout as the live forecasts are
(issued on every run day from the counts published by then), gated against the baselines,
then refitted on every usable day and saved (skops) for promote_model to judge."""

from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage, holdout_problem, holdout_start
from bikeflow.evaluation import holdout_metrics
from bikeflow.features import Days, ModelSettings
from bikeflow.formats import csv_text, iso, json_text
from bikeflow.logs import fail, log_to
from bikeflow.model import fit, fold_at, run_fold
from bikeflow.persistence import save_model
from bikeflow.publication import Publication
from bikeflow.quality_gate import headline
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "fit_model")
params = snakemake.params
coverage = Coverage.from_json(Path(snakemake.input.coverage).read_text(encoding="utf-8"))
if (problem := holdout_problem(coverage, params.holdout_months)) is not None:
    fail(log, problem)

settings = ModelSettings.from_config(params.model)
publication = Publication.from_config(**params.publication, days_ahead=params.days_ahead)
daily = read_table(snakemake.input.daily)
days = Days.from_daily(daily, settings)
last_day = pd.Timestamp(coverage.common[1])
try:
    holdout = fold_at(
        holdout_start(coverage.common[1], params.holdout_months), last_day, publication
    )
    forecasts, _ = run_fold(days, holdout, publication, settings)
    evaluation = holdout_metrics(
        forecasts, params.lead_bands, params.quality_gate["min_improvement"]
    )
    model, training_rows = fit(days, last_day, publication, settings)
except ValueError as error:
    fail(log, f"cannot fit the model: {error}")

usable = days.table["target"].notna()
metrics = {
    "target": settings.target,
    "features": settings.features.as_dict(),
    "level": settings.level,
    "regressor": {"name": "HistGradientBoostingRegressor", **settings.regressor},
    "publication": params.publication,
    "days_ahead": publication.days_ahead,
    "daily_table": {
        "start": iso(days.start),
        "end": iso(last_day),
        "days": len(daily),
        "usable_days": int(usable.sum()),
    },
    "training": {"until": iso(last_day), "rows": training_rows},
    "holdout": {
        "months": params.holdout_months,
        "start": iso(holdout.origin),
        "end": iso(last_day),
        "trained_until": iso(holdout.train_until),
        "issues": int(forecasts["issue_date"].nunique()),
        "forecasts": len(forecasts),
        "rows_note": "Every (issue, day) forecast the holdout's run days would have issued, "
        "scored where the day's count is usable; model and baselines on the same forecasts.",
    },
    **evaluation,
}
save_model(model, snakemake.output.model)
write_text(snakemake.output.metrics, json_text(metrics))
write_text(snakemake.output.holdout, csv_text(forecasts.round(1)))

log.info(
    "holdout %s to %s: %d issues, %d forecasts, model trained until %s",
    metrics["holdout"]["start"],
    metrics["holdout"]["end"],
    metrics["holdout"]["issues"],
    metrics["holdout"]["forecasts"],
    metrics["holdout"]["trained_until"],
)
for row in evaluation["by_lead"]:
    log.info(
        "lead %s days: %d forecasts, model MAE %.1f, best baseline %s %.1f, improvement %s",
        row["band"],
        row["forecasts"],
        row["model_mae"],
        row["best_baseline"],
        row[f"{row['best_baseline']}_mae"],
        f"{row['improvement']:.1%}" if row["improvement"] is not None else "n/a",
    )
gate = evaluation["quality_gate"]
(log.info if gate["passed"] else log.warning)("%s", headline(gate))
log.info("candidate refitted on %d simulated forecasts up to %s", training_rows, iso(last_day))
