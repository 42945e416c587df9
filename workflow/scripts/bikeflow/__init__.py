"""Library behind the workflow's scripts: pure functions, no Snakemake import.

Each module serves one stage of the data flow (see workflow/Snakefile):
download -> validation -> sources (tidy raw tables) -> daily (aggregate, flag, join)
-> calendar features -> tables and datapackage (write for people).
"""
