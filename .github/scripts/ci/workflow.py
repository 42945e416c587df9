"""The names and paths of the Snakemake workflow that the CI steps use, in one place.

They are repeated here rather than read from the workflow: check-sources runs on the
runner's own python3 before any environment exists, so it cannot load Snakemake; and asking
Snakemake in the other steps would cost a parse of the workflow (one to two seconds) per
step and tie this package to Snakemake's internals. (The one list that is asked for, the
rules a forced run re-runs, comes from `snakemake --list-rules`: see run.py.) So that the
copies cannot drift, tests/ci/test_workflow_names.py loads the workflow with Snakemake and
fails when a name here and the .smk files disagree.

Paths of one file per source are patterns with a `{source}` wildcard, as in the rules.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

# Everything made for people (committed by the Actions): every rule's outputs but the
# downloads' are under it.
RESULTS = "results"
# Snakemake's provenance records, one per output file, named by its path in base64.
METADATA = ".snakemake/metadata"

# rule download (workflow/rules/download.smk): one per source, output `data`
DOWNLOAD_RULE = "download"
RAW_DOWNLOAD = "resources/raw/{source}.csv"
# rule accept_source: what a source served when its data last passed validation
ACCEPTED_RECORD = "results/sources/{source}.json"
# rule validate_source: its Markdown summary, kept in the logs when the data are invalid
# and published among the results when they are valid
VALIDATION_SUMMARY_LOG = "logs/validate/{source}.summary.md"
VALIDATION_SUMMARY = "results/validation/{source}.md"
# rule fit_model: the candidate model's metrics on its holdout; rule promote_model: the
# published model's (the candidate's when it was promoted), with the promotion decision
CANDIDATE_METRICS = "results/model/candidate/metrics.json"
METRICS = "results/model/metrics.json"

# The tidy tables people download (rules tidy_counts, tidy_weather, daily_table), by name,
# each with the role (config `sources.<name>.role`) of the source it is made from; None for
# the daily table, which is derived from both. The one place the CI package maps tables to
# sources: by role, not by source name, as the rules do (a fork renames its sources in the
# config only). The role's source name is in COVERAGE; each table's primary key is in
# DATA_PACKAGE. The order is the order the changelog lists them in: sources first.
TABLE = "results/tables/{table}.csv"
TABLE_SOURCE_ROLES = {"hourly_counts": "counts", "weather": "weather", "daily": None}
# rule datapackage: the frictionless data package describing the tables (schema.primaryKey)
DATA_PACKAGE = "results/tables/datapackage.json"
# rule daily_table: each source's role and first and last day
COVERAGE = "results/tables/coverage.json"

# Rules that only name targets; they make nothing.
DOWNLOADS_TARGET = "all_downloads"  # every source's raw file
TABLES_TARGET = "all_tables"  # the validated sources and the tidy tables
TARGET_RULES = frozenset({"all", DOWNLOADS_TARGET, TABLES_TARGET})


def source_of(pattern: str, path: str) -> str | None:
    """The source a path is the `pattern` file of, or None when it is not one."""
    prefix, suffix = pattern.split("{source}")
    if path.startswith(prefix) and path.endswith(suffix) and len(path) > len(prefix + suffix):
        source = path[len(prefix) : len(path) - len(suffix)]
        return None if "/" in source else source
    return None


def existing(pattern: str) -> dict[str, Path]:
    """The `pattern` files in the working tree, by source."""
    paths = Path().glob(pattern.format(source="*"))
    found = {source_of(pattern, path.as_posix()): path for path in paths}
    return {source: found[source] for source in sorted(found) if source is not None}


def directory_of(pattern: str) -> str:
    """The directory that holds every `pattern` file."""
    return PurePosixPath(pattern).parent.as_posix()
