"""Rule live_error_backtest: the live-error alarm applied to the backtest's timeline (its
forecasts calibrated as the published ones are): false alarms in the quiet period, delay
after the known change."""

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.formats import json_text
from bikeflow.live_error import LiveErrorSettings, backtest_summary
from bikeflow.logs import log_to
from bikeflow.publication import SourcePublication

log = log_to(snakemake.log[0], "live_error_backtest")
params = snakemake.params

summary = backtest_summary(
    pd.read_csv(snakemake.input[0], dtype={"as_of": str}),
    LiveErrorSettings.from_config(params.live_error),
    params.backtest["quiet_period"],
    params.backtest["known_change"],
    SourcePublication.from_config(params.counts_published),
)
write_text(snakemake.output[0], json_text(summary))
quiet, change = summary["quiet_period"], summary["known_change"]
log.info(
    "quiet period %s to %s: %d of %d month ends alarmed; after %s: first alarm %s",
    quiet["start"],
    quiet["end"],
    quiet["alarm_month_ends"],
    quiet["month_ends"],
    change["date"],
    change["first_alarm"],
)
