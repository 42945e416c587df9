"""Promotion: a retrained model replaces the published one only when it has earned it.

The candidate must pass the quality gate, and must not be worse than the published model on
the same recent days: both models' holdout forecasts (each made by a model trained before its
holdout, issued as the live forecasts are) are compared on the (issue, day) pairs both made.
`tolerance` is the refit's own noise: a candidate up to that much worse still counts as not
worse. With no published model, or no pair in common, the gate alone decides. A candidate
held back stays in results/model/candidate/ for inspection; the published model keeps
serving.
"""

from __future__ import annotations

import math

import pandas as pd

from bikeflow.evaluation import mae
from bikeflow.quality_gate import sentence

PAIR = ["issue_date", "date"]


def compare(candidate: pd.DataFrame, published: pd.DataFrame) -> dict | None:
    """Both holdouts' MAE on the pairs both forecast (with a count), or None if none."""
    both = candidate.merge(published, on=PAIR, suffixes=("_candidate", "_published"))
    both = both.dropna(subset=["actual_candidate", "model_candidate", "model_published"])
    if both.empty:
        return None
    candidate_mae = mae(both["model_candidate"], both["actual_candidate"])
    published_mae = mae(both["model_published"], both["actual_candidate"])
    return {
        "forecasts": len(both),
        "first_day": str(both["date"].min())[:10],
        "last_day": str(both["date"].max())[:10],
        "candidate_mae": candidate_mae,
        "published_mae": published_mae,
        "change": candidate_mae / published_mae - 1 if published_mae > 0 else None,
    }


def decide(
    gate: dict, candidate: pd.DataFrame, published: pd.DataFrame | None, tolerance: float
) -> dict:
    """promoted (bool), why (a sentence for people) and the comparison behind it."""
    comparison = None if published is None else compare(candidate, published)
    if not gate["passed"]:
        promoted, why = False, f"it failed the quality gate. {sentence(gate)}"
    elif published is None:
        promoted, why = True, "it passed the quality gate and no model was published before."
    elif comparison is None:
        promoted, why = (
            True,
            (
                "it passed the quality gate; the published model's holdout shares no forecast "
                "with it, so the gate alone decided."
            ),
        )
    else:
        change = comparison["change"]
        if change is None:  # the published model was exact: only an exact candidate equals it
            change = 0.0 if comparison["candidate_mae"] == 0 else math.inf
        # at the tolerance is not worse, whatever the rounding (1.02 - 1 > 0.02 in floats)
        promoted = change <= tolerance or math.isclose(change, tolerance)
        verdict = "no worse than" if promoted else "worse than"
        why = (
            f"its MAE on the {comparison['forecasts']:,} holdout forecasts both models made "
            f"({comparison['first_day']} to {comparison['last_day']}) is "
            f"{comparison['candidate_mae']:,.1f} against the published model's "
            f"{comparison['published_mae']:,.1f} ({change:+.1%}; up to {tolerance:+.0%} "
            f"counts as not worse): {verdict} the published model."
        )
    return {"promoted": promoted, "why": why, "tolerance": tolerance, "comparison": comparison}


def headline(decision: dict) -> str:
    if decision["promoted"]:
        return f"Candidate model promoted: {decision['why']}"
    return (
        f"CANDIDATE HELD BACK: {decision['why']} The published model keeps serving; the "
        "candidate is kept in results/model/candidate/ for inspection."
    )


def made_again(kept: dict, model_sha256: str) -> dict:
    """The decision when the candidate is the published model, made again (a forced run, a
    change that did not change it): the decision that published it stands; one about
    another candidate (held back since) no longer does, since the latest candidate is now
    the model that serves."""
    if kept.get("candidate", {}).get("model_sha256") == model_sha256:
        return kept
    return {
        "promoted": True,
        "why": "it is the published model, made again: there was nothing to decide.",
        "tolerance": kept.get("tolerance"),
        "comparison": None,
    }
