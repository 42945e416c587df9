"""The GitHub Actions workflow files themselves, executed by act as GitHub would run them.

A fork's repository lives in a bare origin on disk (tests/support/act.py: `Forge`); a person
pushes to it, then act runs the event's workflow from the pushed commit with the real pinned
actions (checkout fetches from the origin, cache talks to act's cache server). Each test
asserts what lands in the origin and what the job summary says. The sources are served by a
loopback upstream; the pipeline runs on the small fixture data.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import act, github_api
from support.act import ActRun, Forge, append
from support.data import COUNTS_DAYS, COUNTS_START, counts_fixture, fremont_rows, fremont_text
from support.github_api import GitHubAPI
from support.upstream import Upstream

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(act.unavailable_reason() is not None, reason=str(act.unavailable_reason())),
]

BOT = "github-actions[bot]"
REPO = f"{act.OWNER}/{act.NAME}"
# What pipeline.yml and refresh.yml grant the results job's GITHUB_TOKEN.
RESULTS_TOKEN = {"contents": "write", "issues": "write", "actions": "write", "metadata": "read"}
PUSH_TO_MAIN = {"ref": "refs/heads/main"}
RESULTS_JOB = "run-and-publish"
CHECK_JOB = "check-sources"
SET_UP_STEPS = {
    "conda-incubator/setup-miniconda@8ee1f361103df19b6f8c8655fd3967a8ecb162d5",
    "Restore the driver environment's packages",
    "Restore the rules' conda environments",
}


@pytest.fixture(scope="module")
def first_push(tmp_path_factory, upstream: Upstream) -> tuple[Forge, ActRun, str, list]:
    """A fork's first push to main (sources pointed at its upstream), run by pipeline.yml:
    the forge, the run, the commit pushed and the issues the run left on GitHub."""
    root = tmp_path_factory.mktemp("fork")
    forge = Forge.of_a_fork(root, upstream.urls, "Fork: sources and model for our data")
    checkout = forge.clone(root / "checkout")
    with github_api.github_api() as github:  # the tests' `github` is one per test
        point_at(forge, github)
        run = forge.act("push", checkout, "pipeline.yml", PUSH_TO_MAIN)
        github.assert_no_violations()
        issues = github.issues(REPO)
    return forge, run, forge.git(checkout, "rev-parse", "HEAD").stdout.strip(), issues


def point_at(forge: Forge, github: GitHubAPI) -> None:
    """The fork's repository on the stand-in, the runs' steps talking to it, and their
    GITHUB_TOKEN one it knows, with the results job's permissions."""
    github.add_repository(act.OWNER, act.NAME)
    github.add_token("results run", RESULTS_TOKEN, token=act.TOKEN, repository=REPO)
    forge.step_env = {"GITHUB_API_URL": github.url}


@pytest.fixture
def forge(first_push, tmp_path: Path, upstream: Upstream, github: GitHubAPI) -> Forge:
    """A private copy of the fork after its first results commit, upstream as it was, and
    GitHub as the per-test stand-in."""
    upstream.serve()
    forge = first_push[0].copy(tmp_path / "forge")
    point_at(forge, github)
    return forge


def person_pushes(forge: Forge, workdir: Path, edit, message: str, branch: str = "main") -> Path:
    """Clone, edit, commit and push as a person; returns their checkout (act runs from it)."""
    checkout = forge.clone(workdir)
    if branch != "main":
        forge.git(checkout, "switch", "--quiet", "--create", branch)
    edit(checkout)
    forge.git(checkout, "commit", "--quiet", "--all", "--message", message)
    forge.git(checkout, "push", "--quiet", "origin", f"HEAD:{branch}")
    return checkout


def commit_message(forge: Forge, ref: str = "main") -> str:
    return forge.git(forge.origin, "log", "-1", "--format=%B", ref).stdout


def committed_files(forge: Forge, ref: str = "main") -> set[str]:
    return set(forge.git(forge.origin, "show", "--name-only", "--format=", ref).stdout.split())


def alert_issues(issues: list, state: str = "open") -> dict[str, object]:
    """The alert issues in `state` by their monitor's label ('alert: failed run')."""
    return {
        issue.labels[1]: issue
        for issue in issues
        if issue.state == state and issue.labels[:1] == ("alert",)
    }


def succeeded(run: ActRun, *jobs: str) -> ActRun:
    assert run.returncode == 0 and all(run.jobs.get(job) == "success" for job in jobs), (
        run.explain()
    )
    return run


def workflow_line(summary: str) -> str:
    """The summary's line on the second Snakemake invocation (what ran past the downloads)."""
    return next(line for line in summary.splitlines() if line.startswith("- workflow:"))


def test_every_pinned_action_has_a_snapshot_at_its_exact_sha():
    arguments = act.local_repositories()  # raises, naming the SHA, when one is missing
    replaced = [arg for arg in arguments if arg.endswith(f"={act.STAND_IN}")]
    assert {arg.split("@")[0] for arg in replaced} == act.REPLACED


def test_a_forks_first_push_publishes_its_results(first_push):
    forge, run, pushed, _ = first_push
    succeeded(run, RESULTS_JOB)
    authors = [entry.split("|")[0] for entry in forge.log()]
    assert authors == [BOT, "Developer"]
    subject = commit_message(forge).splitlines()[0]
    assert subject.startswith("Update results: new data for fremont_bridge (")
    assert "seatac_weather (" in subject
    assert f"Built-from: {pushed}" in commit_message(forge)
    files = committed_files(forge)
    assert {"results/README.md", "results/sources/fremont_bridge.json"} <= files
    assert any(name.startswith(".snakemake/metadata/") for name in files)
    assert not any(name.startswith("resources/raw/") for name in files)
    summary = run.summary(RESULTS_JOB)
    assert "- download: ok; ran `download` (2)" in summary
    assert "`results_index` (1)" in workflow_line(summary)


def test_a_first_push_opens_one_issue_per_firing_monitor_for_the_people_who_act(first_push):
    """What the results commit says fires is what a maintainer finds open on GitHub, by the
    bot, labelled for the roles that act, linking the evidence at the results commit; and the
    fixture's counts, years old, are news the data engineer gets (no new data)."""
    forge, _, _, issues = first_push
    committed = json.loads(
        forge.git(forge.origin, "show", "main:results/monitoring/alerts.json").stdout
    )
    firing = {alert["labels"][1] for alert in committed["alerts"] if alert["firing"]}
    opened = alert_issues(issues)
    assert set(opened) == firing | {"alert: no new data"}
    assert len(issues) == len(opened)  # one issue each, and nothing closed or else
    assert {issue.author for issue in issues} == {BOT}
    stale = opened["alert: no new data"]
    assert stale.title.startswith("No new data for ") and "role: data engineer" in stale.labels
    results_commit = forge.head()
    for label in firing:
        assert f"/blob/{results_commit}/results/" in opened[label].body, label


def test_push_editing_one_figure_reruns_it_and_the_index_then_an_unrelated_push_commits_nothing(
    forge: Forge, tmp_path: Path
):
    figure = append("workflow/scripts/figure_daily_traffic.py", "\n# reviewed\n")
    checkout = person_pushes(forge, tmp_path / "person", figure, "Review a figure")
    edited = forge.head()
    run = succeeded(forge.act("push", checkout, "pipeline.yml", PUSH_TO_MAIN), RESULTS_JOB)
    assert workflow_line(run.summary(RESULTS_JOB)) == (
        "- workflow: ok; ran `figure` (1), `results_index` (1)"
    )
    assert [entry.split("|")[0] for entry in forge.log()[:3]] == [BOT, "Developer", BOT]
    assert f"Built-from: {edited}" in commit_message(forge)
    assert "Re-ran: figure, results_index." in commit_message(forge)
    # A comment changes no pixel: only the provenance of the two re-run outputs is new.
    assert all(name.startswith(".snakemake/metadata/") for name in committed_files(forge))
    assert len(committed_files(forge)) == 2

    before = forge.log()
    readme = append("README.md", "\nA note.\n")
    checkout = person_pushes(forge, tmp_path / "again", readme, "Document")
    run = succeeded(forge.act("push", checkout, "pipeline.yml", PUSH_TO_MAIN), RESULTS_JOB)
    assert workflow_line(run.summary(RESULTS_JOB)) == "- workflow: ok; ran nothing"
    assert "Nothing changed: no commit." in run.output
    assert forge.log() == ["Developer|Document", *before]


def trees(count: int):
    """An edit of the fork's config: the model's boosting iterations."""

    def edit(checkout: Path) -> None:
        config = checkout / "config/config.yaml"
        text = re.sub(r"max_iter: \d+", f"max_iter: {count}", config.read_text(), count=1)
        config.write_text(text)

    return edit


def test_a_worse_candidate_is_held_back_with_one_issue_commented_once_and_closed_when_earned(
    forge: Forge, tmp_path: Path, github: GitHubAPI
):
    """A push that makes the model worse keeps the published model and opens one issue for
    the model owner; a second worse candidate is one comment on it; the push that restores
    the settings makes the published model again, which is promoted, and closes the issue."""
    published_model = forge.git(forge.origin, "rev-parse", "main:results/model/model.skops").stdout

    def push(edit, name: str, message: str) -> ActRun:
        checkout = person_pushes(forge, tmp_path / name, edit, message)
        return succeeded(forge.act("push", checkout, "pipeline.yml", PUSH_TO_MAIN), RESULTS_JOB)

    push(trees(1), "one", "One tree")
    promotion = json.loads(
        forge.git(forge.origin, "show", "main:results/model/promotion.json").stdout
    )
    assert promotion["promoted"] is False
    assert (
        forge.git(forge.origin, "rev-parse", "main:results/model/model.skops").stdout
        == published_model
    )
    issue = alert_issues(github.issues(REPO))["alert: held-back candidate"]
    assert issue.title == "The retrained model was held back: the published model keeps serving"
    assert promotion["why"] in issue.body and "**Threshold:**" in issue.body
    assert {"role: model owner", "role: model risk"} <= set(issue.labels)
    assert f"/blob/{forge.head()}/results/model/promotion.json" in issue.body

    push(trees(2), "two", "Two trees")
    held_back = [i for i in github.issues(REPO) if "alert: held-back candidate" in i.labels]
    assert [i.number for i in held_back] == [issue.number]  # never a second issue
    assert [comment.body.split("**")[1] for comment in held_back[0].comments] == ["New evidence."]

    push(trees(40), "restored", "Back to 40 trees")
    promotion = json.loads(
        forge.git(forge.origin, "show", "main:results/model/promotion.json").stdout
    )
    assert promotion["promoted"] is True
    closed = alert_issues(github.issues(REPO), state="closed")["alert: held-back candidate"]
    assert closed.number == issue.number and len(closed.comments) == 2
    assert closed.comments[-1].body.startswith("**Recovered.**")
    assert (
        forge.git(forge.origin, "rev-parse", "main:results/model/model.skops").stdout
        == published_model
    )


def test_push_to_another_branch_skips_the_results_job(forge: Forge, tmp_path: Path):
    before = forge.log()
    edit = append("workflow/scripts/figure_drift.py", "\n# idea\n")
    checkout = person_pushes(forge, tmp_path / "person", edit, "Try an idea", branch="idea")
    run = forge.act("push", checkout, "pipeline.yml", {"ref": "refs/heads/idea"})
    assert run.returncode == 0, run.explain()
    assert RESULTS_JOB not in run.jobs
    assert forge.log() == before
    assert forge.log("idea") == ["Developer|Try an idea", *before]


def test_dispatch_with_forceall_reruns_every_rule_and_commits_nothing(forge: Forge, tmp_path: Path):
    before = forge.log()
    checkout = forge.clone(tmp_path / "person")
    # As GitHub's webhook sends them, inputs are strings (act coerces them to the input type).
    dispatch = {**PUSH_TO_MAIN, "inputs": {"forceall": "true"}}
    run = forge.act("workflow_dispatch", checkout, "pipeline.yml", dispatch)
    summary = succeeded(run, RESULTS_JOB).summary(RESULTS_JOB)
    ran = workflow_line(summary)
    for rule in [
        "accept_source", "validate_source", "tidy_counts", "tidy_weather", "daily_table",
        "datapackage", "fit_model", "backtest", "permutation_importance", "model_card",
        "drift", "drift_backtest", "data_health", "worst_days", "figure", "results_index",
    ]:  # fmt: skip
        assert f"`{rule}`" in ran, ran
    assert "`download`" not in ran
    # Unchanged inputs give byte-identical results: nothing to commit.
    assert "Nothing changed: no commit." in run.output
    assert forge.log() == before


def test_refresh_with_unchanged_upstream_sets_nothing_up_and_commits_nothing(
    forge: Forge, tmp_path: Path
):
    before = forge.log()
    checkout = forge.clone(tmp_path / "person")
    run = succeeded(forge.act("schedule", checkout, "refresh.yml", PUSH_TO_MAIN), CHECK_JOB)
    assert RESULTS_JOB not in run.jobs  # no environment set up, no Snakemake started
    summary = run.summary(CHECK_JOB)
    assert "| `fremont_bridge` | If-None-Match and If-Modified-Since | 304 Not Modified | no |" in (
        summary
    )
    assert "No source changed: nothing to run, nothing to commit." in summary
    assert forge.log() == before
    assert run.seconds < 60  # generous: the note reports the measured time


def test_an_invalid_refresh_opens_an_issue_naming_the_row_and_new_rows_close_it(
    forge: Forge, tmp_path: Path, upstream: Upstream, github: GitHubAPI
):
    """A refresh whose counts break a constraint publishes nothing and opens one issue that
    names the row and field; the next refresh, with valid counts and a month more, commits
    once, says in its message which days came, and closes the issue."""
    before, published = forge.log(), forge.head()
    rows = fremont_rows(COUNTS_START, COUNTS_DAYS)
    rows[100][1:] = ["-3", "0", "-3"]
    upstream.serve(counts=fremont_text(rows).encode())
    checkout = forge.clone(tmp_path / "person")
    run = forge.act("schedule", checkout, "refresh.yml", PUSH_TO_MAIN)
    assert run.returncode != 0 and run.jobs == {CHECK_JOB: "success", RESULTS_JOB: "failure"}
    steps = run.steps(RESULTS_JOB)
    assert steps["Run the pipeline"] == "failure" and "Commit and push the results" not in steps
    summary = run.summary(RESULTS_JOB)
    assert "- tables: **failed**" in summary
    assert "# Validation of `fremont_bridge`" in summary
    row_and_field = (
        "| 102 | Fremont Bridge Sidewalks, south of N 34th St Total | constraint-error |"
    )
    assert row_and_field in summary
    assert forge.log() == before and forge.head() == published
    failure = alert_issues(github.issues(REPO))["alert: failed run"]
    assert failure.title == "The results run failed: nothing was published"
    assert row_and_field in failure.body and "role: data engineer" in failure.labels

    upstream.serve(counts=counts_fixture(COUNTS_DAYS + 30))
    run = succeeded(
        forge.act("schedule", checkout, "refresh.yml", PUSH_TO_MAIN), CHECK_JOB, RESULTS_JOB
    )
    assert "| `fremont_bridge` | If-None-Match and If-Modified-Since | new data" in run.summary(
        CHECK_JOB
    )
    assert set(run.steps(RESULTS_JOB)) >= SET_UP_STEPS
    sha = json.loads(
        forge.git(forge.origin, "show", "main:results/sources/fremont_bridge.json").stdout
    )["sha256"]
    message = commit_message(forge)
    assert message.startswith(f"Update results: new data for fremont_bridge ({sha[:12]})\n")
    assert f"fremont_bridge: sha256 {sha}" in message and "seatac_weather" not in message
    added = "fremont_bridge (hourly_counts): 720 rows added (2021-07-01 to 2021-07-30)"
    assert f"{added}, 0 changed, 0 removed" in message
    assert forge.log()[1:] == before  # exactly one new commit
    assert f"new data for `fremont_bridge`: sha256 `{sha[:12]}`" in run.summary(RESULTS_JOB)
    issues = github.issues(REPO)
    closed = alert_issues(issues, state="closed")["alert: failed run"]
    assert closed.number == failure.number and "alert: failed run" not in alert_issues(issues)
    assert closed.comments[-1].body.startswith("**Recovered.**")


def test_refresh_with_a_source_down_fails_clearly_commits_nothing_and_says_so_in_an_issue(
    forge: Forge, tmp_path: Path, upstream: Upstream, github: GitHubAPI
):
    before = forge.log()
    upstream.stop_serving("seatac_weather")
    checkout = forge.clone(tmp_path / "person")
    run = forge.act("schedule", checkout, "refresh.yml", PUSH_TO_MAIN)
    assert run.returncode != 0 and run.jobs == {CHECK_JOB: "failure"}
    answer = f"seatac_weather: {upstream.urls['seatac_weather']} answered HTTP 503"
    assert answer in run.summary(CHECK_JOB)
    assert forge.log() == before
    assert answer in alert_issues(github.issues(REPO))["alert: failed run"].body


def test_pull_request_preview_reports_metrics_against_main_and_lint_passes(
    forge: Forge, tmp_path: Path
):
    def fewer_trees(checkout: Path) -> None:
        config = checkout / "config/config.yaml"
        config.write_text(config.read_text().replace("max_iter: 40", "max_iter: 15"))

    main = forge.head()
    person_pushes(forge, tmp_path / "person", fewer_trees, "Fewer trees", branch="fewer-trees")
    # GitHub runs a pull request on the merge of its branch into the base: refs/pull/N/merge.
    merge = forge.clone(tmp_path / "merge")
    forge.git(merge, "merge", "--quiet", "--no-ff", "origin/fewer-trees", "-m", "Merge")
    forge.git(merge, "push", "--quiet", "origin", "HEAD:refs/pull/1/merge")
    event = {
        "number": 1,
        "pull_request": {
            "number": 1,
            "head": {"ref": "fewer-trees", "sha": forge.head("fewer-trees")},
            "base": {"ref": "main", "sha": main},
        },
    }
    preview = forge.act("pull_request", merge, "ci.yml", event, job="pipeline-preview")
    summary = succeeded(preview, "pipeline-preview").summary("pipeline-preview")
    assert "## Metrics: this change against `origin/main`" in summary
    model_mae = next(line for line in summary.splitlines() if line.startswith("| model | mae |"))
    base, change = (float(cell) for cell in model_mae.split("|")[3:5])
    assert base != change
    assert "`fit_model` (1)" in workflow_line(summary)
    assert forge.log() == forge.log(main)  # a pull request publishes nothing

    lint = forge.act("pull_request", merge, "ci.yml", event, job="lint")
    succeeded(lint, "lint")


def test_a_push_the_origin_refuses_fails_with_gits_message_and_no_retry(
    forge: Forge, tmp_path: Path
):
    figure = append("workflow/scripts/figure_residuals.py", "\n# x\n")
    checkout = person_pushes(forge, tmp_path / "person", figure, "Residuals")
    before = forge.log()
    hook = forge.origin / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected: pushes need a review' >&2\nexit 1\n")
    hook.chmod(0o755)
    run = forge.act("push", checkout, "pipeline.yml", PUSH_TO_MAIN)
    assert run.returncode != 0 and run.jobs == {RESULTS_JOB: "failure"}
    assert run.steps(RESULTS_JOB)["Commit and push the results"] == "failure"
    assert "origin refused the push to main:" in run.output
    assert "main is protected: pushes need a review" in run.output
    assert "pre-receive hook declined" in run.output
    assert "moved on" not in run.output and "attempt 2" not in run.output
    assert act.TOKEN not in run.output
    assert forge.log() == before
