# Names and input functions shared by the rule modules.

import ast
import json
from pathlib import Path

from bikeflow.dataset import count_titles, read_schema, table_words, weather_columns

SOURCES = list(config["sources"])
# The source of each role in the daily table (config/README.md, `sources.<name>.role`).
ROLE = {source["role"]: name for name, source in config["sources"].items()}
COUNTS, WEATHER = ROLE["counts"], ROLE["weather"]
# The counts source's curated issues (`sources.<name>.issues`), as a list of inputs: none
# when the counter has no curated list.
COUNTER_ISSUES = [
    path for path in [config["sources"][COUNTS].get("issues")] if path is not None
]
# The count columns and their words, from the counts source's schema; the weather columns,
# from the weather source's: figures and pages name what a fork's data are.
COUNT_TITLES = count_titles(read_schema(config["sources"][COUNTS]["schema"]))
WEATHER_COLUMNS = weather_columns(read_schema(config["sources"][WEATHER]["schema"]))
# The dataset's words (`dataset` in the config, and the known change in words) for the pages
# and figures; the captions use them as reStructuredText substitutions (|counter|), defined
# for `snakemake --report` by workflow/report/figure.rst, replaced in results/README.md by
# the results index.
KNOWN_CHANGE = config["monitoring"]["backtest"]["known_change"]
DATASET_WORDS = {
    **config["dataset"],
    "known_change": f"{KNOWN_CHANGE['label']} ({KNOWN_CHANGE['date']})",
}
# When each role's data appear upstream (`sources.<name>.published`), for the model's rules.
PUBLICATION = {
    role: config["sources"][name]["published"] for role, name in ROLE.items()
}
TABLES = ["hourly_counts", "weather", "daily"]
# What the data package says of each source: a change of its other settings does not
# re-write it.
SOURCE_DESCRIPTIONS = {
    name: {"description": source["description"], "url": source["url"]}
    for name, source in config["sources"].items()
}
# The configuration the results keep (results/config.yaml): all of it but the permission to
# publish a shrinking source, which is for one run and would rewrite the file twice.
KEPT_CONFIG = {
    **config,
    "validation": {
        key: value
        for key, value in config["validation"].items()
        if key != "allow_shrinking"
    },
}
MODEL_OUTPUTS = [
    "results/model/model.skops",
    "results/model/metrics.json",
    "results/model/holdout_forecasts.csv",
    "results/model/calibration.csv",
    "results/model/promotion.json",
    "results/model/backtest_folds.csv",
    "results/model/backtest_leads.csv",
    "results/model/backtest_months.csv",
    "results/model/permutation_importance.csv",
    "results/model/model_card.md",
]
MONITORING_OUTPUTS = [
    "results/monitoring/drift.json",
    "results/monitoring/drift_backtest.csv",
    "results/monitoring/drift_backtest.json",
    "results/monitoring/live_error.json",
    "results/monitoring/live_error_backtest.json",
    "results/monitoring/health.json",
    "results/monitoring/worst_days.csv",
    "results/monitoring/alerts.json",
]
FORECAST_OUTPUTS = [
    "results/forecasts/latest.csv",
    "results/forecasts/scores.csv",
    "results/forecasts/scores_by_month.csv",
]
# The figures as people look for them (the report's categories), each with its named inputs
# (the names its script's draw() takes). A new figure is a script, a caption and a line here.
FIGURES_BY_CATEGORY = {
    "Data": {
        "daily_traffic": {"daily": "results/tables/daily.parquet"},
        "hourly_profile": {"hourly": "results/tables/hourly_counts.parquet"},
        "temperature": {"daily": "results/tables/daily.parquet"},
        "precipitation": {"daily": "results/tables/daily.parquet"},
        "weekly_heatmap": {"daily": "results/tables/daily.parquet"},
    },
    "Model": {
        "holdout_forecasts": {"holdout": "results/model/holdout_forecasts.csv"},
        "residuals": {"holdout": "results/model/holdout_forecasts.csv"},
        "backtest_error": {
            "months": "results/model/backtest_months.csv",
            "folds": "results/model/backtest_folds.csv",
            "monitor": "results/monitoring/live_error_backtest.json",
        },
        "permutation_importance": {
            "importance": "results/model/permutation_importance.csv"
        },
    },
    "Forecasts": {
        "forecast_scores": {
            "scores": "results/forecasts/scores.csv",
            "months": "results/forecasts/scores_by_month.csv",
            "monitor": "results/monitoring/live_error_backtest.json",
        },
    },
    "Monitoring": {
        "drift": {"drift": "results/monitoring/drift.json"},
        "drift_backtest": {
            "alarms": "results/monitoring/drift_backtest.csv",
            "summary": "results/monitoring/drift_backtest.json",
        },
    },
}
FIGURE_INPUTS = {
    figure: inputs
    for figures in FIGURES_BY_CATEGORY.values()
    for figure, inputs in figures.items()
}
FIGURE_CATEGORY = {
    figure: category
    for category, figures in FIGURES_BY_CATEGORY.items()
    for figure in figures
}
FIGURES = list(FIGURE_INPUTS)


wildcard_constraints:
    source="|".join(SOURCES),
    table="|".join(TABLES),
    figure="|".join(FIGURES),
    issue_date=r"\d{4}-\d{2}-\d{2}",


def in_report(path, category, subcategory="Tables"):
    """An output `snakemake --report` shows under its category, captioned by
    workflow/report/files/<its file name>.rst."""
    caption = f"../report/files/{Path(path).stem}.rst"
    return report(path, caption=caption, category=category, subcategory=subcategory)


def library(script):
    """An input function: the library modules a rule's script imports, directly or through
    other modules (read from the code with ast). Snakemake tracks a script's own code but
    not what it imports; as inputs, editing a module re-runs exactly the rules that use it.
    `script` may hold wildcards (figure_{figure}.py)."""

    def modules(wildcards):
        found, pending = set(), imported(
            f"workflow/scripts/{script.format(**wildcards)}"
        )
        while pending:
            name = pending.pop()
            if name not in found:
                found.add(name)
                pending |= imported(f"workflow/scripts/bikeflow/{name}.py")
        return [
            f"workflow/scripts/bikeflow/{m}.py" for m in ["__init__", *sorted(found)]
        ]

    return modules


def imported(path):
    """Library modules a file imports: `from bikeflow.x import ...`, `from bikeflow import x`."""
    modules = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "bikeflow":
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "bikeflow."
        ):
            modules.add(node.module.split(".")[1])
    return modules


def software(env):
    """A rule's conda environment file, also declared as an input: Snakemake notices a
    changed env only under --sdm conda, and only with the provenance of the last run;
    as an input, editing it re-runs exactly the rules that use it, in any run."""
    return f"workflow/envs/{env}.yaml"


def current_record(wildcards):
    """The record of the forecasts issued on the last day the sources cover, known once the
    daily table (a checkpoint) has been made: only the current issue date is ever in the
    DAG, so no older record can be made again."""
    coverage = json.loads(
        Path(checkpoints.daily_table.get().output.coverage).read_text()
    )
    last = max(source["last_day"] for source in coverage["sources"].values())
    return f"results/forecasts/issued/{last}.csv"
