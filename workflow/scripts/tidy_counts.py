"""Rule tidy_counts: the validated hourly counter export as a tidy hourly table."""

from bikeflow.logs import log_to
from bikeflow.sources import read_hourly_counts
from bikeflow.table_io import write_table
from bikeflow.validation import load_schema_descriptor

log = log_to(snakemake.log[0], "tidy_counts")
hourly = read_hourly_counts(snakemake.input.data, load_schema_descriptor(snakemake.input.schema))
write_table(hourly, snakemake.output.csv, snakemake.output.parquet)
log.info("%d hours, %s to %s", len(hourly), hourly["timestamp"].min(), hourly["timestamp"].max())
