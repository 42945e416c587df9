"""The quality gate: the model must beat the best naive baseline by a margin.

The verdict is data (the numbers it was decided on, stored in metrics.json); `sentence`
turns it into words wherever people read it (the run's log, the model card, the results
index), so no reader has to take a message apart to get a number back. No scikit-learn
here: the index reads the verdict in an environment without it.
"""

from __future__ import annotations

import math


def quality_gate(model_mae: float, baseline_maes: dict[str, float], min_improvement: float) -> dict:
    """Compare the model's MAE with the best (lowest-MAE) baseline's.

    improvement = 1 - mae_model / mae_best_baseline (None when that MAE is 0); passed when
    it is at least `min_improvement`.
    """
    best = min(sorted(baseline_maes), key=lambda name: baseline_maes[name])
    best_mae = baseline_maes[best]
    improvement = 1 - model_mae / best_mae if best_mae > 0 else None
    passed = improvement is not None and (
        improvement >= min_improvement or math.isclose(improvement, min_improvement)
    )
    return {
        "passed": passed,
        "model_mae": model_mae,
        "best_baseline": best,
        "best_baseline_mae": best_mae,
        "improvement": improvement,
        "min_improvement": min_improvement,
    }


def sentence(gate: dict) -> str:
    """The verdict in words: what was compared, by how much, and what the gate asks for."""
    wanted = f"the gate asks for at least {gate['min_improvement']:.0%} better"
    best, best_mae = gate["best_baseline"], gate["best_baseline_mae"]
    improvement = gate["improvement"]
    if improvement is None:
        return f"The best baseline ({best}) has an MAE of 0; {wanted}."
    if gate["passed"]:
        return (
            f"The model's holdout MAE ({gate['model_mae']:.1f}) is {improvement:.1%} below the "
            f"best baseline's ({best}, {best_mae:.1f}); {wanted}."
        )
    relation = "below" if improvement >= 0 else "above"
    return (
        f"The model's holdout MAE ({gate['model_mae']:.1f}) is only {abs(improvement):.1%} "
        f"{relation} the best baseline's ({best}, {best_mae:.1f}); {wanted}. Do not rely on "
        "this model's forecasts."
    )


def headline(gate: dict) -> str:
    """The verdict as a log line or a warning: FAILED in capitals, then the sentence."""
    lead = "Quality gate passed:" if gate["passed"] else "QUALITY GATE FAILED:"
    return f"{lead} {sentence(gate)}"
