"""Rule drift_backtest: the drift check as of every month end of the history (the alarm
timeline) and what it measures: false alarms, on any compared feature, in a quiet period."""

from bikeflow.atomic import write_text
from bikeflow.drift import DriftSettings, backtest_summary, drift_backtest
from bikeflow.features import Features
from bikeflow.formats import csv_text, json_text, rounded_columns
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "drift_backtest")
params = snakemake.params

alarms = drift_backtest(
    read_table(snakemake.input.daily),
    features=Features.from_config(params.features),
    settings=DriftSettings.from_config(params.drift),
)
summary = backtest_summary(alarms, quiet_period=params.quiet_period)
write_text(snakemake.output.alarms, csv_text(rounded_columns(alarms, ["psi", "ks_statistic"])))
write_text(snakemake.output.summary, json_text(summary))

if "note" in summary:
    log.warning("%s", summary["note"])
quiet = summary["quiet_period"]
log.info(
    "%d month ends checked; quiet period %s to %s: %d of %d month ends with an alarm",
    summary["month_ends"]["count"],
    quiet["start"],
    quiet["end"],
    quiet["alarm_month_ends"],
    quiet["month_ends"],
)
