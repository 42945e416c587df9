"""bikeflow.promotion: a candidate replaces the published model only when it passed the gate
and is not worse on the holdout forecasts both made; each decision says why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bikeflow.promotion import compare, decide, headline, made_again
from bikeflow.quality_gate import quality_gate, sentence

PASSED = quality_gate(80.0, {"latest_day": 100.0}, 0.10)
FAILED = quality_gate(95.0, {"latest_day": 100.0}, 0.10)


def holdout(rows: list[tuple]) -> pd.DataFrame:
    """Holdout forecasts as promote_model reads them: (issue date, day, count, forecast)."""
    frame = pd.DataFrame(rows, columns=["issue_date", "date", "actual", "model"])
    return frame.assign(
        issue_date=pd.to_datetime(frame["issue_date"]), date=pd.to_datetime(frame["date"])
    )


def candidate() -> pd.DataFrame:
    return holdout(
        [
            ("2020-03-04", "2020-03-01", 1000, 1500),  # the published model has no such pair
            ("2020-03-04", "2020-03-02", 1000, 1010),
            ("2020-03-04", "2020-03-03", 1000, 990),
            ("2020-03-04", "2020-03-04", np.nan, 1000),  # no count
        ]
    )


def published(off: float = 20) -> pd.DataFrame:
    return holdout(
        [
            ("2020-03-04", "2020-03-02", 1000, 1000 + off),
            ("2020-03-04", "2020-03-03", 1000, 1000 - off),
            ("2020-03-04", "2020-03-04", np.nan, 5000),
            ("2020-03-05", "2020-03-05", 1000, 3000),  # the candidate has no such pair
        ]
    )


def test_compare_only_the_pairs_both_models_forecast_with_a_count():
    assert compare(candidate(), published()) == {
        "forecasts": 2,
        "first_day": "2020-03-02",
        "last_day": "2020-03-03",
        "candidate_mae": 10.0,
        "published_mae": 20.0,
        "change": -0.5,
    }


def test_compare_without_a_common_pair_is_none():
    assert compare(candidate(), published().iloc[3:]) is None
    # the same day issued on another date is another pair
    other_issue = published().assign(issue_date=pd.Timestamp("2020-03-03"))
    assert compare(candidate(), other_issue) is None


def test_a_candidate_that_failed_the_gate_is_held_back_whatever_the_comparison():
    decision = decide(FAILED, candidate(), published(), 0.02)
    assert not decision["promoted"]
    assert decision["why"] == f"it failed the quality gate. {sentence(FAILED)}"
    assert decision["comparison"]["candidate_mae"] == 10.0  # better, and still held back
    assert headline(decision) == (
        f"CANDIDATE HELD BACK: it failed the quality gate. {sentence(FAILED)} The published "
        "model keeps serving; the candidate is kept in results/model/candidate/ for inspection."
    )


def test_with_no_published_model_the_gate_alone_decides():
    decision = decide(PASSED, candidate(), None, 0.02)
    assert decision == {
        "promoted": True,
        "why": "it passed the quality gate and no model was published before.",
        "tolerance": 0.02,
        "comparison": None,
    }
    assert headline(decision) == (
        "Candidate model promoted: it passed the quality gate and no model was published before."
    )
    assert not decide(FAILED, candidate(), None, 0.02)["promoted"]


def test_with_no_forecast_in_common_the_gate_alone_decides():
    decision = decide(PASSED, candidate(), published().iloc[3:], 0.02)
    assert decision["promoted"] and decision["comparison"] is None
    assert decision["why"] == (
        "it passed the quality gate; the published model's holdout shares no forecast with it, "
        "so the gate alone decided."
    )


def test_a_candidate_better_on_the_common_forecasts_is_promoted_and_says_by_how_much():
    decision = decide(PASSED, candidate(), published(off=20), 0.02)
    assert decision["promoted"]
    assert decision["why"] == (
        "its MAE on the 2 holdout forecasts both models made (2020-03-02 to 2020-03-03) is 10.0 "
        "against the published model's 20.0 (-50.0%; up to +2% counts as not worse): no worse "
        "than the published model."
    )


def test_a_candidate_worse_on_the_common_forecasts_is_held_back():
    decision = decide(PASSED, candidate(), published(off=5), 0.02)
    assert not decision["promoted"]
    assert decision["why"].endswith(
        "is 10.0 against the published model's 5.0 (+100.0%; up to +2% counts as not worse): "
        "worse than the published model."
    )
    assert headline(decision).startswith("CANDIDATE HELD BACK: its MAE on the 2 holdout")


@pytest.mark.parametrize(
    ("candidate_off", "promoted"),
    [
        (101.0, True),  # 1 % worse: within the tolerance
        (102.0, True),  # exactly 2 % worse: at the tolerance, not worse
        (102.1, False),  # beyond it
    ],
)
def test_a_candidate_up_to_the_tolerance_worse_counts_as_not_worse(candidate_off, promoted):
    worse = candidate().assign(model=1000 + candidate_off)
    decision = decide(PASSED, worse, published(off=100), 0.02)
    assert decision["promoted"] is promoted
    assert decision["comparison"]["change"] == pytest.approx(candidate_off / 100 - 1)


def test_a_candidate_that_misses_where_the_published_model_was_exact_is_held_back():
    decision = decide(PASSED, candidate(), published(off=0), 0.02)
    assert decision["comparison"]["published_mae"] == 0.0
    assert decision["comparison"]["change"] is None
    assert not decision["promoted"]
    assert decision["why"].endswith(
        "(+inf%; up to +2% counts as not worse): worse than the published model."
    )


def test_two_exact_models_are_equal_and_the_candidate_is_promoted():
    exact = candidate().assign(model=1000.0)
    decision = decide(PASSED, exact, published(off=0), 0.02)
    assert decision["promoted"]
    assert "no worse than the published model." in decision["why"]


def test_the_published_model_made_again_keeps_the_decision_that_published_it():
    kept = {
        "promoted": True,
        "why": "it passed the quality gate.",
        "candidate": {"model_sha256": "a"},
    }
    assert made_again(kept, "a") == kept


def test_the_published_model_made_again_after_a_hold_back_is_the_latest_candidate_again():
    """The held-back candidate is gone: the latest candidate is the model that serves."""
    held_back = {
        "promoted": False,
        "why": "it failed the quality gate.",
        "tolerance": 0.02,
        "candidate": {"model_sha256": "b"},
    }
    decision = made_again(held_back, "a")
    assert decision["promoted"] is True
    assert decision["why"] == "it is the published model, made again: there was nothing to decide."
    assert decision["tolerance"] == 0.02
