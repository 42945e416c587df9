"""The GitHub Actions logic, simulated offline with real git and real Snakemake.

A bare "origin" repository holds the project; every run works in a fresh clone of it (a
clone resets every mtime, as a runner's checkout does), fetches the sources from a loopback
HTTP server, and calls the very package the workflows call (.github/scripts/ci, run as a
directory): mark-changes, run, summary, publish. Each test asserts which rules re-ran and what was
committed to origin.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.data import (
    COUNTS_DAYS,
    COUNTS_START,
    WEATHER_DAYS,
    counts_fixture,
    fremont_rows,
    fremont_text,
    weather_fixture,
)
from support.upstream import Upstream
from support.workflow import configure_fork, copy_repository

pytestmark = pytest.mark.workflow

CI_PACKAGE = ".github/scripts/ci"  # run as a directory, as the workflows do
DEVELOPER = ["-c", "user.name=Developer", "-c", "user.email=developer@example.invalid"]


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return result.stdout


def ci(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the workflows' package in a clone, as a workflow step would: outside Actions
    (unless `env` says otherwise), and with no git identity of the machine's (a runner has
    none)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    environment.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})})
    return subprocess.run(
        [sys.executable, CI_PACKAGE, *args],
        cwd=clone,
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def fresh_clone(origin: Path, destination: Path) -> Path:
    git(origin.parent, "clone", "--quiet", str(origin), str(destination))
    return destination


def actions_run(origin: Path, clone_dir: Path, *run_args: str) -> Path:
    """What results.yml does up to the commit: checkout, mark changes, run."""
    clone = fresh_clone(origin, clone_dir)
    ok(ci(clone, "mark-changes"))
    ok(ci(clone, "run", *run_args))
    return clone


def run_record(clone: Path) -> dict:
    return json.loads((clone / ".snakemake/ci-run.json").read_text())


def reran(clone: Path) -> set[str]:
    """Rules executed past the downloads in the clone's last run."""
    return {
        rule
        for invocation in run_record(clone)["invocations"]
        if invocation["name"] != "download"
        for rule in invocation["jobs"]
    }


def downloaded(clone: Path) -> set[str]:
    return set(run_record(clone)["invocations"][0]["jobs"])


def accepted_sha256(clone: Path, source: str) -> str:
    """sha256 of the source data the clone's results were built from."""
    return json.loads((clone / f"results/sources/{source}.json").read_text())["sha256"]


def log(origin: Path) -> list[str]:
    return git(origin, "log", "--format=%an|%s", "main").splitlines()


def committed_files(origin: Path, revision: str = "main") -> set[str]:
    return set(git(origin, "show", "--name-only", "--format=", revision).split())


def record_path(output: str) -> str:
    return f".snakemake/metadata/{base64.urlsafe_b64encode(output.encode()).decode()}"


def committed_records(origin: Path, revision: str = "main") -> set[str]:
    """The outputs whose provenance records the commit changed."""
    prefix = ".snakemake/metadata/"
    return {
        base64.urlsafe_b64decode(path.removeprefix(prefix)).decode()
        for path in committed_files(origin, revision)
        if path.startswith(prefix)
    }


def changelog_page(origin: Path) -> str:
    """The data changelog as main has it."""
    return git(origin, "show", "main:results/CHANGELOG.md")


def restore_download_cache(source_clone: Path, clone: Path) -> None:
    """What results.yml's cache restore does: the downloads and their provenance records."""
    shutil.copytree(source_clone / "resources/raw", clone / "resources/raw")
    for record in (source_clone / ".snakemake/metadata").glob("cmVzb3VyY2VzL3Jh*"):
        target = clone / ".snakemake/metadata" / record.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(record, target)


def developer_change(origin: Path, workdir: Path, edit, message: str, *env_dates: str) -> None:
    """A person clones, edits, commits and pushes (optionally with back-dated commits)."""
    clone = fresh_clone(origin, workdir)
    edit(clone)
    environment = dict(os.environ)
    if env_dates:
        environment.update({"GIT_AUTHOR_DATE": env_dates[0], "GIT_COMMITTER_DATE": env_dates[0]})
    subprocess.run(
        ["git", *DEVELOPER, "commit", "--quiet", "--all", "--message", message],
        cwd=clone,
        check=True,
        env=environment,
    )
    git(clone, "push", "--quiet", "origin", "HEAD:main")


def append(path: str, text: str):
    def edit(clone: Path) -> None:
        target = clone / path
        target.write_text(target.read_text() + text)

    return edit


def set_config(key_path: list[str], value):
    def edit(clone: Path) -> None:
        config_path = clone / "config/config.yaml"
        config = yaml.safe_load(config_path.read_text())
        node = config
        for key in key_path[:-1]:
            node = node[key]
        node[key_path[-1]] = value
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))

    return edit


@pytest.fixture(scope="module")
def published(tmp_path_factory, upstream: Upstream) -> Path:
    """A bare origin with the project, after the first run published its results."""
    root = tmp_path_factory.mktemp("published")
    seed = copy_repository(root / "seed")
    configure_fork(seed, upstream.urls)  # sources on the loopback upstream, small model
    git(seed, "init", "--quiet", "--initial-branch", "main")
    git(seed, "add", "--all")
    git(seed, *DEVELOPER, "commit", "--quiet", "--message", "The project")
    origin = root / "origin.git"
    git(root, "clone", "--quiet", "--bare", str(seed), str(origin))

    clone = actions_run(origin, root / "first-run")
    ok(ci(clone, "publish"))
    assert log(origin)[0].startswith("github-actions[bot]|Update results: new data for")
    return origin


@pytest.fixture
def origin(published: Path, tmp_path: Path, upstream: Upstream) -> Path:
    """A private copy of the published origin; upstream serves the original data again."""
    upstream.serve()
    return Path(shutil.copytree(published, tmp_path / "origin.git"))


def test_fresh_clone_after_a_results_commit_reruns_nothing_and_commits_nothing(
    origin: Path, tmp_path: Path
):
    before = log(origin)
    clone = actions_run(origin, tmp_path / "runner")
    assert downloaded(clone) == {"download"}  # resources/raw is not in git: fetched again
    assert reran(clone) == set()
    assert "Nothing changed" in ok(ci(clone, "publish")).stdout
    assert log(origin) == before


def test_changed_figure_script_reruns_that_figure_and_the_index_only(origin: Path, tmp_path: Path):
    figure = "workflow/scripts/figure_daily_traffic.py"
    developer_change(origin, tmp_path / "dev", append(figure, "\n# reviewed\n"), "Touch a figure")
    clone = actions_run(origin, tmp_path / "runner")
    tables, workflow = run_record(clone)["invocations"][1:]
    assert tables["jobs"] == {} and workflow["jobs"] == {"figure": 1, "results_index": 1}
    ok(ci(clone, "publish"))
    authors = [entry.split("|")[0] for entry in log(origin)[:2]]
    assert authors == ["github-actions[bot]", "Developer"]
    # A comment changes no pixel: only the provenance of the two re-run outputs is new.
    assert committed_records(origin) == {"results/figures/daily_traffic.png", "results/README.md"}
    assert committed_files(origin) == {record_path(path) for path in committed_records(origin)}


def test_model_hyperparameter_change_reruns_only_model_rules_and_what_follows(
    origin: Path, tmp_path: Path
):
    developer_change(
        origin, tmp_path / "dev", set_config(["model", "regressor", "max_iter"], 25), "Fewer trees"
    )
    clone = actions_run(origin, tmp_path / "runner")
    # Everything that reads the model's outputs (the current record too: its job runs, and
    # keeps the record as issued); not drift or data health, which read the daily table only,
    # and nothing upstream. The config the run used is published, so it is written again.
    assert reran(clone) == {
        "fit_model",
        "backtest",
        "promote_model",
        "permutation_importance",
        "model_card",
        "worst_days",
        "issue_forecasts",
        "latest_forecast",
        "score_forecasts",
        "live_error_backtest",
        "alerts",
        "figure",
        "run_config",
        "results_index",
    }
    ok(ci(clone, "publish"))
    assert "results/model/metrics.json" in committed_files(origin)


def test_changed_conda_env_reruns_only_the_rules_that_use_it(origin: Path, tmp_path: Path):
    env = "workflow/envs/figures.yaml"
    developer_change(origin, tmp_path / "dev", append(env, "# rebuilt\n"), "Rebuild figure env")
    clone = actions_run(origin, tmp_path / "runner")
    assert reran(clone) == {"figure", "results_index"}


def test_refresh_with_unchanged_upstream_reruns_nothing_and_commits_nothing(
    origin: Path, tmp_path: Path
):
    before, page = log(origin), changelog_page(origin)
    clone = actions_run(origin, tmp_path / "runner", "--refresh")
    assert downloaded(clone) == {"download"}
    assert reran(clone) == set()
    ok(ci(clone, "publish"))
    assert log(origin) == before and changelog_page(origin) == page


def test_refresh_with_new_upstream_rows_rebuilds_the_tables_and_names_the_new_data(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    before = log(origin)
    upstream.serve(counts=counts_fixture(COUNTS_DAYS + 14))
    clone = actions_run(origin, tmp_path / "runner", "--refresh")
    rules = reran(clone)
    assert {"validate_source", "tidy_counts", "daily_table", "results_index"} <= rules
    # The new hours come after the last weather day: the daily table (the days both sources
    # have) is rewritten with the same bytes, and nothing that reads it runs again.
    assert "tidy_weather" not in rules and "fit_model" not in rules
    ok(ci(clone, "publish"))
    sha = accepted_sha256(clone, "fremont_bridge")
    message = git(origin, "log", "-1", "--format=%B", "main")
    assert f"fremont_bridge ({sha[:12]})" in message.splitlines()[0]
    assert f"fremont_bridge: sha256 {sha}" in message
    assert "seatac_weather" not in message
    assert log(origin)[1:] == before  # exactly one new commit
    # What changed in the data, after the subject: the days added (and no daily line).
    added = (
        "fremont_bridge (hourly_counts): 336 rows added (2021-07-01 to 2021-07-14), "
        "0 changed, 0 removed"
    )
    assert message.split("\n\n")[1] == added
    # The changelog: this entry first, then the first results commit's.
    page = changelog_page(origin)
    assert page.index(f"## Data to 2021-07-14\n\n- {added}\n") < page.index(
        "## Data to 2021-06-30\n\n- fremont_bridge (hourly_counts): "
    )
    assert page.count("\n## ") == 2


def test_a_weather_day_beyond_the_last_count_reruns_the_tables_and_no_model(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    """GHCN publishes every day, the counter every month: most days bring weather for days
    that have no counts yet, which changes the weather table and not the daily one, and
    moves the issue date: the day's forecasts are issued, as a new record."""
    upstream.serve(weather=weather_fixture(WEATHER_DAYS + 30))  # now past the last count
    first = actions_run(origin, tmp_path / "first", "--refresh")
    ok(ci(first, "publish"))
    upstream.serve(weather=weather_fixture(WEATHER_DAYS + 31))
    clone = actions_run(origin, tmp_path / "runner", "--refresh")
    tables, workflow = run_record(clone)["invocations"][1:]
    assert set(tables["jobs"]) == {
        "validate_source",
        "accept_source",
        "tidy_weather",
        "daily_table",
    }
    assert workflow["jobs"] == {
        "datapackage": 1,
        "data_health": 1,
        "issue_forecasts": 1,
        "latest_forecast": 1,
        "score_forecasts": 1,
        "alerts": 1,
        "figure": 1,
        "results_index": 1,
    }
    ok(ci(clone, "publish"))
    assert "results/tables/daily.csv" not in committed_files(origin)
    assert "results/tables/weather.csv" in committed_files(origin)
    issued = [
        path for path in committed_files(origin) if path.startswith("results/forecasts/issued/")
    ]
    assert len(issued) == 1
    message = git(origin, "log", "-1", "--format=%B", "main")
    day = "seatac_weather (weather): 1 row added (2021-07-21), 0 changed, 0 removed"
    assert message.split("\n\n")[1] == day
    assert changelog_page(origin).count(f"- {day}\n") == 1


def test_invalid_upstream_fails_commits_nothing_and_keeps_published_results(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    before = log(origin)
    published_daily = git(origin, "show", "main:results/tables/daily.csv")
    rows = fremont_rows(COUNTS_START, COUNTS_DAYS)
    rows[100][1:] = ["-3", "0", "-3"]
    upstream.serve(counts=fremont_text(rows).encode())

    clone = fresh_clone(origin, tmp_path / "runner")
    ok(ci(clone, "mark-changes"))
    failed = ci(clone, "run", "--refresh")
    assert failed.returncode != 0
    summary = ok(ci(clone, "summary")).stdout
    assert "# Validation of `fremont_bridge`" in summary and "**invalid**" in summary
    refused = ci(clone, "publish")
    assert refused.returncode != 0 and "the last run failed" in refused.stderr
    assert log(origin) == before
    assert git(origin, "show", "main:results/tables/daily.csv") == published_daily


def test_refresh_whose_upstream_lost_published_days_fails_and_says_so(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    before = log(origin)
    upstream.serve(counts=counts_fixture(COUNTS_DAYS - 30))  # history cut short upstream
    clone = fresh_clone(origin, tmp_path / "runner")
    ok(ci(clone, "mark-changes"))
    assert ci(clone, "run", "--refresh").returncode != 0
    summary = ok(ci(clone, "summary")).stdout
    assert "# Validation of `fremont_bridge`" in summary
    assert "| Result | **invalid**: valid, but it has lost data that is published |" in summary
    assert ci(clone, "publish").returncode != 0
    assert log(origin) == before


def test_code_change_committed_before_the_results_but_merged_after_still_reruns(
    origin: Path, tmp_path: Path
):
    """The case that ordering files by commit date gets wrong: a commit made (dated) before
    the last results commit, pushed after it."""
    figure = "workflow/scripts/figure_hourly_profile.py"
    developer_change(
        origin,
        tmp_path / "dev",
        append(figure, "\n# old local commit\n"),
        "Old change, pushed late",
        "2001-01-01T00:00:00+00:00",
    )
    clone = actions_run(origin, tmp_path / "runner")
    assert reran(clone) == {"figure", "results_index"}


def test_two_runs_racing_to_push_both_land(origin: Path, tmp_path: Path, upstream: Upstream):
    # Run A, a refresh, starts on main as it is and finds new upstream data...
    upstream.serve(counts=counts_fixture(COUNTS_DAYS + 7))
    run_a = actions_run(origin, tmp_path / "run-a", "--refresh")
    # ... meanwhile a person changes a figure, and run B starts for that push.
    figure = append("workflow/scripts/figure_temperature.py", "\n# tweak\n")
    developer_change(origin, tmp_path / "dev", figure, "Tweak a figure")
    run_b = actions_run(origin, tmp_path / "run-b")
    assert "figure" in reran(run_b)

    published_a = ok(ci(run_a, "publish"))  # main moved (the person's push): A rebases
    assert "Push rejected" in published_a.stdout and "rebuilding" not in published_a.stdout
    published_b = ok(ci(run_b, "publish"))  # both changed the same results: B rebuilds on A

    assert "rebuilding on top" in published_b.stdout
    # Nothing is lost: main holds the new data and the figure change is built into it.
    final = actions_run(origin, tmp_path / "final")
    assert reran(final) == set()
    assert accepted_sha256(final, "fremont_bridge") == accepted_sha256(run_a, "fremont_bridge")


def test_a_push_from_a_person_during_a_run_is_rebased_over_and_built_next(
    origin: Path, tmp_path: Path
):
    residuals = append("workflow/scripts/figure_residuals.py", "\n# x\n")
    developer_change(origin, tmp_path / "dev", residuals, "Residuals")
    runner = actions_run(origin, tmp_path / "runner")
    drift = append("workflow/scripts/figure_drift.py", "\n# y\n")
    developer_change(origin, tmp_path / "dev2", drift, "Drift")  # pushed during the run
    result = ok(ci(runner, "publish"))
    assert "Push rejected" in result.stdout and "rebuilding" not in result.stdout
    subjects = [entry.split("|")[1] for entry in log(origin)[:3]]
    assert subjects[1:] == ["Drift", "Residuals"] and subjects[0].startswith("Update results")
    # The rebased results were built without the person's change: the next run builds it.
    follow_up = actions_run(origin, tmp_path / "follow-up")
    assert run_record(follow_up)["invocations"][-1]["jobs"] == {"figure": 1, "results_index": 1}


def test_changed_source_url_with_cached_downloads_fetches_again(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    earlier = actions_run(origin, tmp_path / "earlier")  # its downloads fill the cache
    mirror = upstream.server.serve_file("/mirror.csv", counts_fixture(COUNTS_DAYS + 3))
    developer_change(
        origin, tmp_path / "dev", set_config(["sources", "fremont_bridge", "url"], mirror), "Mirror"
    )
    clone = fresh_clone(origin, tmp_path / "runner")
    restore_download_cache(earlier, clone)
    ok(ci(clone, "mark-changes"))
    ok(ci(clone, "run"))
    assert downloaded(clone) == {"download"}
    assert {"validate_source", "tidy_counts", "daily_table"} <= reran(clone)


def test_stale_cached_download_is_fetched_again_not_published(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    upstream.serve(counts=counts_fixture(COUNTS_DAYS - 30))  # an older export...
    stale = fresh_clone(origin, tmp_path / "stale")
    fetched = subprocess.run(  # ... fetched by a run whose cache survived
        [sys.executable, "-m", "snakemake", "--cores", "1", "all_downloads"],
        cwd=stale,
        capture_output=True,
        text=True,
    )
    ok(fetched)
    upstream.serve()
    clone = fresh_clone(origin, tmp_path / "runner")
    restore_download_cache(stale, clone)
    ok(ci(clone, "mark-changes"))
    result = ok(ci(clone, "run"))
    assert "Discarding resources/raw/fremont_bridge.csv" in result.stdout
    assert reran(clone) == set()


def test_publish_to_an_unreachable_remote_fails_with_gits_messages(origin: Path, tmp_path: Path):
    developer_change(
        origin, tmp_path / "dev", append("workflow/scripts/figure_drift.py", "\n# x\n"), "Fig"
    )
    clone = actions_run(origin, tmp_path / "runner")
    gone = tmp_path / "gone.git"
    git(clone, "remote", "set-url", "origin", str(gone))
    result = ci(clone, "publish")
    assert result.returncode == 1
    assert "The push to origin/main failed, and so did fetching it:" in result.stderr
    assert f"'{gone}' does not appear to be a git repository" in result.stderr
    assert "Traceback" not in result.stderr and "attempt 2" not in result.stdout


def test_publish_refuses_on_pull_requests(origin: Path, tmp_path: Path):
    developer_change(
        origin, tmp_path / "dev", append("workflow/scripts/figure_drift.py", "\n# x\n"), "Fig"
    )
    clone = actions_run(origin, tmp_path / "runner")
    before = log(origin)
    environment = {**os.environ, "GITHUB_EVENT_NAME": "pull_request"}
    refused = subprocess.run(
        [sys.executable, CI_PACKAGE, "publish"],
        cwd=clone,
        capture_output=True,
        text=True,
        env=environment,
    )
    assert refused.returncode != 0 and "pull_request" in refused.stderr
    assert log(origin) == before


def test_metrics_diff_compares_a_change_with_main(origin: Path, tmp_path: Path):
    clone = fresh_clone(origin, tmp_path / "pr")
    set_config(["model", "regressor", "max_iter"], 15)(clone)
    ok(ci(clone, "mark-changes"))
    ok(ci(clone, "run"))
    table = ok(ci(clone, "metrics-diff", "--base", "origin/main")).stdout
    assert "## Metrics: this change against `origin/main`" in table
    model_mae = [line for line in table.splitlines() if line.startswith("| model | mae |")]
    assert len(model_mae) == 1
    base, change, delta = (cell.strip() for cell in model_mae[0].split("|")[3:6])
    assert float(change) - float(base) == pytest.approx(float(delta), abs=1e-3 * abs(float(base)))


def test_extra_snakemake_options_taking_several_values_do_not_swallow_the_target(
    origin: Path, tmp_path: Path
):
    """`--sdm` takes several values: the run's target once came after it and was read as a
    deployment method ("invalid choice: 'downloads'"). env-modules runs here (no rule uses
    an environment module), unlike conda; the parsing is the same."""
    clone = fresh_clone(origin, tmp_path / "runner")
    ok(ci(clone, "mark-changes"))
    result = ok(ci(clone, "run", "--refresh", "--snakemake-args", "--sdm env-modules"))
    assert "invalid choice" not in result.stdout + result.stderr
    assert downloaded(clone) == {"download"} and reran(clone) == set()


# --- check-sources: does the refresh need to run at all? --------------------------------


def check(clone: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess, str]:
    """`ci check-sources` as the refresh's first job runs it; returns the result and
    what it set as the step's `changed` output."""
    outputs = tmp_path / "github-output"
    outputs.write_text("")
    result = ci(clone, "check-sources", env={"GITHUB_OUTPUT": str(outputs)})
    return result, outputs.read_text()


def test_check_with_a_server_honouring_conditional_requests_gets_304_and_runs_nothing(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    clone = fresh_clone(origin, tmp_path / "runner")
    asked_before = len(upstream.server.requests)
    result, outputs = check(clone, tmp_path)
    assert ok(result).stdout.count("| 304 Not Modified | no |") == 2
    assert outputs == "changed=false\n"
    asked = upstream.server.request_headers[asked_before:]
    record = json.loads((clone / "results/sources/fremont_bridge.json").read_text())
    assert record["etag"] and {"If-None-Match": record["etag"]}.items() <= asked[0].items()


def test_check_with_a_server_ignoring_them_compares_the_sha256(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    upstream.serve(validators="ignores")
    clone = fresh_clone(origin, tmp_path / "runner")
    result, outputs = check(clone, tmp_path)
    assert ok(result).stdout.count("(sha256 unchanged) | no |") == 2
    assert outputs == "changed=false\n"
    upstream.serve(weather=weather_with_one_more_day(), validators="ignores")
    result, outputs = check(clone, tmp_path)
    assert "| `seatac_weather` | If-None-Match and If-Modified-Since | new data:" in result.stdout
    assert outputs == "changed=true\n"


def test_check_with_a_server_sending_no_validators_downloads_and_compares_the_sha256(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    """The accepted record of data from such a server has no ETag or Last-Modified: the
    check can only fetch the whole file."""
    upstream.serve(counts=counts_fixture(COUNTS_DAYS + 7), validators="none")
    runner = actions_run(origin, tmp_path / "runner", "--refresh")
    ok(ci(runner, "publish"))
    clone = fresh_clone(origin, tmp_path / "next-day")
    record = json.loads((clone / "results/sources/fremont_bridge.json").read_text())
    assert record["etag"] is None and record["last_modified"] is None
    result, outputs = check(clone, tmp_path)
    expected = "| `fremont_bridge` | the whole file (no ETag or Last-Modified) | the same"
    assert expected in ok(result).stdout and outputs == "changed=false\n"
    upstream.serve(counts=counts_fixture(COUNTS_DAYS + 8), validators="none")
    result, outputs = check(clone, tmp_path)
    assert "| `fremont_bridge` | the whole file (no ETag or Last-Modified) | new data:" in (
        ok(result).stdout
    )
    assert outputs == "changed=true\n"


def test_check_after_a_source_url_changed_cannot_tell_and_runs(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    mirror = upstream.server.serve_file("/mirror.csv", counts_fixture())
    developer_change(
        origin, tmp_path / "dev", set_config(["sources", "fremont_bridge", "url"], mirror), "Mirror"
    )
    clone = fresh_clone(origin, tmp_path / "runner")
    result, outputs = check(clone, tmp_path)
    assert "The check cannot tell (config/config.yaml changed since the results were built)" in (
        ok(result).stdout
    )
    assert outputs == "changed=true\n"


def test_check_with_a_source_down_fails_naming_it_and_decides_nothing(
    origin: Path, tmp_path: Path, upstream: Upstream
):
    upstream.stop_serving("fremont_bridge")
    clone = fresh_clone(origin, tmp_path / "runner")
    result, outputs = check(clone, tmp_path)
    assert result.returncode == 1 and outputs == ""
    assert f"fremont_bridge: {upstream.urls['fremont_bridge']} answered HTTP 503" in result.stderr
    assert "Traceback" not in result.stderr


def weather_with_one_more_day() -> bytes:
    return weather_fixture(WEATHER_DAYS + 1)
