"""comment: a pull request's preview as ONE comment on it, edited in place on every push.

It runs in the trusted pr-comment workflow (`workflow_run`, after CI completes), with a token
that may write pull requests, from a checkout of the default branch: it never runs, imports or
evaluates the pull request's code, and treats what that code printed as data. Step by step:

1. The run, as GitHub records it (`GET .../actions/runs/{run_id}`): only a `pull_request` run
   counts; its head repository, branch and commit are GitHub's, not the pull request's word.
2. Its logs (`GET .../actions/runs/{run_id}/logs`, a zip on another host, fetched without the
   token) and the preview line in them (handover.py). None: the preview did not get that far
   (a failed set-up, a cancelled run), and there is nothing to post.
3. The pull request the preview names, checked against the run. For a fork GitHub sends
   `workflow_run.pull_requests` empty, so the number comes from the log, which the fork's code
   wrote: the preview's commit must be the run's, and the pull request's head must be the
   run's repository and branch, else it is refused (a preview cannot comment on another pull
   request). When that head has moved on since the run, a newer run will comment: this one
   stops, successfully, as it does for a closed pull request.
4. The comment: the bot's comment that starts with MARKER, looked for on every page of the
   pull request's comments, is edited; when there is none, one is created. The Markdown is
   capped to fit GitHub's 65,536 characters, its @mentions are defused (the bot would
   otherwise notify whoever the fork's code named), and a footer says where it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .git import BOT_NAME
from .github import GitHub, GitHubError
from .handover import Preview, find_preview
from .preview import capped

MARKER = "<!-- bikeflow-preview -->"
MAX_COMMENT = 65_536  # GitHub's limit on a comment's body, in characters
MENTION = re.compile(r"@(?=[A-Za-z0-9])")


class Refused(RuntimeError):
    """A preview that does not belong to the run it was found in, or to its pull request."""


@dataclass(frozen=True)
class Outcome:
    """What happened: created, updated, or skipped (with why), and the comment's address."""

    action: str
    message: str
    url: str | None = None


def skip_reason(preview: Preview, run: dict, pull: dict) -> str | None:
    """Why not to comment (the pull request moved on or closed), None to comment; Refused
    when the preview is not the run's, or names a pull request the run was not for."""
    if preview.head_sha != run["head_sha"]:
        raise Refused(
            f"the preview is of commit {preview.head_sha[:12]}, the run of {run['head_sha'][:12]}"
        )
    head_repo = (pull["head"].get("repo") or {}).get("full_name")
    run_repo = (run.get("head_repository") or {}).get("full_name")
    if head_repo is None or head_repo != run_repo or pull["head"]["ref"] != run["head_branch"]:
        raise Refused(
            f"pull request #{pull['number']} is from {head_repo}:{pull['head']['ref']}, "
            f"the run from {run_repo}:{run['head_branch']}"
        )
    if pull["state"] != "open":
        return f"pull request #{pull['number']} is {pull['state']}"
    if pull["head"]["sha"] != run["head_sha"]:
        return (
            f"pull request #{pull['number']} has moved on to {pull['head']['sha'][:12]} since "
            f"this run (of {run['head_sha'][:12]}): the newer run will comment"
        )
    return None


def comment_body(preview: Preview, run: dict) -> str:
    """The comment: the marker, the preview (mentions defused, capped), and a footer."""
    footer = (
        f"\n\n---\n<sub>Preview of {preview.head_sha[:12]} by [CI run "
        f"{run['run_number']}]({run['html_url']}), computed by this pull request's own code "
        "in a read-only run; posted by the pr-comment workflow, and updated on every "
        "push.</sub>\n"
    )
    room = MAX_COMMENT - len(MARKER) - 1 - len(footer)
    markdown = capped(MENTION.sub("@\u200b", preview.markdown).strip("\n"), room)
    return f"{MARKER}\n{markdown.rstrip()}{footer}"


def is_preview_comment(comment: dict) -> bool:
    """The bot's own preview comment (anyone can write the marker in a comment of theirs)."""
    user = comment.get("user") or {}
    return user.get("login") == BOT_NAME and (comment.get("body") or "").startswith(MARKER)


def upsert(api: GitHub, repository: str, number: int, body: str) -> Outcome:
    """Edit the pull request's preview comment, or create it when there is none."""
    comments = f"/repos/{repository}/issues/{number}/comments"
    existing = next((c for c in api.paginate(comments) if is_preview_comment(c)), None)
    if existing is None:
        made = api.post(comments, {"body": body})
        return Outcome("created", f"Commented on #{number}", made["html_url"])
    if existing["body"] == body:
        return Outcome("unchanged", f"The comment on #{number} already says this")
    edited = api.patch(f"/repos/{repository}/issues/comments/{existing['id']}", {"body": body})
    return Outcome("updated", f"Updated the comment on #{number}", edited["html_url"])


def comment(repository: str, run_id: int, api: GitHub | None = None) -> Outcome:
    """Post the preview of run `run_id` of `repository` ("owner/name") on its pull request."""
    api = api or GitHub()
    run = api.get(f"/repos/{repository}/actions/runs/{run_id}")
    if run["event"] != "pull_request":
        return Outcome("skipped", f"Run {run_id} was for {run['event']}, not a pull request")
    preview = find_preview(api.download(f"/repos/{repository}/actions/runs/{run_id}/logs"))
    if preview is None:
        return Outcome("skipped", f"Run {run_id}'s logs hold no preview: nothing to post")
    try:
        pull = api.get(f"/repos/{repository}/pulls/{preview.pull_request}")
    except GitHubError as error:
        if error.status == 404:
            message = f"the preview names #{preview.pull_request}: no such pull request"
            raise Refused(message) from None
        raise
    reason = skip_reason(preview, run, pull)
    if reason is not None:
        return Outcome("skipped", f"Not commenting: {reason}")
    return upsert(api, repository, preview.pull_request, comment_body(preview, run))
