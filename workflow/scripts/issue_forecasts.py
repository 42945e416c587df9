"""Rule issue_forecasts: the record of the forecasts issued on the issue date (the last day
the sources cover), made by the published model from what was known that day. A record that
exists was issued before and is kept as it is: the record is an update() output, so
Snakemake leaves it in place, and this script never writes over it."""

import json
from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.calendar_features import calendar_of
from bikeflow.calibration import CalibrationSettings, apply
from bikeflow.features import DAY, ModelSettings, feature_frame
from bikeflow.forecast import (
    RecordError,
    days_to_forecast,
    issue_dates,
    live_days,
    make_record,
    read_record,
)
from bikeflow.formats import csv_text, file_sha256, iso
from bikeflow.logs import fail, log_to
from bikeflow.model import TRUSTED_TYPES, predict
from bikeflow.persistence import load_model
from bikeflow.publication import weather_known
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "issue_forecasts")
params = snakemake.params
record_path = Path(snakemake.output.record)


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


if record_path.exists():
    try:
        kept = read_record(record_path)
    except RecordError as error:
        fail(log, f"{error}. An issued record is never rewritten: restore it from git.")
    log.info("%s: issued before, kept as issued (%d forecasts)", record_path, len(kept))
    raise SystemExit(0)

dates = issue_dates(read_json(snakemake.input.coverage))
if iso(dates["issue_date"]) != snakemake.wildcards.issue_date:
    fail(
        log, f"the sources end on {iso(dates['issue_date'])}, not {snakemake.wildcards.issue_date}"
    )
settings = ModelSettings.from_config(params.model)
daily = read_table(snakemake.input.daily)
pairs = days_to_forecast(dates, params.forecasts["days_ahead"])
later = pd.Series(
    pd.date_range(pd.to_datetime(daily["date"]).max() + DAY, pairs["date"].max()).date
)
calendar = calendar_of(later, params.tables).assign(date=later)
days = live_days(daily, read_table(snakemake.input.weather), calendar, settings)
sha256s = {"model": file_sha256(snakemake.input.model)} | {
    Path(path).stem: read_json(path)["tasks"][0]["stats"]["sha256"]
    for path in snakemake.input.validated
}
model = load_model(snakemake.input.model, trusted=TRUSTED_TYPES)
predicted = predict(model, feature_frame(days, pairs, settings.features))
expected = apply(
    pd.read_csv(snakemake.input.calibration),
    pairs.assign(weather_known=weather_known(pairs), model=predicted),
    CalibrationSettings.from_config(params.forecasts),
)
record = make_record(pairs, predicted, expected, sha256s)
write_text(record_path, csv_text(record))
log.info(
    "issued %s: %d forecasts, %s to %s, leads %d to %d days after the last count (%s)",
    snakemake.wildcards.issue_date,
    len(record),
    record["date"].iloc[0],
    record["date"].iloc[-1],
    record["lead_days"].min(),
    record["lead_days"].max(),
    iso(dates["last_count_day"]),
)
