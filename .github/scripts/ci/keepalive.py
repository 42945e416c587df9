"""keepalive: the scheduled refresh kept enabled while the sources are quiet, without commits.

GitHub pauses a scheduled workflow in a public repository after 60 days without activity in
it. A quiet source means no results commit, so the refresh would stop and no one would be
told. An empty commit would keep it alive at the price of noise in the history; instead,
once the last commit is KEEPALIVE_DAYS old, the refresh asks GitHub to enable its own
workflow again (PUT /repos/{owner}/{repo}/actions/workflows/{file}/enable), as the
keepalive-workflow action's API mode does, which GitHub counts as activity. If the schedule
stops anyway, the no-new-data alert (alerts.py) opens an issue at the next run of any kind.
"""

from __future__ import annotations

import os
from datetime import date

from . import git
from .github import GitHub

# Well inside GitHub's 60 days, and a daily schedule gets many chances before them.
KEEPALIVE_DAYS = 45


def workflow_file() -> str:
    """The file of the workflow this run belongs to (the caller of a reusable workflow):
    from GITHUB_WORKFLOW_REF, "owner/repo/.github/workflows/refresh.yml@refs/heads/main"."""
    ref = os.environ.get("GITHUB_WORKFLOW_REF", "")
    return ref.split("@")[0].rsplit("/", 1)[-1]


def quiet_days(today: date) -> int:
    """Days since the last commit of the checked-out branch."""
    return (today - date.fromisoformat(git.lines("log", "-1", "--format=%cs")[0])).days


def keepalive(api: GitHub, repository: str, workflow: str, quiet: int) -> str:
    if quiet < KEEPALIVE_DAYS:
        return f"The last commit is {quiet} days old: nothing to do (at {KEEPALIVE_DAYS})."
    api.request("PUT", f"/repos/{repository}/actions/workflows/{workflow}/enable")
    return (
        f"The last commit is {quiet} days old: asked GitHub to keep `{workflow}` enabled "
        "(it pauses a schedule after 60 days without activity)."
    )
