"""Write results/README.md: the page people see when they open results/ on GitHub.

Built from the workflow's own outputs only (no run time, no clock), so it changes exactly
when something it reports changes. Links are relative to results/.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bikeflow.quality_gate import sentence

SHORT_SHA = 12
# How a drifted column is put in words: unit, and what a higher or a lower mean is called.
# The target's words are in TARGET_WORDS; any other column gets GENERIC_WORDS.
DRIFT_WORDS = {
    "tmax_c": ("°C", "were warmer", "were colder"),
    "tmin_c": ("°C", "had warmer nights", "had colder nights"),
    "precipitation_mm": ("mm", "were wetter", "were drier"),
    "snowfall_mm": ("mm", "had more snowfall", "had less snowfall"),
    "snow_depth_mm": ("mm", "had more snow on the ground", "had less snow on the ground"),
    "wind_mean_m_s": ("m/s", "were windier", "were calmer"),
    "daylight_hours": ("hours", "had longer days", "had shorter days"),
}
TARGET_WORDS = ("bicycles a day", "were busier", "were quieter")
GENERIC_WORDS = ("", "had higher values", "had lower values")


@dataclass(frozen=True)
class Figure:
    name: str
    path: str  # relative to results/
    caption: str


def caption_line(rst_text: str) -> str:
    """The first paragraph of a report caption (reStructuredText), joined into one line."""
    paragraph = rst_text.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def title_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def warnings(metrics: dict, health: dict, drift: dict) -> list[str]:
    """What a person must see first: a failed quality gate, stale sources, drift."""
    found = []
    gate = metrics["quality_gate"]
    if not gate["passed"]:
        found.append(f"**Quality gate failed.** {sentence(gate)}")
    by_name = sources_by_name(health)
    for source in health["stale_sources"]:
        lag = by_name[source]["lag_days"]
        found.append(f"**Stale source:** `{source}` lags the newest source by {lag} days.")
    flagged = health["daily_table"]["quality_flagged_days"]
    if flagged:
        found.append(
            f"**Weather quality:** on {flagged} day{'s' * (flagged != 1)} a value failed GHCN's "
            "quality checks and was left out (column `quality_flagged` of the daily table)."
        )
    if drift["drifted"]:
        names = ", ".join(f"`{name}`" for name in drift["drifted"])
        found.append(
            f"**Drift** against the same weeks of earlier years: {names} (see "
            "[Monitoring](#monitoring) for why)."
        )
    return found


def sources_by_name(health: dict) -> dict[str, dict]:
    return {source["name"]: source for source in health["sources"]}


def freshness_table(sources: dict[str, dict], accepted: dict[str, dict], health: dict) -> str:
    """One row per source: its last observation, its lag, the sha256 of the accepted download
    (results/sources/<source>.json; only data that passed validation gets there)."""
    lines = [
        "| Source | Last observation | Behind the newest source | sha256 | Validation |",
        "|---|---|---|---|---|",
    ]
    observed_by_name = sources_by_name(health)
    for name, source in sources.items():
        observed = observed_by_name.get(name, {})
        sha = accepted[name]["sha256"][:SHORT_SHA]
        lag = observed.get("lag_days", "")
        lag_text = f"{lag} days" + (" (**stale**)" if observed.get("stale") else "")
        lines.append(
            f"| [{source['description']}]({source['url']}) | {observed.get('last') or ''}"
            f" | {lag_text} | `{sha}` | [valid](validation/{name}.md) |"
        )
    return "\n".join(lines)


def metrics_table(metrics: dict) -> str:
    lines = ["| | MAE | RMSE | R² |", "|---|---|---|---|"]
    for name, scores in metrics["scores"].items():
        label = "**model**" if name == "model" else title_of(name)
        lines.append(
            f"| {label} | {scores['mae']:,.0f} | {scores['rmse']:,.0f} | {scores['r2']:.3f} |"
        )
    return "\n".join(lines)


# Column of worst_days.csv -> (heading, format of a value).
WORST_DAYS_COLUMNS = {
    "date": ("Day", "{}"),
    "actual": ("Bicycles", "{:,.0f}"),
    "predicted": ("Predicted", "{:,.0f}"),
    "error": ("Error", "{:+,.0f}"),
    "tmax_c": ("Max °C", "{:.1f}"),
    "precipitation_mm": ("Rain mm", "{:.1f}"),
    "holiday": ("Holiday", "{}"),
    "counter_issue": ("Counter issue", "{}"),
}


def worst_days_table(worst: pd.DataFrame) -> str:
    headings = [heading for heading, _ in WORST_DAYS_COLUMNS.values()]
    lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
    for _, row in worst.iterrows():
        cells = [
            _cell(row[column], template) for column, (_, template) in WORST_DAYS_COLUMNS.items()
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value, template: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return template.format(value).replace("|", "\\|")


# --- monitoring ------------------------------------------------------------------------


def years_text(years: list[int]) -> str:
    """2017-2020 for a run of consecutive years, else 2016, 2018."""
    if not years:
        return "no year"
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(year) for year in years)


def window_of(drift: dict, row: dict) -> dict:
    return drift["windows"]["target" if row["group"] == "target" else "features"]


def statistics_text(drift: dict, row: dict) -> str:
    """The two statistics against their thresholds: "PSI 0.45 above 0.2, KS 0.34 above 0.3"."""
    parts = []
    for label, key, threshold, exceeded in (
        ("PSI", "psi", drift["psi_threshold"], row["psi_exceeded"]),
        ("KS", "ks_statistic", drift["ks_threshold"], row["ks_exceeded"]),
    ):
        parts.append(f"{label} {row[key]:.2f} {'above' if exceeded else 'within'} {threshold:g}")
    return ", ".join(parts)


def drift_explanation(drift: dict, row: dict) -> str:
    """Why one column alarmed, in words, with the numbers behind it."""
    window = window_of(drift, row)
    years = years_text([reference["year"] for reference in window["reference"]])
    recent = (
        f"the last {window['days']} days ({window['current']['start']} to "
        f"{window['current']['end']})"
    )
    name = f"`{row['feature']}`"
    if row["kind"] == "categorical":
        return (
            f"{name}: the share of days with {name} = {row['category']} was "
            f"{row['current_share']:.0%} in {recent}, against {row['reference_share']:.0%} in "
            f"the same weeks of {years}; {statistics_text(drift, row)}."
        )
    is_target = row["group"] == "target"
    unit, higher, lower = (
        TARGET_WORDS if is_target else DRIFT_WORDS.get(row["feature"], GENERIC_WORDS)
    )
    value = "{:,.0f}" if is_target else "{:,.1f}"
    current, reference = (value.format(row[key]) for key in ("current_mean", "reference_mean"))
    unit = f" {unit}" if unit else ""
    phrase = higher if row["current_mean"] > row["reference_mean"] else lower
    return (
        f"{name}: {recent} {phrase} than the same weeks of {years}: mean {current}{unit} "
        f"against {reference}; {statistics_text(drift, row)}."
    )


def drift_summary(drift: dict) -> list[str]:
    """What was compared with what, then each alarm explained (or that there is none)."""
    features, target = drift["windows"]["features"], drift["windows"]["target"]
    rule = (
        "both PSI and KS above their thresholds"
        if drift["alarm_on"] == "both"
        else "PSI or KS above its threshold"
    )
    lines = [
        f"Drift as of {drift['as_of']}, like for like: the last {features['days']} days of "
        f"each feature and the last {target['days']} days of the target against the same weeks "
        f"of the {drift['reference_years']} years before (those the data cover: "
        f"{years_text([reference['year'] for reference in features['reference']])}), so the "
        f"season is not drift. An alarm needs {rule}.",
        "",
    ]
    alarms = [row for row in drift["features"] if row["drifted"]]
    if alarms:
        lines += [f"- {drift_explanation(drift, row)}" for row in alarms]
    else:
        lines.append("No alarm: every compared feature and the target are within thresholds.")
    lines += [
        f"- `{row['feature']}` not checked: {row['reason']}." for row in drift["without_reference"]
    ]
    return lines + [""]


def drift_table(drift: dict) -> str:
    lines = [
        "| Feature | Days | Mean, recent | Mean, same weeks before | PSI | KS | Alarm |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in drift["features"]:
        decimals = 0 if row["group"] == "target" else 1
        means = [
            f"{row[key]:,.{decimals}f}" if key in row else ""
            for key in ("current_mean", "reference_mean")
        ]
        statistics = [
            "" if row[key] is None else f"{row[key]:.2f}" for key in ("psi", "ks_statistic")
        ]
        lines.append(
            f"| `{row['feature']}` | {window_of(drift, row)['days']} | {means[0]} | {means[1]} "
            f"| {statistics[0]} | {statistics[1]} | {'**yes**' if row['drifted'] else ''} |"
        )
    return "\n".join(lines)


def monitor_summary(monitor: dict) -> str:
    """The monitor's backtest in one paragraph: how often it cried wolf, how soon it saw
    the known change."""
    if "note" in monitor:
        return f"Monitor backtest: {monitor['note']}"
    months, quiet, change = monitor["month_ends"], monitor["quiet_period"], monitor["known_change"]
    parts = [
        f"The same check as of each of the {months['count']} month ends from {months['first']} "
        f"to {months['last']}."
    ]
    if quiet["month_ends"]:
        parts.append(
            f"In the quiet period {quiet['start']} to {quiet['end']}, "
            f"{quiet['alarm_month_ends']} of {quiet['month_ends']} month ends "
            f"({quiet['false_alarm_rate']:.1%}) raised a weather or daylight alarm (false "
            "alarms: nothing changed the weather)."
        )
    else:
        parts.append(f"False alarms not measured: {quiet['note']}")
    event = f"{change['date']} ({change['description']})"
    if not change["monitored_before"]:
        parts.append(f"Delay after {event} not measured: {change['note']}")
    elif change["first_alarm"] is None:
        parts.append(f"The `{change['feature']}` alarm did not fire after {event}.")
    else:
        parts.append(
            f"The `{change['feature']}` alarm fired at the month end {change['first_alarm']}, "
            f"{change['days_after']} days after {event}."
        )
    return " ".join(parts)


def alarms_by_year_table(monitor: dict) -> str:
    """Month ends with an alarm, per feature (rows) and year (columns)."""
    by_year = monitor["alarms_by_year"]
    if not by_year["years"]:
        return ""
    lines = [
        "| Month ends with an alarm | " + " | ".join(str(y) for y in by_year["years"]) + " |",
        "|---|" + "---:|" * len(by_year["years"]),
        "| *month ends checked* | " + " | ".join(str(n) for n in by_year["month_ends"]) + " |",
    ]
    for feature, counts in by_year["features"].items():
        cells = [str(count) if count else "·" for count in counts]
        lines.append(f"| `{feature}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def index_markdown(
    *,
    sources: dict[str, dict],
    accepted: dict[str, dict],
    coverage: str,
    metrics: dict,
    health: dict,
    drift: dict,
    monitor: dict,
    worst: pd.DataFrame,
    counter_issues: str,
    figures: list[Figure],
    tables: list[str],
) -> str:
    """The index; `counter_issues` is the curated list's path from the repository root."""
    holdout, training = metrics["holdout"], metrics["training"]
    gate = metrics["quality_gate"]
    gate_text = "passed" if gate["passed"] else "**failed**"
    horizon = metrics["horizon_days"]
    excluded = health["daily_table"]["counter_issue_days"]
    parts = [
        "# Results: bicycle traffic over Seattle's Fremont Bridge",
        "",
        "Made by this repository's Snakemake workflow from the sources below, and committed by "
        "GitHub Actions when something changes. Do not edit by hand: the next run rewrites it.",
        "",
    ]
    parts += [f"> - {line}" for line in warnings(metrics, health, drift)]
    parts += ["", "## Data", "", freshness_table(sources, accepted, health), "", coverage, ""]
    parts += [
        "## Model",
        "",
        f"Forecasts the daily `{metrics['target']}` bicycles {horizon} "
        f"day{'s' * (horizon != 1)} ahead, from the counts known by then, the calendar and "
        "the day's weather; the baselines are held to the same horizon. Holdout "
        f"{holdout['start']} to {holdout['end']} ({holdout['rows']} days), after training on "
        f"{training['start']} to {training['end']} ({training['rows']} days). Lower MAE and "
        "RMSE are better.",
        "",
        metrics_table(metrics),
        "",
        f"**Quality gate {gate_text}.** {sentence(gate)}",
        "",
        "[Model card](model/model_card.md) · [metrics](model/metrics.json) · "
        "[backtest folds](model/backtest_folds.csv) · [model (skops)](model/model.skops)",
        "",
        "## Monitoring",
        "",
        *drift_summary(drift),
        drift_table(drift),
        "",
        monitor_summary(monitor),
        "",
        alarms_by_year_table(monitor),
        "",
        "[Drift report](monitoring/drift.json) · [alarm timeline](monitoring/drift_backtest.csv)"
        " · [monitor backtest](monitoring/drift_backtest.json) · "
        "[data health](monitoring/health.json)",
        "",
        "### Days to look at",
        "",
        f"The curated list of counter problems, [`{counter_issues}`](../{counter_issues}), "
        f"excludes {excluded} day{'s' * (excluded != 1)} of the daily table from training, "
        "scoring and the history features. "
        f"The {len(worst)} holdout days the model got most wrong (error = predicted − actual) "
        "are below: when a day's count was wrong (an outage, a sensor fault), add its dates and "
        "the reason to that file, and the next run leaves it out.",
        "",
        worst_days_table(worst),
        "",
        "## Figures",
        "",
    ]
    for figure in figures:
        title = title_of(figure.name)
        parts += [f"### {title}", "", f"![{title}]({figure.path})", ""]
        parts += [figure.caption, ""]
    parts += ["## Tables", ""]
    parts += [
        f"- [{table}](tables/{table}.csv) ([Parquet](tables/{table}.parquet))" for table in tables
    ]
    parts += [
        "- [datapackage.json](tables/datapackage.json): schemas, units and checksums "
        "(`frictionless validate results/tables/datapackage.json`)",
        "",
    ]
    return "\n".join(parts)
