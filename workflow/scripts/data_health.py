"""Rule data_health: how fresh each source is and what the daily table covers."""

from bikeflow.atomic import write_text
from bikeflow.formats import json_text
from bikeflow.logs import log_to
from bikeflow.monitoring import health_report
from bikeflow.table_io import read_table

log = log_to(snakemake.log[0], "data_health")

report = health_report(
    read_table(snakemake.input.counts),
    read_table(snakemake.input.weather),
    read_table(snakemake.input.daily),
    staleness_days=snakemake.params.staleness_days,
    names=(snakemake.params.sources["counts"], snakemake.params.sources["weather"]),
)
write_text(snakemake.output[0], json_text(report))
for source in report["sources"]:
    log.info(
        "%s: %s to %s, %s days behind the newest source",
        source["name"],
        source["first"],
        source["last"],
        source["lag_days"],
    )
if report["stale_sources"]:
    log.warning("stale sources: %s", ", ".join(report["stale_sources"]))
