"""Rule datapackage: describe the tidy tables as a frictionless data package, validated."""

from pathlib import Path

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage
from bikeflow.datapackage import data_package, package_json, table_resource
from bikeflow.dataset import count_columns, link, read_schema, slug
from bikeflow.logs import fail, log_to
from bikeflow.table_schemas import table_schema
from bikeflow.validation import failure_message, validate_package

log = log_to(snakemake.log[0], "datapackage")
params = snakemake.params
package_dir = Path(snakemake.output[0]).parent
span = Coverage.from_json(Path(snakemake.input.coverage).read_text(encoding="utf-8"))
words = params.words
counts = count_columns(read_schema(snakemake.input.counts_schema))

resources = []
for name, csv_path, schema_path in zip(
    params.tables, snakemake.input.tables, snakemake.input.schemas, strict=True
):
    schema = table_schema(read_schema(schema_path), words, counts)
    description = schema["description"]
    if name == "daily":
        description = f"{description} {span.describe()}"
    resources.append(table_resource(name, csv_path, schema, package_dir, description))

package = data_package(
    name=f"{slug(words['counter'])}-bicycle-weather",
    title=f"{words['counter']} bicycle traffic and {words['weather_station']} weather",
    description="Tidy tables built by this repository's workflow from the sources below. "
    + span.describe(),
    sources=[
        {"title": source["description"], "path": link(source["url"], package_dir.as_posix())}
        for source in params.sources.values()
    ],
    resources=resources,
)
checked = validate_package(package, package_dir)
if not checked.valid:
    fail(
        log, failure_message("results/tables/datapackage.json", checked, shown=params.errors_shown)
    )
write_text(snakemake.output[0], package_json(package))
log.info("%d resources, valid", len(resources))
