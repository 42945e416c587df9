"""ci/comment.py: the trusted side of a pull request's preview, in process against the GitHub
stand-in (support/github_api.py), which checks every call against GitHub's description. A
run's logs are seeded as GitHub zips them; the preview in them is what a fork's code printed,
so each test states what such a preview can and cannot make the bot do."""

from __future__ import annotations

import pytest
from support.github_api import COMMENT_ON_PULL_REQUESTS, CommentView, GitHubAPI, User

from ci.comment import MARKER, MAX_COMMENT, Refused, comment, comment_body, upsert
from ci.github import GitHub
from ci.handover import HandOverError, Preview, encode

REPO = "bikeflow-tests/fremont-bridge"
FORK = "contributor/fremont-bridge"
BOT = "github-actions[bot]"
CI = ".github/workflows/ci.yml"
HEAD, NEXT, OTHER, BASE = "a" * 40, "b" * 40, "c" * 40, "d" * 40


@pytest.fixture
def forge(github: GitHubAPI) -> GitHubAPI:
    """The repository with a maintainer's pull request (#1) and a fork's (#2)."""
    github.add_repository(*REPO.split("/"))
    github.add_pull_request(
        REPO, title="Maintainer's", head_ref="tune", head_sha=OTHER, base_sha=BASE,
        author=User("maintainer", 3),
    )  # fmt: skip
    github.add_pull_request(
        REPO, title="Shorter window", head_repository=FORK, head_ref="window", head_sha=HEAD,
        base_sha=BASE, author=User("contributor", 7),
    )  # fmt: skip
    return github


@pytest.fixture
def api(forge: GitHubAPI) -> GitHub:
    """The pr-comment run's client: its token may read actions and write pull requests."""
    token = forge.add_token("pr-comment run", COMMENT_ON_PULL_REQUESTS, repository=REPO)
    return GitHub(forge.url, token)


def fork_run(github: GitHubAPI, log: str, head_sha: str = HEAD, **run) -> int:
    """A completed CI run of the fork's pull request whose preview job printed `log`."""
    run_id = github.add_workflow_run(
        REPO, workflow=CI, workflow_name="CI", head_sha=head_sha, head_branch="window",
        head_repository=FORK, **run,
    )  # fmt: skip
    github.seed_run_logs(run_id, {"Lint": "ok\n", "Pipeline preview": log})
    return run_id


def printed(preview: Preview) -> str:
    return f"Run python .github/scripts/ci preview\n## Rules that re-ran\n{encode(preview)}\n"


def test_one_comment_made_then_edited_in_place_on_the_next_push(forge: GitHubAPI, api: GitHub):
    first = fork_run(forge, printed(Preview(2, HEAD, "## Rules that re-ran\n\n`figure` (1)")))
    outcome = comment(REPO, first, api)
    assert outcome.action == "created"
    assert outcome.url.startswith(f"https://github.com/{REPO}/pull/2#issuecomment-")
    [made] = forge.issue(REPO, 2).comments
    assert made.author == BOT and made.body.startswith(f"{MARKER}\n## Rules that re-ran")
    assert "`figure` (1)" in made.body and "Preview of aaaaaaaaaaaa by [CI run 1](" in made.body

    forge.synchronize_pull_request(REPO, 2, NEXT)
    second = fork_run(forge, printed(Preview(2, NEXT, "`fit_model` (1)")), head_sha=NEXT)
    assert comment(REPO, second, api).action == "updated"
    [edited] = forge.issue(REPO, 2).comments
    assert "`fit_model` (1)" in edited.body and "`figure`" not in edited.body
    assert "by [CI run 2](" in edited.body
    assert comment(REPO, second, api).action == "unchanged"  # a re-run of the same run
    assert forge.issue(REPO, 1).comments == ()
    writes = [(c.method, c.operation_id, c.token) for c in forge.writes()]
    assert writes == [
        ("POST", "issues/create-comment", "pr-comment run"),
        ("PATCH", "issues/update-comment", "pr-comment run"),
    ]
    assert all(not download.authorization for download in forge.downloads)


def test_only_the_bots_own_comment_is_edited_whoever_else_writes_the_marker(
    forge: GitHubAPI, api: GitHub
):
    reviewer = forge.add_token("reviewer", {"pull_requests": "write"}, user=User("reviewer", 9))
    people = GitHub(forge.url, reviewer)
    people.post(f"/repos/{REPO}/issues/2/comments", {"body": f"{MARKER}\nquoting the bot"})
    comment(REPO, fork_run(forge, printed(Preview(2, HEAD, "one"))), api)
    for index in range(101):
        people.post(f"/repos/{REPO}/issues/2/comments", {"body": f"review {index}"})
    forge.synchronize_pull_request(REPO, 2, NEXT)
    run = fork_run(forge, printed(Preview(2, NEXT, "two")), head_sha=NEXT)
    assert comment(REPO, run, api).action == "updated"
    comments = forge.issue(REPO, 2).comments
    assert comments[0] == CommentView("reviewer", f"{MARKER}\nquoting the bot")
    assert comments[1].author == BOT and comments[1].body.startswith(f"{MARKER}\ntwo")
    assert len(comments) == 103 and sum(c.author == BOT for c in comments) == 1


def test_upsert_reads_every_page_before_it_creates(forge: GitHubAPI, api: GitHub):
    """The bot's comment after the first page (people commented before it)."""
    for index in range(100):
        api.post(f"/repos/{REPO}/issues/2/comments", {"body": f"bot note {index}"})
    api.post(f"/repos/{REPO}/issues/2/comments", {"body": f"{MARKER}\nold"})
    assert upsert(api, REPO, 2, f"{MARKER}\nnew").action == "updated"
    pages = [c.query for c in forge.calls if c.operation_id == "issues/list-comments"]
    assert len(pages) == 2 and "page=2" in pages[1]
    assert forge.issue(REPO, 2).comments[-1].body == f"{MARKER}\nnew"


def test_a_preview_naming_another_pull_request_is_refused(forge: GitHubAPI, api: GitHub):
    """The fork's code printed the maintainer's pull request's number (and even its head)."""
    for forged in (Preview(1, HEAD, "spam"), Preview(1, OTHER, "spam")):
        run = fork_run(forge, printed(forged))
        with pytest.raises(Refused):
            comment(REPO, run, api)
    with pytest.raises(Refused, match="no such pull request"):
        comment(REPO, fork_run(forge, printed(Preview(9, HEAD, "spam"))), api)
    assert forge.issue(REPO, 1).comments == () and forge.issue(REPO, 2).comments == ()
    assert forge.writes() == []


def test_a_preview_of_another_commit_than_the_runs_is_refused(forge: GitHubAPI, api: GitHub):
    run = fork_run(forge, printed(Preview(2, NEXT, "of another commit")))
    with pytest.raises(Refused, match="the preview is of commit bbbbbbbbbbbb, the run of aaaa"):
        comment(REPO, run, api)
    assert forge.writes() == []


def test_a_run_the_pull_request_moved_on_from_posts_nothing(forge: GitHubAPI, api: GitHub):
    run = fork_run(forge, printed(Preview(2, HEAD, "stale")))
    forge.synchronize_pull_request(REPO, 2, NEXT)
    outcome = comment(REPO, run, api)
    assert outcome.action == "skipped" and "has moved on to bbbbbbbbbbbb" in outcome.message
    assert forge.writes() == []


def test_a_closed_pull_request_gets_no_comment(forge: GitHubAPI, api: GitHub):
    run = fork_run(forge, printed(Preview(2, HEAD, "late")))
    api.patch(f"/repos/{REPO}/issues/2", {"state": "closed"})
    outcome = comment(REPO, run, api)
    assert (outcome.action, outcome.message) == (
        "skipped",
        "Not commenting: pull request #2 is closed",
    )
    assert forge.issue(REPO, 2).comments == ()


def test_runs_with_no_preview_or_not_for_a_pull_request_post_nothing(forge: GitHubAPI, api: GitHub):
    failed = fork_run(forge, "Run snakemake\nError in rule tidy_counts\n", conclusion="failure")
    assert comment(REPO, failed, api).message == (
        f"Run {failed}'s logs hold no preview: nothing to post"
    )
    pushed = forge.add_workflow_run(
        REPO, workflow=CI, head_sha=HEAD, head_branch="main", event="push"
    )
    assert comment(REPO, pushed, api).message == f"Run {pushed} was for push, not a pull request"
    assert forge.writes() == []


def test_a_log_with_two_previews_is_refused(forge: GitHubAPI, api: GitHub):
    log = printed(Preview(2, HEAD, "one")) + printed(Preview(1, HEAD, "two"))
    with pytest.raises(HandOverError, match="2 different previews"):
        comment(REPO, fork_run(forge, log), api)


def test_the_body_starts_with_the_marker_defuses_mentions_and_fits_in_a_comment():
    run = {"run_number": 4, "html_url": "https://github.com/o/r/actions/runs/9"}
    body = comment_body(Preview(2, HEAD, "\n\nThanks @maintainer and @org/team!\n"), run)
    assert body.startswith(f"{MARKER}\nThanks @\u200bmaintainer and @\u200borg/team!\n")
    assert body.endswith(
        "<sub>Preview of aaaaaaaaaaaa by [CI run 4](https://github.com/o/r/actions/runs/9), "
        "computed by this pull request's own code in a read-only run; posted by the "
        "pr-comment workflow, and updated on every push.</sub>\n"
    )
    huge = comment_body(Preview(2, HEAD, "| row |\n" * 20_000), run)
    assert len(huge) <= MAX_COMMENT and "longer than a comment can be" in huge
    assert huge.startswith(MARKER) and huge.endswith("</sub>\n")
