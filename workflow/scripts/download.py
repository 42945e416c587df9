"""Rule download: fetch one source into resources/raw/, with a record of what was fetched."""

import json

from bikeflow.atomic import write_text
from bikeflow.download import DownloadError, download
from bikeflow.logs import fail, log_to

log = log_to(snakemake.log[0], "download")
source = snakemake.wildcards.source
http = snakemake.params.http

try:
    record = download(
        snakemake.params.url,
        snakemake.output.data,
        max_bytes=snakemake.params.max_bytes,
        timeout_seconds=http["timeout_seconds"],
        retries=http["retries"],
        backoff_factor=http["backoff_factor"],
        backoff_max=http["backoff_max_seconds"],
    )
except DownloadError as error:
    fail(log, f"{source}: download failed: {error}")

write_text(snakemake.output.record, json.dumps(record.to_dict(), indent=2, sort_keys=True) + "\n")
log.info("%s: %d bytes, sha256 %s, from %s", source, record.bytes, record.sha256, record.final_url)
