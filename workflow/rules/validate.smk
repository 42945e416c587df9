# The table each source is published as, one row per raw row with its day in `date` (made by
# the rules in tables.smk). validate_source compares a new download with it before anything
# overwrites it: a refresh must not silently lose published days (see config/README.md).
# Read through params, not input: it is made downstream of this rule.
PUBLISHED_TABLES = {
    COUNTS: "results/tables/hourly_counts.csv",
    WEATHER: "results/tables/weather.csv",
}


# On invalid data, or valid data that lost published days, the job fails, so nothing
# downstream runs; the full report and summary stay in the job's logs (Snakemake keeps logs of
# failed jobs, not their outputs, and deletes a job's outputs when it starts: a failed
# validation leaves no results/validation/<source>.* in the working tree until the source
# passes again; what is committed is untouched).
rule validate_source:
    input:
        data="resources/raw/{source}.csv",
        schema=lookup(dpath="sources/{source}/schema", within=config),
        code=library("validate_source.py"),
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
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        description=lookup(dpath="sources/{source}/description", within=config),
        required_values=lookup(
            dpath="sources/{source}/required_values", within=config, default={}
        ),
        published=lookup(dpath="{source}", within=PUBLISHED_TABLES),
        validation=config["validation"],
    script:
        "../scripts/validate_source.py"
