"""publish: commit the results and their provenance as the bot, and push.

The commit's message and the data changelog (results/CHANGELOG.md, the one file under
results/ that no rule makes) say what changed in the tables: see changelog.py.

When another run pushed first: rebase; if the two runs changed the same results, drop ours
and rebuild on top of theirs with freshly fetched sources (their code and data and ours
both count), so nothing either run made is lost. The rebuild always fetches: our downloads
may be older than the data their results were built from, whatever our own run did, so
publish has no --refresh of its own. A push refused for any other reason (permissions, a
protected branch, an unreachable remote) ends the run with git's own message: retrying
cannot help.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import changelog, git
from .mark_changes import mark_changes
from .records import changed_sources, is_result, rerun_rules, run_record
from .redact import redacted
from .run import run
from .workflow import METADATA, RESULTS

# Fields of a provenance record that differ on every run of the same job. A record that
# changed in these alone describes the same result from the same inputs, code and params.
RUN_SPECIFIC_FIELDS = {"starttime", "endtime", "job_hash"}


def result_metadata_records() -> list[str]:
    """Provenance records of files under results/ (not of the raw downloads, whose
    records change with every fetch and whose files are never committed)."""
    records = []
    for path in sorted(Path(METADATA).glob("*")) if Path(METADATA).is_dir() else []:
        try:
            target = base64.urlsafe_b64decode(path.name).decode()
        except ValueError:
            continue
        if target.startswith(f"{RESULTS}/"):
            records.append(path.as_posix())
    return records


def stage_results() -> bool:
    """Stage results/ and their provenance; True when something changed.

    A record that changed only in its run times is staged only when code or configuration
    changed since the results were built: then the commit is what moves Built-from forward
    (or the next run would re-run the same jobs again). Otherwise, as after a forced re-run
    with unchanged inputs, it is no reason for a commit."""
    git.git("add", "--force", "--all", "--", RESULTS)
    records = result_metadata_records()
    if not sources_changed_since_results():
        unchanged = [record for record in records if only_run_times_changed(record)]
        if unchanged:  # back to the committed version: a rebase needs a clean tree
            git.git("checkout", "HEAD", "--", *unchanged)
        records = [record for record in records if record not in unchanged]
    if records:
        git.git("add", "--force", "--", *records)
    return not git.succeeds("diff", "--cached", "--quiet")


def sources_changed_since_results() -> bool:
    """Whether anything the results are made from changed since they were built."""
    base = git.built_from()
    return base is None or any(not is_result(path) for path in git.changed_since(base))


def lasting(record: dict) -> dict:
    """A provenance record without the fields that differ on every run."""
    return {key: value for key, value in record.items() if key not in RUN_SPECIFIC_FIELDS}


def only_run_times_changed(record: str) -> bool:
    committed = git.git("show", f"HEAD:{record}", check=False)
    if committed.returncode != 0:
        return False
    return lasting(json.loads(committed.stdout)) == lasting(json.loads(Path(record).read_text()))


def commit_message(
    new_data: dict[str, str],
    rules: list[str],
    built_from: str,
    data_changes: Sequence[str] = (),
) -> str:
    """The results commit's message: the sources with new data (name -> sha256), what
    changed in the tables (changelog.data_changes: a paragraph after the subject, the first
    thing people read), the rules that re-ran, and the commit the results were built from,
    as a trailer (last: git reads trailers from the last paragraph)."""
    if new_data:
        subject = "Update results: new data for " + ", ".join(
            f"{source} ({sha[:12]})" for source, sha in new_data.items()
        )
    else:
        subject = "Update results"
    paragraphs = [subject]
    if data_changes:
        paragraphs.append("\n".join(data_changes))
    body = [f"Re-ran: {', '.join(rules) or 'nothing past the downloads'}."]
    for source, sha in new_data.items():
        body.append(f"{source}: sha256 {sha}")
    paragraphs += ["\n".join(body), f"{git.TRAILER}: {built_from}"]
    return "\n\n".join(paragraphs) + "\n"


def commit() -> bool:
    """Commit staged results as the bot; False (and no commit) when nothing changed.

    What changed in the tables since the last commit is written to the data changelog
    first, so that the page is staged and committed with the tables it describes."""
    data_changes = changelog.data_changes()
    changelog.record(data_changes)
    if not stage_results():
        print("Nothing changed: no commit.")
        return False
    message = commit_message(changed_sources(), rerun_rules(run_record()), git.head(), data_changes)
    git.git("commit", "--quiet", "--message", message)
    print(message)
    return True


def publishing_refused(
    branch: str, environment: Mapping[str, str], record: dict | None
) -> str | None:
    """Why this run must not commit, if it must not: the workflows already say so in their
    `if:` conditions; this is the second lock on the same door. (A pull request from a fork
    is a pull_request event; a fork publishing to its own main is what forks are for.)"""
    event = environment.get("GITHUB_EVENT_NAME", "")
    if event.startswith("pull_request"):
        return f"Refusing to publish from a {event} event."
    ref = environment.get("GITHUB_REF")
    if ref is not None and ref != f"refs/heads/{branch}":
        return f"Refusing to publish from {ref}: results are committed on {branch} only."
    if record is None:
        return "Refusing to publish: there is no record of a run (call `run` first)."
    # A failed job's outputs are deleted by Snakemake: publishing would commit the deletions.
    if any(invocation["returncode"] != 0 for invocation in record["invocations"]):
        return "Refusing to publish: the last run failed, and results must stay as published."
    return None


def publish(
    remote: str,
    branch: str,
    attempts: int,
    cores: str,
    rule_envs: str,
    extra: list[str],
) -> int:
    """Commit and push, rebasing or rebuilding when another run pushed first; bounded by
    `attempts`. Returns the process's exit code."""
    refusal = publishing_refused(branch, os.environ, run_record())
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    if not commit():
        return 0
    upstream = f"{remote}/{branch}"
    for attempt in range(1, attempts + 1):
        pushed = git.git("push", "--quiet", remote, f"HEAD:{branch}", check=False)
        if pushed.returncode == 0:
            print(f"Pushed to {upstream}.")
            return 0
        refused = redacted(pushed.stderr.strip())
        fetched = git.git("fetch", "--quiet", remote, branch, check=False)
        if fetched.returncode != 0:
            print(
                f"The push to {upstream} failed, and so did fetching it:\n{refused}\n"
                f"{redacted(fetched.stderr.strip())}",
                file=sys.stderr,
            )
            return 1
        if git.succeeds("merge-base", "--is-ancestor", upstream, "HEAD"):
            print(f"{remote} refused the push to {branch}:\n{refused}", file=sys.stderr)
            return 1
        print(f"Push rejected (attempt {attempt} of {attempts}): {upstream} moved on.")
        if git.succeeds("rebase", "--quiet", upstream):
            continue
        git.git("rebase", "--abort", check=False)
        print("Our results conflict with the new ones: rebuilding on top of them.")
        git.git("reset", "--quiet", "--hard", upstream)
        mark_changes()
        # Fetch again: our downloads may be older than the data their results were built on.
        if run(refresh=True, cores=cores, rule_envs=rule_envs, extra_args=extra) != 0:
            return 1
        if not commit():
            return 0
    print(f"Gave up after {attempts} attempts to push.", file=sys.stderr)
    return 1
