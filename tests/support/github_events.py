"""Event payloads for act, as GitHub sends them, checked against GitHub's webhook schemas.

act hands the file given with `--eventpath` to the workflow as `github.event`, and takes some
of the run's context from it (nektos/act, pkg/model/github_context.go): for `push` and
`workflow_dispatch` github.ref is the payload's `ref`, and for `push` github.sha is its `after`
(so it must be a commit the forge has); for `pull_request` github.ref is
`refs/pull/<number>/merge`; for other events (workflow_run, schedule) the ref is the default
branch named in `repository.default_branch`, and the sha the checkout's HEAD.

Every builder here returns a payload that validates against @octokit/webhooks-schemas (pinned in
tests/github/package-lock.json), whose definitions forbid fields GitHub does not send
(`additionalProperties: false`): a test cannot hand a workflow an event GitHub never sends.
`validate_event` checks any payload, built here or written by hand. The one event without a
published schema is `schedule`, which is no webhook: its `github.event` holds only the cron
expression that fired, as GitHub documents for `github.event.schedule`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from support import github_api
from support.act import NAME, OWNER
from support.github_api import DESCRIPTIONS, HTML, example_urls, node_id_of
from support.workflow import REPOSITORY

WEBHOOK_SCHEMAS = DESCRIPTIONS / "webhooks-schemas/schema.json"
FULL_NAME = f"{OWNER}/{NAME}"
API = "https://api.github.com"
WHEN = datetime(2026, 1, 5, 6, 0, 0, tzinfo=UTC)


def unavailable_reason() -> str | None:
    """Why payloads cannot be built and checked here (the objects in them take their URL
    fields from the REST description's examples, so both descriptions are needed), or None."""
    if not WEBHOOK_SCHEMAS.is_file():
        where = WEBHOOK_SCHEMAS.relative_to(REPOSITORY)
        return f"GitHub's webhook schemas are not installed ({where}): `make test` installs them"
    return github_api.unavailable_reason()


# --- Validation ---------------------------------------------------------------------------


@functools.cache
def _schemas(path: Path = WEBHOOK_SCHEMAS) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _validator(definition: str):
    from jsonschema import Draft7Validator, FormatChecker

    root = _schemas()
    schema = {
        "$schema": root["$schema"],
        "definitions": root["definitions"],
        "$ref": f"#/definitions/{definition}",
    }
    return Draft7Validator(schema, format_checker=FormatChecker())


def definition_of(event: str, payload: dict) -> str:
    """The schema definition for an event: `<event>$<action>`, or `<event>$event` for events
    without actions (push, workflow_dispatch)."""
    definitions = _schemas()["definitions"]
    name = f"{event}${payload.get('action', 'event')}"
    if name not in definitions:
        raise LookupError(f"@octokit/webhooks-schemas has no definition {name!r}")
    return name


def validate_event(event: str, payload: dict) -> list[str]:
    """What the webhook schemas object to in `payload` as an `event` (empty when valid)."""
    if event == "schedule":
        # No webhook, no schema: the cron expression is all github.event holds.
        if set(payload) != {"schedule"} or not isinstance(payload["schedule"], str):
            return ["a schedule event holds exactly one string, `schedule`"]
        return []
    errors = _validator(definition_of(event, payload)).iter_errors(payload)
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(payload)'}: {error.message[:300]}"
        for error in sorted(errors, key=lambda error: list(map(str, error.absolute_path)))
    ]


def assert_valid_event(event: str, payload: dict) -> dict:
    problems = validate_event(event, payload)
    assert not problems, f"not a {event} event GitHub would send:\n" + "\n".join(problems)
    return payload


def _built(event: str, payload: dict) -> dict:
    """A builder's payload, checked, with no object shared between its parts."""
    return assert_valid_event(event, copy.deepcopy(payload))


# --- The objects inside payloads ----------------------------------------------------------


def _id(*parts: object) -> int:
    """A stable id for a named thing (the same names give the same id in every test)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16) % 900_000_000 + 100_000_000


def _time(moment: datetime = WHEN) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def user(login: str, kind: str = "User") -> dict:
    """A webhook `user` (kind: User, Bot or Organization)."""
    number = 41898282 if login == "github-actions[bot]" else _id("user", login)
    base = f"{API}/users/{login.replace('[', '%5B').replace(']', '%5D')}"
    urls = example_urls("simple-user", "api.github.com/users/octocat")
    wanted = _schemas()["definitions"]["user"]["properties"]
    return {
        "login": login,
        "id": number,
        "node_id": node_id_of(kind, number),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{number}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{HTML}/{login}",
        **{name: base + rest for name, rest in urls.items() if name in wanted},
        "type": kind,
        "site_admin": False,
    }


def repository(full_name: str = FULL_NAME, *, fork: bool = False, push: bool = False) -> dict:
    """A webhook `repository` (a push event's has Unix times for created_at and pushed_at,
    as GitHub sends them)."""
    owner, name = full_name.split("/")
    number = _id("repository", full_name)
    base = f"{API}/repos/{full_name}"
    wanted = _schemas()["definitions"]["repository"]["properties"]
    urls = example_urls("repository", "api.github.com/repos/octocat/Hello-World")
    created = int(WHEN.timestamp()) if push else _time()
    return {
        "id": number,
        "node_id": node_id_of("Repository", number),
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": user(owner),
        "html_url": f"{HTML}/{full_name}",
        "description": None,
        "fork": fork,
        "url": base,
        **{field: base + rest for field, rest in urls.items() if field in wanted},
        "created_at": created,
        "updated_at": _time(),
        "pushed_at": created,
        "git_url": f"git://github.com/{full_name}.git",
        "ssh_url": f"git@github.com:{full_name}.git",
        "clone_url": f"{HTML}/{full_name}.git",
        "svn_url": f"{HTML}/{full_name}",
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": "Python",
        "has_issues": True,
        "has_projects": False,
        "has_downloads": True,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "mirror_url": None,
        "archived": False,
        "disabled": False,
        "open_issues_count": 0,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "public",
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
        "default_branch": "main",
        "custom_properties": {},
    }


def _repository_lite(full: dict) -> dict:
    wanted = _schemas()["definitions"]["repository-lite"]["properties"]
    return {name: value for name, value in full.items() if name in wanted}


def _committer(name: str, email: str, username: str | None = None) -> dict:
    found = {"name": name, "email": email}
    return found | ({"username": username} if username else {})


# --- Events -------------------------------------------------------------------------------


def push(
    *,
    after: str,
    before: str,
    message: str = "A change",
    ref: str = "refs/heads/main",
    tree_id: str = "0" * 40,
    full_name: str = FULL_NAME,
    pusher: str = "developer",
) -> dict:
    """A push of one commit `after` onto `before` (act checks out `after`)."""
    commit = {
        "id": after,
        "tree_id": tree_id,
        "distinct": True,
        "message": message,
        "timestamp": _time(),
        "url": f"{HTML}/{full_name}/commit/{after}",
        "author": _committer("Developer", "developer@example.invalid", pusher),
        "committer": _committer("Developer", "developer@example.invalid", pusher),
        "added": [],
        "removed": [],
        "modified": [],
    }
    return _built(
        "push",
        {
            "ref": ref,
            "before": before,
            "after": after,
            "created": False,
            "deleted": False,
            "forced": False,
            "base_ref": None,
            "compare": f"{HTML}/{full_name}/compare/{before[:12]}...{after[:12]}",
            "commits": [commit],
            "head_commit": commit,
            "repository": repository(full_name, push=True),
            "pusher": _committer(pusher, "developer@example.invalid"),
            "sender": user(pusher),
        },
    )


def schedule(cron: str) -> dict:
    return _built("schedule", {"schedule": cron})


def workflow_dispatch(
    workflow: str,
    *,
    inputs: dict[str, str] | None = None,
    ref: str = "refs/heads/main",
    full_name: str = FULL_NAME,
    sender: str = "maintainer",
) -> dict:
    """A manual run of `workflow` (".github/workflows/x.yml"); inputs are strings, as sent."""
    return _built(
        "workflow_dispatch",
        {
            "inputs": dict(inputs or {}),
            "ref": ref,
            "repository": repository(full_name),
            "sender": user(sender),
            "workflow": workflow,
        },
    )


def pull_request(
    *,
    number: int,
    head_sha: str,
    base_sha: str,
    head_ref: str = "feature",
    head_repository: str = FULL_NAME,
    base_ref: str = "main",
    full_name: str = FULL_NAME,
    author: str | None = None,
    title: str = "A change",
    body: str | None = None,
    action: str = "opened",
    before: str | None = None,
) -> dict:
    """A pull request into `full_name` from `head_repository`: a fork when they differ (its
    owner is then the author). `synchronize` (new commits pushed) needs `before`."""
    from_fork = head_repository != full_name
    author = author or (head_repository.split("/")[0] if from_fork else "developer")
    base_repo = repository(full_name)
    head_repo = repository(head_repository, fork=from_fork) if from_fork else base_repo
    url = f"{API}/repos/{full_name}/pulls/{number}"
    html = f"{HTML}/{full_name}/pull/{number}"
    issue_url = f"{API}/repos/{full_name}/issues/{number}"
    links = {
        "self": url,
        "html": html,
        "issue": issue_url,
        "comments": f"{issue_url}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{API}/repos/{full_name}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{API}/repos/{full_name}/statuses/{head_sha}",
    }

    def side(repo: dict, ref: str, sha: str) -> dict:
        login = repo["owner"]["login"]
        return {
            "label": f"{login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": user(login),
            "repo": repo,
        }

    number_id = _id("pull", full_name, number)
    pull = {
        "url": url,
        "id": number_id,
        "node_id": node_id_of("PullRequest", number_id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "number": number,
        "state": "open",
        "locked": False,
        "title": title,
        "user": user(author),
        "body": body,
        "created_at": _time(),
        "updated_at": _time(),
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": [],
        "milestone": None,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "head": side(head_repo, head_ref, head_sha),
        "base": side(base_repo, base_ref, base_sha),
        "_links": {name: {"href": href} for name, href in links.items()},
        "author_association": "CONTRIBUTOR" if from_fork else "OWNER",
        "auto_merge": None,
        "active_lock_reason": None,
        "draft": False,
        "merged": False,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
    }
    payload = {"action": action, "number": number}
    if action == "synchronize":
        if before is None:
            raise ValueError("a synchronize event names the head before the push: before=")
        payload |= {"before": before, "after": head_sha}
    payload |= {"pull_request": pull, "repository": base_repo, "sender": user(author)}
    return _built("pull_request", payload)


def workflow_run(
    *,
    workflow_name: str,
    workflow_path: str,
    head_sha: str,
    head_branch: str,
    run_id: int = 1,
    event: str = "pull_request",
    conclusion: str = "success",
    head_repository: str = FULL_NAME,
    full_name: str = FULL_NAME,
    pull_requests: list[dict] | None = None,
    actor: str = "developer",
) -> dict:
    """The completion of a run of `workflow_name` (which a workflow names under
    `on.workflow_run.workflows`). `pull_requests` are {number, head_ref, head_sha, base_ref,
    base_sha} for a run in the repository itself: for a run from a fork GitHub sends an empty
    list (the fork's branch is not the repository's), so the trusted job must learn the pull
    request's number from the run's artifact instead; asking for one here is an error."""
    from_fork = head_repository != full_name
    if from_fork and pull_requests:
        raise ValueError("GitHub sends workflow_run.pull_requests empty for a run from a fork")
    base = repository(full_name)
    head = repository(head_repository, fork=from_fork) if from_fork else base
    api = f"{API}/repos/{full_name}"
    run_url = f"{api}/actions/runs/{run_id}"
    workflow_id = _id("workflow", full_name, workflow_path)
    check_suite = _id("check-suite", full_name, run_id)
    reference = {"id": base["id"], "url": base["url"], "name": base["name"]}
    run = {
        "id": run_id,
        "name": workflow_name,
        "node_id": node_id_of("WorkflowRun", run_id),
        "head_branch": head_branch,
        "head_sha": head_sha,
        "path": workflow_path,
        "display_title": workflow_name,
        "run_number": run_id,
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "workflow_id": workflow_id,
        "check_suite_id": check_suite,
        "check_suite_node_id": node_id_of("CheckSuite", check_suite),
        "url": run_url,
        "html_url": f"{HTML}/{full_name}/actions/runs/{run_id}",
        "pull_requests": [
            {
                "url": f"{api}/pulls/{pull['number']}",
                "id": _id("pull", full_name, pull["number"]),
                "number": pull["number"],
                "head": {"ref": pull["head_ref"], "sha": pull["head_sha"], "repo": reference},
                "base": {"ref": pull["base_ref"], "sha": pull["base_sha"], "repo": reference},
            }
            for pull in pull_requests or []
        ],
        "created_at": _time(),
        "updated_at": _time(),
        "actor": user(actor),
        "triggering_actor": user(actor),
        "run_attempt": 1,
        "referenced_workflows": [],
        "run_started_at": _time(),
        "jobs_url": f"{run_url}/jobs",
        "logs_url": f"{run_url}/logs",
        "check_suite_url": f"{api}/check-suites/{check_suite}",
        "artifacts_url": f"{run_url}/artifacts",
        "cancel_url": f"{run_url}/cancel",
        "rerun_url": f"{run_url}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{api}/actions/workflows/{workflow_id}",
        "head_commit": {
            "id": head_sha,
            "tree_id": "0" * 40,
            "message": "A change",
            "timestamp": _time(),
            "author": _committer("Developer", "developer@example.invalid"),
            "committer": _committer("Developer", "developer@example.invalid"),
        },
        "repository": _repository_lite(base),
        "head_repository": _repository_lite(head),
    }
    workflow = {
        "badge_url": f"{HTML}/{full_name}/workflows/{workflow_name}/badge.svg",
        "created_at": _time(),
        "html_url": f"{HTML}/{full_name}/blob/main/{workflow_path}",
        "id": workflow_id,
        "name": workflow_name,
        "node_id": node_id_of("Workflow", workflow_id),
        "path": workflow_path,
        "state": "active",
        "updated_at": _time(),
        "url": f"{api}/actions/workflows/{workflow_id}",
    }
    payload = {
        "action": "completed",
        "repository": base,
        "sender": user(actor),
        "workflow": workflow,
        "workflow_run": run,
    }
    return _built("workflow_run", payload)
