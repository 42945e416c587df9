# On invalid data the job fails, so nothing downstream runs; the full report and summary
# stay in the job's logs (Snakemake keeps logs of failed jobs, not their outputs).
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
        errors_shown=config["validation"]["errors_shown"],
    script:
        "../scripts/validate_source.py"
