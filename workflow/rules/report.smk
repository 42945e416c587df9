# The results index: results/README.md, what people read when they open results/ on GitHub.


rule results_index:
    input:
        accepted=source_records(),
        coverage="results/tables/coverage.json",
        metrics="results/model/metrics.json",
        health="results/monitoring/health.json",
        drift="results/monitoring/drift.json",
        monitor="results/monitoring/drift_backtest.json",
        worst_days="results/monitoring/worst_days.csv",
        figures=figure_outputs(),
        captions=expand("workflow/report/{figure}.rst", figure=FIGURES),
        code=library("atomic", "daily", "logs", "quality_gate", "results_readme"),
        env=software("tables"),
    output:
        "results/README.md",
    log:
        "logs/report/results_index.log",
    conda:
        "../envs/tables.yaml"
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    params:
        sources={
            name: {"description": source["description"], "url": source["url"]}
            for name, source in config["sources"].items()
        },
        tables=TABLES,
        counter_issues=config["tables"]["counter_issues"],
    script:
        "../scripts/results_index.py"
