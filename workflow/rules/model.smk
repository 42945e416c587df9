# Model: a candidate fitted and evaluated as the live forecasts are, backtested, promoted
# only when it earns it, explained and described. Each rule gets the config it uses as
# params (the model settings as one section), so a change re-runs exactly what it touches.
# Benchmarks (logs/benchmarks/) on the full data: see each rule's resources.


rule fit_model:
    input:
        daily="results/tables/daily.parquet",
        # Only for the message when the sources overlap too little: ancient, so that a new
        # weather day beyond the last count (coverage changes, the daily table does not)
        # does not re-fit the model.
        coverage=ancient("results/tables/coverage.json"),
        code=library("fit_model.py"),
        env=software("model"),
    output:
        model="results/model/candidate/model.skops",
        metrics="results/model/candidate/metrics.json",
        holdout="results/model/candidate/holdout_forecasts.csv",
    log:
        "logs/model/fit_model.log",
    benchmark:
        "logs/benchmarks/fit_model.tsv"
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=800,
        runtime=10,
    params:
        model=config["model"],
        publication=PUBLICATION,
        days_ahead=lookup(dpath="forecasts/days_ahead", within=config),
        lead_bands=lookup(dpath="forecasts/lead_bands", within=config),
        holdout_months=lookup(dpath="evaluation/holdout_months", within=config),
        quality_gate=lookup(dpath="evaluation/quality_gate", within=config),
    script:
        "../scripts/fit_model.py"


# The longest job: it starts as soon as the daily table exists (priority) and takes one
# core. Folds run in `threads` processes and the numbers do not depend on it; on a cluster
# raise it with `--set-threads backtest=4`.
rule backtest:
    input:
        daily="results/tables/daily.parquet",
        code=library("backtest.py"),
        env=software("model"),
    output:
        folds="results/model/backtest_folds.csv",
        leads="results/model/backtest_leads.csv",
        months="results/model/backtest_months.csv",
        calibration="results/model/candidate/calibration.csv",
    log:
        "logs/model/backtest.log",
    benchmark:
        "logs/benchmarks/backtest.tsv"
    priority: 10
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=1500,
        runtime=30,
    params:
        model=config["model"],
        publication=PUBLICATION,
        forecasts=config["forecasts"],
        backtest=lookup(dpath="evaluation/backtest", within=config),
        window_days=lookup(dpath="monitoring/live_error/window_days", within=config),
    script:
        "../scripts/backtest.py"


# The published files and the decision are update() outputs: Snakemake does not delete them
# before the job, so the published model keeps serving unless the candidate earns its place,
# a candidate identical to the published model leaves the decision that published it, and a
# failed job restores them.
rule promote_model:
    input:
        model="results/model/candidate/model.skops",
        metrics="results/model/candidate/metrics.json",
        holdout="results/model/candidate/holdout_forecasts.csv",
        calibration="results/model/candidate/calibration.csv",
        code=library("promote_model.py"),
        env=software("model"),
    output:
        model=update("results/model/model.skops"),
        metrics=update("results/model/metrics.json"),
        holdout=update("results/model/holdout_forecasts.csv"),
        calibration=update("results/model/calibration.csv"),
        decision=update("results/model/promotion.json"),
    log:
        "logs/model/promote_model.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=300,
        runtime=5,
    params:
        tolerance=lookup(dpath="evaluation/promotion/tolerance", within=config),
    script:
        "../scripts/promote_model.py"


rule permutation_importance:
    input:
        model="results/model/model.skops",
        holdout="results/model/holdout_forecasts.csv",
        daily="results/tables/daily.parquet",
        code=library("permutation_importance.py"),
        env=software("model"),
    output:
        "results/model/permutation_importance.csv",
    log:
        "logs/model/permutation_importance.log",
    benchmark:
        "logs/benchmarks/permutation_importance.tsv"
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=600,
        runtime=10,
    params:
        model=config["model"],
        repeats=lookup(dpath="evaluation/permutation_repeats", within=config),
    script:
        "../scripts/permutation_importance.py"


rule model_card:
    input:
        metrics="results/model/metrics.json",
        leads="results/model/backtest_leads.csv",
        folds="results/model/backtest_folds.csv",
        importance="results/model/permutation_importance.csv",
        drift_monitor="results/monitoring/drift_backtest.json",
        live_monitor="results/monitoring/live_error_backtest.json",
        code=library("model_card.py"),
        env=software("model"),
    output:
        in_report("results/model/model_card.md", "Model"),
    log:
        "logs/model/model_card.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=400,
        runtime=5,
    params:
        dataset=DATASET_WORDS,
        counts=COUNT_TITLES,
        counter_issues=config["sources"][COUNTS].get("issues", ""),
    script:
        "../scripts/model_card.py"
