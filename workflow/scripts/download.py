"""Rule download: fetch one source into resources/raw/, with a record of what was fetched."""

import json
from pathlib import Path

from bikeflow.atomic import write_text
from bikeflow.download import DownloadError, SourceUnreachable, download
from bikeflow.logs import fail, log_to

# Said when a source does not answer at all: the usual cause is a machine without access.
MIRROR_HINT = (
    "If the source cannot be reached from here, fetch it from a mirror: an extra --configfile "
    'that overrides sources.{source}.url (config/README.md, "Fetching from a mirror").'
)

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
    said = [f"{source}: download failed: {error}"]
    if isinstance(error, SourceUnreachable):
        said.append(MIRROR_HINT.format(source=source))
    if Path(snakemake.output.data).exists():  # an update() output: the last good copy
        said.append(
            f"The last good copy, {snakemake.output.data}, stays; "
            "`snakemake --forcerun download` tries again."
        )
    fail(log, "\n".join(said))

write_text(snakemake.output.record, json.dumps(record.to_dict(), indent=2, sort_keys=True) + "\n")
log.info("%s: %d bytes, sha256 %s, from %s", source, record.bytes, record.sha256, record.final_url)
