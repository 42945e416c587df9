"""The records the results carry and the record a run leaves.

- results/sources/<source>.json: what each source served when its data were last accepted
  (URL, ETag, Last-Modified, bytes, sha256), written by the workflow's accept_source rule
  and committed with the results: check-sources asks the sources about it, summary and
  publish name the sources whose accepted data changed.
- .snakemake/ci-run.json: what the last `run` did, invocation by invocation (return code,
  jobs per rule), for summary and publish.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import git
from .workflow import ACCEPTED_RECORD, METADATA, RESULTS, directory_of, existing, source_of

RUN_RECORD = Path(".snakemake/ci-run.json")


def published_sources(revision: str | None = None) -> dict[str, dict]:
    """The accepted-download record of each source, from the working tree or a commit."""
    if revision is None:
        return {
            source: json.loads(path.read_text())
            for source, path in existing(ACCEPTED_RECORD).items()
        }
    names = git.lines("ls-tree", "--name-only", revision, f"{directory_of(ACCEPTED_RECORD)}/")
    found = {source_of(ACCEPTED_RECORD, name): name for name in names}
    return {
        source: json.loads(git.git("show", f"{revision}:{found[source]}").stdout)
        for source in sorted(found)
        if source is not None
    }


def changed_sources() -> dict[str, str]:
    """Sources whose accepted data differ from the last commit's: name -> new sha256."""
    before = published_sources("HEAD") if git.head() else {}
    return {
        source: record["sha256"]
        for source, record in published_sources().items()
        if before.get(source, {}).get("sha256") != record["sha256"]
    }


def is_result(path: str) -> bool:
    """Whether a path is a result or a provenance record, not something results are made of."""
    return path.startswith(f"{RESULTS}/") or path.startswith(f"{METADATA}/")


def run_record() -> dict | None:
    return json.loads(RUN_RECORD.read_text()) if RUN_RECORD.exists() else None


def write_run_record(record: dict) -> None:
    RUN_RECORD.parent.mkdir(parents=True, exist_ok=True)
    RUN_RECORD.write_text(json.dumps(record, indent=2) + "\n")


def rerun_rules(record: dict | None) -> list[str]:
    """Rules that re-executed past the downloads in a run."""
    rules = set()
    for invocation in (record or {"invocations": []})["invocations"]:
        if invocation["name"] != "download":
            rules.update(invocation["jobs"])
    return sorted(rules)
