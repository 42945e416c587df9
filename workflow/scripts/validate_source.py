"""Rule validate_source: check one raw source against its Table Schema, then check that it
still has everything its published table has (bikeflow.validation.shrinking_check).

The report and summary always go to the job's logs (kept when the job fails); only a
source that passes both checks also gets them in results/validation/, which the tidy rules
require.
"""

from bikeflow.atomic import write_text
from bikeflow.logs import fail, log_to
from bikeflow.validation import (
    failure_message,
    load_schema_descriptor,
    report_json,
    shrinking_check,
    summary_markdown,
    validate_file,
)

log = log_to(snakemake.log.messages, "validate")
source = snakemake.wildcards.source
params = snakemake.params
settings = params.validation
shown = settings["errors_shown"]

validation = validate_file(
    snakemake.input.data,
    load_schema_descriptor(snakemake.input.schema),
    required_values=params.required_values,
)
refusal = None
if validation.valid:
    try:
        refusal, note = shrinking_check(
            source,
            validation,
            params.published,
            max_row_drop=settings["max_row_drop"],
            allowed=source in settings["allow_shrinking"],
            shown=shown,
        )
    except ValueError as error:
        fail(log, f"{source}: cannot compare with the published table: {error}")
    log.info("%s", note)
report = report_json(validation)
summary = summary_markdown(
    source, params.description, snakemake.input.schema, validation, shown=shown, refusal=refusal
)
write_text(snakemake.log.report, report)
write_text(snakemake.log.summary, summary)

if not validation.valid:
    fail(log, failure_message(source, validation, shown=shown, report_path=snakemake.log.report))
if refusal is not None:
    fail(log, refusal)

write_text(snakemake.output.report, report)
write_text(snakemake.output.summary, summary)
log.info("%s: valid, %d rows", source, validation.stats.get("rows", 0))
