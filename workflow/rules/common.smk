# Names and input functions shared by the rule modules.

SOURCES = list(config["sources"])
TABLES = ["hourly_counts", "weather", "daily"]
MODEL_OUTPUTS = [
    "results/model/model.skops",
    "results/model/metrics.json",
    "results/model/holdout_predictions.csv",
    "results/model/backtest.csv",
    "results/model/backtest_folds.csv",
    "results/model/permutation_importance.csv",
    "results/model/model_card.md",
]
MONITORING_OUTPUTS = [
    "results/monitoring/drift.json",
    "results/monitoring/drift_backtest.csv",
    "results/monitoring/drift_backtest.json",
    "results/monitoring/health.json",
    "results/monitoring/worst_days.csv",
]
# The monitoring keys the drift check uses (both drift rules get exactly these as params).
DRIFT_SETTINGS = [
    "drift_window_days",
    "target_window_days",
    "reference_years",
    "psi_bins",
    "psi_threshold",
    "ks_threshold",
    "alarm_on",
]
# Figure -> its named inputs (the names its script reads from snakemake.input).
FIGURE_INPUTS = {
    "daily_traffic": {"daily": "results/tables/daily.parquet"},
    "hourly_profile": {"hourly": "results/tables/hourly_counts.parquet"},
    "temperature": {"daily": "results/tables/daily.parquet"},
    "precipitation": {"daily": "results/tables/daily.parquet"},
    "weekly_heatmap": {"daily": "results/tables/daily.parquet"},
    "holdout_predictions": {"predictions": "results/model/holdout_predictions.csv"},
    "backtest_error": {
        "days": "results/model/backtest.csv",
        "folds": "results/model/backtest_folds.csv",
    },
    "residuals": {"predictions": "results/model/holdout_predictions.csv"},
    "permutation_importance": {
        "importance": "results/model/permutation_importance.csv"
    },
    "drift": {"drift": "results/monitoring/drift.json"},
    "drift_backtest": {
        "alarms": "results/monitoring/drift_backtest.csv",
        "summary": "results/monitoring/drift_backtest.json",
    },
}
FIGURES = list(FIGURE_INPUTS)


wildcard_constraints:
    source="|".join(SOURCES),
    table="|".join(TABLES),
    figure="|".join(FIGURES),


def source_setting(key):
    """An input/params function returning one setting of the {source} wildcard's entry."""
    return lambda wildcards: config["sources"][wildcards.source][key]


def library(*modules):
    """Library modules a rule's script imports. Snakemake tracks a script's own code but
    not what it imports, so these are declared as inputs: editing one re-runs exactly the
    rules that use it. Paths are relative to the repository, like every other input."""
    return [
        f"workflow/scripts/bikeflow/{module}.py" for module in ("__init__", *modules)
    ]


def software(env):
    """A rule's conda environment file, also declared as an input: Snakemake notices a
    changed env only under --sdm conda, and only with the provenance of the last run;
    as an input, editing it re-runs exactly the rules that use it, in any run."""
    return f"workflow/envs/{env}.yaml"


def drift_settings():
    return {key: config["monitoring"][key] for key in DRIFT_SETTINGS}


def validation_reports():
    return expand(
        "results/validation/{source}.{ext}", source=SOURCES, ext=["json", "md"]
    )


def source_records():
    return expand("results/sources/{source}.json", source=SOURCES)


def table_outputs():
    return expand("results/tables/{table}.{ext}", table=TABLES, ext=["csv", "parquet"])


def model_outputs():
    return MODEL_OUTPUTS


def monitoring_outputs():
    return MONITORING_OUTPUTS


def figure_outputs():
    return expand("results/figures/{figure}.png", figure=FIGURES)


def figure_inputs(wildcards):
    """The named inputs of one figure (input function of rule figure)."""
    return FIGURE_INPUTS[wildcards.figure]
