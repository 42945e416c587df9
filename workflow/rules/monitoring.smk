# Monitoring: input drift like for like (and its own backtest), the model's live-error alarm
# on the backtest, the sources' health and the days the model got most wrong. Each rule gets
# the config it uses as params: a drift setting re-runs the two drift rules and what reads
# them, nothing else.


rule drift:
    input:
        daily="results/tables/daily.parquet",
        code=library("drift.py"),
        env=software("model"),
    output:
        "results/monitoring/drift.json",
    log:
        "logs/monitoring/drift.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        features=lookup(dpath="model/features", within=config),
        drift=lookup(dpath="monitoring/drift", within=config),
    script:
        "../scripts/drift.py"


# The drift check as of every month end: the alarm timeline and its false-alarm rate in a
# quiet period.
rule drift_backtest:
    input:
        daily="results/tables/daily.parquet",
        code=library("drift_backtest.py"),
        env=software("model"),
    output:
        alarms="results/monitoring/drift_backtest.csv",
        summary="results/monitoring/drift_backtest.json",
    log:
        "logs/monitoring/drift_backtest.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        features=lookup(dpath="model/features", within=config),
        drift=lookup(dpath="monitoring/drift", within=config),
        quiet_period=lookup(dpath="monitoring/backtest/quiet_period", within=config),
    script:
        "../scripts/drift_backtest.py"


# The live-error alarm applied to the backtest's monthly timeline: its false alarms in the
# quiet period and its delay after the known change.
rule live_error_backtest:
    input:
        "results/model/backtest_months.csv",
        code=library("live_error_backtest.py"),
        env=software("model"),
    output:
        "results/monitoring/live_error_backtest.json",
    log:
        "logs/monitoring/live_error_backtest.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=300,
        runtime=5,
    params:
        live_error=lookup(dpath="monitoring/live_error", within=config),
        backtest=lookup(dpath="monitoring/backtest", within=config),
        counts_published=lookup(dpath=f"sources/{COUNTS}/published", within=config),
    script:
        "../scripts/live_error_backtest.py"


rule data_health:
    input:
        counts="results/tables/hourly_counts.parquet",
        weather="results/tables/weather.parquet",
        daily="results/tables/daily.parquet",
        code=library("data_health.py"),
        env=software("model"),
    output:
        "results/monitoring/health.json",
    log:
        "logs/monitoring/data_health.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        staleness_days=lookup(dpath="monitoring/staleness_days", within=config),
        sources=ROLE,
    script:
        "../scripts/data_health.py"


rule worst_days:
    input:
        holdout="results/model/holdout_forecasts.csv",
        daily="results/tables/daily.parquet",
        code=library("worst_days.py"),
        env=software("model"),
    output:
        "results/monitoring/worst_days.csv",
    log:
        "logs/monitoring/worst_days.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        days=lookup(dpath="monitoring/worst_days", within=config),
        weather_columns=WEATHER_COLUMNS,
    script:
        "../scripts/worst_days.py"


# What each monitor says to people, firing or not: the Actions turn a change of state into
# a GitHub issue opened, commented or closed (.github/scripts/ci/alerts.py).
rule alerts:
    input:
        metrics="results/model/metrics.json",
        live_error="results/monitoring/live_error.json",
        live_monitor="results/monitoring/live_error_backtest.json",
        drift="results/monitoring/drift.json",
        drift_monitor="results/monitoring/drift_backtest.json",
        health="results/monitoring/health.json",
        code=library("alerts.py"),
        env=software("model"),
    output:
        "results/monitoring/alerts.json",
    log:
        "logs/monitoring/alerts.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=200,
        runtime=5,
    script:
        "../scripts/alerts.py"
