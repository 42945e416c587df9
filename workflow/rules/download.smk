rule download:
    input:
        code=library("atomic", "download", "logs"),
        env=software("download"),
    output:
        data="resources/raw/{source}.csv",
        record="resources/raw/{source}.download.json",
    log:
        "logs/download/{source}.log",
    conda:
        "../envs/download.yaml"
    threads: 1
    resources:
        mem_mb=200,
        runtime=30,
    params:
        url=source_setting("url"),
        max_bytes=source_setting("max_bytes"),
        http=config["download"],
    script:
        "../scripts/download.py"


# Every source's raw file: the target of a refresh's first step (see .github/scripts/ci.py),
# or `snakemake downloads` to fetch without building anything.
rule downloads:
    input:
        expand("resources/raw/{source}.csv", source=SOURCES),
    localrule: True
