"""Rule daily_table: daily counts, flagged, joined with weather and calendar features, and
the date ranges of both sources (results/tables/coverage.json)."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.calendar_features import calendar_of
from bikeflow.daily import (
    aggregate_daily,
    coverage,
    flag_counter_issues,
    join_weather,
    no_overlap_problem,
)
from bikeflow.logs import fail, log_to
from bikeflow.table_io import read_table, write_table
from bikeflow.validation import failure_message, load_schema_descriptor, validate_file

log = log_to(snakemake.log[0], "daily_table")
params = snakemake.params


def curated_issues(paths, schema_path):
    """The counter's curated issues (start, end as dates; reason), validated; an empty list
    when the counts source names none (`sources.<name>.issues`)."""
    frames = [pd.DataFrame({"start": [], "end": [], "reason": []})]
    for path in paths:
        checked = validate_file(path, load_schema_descriptor(schema_path))
        if not checked.valid:
            fail(log, failure_message(path, checked, shown=params.errors_shown))
        frames.append(pd.read_csv(path, dtype=str, keep_default_na=False))
    issues = pd.concat(frames, ignore_index=True)
    issues[["start", "end"]] = issues[["start", "end"]].apply(
        lambda day: pd.to_datetime(day).dt.date
    )
    return issues


issues = curated_issues(snakemake.input.counter_issues, snakemake.input.counter_issues_schema)

hourly = read_table(snakemake.input.counts)
weather = read_table(snakemake.input.weather)
daily = flag_counter_issues(aggregate_daily(hourly, params.tables["timezone"]), issues)

span = coverage(daily, weather, names=(params.sources["counts"], params.sources["weather"]))
problem = no_overlap_problem(span)
if problem is not None:
    fail(log, problem)
if span.truncated:
    log.warning("%s", span.describe())

table = join_weather(daily, weather).reset_index(drop=True)
features = calendar_of(table["date"], params.tables)
table = pd.concat([table, features], axis=1)
write_table(table, snakemake.output.csv, snakemake.output.parquet)
write_text(snakemake.output.coverage, span.to_json())
log.info(
    "%d days; %d incomplete; %d in a curated counter issue",
    len(table),
    int((~table["complete"]).sum()),
    int((table["counter_issue"] != "").sum()),
)
