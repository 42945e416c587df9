"""alerts: the monitors' states carried to the people who must act, as GitHub issues.

What each monitor says is computed by the pipeline and committed (results/monitoring/
alerts.json: one alert per monitor and subject, firing or not, with its evidence); two more
are known only here: a run that failed (with why: the failing rule, its log's message, the
validation's row and field), and data that stopped coming, measured against today's date
(a scheduled workflow GitHub paused, or every source gone quiet), which the pipeline may not
read (committed results must not change with the calendar alone).

Each alert maps to at most one open issue, found by its labels and a hidden marker naming
the monitor and subject, so an issue is never duplicated:

- firing, no open issue: one is opened, with the evidence, the threshold, the monitor's
  measured false-alarm rate and links to the results at the commit that made them;
- firing, open issue, new evidence (another month of counts, another candidate, other
  features): a comment with the new evidence, and the issue's text brought up to date;
- firing, same evidence: nothing (a daily refresh is not news);
- not firing, open issue: a comment saying it recovered, and the issue is closed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import git
from .github import GitHub, GitHubError

ALERTS = Path("results/monitoring/alerts.json")
HEALTH = Path("results/monitoring/health.json")
# What a failed step leaves for the alert: the source check's message (check-sources).
FAILURE_NOTE = Path(".snakemake/ci-failure.md")
MARKER = re.compile(r"<!-- bikeflow-alert (\{.*?\}) -->")
ALERT_LABEL = "alert"
FAILED_RUN = ("alert: failed run", ("data engineer",))
NO_NEW_DATA = ("alert: no new data", ("data engineer",))


@dataclass
class Alert:
    monitor: str
    subject: str
    firing: bool
    title: str
    evidence: str
    labels: list[str]
    body: str
    links: dict[str, str] = field(default_factory=dict)

    @property
    def marker(self) -> str:
        key = {"monitor": self.monitor, "subject": self.subject, "evidence": self.evidence}
        return f"<!-- bikeflow-alert {json.dumps(key, sort_keys=True)} -->"

    def matches(self, issue: dict) -> bool:
        found = marker_of(issue.get("body") or "")
        return found is not None and (found["monitor"], found["subject"]) == (
            self.monitor,
            self.subject,
        )


def marker_of(body: str) -> dict | None:
    match = MARKER.search(body)
    return json.loads(match[1]) if match else None


def labels_of(monitor: tuple[str, tuple[str, ...]]) -> list[str]:
    label, roles = monitor
    return [ALERT_LABEL, label, *(f"role: {role}" for role in roles)]


def pipeline_alerts(path: Path = ALERTS) -> list[Alert]:
    """The pipeline's alerts, as the results hold them (none before a first results run)."""
    if not path.exists():
        return []
    return [Alert(**alert) for alert in json.loads(path.read_text())["alerts"]]


def failed_run_alert(failed: bool, why: str) -> Alert:
    """Fires when this run failed; its evidence is what the failure says, so the same
    failure day after day is one issue, and another failure is a comment."""
    evidence = hashlib.sha256(why.encode()).hexdigest()[:12] if failed else ""
    return Alert(
        "failed-run",
        "results",
        failed,
        "The results run failed: nothing was published",
        evidence,
        labels_of(FAILED_RUN),
        why or "The run failed before any step said why; see the run's log.",
    )


def no_new_data_alert(health: dict | None, today: date) -> Alert:
    """Fires when the newest observation of any source is older than the health monitor's
    staleness days, counted to today: the refresh stopped (GitHub pauses a scheduled
    workflow after 60 days without activity) or every source went quiet."""
    newest = (health or {}).get("newest_observation")
    allowed = (health or {}).get("staleness_days")
    if newest is None or allowed is None:
        return Alert("no-new-data", "sources", False, "", "", labels_of(NO_NEW_DATA), "")
    age = (today - date.fromisoformat(newest)).days
    firing = age > allowed
    return Alert(
        "no-new-data",
        "sources",
        firing,
        f"No new data for {age} days: is the refresh still running?",
        f"{age // 7} weeks" if firing else "",
        labels_of(NO_NEW_DATA),
        f"The newest observation of any source is {newest}, {age} days before {today} (the "
        f"monitor allows {allowed} days). Check that the Refresh workflow still runs (Actions "
        "tab: GitHub pauses a scheduled workflow after 60 days without activity; the refresh "
        "keeps it enabled, see README) and that the sources still publish.",
        {"data health": str(HEALTH)},
    )


def issue_body(alert: Alert, link) -> str:
    """The alert's text, its links at the commit that made them, and the hidden marker."""
    links = " · ".join(f"[{name}]({link(path)})" for name, path in alert.links.items())
    return "\n\n".join(part for part in [alert.body, links, alert.marker] if part) + "\n"


def find_open(api: GitHub, repository: str, alert: Alert) -> dict | None:
    """The open issue of this monitor and subject, found by its label and marker."""
    label = alert.labels[1] if len(alert.labels) > 1 else ALERT_LABEL
    for issue in api.paginate(f"/repos/{repository}/issues", state="open", labels=label):
        if "pull_request" not in issue and alert.matches(issue):
            return issue
    return None


def sync(api: GitHub, repository: str, alerts: list[Alert], link) -> list[str]:
    """Make the issues say what the alerts say; returns what was done, one line each."""
    done = []
    for alert in alerts:
        issue = find_open(api, repository, alert)
        path = f"/repos/{repository}/issues"
        if alert.firing and issue is None:
            created = api.post(
                path,
                {"title": alert.title, "body": issue_body(alert, link), "labels": alert.labels},
            )
            done.append(f"opened #{created['number']}: {alert.title}")
        elif alert.firing and marker_of(issue["body"] or "")["evidence"] != alert.evidence:
            api.post(
                f"{path}/{issue['number']}/comments", {"body": f"**New evidence.** {alert.body}"}
            )
            api.patch(
                f"{path}/{issue['number']}", {"title": alert.title, "body": issue_body(alert, link)}
            )
            done.append(f"commented on #{issue['number']}: {alert.title}")
        elif not alert.firing and issue is not None:
            api.post(
                f"{path}/{issue['number']}/comments",
                {"body": "**Recovered.** The monitor no longer fires; closing."},
            )
            api.patch(f"{path}/{issue['number']}", {"state": "closed", "state_reason": "completed"})
            done.append(f"closed #{issue['number']}: {issue['title']}")
    return done


def results_link(path: str) -> str:
    """A result file at the commit the step runs on (the results commit after publish)."""
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    return f"{server}/{repository}/blob/{git.head()}/{path}"


def alerts(
    failed: bool, why: str, *, with_pipeline: bool, today: date | None = None
) -> tuple[int, str]:
    """Sync every alert this step knows: the pipeline's (`with_pipeline`, unless the run
    failed: its results are not the published ones then), the failed run's, and the
    no-new-data one. Returns the exit code and a Markdown account for the job summary."""
    health = json.loads(HEALTH.read_text()) if HEALTH.exists() else None
    known = pipeline_alerts() if with_pipeline and not failed else []
    known += [failed_run_alert(failed, why), no_new_data_alert(health, today or date.today())]
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    try:
        done = sync(GitHub(), repository, known, results_link)
    except GitHubError as error:
        return 1, f"## Alerts\n\nThe issues could not be updated: {error}\n"
    lines = [f"- {line}" for line in done] or ["- no change"]
    firing = [f"`{alert.monitor}/{alert.subject}`" for alert in known if alert.firing]
    return 0, "\n".join(
        ["## Alerts", "", f"Firing: {', '.join(firing) or 'none'}.", "", *lines, ""]
    )
