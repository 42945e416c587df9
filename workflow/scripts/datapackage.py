"""Rule datapackage: describe the tidy tables as a frictionless data package, validated."""

from pathlib import Path

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage
from bikeflow.datapackage import data_package, package_json, table_resource
from bikeflow.logs import fail, log_to
from bikeflow.validation import failure_message, load_schema_descriptor, validate_package

log = log_to(snakemake.log[0], "datapackage")
params = snakemake.params
package_dir = Path(snakemake.output[0]).parent
span = Coverage.from_json(Path(snakemake.input.coverage).read_text(encoding="utf-8"))

resources = []
for name, csv_path, schema_path in zip(
    params.tables, snakemake.input.tables, snakemake.input.schemas, strict=True
):
    schema = load_schema_descriptor(schema_path)
    description = schema["description"]
    if name == "daily":
        description = f"{description} {span.describe()}"
    resources.append(table_resource(name, csv_path, schema, package_dir, description))

package = data_package(
    name="fremont-bridge-bicycle-weather",
    title="Fremont Bridge bicycle traffic and Sea-Tac weather",
    description="Tidy tables built by this repository's workflow from the sources below. "
    + span.describe(),
    sources=[
        {"title": source["description"], "path": source["url"]}
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
