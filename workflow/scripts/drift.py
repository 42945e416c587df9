"""Rule drift: each input feature, the recent window against the same weeks of the reference
years."""

from bikeflow.atomic import write_text
from bikeflow.drift import DriftSettings, drift_report
from bikeflow.features import Features
from bikeflow.formats import json_text, rounded
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "drift")
params = snakemake.params

report = drift_report(
    read_table(snakemake.input.daily),
    features=Features.from_config(params.features),
    settings=DriftSettings.from_config(params.drift),
)
write_text(snakemake.output[0], json_text(report))
for row in rounded(report["features"]):
    log.info(
        "%s: PSI %s, KS %s%s",
        row["feature"],
        row["psi"],
        row["ks_statistic"],
        " DRIFTED" if row["drifted"] else "",
    )
for row in report["without_reference"]:
    log.warning("%s not checked: %s", row["feature"], row["reason"])
if report["drifted"]:
    log.warning("drifted against the same weeks of earlier years: %s", ", ".join(report["drifted"]))
