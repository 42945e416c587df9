"""Rule drift: each feature and the target, training period against the most recent days."""

from bikeflow.atomic import write_text
from bikeflow.logs import log_to
from bikeflow.model import Features, json_text, rounded
from bikeflow.monitoring import drift_report
from bikeflow.tables import read_table

log = log_to(snakemake.log[0], "drift")
params = snakemake.params

report = drift_report(
    read_table(snakemake.input.daily),
    target=params.target,
    features=Features.from_config(params.features),
    holdout_months=params.holdout_months,
    window_days=params.window_days,
    bins=params.psi_bins,
    psi_threshold=params.psi_threshold,
    ks_threshold=params.ks_threshold,
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
if report["drifted"]:
    log.warning("drifted since training: %s", ", ".join(report["drifted"]))
