"""bikeflow.quality_gate: the model against the best baseline, as fields and in words."""

from __future__ import annotations

import pytest

from bikeflow.quality_gate import headline, quality_gate, sentence


def test_quality_gate_passes_against_the_best_baseline():
    gate = quality_gate(80.0, {"a": 120.0, "b": 100.0}, 0.10)
    assert gate["best_baseline"] == "b"
    assert gate["improvement"] == pytest.approx(0.2)
    assert gate["passed"] and gate["model_mae"] == 80.0 and gate["best_baseline_mae"] == 100.0
    assert headline(gate) == (
        "Quality gate passed: The model's holdout MAE (80.0) is 20.0% below the best "
        "baseline's (b, 100.0); the gate asks for at least 10% better."
    )


@pytest.mark.parametrize(("model_mae", "improvement"), [(95.0, 0.05), (130.0, -0.3)])
def test_quality_gate_fails_loudly(model_mae, improvement):
    gate = quality_gate(model_mae, {"a": 100.0, "b": 150.0}, 0.10)
    assert gate["improvement"] == pytest.approx(improvement)
    assert not gate["passed"]
    assert headline(gate).startswith("QUALITY GATE FAILED:")
    assert "(a, 100.0)" in sentence(gate) and "Do not rely" in sentence(gate)


def test_quality_gate_against_a_perfect_baseline_fails_and_says_why():
    gate = quality_gate(10.0, {"a": 0.0}, 0.10)
    assert not gate["passed"] and gate["improvement"] is None
    assert (
        sentence(gate)
        == "The best baseline (a) has an MAE of 0; the gate asks for at least 10% better."
    )


def test_quality_gate_exactly_at_the_threshold_passes():
    assert quality_gate(90.0, {"a": 100.0}, 0.10)["passed"]
