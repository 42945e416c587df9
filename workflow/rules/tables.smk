# Tidy tables from validated sources. Each rule takes its source's validation report as an
# input: the report exists only when the source passed, so nothing here runs on bad data.


rule tidy_counts:
    input:
        data=f"resources/raw/{COUNTS}.csv",
        validated=f"results/validation/{COUNTS}.json",
        schema=config["sources"][COUNTS]["schema"],
        code=library("tidy_counts.py"),
        env=software("tables"),
    output:
        csv="results/tables/hourly_counts.csv",
        parquet="results/tables/hourly_counts.parquet",
    log:
        "logs/tables/tidy_counts.log",
    conda:
        "../envs/tables.yaml"
    resources:
        mem_mb=1000,
        runtime=20,
    script:
        "../scripts/tidy_counts.py"


rule tidy_weather:
    input:
        data=f"resources/raw/{WEATHER}.csv",
        validated=f"results/validation/{WEATHER}.json",
        schema=config["sources"][WEATHER]["schema"],
        code=library("tidy_weather.py"),
        env=software("tables"),
    output:
        csv="results/tables/weather.csv",
        parquet="results/tables/weather.parquet",
    log:
        "logs/tables/tidy_weather.log",
    conda:
        "../envs/tables.yaml"
    resources:
        mem_mb=1000,
        runtime=20,
    script:
        "../scripts/tidy_weather.py"


# A checkpoint: the issue date of the forecasts (the last day the sources cover, in
# coverage.json) names the record rule issue_forecasts makes (see current_record).
checkpoint daily_table:
    input:
        counts="results/tables/hourly_counts.parquet",
        weather="results/tables/weather.parquet",
        counter_issues=COUNTER_ISSUES,
        counter_issues_schema="workflow/schemas/tables/counter_issues.schema.yaml",
        code=library("daily_table.py"),
        env=software("tables"),
    output:
        csv=in_report("results/tables/daily.csv", "Data"),
        parquet="results/tables/daily.parquet",
        coverage="results/tables/coverage.json",
    log:
        "logs/tables/daily_table.log",
    conda:
        "../envs/tables.yaml"
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        tables=config["tables"],
        errors_shown=config["validation"]["errors_shown"],
        sources=ROLE,
    script:
        "../scripts/daily_table.py"


rule datapackage:
    input:
        tables=expand("results/tables/{table}.csv", table=TABLES),
        schemas=expand("workflow/schemas/tables/{table}.schema.yaml", table=TABLES),
        counts_schema=config["sources"][COUNTS]["schema"],
        coverage="results/tables/coverage.json",
        code=library("datapackage.py"),
        env=software("tables"),
    output:
        "results/tables/datapackage.json",
    log:
        "logs/tables/datapackage.log",
    conda:
        "../envs/tables.yaml"
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        tables=TABLES,
        words=table_words(config),
        sources=SOURCE_DESCRIPTIONS,
        errors_shown=config["validation"]["errors_shown"],
    script:
        "../scripts/datapackage.py"


# The validated sources and the tidy tables: the target of a run's second step (see
# .github/scripts/ci/run.py). A new weather day beyond the last count changes the weather table
# but not the daily one; built in an invocation of their own, an unchanged daily table is
# then recognised by its checksum and nothing after it re-runs.
rule all_tables:
    input:
        expand("results/validation/{source}.{ext}", source=SOURCES, ext=["json", "md"]),
        expand("results/sources/{source}.json", source=SOURCES),
        expand("results/tables/{table}.{ext}", table=TABLES, ext=["csv", "parquet"]),
    localrule: True
