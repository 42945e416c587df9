"""Rule alerts: what each monitor says to the people who must act (results/monitoring/
alerts.json), firing or not; the Actions carry it to GitHub issues."""

import json
from pathlib import Path

from bikeflow.alerts import alerts
from bikeflow.atomic import write_text
from bikeflow.logs import log_to

log = log_to(snakemake.log[0], "alerts")
inputs = snakemake.input


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


found = alerts(
    read_json(inputs.metrics),
    read_json(inputs.live_error),
    read_json(inputs.live_monitor),
    read_json(inputs.drift),
    read_json(inputs.drift_monitor),
    read_json(inputs.health),
)
write_text(snakemake.output[0], json.dumps({"alerts": found}, indent=2, ensure_ascii=False) + "\n")
firing = [f"{alert['monitor']}/{alert['subject']}" for alert in found if alert["firing"]]
(log.warning if firing else log.info)("firing: %s", ", ".join(firing) or "none")
