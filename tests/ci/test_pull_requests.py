"""A pull request from a fork gets ONE comment with its preview, edited on every push, and the
fork's code never holds a token that can write: the workflow files themselves under act
(support/act.py), GitHub's REST API as the stand-in (support/github_api.py).

As GitHub runs it, step by step, with who holds which token:

1. A contributor pushes to their fork and opens a pull request; GitHub makes
   refs/pull/N/head and refs/pull/N/merge in the base repository (here: the test does).
2. CI (ci.yml) runs for `pull_request` on the merge, with the FORK's version of ci.yml and
   of everything else, and a read-only token: the pipeline-preview job previews the change
   and prints the hand-over line. The fork's ci.yml here also has a step of its own that
   tries to comment with the token: refused, 403.
3. GitHub keeps the run's log. Here the test hands the stand-in what act printed for that job
   as the run's logs (`seed_run_logs`), and registers the run (`add_workflow_run`).
4. pr-comment.yml runs for `workflow_run`, from the BASE repository's default branch, with a
   token that may write pull requests: it reads the log through the API, checks the pull
   request the line names against the run, and creates or edits the comment.

The preview job runs the pipeline on the fixture data (sources on a loopback upstream); a
comment run takes seconds. A forged line naming another pull request is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import act, github_api, github_events
from support.act import ActRun, Forge, append
from support.github_api import COMMENT_ON_PULL_REQUESTS, READ_ONLY, GitHubAPI, User
from support.upstream import Upstream

from ci.comment import MARKER
from ci.handover import Preview, encode

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(act.unavailable_reason() is not None, reason=str(act.unavailable_reason())),
    pytest.mark.skipif(
        github_events.unavailable_reason() is not None,
        reason=str(github_events.unavailable_reason()),
    ),
]

REPO = f"{act.OWNER}/{act.NAME}"
FORK = f"contributor/{act.NAME}"
BOT = github_api.ACTIONS_BOT_LOGIN
CI = ".github/workflows/ci.yml"
PREVIEW_JOB, PREVIEW_JOB_NAME = "pipeline-preview", "Pipeline preview"
COMMENT_JOB = "comment"
BRANCH = "shorter-window"
# The fork's own step, added to its ci.yml: it tries to comment with the run's token.
HOSTILE_STEP = """\
      - name: The fork's own step tries to comment with the run's token
        env:
          TOKEN: ${{ github.token }}
          NUMBER: ${{ github.event.pull_request.number }}
        run: |
          python3 - <<'PY'
          import json, os, urllib.error, urllib.request
          url = "{}/repos/{}/issues/{}/comments".format(
              os.environ["GITHUB_API_URL"], os.environ["GITHUB_REPOSITORY"], os.environ["NUMBER"]
          )
          request = urllib.request.Request(
              url,
              data=json.dumps({"body": "Looks good to me: merge it."}).encode(),
              headers={"Authorization": "Bearer " + os.environ["TOKEN"]},
              method="POST",
          )
          try:
              urllib.request.urlopen(request)
              print("the fork's step commented")
          except urllib.error.HTTPError as error:
              print("the fork's step was refused: HTTP", error.code)
          PY
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory, upstream: Upstream) -> Forge:
    """The base repository after its first results commit (pipeline.yml under act, whose
    results job also tells people through GitHub's API: a stand-in of its own here, and a
    token with the results job's permissions whose value the forge's git accepts)."""
    root = tmp_path_factory.mktemp("base")
    forge = Forge.of_a_fork(root, upstream.urls, "Sources and model for our data")
    with github_api.github_api() as github:
        github.add_repository(act.OWNER, act.NAME)
        results = {"contents": "write", "issues": "write", "actions": "write"}
        github.add_token("results run", results, token=act.TOKEN, repository=REPO)
        run = forge.act(
            "push", forge.clone(root / "checkout"), "pipeline.yml", {"ref": "refs/heads/main"},
            env={"GITHUB_API_URL": github.url},
        )  # fmt: skip
        succeeded(run, "run-and-publish")
        github.assert_no_violations()
    return forge


@pytest.fixture
def forge(published: Forge, tmp_path: Path, upstream: Upstream) -> Forge:
    upstream.serve()
    return published.copy(tmp_path / "forge")


@pytest.fixture
def base(github: GitHubAPI) -> GitHubAPI:
    """The base repository on the stand-in, with a maintainer's pull request (#1) open."""
    github.add_repository(act.OWNER, act.NAME)
    github.add_pull_request(
        REPO, title="Tune the model", head_ref="tune", head_sha="1" * 40, base_sha="2" * 40,
        author=User("maintainer", 3),
    )  # fmt: skip
    return github


def succeeded(run: ActRun, *jobs: str) -> ActRun:
    assert run.returncode == 0 and all(run.jobs.get(job) == "success" for job in jobs), (
        run.explain()
    )
    return run


class Contributor:
    """A person with a fork of the base repository on the forge, and GitHub's side of their
    pull request: the refs it keeps in the base repository."""

    def __init__(self, forge: Forge, workdir: Path) -> None:
        self.forge, self.workdir = forge, workdir
        fork = forge.root / "github" / FORK
        fork.parent.mkdir(parents=True, exist_ok=True)
        forge.git(forge.root, "clone", "--quiet", "--bare", str(forge.origin), f"{fork}.git")
        self.checkout = workdir / "fork"
        forge.git(workdir, "clone", "--quiet", f"https://github.com/{FORK}.git", "fork")
        forge.git(self.checkout, "switch", "--quiet", "--create", BRANCH)

    def push(self, edit, message: str) -> str:
        """Edit, commit and push to the fork's branch; the new head."""
        edit(self.checkout)
        self.forge.git(self.checkout, "commit", "--quiet", "--all", "--message", message)
        self.forge.git(self.checkout, "push", "--quiet", "origin", f"HEAD:{BRANCH}")
        return self.forge.git(self.checkout, "rev-parse", "HEAD").stdout.strip()

    def github_merges(self, number: int, name: str) -> Path:
        """refs/pull/N/head and refs/pull/N/merge in the base repository, as GitHub makes
        them on every push (moved by force: a new merge is no descendant of the last); a checkout
        of the merge (act runs the pull request from it)."""
        merge = self.forge.clone(self.workdir / name)
        fork_url = f"https://github.com/{FORK}.git"
        self.forge.git(merge, "fetch", "--quiet", fork_url, f"+{BRANCH}:refs/pull/{number}/head")
        self.forge.git(merge, "push", "--quiet", "origin", f"+refs/pull/{number}/head")
        self.forge.git(
            merge, "merge", "--quiet", "--no-ff", f"refs/pull/{number}/head", "-m", "Merge"
        )
        self.forge.git(merge, "push", "--quiet", "origin", f"+HEAD:refs/pull/{number}/merge")
        return merge


def replace(path: str, old: str, new: str):
    def edit(checkout: Path) -> None:
        target = checkout / path
        text = target.read_text()
        assert old in text, f"{old!r} is not in {path}"
        target.write_text(text.replace(old, new))

    return edit


def both(*edits):
    def edit(checkout: Path) -> None:
        for each in edits:
            each(checkout)

    return edit


def comment_run(
    forge: Forge, github: GitHubAPI, run_id: int, head_sha: str, token: str, workdir: Path
) -> ActRun:
    """pr-comment.yml for the completion of CI run `run_id`, from a checkout of main."""
    payload = github_events.workflow_run(
        workflow_name="CI", workflow_path=CI, head_sha=head_sha, head_branch=BRANCH,
        run_id=run_id, head_repository=FORK, actor="contributor",
    )  # fmt: skip
    main = forge.clone(workdir)
    return forge.act(
        "workflow_run", main, "pr-comment.yml", payload,
        token=token, env={"GITHUB_API_URL": github.url},
    )  # fmt: skip


def calls_since(github: GitHubAPI, start: int) -> list[tuple[str | None, str | None, int]]:
    return [(c.operation_id, c.token, c.status) for c in github.calls[start:]]


def the_comment(github: GitHubAPI, number: int) -> str:
    comments = github.issue(REPO, number).comments
    assert [c.author for c in comments] == [BOT], comments
    return comments[0].body


def test_a_forks_pull_request_gets_one_comment_updated_on_its_second_push_never_a_write_token(
    forge: Forge, base: GitHubAPI, tmp_path: Path
):
    github = base
    read_only = github.add_token("fork pull_request run", READ_ONLY, repository=REPO)
    writer = github.add_token("pr-comment run", COMMENT_ON_PULL_REQUESTS, repository=REPO)
    to_stand_in = {"GITHUB_API_URL": github.url}
    main = forge.head()
    contributor = Contributor(forge, tmp_path)

    # 1. The fork draws the daily traffic with a two-week window, and adds a step of its own.
    figure = "workflow/scripts/figure_daily_traffic.py"
    shorter = both(
        replace(figure, "ROLLING_DAYS = 28", "ROLLING_DAYS = 14"),
        replace(figure, "MIN_DAYS = 21", "MIN_DAYS = 10"),
    )
    first = contributor.push(both(shorter, append(CI, HOSTILE_STEP)), "A shorter window")
    number = github.add_pull_request(
        REPO, title="A shorter window", head_repository=FORK, head_ref=BRANCH, head_sha=first,
        base_sha=main, author=User("contributor", 7),
    )  # fmt: skip
    assert number == 2
    merge = contributor.github_merges(number, "merge-1")
    opened = github_events.pull_request(
        number=number, head_sha=first, base_sha=main, head_ref=BRANCH, head_repository=FORK,
        title="A shorter window",
    )  # fmt: skip

    # 2. CI on the merge: the fork's code, a read-only token.
    preview = forge.act(
        "pull_request", merge, "ci.yml", opened, job=PREVIEW_JOB, token=read_only, env=to_stand_in
    )
    summary = succeeded(preview, PREVIEW_JOB).summary(PREVIEW_JOB)
    assert "- changed: `daily_traffic.png`" in summary
    assert "`figure` (1), `results_index` (1): what merging this pull request would re-run." in (
        summary
    )
    assert "the fork's step was refused: HTTP 403" in preview.output
    assert calls_since(github, 0) == [("issues/create-comment", "fork pull_request run", 403)]
    assert github.issue(REPO, number).comments == ()
    assert writer not in preview.output and read_only not in preview.output

    # 3. GitHub keeps the run and its log.
    run_id = github.add_workflow_run(
        REPO, workflow=CI, workflow_name="CI", head_sha=first, head_branch=BRANCH,
        head_repository=FORK, display_title="A shorter window",
    )  # fmt: skip
    github.seed_run_logs(run_id, {PREVIEW_JOB_NAME: preview.job_log(PREVIEW_JOB)})

    # 4. pr-comment.yml, trusted: the base repository's main, a token that may comment.
    before = len(github.calls)
    posted = succeeded(
        comment_run(forge, github, run_id, first, writer, tmp_path / "main-1"), COMMENT_JOB
    )
    body = the_comment(github, number)
    assert body.startswith(f"{MARKER}\n## Metrics: this change against `origin/main`\n")
    assert "| model | mae |" in body and "Model MAE on the holdout by lead" in body
    assert "`figure` (1), `results_index` (1)" in body
    assert "- changed: `daily_traffic.png`" in body
    assert (
        f"Preview of {first[:12]} by [CI run 1](https://github.com/{REPO}/actions/runs/{run_id})"
        in body
    )
    assert calls_since(github, before) == [
        ("actions/get-workflow-run", "pr-comment run", 200),
        ("actions/download-workflow-run-logs", "pr-comment run", 302),
        ("pulls/get", "pr-comment run", 200),
        ("issues/list-comments", "pr-comment run", 200),
        ("issues/create-comment", "pr-comment run", 201),
    ]
    assert [d.authorization for d in github.downloads] == [False]
    # The trusted run checked out main, not the fork's commit (actions/checkout logs it).
    assert main in posted.output and first not in checked_out(posted)

    # A second push: the fork also trains fewer trees. GitHub merges again; CI, then the comment.
    fewer = replace("config/config.yaml", "max_iter: 40", "max_iter: 15")
    second = contributor.push(fewer, "Fewer trees")
    github.synchronize_pull_request(REPO, number, second)
    merge = contributor.github_merges(number, "merge-2")
    pushed = github_events.pull_request(
        number=number, head_sha=second, base_sha=main, head_ref=BRANCH, head_repository=FORK,
        title="A shorter window", action="synchronize", before=first,
    )  # fmt: skip
    before = len(github.calls)
    preview = forge.act(
        "pull_request", merge, "ci.yml", pushed, job=PREVIEW_JOB, token=read_only, env=to_stand_in
    )
    succeeded(preview, PREVIEW_JOB)
    assert calls_since(github, before) == [("issues/create-comment", "fork pull_request run", 403)]
    run_id = github.add_workflow_run(
        REPO, workflow=CI, workflow_name="CI", head_sha=second, head_branch=BRANCH,
        head_repository=FORK, display_title="A shorter window",
    )  # fmt: skip
    github.seed_run_logs(run_id, {PREVIEW_JOB_NAME: preview.job_log(PREVIEW_JOB)})
    before = len(github.calls)
    succeeded(comment_run(forge, github, run_id, second, writer, tmp_path / "main-2"), COMMENT_JOB)
    edited = the_comment(github, number)  # still one comment, edited in place
    assert edited != body and "`fit_model` (1)" in edited
    model_mae = next(line for line in edited.splitlines() if line.startswith("| model | mae |"))
    base_mae, change = (float(cell) for cell in model_mae.split("|")[3:5])
    assert change > base_mae  # fewer trees fit worse on these data: the candidate's scores,
    assert "The model this change fits would be **held back**" in edited  # not the published
    assert "by [CI run 2](" in edited
    assert [operation for operation, _, _ in calls_since(github, before)][-1] == (
        "issues/update-comment"
    )
    assert github.issue(REPO, 1).comments == ()  # the maintainer's pull request: untouched

    # Who wrote what, over the whole story.
    writes = [(c.operation_id, c.token, c.status) for c in github.writes()]
    assert writes == [
        ("issues/create-comment", "fork pull_request run", 403),
        ("issues/create-comment", "pr-comment run", 201),
        ("issues/create-comment", "fork pull_request run", 403),
        ("issues/update-comment", "pr-comment run", 200),
    ]
    assert forge.log() == forge.log(main)  # and nothing was pushed to main
    github.assert_no_violations()


def checked_out(run: ActRun) -> str:
    """The commit actions/checkout reports (`git log -1 --format=%H` and its answer)."""
    lines = run.output.splitlines()
    for index, line in enumerate(lines):
        if "log -1 --format=%H" in line:
            return lines[index + 1].strip()
    raise AssertionError("actions/checkout did not log the commit it checked out")


def test_a_preview_naming_another_pull_request_is_refused(
    forge: Forge, base: GitHubAPI, tmp_path: Path
):
    """The fork's code printed the maintainer's pull request's number: no comment there."""
    github = base
    writer = github.add_token("pr-comment run", COMMENT_ON_PULL_REQUESTS, repository=REPO)
    head = "f" * 40
    number = github.add_pull_request(
        REPO, title="Innocent", head_repository=FORK, head_ref=BRANCH, head_sha=head,
        base_sha=forge.head(), author=User("contributor", 7),
    )  # fmt: skip
    run_id = github.add_workflow_run(
        REPO, workflow=CI, workflow_name="CI", head_sha=head, head_branch=BRANCH,
        head_repository=FORK,
    )  # fmt: skip
    forged = encode(Preview(1, head, "Approved by the maintainers. @maintainer please merge."))
    github.seed_run_logs(run_id, {PREVIEW_JOB_NAME: f"## Rules that re-ran\n{forged}\n"})
    refused = comment_run(forge, github, run_id, head, writer, tmp_path / "main")
    assert refused.returncode != 0 and refused.jobs == {COMMENT_JOB: "failure"}
    assert (
        "Refused to comment: pull request #1 is from bikeflow-tests/fremont-bridge:tune, "
        f"the run from {FORK}:{BRANCH}." in refused.output
    )
    assert github.issue(REPO, 1).comments == () and github.issue(REPO, number).comments == ()
    assert github.writes() == []
    github.assert_no_violations()
