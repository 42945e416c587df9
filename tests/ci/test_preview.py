"""ci/preview.py: what a pull request would change, as people read it in its comment: its
metrics against its base's, the rules that re-ran, the figures whose bytes differ."""

from __future__ import annotations

import json
import re

from support.gitrepo import Repository

from ci.handover import Preview, decode
from ci.preview import (
    capped,
    figure_changes,
    figures_section,
    lead_table,
    metrics_diff,
    metrics_table,
    preview,
    promotion_text,
    rules_section,
)


def rows(table: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in table.splitlines()[4:]
        if line.startswith("|")
    ]


def test_each_score_beside_the_bases_with_the_change():
    before = {"model": {"mae": 1500.0, "r2": 0.8}, "latest_day": {"mae": 2100.0}}
    after = {"model": {"mae": 1400.0, "r2": 0.8125}, "latest_day": {"mae": 2100.0}}
    table = metrics_table(before, after, "origin/main")
    assert table.startswith("## Metrics: this change against `origin/main`\n")
    assert rows(table) == [
        ["model", "mae", "1500", "1400", "-100"],
        ["model", "r2", "0.8", "0.8125", "+0.0125"],
        ["latest_day", "mae", "2100", "2100", "+0"],
    ]


def test_a_model_or_metric_new_in_the_change_has_no_base_value():
    after = {"model": {"mae": 1400.0, "mape": 0.12}, "seasonal_mean": {"mae": 2300.0}}
    table = metrics_table({"model": {"mae": 1500.0}}, after, "origin/main")
    assert rows(table) == [
        ["model", "mae", "1500", "1400", "-100"],
        ["model", "mape", "", "0.12", ""],
        ["seasonal_mean", "mae", "", "2300", ""],
    ]


def test_metrics_missing_on_the_base_are_said_so(repository: Repository):
    repository.commit("The project")
    repository.write("results/model/metrics.json", json.dumps({"scores": {"model": {"mae": 1}}}))
    text = metrics_diff("HEAD")
    assert text == (
        "No metrics to compare (`results/model/metrics.json` missing here or on `HEAD`).\n"
    )


def test_the_candidates_are_compared_and_a_held_back_one_is_said_so(repository: Repository):
    """The change's model is worse: it would be held back, and the published metrics stay
    the base's. The table shows what the change's model scores; the decision follows."""
    published = {"scores": {"model": {"mae": 1500.0}}, "promotion": {"promoted": True, "why": "a"}}
    repository.write("results/model/metrics.json", json.dumps(published))
    candidate = repository.write(
        "results/model/candidate/metrics.json", json.dumps({"scores": {"model": {"mae": 1500.0}}})
    )
    repository.commit("Results")
    candidate.write_text(json.dumps({"scores": {"model": {"mae": 2400.0}}}))
    held = {"promoted": False, "why": "its MAE is worse than the published model's."}
    repository.write("results/model/metrics.json", json.dumps(published | {"promotion": held}))
    text = metrics_diff("HEAD")
    assert rows(text)[0] == ["model", "mae", "1500", "2400", "+900"]
    assert "Of the model each side's code fits (`results/model/candidate/metrics.json`)" in text
    assert text.endswith(
        "The model this change fits would be **held back** (the published one serves): its MAE "
        "is worse than the published model's.\n"
    )


def test_the_bases_metrics_are_read_from_git_and_this_changes_from_the_tree(
    repository: Repository,
):
    metrics = repository.write(
        "results/model/metrics.json", json.dumps({"scores": {"model": {"mae": 1500.0}}})
    )
    repository.commit("Results")
    metrics.write_text(json.dumps({"scores": {"model": {"mae": 1450.0}}}))
    assert rows(metrics_diff("HEAD")) == [["model", "mae", "1500", "1450", "-50"]]


# --- The pull request's preview -----------------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"
BANDS = [
    {"band": "1-7", "forecasts": 70, "model_mae": 300.0, "improvement": 0.25},
    {"band": "all", "forecasts": 140, "model_mae": 350.0, "improvement": 0.2},
]


def test_the_models_error_by_lead_band_beside_the_bases_and_its_improvement():
    after = [
        {"band": "1-7", "forecasts": 70, "model_mae": 280.0, "improvement": 0.3},
        {"band": "8-28", "forecasts": 70, "model_mae": 400.0, "improvement": None},
        {"band": "all", "forecasts": 140, "model_mae": 340.0, "improvement": 0.22},
    ]
    table = lead_table(BANDS, after)
    assert table.splitlines()[2] == (
        "| lead (days) | forecasts | base | this change | change | improvement on the best "
        "baseline |"
    )
    assert table.splitlines()[4:] == [
        "| 1-7 | 70 | 300 | 280 | -20 | 25% → 30% |",
        "| 8-28 | 70 |  | 400 |  |  |",
        "| all | 140 | 350 | 340 | -10 | 20% → 22% |",
    ]


def test_a_promotion_decision_is_shown_only_when_the_change_made_another():
    held = {"promoted": False, "why": "its MAE is worse than the published model's."}
    assert promotion_text({"promotion": held}, {"promotion": held}) is None
    assert promotion_text({}, {"promotion": held}) == (
        "The model this change fits would be **held back** (the published one serves): its MAE "
        "is worse than the published model's.\n"
    )


def test_figures_that_differ_from_the_bases_bytes_new_and_removed(repository: Repository):
    repository.write("results/figures/daily.png", "old pixels")
    repository.write("results/figures/hourly.png", "same pixels")
    repository.write("results/figures/gone.png", "pixels")
    repository.write("results/figures/notes/inner.png", "not a figure of the index")
    repository.commit("Results")
    repository.write("results/figures/daily.png", "new pixels")
    repository.write("results/figures/fresh.png", "pixels")
    (repository.root / "results/figures/gone.png").unlink()
    assert figure_changes("HEAD") == {
        "changed": ["results/figures/daily.png"],
        "new": ["results/figures/fresh.png"],
        "removed": ["results/figures/gone.png"],
    }
    assert figures_section(figure_changes("HEAD"), "HEAD").splitlines()[2:] == [
        "- changed: `daily.png`",
        "- new: `fresh.png`",
        "- removed: `gone.png`",
    ]
    repository.commit("More results")
    assert figures_section(figure_changes("HEAD"), "HEAD").endswith(
        "None: every figure is byte-identical to `HEAD`'s.\n"
    )


def test_the_rules_that_re_ran_past_the_downloads_and_a_failure():
    record = {
        "invocations": [
            {"name": "download", "returncode": 0, "jobs": {"download": 2}},
            {"name": "tables", "returncode": 0, "jobs": {"tidy_counts": 1}},
            {"name": "workflow", "returncode": 1, "jobs": {"figure": 3, "tidy_counts": 1}},
        ]
    }
    assert rules_section(record).splitlines()[2:] == [
        "`figure` (3), `tidy_counts` (2): what merging this pull request would re-run.",
        "",
        "**The preview run failed** in its `workflow` step: see the job's log.",
    ]
    assert rules_section(None).endswith("The preview left no run record: it did not run.\n")


def record_run(repository: Repository, returncode: int = 0) -> None:
    jobs = {"fit_model": 1, "figure": 2}
    invocations = [{"name": "workflow", "returncode": returncode, "jobs": jobs}]
    repository.write(".snakemake/ci-run.json", json.dumps({"invocations": invocations}))


def test_the_preview_is_metrics_rules_and_figures_handed_over_in_one_line(
    repository: Repository,
):
    metrics = {"scores": {"model": {"mae": 350.0}}, "by_lead": BANDS}
    repository.write("results/model/metrics.json", json.dumps(metrics))
    repository.write("results/figures/daily.png", "old pixels")
    repository.commit("Results")
    metrics["scores"]["model"]["mae"] = 340.0
    repository.write("results/model/metrics.json", json.dumps(metrics))
    repository.write("results/figures/daily.png", "new pixels")
    record_run(repository)
    markdown, line = preview("HEAD", 7, SHA)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Metrics: this change against `HEAD`",
        "## Rules that re-ran",
        "## Figures that would change",
    ]
    assert "| model | mae | 350 | 340 | -10 |" in markdown
    assert "| 1-7 | 70 | 300 | 300 | +0 | 25% → 25% |" in markdown
    assert "`figure` (2), `fit_model` (1): what merging" in markdown
    assert "- changed: `daily.png`" in markdown
    assert line.startswith("bikeflow-preview: ") and "\n" not in line
    assert decode(line.removeprefix("bikeflow-preview: ")) == Preview(7, SHA, markdown)


def test_after_a_failed_run_the_preview_says_so_without_half_made_metrics(
    repository: Repository,
):
    repository.write("results/model/metrics.json", json.dumps({"scores": {}}))
    repository.commit("Results")
    record_run(repository, returncode=1)
    markdown, _ = preview("HEAD", 7, SHA)
    assert markdown.startswith("## Rules that re-ran\n")
    assert "**The preview run failed**" in markdown and "Metrics" not in markdown


def test_a_base_that_is_not_a_commit_is_said_so(repository: Repository):
    repository.commit("The project")
    record_run(repository)
    markdown, _ = preview("origin/nowhere", 7, SHA)
    assert markdown.startswith("`origin/nowhere` is not a commit here: nothing to compare with.")


def test_a_preview_too_long_for_a_comment_is_cut_at_a_line_saying_so():
    text = "".join(f"| row {index} |\n" for index in range(10_000))
    cut = capped(text, 1000)
    assert len(cut) <= 1000 and cut.startswith("| row 0 |\n")
    assert cut.endswith(
        "*(The preview is longer than a comment can be: the rest is in the job summary.)*\n"
    )
    assert re.fullmatch(r"\| row \d+ \|", cut.splitlines()[-3])  # whole rows only
    assert capped("short", 1000) == "short"
