# The table each source is published as, one row per raw row with its day in `date` (made by
# the rules in tables.smk). validate_source compares a new download with it before anything
# overwrites it: a refresh must not silently lose published days (see config/README.md).
# Read through params, not input: it is made downstream of this rule.
PUBLISHED_TABLES = {
    "fremont_bridge": "results/tables/hourly_counts.csv",
    "seatac_weather": "results/tables/weather.csv",
}


# A failed validation (invalid data, or valid data that lost published days) fails the job,
# so nothing downstream runs. The reports are update(): Snakemake backs up the last good ones
# when the job starts and restores them when it fails, so results/ is left as it was; the
# failed run's report and summary are in the job's logs. The tidy rules take the `passed`
# marker as their input instead: it is an ordinary output, deleted when the job starts and
# written only when this download passed, so after a failure the next run validates again
# rather than taking the restored reports for a validation of the new download.
rule validate_source:
    input:
        data="resources/raw/{source}.csv",
        schema=source_setting("schema"),
        code=library("atomic", "logs", "validation"),
        env=software("validate"),
    output:
        report=update("results/validation/{source}.json"),
        summary=update("results/validation/{source}.md"),
        passed="resources/raw/{source}.validated.json",
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
