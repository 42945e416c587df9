"""Write results/README.md: the page people see when they open results/ on GitHub.

Built from the workflow's own outputs only (no run time, no clock), so it changes exactly
when something it reports changes. Links are relative to results/.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SHORT_SHA = 12


@dataclass(frozen=True)
class Figure:
    name: str
    path: str  # relative to results/
    caption: str


def caption_line(rst_text: str) -> str:
    """The first paragraph of a report caption (reStructuredText), joined into one line."""
    paragraph = rst_text.strip().split("\n\n")[0]
    return " ".join(line.strip() for line in paragraph.splitlines())


def gate_detail(message: str) -> str:
    """The gate's message without its "Quality gate passed:" lead, as a sentence."""
    detail = message.split(": ", 1)[-1]
    return detail[:1].upper() + detail[1:]


def title_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


def warnings(metrics: dict, health: dict, drift: dict) -> list[str]:
    """What a person must see first: a failed quality gate, stale sources, drift."""
    found = []
    gate = metrics["quality_gate"]
    if not gate["passed"]:
        found.append(f"**Quality gate failed.** {gate['message']}")
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
        found.append(f"**Drift** in the last {drift['current']['days']} days: {names}.")
    return found


def sources_by_name(health: dict) -> dict[str, dict]:
    return {source["name"]: source for source in health["sources"]}


def freshness_table(sources: dict[str, dict], validations: dict[str, dict], health: dict) -> str:
    lines = [
        "| Source | Last observation | Behind the newest source | sha256 | Validation |",
        "|---|---|---|---|---|",
    ]
    observed_by_name = sources_by_name(health)
    for name, source in sources.items():
        observed = observed_by_name.get(name, {})
        report = validations[name]
        sha = report["tasks"][0]["stats"]["sha256"][:SHORT_SHA]
        status = "valid" if report["valid"] else "**invalid**"
        lag = observed.get("lag_days", "")
        lag_text = f"{lag} days" + (" (**stale**)" if observed.get("stale") else "")
        lines.append(
            f"| [{source['description']}]({source['url']}) | {observed.get('last') or ''}"
            f" | {lag_text} | `{sha}` | [{status}](validation/{name}.md) |"
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


def index_markdown(
    *,
    sources: dict[str, dict],
    validations: dict[str, dict],
    coverage: str,
    metrics: dict,
    health: dict,
    drift: dict,
    worst: pd.DataFrame,
    figures: list[Figure],
    tables: list[str],
) -> str:
    holdout, training = metrics["holdout"], metrics["training"]
    gate = metrics["quality_gate"]
    gate_text = "passed" if gate["passed"] else "**failed**"
    parts = [
        "# Results: bicycle traffic over Seattle's Fremont Bridge",
        "",
        "Made by this repository's Snakemake workflow from the sources below, and committed by "
        "GitHub Actions when something changes. Do not edit by hand: the next run rewrites it.",
        "",
    ]
    parts += [f"> - {line}" for line in warnings(metrics, health, drift)]
    parts += ["", "## Data", "", freshness_table(sources, validations, health), "", coverage, ""]
    parts += [
        "## Model",
        "",
        f"Holdout {holdout['start']} to {holdout['end']} ({holdout['rows']} days), after "
        f"training on {training['start']} to {training['end']} ({training['rows']} days). "
        f"Daily `{metrics['target']}` bicycles; lower MAE and RMSE are better.",
        "",
        metrics_table(metrics),
        "",
        f"**Quality gate {gate_text}.** {gate_detail(gate['message'])}",
        "",
        "[Model card](model/model_card.md) · [metrics](model/metrics.json) · "
        "[backtest folds](model/backtest_folds.csv) · [model (skops)](model/model.skops)",
        "",
        "## Monitoring",
        "",
        f"Drift of the last {drift['current']['days']} days ({drift['current']['start']} to "
        f"{drift['current']['end']}) against the training period: "
        + (", ".join(f"`{name}`" for name in drift["drifted"]) or "none")
        + ". [Drift report](monitoring/drift.json) · [data health](monitoring/health.json)",
        "",
        f"The {len(worst)} holdout days the model got most wrong (error = predicted − actual), "
        "to look at, annotate in `resources/counter_issues.csv` or learn from:",
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
