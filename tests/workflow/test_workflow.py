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
    COUNTS_DAYS,
    COUNTS_HEADER,
    COUNTS_START,
    counts_fixture,
    counts_rows,
    counts_text,
    nonexistent_hours,
    weather_fixture,
)
from support.server import LoopbackServer, loopback_server
from support.sources import COUNTS, WEATHER, about_fremont
from support.workflow import (
    REPOSITORY,
    SHARED_DATA,
    copy_repository,
    file_digests,
    fixture_config,
    snakemake,
    source_urls,
    write_config,
)

from bikeflow.results_readme import caption_line

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
    "promote_model": 1,
    "permutation_importance": 1,
    "model_card": 1,
    "drift": 1,
    "drift_backtest": 1,
    "live_error_backtest": 1,
    "data_health": 1,
    "worst_days": 1,
    "issue_forecasts": 1,
    "latest_forecast": 1,
    "score_forecasts": 1,
    "alerts": 1,
    "figure": 12,
    "results_index": 1,
    "run_config": 1,
}
UPSTREAM_OF_DAILY = {
    "download",
    "validate_source",
    "accept_source",
    "tidy_counts",
    "tidy_weather",
}
# What reads the drift check's settings, and what reads its outputs: the drift figures, the
# alerts (they read its outputs, written again), the model card (it reports the
# monitor's backtest) and the index; and the configuration the run used. Nothing of the model.
DRIFT_RERUN = {
    "drift": 1,
    "drift_backtest": 1,
    "alerts": 1,
    "figure": 2,
    "model_card": 1,
    "results_index": 1,
}
# A change of the config also re-writes the configuration the run used.
DRIFT_SETTING_RERUN = DRIFT_RERUN | {"run_config": 1}
FRICTIONLESS = Path(sys.executable).parent / "frictionless"
# The counter's curated issues in the config, if it has a list.
COUNTS_ISSUES = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text())["sources"][
    COUNTS.name
].get("issues")


def serve_sources(server: LoopbackServer, counts: bytes, weather: bytes) -> dict[str, str]:
    return {
        COUNTS.name: server.serve_file("/counts.csv", counts),
        WEATHER.name: server.serve_file("/ghcnd.csv", weather),
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
    # 23 real hours, all counted (in the US: 2020-03-08, 2021-03-14)
    spring_forward_days = {hour.date() for hour in nonexistent_hours(COUNTS_START, COUNTS_DAYS)}
    assert len(spring_forward_days) == 2
    for spring_forward in sorted(day.isoformat() for day in spring_forward_days):
        assert daily.loc[spring_forward, "complete"]
        assert daily.loc[spring_forward, "hours_expected"] == 23
    assert daily["complete"].sum() == len(daily) - 1


def test_results_index_reports_freshness_forecasts_model_and_figures(built: Path):
    index = (built / "results/README.md").read_text()
    counts = json.loads((built / f"results/validation/{COUNTS.name}.json").read_text())
    assert f"`{counts['tasks'][0]['stats']['sha256'][:12]}`" in index
    # the counts end 2021-06-30, the weather 2021-06-20: issued on 2021-06-30
    assert "Issued 2021-06-30, the last day the sources cover" in index
    assert "| 2021-07-07 | 7 | unknown |" in index
    assert "No published forecast has been scored yet" in index
    assert "**Quality gate passed.**" in index
    assert "**Latest candidate promoted:** it passed the quality gate and no model was" in index
    figures = sorted((built / "results/figures").glob("*.png"))
    assert len(figures) == 12
    for figure in figures:
        assert f"(figures/{figure.name})" in index


def test_snakemake_report_groups_figures_and_tables_by_what_people_look_for(built: Path):
    run = snakemake(built, "--configfile", "test-overrides.yaml", "--report", "report.html")
    assert run.returncode == 0, run.output
    report = (built / "report.html").read_text()
    used = yaml.safe_load((built / "results/config.yaml").read_text())  # the run's config
    change = used["monitoring"]["backtest"]["known_change"]
    words = {
        "counter": used["dataset"]["counter"],
        "weather_station": used["dataset"]["weather_station"],
        "known_change": f"{change['label']} ({change['date']})",
    }
    captions = sorted((built / "workflow/report").rglob("*.rst"))
    for caption in (path for path in captions if path.stem not in ("figure", "workflow")):
        first = caption_line(caption.read_text(), words).split("``")[0]  # before any markup
        assert " ".join(first.split()[:8]) in report, caption.name
    assert used["dataset"]["title"] in report  # the front page, workflow.rst
    assert "|counter|" not in report.replace("(|counter|,", "")  # only the template's comment
    for category in ("Data", "Model", "Forecasts", "Monitoring", "Configuration"):
        assert f'"{category}": {{' in report, category
    assert '"results/forecasts/latest.csv"' in report
    assert '"results/config.yaml"' in report


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


def test_results_index_explains_the_monitors_and_says_when_the_history_is_too_short(built: Path):
    index = (built / "results/README.md").read_text()
    # 18 months of fixture data: a reference year for 5 month ends, none before the change
    assert "Input drift as of 2021-06-20, like for like" in index
    assert "the same weeks of the 4 years before (those the data cover: 2020)" in index
    assert "The drift check, run as of each of the 5 month ends from 2021-01-31 to 2021-05-31" in (
        index
    )
    assert "Its false alarms are not measured: the backtest has no quiet month end." in index
    assert "is not measured: the backtest starts after it." in index
    alarms = pd.read_csv(built / "results/monitoring/drift_backtest.csv")
    assert alarms["month_end"].nunique() == 5
    assert "(figures/drift_backtest.png)" in index and "(monitoring/drift_backtest.csv)" in index


def test_annotating_a_worst_day_removes_it_from_training_and_scoring(built: Path):
    """The data feedback loop: a person annotates a day of the published worst days in
    the curated list, and the next run drops it from the model's training and scoring,
    re-running what depends on the list and nothing else; the issued record stays."""
    results = built / "results"
    folds_before = pd.read_csv(results / "model/backtest_folds.csv")
    worst = pd.read_csv(results / "monitoring/worst_days.csv")["date"].tolist()
    day = next(day for day in worst if day < folds_before["train_until"].max())
    excluded_before = json.loads((results / "monitoring/health.json").read_text())["daily_table"][
        "counter_issue_days"
    ]
    record = results / "forecasts/issued/2021-06-30.csv"
    issued = record.read_bytes()
    listed = COUNTS_ISSUES is not None  # a counter with no list yet starts one
    path = COUNTS_ISSUES or "resources/counter_issues.csv"
    issues = built / path
    if not listed:
        issues.write_text("start,end,reason\n")
        overrides = yaml.safe_load((built / "test-overrides.yaml").read_text())
        overrides["sources"][COUNTS.name]["issues"] = path
        write_config(built, overrides)
    issues.write_text(
        issues.read_text() + f'{day},{day},"Test: counter fault seen in the worst days"\n'
    )

    run = rerun(built)

    # Everything downstream of the daily table, except the hourly profile (hourly counts)
    # and the configuration (unchanged, unless the list is new); the record is kept as
    # issued, and copied again.
    assert run.jobs == {
        rule: count
        for rule, count in ALL_JOBS.items()
        if rule not in UPSTREAM_OF_DAILY | ({"run_config"} if listed else set())
    } | {"figure": ALL_JOBS["figure"] - 1}
    assert "output: results/figures/hourly_profile.png" not in run.output
    assert record.read_bytes() == issued
    daily = pd.read_csv(results / "tables/daily.csv", keep_default_na=False)
    assert daily.loc[daily["counter_issue"] != "", "date"].tolist() == [day]
    # Gone from scoring: the holdout's forecasts and the worst days ...
    assert day not in set(pd.read_csv(results / "model/holdout_forecasts.csv")["date"])
    assert day not in set(pd.read_csv(results / "monitoring/worst_days.csv")["date"])
    # ... and from training: every fold trained after it learns from fewer forecasts.
    folds = pd.read_csv(results / "model/backtest_folds.csv")
    after = folds["train_until"] >= day
    assert after.any()
    assert (folds.loc[after, "train_rows"] < folds_before.loc[after, "train_rows"]).all()
    assert (folds.loc[~after, "train_rows"] == folds_before.loc[~after, "train_rows"]).all()
    index = (results / "README.md").read_text()
    assert (
        f"The curated list of counter problems, [`{path}`]"
        f"(../{path}), excludes {excluded_before + 1} day"
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
        ("plotting", {"figure": 12, "results_index": 1}),
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
    config["monitoring"] = {"drift": {"reference_years": 2}}
    overrides.write_text(yaml.safe_dump(config, sort_keys=False))
    assert rerun(built).jobs == DRIFT_SETTING_RERUN
    drift = json.loads((built / "results/monitoring/drift.json").read_text())
    assert drift["reference_years"] == 2


def test_changing_a_parameter_reruns_only_the_rules_that_use_it(built: Path):
    overrides = built / "test-overrides.yaml"
    config = yaml.safe_load(overrides.read_text())
    config["monitoring"]["worst_days"] = 5
    overrides.write_text(yaml.safe_dump(config, sort_keys=False))  # key order is in params
    assert rerun(built).jobs == {"worst_days": 1, "results_index": 1, "run_config": 1}


def test_a_new_url_for_the_same_bytes_re_runs_nothing_after_the_download(
    built: Path, module_server: LoopbackServer
):
    """As make run and the Actions run it: the sources fetched in an invocation of their own,
    then the rest, where a re-downloaded file with unchanged bytes is known by its checksum."""
    overrides = built / "test-overrides.yaml"
    config = yaml.safe_load(overrides.read_text())
    config["sources"][COUNTS.name]["url"] = module_server.serve_file(
        "/mirror/counts.csv", counts_fixture()
    )
    overrides.write_text(yaml.safe_dump(config, sort_keys=False))
    fetched = snakemake(built, "all_downloads", "--configfile", "test-overrides.yaml")
    assert fetched.returncode == 0, fetched.output
    assert fetched.jobs == {"download": 1}
    # the accepted record and the data package name the new URL, the index links it, the
    # config shows it; nothing reads the raw file again
    assert rerun(built).jobs == {
        "accept_source": 1,
        "datapackage": 1,
        "results_index": 1,
        "run_config": 1,
    }


def test_invalid_source_stops_the_run_with_a_located_message(workdir: Path, server: LoopbackServer):
    rows = counts_rows(date(2021, 1, 1), 90)
    total = COUNTS_HEADER.index(COUNTS.total)
    rows[30][total] = "-5"  # a negative count, hour 6 of 2021-01-02 (and a wrong sum)
    urls = serve_sources(server, counts_text(rows).encode(), weather_fixture())
    write_config(workdir, fixture_config(urls))

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert f"{COUNTS.name}: failed validation with " in run.output
    assert f"row 32, field {COUNTS.total!r}: constraint-error" in run.output
    assert f"Full report: logs/validate/{COUNTS.name}.report.json" in run.output
    report = json.loads((workdir / f"logs/validate/{COUNTS.name}.report.json").read_text())
    assert report["valid"] is False
    assert not (workdir / f"results/validation/{COUNTS.name}.json").exists()
    for downstream in ("hourly_counts.csv", "daily.csv", "datapackage.json"):
        assert not (workdir / "results/tables" / downstream).exists()


def test_failed_download_leaves_no_file_and_runs_nothing_downstream(
    workdir: Path, server: LoopbackServer
):
    urls = {
        COUNTS.name: server.url("/missing.csv"),
        WEATHER.name: server.serve_file("/ghcnd.csv", weather_fixture()),
    }
    write_config(workdir, source_urls(urls))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode != 0
    assert f"{COUNTS.name}: download failed" in run.output
    assert "HTTP 404" in run.output
    assert not (workdir / f"resources/raw/{COUNTS.name}.csv").exists()
    assert not (workdir / "results/tables/daily.csv").exists()


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"download": {"retries": "five"}}, "`download.retries`: 'five' is not of type"),
        ({"tables": {"colour": "blue"}}, "`tables`: Additional properties are not allowed"),
        (
            {"sources": {COUNTS.name: {"url": "ftp://x.org/x.csv"}}},
            f"`sources.{COUNTS.name}.url`",
        ),
        ({"tables": {"timezone": "America/Seatle"}}, "`tables.timezone`: no time zone"),
        ({"tables": {"holidays": {"country": "ZZ"}}}, "`tables.holidays.country`: the holidays"),
    ],
)
def test_bad_config_is_refused_in_a_few_lines_before_anything_runs(
    workdir: Path, override: dict, named: str
):
    write_config(workdir, override, name="bad.yaml")
    run = snakemake(workdir, "--dry-run", "--configfile", "bad.yaml")
    assert run.returncode != 0
    assert "Error validating config file" in run.output
    assert f"config key {named}" in run.output
    assert len(run.output.splitlines()) < 12, run.output


@about_fremont
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
    assert f"**Stale source:** `{WEATHER.name}` lags the newest source by 1155 days." in index
    # Like for like, the autumn of 2021 is not drift in daylight or weather.
    drift = json.loads((workdir / "results/monitoring/drift.json").read_text())
    assert drift["drifted"] == []
    # Issued on the counts' last day, 2025-02-28, with the weather long unknown.
    record = pd.read_csv(workdir / "results/forecasts/issued/2025-02-28.csv")
    assert set(record["weather"]) == {"unknown"} and record["lead_days"].tolist() == [
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]

    dry = snakemake(workdir, "--configfile", "test-overrides.yaml", "--dry-run")
    assert dry.returncode == 0 and dry.jobs == {}, dry.output
