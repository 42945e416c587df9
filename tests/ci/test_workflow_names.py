"""ci/workflow.py repeats names and paths of the Snakemake workflow (why: its docstring).
Here Snakemake itself reads the workflow, and every repeated name must be what the .smk
files say; the workflows' cache paths must hold what the package calls the downloads."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.workflow import REPOSITORY, copy_repository

from ci import workflow

# Run in a copy (Snakemake leaves .snakemake/ behind) and in a process of its own.
READ_RULES = r"""
import json, re, sys
from pathlib import Path
from snakemake.api import SnakemakeApi
from snakemake.settings.types import OutputSettings, ResourceSettings

def plain(pattern):  # "{source,a|b}" -> "{source}": the wildcard without its constraint
    return re.sub(r"\{(\w+),[^}]*\}", r"{\1}", str(pattern))

with SnakemakeApi(OutputSettings()) as api:
    snakefile, here = Path("workflow/Snakefile"), Path(".")
    loaded = api.workflow(ResourceSettings(), snakefile=snakefile, workdir=here)
    rules = {
        rule.name: {
            "input": [plain(path) for path in rule.input],
            "output": [plain(path) for path in rule.output],
            "log": [plain(path) for path in rule.log],
        }
        for rule in loaded._workflow.rules
    }
    shared = ["ROLE", "TABLES", "PUBLISHED_TABLES"]
    names = {name: loaded._workflow.globals[name] for name in shared}
Path(sys.argv[1]).write_text(json.dumps({"rules": rules, "globals": names}))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict:
    """The workflow as Snakemake reads it: every rule with its inputs, outputs and logs,
    and the names the rule modules share (common.smk, validate.smk) that the package
    repeats."""
    root = tmp_path_factory.mktemp("names")
    copy = copy_repository(root / "repository")
    found = root / "rules.json"
    completed = subprocess.run(
        [sys.executable, "-c", READ_RULES, str(found)],
        cwd=copy,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(found.read_text())


@pytest.fixture(scope="module")
def rules(loaded: dict) -> dict[str, dict[str, list[str]]]:
    return loaded["rules"]


@pytest.fixture(scope="module")
def shared_names(loaded: dict) -> dict:
    return loaded["globals"]


SOURCES = sorted(yaml.safe_load((REPOSITORY / "config/config.yaml").read_text())["sources"])


def each_source(pattern: str) -> list[str]:
    return [pattern.format(source=source) for source in SOURCES]


def test_the_download_rule_makes_the_raw_files_that_all_downloads_names(rules):
    assert workflow.RAW_DOWNLOAD in rules[workflow.DOWNLOAD_RULE]["output"]
    assert sorted(rules[workflow.DOWNLOADS_TARGET]["input"]) == each_source(workflow.RAW_DOWNLOAD)


def test_the_target_rules_are_the_rules_that_make_nothing(rules):
    assert {name for name, rule in rules.items() if not rule["output"]} == workflow.TARGET_RULES


def test_the_tables_target_includes_each_sources_accepted_record(rules):
    """check-sources reads them; the run's tables step must have made them."""
    assert set(each_source(workflow.ACCEPTED_RECORD)) <= set(rules[workflow.TABLES_TARGET]["input"])


def test_accepted_records_and_validation_summaries_are_where_the_package_reads_them(rules):
    assert rules["accept_source"]["output"] == [workflow.ACCEPTED_RECORD]
    assert workflow.VALIDATION_SUMMARY in rules["validate_source"]["output"]
    assert workflow.VALIDATION_SUMMARY_LOG in rules["validate_source"]["log"]


def test_the_metrics_the_preview_compares_are_made_by_their_rules(rules):
    assert workflow.CANDIDATE_METRICS in rules["fit_model"]["output"]
    assert workflow.METRICS in rules["promote_model"]["output"]


def test_everything_but_the_downloads_is_made_under_results(rules):
    """publish commits results/ (and its provenance) and nothing else: nothing is left out."""
    outside = {
        output
        for name, rule in rules.items()
        if name != workflow.DOWNLOAD_RULE
        for output in rule["output"]
        if not output.startswith(f"{workflow.RESULTS}/")
    }
    assert outside == set()


def making(rules: dict, output: str) -> dict[str, list[str]]:
    """The rule that makes `output`."""
    (rule,) = [rule for rule in rules.values() if output in rule["output"]]
    return rule


def test_the_tables_are_the_workflows_each_made_from_its_roles_source(rules, shared_names):
    """The changelog's one map of tables to sources: each table's rule reads the raw
    download of the source of its role (config `role`), and the derived one reads none."""
    tables = workflow.TABLE_SOURCE_ROLES
    assert list(tables) == shared_names["TABLES"]
    source_of_role = shared_names["ROLE"]
    for table, role in tables.items():
        downloads = {
            path
            for path in making(rules, workflow.TABLE.format(table=table))["input"]
            if workflow.source_of(workflow.RAW_DOWNLOAD, path)
        }
        expected = (
            set() if role is None else {workflow.RAW_DOWNLOAD.format(source=source_of_role[role])}
        )
        assert downloads == expected, table
    # validate_source compares a download with the table its source is published as.
    assert shared_names["PUBLISHED_TABLES"] == {
        source_of_role[role]: workflow.TABLE.format(table=table)
        for table, role in tables.items()
        if role is not None
    }


def test_the_data_package_describes_the_tables_and_coverage_names_each_roles_source(rules):
    """What the changelog reads each table's primary key and each role's source from."""
    package = rules["datapackage"]
    assert package["output"] == [workflow.DATA_PACKAGE]
    described = {path for path in package["input"] if path.endswith(".csv")}
    assert described == {
        workflow.TABLE.format(table=table) for table in workflow.TABLE_SOURCE_ROLES
    }
    assert workflow.COVERAGE in rules["daily_table"]["output"]


def cache_paths() -> set[str]:
    """Every path the workflows' actions/cache steps save or restore."""
    paths = set()
    for path in (REPOSITORY / ".github/workflows").glob("*.yml"):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/cache"):
                    paths.update(step["with"]["path"].split())
    return paths


def test_the_download_cache_holds_the_raw_files_and_only_their_provenance():
    raw = workflow.directory_of(workflow.RAW_DOWNLOAD)
    paths = cache_paths()
    assert raw in paths
    (records,) = [path for path in paths if path.startswith(f"{workflow.METADATA}/")]
    prefix = Path(records).name.removesuffix("*")

    def record_name(output: str) -> str:
        return base64.urlsafe_b64encode(output.encode()).decode()

    for source in SOURCES:
        assert record_name(workflow.RAW_DOWNLOAD.format(source=source)).startswith(prefix)
        assert not record_name(workflow.ACCEPTED_RECORD.format(source=source)).startswith(prefix)


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("results/sources/fremont_bridge.json", "fremont_bridge"),
        ("results/sources/fremont_bridge.json.bak", None),
        ("results/sources/.json", None),
        ("results/sources/old/fremont_bridge.json", None),
        ("results/validation/fremont_bridge.json", None),
    ],
)
def test_the_source_of_a_path(path: str, source: str | None):
    assert workflow.source_of(workflow.ACCEPTED_RECORD, path) == source


def test_existing_files_of_a_pattern_by_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ["b.summary.md", "a.summary.md", "a.log", "notes.md"]:
        (tmp_path / "logs/validate").mkdir(parents=True, exist_ok=True)
        (tmp_path / "logs/validate" / name).write_text("x")
    found = workflow.existing(workflow.VALIDATION_SUMMARY_LOG)
    assert found == {
        "a": Path("logs/validate/a.summary.md"),
        "b": Path("logs/validate/b.summary.md"),
    }
