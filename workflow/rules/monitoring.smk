# Monitoring: drift like for like (and the monitor's own backtest), the sources' health and
# the days the model got most wrong. Each rule gets exactly the config values it uses as
# params: a drift setting re-runs the two drift rules and what reads them, nothing else.
# Resources: measured on the full data (2012-2021) each job takes 1-3 s and under 300 MB.


rule drift:
    input:
        daily="results/tables/daily.parquet",
        code=library(
            "atomic", "drift", "features", "formats", "logs", "monitoring", "table_io"
        ),
        env=software("model"),
    output:
        "results/monitoring/drift.json",
    log:
        "logs/monitoring/drift.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        target=config["model"]["target"],
        features=config["model"]["features"],
        drift=drift_settings(),
    script:
        "../scripts/drift.py"


# The drift check as of every month end: the alarm timeline, the false-alarm rate in a quiet
# period and the delay on a known change.
rule drift_backtest:
    input:
        daily="results/tables/daily.parquet",
        code=library(
            "atomic", "drift", "features", "formats", "logs", "monitoring", "table_io"
        ),
        env=software("model"),
    output:
        alarms="results/monitoring/drift_backtest.csv",
        summary="results/monitoring/drift_backtest.json",
    log:
        "logs/monitoring/drift_backtest.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        target=config["model"]["target"],
        features=config["model"]["features"],
        drift=drift_settings(),
        backtest=config["monitoring"]["backtest"],
    script:
        "../scripts/drift_backtest.py"


rule data_health:
    input:
        counts="results/tables/hourly_counts.parquet",
        weather="results/tables/weather.parquet",
        daily="results/tables/daily.parquet",
        code=library("atomic", "formats", "logs", "monitoring", "table_io"),
        env=software("model"),
    output:
        "results/monitoring/health.json",
    log:
        "logs/monitoring/data_health.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        staleness_days=config["monitoring"]["staleness_days"],
        sources={"counts": "fremont_bridge", "weather": "seatac_weather"},
    script:
        "../scripts/data_health.py"


rule worst_days:
    input:
        predictions="results/model/holdout_predictions.csv",
        daily="results/tables/daily.parquet",
        code=library("atomic", "formats", "logs", "monitoring", "table_io"),
        env=software("model"),
    output:
        "results/monitoring/worst_days.csv",
    log:
        "logs/monitoring/worst_days.log",
    conda:
        "../envs/model.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    params:
        days=config["monitoring"]["worst_days"],
    script:
        "../scripts/worst_days.py"
