"""Rule worst_days: the holdout days the model got most wrong, with their weather."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.formats import csv_text
from bikeflow.logs import log_to
from bikeflow.monitoring import worst_days
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "worst_days")

table = worst_days(
    pd.read_csv(snakemake.input.holdout),
    read_table(snakemake.input.daily),
    count=snakemake.params.days,
    weather_columns=snakemake.params.weather_columns,
)
write_text(snakemake.output[0], csv_text(table))
log.info(
    "%d worst days; largest error %s on %s",
    len(table),
    table["error"].iloc[0] if len(table) else None,
    table["date"].iloc[0] if len(table) else None,
)
