"""Rule promote_model: the candidate replaces the published model (with its metrics, holdout
forecasts and calibration) only if it passed the quality gate and is not worse than the
published model on the holdout forecasts both made; otherwise the published model keeps
serving. Every output is an update() output: Snakemake leaves them in place for this script
to keep or replace, and restores them if the job fails."""

import json
import shutil
from pathlib import Path

import pandas as pd

from bikeflow.atomic import atomic_path, write_text
from bikeflow.formats import file_sha256, json_text
from bikeflow.logs import fail, log_to
from bikeflow.promotion import decide, headline, made_again

log = log_to(snakemake.log[0], "promote_model")
candidate, published = snakemake.input, snakemake.output
EVALUATION = ["metrics", "holdout", "calibration"]


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_holdout(path):
    return pd.read_csv(path, parse_dates=["issue_date", "date"])


def copy(parts) -> None:
    """The candidate's `parts` over the published ones."""
    for part in parts:
        with atomic_path(published[part]) as tmp:
            shutil.copyfile(candidate[part], tmp)


def record(decision: dict) -> None:
    """The decision, in results/model/promotion.json and in the published metrics."""
    metrics = read_json(published.metrics)
    metrics["promotion"] = decision
    write_text(published.metrics, json_text(metrics))
    write_text(published.decision, json_text(decision))


def models() -> dict:
    """Where the two models are, and which each is."""
    return {
        "candidate": {"path": "results/model/candidate/", "model_sha256": model_sha256},
        "published": {"path": "results/model/", "model_sha256": file_sha256(published.model)},
    }


# Served: a model published by this workflow (all of its parts), not one of an older layout.
served = all(Path(published[part]).exists() for part in ["model", *EVALUATION, "decision"])
model_sha256 = file_sha256(candidate.model)
if served and model_sha256 == file_sha256(published.model):
    # The same model made again: nothing to decide; its evaluation is brought up to date.
    copy(EVALUATION)
    record(made_again(read_json(published.decision), model_sha256) | models())
    log.info("the candidate is the published model: nothing to decide")
    raise SystemExit(0)

decision = decide(
    read_json(candidate.metrics)["quality_gate"],
    read_holdout(candidate.holdout),
    read_holdout(published.holdout) if served else None,
    snakemake.params.tolerance,
)
if not decision["promoted"] and not served:
    fail(
        log,
        f"{headline(decision)} No model was published before, so there is none to serve: no "
        "forecast can be issued until a candidate passes the gate (see the model settings in "
        "config/README.md).",
    )
if decision["promoted"]:
    copy(["model", *EVALUATION])
record(decision | models())
(log.info if decision["promoted"] else log.warning)("%s", headline(decision))
