"""Rule validate_source: check one raw source against its Table Schema, then check that it
still has everything its published table has (the shrinking-upstream guard).

The report and summary always go to the job's logs (kept when the job fails); only a
source that passes both checks also gets them in results/validation/, which the tidy rules
require.
"""

from bikeflow.atomic import write_text
from bikeflow.logs import fail, log_to
from bikeflow.validation import (
    failure_message,
    load_schema_descriptor,
    lost_data,
    read_published,
    report_json,
    summary_markdown,
    validate_file,
)

log = log_to(snakemake.log.messages, "validate")
source = snakemake.wildcards.source
params = snakemake.params
shown = params.errors_shown


def shrinking_refusal(validation) -> str | None:
    """Why a valid download is refused anyway: it lacks published data (None if it does not,
    if nothing is published yet, or if a person allowed it for this run)."""
    if not params.published:
        return None
    try:
        published = read_published(params.published)
    except ValueError as error:
        fail(log, f"{source}: cannot compare with the published table: {error}")
    if published is None:
        log.info("%s: nothing published yet, nothing to compare with", source)
        return None
    rows = validation.stats.get("rows", 0)
    loss = lost_data(published, validation.days, rows, max_row_drop=params.max_row_drop)
    if loss is None:
        log.info(
            "%s: keeps all %d published days (%d rows, %d published)",
            source,
            len(published.days),
            rows,
            published.rows,
        )
        return None
    lines = loss.describe(shown=shown)
    if params.allow_shrinking:
        log.warning(
            "%s: allowed for this run (validation.allow_shrinking), the download has lost "
            "published data:\n%s",
            source,
            "\n".join(lines),
        )
        return None
    return "\n".join(
        [
            f"{source}: the new download has lost data that is published, so it is refused "
            "and nothing is built from it:",
            *lines,
            "If upstream really removed it, allow it for one run (then drop the setting):",
            f"  snakemake --config 'validation={{allow_shrinking: [{source}]}}'",
            "(validation.allow_shrinking in config/README.md)",
        ]
    )


validation = validate_file(
    snakemake.input.data,
    load_schema_descriptor(snakemake.input.schema),
    required_values=params.required_values,
)
refusal = shrinking_refusal(validation) if validation.valid else None
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
