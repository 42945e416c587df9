"""The real workflow, run by real Snakemake in a temporary copy of the repository, on sources
served by a loopback HTTP server: small files in the real formats, and the real mirror."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support.data import (
    counts_fixture,
    fremont_rows,
    fremont_text,
    weather_fixture,
)
from support.server import LoopbackServer, loopback_server
from support.workflow import (
    SHARED_DATA,
    copy_repository,
    file_digests,
    fixture_config,
    snakemake,
    source_urls,
    write_config,
)

pytestmark = pytest.mark.workflow

ALL_JOBS = {
    "download": 2,
    "validate_source": 2,
    "accept_source": 2,
    "tidy_counts": 1,
    "tidy_weather": 1,
    "daily_table": 1,
    "datapackage": 1,
    "fit_model": 1,
    "backtest": 1,
    "permutation_importance": 1,
    "model_card": 1,
    "drift": 1,
    "drift_backtest": 1,
    "data_health": 1,
    "worst_days": 1,
    "figure": 11,
    "results_index": 1,
}
UPSTREAM_OF_DAILY = {
    "download",
    "validate_source",
    "accept_source",
    "tidy_counts",
    "tidy_weather",
}
# What reads the drift check's settings, and what reads its outputs: the drift figures, the
# model card (it reports the monitor's backtest) and the index. Nothing of the model.
DRIFT_RERUN = {
    "drift": 1,
    "drift_backtest": 1,
    "figure": 2,
    "model_card": 1,
    "results_index": 1,
}
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def serve_sources(server: LoopbackServer, counts: bytes, weather: bytes) -> dict[str, str]:
    return {
        "fremont_bridge": server.serve_file("/fremont.csv", counts),
        "seatac_weather": server.serve_file("/ghcnd.csv", weather),
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return copy_repository(tmp_path / "repository")


@pytest.fixture
def server():
    with loopback_server() as running:
        yield running


@pytest.fixture(scope="module")
def module_server():
    with loopback_server() as running:
        yield running


@pytest.fixture(scope="module")
def built_once(tmp_path_factory, module_server: LoopbackServer) -> Path:
    """A copy of the repository after one complete run on the fixture sources."""
    workdir = copy_repository(tmp_path_factory.mktemp("built") / "repository")
    urls = serve_sources(module_server, counts_fixture(), weather_fixture())
    write_config(workdir, fixture_config(urls))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    assert run.jobs == ALL_JOBS
    return workdir


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A test's own copy of the built repository (mtimes and provenance kept)."""
    return Path(shutil.copytree(built_once, tmp_path / "repository", symlinks=True))


def rerun(workdir: Path):
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    return run


def test_run_builds_tables_that_frictionless_validates(built: Path):
    checked = subprocess.run(
        [FRICTIONLESS, "validate", "results/tables/datapackage.json"],
        cwd=built,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for table in ("hourly_counts", "weather", "daily"):
        assert (built / f"results/tables/{table}.parquet").is_file()


def test_results_are_exactly_the_declared_outputs(built: Path):
    summary = snakemake(built, "--configfile", "test-overrides.yaml", "--summary")
    outputs = [line.split("\t")[0] for line in summary.output.splitlines() if "\t" in line][1:]
    declared = {path for path in outputs if path.startswith("results/")}
    present = {path.relative_to(built).as_posix() for path in (built / "results").rglob("*")}
    made = {path for path in present if (built / path).is_file()} - {"results/.gitkeep"}
    assert declared == made


def test_daily_table_covers_the_common_range_and_says_so(built: Path):
    daily = pd.read_csv(built / "results/tables/daily.csv", keep_default_na=False)
    assert daily["date"].iloc[0] == "2020-01-01"
    assert daily["date"].iloc[-1] == "2021-06-20"  # weather ends there; counts go on
    package = json.loads((built / "results/tables/datapackage.json").read_text())
    description = next(r["description"] for r in package["resources"] if r["name"] == "daily")
    assert "Covers 2020-01-01 to 2021-06-20" in description
    assert "counts 2020-01-01 to 2021-06-30" in description


def test_daily_table_flags_incomplete_days_and_keeps_dst_days(built: Path):
    daily = pd.read_csv(built / "results/tables/daily.csv").set_index("date")
    assert not daily.loc["2021-02-10", "complete"]
    assert pd.isna(daily.loc["2021-02-10", "total"])  # not a silent partial sum
    assert daily.loc["2021-02-10", "hours_observed"] == 23
    for spring_forward in ("2020-03-08", "2021-03-14"):  # 23 real hours, all counted
        assert daily.loc[spring_forward, "complete"]
        assert daily.loc[spring_forward, "hours_expected"] == 23
    assert daily["complete"].sum() == len(daily) - 1


def test_results_index_reports_freshness_model_and_figures(built: Path):
    index = (built / "results/README.md").read_text()
    fremont = json.loads((built / "results/validation/fremont_bridge.json").read_text())
    assert f"`{fremont['tasks'][0]['stats']['sha256'][:12]}`" in index
    assert "| **model** |" in index and "| Same weekday last week |" in index
    assert "| Latest day |" in index and "Forecasts the daily `total` bicycles 1 day ahead" in index
    assert "Quality gate" in index
    figures = sorted((built / "results/figures").glob("*.png"))
    assert len(figures) == 11
    for figure in figures:
        assert f"(figures/{figure.name})" in index


def test_snakemake_report_builds_with_the_figure_captions(built: Path):
    run = snakemake(built, "--configfile", "test-overrides.yaml", "--report", "report.html")
    assert run.returncode == 0, run.output
    report = (built / "report.html").read_text()
    captions = sorted((built / "workflow/report").glob("*.rst"))
    for caption in (path for path in captions if path.stem != "figure"):
        assert caption.read_text().splitlines()[0] in report, caption.name


def test_second_run_has_nothing_to_do(built: Path):
    dry = snakemake(built, "--configfile", "test-overrides.yaml", "--dry-run")
    assert dry.returncode == 0, dry.output
    assert "Nothing to be done" in dry.output
    assert dry.jobs == {}


def test_forced_rerun_gives_byte_identical_results(built: Path):
    before = file_digests(built / "results")
    forced = snakemake(built, "--configfile", "test-overrides.yaml", "--forceall")
    assert forced.returncode == 0, forced.output
    assert file_digests(built / "results") == before


def test_results_index_explains_the_monitor_and_says_when_the_history_is_too_short(built: Path):
    index = (built / "results/README.md").read_text()
    # 18 months of fixture data: a reference year for 5 month ends, none before the change
    assert "Drift as of 2021-06-20, like for like" in index
    assert "the same weeks of the 4 years before (those the data cover: 2020)" in index
    assert "The same check as of each of the 5 month ends from 2021-01-31 to 2021-05-31." in index
    assert "False alarms not measured" in index
    assert (
        "not measured: The history does not reach back to a month end before the change." in index
    )
    alarms = pd.read_csv(built / "results/monitoring/drift_backtest.csv")
    assert alarms["month_end"].nunique() == 5
    assert "(figures/drift_backtest.png)" in index and "(monitoring/drift_backtest.csv)" in index


def test_annotating_a_worst_day_removes_it_from_training_and_scoring(built: Path):
    """The data feedback loop: a person annotates a day of the published worst days in
    the curated list, and the next run drops it from the model's training and scoring,
    re-running what depends on the list and nothing else."""
    results = built / "results"
    folds_before = pd.read_csv(results / "model/backtest_folds.csv")
    worst = pd.read_csv(results / "monitoring/worst_days.csv")["date"].tolist()
    last_origin = folds_before["origin"].max()
    day = next(day for day in worst if day < last_origin)  # a day a backtest fold trains on
    metrics_before = json.loads((results / "model/metrics.json").read_text())
    excluded_before = json.loads((results / "monitoring/health.json").read_text())["daily_table"][
        "counter_issue_days"
    ]
    issues = built / "resources/counter_issues.csv"
    issues.write_text(
        issues.read_text() + f'{day},{day},"Test: counter fault seen in the worst days"\n'
    )

    run = rerun(built)

    # Everything downstream of the daily table, except the hourly profile (hourly counts).
    assert run.jobs == {
        rule: count for rule, count in ALL_JOBS.items() if rule not in UPSTREAM_OF_DAILY
    } | {"figure": ALL_JOBS["figure"] - 1}
    assert "output: results/figures/hourly_profile.png" not in run.output
    daily = pd.read_csv(results / "tables/daily.csv", keep_default_na=False)
    assert daily.loc[daily["counter_issue"] != "", "date"].tolist() == [day]
    # Gone from scoring: the holdout, the worst days, the backtest's forecasts ...
    for table in (
        "model/holdout_predictions.csv",
        "monitoring/worst_days.csv",
        "model/backtest.csv",
    ):
        assert day not in set(pd.read_csv(results / table)["date"]), table
    metrics = json.loads((results / "model/metrics.json").read_text())
    assert metrics["holdout"]["usable_days"] == metrics_before["holdout"]["usable_days"] - 1
    # ... and from training: every backtest fold after it trains on one day fewer.
    folds = pd.read_csv(results / "model/backtest_folds.csv")
    after = folds["origin"] > day
    assert after.any()
    assert (folds.loc[after, "train_rows"] == folds_before.loc[after, "train_rows"] - 1).all()
    assert (folds.loc[~after, "train_rows"] == folds_before.loc[~after, "train_rows"]).all()
    index = (results / "README.md").read_text()
    assert (
        "The curated list of counter problems, [`resources/counter_issues.csv`]"
        f"(../resources/counter_issues.csv), excludes {excluded_before + 1} day"
    ) in index
    assert f"| {day} |" not in index.split("### Days to look at")[1].split("## Figures")[0]


def test_changing_one_figure_script_reruns_that_figure_and_the_index(built: Path):
    script = built / "workflow/scripts/figure_temperature.py"
    script.write_text(script.read_text() + "\n# reviewed\n")
    run = rerun(built)
    assert run.jobs == {"figure": 1, "results_index": 1}
    assert "output: results/figures/temperature.png" in run.output


@pytest.mark.parametrize(
    ("module", "rules"),
    [
        ("plotting", {"figure": 11, "results_index": 1}),
        ("results_readme", {"results_index": 1}),
        ("drift", DRIFT_RERUN),
    ],
)
def test_editing_a_library_module_reruns_only_the_rules_that_import_it(
    built: Path, module: str, rules: dict
):
    path = built / f"workflow/scripts/bikeflow/{module}.py"
    path.write_text(path.read_text() + "\n# a comment is a change too\n")
    assert rerun(built).jobs == rules


def test_changing_a_drift_setting_reruns_only_the_monitoring_and_what_reads_it(built: Path):
    overrides = built / "test-overrides.yaml"
    config = yaml.safe_load(overrides.read_text())
    config["monitoring"]["reference_years"] = 2
    overrides.write_text(yaml.safe_dump(config, sort_keys=False))
    assert rerun(built).jobs == DRIFT_RERUN
    drift = json.loads((built / "results/monitoring/drift.json").read_text())
    assert drift["reference_years"] == 2


def test_changing_a_parameter_reruns_only_the_rules_that_use_it(built: Path):
    overrides = built / "test-overrides.yaml"
    config = yaml.safe_load(overrides.read_text())
    config["monitoring"]["worst_days"] = 5
    overrides.write_text(yaml.safe_dump(config, sort_keys=False))  # key order is in params
    assert rerun(built).jobs == {"worst_days": 1, "results_index": 1}


def test_invalid_source_stops_the_run_with_a_located_message(workdir: Path, server: LoopbackServer):
    rows = fremont_rows(date(2021, 1, 1), 90)
    rows[30][1:] = ["-5", "0", "-5"]  # a negative count, hour 6 of 2021-01-02
    urls = serve_sources(server, fremont_text(rows).encode(), weather_fixture())
    write_config(workdir, fixture_config(urls))

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert "fremont_bridge: failed validation with 2 errors" in run.output
    assert "row 32, field 'Fremont Bridge Sidewalks, south of N 34th St Total'" in run.output
    assert "Full report: logs/validate/fremont_bridge.report.json" in run.output
    report = json.loads((workdir / "logs/validate/fremont_bridge.report.json").read_text())
    assert report["valid"] is False
    assert not (workdir / "results/validation/fremont_bridge.json").exists()
    for downstream in ("hourly_counts.csv", "daily.csv", "datapackage.json"):
        assert not (workdir / "results/tables" / downstream).exists()


def test_failed_download_leaves_no_file_and_runs_nothing_downstream(
    workdir: Path, server: LoopbackServer
):
    urls = {
        "fremont_bridge": server.url("/missing.csv"),
        "seatac_weather": server.serve_file("/ghcnd.csv", weather_fixture()),
    }
    write_config(workdir, source_urls(urls))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode != 0
    assert "fremont_bridge: download failed" in run.output
    assert "HTTP 404" in run.output
    assert not (workdir / "resources/raw/fremont_bridge.csv").exists()
    assert not (workdir / "results/tables/daily.csv").exists()


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"download": {"retries": "five"}}, "retries"),
        ({"tables": {"timezone": "America/Los_Angeles", "colour": "blue"}}, "colour"),
        ({"sources": {"fremont_bridge": {"url": "ftp://example.org/x.csv"}}}, "url"),
    ],
)
def test_bad_config_is_refused_before_anything_runs(workdir: Path, override: dict, named: str):
    write_config(workdir, override, name="bad.yaml")
    run = snakemake(workdir, "--configfile", "bad.yaml", "--dry-run")
    assert run.returncode != 0
    assert "Error validating config file" in run.output
    assert named in run.output


@pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"the real data mirror {SHARED_DATA} is not on this machine"
)
def test_real_mirror_builds_valid_tables_and_then_has_nothing_to_do(
    workdir: Path, server: LoopbackServer
):
    urls = serve_sources(
        server,
        (SHARED_DATA / "fremont-bridge/Fremont_Bridge_Bicycle_Counter.csv").read_bytes(),
        (SHARED_DATA / "ghcnd/USW00024233.csv").read_bytes(),
    )
    write_config(workdir, source_urls(urls))

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    assert run.jobs == ALL_JOBS

    checked = subprocess.run(
        [FRICTIONLESS, "validate", "results/tables/datapackage.json"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    daily = pd.read_parquet(workdir / "results/tables/daily.parquet")
    assert (daily["date"].min(), daily["date"].max()) == (date(2012, 10, 2), date(2021, 12, 31))
    hourly = pd.read_parquet(workdir / "results/tables/hourly_counts.parquet")
    assert len(hourly) == 108_768
    # The weather mirror ends three years before the counts: the index says so first.
    index = (workdir / "results/README.md").read_text()
    assert "**Stale source:** `seatac_weather` lags the newest source by 1155 days." in index
    # Like for like, the autumn of 2021 is not drift in daylight or weather; the traffic,
    # still below the same weeks of 2017-2020, is.
    drift = json.loads((workdir / "results/monitoring/drift.json").read_text())
    assert drift["drifted"] == ["total"]
    assert "**Drift** against the same weeks of earlier years: `total`" in index

    dry = snakemake(workdir, "--configfile", "test-overrides.yaml", "--dry-run")
    assert dry.returncode == 0 and dry.jobs == {}, dry.output
