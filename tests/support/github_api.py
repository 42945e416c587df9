"""GitHub's REST API for the tests, as GitHub describes it: a stand-in served on 127.0.0.1.

Why it exists: the workflows carry the monitors' states to people as GitHub issues (opened,
commented, closed) and comment on pull requests, through GitHub's REST API at
`$GITHUB_API_URL`. GitHub cannot be reached where the tests run, so the tests hand act
`--env GITHUB_API_URL=<this server>` and the steps talk to it exactly as they talk to GitHub.
It is the second stand-in, beside tests/actions/pip-environment (for the conda set-up actions,
whose channels cannot be reached either); nothing else is replaced: git goes to a bare
repository on disk (support/act.py) and the pinned actions run for real.

What keeps it honest is GitHub's own description of its API, never a hand-made list of
endpoints: the OpenAPI document for api.github.com from the npm package @octokit/openapi
(pinned in tests/github/package-lock.json, installed by `make test`). Every request is checked
against it with openapi-core: method and path, path and query parameters, the JSON body. One
the description does not allow is answered as GitHub answers it (404 for an unknown path or
method, 400 for a body that is not JSON, 422 "Validation Failed") and recorded as a
`Violation`, so that a test fails even when the client ignored the error. Every response the
stand-in sends is checked against the same description, including that it carries no field the
description does not declare: the stand-in cannot invent what GitHub never sends. A call the
description allows but the stand-in does not implement answers 501 and is recorded too.

It keeps state: repositories and pull requests the tests seed; issues, comments and labels the
clients make, which a test reads back as a maintainer would see them (`issues()`); workflows
(`add_workflow`: read, and enabled again by a keepalive) and completed workflow runs
(`add_workflow_run`) with the logs a test seeds from what act printed (`seed_run_logs`: GitHub's
zip, one file per job, timestamped lines). As on GitHub, the logs endpoint answers 302 to a
signed URL on another host (a second port here), valid for a minute; a request that brings a
token there is recorded as a violation: a token is for the API alone. Tokens work
like a run's GITHUB_TOKEN: each is registered with a name and a permission set (issues,
pull_requests, ... : read or write); no token or an unknown one gets 401, a write the token may
not make gets 403 "Resource not accessible by integration" and changes nothing. Every call is
logged with the name of its token, never the token itself, so a test can show that code from
a fork never held a token that could write.

What a run on GitHub adds that this cannot show: rate limits (primary, and the secondary limit
on creating content quickly); eventual consistency (search results, lists read just after a
write); notifications, mentions and e-mails; the real permission model (repository and
organisation settings for GITHUB_TOKEN, fine-grained tokens, approval of first-time
contributors' runs, `pull_request` runs from forks getting no secrets); events that the bot's
own writes would trigger (an issue opened with GITHUB_TOKEN starts no workflow); Markdown
rendering; abuse detection; and the values GitHub computes that the stand-in only makes
plausible (node ids, reactions, author associations, avatars, a run's check suite and head
commit); the exact layout of a run's log archive, which GitHub has changed before (the
per-step files are missing from some archives), and the retention of logs (90 days by
default). Anonymous reads, which GitHub
allows on public repositories, are refused here so that a step that forgot its token fails.

Cost, measured on the 2-core machine: loading the description once per test session about
0.5 s (0.15 s of it reading the 13 MB document); a request answered with both checks about
13 ms (100 requests over HTTP: 1.3 s).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import re
import secrets
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from support.workflow import REPOSITORY

DESCRIPTIONS = REPOSITORY / "tests/github/node_modules/@octokit"
REST_DESCRIPTION = DESCRIPTIONS / "openapi/generated/api.github.com.json"
GITHUB_HOST = "https://api.github.com"  # the description's server; requests are matched on it
HTML = "https://github.com"
# The user a workflow's GITHUB_TOKEN writes as.
ACTIONS_BOT_LOGIN, ACTIONS_BOT_ID = "github-actions[bot]", 41898282
# What a trusted run's GITHUB_TOKEN may do with `permissions: {issues: write, pull-requests:
# write}`, and what a `pull_request` run from a fork gets whatever it asks for: read only.
WRITE_ISSUES_AND_PULL_REQUESTS = {
    "contents": "read",
    "metadata": "read",
    "issues": "write",
    "pull_requests": "write",
}
READ_ONLY = {
    "actions": "read",
    "contents": "read",
    "metadata": "read",
    "issues": "read",
    "pull_requests": "read",
}
# The trusted pr-comment run (`permissions: {actions: read, contents: read, pull-requests:
# write}`): it reads the preview run's logs and writes the pull request's comment.
COMMENT_ON_PULL_REQUESTS = {
    "actions": "read",
    "contents": "read",
    "metadata": "read",
    "pull_requests": "write",
}
LEVELS = {"none": 0, "read": 1, "write": 2}
# The permission an operation needs, by the description's own `x-github.category`.
PERMISSION_OF_CATEGORY = {"issues": "issues", "pulls": "pull_requests", "repos": "metadata"}
START = datetime(2026, 1, 5, 6, 0, 0, tzinfo=UTC)
LOG_URL_SECONDS = 60  # how long a signed log URL is valid, as GitHub documents


def unavailable_reason() -> str | None:
    """Why the stand-in cannot run here, or None."""
    if not REST_DESCRIPTION.is_file():
        where = REST_DESCRIPTION.relative_to(REPOSITORY)
        return f"GitHub's REST description is not installed ({where}): `make test` installs it"
    try:
        import openapi_core  # noqa: F401
    except ImportError:
        return "openapi-core is not installed (requirements.txt)"
    return None


# --- The description --------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """One operation of the description, as a request matched it."""

    operation_id: str
    method: str
    template: str
    spec: dict
    path_params: dict[str, str]

    @property
    def permission(self) -> str:
        category = self.spec.get("x-github", {}).get("category", "")
        return PERMISSION_OF_CATEGORY.get(category, category)

    @property
    def documentation_url(self) -> str:
        return self.spec.get("externalDocs", {}).get("url", "https://docs.github.com/rest")


class Description:
    """GitHub's OpenAPI document for api.github.com, and openapi-core's view of it."""

    def __init__(self, path: Path = REST_DESCRIPTION) -> None:
        from openapi_core import Config, OpenAPI
        from openapi_core.templating.paths.finders import APICallPathFinder

        started = time.perf_counter()
        self.document = json.loads(path.read_text(encoding="utf-8"))
        # The document is checked by GitHub's own tooling; checking it again here takes long.
        self.openapi = OpenAPI.from_dict(self.document, config=Config(spec_validator_cls=None))
        self._finder = APICallPathFinder(self.openapi.spec, base_url=None)
        self.version = self.document["info"]["version"]
        self.load_seconds = time.perf_counter() - started

    def schema(self, name: str) -> dict:
        return self.document["components"]["schemas"][name]

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node = self.document
            for part in schema["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def find(self, method: str, path: str) -> Operation | None:
        from openapi_core.templating.paths.exceptions import PathError

        try:
            found = self._finder.find(method.lower(), GITHUB_HOST + path)
        except PathError:
            return None
        template = found.path_result.pattern
        spec = self.document["paths"][template][method.lower()]
        variables = {name: unquote(value) for name, value in found.path_result.variables.items()}
        return Operation(spec["operationId"], method.upper(), template, spec, variables)

    def check_request(self, method, path, query, headers, body) -> tuple[list[str], int, dict]:
        """The description's objections to a request (empty when valid); the status GitHub
        answers such a request with (200 when valid); and its parameters as the description
        types them, defaults filled in."""
        from openapi_core.deserializing.exceptions import DeserializeError
        from openapi_core.testing import MockRequest
        from openapi_core.validation.request.exceptions import ParameterValidationError

        request = MockRequest(
            GITHUB_HOST, method.lower(), path, args=query, headers=headers, data=body
        )
        result = self.openapi.unmarshal_request(request)
        if not result.errors:
            return [], 200, {"query": dict(result.parameters.query), "body": result.body}
        status = 422  # Validation Failed
        for error in result.errors:
            if isinstance(error.__cause__, DeserializeError) and body:
                status = 400  # Problems parsing JSON
            elif isinstance(error, ParameterValidationError) and error.location == "path":
                status = 404  # /issues/abc is no issue
        return [explain(error) for error in result.errors], status, {}

    def check_response(self, method, path, status, body: bytes, headers) -> list[str]:
        """The description's objections to a response of the operation at `path`."""
        from openapi_core.testing import MockRequest, MockResponse

        request = MockRequest(GITHUB_HOST, method.lower(), path)
        response = MockResponse(body, status_code=status, headers=headers)
        errors = self.openapi.iter_response_errors(
            request, response
        )  # validation: no unmarshalling
        return [explain(error) for error in errors]

    def undeclared_fields(self, value, schema: dict, where: str = "") -> list[str]:
        """Fields in `value` that `schema` does not declare anywhere (GitHub's schemas rarely
        say additionalProperties: false, so openapi-core lets invented fields through)."""
        schema = self.resolve(schema)
        if isinstance(value, list):
            items = schema.get("items")
            branches = self._branches(schema)
            items = items or next((b["items"] for b in branches if "items" in b), None)
            if items is None:
                return []
            return [
                found
                for index, item in enumerate(value)
                for found in self.undeclared_fields(item, items, f"{where}[{index}]")
            ]
        if not isinstance(value, dict):
            return []
        branches = [b for b in self._branches(schema) if b.get("type", "object") == "object"]
        declared: dict[str, list[dict]] = {}
        for branch in branches:
            extra = branch.get("additionalProperties")
            combines = any(keyword in branch for keyword in ("allOf", "anyOf", "oneOf"))
            if extra is True or (not branch.get("properties") and extra is None and not combines):
                return []  # a free-form object
            for name, subschema in branch.get("properties", {}).items():
                declared.setdefault(name, []).append(subschema)
            if isinstance(extra, dict):
                for name in value:
                    declared.setdefault(name, []).append(extra)
        found = []
        for name, item in value.items():
            if name not in declared:
                found.append(f"{where}.{name}")
                continue
            # Declared by several branches: undeclared only if no branch declares the inside.
            candidates = [
                self.undeclared_fields(item, s, f"{where}.{name}") for s in declared[name]
            ]
            found.extend(min(candidates, key=len))
        return found

    def _branches(self, schema: dict) -> list[dict]:
        """The schema and every allOf/anyOf/oneOf branch in it, resolved, flattened."""
        schema = self.resolve(schema)
        branches = [schema]
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(keyword, []):
                branches += self._branches(branch)
        return branches

    def response_schema(self, operation: Operation, status: int) -> dict | None:
        response = operation.spec["responses"].get(str(status))
        if response is None:
            return None
        content = self.resolve(response).get("content", {})
        return content.get("application/json", {}).get("schema")


def explain(error: Exception) -> str:
    """openapi-core's error with the schema errors under it, in one line."""
    cause = error.__cause__
    details = [e.message for e in getattr(cause, "schema_errors", None) or []]
    if cause is not None and not details:
        details = [str(cause)]
    if not details:
        return str(error)
    where = str(error).split(":")[0]
    if hasattr(error, "location") and hasattr(error, "name"):
        where = f"{error.location} parameter {error.name}"
    return f"{where}: {'; '.join(details)}"


@functools.cache
def description() -> Description:
    """Loaded once per test session (a 13 MB document)."""
    return Description()


# --- State ------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    login: str
    id: int
    type: str = "User"  # or Bot, Organization


ACTIONS_BOT = User(ACTIONS_BOT_LOGIN, ACTIONS_BOT_ID, "Bot")


@dataclass(frozen=True)
class Token:
    name: str
    user: User
    permissions: dict[str, str]
    repository: str | None = None  # a run's GITHUB_TOKEN is for its own repository only

    def reaches(self, repository: Repository) -> bool:
        return self.repository is None or self.repository.lower() == repository.full_name.lower()

    def may(self, permission: str, level: str) -> bool:
        if permission == "metadata" and level == "read":
            return True
        return LEVELS[self.permissions.get(permission, "none")] >= LEVELS[level]


@dataclass
class Label:
    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Comment:
    id: int
    issue_number: int
    body: str
    user: User
    created_at: datetime
    updated_at: datetime


@dataclass
class PullRequest:
    head_owner: str
    head_name: str
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False


@dataclass
class Issue:
    """An issue, or the issue side of a pull request (GitHub numbers both in one sequence)."""

    id: int
    number: int
    title: str
    body: str | None
    user: User
    created_at: datetime
    updated_at: datetime
    labels: list[str] = field(default_factory=list)  # label names, in the order added
    state: str = "open"
    state_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: User | None = None
    pull_request: PullRequest | None = None


@dataclass
class Workflow:
    """A workflow file of a repository, as the Actions tab lists it."""

    id: int
    name: str
    path: str  # .github/workflows/<file>
    created_at: datetime
    updated_at: datetime
    state: str = "active"  # or disabled_inactivity, disabled_manually, disabled_fork
    enabled: int = 0  # how many times PUT .../enable was called


@dataclass
class WorkflowRun:
    """A completed run of a workflow, and the zip of its logs once a test seeded them."""

    id: int
    run_number: int
    workflow_id: int
    event: str
    head_owner: str
    head_name: str
    head_branch: str
    head_sha: str
    display_title: str
    actor: User
    created_at: datetime
    status: str = "completed"
    conclusion: str | None = "success"
    logs: bytes | None = None


@dataclass
class Repository:
    owner: User
    name: str
    id: int
    created_at: datetime
    private: bool = False
    default_branch: str = "main"
    description: str | None = None
    has_issues: bool = True
    fork: bool = False
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)  # by lower-cased name
    workflows: dict[int, Workflow] = field(default_factory=dict)
    runs: dict[int, WorkflowRun] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"

    def label(self, name: str) -> Label | None:
        return self.labels.get(name.lower())

    def workflow(self, workflow_id: str) -> Workflow | None:
        """By id, or by file name (`ci.yml`), as the API's {workflow_id} takes either."""
        if workflow_id.isdigit():
            return self.workflows.get(int(workflow_id))
        return next(
            (w for w in self.workflows.values() if w.path.endswith(f"/{workflow_id}")), None
        )


# --- What tests read --------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the log keeps it: the token's name, never the token."""

    method: str
    path: str
    query: str
    operation_id: str | None
    token: str | None
    status: int


@dataclass(frozen=True)
class Violation:
    """A request the description does not allow, a call the stand-in does not implement, or
    a response of the stand-in that the description does not allow (a bug here)."""

    kind: str  # request, not-implemented, response, storage
    method: str
    path: str
    token: str | None
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.method} {self.path} ({self.token}): {self.detail}"


@dataclass(frozen=True)
class Download:
    """One request to the log storage host (where the logs endpoint redirects): whether it
    carried an Authorization header (it must not: the token is for the API alone)."""

    path: str
    authorization: bool
    status: int


@dataclass(frozen=True)
class CommentView:
    author: str
    body: str


@dataclass(frozen=True)
class IssueView:
    """An issue as a maintainer sees it on GitHub."""

    number: int
    title: str
    body: str | None
    state: str
    state_reason: str | None
    labels: tuple[str, ...]
    author: str
    comments: tuple[CommentView, ...]
    is_pull_request: bool


class Reply(Exception):
    """Raised by a handler to answer with an error, as GitHub does."""

    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


@dataclass
class Response:
    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


# --- The server -------------------------------------------------------------------------


class GitHubAPI:
    """The stand-in. Use `github_api()` (a context manager), or the `github` fixture of
    tests/ci/conftest.py."""

    def __init__(self) -> None:
        self.description = description()
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self.repositories: dict[str, Repository] = {}
        self._tokens: dict[str, Token] = {}
        self._ids = iter(range(1_000_001, 10**12))
        self._clock = START
        self._lock = threading.Lock()
        self._serial = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        # Where the logs endpoint redirects to: another host, as GitHub's signed log URLs
        # are (pipelines.actions.githubusercontent.com, blob storage), so a client that
        # sends its token there is seen doing it.
        self.downloads: list[Download] = []
        self._signed: dict[str, tuple[bytes, float]] = {}  # signature -> (zip, expiry)
        self._storage = ThreadingHTTPServer(("127.0.0.1", 0), _storage_handler(self))
        self._storage.daemon_threads = True

    # Lifecycle.

    @property
    def url(self) -> str:
        """What GITHUB_API_URL is set to."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def storage_url(self) -> str:
        """The log storage host's address (another port: another host to a client)."""
        host, port = self._storage.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> GitHubAPI:
        # A short poll: stopping waits for it, once per test.
        for httpd in (self._httpd, self._storage):
            serve = functools.partial(httpd.serve_forever, poll_interval=0.05)
            threading.Thread(target=serve, daemon=True).start()
        return self

    def stop(self) -> None:
        for httpd in (self._httpd, self._storage):
            httpd.shutdown()
            httpd.server_close()

    # Set-up by tests.

    def add_token(
        self,
        name: str,
        permissions: dict[str, str],
        user: User = ACTIONS_BOT,
        token: str | None = None,
        repository: str | None = None,
    ) -> str:
        """Register a token (its value is returned; made up when not given). `name` is what
        the log shows; `user` is who the token writes as; `repository` ("owner/name"), when
        given, is the only one it may write to (as a run's GITHUB_TOKEN)."""
        for permission, level in permissions.items():
            assert level in LEVELS, f"{permission}: {level!r} is not one of {list(LEVELS)}"
        token = token or "ghs_" + secrets.token_hex(18)
        with self._lock:
            assert token not in self._tokens, "a token can be registered once"
            self._tokens[token] = Token(name, user, dict(permissions), repository)
        return token

    def add_repository(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        default_branch: str = "main",
        description: str | None = None,
        has_issues: bool = True,
        fork: bool = False,
        owner_type: str = "User",
    ) -> Repository:
        with self._lock:
            repository = Repository(
                owner=User(owner, self._next_id(), owner_type),
                name=name,
                id=self._next_id(),
                created_at=self._tick(),
                private=private,
                default_branch=default_branch,
                description=description,
                has_issues=has_issues,
                fork=fork,
            )
            self.repositories[repository.full_name.lower()] = repository
            return repository

    def add_pull_request(
        self,
        repository: str,
        *,
        title: str,
        head_ref: str,
        head_sha: str,
        base_sha: str,
        author: User,
        head_repository: str | None = None,
        base_ref: str | None = None,
        body: str | None = None,
        draft: bool = False,
    ) -> int:
        """A pull request into `repository` ("owner/name") from `head_repository` (a fork,
        which is added when unknown) or from a branch of the same repository. Its number."""
        base = self._repository(repository)
        head_name = head_repository or base.full_name
        if head_name.lower() not in self.repositories:
            owner, name = head_name.split("/")
            self.add_repository(owner, name, fork=True)
        head = self._repository(head_name)
        with self._lock:
            issue = self._new_issue(base, title, body, author)
            issue.pull_request = PullRequest(
                head.owner.login,
                head.name,
                head_ref,
                head_sha,
                base_ref or base.default_branch,
                base_sha,
                draft,
            )
            return issue.number

    def add_issue(
        self,
        repository: str,
        *,
        title: str,
        body: str | None = None,
        labels: tuple[str, ...] = (),
        author: User = ACTIONS_BOT,
        state: str = "open",
        comments: tuple[str, ...] = (),
    ) -> int:
        """An issue that existed before the run (an alert opened by an earlier one)."""
        target = self._repository(repository)
        with self._lock:
            issue = self._new_issue(target, title, body, author)
            issue.labels = [self._ensure_label(target, name).name for name in labels]
            for text in comments:
                self._new_comment(target, issue, text, author)
            if state == "closed":
                issue.state, issue.state_reason = "closed", "completed"
                issue.closed_at, issue.closed_by = self._tick(), author
            return issue.number

    def synchronize_pull_request(self, repository: str, number: int, head_sha: str) -> None:
        """New commits pushed to a pull request's head branch: its head is `head_sha`."""
        target = self._repository(repository)
        with self._lock:
            issue = target.issues[number]
            assert issue.pull_request is not None, f"#{number} is not a pull request"
            issue.pull_request.head_sha = head_sha
            issue.updated_at = self._tick()

    def add_workflow(
        self, repository: str, path: str, *, name: str | None = None, state: str = "active"
    ) -> int:
        """A workflow file (`.github/workflows/x.yml`) of `repository`, named `name` (GitHub
        shows the path when the file names none); its id."""
        target = self._repository(repository)
        with self._lock:
            now = self._tick()
            workflow = Workflow(self._next_id(), name or path, path, now, now, state)
            target.workflows[workflow.id] = workflow
            return workflow.id

    def add_workflow_run(
        self,
        repository: str,
        *,
        workflow: str,
        head_sha: str,
        head_branch: str,
        event: str = "pull_request",
        head_repository: str | None = None,
        conclusion: str | None = "success",
        display_title: str = "A change",
        actor: User | None = None,
        workflow_name: str | None = None,
    ) -> int:
        """A completed run of `workflow` (its path; added, named `workflow_name`, when the
        repository has no such workflow yet) for `event` on `head_branch` at `head_sha` of
        `head_repository` (a fork: added when unknown) or of `repository`. Its id, which
        the run's `workflow_run` event names. Its logs: seed_run_logs()."""
        base = self._repository(repository)
        head_name = head_repository or base.full_name
        if head_name.lower() not in self.repositories:
            owner, name = head_name.split("/")
            self.add_repository(owner, name, fork=True)
        head = self._repository(head_name)
        found = next((w for w in base.workflows.values() if w.path == workflow), None)
        workflow_id = (
            found.id if found else self.add_workflow(repository, workflow, name=workflow_name)
        )
        with self._lock:
            number = 1 + sum(run.workflow_id == workflow_id for run in base.runs.values())
            run = WorkflowRun(
                id=self._next_id(),
                run_number=number,
                workflow_id=workflow_id,
                event=event,
                head_owner=head.owner.login,
                head_name=head.name,
                head_branch=head_branch,
                head_sha=head_sha,
                display_title=display_title,
                actor=actor or head.owner,
                created_at=self._tick(),
                conclusion=conclusion,
            )
            base.runs[run.id] = run
            return run.id

    def seed_run_logs(self, run_id: int, job_logs: dict[str, str | dict[str, str]]) -> bytes:
        """The logs of run `run_id` as GitHub zips them, from what each job printed: job
        name -> its text, or -> {step name: text} for a job whose steps are known. Each job
        gets `<n>_<job>.txt` with all of its lines, and a job given by steps also a folder
        `<job>/` with `<n>_<step>.txt` per step (GitHub leaves the folders out of some
        archives: cli/cli#10740). Every line starts with its time, every file with a byte
        order mark, as GitHub writes them. Returns the zip."""
        with self._lock:
            run = next(
                (
                    r
                    for repo in self.repositories.values()
                    for r in repo.runs.values()
                    if r.id == run_id
                ),
                None,
            )
            assert run is not None, f"no run {run_id} was added (add_workflow_run)"
            run.logs = run_logs_zip(job_logs, run.created_at)
            return run.logs

    # What tests read.

    def issues(self, repository: str, *, pull_requests: bool = False) -> list[IssueView]:
        """The repository's issues (or its pull requests) as a maintainer sees them, by
        number: title, body, state, labels, author and comments with their authors."""
        target = self._repository(repository)
        with self._lock:
            return [
                self._view(target, issue)
                for issue in sorted(target.issues.values(), key=lambda issue: issue.number)
                if (issue.pull_request is not None) == pull_requests
            ]

    def issue(self, repository: str, number: int) -> IssueView:
        target = self._repository(repository)
        with self._lock:
            return self._view(target, target.issues[number])

    def labels(self, repository: str) -> list[str]:
        target = self._repository(repository)
        with self._lock:
            return sorted((label.name for label in target.labels.values()), key=str.lower)

    def workflow(self, repository: str, workflow_id: str | int) -> Workflow:
        """A workflow as it is now (by id or file name): its state, how often it was enabled."""
        target = self._repository(repository)
        with self._lock:
            found = target.workflow(str(workflow_id))
            assert found is not None, f"{repository} has no workflow {workflow_id}"
            return dataclasses.replace(found)

    def calls_by(self, token_name: str | None) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.token == token_name]

    def writes(self) -> list[Call]:
        """Calls other than reads, whatever their answer."""
        with self._lock:
            return [call for call in self.calls if call.method not in ("GET", "HEAD")]

    def assert_no_violations(self) -> None:
        with self._lock:
            found = list(self.violations)
        assert not found, "GitHub's API was not used as described:\n" + "\n".join(map(str, found))

    def take_violations(self) -> list[Violation]:
        """The violations so far, forgotten here (for a test that provokes them on purpose:
        the `github` fixture fails a test that leaves any)."""
        with self._lock:
            found, self.violations = self.violations, []
        return found

    # Internals: state.

    def _sign(self, logs: bytes) -> str:
        """A URL on the storage host that serves `logs` for a minute, as GitHub's do."""
        signature = secrets.token_urlsafe(24)
        self._signed[signature] = (logs, time.monotonic() + LOG_URL_SECONDS)
        expires = (datetime.now(UTC) + timedelta(seconds=LOG_URL_SECONDS)).strftime(
            "%Y-%m-%dT%H:%M:%S.0000000Z"
        )
        query = urlencode(
            {"urlExpires": expires, "urlSigningMethod": "HMACV1", "urlSignature": signature}
        )
        return f"{self.storage_url}/_apis/pipelines/1/runs/logs/signedlogcontent?{query}"

    def _serve_logs(self, target: str, headers) -> tuple[int, bytes]:
        """The storage host's answer: the zip for a valid signature, without a token."""
        query = dict(parse_qsl(urlsplit(target).query))
        with self._lock:
            found = self._signed.get(query.get("urlSignature", ""))
            token = self._token(headers)
            if headers.get("Authorization"):
                name = token.name if token else _claimed(headers)
                detail = "a token was sent to the log storage host: it is for the API alone"
                self.violations.append(Violation("storage", "GET", target, name, detail))
                status, body = 400, b"Authentication information is not given in the correct format"
            elif found is None or found[1] < time.monotonic():
                status, body = 403, b"AuthenticationFailed: the signed URL is unknown or expired"
            else:
                status, body = 200, found[0]
            self.downloads.append(
                Download(urlsplit(target).path, bool(headers.get("Authorization")), status)
            )
        return status, body

    def _next_id(self) -> int:
        return next(self._ids)

    def _tick(self) -> datetime:
        """The stand-in's clock: one second on per write, so times order as the writes did."""
        self._clock += timedelta(seconds=1)
        return self._clock

    def _repository(self, full_name: str) -> Repository:
        found = self.repositories.get(full_name.lower())
        if found is None:
            raise KeyError(f"no repository {full_name} was added to the GitHub stand-in")
        return found

    def _new_issue(self, repository: Repository, title, body, user: User) -> Issue:
        now = self._tick()
        number = max(repository.issues, default=0) + 1
        issue = Issue(self._next_id(), number, title, body, user, now, now)
        repository.issues[number] = issue
        return issue

    def _new_comment(self, repository: Repository, issue: Issue, body: str, user) -> Comment:
        now = self._tick()
        comment = Comment(self._next_id(), issue.number, body, user, now, now)
        repository.comments[comment.id] = comment
        issue.updated_at = now
        return comment

    def _ensure_label(self, repository: Repository, name: str) -> Label:
        """GitHub creates a label named on an issue that the repository does not have."""
        label = repository.label(name)
        if label is None:
            label = Label(self._next_id(), name)
            repository.labels[name.lower()] = label
        return label

    def _view(self, repository: Repository, issue: Issue) -> IssueView:
        comments = sorted(
            (c for c in repository.comments.values() if c.issue_number == issue.number),
            key=lambda comment: comment.id,
        )
        return IssueView(
            number=issue.number,
            title=issue.title,
            body=issue.body,
            state=issue.state,
            state_reason=issue.state_reason,
            labels=tuple(issue.labels),
            author=issue.user.login,
            comments=tuple(CommentView(c.user.login, c.body) for c in comments),
            is_pull_request=issue.pull_request is not None,
        )

    # Internals: one request.

    def handle(self, method: str, target: str, headers, body: bytes | None) -> Response:
        with self._serial:  # one request at a time: simple, and 13 ms each
            return self._handle(method, target, headers, body)

    def _handle(self, method: str, target: str, headers, body: bytes | None) -> Response:
        split = urlsplit(target)
        path, query_text = split.path, split.query
        query = dict(parse_qsl(query_text, keep_blank_values=True))
        token = self._token(headers)
        token_name = token.name if token else _claimed(headers)
        operation = self.description.find(method, path)
        if operation is None:
            self._violation("request", method, target, token_name, "no such path or method")
            response = _error(404, "Not Found", "https://docs.github.com/rest")
        else:
            response = self._answer(operation, method, path, query, headers, body, token)
        self._check_response(operation, method, path, response, token_name)
        with self._lock:
            self.calls.append(
                Call(
                    method,
                    path,
                    query_text,
                    operation.operation_id if operation else None,
                    token_name,
                    response.status,
                )
            )
        return response

    def _token(self, headers) -> Token | None:
        authorization = headers.get("Authorization", "")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return None
        return self._tokens.get(value.strip())

    def _answer(self, operation, method, path, query, headers, body, token) -> Response:
        name = token.name if token else _claimed(headers)
        content = {"Content-Type": "application/json"} if body else {}
        problems, status, typed = self.description.check_request(
            method, path, query, {**dict(headers.items()), **content}, body or None
        )
        for problem in problems:
            self._violation("request", method, path, name, problem)
        docs = operation.documentation_url
        if token is None:
            if headers.get("Authorization"):
                return _error(401, "Bad credentials", docs)
            return _error(401, "Requires authentication", docs)
        if status == 400:
            return _error(400, "Problems parsing JSON", docs)
        if status == 404:
            return _error(404, "Not Found", docs)
        if problems:
            errors = [{"code": "invalid", "message": problem} for problem in problems]
            return _error(422, "Validation Failed", docs, errors=errors)
        handler = HANDLERS.get(operation.operation_id)
        if handler is None:
            self._violation("not-implemented", method, path, name, operation.operation_id)
            return _error(501, f"{operation.operation_id} is not implemented here", docs)
        with self._lock:
            try:
                response = handler(self, _Call(self, operation, path, query, typed, token))
            except Reply as reply:
                response = _error(reply.status, reply.message, docs, **reply.extra)
        return response

    def _check_response(self, operation, method, path, response: Response, token_name) -> None:
        """Every answer, errors included, is one the description allows."""
        data = b"" if response.body is None else json.dumps(response.body).encode()
        if operation is not None and str(response.status) in operation.spec["responses"]:
            headers = {**response.headers, "Content-Type": "application/json"}
            problems = self.description.check_response(method, path, response.status, data, headers)
            schema = self.description.response_schema(operation, response.status)
        else:  # GitHub's errors the description does not list for this operation
            schema = self.description.schema(
                "validation-error" if response.status == 422 else "basic-error"
            )
            problems = []
        if schema is not None and response.body is not None:
            problems += [
                f"field {where} is not in the description"
                for where in self.description.undeclared_fields(response.body, schema)
            ]
        for problem in problems:
            self._violation("response", method, path, token_name, f"{response.status}: {problem}")

    def _violation(self, kind, method, path, token_name, detail) -> None:
        with self._lock:
            self.violations.append(Violation(kind, method, path, token_name, detail))


def _claimed(headers) -> str | None:
    return "(unknown token)" if headers.get("Authorization") else None


def _error(status: int, message: str, docs: str, **extra) -> Response:
    body = {"message": message, **extra, "documentation_url": docs}
    if status != 422:  # the description's validation-error declares no `status` field
        body["status"] = str(status)
    return Response(status, body)


# --- Rendering, as GitHub renders its objects -------------------------------------------


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id_of(kind: str, number: int) -> str:
    """GitHub's legacy global node id form ("04:User1" base64: MDQ6VXNlcjE=)."""
    return base64.b64encode(f"{len(kind):02d}:{kind}{number}".encode()).decode()


@functools.cache
def example_urls(schema: str, example_base: str) -> dict[str, str]:
    """The API `*_url` fields of a schema, from the description's own examples: the rest of
    each URL after `example_base` (e.g. "api.github.com/users/octocat")."""
    urls = {}
    for name, spec in description().schema(schema)["properties"].items():
        example = spec.get("example")
        if name.endswith("_url") and isinstance(example, str) and example_base in example:
            urls[name] = example.split(example_base, 1)[1]
    return urls


def render_user(api: str, user: User) -> dict:
    login = quote(user.login)
    base = f"{api}/users/{login}"
    examples = example_urls("simple-user", "api.github.com/users/octocat")
    urls = {name: base + rest for name, rest in examples.items()}
    html = f"{HTML}/apps/{user.login.removesuffix('[bot]')}" if user.type == "Bot" else None
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id_of("Bot" if user.type == "Bot" else "User", user.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": html or f"{HTML}/{user.login}",
        **urls,
        "type": user.type,
        "site_admin": False,
    }


def render_repository(api: str, repository: Repository, full: bool = False) -> dict:
    """GitHub's `repository` object, or `full-repository` (GET /repos/{owner}/{repo})."""
    name = repository.full_name
    base = f"{api}/repos/{name}"
    examples = example_urls("repository", "api.github.com/repos/octocat/Hello-World")
    urls = {name: base + rest for name, rest in examples.items()}
    open_count = sum(issue.state == "open" for issue in repository.issues.values())
    rendered = {
        "id": repository.id,
        "node_id": node_id_of("Repository", repository.id),
        "name": repository.name,
        "full_name": name,
        "owner": render_user(api, repository.owner),
        "private": repository.private,
        "html_url": f"{HTML}/{name}",
        "description": repository.description,
        "fork": repository.fork,
        "url": base,
        **urls,
        "git_url": f"git://github.com/{name}.git",
        "ssh_url": f"git@github.com:{name}.git",
        "clone_url": f"{HTML}/{name}.git",
        "svn_url": f"{HTML}/{name}",
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": repository.default_branch,
        "open_issues_count": open_count,
        "open_issues": open_count,
        "is_template": False,
        "topics": [],
        "has_issues": repository.has_issues,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private" if repository.private else "public",
        "pushed_at": _time(repository.created_at),
        "created_at": _time(repository.created_at),
        "updated_at": _time(repository.created_at),
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "license": None,
    }
    if full:
        rendered |= {"network_count": 0, "subscribers_count": 0}
    return rendered


def render_label(api: str, repository: Repository, label: Label) -> dict:
    return {
        "id": label.id,
        "node_id": node_id_of("Label", label.id),
        "url": f"{api}/repos/{repository.full_name}/labels/{quote(label.name)}",
        "name": label.name,
        "description": label.description,
        "color": label.color,
        "default": False,
    }


def _reactions(url: str) -> dict:
    counts = ("+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket")
    return {"url": url, "total_count": 0, **dict.fromkeys(counts, 0)}


def _association(repository: Repository, user: User) -> str:
    return "OWNER" if user.login == repository.owner.login else "NONE"


def _html(repository: Repository, issue: Issue) -> str:
    kind = "pull" if issue.pull_request else "issues"
    return f"{HTML}/{repository.full_name}/{kind}/{issue.number}"


def render_issue(api: str, repository: Repository, issue: Issue) -> dict:
    base = f"{api}/repos/{repository.full_name}"
    url = f"{base}/issues/{issue.number}"
    comments = sum(c.issue_number == issue.number for c in repository.comments.values())
    rendered = {
        "id": issue.id,
        "node_id": node_id_of("Issue", issue.id),
        "url": url,
        "repository_url": base,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": _html(repository, issue),
        "number": issue.number,
        "state": issue.state,
        "title": issue.title,
        "body": issue.body,
        "user": render_user(api, issue.user),
        "labels": [render_label(api, repository, repository.label(name)) for name in issue.labels],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "locked": False,
        "active_lock_reason": None,
        "comments": comments,
        "closed_at": _time(issue.closed_at),
        "created_at": _time(issue.created_at),
        "updated_at": _time(issue.updated_at),
        "closed_by": render_user(api, issue.closed_by) if issue.closed_by else None,
        "author_association": _association(repository, issue.user),
        "reactions": _reactions(f"{url}/reactions"),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
    }
    if issue.state_reason is not None:
        # GitHub sends null for an issue never closed, but the description's enum does not
        # list null: leaving the field out is what the description allows.
        rendered["state_reason"] = issue.state_reason
    if issue.pull_request is not None:
        html = _html(repository, issue)
        rendered["pull_request"] = {
            "url": f"{base}/pulls/{issue.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": None,
        }
        rendered["draft"] = issue.pull_request.draft
    return rendered


def render_comment(api: str, repository: Repository, comment: Comment) -> dict:
    base = f"{api}/repos/{repository.full_name}"
    issue = repository.issues[comment.issue_number]
    return {
        "id": comment.id,
        "node_id": node_id_of("IssueComment", comment.id),
        "url": f"{base}/issues/comments/{comment.id}",
        "html_url": f"{_html(repository, issue)}#issuecomment-{comment.id}",
        "body": comment.body,
        "user": render_user(api, comment.user),
        "created_at": _time(comment.created_at),
        "updated_at": _time(comment.updated_at),
        "issue_url": f"{base}/issues/{issue.number}",
        "author_association": _association(repository, comment.user),
        "reactions": _reactions(f"{base}/issues/comments/{comment.id}/reactions"),
        "performed_via_github_app": None,
    }


def render_pull_request(api: str, server: GitHubAPI, repository: Repository, issue) -> dict:
    pull = issue.pull_request
    head = server._repository(f"{pull.head_owner}/{pull.head_name}")
    base_url = f"{api}/repos/{repository.full_name}"
    url = f"{base_url}/pulls/{issue.number}"
    html = _html(repository, issue)
    issue_url = f"{base_url}/issues/{issue.number}"
    comments = sum(c.issue_number == issue.number for c in repository.comments.values())

    def side(repo: Repository, ref: str, sha: str) -> dict:
        return {
            "label": f"{repo.owner.login}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": render_user(api, repo.owner),
            "repo": render_repository(api, repo),
        }

    links = {
        "self": url,
        "html": html,
        "issue": issue_url,
        "comments": f"{issue_url}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{base_url}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{base_url}/statuses/{pull.head_sha}",
    }
    return {
        "url": url,
        "id": issue.id,
        "node_id": node_id_of("PullRequest", issue.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": issue_url,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": issue.number,
        "state": issue.state,
        "locked": False,
        "title": issue.title,
        "user": render_user(api, issue.user),
        "body": issue.body,
        "labels": [render_label(api, repository, repository.label(name)) for name in issue.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": _time(issue.created_at),
        "updated_at": _time(issue.updated_at),
        "closed_at": _time(issue.closed_at),
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(head, pull.head_ref, pull.head_sha),
        "base": side(repository, pull.base_ref, pull.base_sha),
        "_links": {name: {"href": href} for name, href in links.items()},
        "author_association": "CONTRIBUTOR" if head is not repository else "OWNER",
        "auto_merge": None,
        "draft": pull.draft,
        "merged": False,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": comments,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 0,
        "deletions": 0,
        "changed_files": 0,
    }


def render_minimal_repository(api: str, repository: Repository) -> dict:
    """GitHub's `minimal-repository` (a workflow run's repository and head repository)."""
    wanted = description().schema("minimal-repository")["properties"]
    full = render_repository(api, repository)
    return {name: value for name, value in full.items() if name in wanted}


def render_workflow(api: str, repository: Repository, workflow: Workflow) -> dict:
    name = repository.full_name
    return {
        "id": workflow.id,
        "node_id": node_id_of("Workflow", workflow.id),
        "name": workflow.name,
        "path": workflow.path,
        "state": workflow.state,
        "created_at": _time(workflow.created_at),
        "updated_at": _time(workflow.updated_at),
        "url": f"{api}/repos/{name}/actions/workflows/{workflow.id}",
        "html_url": f"{HTML}/{name}/blob/{repository.default_branch}/{workflow.path}",
        "badge_url": f"{HTML}/{name}/workflows/{quote(workflow.name)}/badge.svg",
    }


def render_workflow_run(
    api: str, server: GitHubAPI, repository: Repository, run: WorkflowRun, pulls: bool = True
) -> dict:
    """GitHub's `workflow-run`. Its pull_requests are the open pull requests whose head is
    the run's branch of the repository itself: for a run from a fork GitHub lists none (the
    fork's branch is not the repository's), which is why the trusted side of a fork's
    preview must learn the number elsewhere and check it."""
    base = f"{api}/repos/{repository.full_name}"
    url = f"{base}/actions/runs/{run.id}"
    head = server._repository(f"{run.head_owner}/{run.head_name}")
    workflow = repository.workflows[run.workflow_id]
    check_suite = run.id + 7_000_000_000
    reference = {"id": repository.id, "url": base, "name": repository.name}
    listed = [
        issue
        for issue in sorted(repository.issues.values(), key=lambda issue: issue.number)
        if pulls
        and head is repository
        and issue.state == "open"
        and issue.pull_request is not None
        and issue.pull_request.head_ref == run.head_branch
        and (issue.pull_request.head_owner, issue.pull_request.head_name)
        == (repository.owner.login, repository.name)
    ]
    when = _time(run.created_at)
    committer = {
        "name": run.actor.login,
        "email": f"{run.actor.id}+{run.actor.login}@users.noreply.github.com",
    }
    return {
        "id": run.id,
        "name": workflow.name,
        "node_id": node_id_of("WorkflowRun", run.id),
        "check_suite_id": check_suite,
        "check_suite_node_id": node_id_of("CheckSuite", check_suite),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": workflow.path,
        "run_number": run.run_number,
        "run_attempt": 1,
        "referenced_workflows": [],
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": workflow.id,
        "url": url,
        "html_url": f"{HTML}/{repository.full_name}/actions/runs/{run.id}",
        "pull_requests": [
            {
                "id": issue.id,
                "number": issue.number,
                "url": f"{base}/pulls/{issue.number}",
                "head": {
                    "ref": issue.pull_request.head_ref,
                    "sha": issue.pull_request.head_sha,
                    "repo": reference,
                },
                "base": {
                    "ref": issue.pull_request.base_ref,
                    "sha": issue.pull_request.base_sha,
                    "repo": reference,
                },
            }
            for issue in listed
        ],
        "created_at": when,
        "updated_at": when,
        "actor": render_user(api, run.actor),
        "triggering_actor": render_user(api, run.actor),
        "run_started_at": when,
        "jobs_url": f"{url}/jobs",
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{base}/check-suites/{check_suite}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{base}/actions/workflows/{workflow.id}",
        "head_commit": {
            "id": run.head_sha,
            "tree_id": hashlib.sha1(run.head_sha.encode()).hexdigest(),  # plausible: no trees
            "message": run.display_title,
            "timestamp": when,
            "author": committer,
            "committer": committer,
        },
        "repository": render_minimal_repository(api, repository),
        "head_repository": render_minimal_repository(api, head),
        "head_repository_id": head.id,
        "display_title": run.display_title,
    }


def _log_file_name(name: str) -> str:
    return name.replace("/", "_").replace(":", "")


def run_logs_zip(job_logs: dict[str, str | dict[str, str]], start: datetime) -> bytes:
    """A run's logs zipped as GitHub serves them (see GitHubAPI.seed_run_logs)."""
    moment = start

    def stamped(text: str) -> str:
        nonlocal moment
        lines = []
        for line in text.splitlines():
            moment += timedelta(milliseconds=37)
            lines.append(f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%f')}0Z {line}\n")
        return "".join(lines)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (job, log) in enumerate(job_logs.items()):
            steps = (
                {_log_file_name(step): stamped(text) for step, text in log.items()}
                if isinstance(log, dict)
                else None
            )
            whole = "".join(steps.values()) if steps is not None else stamped(log)
            archive.writestr(f"{index}_{_log_file_name(job)}.txt", "\ufeff" + whole)
            for number, (step, text) in enumerate((steps or {}).items(), start=1):
                archive.writestr(f"{_log_file_name(job)}/{number}_{step}.txt", "\ufeff" + text)
    return buffer.getvalue()


# --- Behaviour, by operationId ----------------------------------------------------------


@dataclass
class _Call:
    """What a handler needs: the server, the matched operation, the query as sent and the
    parameters as the description types them, the token."""

    server: GitHubAPI
    operation: Operation
    path: str
    raw_query: dict[str, str]
    typed: dict
    token: Token

    @property
    def api(self) -> str:
        return self.server.url

    @property
    def query(self) -> dict:
        return self.typed["query"]

    @property
    def body(self):
        return self.typed["body"]

    def param(self, name: str) -> str:
        return self.operation.path_params[name]

    def repository(self) -> Repository:
        full_name = f"{self.param('owner')}/{self.param('repo')}"
        repository = self.server.repositories.get(full_name.lower())
        if repository is None or (repository.private and not self.token.reaches(repository)):
            raise Reply(404, "Not Found")
        return repository

    def allow(self, repository: Repository, write: bool, issue: Issue | None = None) -> None:
        """403 unless the token may do this; on a pull request's issue side, GitHub accepts
        the pull_requests permission in place of issues."""
        level = "write" if write else "read"
        if not write and not repository.private:
            return  # public data: any valid token reads it
        if not self.token.reaches(repository):
            raise Reply(403, "Resource not accessible by integration")
        wanted = {self.operation.permission}
        if issue is not None and issue.pull_request is not None and "issues" in wanted:
            wanted.add("pull_requests")
        if not any(self.token.may(permission, level) for permission in wanted):
            raise Reply(403, "Resource not accessible by integration")

    def issue(self, repository: Repository) -> Issue:
        found = repository.issues.get(int(self.param("issue_number")))
        if found is None:
            raise Reply(404, "Not Found")
        return found

    def comment(self, repository: Repository) -> Comment:
        found = repository.comments.get(int(self.param("comment_id")))
        if found is None:
            raise Reply(404, "Not Found")
        return found

    def unimplemented(self, names: list[str], where: dict) -> None:
        """A field or filter the description allows that the stand-in does not model: 501,
        recorded, rather than silently ignored."""
        used = [name for name in names if where.get(name) not in (None, [], "")]
        if used:
            detail = f"{self.operation.operation_id} with {', '.join(used)}"
            # (the server's lock is held while a handler runs)
            self.server.violations.append(
                Violation(
                    "not-implemented", self.operation.method, self.path, self.token.name, detail
                )
            )
            raise Reply(501, f"{detail} is not implemented here")

    def page(self, items: list, path: str, render) -> Response:
        """One page of `items`, each rendered as GitHub shows it, with GitHub's Link header."""
        per_page = max(1, min(int(self.query.get("per_page") or 30), 100))
        number = max(1, int(self.query.get("page") or 1))
        last = max(1, -(-len(items) // per_page))
        chosen = items[(number - 1) * per_page : number * per_page]
        links = {}
        if number < last:
            links |= {"next": number + 1, "last": last}
        if number > 1:
            links |= {"prev": number - 1, "first": 1}
        headers = {}
        if links:
            kept = {name: value for name, value in self.raw_query.items() if name != "page"}
            headers["Link"] = ", ".join(
                f'<{self.api}{path}?{urlencode({**kept, "page": page})}>; rel="{rel}"'
                for rel, page in links.items()
            )
        return Response(200, [render(item) for item in chosen], headers)

    def labels_from(self, repository: Repository, given: list) -> list[str]:
        names = [item if isinstance(item, str) else item["name"] for item in given]
        return [self.server._ensure_label(repository, name).name for name in names]


HANDLERS: dict[str, Callable[[GitHubAPI, _Call], Response]] = {}


def handles(operation_id: str):
    def register(function):
        HANDLERS[operation_id] = lambda server, call: function(call)
        return function

    return register


@handles("repos/get")
def _get_repository(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    return Response(200, render_repository(call.api, repository, full=True))


@handles("pulls/get")
def _get_pull_request(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    issue = repository.issues.get(int(call.param("pull_number")))
    if issue is None or issue.pull_request is None:
        raise Reply(404, "Not Found")
    return Response(200, render_pull_request(call.api, call.server, repository, issue))


def _enabled(repository: Repository) -> None:
    if not repository.has_issues:
        raise Reply(410, "Issues are disabled for this repo")


@handles("issues/list-for-repo")
def _list_issues(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    _enabled(repository)
    query = call.query
    call.unimplemented(
        ["milestone", "assignee", "type", "creator", "mentioned", "issue_field_values"], query
    )
    wanted = {name.strip().lower() for name in (query.get("labels") or "").split(",")} - {""}
    since = query.get("since")
    found = [
        issue
        for issue in repository.issues.values()
        if query["state"] in ("all", issue.state)
        and wanted <= {name.lower() for name in issue.labels}
        and (since is None or issue.updated_at >= since)
    ]
    key = {
        "created": lambda issue: (issue.created_at, issue.number),
        "updated": lambda issue: (issue.updated_at, issue.number),
        "comments": lambda issue: (
            sum(c.issue_number == issue.number for c in repository.comments.values()),
            issue.number,
        ),
    }[query["sort"]]
    found.sort(key=key, reverse=query["direction"] == "desc")
    path = f"/repos/{repository.full_name}/issues"
    return call.page(found, path, lambda issue: render_issue(call.api, repository, issue))


@handles("issues/create")
def _create_issue(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=True)
    _enabled(repository)
    body = call.body
    call.unimplemented(["assignee", "assignees", "milestone", "type", "issue_field_values"], body)
    issue = call.server._new_issue(
        repository, str(body["title"]), body.get("body"), call.token.user
    )
    issue.labels = call.labels_from(repository, body.get("labels") or [])
    rendered = render_issue(call.api, repository, issue)
    return Response(201, rendered, {"Location": rendered["url"]})


@handles("issues/get")
def _get_issue(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=False, issue=issue)
    return Response(200, render_issue(call.api, repository, issue))


@handles("issues/update")
def _update_issue(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=True, issue=issue)
    body = call.body or {}
    call.unimplemented(
        ["assignee", "assignees", "milestone", "type", "issue_field_values", "duplicate_issue_id"],
        body,
    )
    server = call.server
    if "title" in body and body["title"] is not None:
        issue.title = str(body["title"])
    if "body" in body:
        issue.body = body["body"]
    if "labels" in body:
        issue.labels = call.labels_from(repository, body["labels"] or [])
    now = server._tick()
    state = body.get("state")
    if state == "closed" and issue.state == "open":
        issue.state, issue.closed_at, issue.closed_by = "closed", now, call.token.user
        issue.state_reason = body.get("state_reason") or "completed"
    elif state == "open" and issue.state == "closed":
        issue.state, issue.state_reason = "open", "reopened"
        issue.closed_at = issue.closed_by = None
    elif "state_reason" in body and issue.state == "closed":
        issue.state_reason = body["state_reason"]
    issue.updated_at = now
    return Response(200, render_issue(call.api, repository, issue))


@handles("issues/list-comments")
def _list_comments(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=False, issue=issue)
    since = call.query.get("since")
    found = sorted(
        (
            comment
            for comment in repository.comments.values()
            if comment.issue_number == issue.number
            and (since is None or comment.updated_at >= since)
        ),
        key=lambda comment: comment.id,
    )
    path = f"/repos/{repository.full_name}/issues/{issue.number}/comments"
    return call.page(found, path, lambda comment: render_comment(call.api, repository, comment))


@handles("issues/create-comment")
def _create_comment(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=True, issue=issue)
    comment = call.server._new_comment(repository, issue, call.body["body"], call.token.user)
    rendered = render_comment(call.api, repository, comment)
    return Response(201, rendered, {"Location": rendered["url"]})


@handles("issues/get-comment")
def _get_comment(call: _Call) -> Response:
    repository = call.repository()
    comment = call.comment(repository)
    call.allow(repository, write=False, issue=repository.issues[comment.issue_number])
    return Response(200, render_comment(call.api, repository, comment))


@handles("issues/update-comment")
def _update_comment(call: _Call) -> Response:
    repository = call.repository()
    comment = call.comment(repository)
    call.allow(repository, write=True, issue=repository.issues[comment.issue_number])
    comment.body = call.body["body"]
    comment.updated_at = call.server._tick()
    return Response(200, render_comment(call.api, repository, comment))


@handles("issues/delete-comment")
def _delete_comment(call: _Call) -> Response:
    repository = call.repository()
    comment = call.comment(repository)
    call.allow(repository, write=True, issue=repository.issues[comment.issue_number])
    del repository.comments[comment.id]
    return Response(204)


@handles("issues/list-labels-for-repo")
def _list_labels(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    found = sorted(repository.labels.values(), key=lambda label: label.name.lower())
    path = f"/repos/{repository.full_name}/labels"
    return call.page(found, path, lambda label: render_label(call.api, repository, label))


@handles("issues/create-label")
def _create_label(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=True)
    body = call.body
    color = (body.get("color") or "ededed").removeprefix("#")
    if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
        errors = [{"resource": "Label", "code": "invalid", "field": "color"}]
        raise Reply(422, "Validation Failed", errors=errors)
    if repository.label(body["name"]) is not None:
        errors = [{"resource": "Label", "code": "already_exists", "field": "name"}]
        raise Reply(422, "Validation Failed", errors=errors)
    label = Label(call.server._next_id(), body["name"], color.lower(), body.get("description"))
    repository.labels[label.name.lower()] = label
    rendered = render_label(call.api, repository, label)
    return Response(201, rendered, {"Location": rendered["url"]})


@handles("issues/get-label")
def _get_label(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    label = repository.label(call.param("name"))
    if label is None:
        raise Reply(404, "Not Found")
    return Response(200, render_label(call.api, repository, label))


@handles("issues/list-labels-on-issue")
def _list_issue_labels(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=False, issue=issue)
    found = [repository.label(name) for name in issue.labels]
    path = f"/repos/{repository.full_name}/issues/{issue.number}/labels"
    return call.page(found, path, lambda label: render_label(call.api, repository, label))


@handles("issues/add-labels")
def _add_labels(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=True, issue=issue)
    for name in call.labels_from(repository, (call.body or {}).get("labels") or []):
        if name not in issue.labels:
            issue.labels.append(name)
    issue.updated_at = call.server._tick()
    labels = [render_label(call.api, repository, repository.label(n)) for n in issue.labels]
    return Response(200, labels)


@handles("issues/remove-label")
def _remove_label(call: _Call) -> Response:
    repository = call.repository()
    issue = call.issue(repository)
    call.allow(repository, write=True, issue=issue)
    wanted = call.param("name").lower()
    if wanted not in {name.lower() for name in issue.labels}:
        raise Reply(404, "Label does not exist")
    issue.labels = [name for name in issue.labels if name.lower() != wanted]
    issue.updated_at = call.server._tick()
    labels = [render_label(call.api, repository, repository.label(n)) for n in issue.labels]
    return Response(200, labels)


def _found(value):
    """`value`, or GitHub's 404 for what the path names and does not exist."""
    if value is None:
        raise Reply(404, "Not Found")
    return value


def _run(call: _Call, repository: Repository) -> WorkflowRun:
    return _found(repository.runs.get(int(call.param("run_id"))))


@handles("actions/get-workflow-run")
def _get_workflow_run(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    run = _run(call, repository)
    pulls = not call.query.get("exclude_pull_requests")
    return Response(200, render_workflow_run(call.api, call.server, repository, run, pulls))


@handles("actions/download-workflow-run-logs")
def _download_run_logs(call: _Call) -> Response:
    """302 to a signed URL on the storage host, valid for a minute; 404 while the run has no
    logs (GitHub's answer once they expired, 90 days by default, or were deleted)."""
    repository = call.repository()
    call.allow(repository, write=False)
    run = _run(call, repository)
    if run.logs is None:
        raise Reply(404, "Not Found")
    return Response(302, None, {"Location": call.server._sign(run.logs)})


def _workflow(call: _Call, repository: Repository) -> Workflow:
    return _found(repository.workflow(call.param("workflow_id")))


@handles("actions/get-workflow")
def _get_workflow(call: _Call) -> Response:
    repository = call.repository()
    call.allow(repository, write=False)
    return Response(200, render_workflow(call.api, repository, _workflow(call, repository)))


@handles("actions/enable-workflow")
def _enable_workflow(call: _Call) -> Response:
    """The workflow is active again (a scheduled one paused after 60 days without activity,
    or disabled by hand); the stand-in counts the calls."""
    repository = call.repository()
    call.allow(repository, write=True)
    workflow = _workflow(call, repository)
    workflow.state, workflow.updated_at = "active", call.server._tick()
    workflow.enabled += 1
    return Response(204)


# --- HTTP -------------------------------------------------------------------------------


def _handler(server: GitHubAPI):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            body = self._body()
            response = server.handle(self.command, self.path, self.headers, body)
            data = b"" if response.body is None else json.dumps(response.body).encode()
            self.send_response(response.status)
            headers = {
                **({"Content-Type": "application/json; charset=utf-8"} if data else {}),
                "Content-Length": str(len(data)),
                "X-GitHub-Media-Type": "github.v3; format=json",
                **response.headers,
            }
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes | None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0], 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else None

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


def _storage_handler(server: GitHubAPI):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            status, body = server._serve_logs(self.path, self.headers)
            self.send_response(status)
            content_type = "application/zip" if status == 200 else "text/plain"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
            pass

    return Handler


@contextlib.contextmanager
def github_api() -> Iterator[GitHubAPI]:
    """The stand-in, serving until the block ends."""
    server = GitHubAPI().start()
    try:
        yield server
    finally:
        server.stop()
