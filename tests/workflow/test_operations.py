"""Operating the model, with real Snakemake runs on the fixture sources as upstream publishes
them: forecasts issued from what was public, kept as issued, scored when a month of counts
arrives; a worse candidate held back while the published model keeps serving."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support.data import counts_fixture, weather_fixture
from support.server import LoopbackServer, loopback_server
from support.workflow import (
    copy_repository,
    file_digests,
    fixture_config,
    snakemake,
    write_config,
)

pytestmark = pytest.mark.workflow

COUNTS_FROM, WEATHER_FROM = date(2020, 1, 1), date(2019, 12, 1)
# What a run needs of the operation: the current record, its scores, the alarm, the decision.
TARGETS = (
    "results/forecasts/latest.csv",
    "results/forecasts/scores.csv",
    "results/monitoring/live_error.json",
    "results/model/promotion.json",
)


def publish(server: LoopbackServer, counts_until: date, weather_until: date) -> dict[str, str]:
    """Upstream as it stood: the counts and the weather up to these days."""
    return {
        "fremont_bridge": server.serve_file(
            "/fremont.csv", counts_fixture((counts_until - COUNTS_FROM).days + 1)
        ),
        "seatac_weather": server.serve_file(
            "/ghcnd.csv", weather_fixture((weather_until - WEATHER_FROM).days + 1)
        ),
    }


def refresh(workdir: Path, *extra: str):
    """As the scheduled refresh runs it: fetch the sources again, then everything else."""
    fetched = snakemake(
        workdir, "all_downloads", "--configfile", "test-overrides.yaml", "--forcerun", "download"
    )
    assert fetched.returncode == 0, fetched.output
    run = snakemake(workdir, *TARGETS, "--configfile", "test-overrides.yaml", *extra)
    assert run.returncode == 0, run.output
    return run


def override(workdir: Path, section: str, key: str, value) -> None:
    path = workdir / "test-overrides.yaml"
    config = yaml.safe_load(path.read_text())
    config.setdefault(section, {})[key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False))


@pytest.fixture(scope="module")
def server():
    with loopback_server() as running:
        yield running


@pytest.fixture(scope="module")
def issued_in_may(tmp_path_factory, server: LoopbackServer) -> Path:
    """A repository whose first run saw the counts up to April and the weather to 05-10."""
    workdir = copy_repository(tmp_path_factory.mktemp("operations") / "repository")
    write_config(workdir, fixture_config(publish(server, date(2021, 4, 30), date(2021, 5, 10))))
    refresh(workdir)
    return workdir


def published_files(workdir: Path) -> dict[str, bytes]:
    """The published model and forecasts, by path: what the results page links to."""
    return {
        path: content
        for path, content in file_digests(workdir / "results").items()
        if path.startswith(("model/", "forecasts/")) and not path.startswith("model/candidate/")
    }


def copy_repository_state(source: Path, tmp_path: Path) -> Path:
    """A test's own copy of a run repository (mtimes and provenance kept)."""
    return Path(shutil.copytree(source, tmp_path / "repository", symlinks=True))


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_first_issue_forecasts_from_the_day_after_the_last_count(issued_in_may: Path):
    record = pd.read_csv(issued_in_may / "results/forecasts/issued/2021-05-10.csv")
    assert (
        record["date"].tolist()[0] == "2021-05-01" and record["date"].tolist()[-1] == "2021-05-17"
    )
    assert record["lead_days"].tolist() == list(range(1, 18))
    assert record["weather"].tolist() == ["observed"] * 10 + ["unknown"] * 7
    assert (record["lower"] <= record["forecast"]).all()
    assert (record["forecast"] <= record["upper"]).all()
    model_sha = read_json(issued_in_may / "results/model/promotion.json")["published"][
        "model_sha256"
    ]
    assert set(record["model_sha256"]) == {model_sha}
    validated = read_json(issued_in_may / "results/validation/fremont_bridge.json")
    assert set(record["fremont_bridge_sha256"]) == {validated["tasks"][0]["stats"]["sha256"]}
    latest = issued_in_may / "results/forecasts/latest.csv"
    assert (
        latest.read_bytes()
        == (issued_in_may / "results/forecasts/issued/2021-05-10.csv").read_bytes()
    )
    assert read_json(issued_in_may / "results/monitoring/live_error.json")["forecasts"] == 0


def test_a_forecast_issued_before_a_month_of_counts_is_scored_against_them_after(
    issued_in_may: Path, tmp_path: Path, server: LoopbackServer
):
    workdir = copy_repository_state(issued_in_may, tmp_path)
    issued = (workdir / "results/forecasts/issued/2021-05-10.csv").read_bytes()
    write_config(workdir, fixture_config(publish(server, date(2021, 5, 31), date(2021, 6, 10))))

    refresh(workdir)

    assert (workdir / "results/forecasts/issued/2021-05-10.csv").read_bytes() == issued
    assert (workdir / "results/forecasts/issued/2021-06-10.csv").is_file()
    record = pd.read_csv(workdir / "results/forecasts/issued/2021-05-10.csv")
    daily = pd.read_csv(workdir / "results/tables/daily.csv").set_index("date")
    actual = daily.loc[record["date"], "total"].to_numpy()
    scores = pd.read_csv(workdir / "results/forecasts/scores.csv").set_index("band")
    # every forecast of May the first record made is scored now, none of the second's
    assert scores.loc["all", "forecasts"] == len(record)
    assert scores.loc["all", "mae"] == pytest.approx(
        abs(record["forecast"] - actual).mean(), abs=1e-3
    )
    assert scores.loc["all", "expected_mae"] == pytest.approx(
        record["expected_abs_error"].mean(), abs=1e-3
    )
    live = read_json(workdir / "results/monitoring/live_error.json")
    # the alarm weighs the 30 days up to the last count: 05-02 to 05-31
    assert live["as_of"] == "2021-05-31" and live["forecasts"] == len(record) - 1


def test_an_issued_record_is_never_rewritten_by_a_code_change_or_a_forced_run(
    issued_in_may: Path, tmp_path: Path, server: LoopbackServer
):
    workdir = copy_repository_state(issued_in_may, tmp_path)
    record = workdir / "results/forecasts/issued/2021-05-10.csv"
    issued = record.read_bytes()
    write_config(workdir, fixture_config(publish(server, date(2021, 4, 30), date(2021, 5, 10))))
    override(workdir, "forecasts", "interval", 0.5)  # every new record would differ
    script = workdir / "workflow/scripts/issue_forecasts.py"
    script.write_text(script.read_text() + "\n# a change to the code that issues forecasts\n")

    run = refresh(workdir, "--forceall")

    assert "rule issue_forecasts" in run.output.replace("localrule", "rule")
    assert "issued before, kept as issued" in run.output
    assert record.read_bytes() == issued
    assert (workdir / "results/forecasts/latest.csv").read_bytes() == issued


def test_a_worse_candidate_never_reaches_the_published_model(issued_in_may: Path, tmp_path: Path):
    workdir = copy_repository_state(issued_in_may, tmp_path)
    published = {
        name: (workdir / "results/model" / name).read_bytes()
        for name in ("model.skops", "holdout_forecasts.csv", "calibration.csv")
    }
    metrics_before = read_json(workdir / "results/model/metrics.json")
    override(workdir, "model", "regressor", {"max_iter": 1})  # a model that cannot learn

    run = snakemake(workdir, *TARGETS, "--configfile", "test-overrides.yaml")

    assert run.returncode == 0, run.output
    assert "CANDIDATE HELD BACK: it failed the quality gate." in run.output
    for name, content in published.items():
        assert (workdir / "results/model" / name).read_bytes() == content, name
    assert (workdir / "results/model/candidate/model.skops").read_bytes() != published[
        "model.skops"
    ]
    decision = read_json(workdir / "results/model/promotion.json")
    assert decision["promoted"] is False and decision["why"].startswith(
        "it failed the quality gate"
    )
    metrics = read_json(workdir / "results/model/metrics.json")
    assert metrics["scores"] == metrics_before["scores"]  # still the published model's
    assert metrics["promotion"] == decision


def test_a_fit_that_fails_leaves_the_published_model_as_it_was(issued_in_may: Path, tmp_path: Path):
    """fit_model stops (a holdout longer than the data): Snakemake deletes the candidate's
    files, and nothing the results page links to (the published model, its metrics and
    decision, the issued record) is touched."""
    workdir = copy_repository_state(issued_in_may, tmp_path)
    before = published_files(workdir)
    override(workdir, "evaluation", "holdout_months", 30)

    run = snakemake(workdir, *TARGETS, "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert "ERROR fit_model: The overlap of the sources is too short for the model" in run.output
    assert published_files(workdir) == before
    assert not (workdir / "results/model/candidate/model.skops").exists()


def test_a_first_candidate_that_fails_the_gate_stops_the_run(
    tmp_path: Path, server: LoopbackServer
):
    workdir = copy_repository(tmp_path / "repository")
    write_config(workdir, fixture_config(publish(server, date(2021, 4, 30), date(2021, 5, 10))))
    override(workdir, "evaluation", "quality_gate", {"min_improvement": 0.99})
    run = snakemake(workdir, *TARGETS, "--configfile", "test-overrides.yaml")
    assert run.returncode != 0
    assert "No model was published before, so there is none to serve" in run.output
    assert not (workdir / "results/model/model.skops").exists()
    assert not list((workdir / "results/forecasts").glob("issued/*.csv"))
