"""ci/preview.py: a pull request's metrics against its base, as people read them."""

from __future__ import annotations

import json

from support.gitrepo import Repository

from ci.preview import metrics_diff, metrics_table


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


def test_the_bases_metrics_are_read_from_git_and_this_changes_from_the_tree(
    repository: Repository,
):
    metrics = repository.write(
        "results/model/metrics.json", json.dumps({"scores": {"model": {"mae": 1500.0}}})
    )
    repository.commit("Results")
    metrics.write_text(json.dumps({"scores": {"model": {"mae": 1450.0}}}))
    assert rows(metrics_diff("HEAD")) == [["model", "mae", "1500", "1450", "-50"]]
