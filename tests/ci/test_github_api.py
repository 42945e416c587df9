"""The stand-in for GitHub's REST API (support/github_api.py) and the event payloads
(support/github_events.py), tested through real HTTP on 127.0.0.1 with a plain urllib client,
against GitHub's published descriptions. Each test states what a maintainer would see, what
the log shows, or what the description objects to."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
from support import act, github_api, github_events
from support.github_api import (
    COMMENT_ON_PULL_REQUESTS,
    READ_ONLY,
    WRITE_ISSUES_AND_PULL_REQUESTS,
    CommentView,
    GitHubAPI,
    IssueView,
    User,
)

OWNER, NAME = "bikeflow-tests", "fremont-bridge"
REPO = f"{OWNER}/{NAME}"
ISSUES = f"/repos/{REPO}/issues"
BOT = "github-actions[bot]"
A, B = "a" * 40, "b" * 40


class Answer:
    def __init__(self, status: int, body, headers) -> None:
        self.status, self.body, self.headers = status, body, headers

    def links(self) -> dict[str, str]:
        """rel -> URL from the Link header."""
        found = {}
        for part in filter(None, (self.headers.get("Link") or "").split(",")):
            url, rel = part.split(";")
            found[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
        return found


def call(github: GitHubAPI, method: str, path: str, token=None, body=None, raw=None) -> Answer:
    """One request as any client makes it: urllib, JSON, a bearer token."""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    url = path if path.startswith("http") else github.url + path
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/vnd.github+json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, text, headers = error.code, error.read(), error.headers
    return Answer(status, json.loads(text) if text else None, headers)


@pytest.fixture
def repo(github: GitHubAPI) -> GitHubAPI:
    github.add_repository(OWNER, NAME)
    return github


@pytest.fixture
def trusted(repo: GitHubAPI) -> str:
    """The token of a trusted run with `issues: write` and `pull-requests: write`."""
    return repo.add_token("trusted run", WRITE_ISSUES_AND_PULL_REQUESTS)


def test_an_alert_opened_commented_on_edited_and_closed(repo: GitHubAPI, trusted: str):
    created = call(
        repo,
        "POST",
        ISSUES,
        trusted,
        {"title": "Live error above the gate", "body": "MAE 812 > 700", "labels": ["live-error"]},
    )
    assert created.status == 201
    number = created.body["number"]
    assert created.headers["Location"] == created.body["url"] == f"{repo.url}{ISSUES}/{number}"
    assert created.body["html_url"] == f"https://github.com/{REPO}/issues/{number}"

    listed = call(repo, "GET", f"{ISSUES}?labels=live-error", trusted)
    assert [issue["number"] for issue in listed.body] == [number]
    comment = call(repo, "POST", f"{ISSUES}/{number}/comments", trusted, {"body": "Still 790."})
    assert comment.status == 201
    assert call(repo, "PATCH", f"{ISSUES}/{number}", trusted, {"body": "MAE 790"}).status == 200
    closed = call(
        repo,
        "PATCH",
        f"{ISSUES}/{number}",
        trusted,
        {"state": "closed", "state_reason": "completed"},
    )
    assert closed.status == 200 and closed.body["closed_at"] is not None
    assert closed.body["closed_by"]["login"] == BOT

    assert call(repo, "GET", ISSUES, trusted).body == []  # open ones only, by default
    assert [i["state"] for i in call(repo, "GET", f"{ISSUES}?state=all", trusted).body] == [
        "closed"
    ]
    assert repo.issues(REPO) == [
        IssueView(
            number=number,
            title="Live error above the gate",
            body="MAE 790",
            state="closed",
            state_reason="completed",
            labels=("live-error",),
            author=BOT,
            comments=(CommentView(BOT, "Still 790."),),
            is_pull_request=False,
        )
    ]
    repo.assert_no_violations()
    assert {c.token for c in repo.calls} == {"trusted run"}
    assert [c.status for c in repo.calls] == [201, 200, 201, 200, 200, 200, 200]


def test_comments_are_edited_deleted_and_listed(repo: GitHubAPI, trusted: str):
    number = repo.add_issue(REPO, title="Stale sources", labels=("staleness",))
    first = call(repo, "POST", f"{ISSUES}/{number}/comments", trusted, {"body": "one"}).body
    call(repo, "POST", f"{ISSUES}/{number}/comments", trusted, {"body": "two"})
    comment_url = f"{ISSUES}/comments/{first['id']}"
    assert call(repo, "PATCH", comment_url, trusted, {"body": "one, edited"}).status == 200
    assert call(repo, "GET", comment_url, trusted).body["body"] == "one, edited"
    listed = call(repo, "GET", f"{ISSUES}/{number}/comments", trusted).body
    assert [c["body"] for c in listed] == ["one, edited", "two"]
    deleted = call(repo, "DELETE", comment_url, trusted)
    assert (deleted.status, deleted.body) == (204, None)
    assert call(repo, "GET", comment_url, trusted).status == 404
    assert repo.issue(REPO, number).comments == (CommentView(BOT, "two"),)
    repo.assert_no_violations()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "objection"),
    [
        pytest.param("GET", f"/repos/{REPO}/nothing", None, 404, "no such path", id="unknown-path"),
        pytest.param("DELETE", f"{ISSUES}/1", None, 404, "no such path or method", id="method"),
        pytest.param(
            "POST", ISSUES, {"body": "no title"}, 422, "'title' is a required property", id="field"
        ),
        pytest.param(
            "POST",
            ISSUES,
            {"title": "Alert", "labels": "live-error"},
            422,
            "'live-error' is not of type 'array'",
            id="wrong-type",
        ),
        pytest.param(
            "GET",
            f"{ISSUES}?state=opened",
            None,
            422,
            "query parameter state: 'opened' is not one of ['open', 'closed', 'all']",
            id="query-value",
        ),
        pytest.param(
            "GET", f"{ISSUES}/latest", None, 404, "path parameter issue_number", id="path-param"
        ),
    ],
)
def test_a_request_the_description_does_not_allow_is_answered_and_recorded(
    repo: GitHubAPI, trusted: str, method, path, body, status, objection
):
    answer = call(repo, method, path, trusted, body)
    assert answer.status == status
    with pytest.raises(AssertionError, match="not used as described"):
        repo.assert_no_violations()
    found = repo.take_violations()  # (else the fixture fails the test)
    assert [(v.kind, v.method, v.token) for v in found] == [("request", method, "trusted run")]
    assert objection in found[0].detail
    assert repo.issues(REPO) == []


def test_a_body_that_is_not_json_is_answered_400_and_recorded(repo: GitHubAPI, trusted: str):
    answer = call(repo, "POST", ISSUES, trusted, raw=b'{"title": "Alert",')
    assert (answer.status, answer.body["message"]) == (400, "Problems parsing JSON")
    assert [v.kind for v in repo.take_violations()] == ["request"]


def test_what_the_description_allows_but_is_not_implemented_answers_501(
    repo: GitHubAPI, trusted: str
):
    number = repo.add_issue(REPO, title="An alert")
    assert call(repo, "GET", f"{ISSUES}/{number}/events", trusted).status == 501
    assigned = call(repo, "POST", ISSUES, trusted, {"title": "Alert", "assignees": ["someone"]})
    assert assigned.status == 501
    assert call(repo, "GET", f"{ISSUES}?creator=someone", trusted).status == 501
    assert [(v.kind, v.detail) for v in repo.take_violations()] == [
        ("not-implemented", "issues/list-events"),
        ("not-implemented", "issues/create with assignees"),
        ("not-implemented", "issues/list-for-repo with creator"),
    ]
    assert [issue.title for issue in repo.issues(REPO)] == ["An alert"]


def test_the_stand_ins_responses_are_what_the_description_describes(repo: GitHubAPI, trusted: str):
    number = repo.add_issue(REPO, title="Drift", labels=("drift",), comments=("Seen.",))
    pull = repo.add_pull_request(
        REPO,
        title="Tune the model",
        head_repository="contributor/fremont-bridge",
        head_ref="tune",
        head_sha=A,
        base_sha=B,
        author=User("contributor", 7),
    )
    description = repo.description
    checked = 0
    for path in [
        f"/repos/{REPO}",
        f"{ISSUES}/{number}",
        f"{ISSUES}/{number}/comments",
        f"{ISSUES}/{pull}",
        f"/repos/{REPO}/pulls/{pull}",
        f"/repos/{REPO}/labels",
        f"/repos/{REPO}/labels/drift",
    ]:
        answer = call(repo, "GET", path, trusted)
        assert answer.status == 200, path
        operation = description.find("GET", path)
        data = json.dumps(answer.body).encode()
        headers = {"Content-Type": "application/json"}
        assert description.check_response("GET", path, 200, data, headers) == [], path
        schema = description.response_schema(operation, 200)
        assert description.undeclared_fields(answer.body, schema) == [], path
        checked += 1
    assert checked == 7
    repo.assert_no_violations()  # the server checked each response too

    # The same checks object to a field GitHub never sends and to a missing one.
    issue = call(repo, "GET", f"{ISSUES}/{number}", trusted).body
    invented = copy.deepcopy(issue) | {"severity": "high"}
    invented["user"]["team"] = "ops"
    schema = description.response_schema(description.find("GET", f"{ISSUES}/1"), 200)
    assert sorted(description.undeclared_fields(invented, schema)) == [".severity", ".user.team"]
    del issue["node_id"]
    problems = description.check_response(
        "GET", f"{ISSUES}/1", 200, json.dumps(issue).encode(), {"Content-Type": "application/json"}
    )
    assert any("'node_id' is a required property" in problem for problem in problems)


def test_a_response_the_stand_in_gets_wrong_is_recorded(
    repo: GitHubAPI, trusted: str, monkeypatch: pytest.MonkeyPatch
):
    """A fault put into the stand-in's own rendering: an invented field and a missing one."""
    render = github_api.render_label

    def wrong(api, repository, label):
        rendered = render(api, repository, label) | {"priority": 1}
        del rendered["color"]
        return rendered

    monkeypatch.setattr(github_api, "render_label", wrong)
    repo.add_issue(REPO, title="Alert", labels=("alert",))
    assert call(repo, "GET", f"/repos/{REPO}/labels/alert", trusted).status == 200
    found = [(v.kind, v.detail) for v in repo.take_violations()]
    assert ("response", "200: field .priority is not in the description") in found
    assert any(
        kind == "response" and "'color' is a required property" in detail for kind, detail in found
    )


def test_pull_requests_are_issues_too(repo: GitHubAPI, trusted: str):
    pull = repo.add_pull_request(
        REPO, title="Fix", head_ref="fix", head_sha=A, base_sha=B, author=User("maintainer", 3)
    )
    got = call(repo, "GET", f"/repos/{REPO}/pulls/{pull}", trusted).body
    assert got["head"]["repo"]["full_name"] == got["base"]["repo"]["full_name"] == REPO
    issue_side = call(repo, "GET", f"{ISSUES}/{pull}", trusted).body
    assert issue_side["pull_request"]["html_url"] == f"https://github.com/{REPO}/pull/{pull}"
    assert call(repo, "GET", f"/repos/{REPO}/pulls/{pull + 1}", trusted).status == 404
    assert repo.issues(REPO) == [] and len(repo.issues(REPO, pull_requests=True)) == 1


def test_pages_follow_the_link_header(repo: GitHubAPI, trusted: str):
    for index in range(7):
        call(repo, "POST", ISSUES, trusted, {"title": f"Alert {index}", "labels": ["alert"]})
    url, pages = f"{repo.url}{ISSUES}?labels=alert&per_page=3", []
    answers = []
    while url:
        answer = call(repo, "GET", url, trusted)
        answers.append(answer)
        pages.append([issue["number"] for issue in answer.body])
        url = answer.links().get("next")
    assert pages == [[7, 6, 5], [4, 3, 2], [1]]  # newest first: GitHub's default order
    first, middle, last = (answer.links() for answer in answers)
    assert set(first) == {"next", "last"} and set(last) == {"prev", "first"}
    assert set(middle) == {"next", "last", "prev", "first"}
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(first["last"]).query) == {
        "labels": ["alert"],
        "per_page": ["3"],
        "page": ["3"],
    }
    ascending = call(repo, "GET", f"{ISSUES}?per_page=3&page=3&direction=asc", trusted)
    assert [issue["number"] for issue in ascending.body] == [7]

    number = 1
    for index in range(5):
        call(repo, "POST", f"{ISSUES}/{number}/comments", trusted, {"body": f"c{index}"})
    url, bodies = f"{repo.url}{ISSUES}/{number}/comments?per_page=2", []
    while url:
        answer = call(repo, "GET", url, trusted)
        bodies.append([comment["body"] for comment in answer.body])
        url = answer.links().get("next")
    assert bodies == [["c0", "c1"], ["c2", "c3"], ["c4"]]
    repo.assert_no_violations()


def test_labels_are_made_when_named_and_filter_the_list(repo: GitHubAPI, trusted: str):
    first = call(repo, "POST", ISSUES, trusted, {"title": "A", "labels": ["alert", "Gate"]}).body
    call(repo, "POST", ISSUES, trusted, {"title": "B", "labels": [{"name": "alert"}]})
    assert repo.labels(REPO) == ["alert", "Gate"]
    names = [label["name"] for label in call(repo, "GET", f"/repos/{REPO}/labels", trusted).body]
    assert names == ["alert", "Gate"]
    again = call(repo, "POST", f"/repos/{REPO}/labels", trusted, {"name": "ALERT"})
    assert again.status == 422 and again.body["errors"][0]["code"] == "already_exists"
    made = call(
        repo, "POST", f"/repos/{REPO}/labels", trusted, {"name": "stale", "color": "ff0000"}
    )
    assert made.status == 201 and made.body["color"] == "ff0000"

    number = first["number"]
    added = call(repo, "POST", f"{ISSUES}/{number}/labels", trusted, {"labels": ["stale"]})
    assert [label["name"] for label in added.body] == ["alert", "Gate", "stale"]
    both = call(repo, "GET", f"{ISSUES}?labels=alert,gate", trusted).body
    assert [issue["number"] for issue in both] == [number]  # all must match, in any case
    assert call(repo, "GET", f"{ISSUES}?labels=alert,missing", trusted).body == []
    removed = call(repo, "DELETE", f"{ISSUES}/{number}/labels/Gate", trusted)
    assert [label["name"] for label in removed.body] == ["alert", "stale"]
    assert call(repo, "DELETE", f"{ISSUES}/{number}/labels/Gate", trusted).status == 404
    assert call(repo, "GET", f"/repos/{REPO}/labels/nothing", trusted).status == 404
    assert repo.issue(REPO, number).labels == ("alert", "stale")
    repo.assert_no_violations()


def test_a_read_only_token_cannot_write_and_the_log_shows_whose_call_it_was(repo: GitHubAPI):
    fork_token = repo.add_token("fork pull_request run", READ_ONLY)
    number = repo.add_issue(REPO, title="Open alert")
    pull = repo.add_pull_request(
        REPO,
        title="Fork change",
        head_repository="contributor/fremont-bridge",
        head_ref="main",
        head_sha=A,
        base_sha=B,
        author=User("contributor", 7),
    )
    denied = [
        call(repo, "POST", ISSUES, fork_token, {"title": "Injected"}),
        call(repo, "PATCH", f"{ISSUES}/{number}", fork_token, {"state": "closed"}),
        call(repo, "POST", f"{ISSUES}/{pull}/comments", fork_token, {"body": "Preview"}),
        call(repo, "POST", f"/repos/{REPO}/labels", fork_token, {"name": "x"}),
    ]
    assert {(a.status, a.body["message"]) for a in denied} == {
        (403, "Resource not accessible by integration")
    }
    assert call(repo, "GET", f"{ISSUES}/{number}", fork_token).status == 200  # reads are fine
    assert [(i.title, i.state, i.comments) for i in repo.issues(REPO)] == [
        ("Open alert", "open", ())
    ]
    assert repo.issue(REPO, pull).comments == ()
    assert repo.labels(REPO) == []

    assert call(repo, "POST", ISSUES, None, {"title": "Anonymous"}).body["message"] == (
        "Requires authentication"
    )
    assert call(repo, "GET", ISSUES, "ghs_madeup").body["message"] == "Bad credentials"
    assert [(c.method, c.token, c.status) for c in repo.calls[-2:]] == [
        ("POST", None, 401),
        ("GET", "(unknown token)", 401),
    ]
    assert {c.status for c in repo.calls_by("fork pull_request run") if c.method != "GET"} == {403}
    assert fork_token not in repr(repo.calls)  # names, never tokens
    repo.assert_no_violations()


def test_pull_requests_write_is_enough_to_comment_on_a_pull_request_only(repo: GitHubAPI):
    token = repo.add_token("pull requests only", {"pull_requests": "write"})
    number = repo.add_issue(REPO, title="An alert")
    pull = repo.add_pull_request(
        REPO, title="Fix", head_ref="fix", head_sha=A, base_sha=B, author=User("maintainer", 3)
    )
    assert call(repo, "POST", f"{ISSUES}/{pull}/comments", token, {"body": "ok"}).status == 201
    assert call(repo, "POST", f"{ISSUES}/{number}/comments", token, {"body": "no"}).status == 403
    assert repo.issue(REPO, pull).comments == (CommentView(BOT, "ok"),)


def test_a_private_repository_needs_the_permission_to_read(github: GitHubAPI):
    github.add_repository(OWNER, "private", private=True)
    token = github.add_token("contents only", {"contents": "read"})
    issue = github.add_issue(f"{OWNER}/private", title="Secret")
    assert call(github, "GET", f"/repos/{OWNER}/private/issues/{issue}", token).status == 403
    assert call(github, "GET", f"/repos/{OWNER}/elsewhere/issues", token).status == 404


def test_a_runs_token_writes_to_its_own_repository_only(repo: GitHubAPI):
    repo.add_repository("contributor", NAME)
    token = repo.add_token("trusted run", WRITE_ISSUES_AND_PULL_REQUESTS, repository=REPO)
    elsewhere = f"/repos/contributor/{NAME}/issues"
    assert call(repo, "POST", elsewhere, token, {"title": "Spam"}).status == 403
    assert call(repo, "GET", elsewhere, token).status == 200  # public: readable
    assert call(repo, "POST", ISSUES, token, {"title": "Alert"}).status == 201
    assert repo.issues(f"contributor/{NAME}") == []


# --- Actions: workflows, runs and their logs ----------------------------------------------

FORK = f"contributor/{NAME}"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 302 itself is the answer


def get_raw(url: str, token: str | None = None) -> tuple[int, bytes, dict]:
    """A GET that does not follow redirects, with or without a token."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_a_forks_run_names_no_pull_request_and_one_of_the_repository_does(
    repo: GitHubAPI, trusted: str
):
    fork_pull = repo.add_pull_request(
        REPO, title="Tune", head_repository=FORK, head_ref="main", head_sha=A, base_sha=B,
        author=User("contributor", 7),
    )  # fmt: skip
    own_pull = repo.add_pull_request(
        REPO, title="Fix", head_ref="fix", head_sha=B, base_sha=A, author=User("maintainer", 3)
    )
    from_fork = repo.add_workflow_run(
        REPO, workflow=".github/workflows/ci.yml", workflow_name="CI", head_sha=A,
        head_branch="main", head_repository=FORK, display_title="Tune",
    )  # fmt: skip
    own = repo.add_workflow_run(
        REPO, workflow=".github/workflows/ci.yml", head_sha=B, head_branch="fix"
    )
    fork_run = call(repo, "GET", f"/repos/{REPO}/actions/runs/{from_fork}", trusted).body
    assert (fork_run["name"], fork_run["event"], fork_run["head_sha"]) == ("CI", "pull_request", A)
    assert fork_run["head_repository"]["full_name"] == FORK != fork_run["repository"]["full_name"]
    assert fork_run["pull_requests"] == [] and fork_run["run_number"] == 1
    assert fork_run["logs_url"] == f"{repo.url}/repos/{REPO}/actions/runs/{from_fork}/logs"
    own_run = call(repo, "GET", f"/repos/{REPO}/actions/runs/{own}", trusted).body
    assert [(p["number"], p["head"]["sha"]) for p in own_run["pull_requests"]] == [(own_pull, B)]
    assert own_run["run_number"] == 2
    excluded = f"/repos/{REPO}/actions/runs/{own}?exclude_pull_requests=true"
    assert call(repo, "GET", excluded, trusted).body["pull_requests"] == []
    assert call(repo, "GET", f"/repos/{REPO}/actions/runs/999", trusted).status == 404
    assert fork_pull != own_pull
    repo.assert_no_violations()  # every run rendered is a `workflow-run` as described


def test_a_runs_logs_are_a_redirect_to_a_zip_on_another_host_that_takes_no_token(
    repo: GitHubAPI,
):
    reader = repo.add_token("pr-comment run", COMMENT_ON_PULL_REQUESTS, repository=REPO)
    run = repo.add_workflow_run(
        REPO, workflow=".github/workflows/ci.yml", head_sha=A, head_branch="b"
    )
    logs = f"{repo.url}/repos/{REPO}/actions/runs/{run}/logs"
    assert get_raw(logs, reader)[0] == 404  # no logs seeded (expired, or deleted)
    repo.seed_run_logs(
        run,
        {
            "Pipeline preview": "Run python .github/scripts/ci preview\nbikeflow-preview: e30=\n",
            "Lint": {"Set up job": "Runner 2.330\n", "Run pytest": "1 passed\n"},
        },
    )
    status, body, headers = get_raw(logs, reader)
    assert (status, body) == (302, b"")
    location = headers["Location"]
    assert location.startswith(repo.storage_url + "/") and "urlSignature=" in location
    assert not location.startswith(repo.url)

    status, archive, headers = get_raw(location)
    assert (status, headers["Content-Type"]) == (200, "application/zip")
    files = zipfile.ZipFile(io.BytesIO(archive))
    assert files.namelist() == [
        "0_Pipeline preview.txt", "1_Lint.txt", "Lint/1_Set up job.txt", "Lint/2_Run pytest.txt"
    ]  # fmt: skip
    preview = files.read("0_Pipeline preview.txt").decode()
    assert preview.startswith("\ufeff2026-01-05T06:00:")
    stamp, line = preview.splitlines()[1].split(" ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", stamp)
    assert line == "bikeflow-preview: e30="
    assert files.read("1_Lint.txt").decode().count("Z ") == 2  # the steps' lines, joined

    # The signed URL with a token is refused and recorded; a made-up signature is refused.
    assert get_raw(location, reader)[0] == 400
    assert get_raw(location.replace("urlSignature=", "urlSignature=x"))[0] == 403
    assert [(d.authorization, d.status) for d in repo.downloads] == [
        (False, 200), (True, 400), (False, 403)
    ]  # fmt: skip
    found = repo.take_violations()
    assert [(v.kind, v.token) for v in found] == [("storage", "pr-comment run")]
    assert reader not in str(found)
    assert [(c.operation_id, c.token, c.status) for c in repo.calls] == [
        ("actions/download-workflow-run-logs", "pr-comment run", 404),
        ("actions/download-workflow-run-logs", "pr-comment run", 302),
    ]


def test_a_signed_log_url_expires_after_a_minute(repo: GitHubAPI, trusted: str, monkeypatch):
    run = repo.add_workflow_run(
        REPO, workflow=".github/workflows/ci.yml", head_sha=A, head_branch="b"
    )
    repo.seed_run_logs(run, {"Job": "a line\n"})
    location = get_raw(f"{repo.url}/repos/{REPO}/actions/runs/{run}/logs", trusted)[2]["Location"]
    later = time.monotonic() + github_api.LOG_URL_SECONDS + 1
    monkeypatch.setattr(github_api.time, "monotonic", lambda: later)
    assert get_raw(location)[0] == 403


def test_workflows_are_read_by_id_or_file_name_and_enabled_again(repo: GitHubAPI, trusted: str):
    refresh = repo.add_workflow(
        REPO, ".github/workflows/refresh.yml", name="Refresh", state="disabled_inactivity"
    )
    by_name = call(repo, "GET", f"/repos/{REPO}/actions/workflows/refresh.yml", trusted).body
    assert by_name == call(repo, "GET", f"/repos/{REPO}/actions/workflows/{refresh}", trusted).body
    assert (by_name["name"], by_name["state"]) == ("Refresh", "disabled_inactivity")
    assert (
        by_name["html_url"] == f"https://github.com/{REPO}/blob/main/.github/workflows/refresh.yml"
    )
    assert call(repo, "GET", f"/repos/{REPO}/actions/workflows/other.yml", trusted).status == 404

    read_only = repo.add_token("read only", READ_ONLY)
    enable = f"/repos/{REPO}/actions/workflows/refresh.yml/enable"
    assert call(repo, "PUT", enable, read_only).status == 403
    assert repo.workflow(REPO, "refresh.yml").state == "disabled_inactivity"
    keepalive = repo.add_token("keepalive", {"actions": "write"}, repository=REPO)
    enabled = call(repo, "PUT", enable, keepalive)
    assert (enabled.status, enabled.body) == (204, None)
    assert (
        call(repo, "PUT", f"/repos/{REPO}/actions/workflows/{refresh}/enable", keepalive).status
        == 204
    )
    now = repo.workflow(REPO, refresh)
    assert (now.state, now.enabled) == ("active", 2)
    assert [(c.method, c.token, c.status) for c in repo.calls if c.method == "PUT"] == [
        ("PUT", "read only", 403), ("PUT", "keepalive", 204), ("PUT", "keepalive", 204)
    ]  # fmt: skip
    repo.assert_no_violations()


def test_a_pull_requests_head_moves_on_a_push(repo: GitHubAPI, trusted: str):
    pull = repo.add_pull_request(
        REPO, title="Fix", head_ref="fix", head_sha=A, base_sha=B, author=User("maintainer", 3)
    )
    repo.synchronize_pull_request(REPO, pull, B)
    assert call(repo, "GET", f"/repos/{REPO}/pulls/{pull}", trusted).body["head"]["sha"] == B


# --- Event payloads -----------------------------------------------------------------------

BUILT = {
    "push": lambda: github_events.push(after=A, before=B, message="Edit the config"),
    "schedule": lambda: github_events.schedule("17 6 * * *"),
    "workflow_dispatch": lambda: github_events.workflow_dispatch(
        ".github/workflows/pipeline.yml", inputs={"forceall": "true"}
    ),
    "pull_request-fork-opened": lambda: github_events.pull_request(
        number=5, head_sha=A, base_sha=B, head_repository="contributor/fremont-bridge"
    ),
    "pull_request-same-repo-synchronize": lambda: github_events.pull_request(
        number=6, head_sha=A, base_sha=B, head_ref="tune", action="synchronize", before=B
    ),
    "workflow_run-same-repo": lambda: github_events.workflow_run(
        workflow_name="CI",
        workflow_path=".github/workflows/ci.yml",
        head_sha=A,
        head_branch="tune",
        pull_requests=[
            {"number": 6, "head_ref": "tune", "head_sha": A, "base_ref": "main", "base_sha": B}
        ],
    ),
    "workflow_run-fork": lambda: github_events.workflow_run(
        workflow_name="CI",
        workflow_path=".github/workflows/ci.yml",
        head_sha=A,
        head_branch="main",
        head_repository="contributor/fremont-bridge",
        conclusion="failure",
    ),
}


@pytest.fixture
def webhook_schemas():
    reason = github_events.unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


@pytest.mark.parametrize("name", BUILT)
def test_built_payloads_are_events_github_sends(webhook_schemas, name: str):
    payload = BUILT[name]()
    event = name.split("-")[0]
    assert github_events.validate_event(event, payload) == []
    if event == "pull_request":
        head, base = (
            payload["pull_request"]["head"]["repo"],
            payload["pull_request"]["base"]["repo"],
        )
        from_fork = "fork" in name
        assert (head["full_name"] != base["full_name"]) == from_fork == head["fork"]
    if event == "workflow_run":
        run = payload["workflow_run"]
        assert (payload["workflow"]["name"], run["status"]) == ("CI", "completed")
        assert len(run["pull_requests"]) == (0 if "fork" in name else 1)


@pytest.mark.parametrize(
    ("name", "path", "objection"),
    [
        ("push", ["after"], "'after' is a required property"),
        ("pull_request-fork-opened", ["pull_request", "head", "sha"], "'sha' is a required"),
        ("workflow_run-fork", ["workflow_run", "conclusion"], "'conclusion' is a required"),
        ("workflow_dispatch", ["workflow"], "'workflow' is a required property"),
        ("schedule", ["schedule"], "exactly one string"),
    ],
)
def test_a_payload_missing_a_required_field_is_refused(webhook_schemas, name, path, objection):
    payload = BUILT[name]()
    parent = payload
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    problems = github_events.validate_event(name.split("-")[0], payload)
    assert any(objection in problem for problem in problems), problems


def test_a_payload_with_a_field_github_never_sends_is_refused(webhook_schemas):
    payload = BUILT["pull_request-fork-opened"]()
    payload["pull_request"]["head"]["trusted"] = True
    assert github_events.validate_event("pull_request", payload) == [
        "pull_request/head: Additional properties are not allowed ('trusted' was unexpected)"
    ]
    with pytest.raises(AssertionError, match="not a pull_request event GitHub would send"):
        github_events.assert_valid_event("pull_request", payload)


def test_a_run_from_a_fork_names_no_pull_request(webhook_schemas):
    with pytest.raises(ValueError, match="empty for a run from a fork"):
        github_events.workflow_run(
            workflow_name="CI",
            workflow_path=".github/workflows/ci.yml",
            head_sha=A,
            head_branch="main",
            head_repository="contributor/fremont-bridge",
            pull_requests=[{"number": 5, "head_ref": "main", "head_sha": A}],
        )


# --- Through act, as a workflow reaches it -------------------------------------------------

WORKFLOW = """\
name: Alert
on:
  workflow_dispatch:
    inputs:
      title:
        type: string
        required: true
permissions:
  issues: write
jobs:
  open:
    runs-on: ubuntu-latest
    steps:
      - name: Open an issue through GITHUB_API_URL
        env:
          TOKEN: ${{ github.token }}
          TITLE: ${{ inputs.title }}
        run: |
          python3 - <<'PY'
          import json, os, urllib.request
          url = f"{os.environ['GITHUB_API_URL']}/repos/{os.environ['GITHUB_REPOSITORY']}/issues"
          request = urllib.request.Request(
              url,
              data=json.dumps({"title": os.environ["TITLE"], "labels": ["alert"]}).encode(),
              headers={"Authorization": f"Bearer {os.environ['TOKEN']}"},
              method="POST",
          )
          print(json.load(urllib.request.urlopen(request))["html_url"])
          PY
"""


@pytest.mark.skipif(not act.ACT.exists(), reason=f"act is not installed in {act.ACT.parent}")
def test_a_step_under_act_reaches_the_stand_in_through_github_api_url(
    repo: GitHubAPI, webhook_schemas, tmp_path: Path
):
    token = repo.add_token("act run", WRITE_ISSUES_AND_PULL_REQUESTS)
    checkout = tmp_path / "checkout"
    (checkout / ".github/workflows").mkdir(parents=True)
    (checkout / ".github/workflows/alert.yml").write_text(WORKFLOW)
    environment = {
        "HOME": str(tmp_path),
        "PATH": act.RUNNER_PATH,
        "LANG": "C.UTF-8",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Developer",
        "GIT_AUTHOR_EMAIL": "developer@example.invalid",
        "GIT_COMMITTER_NAME": "Developer",
        "GIT_COMMITTER_EMAIL": "developer@example.invalid",
    }
    for command in (
        ["git", "init", "--quiet", "--initial-branch", "main"],
        ["git", "remote", "add", "origin", f"https://github.com/{REPO}.git"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "--message", "An alerting workflow"],
    ):
        subprocess.run(command, cwd=checkout, check=True, env={**os.environ, **environment})
    event = tmp_path / "event.json"
    payload = github_events.workflow_dispatch(
        ".github/workflows/alert.yml", inputs={"title": "Gate failed"}
    )
    event.write_text(json.dumps(payload))
    completed = subprocess.run(
        [
            str(act.ACT),
            "workflow_dispatch",
            "--workflows",
            str(checkout / ".github/workflows/alert.yml"),
            "--eventpath",
            str(event),
            "--platform",
            "ubuntu-latest=-self-hosted",
            "--action-offline-mode",
            "--secret",
            f"GITHUB_TOKEN={token}",
            "--env",
            f"GITHUB_API_URL={repo.url}",
        ],  # fmt: skip
        cwd=checkout,
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    assert f"https://github.com/{REPO}/issues/1" in completed.stdout
    assert [(i.title, i.labels, i.author) for i in repo.issues(REPO)] == [
        ("Gate failed", ("alert",), BOT)
    ]
    assert [(c.method, c.token, c.status) for c in repo.calls] == [("POST", "act run", 201)]
    repo.assert_no_violations()
