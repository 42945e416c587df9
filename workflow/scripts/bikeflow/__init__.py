"""Library behind the workflow's scripts: pure functions, no Snakemake import.

One module per job to be done, in the order of the data flow (see workflow/Snakefile):
download (fetch a source) -> validation (its Table Schema, the station, the shrinking
guard) -> sources (raw files into tidy tables) -> daily (aggregate, flag, join, coverage)
and calendar_features -> table_io and datapackage (write tables for people and code) ->
features (what a forecast may know, baselines, scores) -> model (scikit-learn: fit,
backtest, importance), persistence (skops) and quality_gate -> drift and monitoring
(feature drift, freshness, worst days) -> model_card and results_readme (pages for people).
Shared: atomic (complete files or none), formats (stable JSON and CSV), logs, plotting.
"""
