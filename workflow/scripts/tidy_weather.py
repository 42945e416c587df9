"""Rule tidy_weather: the validated GHCN-Daily file as daily weather in tidy units."""

from bikeflow.logs import log_to
from bikeflow.sources import read_daily_weather
from bikeflow.table_io import write_table
from bikeflow.validation import load_schema_descriptor

log = log_to(snakemake.log[0], "tidy_weather")
weather = read_daily_weather(snakemake.input.data, load_schema_descriptor(snakemake.input.schema))
write_table(weather, snakemake.output.csv, snakemake.output.parquet)
flagged = int((weather["quality_flagged"] != "").sum())
log.info(
    "%d days, %s to %s; %d with a failed quality check",
    len(weather),
    weather["date"].min(),
    weather["date"].max(),
    flagged,
)
