"""Rule drift_backtest: the drift check as of every month end of the history (the alarm
timeline) and what it measures: false alarms in a quiet period, delay on a known change."""

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
    target=params.target,
    features=Features.from_config(params.features),
    settings=DriftSettings.from_config(params.drift),
)
summary = backtest_summary(
    alarms,
    target=params.target,
    quiet_period=params.backtest["quiet_period"],
    # The monitor measures against the date (and reports the description); the label is the
    # figures' name for it.
    known_change={key: params.backtest["known_change"][key] for key in ("date", "description")},
)
write_text(snakemake.output.alarms, csv_text(rounded_columns(alarms, ["psi", "ks_statistic"])))
write_text(snakemake.output.summary, json_text(summary))

if "note" in summary:
    log.warning("%s", summary["note"])
quiet, change = summary["quiet_period"], summary["known_change"]
log.info(
    "%d month ends checked; quiet period %s to %s: %d of %d month ends with a weather or "
    "daylight alarm",
    summary["month_ends"]["count"],
    quiet["start"],
    quiet["end"],
    quiet["alarm_month_ends"],
    quiet["month_ends"],
)
log.info(
    "%s alarm after %s (%s): %s",
    change["feature"],
    change["date"],
    change["description"],
    change["first_alarm"] or change.get("note", "none"),
)
