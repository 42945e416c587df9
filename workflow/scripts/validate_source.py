"""Rule validate_source: check one raw source against its Table Schema.

The report and summary always go to the job's logs (kept when the job fails); only a
valid source also gets them in results/validation/, which downstream rules require.
"""

from bikeflow.atomic import write_text
from bikeflow.logs import fail, log_to
from bikeflow.validation import (
    failure_message,
    load_schema_descriptor,
    report_json,
    summary_markdown,
    validate_file,
)

log = log_to(snakemake.log.messages, "validate")
source = snakemake.wildcards.source
shown = snakemake.params.errors_shown

validation = validate_file(snakemake.input.data, load_schema_descriptor(snakemake.input.schema))
report = report_json(validation)
summary = summary_markdown(
    source, snakemake.params.description, snakemake.input.schema, validation, shown=shown
)
write_text(snakemake.log.report, report)
write_text(snakemake.log.summary, summary)

if not validation.valid:
    fail(log, failure_message(source, validation, shown=shown, report_path=snakemake.log.report))

write_text(snakemake.output.report, report)
write_text(snakemake.output.summary, summary)
log.info("%s: valid, %d rows", source, validation.stats.get("rows", 0))
