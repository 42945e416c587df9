"""What each monitor says to the people who must act, as data: one alert per monitor and
subject, firing or not, with a title, the evidence in words and numbers, the threshold, the
monitor's measured false-alarm rate, and the labels of the roles it is for.

Computed by the pipeline and committed (results/monitoring/alerts.json); the Actions only
carry it to GitHub (.github/scripts/ci/alerts.py opens an issue when an alert starts firing,
comments when its `evidence` changes, closes it when it stops). `evidence` is what must change
for people to hear about it again: the candidate that was held back, the month of counts the
live error was measured on, the features that drifted, the weeks a source has been quiet;
not the day of the run.
"""

from __future__ import annotations

from bikeflow import summaries
from bikeflow.quality_gate import sentence

# Who must act on what (the README says which label is for whom).
ROLES = {
    "model owner": "decides whether the model is retrained, changed or rolled back",
    "model risk": "answers for whether the published forecasts may be relied on",
    "data engineer": "fixes a source, its schema or the curated counter issues",
}
# monitor -> the GitHub label of its issues, and the roles it is for.
MONITORS = {
    "candidate": ("alert: held-back candidate", ("model owner", "model risk")),
    "live-error": ("alert: live error", ("model owner", "model risk")),
    "input-drift": ("alert: input drift", ("model owner", "data engineer")),
    "stale-source": ("alert: stale source", ("data engineer",)),
}
ALERT_LABEL = "alert"


def alert(
    monitor: str,
    subject: str,
    firing: bool,
    title: str,
    evidence: str,
    body: list[str],
    links: dict[str, str],
) -> dict:
    """One alert: `body` is Markdown lines; `links` name result files (paths from the
    repository root) that the issue links at the commit that made them."""
    label, roles = MONITORS[monitor]
    return {
        "monitor": monitor,
        "subject": subject,
        "firing": firing,
        "title": title,
        "evidence": evidence,
        "labels": [ALERT_LABEL, label, *(f"role: {role}" for role in roles)],
        "body": "\n".join(body),
        "links": links,
    }


def candidate_alert(metrics: dict) -> dict:
    """Fires while the latest candidate is held back (it failed the gate, or it was worse
    than the published model on the forecasts both made), or while the published model
    itself fails the gate (the same model judged again under a stricter setting)."""
    promotion = metrics.get("promotion") or {"promoted": True, "why": "", "candidate": {}}
    gate = metrics["quality_gate"]
    held_back = not promotion["promoted"]
    candidate = promotion.get("candidate", {}).get("model_sha256", "")[:12]
    if held_back:
        title = "The retrained model was held back: the published model keeps serving"
        why, evidence = promotion["why"], f"held back {candidate}"
    else:
        title = "The published model fails the quality gate"
        why, evidence = sentence(gate), f"gate {gate['improvement']:.2f}"
    firing = held_back or not gate["passed"]
    return alert(
        "candidate",
        "model",
        firing,
        title,
        evidence if firing else "",
        [
            f"**Why:** {why}",
            "",
            f"**Threshold:** a candidate must beat the best baseline's holdout MAE by "
            f"{gate['min_improvement']:.0%} and be no more than "
            f"{promotion.get('tolerance', 0):.0%} worse than the published model on the "
            "holdout forecasts both made.",
            "",
            "The candidate is kept in `results/model/candidate/` for inspection; the published "
            "model in `results/model/` keeps issuing the forecasts.",
        ],
        {
            "promotion decision": "results/model/promotion.json",
            "candidate's metrics": "results/model/candidate/metrics.json",
            "model card": "results/model/model_card.md",
        },
    )


def live_error_alert(state: dict, backtest: dict) -> dict:
    return alert(
        "live-error",
        "forecasts",
        state["alarm"],
        "The published forecasts miss by more than the backtest says is normal",
        state["as_of"] if state["alarm"] else "",
        [
            summaries.live_error_state(state),
            "",
            f"**How far this alarm can be trusted:** {summaries.live_error_backtest(backtest)}",
            "",
            "If how people ride has changed, the model catches up once the new counts are "
            "published; if a count is wrong, annotate its days in "
            "`resources/counter_issues.csv`.",
        ],
        {
            "forecast scores": "results/figures/forecast_scores.png",
            "scores by lead": "results/forecasts/scores.csv",
            "alarm state": "results/monitoring/live_error.json",
        },
    )


def drift_alert(drift: dict, backtest: dict) -> dict:
    drifted = sorted(drift["drifted"])
    rows = [row for row in drift["features"] if row["drifted"]]
    return alert(
        "input-drift",
        "inputs",
        bool(drifted),
        f"Input drift: {', '.join(drifted)}" if drifted else "Input drift",
        ",".join(drifted),
        [
            f"As of {drift['as_of']}, against the same weeks of earlier years, these inputs "
            f"moved beyond the thresholds (PSI {drift['psi_threshold']:g}, KS "
            f"{drift['ks_threshold']:g}, rule: {drift['alarm_on']}):",
            "",
            *(
                f"- `{row['feature']}`: PSI {row['psi']:.2f}, KS {row['ks_statistic']:.2f}"
                for row in rows
            ),
            "",
            f"**How far this alarm can be trusted:** {summaries.drift_backtest(backtest)}",
        ],
        {
            "drift": "results/figures/drift.png",
            "drift report": "results/monitoring/drift.json",
            "drift timeline": "results/figures/drift_backtest.png",
        },
    )


def stale_source_alerts(health: dict) -> list[dict]:
    """One per source: fires while its last observation lags the newest source's by more
    than the configured days; a new week of lag is new evidence."""
    found = []
    for source in health["sources"]:
        lag = source["lag_days"]
        found.append(
            alert(
                "stale-source",
                source["name"],
                source["stale"],
                f"Stale source: {source['name']} has published nothing new",
                f"{(lag or 0) // 7} weeks" if source["stale"] else "",
                [
                    f"`{source['name']}`'s last observation is {source['last']}, "
                    f"{lag} days behind the newest source (the monitor allows "
                    f"{health['staleness_days']} days). The forecasts' weather or counts are that "
                    "old; check the source's URL and whether upstream still publishes.",
                ],
                {"data health": "results/monitoring/health.json", "index": "results/README.md"},
            )
        )
    return found


def alerts(
    metrics: dict,
    live_error: dict,
    live_monitor: dict,
    drift: dict,
    drift_monitor: dict,
    health: dict,
) -> list[dict]:
    """Every alert of the pipeline's monitors, firing or not (so a recovery closes its issue)."""
    return [
        candidate_alert(metrics),
        live_error_alert(live_error, live_monitor),
        drift_alert(drift, drift_monitor),
        *stale_source_alerts(health),
    ]
