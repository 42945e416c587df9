# The table each source is published as, one row per raw row with its day in `date` (made by
# the rules in tables.smk). validate_source compares a new download with it before anything
# overwrites it: a refresh must not silently lose published days (see config/README.md).
# Read through params, not input: it is made downstream of this rule.
PUBLISHED_TABLES = {
    "fremont_bridge": "results/tables/hourly_counts.csv",
    "seatac_weather": "results/tables/weather.csv",
}


# On invalid data, or valid data that lost published days, the job fails, so nothing
# downstream runs; the full report and summary stay in the job's logs (Snakemake keeps logs of
# failed jobs, not their outputs, and deletes a job's outputs when it starts: a failed
# validation leaves no results/validation/<source>.* in the working tree until the source
# passes again; what is committed is untouched).
rule validate_source:
    input:
        data="resources/raw/{source}.csv",
        schema=source_setting("schema"),
        code=library("atomic", "logs", "validation"),
        env=software("validate"),
    output:
        report="results/validation/{source}.json",
        summary="results/validation/{source}.md",
    log:
        messages="logs/validate/{source}.log",
        report="logs/validate/{source}.report.json",
        summary="logs/validate/{source}.summary.md",
    conda:
        "../envs/validate.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        description=source_setting("description"),
        required_values=lambda wildcards: config["sources"][wildcards.source].get(
            "required_values", {}
        ),
        errors_shown=config["validation"]["errors_shown"],
        published=lambda wildcards: PUBLISHED_TABLES.get(wildcards.source, ""),
        max_row_drop=config["validation"]["max_row_drop"],
        # True for this run only when a person listed the source (config/README.md).
        allow_shrinking=lambda wildcards: wildcards.source
        in config["validation"]["allow_shrinking"],
    script:
        "../scripts/validate_source.py"
