"""Write results/README.md: the page people see when they open results/ on GitHub.

Built from the workflow's own outputs only (no run time, no clock), so it changes exactly
when something it reports changes. Links are relative to results/.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from bikeflow import summaries
from bikeflow.dataset import link
from bikeflow.markdown import number, share, table
from bikeflow.quality_gate import sentence

SHORT_SHA = 12
# A reStructuredText substitution reference: |name|.
SUBSTITUTION = re.compile(r"\|(\w+)\|")
RESULTS_DIR = "results"  # where the page is, from the repository root: links are relative to it
# How a drifted column is put in words: unit, and what a higher or a lower mean is called;
# any other column gets GENERIC_WORDS.
DRIFT_WORDS = {
    "tmax_c": ("°C", "were warmer", "were colder"),
    "tmin_c": ("°C", "had warmer nights", "had colder nights"),
    "precipitation_mm": ("mm", "were wetter", "were drier"),
    "snowfall_mm": ("mm", "had more snowfall", "had less snowfall"),
    "snow_depth_mm": ("mm", "had more snow on the ground", "had less snow on the ground"),
    "wind_mean_m_s": ("m/s", "were windier", "were calmer"),
    "daylight_hours": ("hours", "had longer days", "had shorter days"),
}
GENERIC_WORDS = ("", "had higher values", "had lower values")
# Column of worst_days.csv -> (heading, format of a value).
WORST_DAYS_COLUMNS = {
    "date": ("Day", "{}"),
    "actual": ("Bicycles", "{:,.0f}"),
    "predicted": ("Mean forecast", "{:,.0f}"),
    "error": ("Mean error", "{:+,.0f}"),
    "tmax_c": ("Max °C", "{:.1f}"),
    "precipitation_mm": ("Rain mm", "{:.1f}"),
    "holiday": ("Holiday", "{}"),
    "counter_issue": ("Counter issue", "{}"),
}


@dataclass(frozen=True)
class Figure:
    name: str
    path: str  # relative to results/
    caption: str


@dataclass(frozen=True)
class Results:
    """What the index reports, as the workflow wrote it."""

    title: str  # the config's dataset.title
    sources: dict[str, dict]  # the config's sources
    accepted: dict[str, dict]  # results/sources/<source>.json
    coverage: str  # Coverage.describe()
    metrics: dict
    health: dict
    drift: dict
    drift_monitor: dict
    live_error: dict
    live_monitor: dict
    latest: pd.DataFrame
    scores: pd.DataFrame
    worst: pd.DataFrame
    counter_issues: str | None  # the curated list's path from the repository root, if any
    figures: list[Figure]
    tables: list[str]


def caption_line(rst_text: str, words: Mapping[str, str]) -> str:
    """The first paragraph of a report caption (reStructuredText), joined into one line, with
    its substitutions (|counter|) replaced by the dataset's `words`, as the report's
    workflow/report/figure.rst defines them."""
    paragraph = rst_text.strip().split("\n\n")[0]
    line = " ".join(line.strip() for line in paragraph.splitlines())

    def replaced(reference: re.Match) -> str:
        name = reference.group(1)
        if name not in words:
            raise KeyError(f"the caption uses |{name}|, which is not one of {sorted(words)}")
        return words[name]

    return SUBSTITUTION.sub(replaced, line)


def title_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def cell(value, template: str = "{}") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return template.format(value)


def warnings(results: Results) -> list[str]:
    """What a person must see first: the live-error alarm, a failed gate, a held-back
    candidate, stale sources, weather failing its checks, drift."""
    found = []
    if results.live_error["alarm"]:
        found.append(f"**Live-error alarm.** {summaries.live_error_state(results.live_error)}")
    gate, promotion = results.metrics["quality_gate"], results.metrics.get("promotion")
    if not gate["passed"]:
        found.append(f"**Quality gate failed.** {sentence(gate)}")
    if promotion and not promotion["promoted"]:
        found.append(
            f"**Candidate held back:** {promotion['why']} The published model keeps serving; "
            "the candidate is in [model/candidate/](model/candidate/)."
        )
    by_name = {source["name"]: source for source in results.health["sources"]}
    for source in results.health["stale_sources"]:
        lag = by_name[source]["lag_days"]
        found.append(f"**Stale source:** `{source}` lags the newest source by {lag} days.")
    flagged = results.health["daily_table"]["quality_flagged_days"]
    if flagged:
        found.append(
            f"**Weather quality:** on {flagged} day{'s' * (flagged != 1)} a value failed GHCN's "
            "quality checks and was left out (column `quality_flagged` of the daily table)."
        )
    if results.drift["drifted"]:
        names = ", ".join(f"`{name}`" for name in results.drift["drifted"])
        found.append(
            f"**Input drift** against the same weeks of earlier years: {names} (see "
            "[Monitoring](#monitoring) for why)."
        )
    return found


def freshness_table(results: Results) -> list[str]:
    """One row per source: its last observation, its lag, the sha256 of the accepted download
    (results/sources/<source>.json; only data that passed validation gets there)."""
    observed_by_name = {source["name"]: source for source in results.health["sources"]}
    rows = []
    for name, source in results.sources.items():
        observed = observed_by_name.get(name, {})
        lag = observed.get("lag_days", "")
        rows.append(
            [
                f"[{source['description']}]({link(source['url'], RESULTS_DIR)})",
                observed.get("last") or "",
                f"{lag} days" + (" (**stale**)" if observed.get("stale") else ""),
                f"`{results.accepted[name]['sha256'][:SHORT_SHA]}`",
                f"[valid](validation/{name}.md)",
            ]
        )
    return table(
        ["Source", "Last observation", "Behind the newest source", "sha256", "Validation"],
        rows,
        align="lllll",
    )


# --- forecasts -------------------------------------------------------------------------


def latest_forecast(latest: pd.DataFrame) -> list[str]:
    if latest.empty:
        return ["No forecast has been issued."]
    first = latest.iloc[0]
    last_count = pd.Timestamp(first["date"]) - pd.Timedelta(days=int(first["lead_days"]))
    rows = [
        [
            row.date,
            str(row.lead_days),
            row.weather,
            number(row.forecast),
            f"{number(row.lower)} to {number(row.upper)}",
        ]
        for row in latest.itertuples()
    ]
    return [
        f"Issued {first['issue_date']}, the last day the sources cover, from the counts "
        f"published up to {last_count:%Y-%m-%d} "
        f"by the model `{first['model_sha256'][:SHORT_SHA]}`. Bicycles per day; the interval "
        "should hold the count on 4 days in 5.",
        "",
        *table(["Day", "Lead (days)", "Weather", "Forecast", "Interval"], rows, align="lrlrr"),
        "",
        "[latest.csv](forecasts/latest.csv) · [every issue, as issued](forecasts/issued/)",
    ]


def forecast_scores(scores: pd.DataFrame, live_error: dict) -> list[str]:
    lines = [summaries.live_error_state(live_error), ""]
    if scores.empty:
        return lines
    rows = [
        [
            row.band,
            number(row.forecasts),
            share(row.weather_observed),
            number(row.mae),
            number(row.expected_mae),
            cell(row.ratio, "{:.2f}"),
            share(row.coverage),
        ]
        for row in scores.itertuples()
    ]
    return lines + [
        "Every published forecast whose day's count has since been published, by lead (days "
        "after the last count the forecast knew), against the error expected of it when it was "
        "issued:",
        "",
        *table(
            [
                "Lead (days)",
                "Forecasts scored",
                "Weather observed",
                "MAE",
                "Expected MAE",
                "Ratio",
                "Inside the interval",
            ],
            rows,
        ),
        "",
        "[scores by lead](forecasts/scores.csv) · [by month](forecasts/scores_by_month.csv) · "
        "[alarm state](monitoring/live_error.json)",
    ]


# --- model -----------------------------------------------------------------------------


def model_lines(metrics: dict) -> list[str]:
    holdout, gate = metrics["holdout"], metrics["quality_gate"]
    rows = [
        [
            row["band"],
            number(row["forecasts"]),
            number(row["model_mae"]),
            f"{title_of(row['best_baseline'])}, {number(row[row['best_baseline'] + '_mae'])}",
            share(row["improvement"]),
        ]
        for row in metrics["by_lead"]
    ]
    promotion = metrics.get("promotion")
    promoted = (
        []
        if promotion is None
        else [
            f"**Latest candidate {'promoted' if promotion['promoted'] else 'held back'}:** "
            f"{promotion['why']}",
            "",
        ]
    )
    return [
        f"Forecasts the daily `{metrics['target']}` from what is public on the issue date. "
        f"Holdout: every forecast the run days from {holdout['start']} to {holdout['end']} "
        f"would have issued ({holdout['forecasts']:,}), by a model trained on the counts "
        f"published by {holdout['start']}; the baselines know the same. Lower MAE is better.",
        "",
        *table(["Lead (days)", "Forecasts", "Model MAE", "Best baseline", "Improvement"], rows),
        "",
        f"**Quality gate {'passed' if gate['passed'] else '**failed**'}.** {sentence(gate)}",
        "",
        *promoted,
        "[Model card](model/model_card.md) · [metrics](model/metrics.json) · "
        "[backtest by lead](model/backtest_leads.csv) · [model (skops)](model/model.skops)",
    ]


# --- monitoring ------------------------------------------------------------------------


def years_text(years: list[int]) -> str:
    """2017-2020 for a run of consecutive years, else 2016, 2018."""
    if not years:
        return "no year"
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(year) for year in years)


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
    window = drift["window"]
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
    unit, higher, lower = DRIFT_WORDS.get(row["feature"], GENERIC_WORDS)
    current, reference = (f"{row[key]:,.1f}" for key in ("current_mean", "reference_mean"))
    unit = f" {unit}" if unit else ""
    phrase = higher if row["current_mean"] > row["reference_mean"] else lower
    return (
        f"{name}: {recent} {phrase} than the same weeks of {years}: mean {current}{unit} "
        f"against {reference}; {statistics_text(drift, row)}."
    )


def drift_lines(drift: dict) -> list[str]:
    """What was compared with what, each alarm explained, and the table."""
    window = drift["window"]
    rule = (
        "both PSI and KS above their thresholds"
        if drift["alarm_on"] == "both"
        else "PSI or KS above its threshold"
    )
    lines = [
        f"Input drift as of {drift['as_of']}, like for like: the last {window['days']} days of "
        f"each weather and calendar feature against the same weeks of the "
        f"{drift['reference_years']} years before (those the data cover: "
        f"{years_text([reference['year'] for reference in window['reference']])}), so the "
        f"season is not drift. An alarm needs {rule}.",
        "",
    ]
    alarms = [row for row in drift["features"] if row["drifted"]]
    if alarms:
        lines += [f"- {drift_explanation(drift, row)}" for row in alarms]
    else:
        lines.append("No alarm: every compared feature is within thresholds.")
    lines += [
        f"- `{row['feature']}` not checked: {row['reason']}." for row in drift["without_reference"]
    ]
    rows = [
        [
            f"`{row['feature']}`",
            cell(row.get("current_mean"), "{:,.1f}"),
            cell(row.get("reference_mean"), "{:,.1f}"),
            cell(row["psi"], "{:.2f}"),
            cell(row["ks_statistic"], "{:.2f}"),
            "**yes**" if row["drifted"] else "",
        ]
        for row in drift["features"]
    ]
    return [
        *lines,
        "",
        *table(
            ["Feature", "Mean, recent", "Mean, same weeks before", "PSI", "KS", "Alarm"],
            rows,
            align="lrrrrl",
        ),
    ]


def alarms_by_year_table(monitor: dict) -> list[str]:
    """Month ends with an alarm, per feature (rows) and year (columns)."""
    by_year = monitor["alarms_by_year"]
    if not by_year["years"]:
        return []
    rows = [["*month ends checked*", *map(str, by_year["month_ends"])]]
    rows += [
        [f"`{feature}`", *(str(count) if count else "·" for count in counts)]
        for feature, counts in by_year["features"].items()
    ]
    return table(["Month ends with an alarm", *map(str, by_year["years"])], rows)


def worst_days_table(worst: pd.DataFrame) -> list[str]:
    """The worst days with the columns of WORST_DAYS_COLUMNS the table has (a weather source
    without a column leaves it out)."""
    columns = {name: shown for name, shown in WORST_DAYS_COLUMNS.items() if name in worst}
    rows = [
        [cell(row[column], template) for column, (_, template) in columns.items()]
        for _, row in worst.iterrows()
    ]
    return table([heading for heading, _ in columns.values()], rows)


def curated_issues_text(results: Results) -> str:
    """What the curated list of counter problems does, and where it is (or would be)."""
    path = results.counter_issues
    excluded = results.health["daily_table"]["counter_issue_days"]
    worst = (
        f"The {len(results.worst)} holdout days the model got most wrong (mean error of their "
        "forecasts, forecast − actual) are below"
    )
    if path is None:
        return (
            f"{worst}. The counter has no curated list of its problems: when a day's count was "
            "wrong (an outage, a sensor fault), list its dates and the reason in a CSV file "
            "(`start,end,reason`) and name it in `issues` of the counts source in "
            "`config/config.yaml`, and the next run leaves those days out of training, scoring "
            "and the history features."
        )
    return (
        f"The curated list of counter problems, [`{path}`]({link(path, RESULTS_DIR)}), excludes "
        f"{excluded} day{'s' * (excluded != 1)} of the daily table from training, scoring and "
        f"the history features. {worst}: when a day's count was wrong (an outage, a sensor "
        "fault), add its dates and the reason to that file, and the next run leaves it out."
    )


def index_markdown(results: Results) -> str:
    parts = [
        f"# Results: {results.title}",
        "",
        "Made by this repository's Snakemake workflow from the sources below, and committed by "
        "GitHub Actions when something changes. Do not edit by hand: the next run rewrites it.",
        "",
        *(f"> - {line}" for line in warnings(results)),
        *([""] if warnings(results) else []),
        "## Data",
        "",
        *freshness_table(results),
        "",
        results.coverage,
        "",
        "## Forecasts",
        "",
        "### Latest forecast",
        "",
        *latest_forecast(results.latest),
        "",
        "### How the published forecasts did",
        "",
        *forecast_scores(results.scores, results.live_error),
        "",
        "## Model",
        "",
        *model_lines(results.metrics),
        "",
        "## Monitoring",
        "",
        f"**Live error.** {summaries.live_error_backtest(results.live_monitor)}",
        "",
        *drift_lines(results.drift),
        "",
        summaries.drift_backtest(results.drift_monitor),
        "",
        *alarms_by_year_table(results.drift_monitor),
        "",
        "[Live error](monitoring/live_error.json) · "
        "[its backtest](monitoring/live_error_backtest.json) · [drift](monitoring/drift.json) · "
        "[drift timeline](monitoring/drift_backtest.csv) · "
        "[data health](monitoring/health.json)",
        "",
        "### Days to look at",
        "",
        curated_issues_text(results),
        "",
        *worst_days_table(results.worst),
        "",
        "## Figures",
        "",
    ]
    for figure in results.figures:
        title = title_of(figure.name)
        parts += [f"### {title}", "", f"![{title}]({figure.path})", "", figure.caption, ""]
    parts += ["## Tables", ""]
    parts += [
        f"- [{name}](tables/{name}.csv) ([Parquet](tables/{name}.parquet))"
        for name in results.tables
    ]
    parts += [
        "- [datapackage.json](tables/datapackage.json): schemas, units and checksums "
        "(`frictionless validate results/tables/datapackage.json`)",
        "",
    ]
    return "\n".join(parts)
