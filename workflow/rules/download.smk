# The raw file and its record are update() outputs: a download that fails (source
# unreachable, refused) gives back the last good copy, so a later run can still build on it
# offline, as the git copy keeps the last good results. Caveat (Snakemake 9.27): the failed job
# is recorded as having run with the config it failed with, so after a failed switch of `url`
# a plain run does not try again; the message says to retry with `--forcerun download`, as the
# scheduled refresh always does.
rule download:
    input:
        code=library("download.py"),
        env=software("download"),
    output:
        data=update("resources/raw/{source}.csv"),
        record=update("resources/raw/{source}.download.json"),
    log:
        "logs/download/{source}.log",
    conda:
        "../envs/download.yaml"
    resources:
        mem_mb=200,
        runtime=30,
    params:
        url=lookup(dpath="sources/{source}/url", within=config),
        max_bytes=lookup(dpath="sources/{source}/max_bytes", within=config),
        http=config["download"],
    script:
        "../scripts/download.py"


# Every source's raw file: the target of a run's first step (see .github/scripts/ci/run.py),
# or `snakemake all_downloads` to fetch without building anything.
rule all_downloads:
    input:
        expand("resources/raw/{source}.csv", source=SOURCES),
    localrule: True


# What a source served when its data was last accepted (passed validation): URL, ETag,
# Last-Modified, bytes, sha256, and the retry policy of the download (config `download:`);
# committed with the results, so that the scheduled refresh can ask each source whether it
# changed (.github/scripts/ci check-sources) before setting anything up, retrying as the
# download would. It changes only when the data, the URL or the policy does: the download
# record is ancient(), so a re-download of the same bytes (new fetch time, maybe a new ETag)
# does not rewrite it. The policy reaches it as a param, so that a change of it rewrites the
# record through Snakemake's params trigger even when the re-download brings the same bytes.
rule accept_source:
    input:
        data="resources/raw/{source}.csv",
        download=ancient("resources/raw/{source}.download.json"),
        validated="results/validation/{source}.json",
        code=library("accept_source.py"),
        env=software("download"),
    output:
        "results/sources/{source}.json",
    log:
        "logs/download/{source}.accepted.log",
    conda:
        "../envs/download.yaml"
    resources:
        mem_mb=200,
        runtime=5,
    params:
        url=lookup(dpath="sources/{source}/url", within=config),
        http=config["download"],
    script:
        "../scripts/accept_source.py"
