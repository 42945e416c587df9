"""Rule score_forecasts: every issued forecast whose day's count has since been published,
scored against it; by lead band next to the error expected when it was issued; the
live-error alarm as of the last published count."""

import json
from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.forecast import issue_dates, read_records, score, scores_by_band
from bikeflow.formats import csv_text, json_text
from bikeflow.live_error import LiveErrorSettings, state, timeline
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "score_forecasts")
params = snakemake.params


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


settings = LiveErrorSettings.from_config(params.live_error)
records = read_records(sorted(Path(params.issued).glob("*.csv")))
scored = score(records, read_table(snakemake.input.daily), params.target)
as_of = issue_dates(read_json(snakemake.input.coverage))["last_count_day"]
month_ends = (
    pd.date_range(scored["date"].min(), as_of, freq="ME") if len(scored) else pd.DatetimeIndex([])
)
live = state(scored, as_of, settings, read_json(snakemake.input.backtest))

write_text(snakemake.output.scores, csv_text(scores_by_band(scored, params.lead_bands).round(4)))
write_text(
    snakemake.output.months, csv_text(timeline(scored, month_ends, settings.window_days).round(4))
)
write_text(snakemake.output.state, json_text(live))
log.info(
    "%d records, %d forecasts, %d scored; live error as of %s: %s",
    records["issue_date"].nunique(),
    len(records),
    len(scored),
    live["as_of"],
    "ALARM" if live["alarm"] else f"ratio {live['ratio']}",
)
