"""Rule accept_source: record what a validated source served (committed with the results),
and the retry policy it was downloaded with."""

import json
from pathlib import Path

from bikeflow.atomic import write_text
from bikeflow.download import DownloadRecord, retry_policy
from bikeflow.logs import fail, log_to

log = log_to(snakemake.log[0], "accept_source")
source = snakemake.wildcards.source
download = DownloadRecord(**json.loads(Path(snakemake.input.download).read_text()))

if download.url != snakemake.params.url:
    fail(log, f"{source}: the raw file came from {download.url}, not {snakemake.params.url}")
# With how to ask the source again: the scheduled check asks as the download did.
record = {**download.accepted(), "download": retry_policy(snakemake.params.http)}
write_text(snakemake.output[0], json.dumps(record, indent=2, sort_keys=True) + "\n")
log.info("%s: accepted %d bytes, sha256 %s", source, record["bytes"], record["sha256"])
