# Names and input functions shared by the rule modules.

SOURCES = list(config["sources"])
TABLES = ["hourly_counts", "weather", "daily"]


wildcard_constraints:
    source="|".join(SOURCES),
    table="|".join(TABLES),


def source_setting(key):
    """An input/params function returning one setting of the {source} wildcard's entry."""
    return lambda wildcards: config["sources"][wildcards.source][key]


def library(*modules):
    """Library modules a rule's script imports. Snakemake tracks a script's own code but
    not what it imports, so these are declared as inputs: editing one re-runs exactly the
    rules that use it. Paths are relative to the repository, like every other input."""
    return [
        f"workflow/scripts/bikeflow/{module}.py" for module in ("__init__", *modules)
    ]


def validation_reports():
    return expand(
        "results/validation/{source}.{ext}", source=SOURCES, ext=["json", "md"]
    )


def table_outputs():
    return expand("results/tables/{table}.{ext}", table=TABLES, ext=["csv", "parquet"])
