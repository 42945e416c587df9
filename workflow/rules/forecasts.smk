# Forecasts: issued by the published model on the last day the sources cover, kept as
# records (results/forecasts/issued/<issue date>.csv, never made again), scored when the
# counts of their days are published.


# The record is an update() output: a record that exists is left as issued (the script
# checks and keeps it), whatever changed since and whatever is forced.
rule issue_forecasts:
    input:
        model="results/model/model.skops",
        calibration="results/model/calibration.csv",
        daily="results/tables/daily.parquet",
        weather="results/tables/weather.parquet",
        coverage="results/tables/coverage.json",
        # What each source's data were (their sha256): the validation report changes with
        # the data only, not with the URL they came from.
        validated=expand("results/validation/{source}.json", source=SOURCES),
        code=library("issue_forecasts.py"),
        env=software("model"),
    output:
        record=update("results/forecasts/issued/{issue_date}.csv"),
    log:
        "logs/forecasts/issue_forecasts_{issue_date}.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        model=config["model"],
        forecasts=config["forecasts"],
        tables=config["tables"],
    script:
        "../scripts/issue_forecasts.py"


# The current record under a name that does not change, for people and programs.
rule latest_forecast:
    input:
        current_record,
    output:
        report(
            "results/forecasts/latest.csv",
            caption="../report/files/latest.rst",
            category="Forecasts",
            subcategory="Tables",
        ),
    log:
        "logs/forecasts/latest_forecast.log",
    localrule: True
    conda:
        "../envs/model.yaml"
    shell:
        "cp {input:q} {output:q} 2> {log:q}"


rule score_forecasts:
    input:
        records=issued_records,
        daily="results/tables/daily.parquet",
        coverage="results/tables/coverage.json",
        backtest="results/monitoring/live_error_backtest.json",
        code=library("score_forecasts.py"),
        env=software("model"),
    output:
        scores=report(
            "results/forecasts/scores.csv",
            caption="../report/files/scores.rst",
            category="Forecasts",
            subcategory="Tables",
        ),
        months="results/forecasts/scores_by_month.csv",
        state=report(
            "results/monitoring/live_error.json",
            caption="../report/files/live_error.rst",
            category="Monitoring",
            subcategory="Tables",
        ),
    log:
        "logs/forecasts/score_forecasts.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        target=lookup(dpath="model/target", within=config),
        lead_bands=lookup(dpath="forecasts/lead_bands", within=config),
        live_error=lookup(dpath="monitoring/live_error", within=config),
    script:
        "../scripts/score_forecasts.py"
