"""ci/alerts.py: the monitors' alerts made GitHub issues, through the CI's own client against
the stand-in for GitHub's API (checked against GitHub's description): what a maintainer
sees after each run, never a duplicate, a comment only when the evidence changes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from support.github_api import WRITE_ISSUES_AND_PULL_REQUESTS, User

from ci.alerts import Alert, failed_run_alert, issue_body, marker_of, no_new_data_alert, sync
from ci.github import GitHub

REPO = "bikeflow-tests/fremont-bridge"
LABELS = ["alert", "alert: live error", "role: model owner", "role: model risk"]


def live_error(
    firing: bool, evidence: str = "2020-03-31", body: str = "Missed by 2.4 times."
) -> Alert:
    return Alert(
        "live-error",
        "forecasts",
        firing,
        "The published forecasts miss by more than the backtest says is normal",
        evidence if firing else "",
        LABELS,
        body,
        {"forecast scores": "results/figures/forecast_scores.png"},
    )


def link(path: str) -> str:
    return f"https://github.com/{REPO}/blob/abc123/{path}"


@pytest.fixture
def api(github) -> GitHub:
    github.add_repository(*REPO.split("/"))
    token = github.add_token("results run", WRITE_ISSUES_AND_PULL_REQUESTS, repository=REPO)
    return GitHub(github.url, token)


def test_a_firing_alert_opens_one_issue_with_its_evidence_links_and_labels(github, api):
    assert sync(api, REPO, [live_error(True)], link) == [
        "opened #1: The published forecasts miss by more than the backtest says is normal"
    ]
    (issue,) = github.issues(REPO)
    assert issue.state == "open" and set(issue.labels) == set(LABELS)
    assert issue.author == "github-actions[bot]"
    assert issue.body.startswith("Missed by 2.4 times.")
    assert f"[forecast scores]({link('results/figures/forecast_scores.png')})" in issue.body
    assert marker_of(issue.body) == {
        "monitor": "live-error",
        "subject": "forecasts",
        "evidence": "2020-03-31",
    }


def test_the_same_evidence_the_next_day_says_nothing_new(github, api):
    sync(api, REPO, [live_error(True)], link)
    assert sync(api, REPO, [live_error(True)], link) == []
    (issue,) = github.issues(REPO)
    assert issue.comments == ()


def test_new_evidence_is_one_comment_and_the_issue_brought_up_to_date(github, api):
    sync(api, REPO, [live_error(True)], link)
    later = live_error(True, "2020-04-30", "Missed by 2.1 times.")
    assert sync(api, REPO, [later], link) == [f"commented on #1: {later.title}"]
    (issue,) = github.issues(REPO)
    assert [comment.body for comment in issue.comments] == [
        "**New evidence.** Missed by 2.1 times."
    ]
    assert issue.body.startswith("Missed by 2.1 times.")
    assert marker_of(issue.body)["evidence"] == "2020-04-30"


def test_a_recovered_monitor_closes_its_issue_with_a_comment_and_fires_anew_later(github, api):
    sync(api, REPO, [live_error(True)], link)
    assert sync(api, REPO, [live_error(False)], link)[0].startswith("closed #1")
    (issue,) = github.issues(REPO)
    assert issue.state == "closed" and issue.state_reason == "completed"
    assert issue.comments[-1].body.startswith("**Recovered.**")
    assert sync(api, REPO, [live_error(False)], link) == []  # nothing open: nothing to do
    sync(api, REPO, [live_error(True, "2021-01-31")], link)
    assert [issue.state for issue in github.issues(REPO)] == ["closed", "open"]


def test_each_subject_has_its_own_issue_and_a_pull_request_is_never_taken_for_one(github, api):
    # a pull request with the alert's label and its marker (quoted from the issue, say)
    number = github.add_pull_request(
        REPO,
        title="A change",
        head_repository=REPO,
        head_ref="change",
        head_sha="a" * 40,
        base_sha="b" * 40,
        author=User("someone", 7),
        body=live_error(True).marker,
    )
    api.post(f"/repos/{REPO}/issues/{number}/labels", {"labels": ["alert: live error"]})
    stale = [
        Alert(
            "stale-source",
            name,
            True,
            f"Stale source: {name}",
            "1 weeks",
            ["alert", "alert: stale source"],
            "Quiet.",
        )
        for name in ("fremont_bridge", "seatac_weather")
    ]
    sync(api, REPO, [*stale, live_error(True)], link)
    sync(api, REPO, [*stale, live_error(True)], link)
    titles = sorted(issue.title for issue in github.issues(REPO))
    assert titles == sorted([stale[0].title, stale[1].title, live_error(True).title])


def test_a_failed_run_has_one_issue_whatever_the_days_and_another_failure_is_news():
    why = "- rule `validate_source` (source=fremont_bridge) failed\n  - row 32, field 'Total'"
    first, again = failed_run_alert(True, why), failed_run_alert(True, why)
    assert first.evidence == again.evidence and first.firing
    assert failed_run_alert(True, why + "\n  - row 33").evidence != first.evidence
    assert not failed_run_alert(False, "").firing
    assert first.body == why and "alert: failed run" in first.labels


@pytest.mark.parametrize(
    ("today", "firing"), [(date(2021, 2, 14), False), (date(2021, 2, 15), True)]
)
def test_no_new_data_is_counted_to_today(today, firing):
    health = {"newest_observation": "2020-12-31", "staleness_days": 45}
    alert = no_new_data_alert(health, today)
    assert alert.firing == firing
    if firing:
        assert alert.title == "No new data for 46 days: is the refresh still running?"
        assert "pauses a scheduled workflow after 60 days" in alert.body
    assert not no_new_data_alert(None, today).firing  # nothing published yet: nothing to say


def test_the_issue_body_ends_with_its_marker_and_names_no_link_when_there_is_none():
    alert = failed_run_alert(True, "Why.")
    body = issue_body(alert, link)
    assert body.startswith("Why.\n\n<!-- bikeflow-alert ")
    assert json.loads(body.split("bikeflow-alert ")[1].split(" -->")[0])["monitor"] == "failed-run"
