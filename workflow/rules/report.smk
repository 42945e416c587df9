# The results index: results/README.md, what people read when they open results/ on GitHub.


rule results_index:
    input:
        accepted=expand("results/sources/{source}.json", source=SOURCES),
        coverage="results/tables/coverage.json",
        metrics="results/model/metrics.json",
        health="results/monitoring/health.json",
        drift="results/monitoring/drift.json",
        drift_monitor="results/monitoring/drift_backtest.json",
        live_error="results/monitoring/live_error.json",
        live_monitor="results/monitoring/live_error_backtest.json",
        latest="results/forecasts/latest.csv",
        scores="results/forecasts/scores.csv",
        worst_days="results/monitoring/worst_days.csv",
        figures=expand("results/figures/{figure}.png", figure=FIGURES),
        captions=expand("workflow/report/{figure}.rst", figure=FIGURES),
        code=library("results_index.py"),
        env=software("tables"),
    output:
        "results/README.md",
    log:
        "logs/report/results_index.log",
    conda:
        "../envs/tables.yaml"
    resources:
        mem_mb=300,
        runtime=5,
    params:
        sources=lookup(dpath="sources", within=config),
        tables=TABLES,
        counter_issues=config["sources"][COUNTS].get("issues", ""),
        dataset=DATASET_WORDS,
    script:
        "../scripts/results_index.py"


# The configuration the run used, with every override applied: Snakemake's report leaves
# config files out, and people reading results/ should see what made them.
rule run_config:
    input:
        code=library("run_config.py"),
        env=software("tables"),
    output:
        in_report("results/config.yaml", "Configuration", "Files"),
    log:
        "logs/report/run_config.log",
    conda:
        "../envs/tables.yaml"
    params:
        config=KEPT_CONFIG,
    script:
        "../scripts/run_config.py"
