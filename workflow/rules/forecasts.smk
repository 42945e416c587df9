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
        in_report("results/forecasts/latest.csv", "Forecasts"),
    log:
        "logs/forecasts/latest_forecast.log",
    localrule: True
    conda:
        "../envs/model.yaml"
    shell:
        "cp {input:q} {output:q} 2> {log:q}"


# Every record in results/forecasts/issued/ is scored. Only the current one is an input: an
# older record is never made again, and as an input it would bring its issue_forecasts job
# into the DAG, to re-run (and keep the record) whenever the tables change.
rule score_forecasts:
    input:
        current=current_record,
        daily="results/tables/daily.parquet",
        coverage="results/tables/coverage.json",
        backtest="results/monitoring/live_error_backtest.json",
        code=library("score_forecasts.py"),
        env=software("model"),
    output:
        scores=in_report("results/forecasts/scores.csv", "Forecasts"),
        months="results/forecasts/scores_by_month.csv",
        state=in_report("results/monitoring/live_error.json", "Monitoring"),
    log:
        "logs/forecasts/score_forecasts.log",
    conda:
        "../envs/model.yaml"
    resources:
        mem_mb=500,
        runtime=5,
    params:
        issued="results/forecasts/issued",
        target=lookup(dpath="model/target", within=config),
        lead_bands=lookup(dpath="forecasts/lead_bands", within=config),
        live_error=lookup(dpath="monitoring/live_error", within=config),
    script:
        "../scripts/score_forecasts.py"
