"""ci/publish.py: the results commit's message, when publishing is refused, and what is
staged; in a real repository where git is involved."""

from __future__ import annotations

import base64
import json
from datetime import date

import pytest
from support.gitrepo import Repository
from support.published_tables import daily, hourly, weather, write_tables

from ci.publish import commit, commit_message, publishing_refused, stage_results

OK_RUN = {"invocations": [{"name": "download", "returncode": 0, "jobs": {}}]}
FAILED_RUN = {
    "invocations": [
        {"name": "download", "returncode": 0, "jobs": {"download": 1}},
        {"name": "tables", "returncode": 1, "jobs": {}},
    ]
}
ON_MAIN = {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/main"}


def test_new_data_is_named_in_the_subject_with_its_short_sha_and_in_the_body_in_full():
    counts, weather = "a" * 64, "b" * 64
    message = commit_message(
        {"fremont_bridge": counts, "seatac_weather": weather},
        ["daily_table", "tidy_counts"],
        "c0ffee",
    )
    assert message == (
        "Update results: new data for fremont_bridge (aaaaaaaaaaaa), seatac_weather "
        "(bbbbbbbbbbbb)\n\n"
        "Re-ran: daily_table, tidy_counts.\n"
        f"fremont_bridge: sha256 {counts}\n"
        f"seatac_weather: sha256 {weather}\n\n"
        "Built-from: c0ffee\n"
    )


def test_a_code_change_without_new_data_says_what_re_ran():
    message = commit_message({}, [], "c0ffee")
    assert message == (
        "Update results\n\nRe-ran: nothing past the downloads.\n\nBuilt-from: c0ffee\n"
    )


def test_what_changed_in_the_tables_follows_the_subject_and_the_trailer_stays_last():
    counts = "a" * 64
    changes = [
        "fremont_bridge (hourly_counts): 744 rows added (2021-07-01 to 2021-07-31), 0 changed, "
        "0 removed",
        "daily (derived): 10 rows added (2021-07-01 to 2021-07-10), 0 changed, 0 removed",
    ]
    message = commit_message({"fremont_bridge": counts}, ["tidy_counts"], "c0ffee", changes)
    assert message == (
        "Update results: new data for fremont_bridge (aaaaaaaaaaaa)\n\n"
        f"{changes[0]}\n{changes[1]}\n\n"
        "Re-ran: tidy_counts.\n"
        f"fremont_bridge: sha256 {counts}\n\n"
        "Built-from: c0ffee\n"
    )


def test_the_message_ends_in_a_trailer_git_reads_back(repository: Repository):
    repository.write("results/README.md", "x\n")
    repository.commit(commit_message({"fremont_bridge": "a" * 64}, ["figure"], "c0ffee"))
    trailer = repository.git("log", "-1", "--format=%(trailers:key=Built-from,valueonly)")
    assert trailer.strip() == "c0ffee"


@pytest.mark.parametrize(
    ("environment", "record", "refusal"),
    [
        (ON_MAIN, OK_RUN, None),
        ({}, OK_RUN, None),  # outside Actions (a person, or the simulation)
        (
            {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_REF": "refs/pull/1/merge"},
            OK_RUN,
            "Refusing to publish from a pull_request event.",
        ),
        (
            {"GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_REF": "refs/heads/main"},
            OK_RUN,
            "Refusing to publish from a pull_request_target event.",
        ),
        (
            {"GITHUB_EVENT_NAME": "push", "GITHUB_REF": "refs/heads/idea"},
            OK_RUN,
            "Refusing to publish from refs/heads/idea: results are committed on main only.",
        ),
        (ON_MAIN, None, "Refusing to publish: there is no record of a run (call `run` first)."),
        (
            ON_MAIN,
            FAILED_RUN,
            "Refusing to publish: the last run failed, and results must stay as published.",
        ),
    ],
)
def test_publishing_is_refused_off_main_on_pull_requests_and_after_a_failed_run(
    environment: dict, record: dict | None, refusal: str | None
):
    assert publishing_refused("main", environment, record) == refusal


def provenance(repository: Repository, output: str, **fields) -> str:
    """Write Snakemake's provenance record of `output`; returns its path."""
    name = base64.urlsafe_b64encode(output.encode()).decode()
    record = {"rule": "figure", "code": "abc", "starttime": 1.0, "endtime": 2.0, "job_hash": 1}
    path = f".snakemake/metadata/{name}"
    repository.write(path, json.dumps({**record, **fields}))
    return path


@pytest.fixture
def published(repository: Repository) -> Repository:
    """Code, then results built from it with their provenance, committed as publish does."""
    repository.write("workflow/scripts/figure.py", "draw()\n")
    code = repository.commit("The project")
    repository.write("results/figures/a.png", "png")
    provenance(repository, "results/figures/a.png")
    repository.git("add", "--force", ".snakemake")
    repository.results_commit(code)
    return repository


def staged(repository: Repository) -> list[str]:
    return repository.git("diff", "--cached", "--name-only").split()


def test_a_record_changed_only_in_run_times_is_no_reason_for_a_commit(published: Repository):
    """A forced re-run with unchanged inputs: the same results, new start and end times."""
    record = provenance(published, "results/figures/a.png", starttime=50.0, endtime=60.0)
    assert stage_results() is False
    assert staged(published) == []
    assert json.loads((published.root / record).read_text())["starttime"] == 1.0  # restored


def test_after_a_code_change_the_same_results_are_committed_with_their_records(
    published: Repository,
):
    """The commit is what moves Built-from forward: else the next run re-runs the job."""
    published.write("workflow/scripts/figure.py", "draw()  # reviewed\n")
    published.commit("Review the figure")
    record = provenance(published, "results/figures/a.png", starttime=50.0, endtime=60.0)
    assert stage_results() is True
    assert staged(published) == [record]


def test_a_changed_result_is_staged_and_a_raw_downloads_record_never(published: Repository):
    published.write("results/figures/a.png", "new png")
    record = provenance(published, "results/figures/a.png", code="def")
    provenance(published, "resources/raw/fremont_bridge.csv")
    published.write("resources/raw/fremont_bridge.csv", "hour,count\n")
    assert stage_results() is True
    assert sorted(staged(published)) == sorted([record, "results/figures/a.png"])


def test_a_commit_with_new_rows_names_their_days_and_adds_an_entry_to_the_changelog(
    repository: Repository,
):
    repository.write("workflow/scripts/tidy_counts.py", "tidy()\n")
    code = repository.commit("The project")
    june = [weather(date(2021, 6, 1), 30), daily(date(2021, 6, 1), 30)]
    write_tables(repository, hourly(date(2021, 6, 1), 30, hours=2), *june)
    results = repository.results_commit(code)
    write_tables(repository, hourly(date(2021, 6, 1), 61, hours=2), *june)  # July's counts

    assert commit() is True
    added = (
        "fremont_bridge (hourly_counts): 62 rows added (2021-07-01 to 2021-07-31), "
        "0 changed, 0 removed"
    )
    message = repository.git("log", "-1", "--format=%B")
    assert message.startswith(f"Update results\n\n{added}\n\nRe-ran: ")
    assert message.rstrip().endswith(f"\n\nBuilt-from: {results}")
    assert repository.git("show", "--name-only", "--format=", "HEAD").split() == [
        "results/CHANGELOG.md",
        "results/tables/coverage.json",
        "results/tables/hourly_counts.csv",
    ]
    page = repository.git("show", "HEAD:results/CHANGELOG.md")
    assert page.endswith(f"\n## Data to 2021-07-31\n\n- {added}\n")

    assert commit() is False  # unchanged data adds nothing
    assert repository.git("show", "HEAD:results/CHANGELOG.md") == page
