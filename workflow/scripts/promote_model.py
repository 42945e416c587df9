"""Rule promote_model: the candidate replaces the published model (with its metrics, holdout
forecasts and calibration) only if it passed the quality gate and is not worse than the
published model on the holdout forecasts both made; otherwise the published model keeps
serving. The published files are update() outputs: Snakemake leaves them in place for this
script to keep or replace, and restores them if the job fails."""

import json
import shutil
from pathlib import Path

import pandas as pd

from bikeflow.atomic import atomic_path, write_text
from bikeflow.formats import file_sha256, json_text
from bikeflow.logs import fail, log_to
from bikeflow.promotion import decide, headline

log = log_to(snakemake.log[0], "promote_model")
candidate, published = snakemake.input, snakemake.output
PARTS = ["model", "metrics", "holdout", "calibration"]


def read_holdout(path):
    return pd.read_csv(path, parse_dates=["issue_date", "date"]) if Path(path).exists() else None


candidate_metrics = json.loads(Path(candidate.metrics).read_text(encoding="utf-8"))
served = Path(published.model).exists()
decision = decide(
    candidate_metrics["quality_gate"],
    read_holdout(candidate.holdout),
    read_holdout(published.holdout) if served else None,
    snakemake.params.tolerance,
)
if decision["promoted"]:
    for part in PARTS:
        with atomic_path(published[part]) as tmp:
            shutil.copyfile(candidate[part], tmp)
elif not served:
    fail(
        log,
        f"{headline(decision)} No model was published before, so there is none to serve: no "
        "forecast can be issued until a candidate passes the gate (see the model settings in "
        "config/README.md).",
    )

record = {
    "promoted": decision["promoted"],
    "why": decision["why"],
    "tolerance": decision["tolerance"],
    "comparison": decision["comparison"],
    "candidate": {"path": "results/model/candidate/", "model_sha256": file_sha256(candidate.model)},
    "published": {"path": "results/model/", "model_sha256": file_sha256(published.model)},
}
metrics = json.loads(Path(published.metrics).read_text(encoding="utf-8"))
metrics["promotion"] = record
write_text(published.metrics, json_text(metrics))
write_text(published.decision, json_text(record))
(log.info if decision["promoted"] else log.warning)("%s", headline(decision))
