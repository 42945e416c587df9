# Model: fit and score against baselines, backtest, explain, describe. Each rule gets exactly
# the config values it uses as params, so changing a hyperparameter re-runs the model rules
# and what reads their outputs. Monitoring is in monitoring.smk.
# Resources: measured on the full data (2012-2021) each job takes 1-7 s and 150-700 MB.


rule fit_model:
    input:
        daily="results/tables/daily.parquet",
        # Only for the message when the sources overlap too little: ancient, so that a new
        # weather day beyond the last count (coverage changes, the daily table does not)
        # does not re-fit the model.
        coverage=ancient("results/tables/coverage.json"),
        code=library(
            "atomic",
            "daily",
            "features",
            "formats",
            "logs",
            "model",
            "persistence",
            "quality_gate",
            "table_io",
        ),
        env=software("model"),
    output:
        model="results/model/model.skops",
        metrics="results/model/metrics.json",
        predictions="results/model/holdout_predictions.csv",
    log:
        "logs/model/fit_model.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        target=config["model"]["target"],
        features=config["model"]["features"],
        horizon_days=config["model"]["forecast_horizon_days"],
        holdout_months=config["model"]["holdout_months"],
        regressor=config["model"]["regressor"],
        random_state=config["model"]["random_state"],
        min_improvement=config["model"]["quality_gate"]["min_improvement"],
    script:
        "../scripts/fit_model.py"


# The backtest is the longest job and heads the longest chain (backtest -> drift backtest and
# figures), so it starts as soon as the daily table exists (priority) and takes one core: with
# two it waited for both cores to be free and ran alone at the end. Folds run in `threads`
# processes, one thread each, and the numbers do not depend on it; on a cluster raise it with
# `--set-threads backtest=4`. Memory grows by about 230 MB per process.
rule backtest:
    input:
        daily="results/tables/daily.parquet",
        code=library(
            "atomic",
            "features",
            "formats",
            "logs",
            "model",
            "quality_gate",
            "table_io",
        ),
        env=software("model"),
    output:
        days="results/model/backtest.csv",
        folds="results/model/backtest_folds.csv",
    log:
        "logs/model/backtest.log",
    priority: 10
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=1500,
        runtime=20,
    params:
        target=config["model"]["target"],
        features=config["model"]["features"],
        horizon_days=config["model"]["forecast_horizon_days"],
        regressor=config["model"]["regressor"],
        random_state=config["model"]["random_state"],
        backtest=config["model"]["backtest"],
    script:
        "../scripts/backtest.py"


rule permutation_importance:
    input:
        model="results/model/model.skops",
        predictions="results/model/holdout_predictions.csv",
        daily="results/tables/daily.parquet",
        code=library(
            "atomic",
            "features",
            "formats",
            "logs",
            "model",
            "persistence",
            "quality_gate",
            "table_io",
        ),
        env=software("model"),
    output:
        "results/model/permutation_importance.csv",
    log:
        "logs/model/permutation_importance.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        target=config["model"]["target"],
        features=config["model"]["features"],
        horizon_days=config["model"]["forecast_horizon_days"],
        repeats=config["model"]["permutation_repeats"],
        random_state=config["model"]["random_state"],
    script:
        "../scripts/permutation_importance.py"


rule model_card:
    input:
        metrics="results/model/metrics.json",
        folds="results/model/backtest_folds.csv",
        importance="results/model/permutation_importance.csv",
        monitor="results/monitoring/drift_backtest.json",
        code=library("atomic", "features", "logs", "model_card", "quality_gate"),
        env=software("model"),
    output:
        "results/model/model_card.md",
    log:
        "logs/model/model_card.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=400,
        runtime=5,
    script:
        "../scripts/model_card.py"
