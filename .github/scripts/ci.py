#!/usr/bin/env python3
"""Everything the GitHub Actions workflows do beyond checkout and environment set-up.

The workflows call these subcommands, and tests/test_ci_simulation.py runs the very same
ones against real git repositories, so what is tested is what runs on GitHub:

  mark-changes   give every tracked file an mtime that tells Snakemake what changed since
                 the results were last built (see below)
  run            the workflow in two invocations: the downloads, then everything else
  summary        a Markdown summary of the run, for $GITHUB_STEP_SUMMARY
  publish        commit the results and their provenance as the bot and push, rebasing or
                 rebuilding on top when another run pushed first
  metrics-diff   a Markdown table of a pull request's metrics against main's

Why mark-changes and not git-restore-mtime: a fresh clone gives every file the checkout
time, so Snakemake would re-run everything or nothing. Restoring mtimes from commit dates
orders files by when they were committed, which is wrong when a commit made before the
last results commit is merged after it (a merge, or pushing older local commits): the
changed code looks older than the results and nothing re-runs. Instead, git itself says
what changed: every tracked file gets an old mtime, the results and their provenance a
later one, and the files that differ between HEAD and the commit the results were built
from (the Built-from trailer of the bot's last commit) get the current time. Snakemake's
own rules (mtime, checksums, provenance) do the rest.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

RESULTS = "results"
METADATA = ".snakemake/metadata"
RUN_RECORD = ".snakemake/ci-run.json"
JOB_LINE = re.compile(r"^(?:local)?rule (\w+):$", re.MULTILINE)
TARGET_RULES = {"all", "downloads"}  # rules that only name targets; they make nothing

# Two fixed instants, in this order: unchanged sources, then results built from them.
SOURCES_MTIME = 946_684_800  # 2000-01-01
RESULTS_MTIME = SOURCES_MTIME + 86_400

TRAILER = "Built-from"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


# --- git ---------------------------------------------------------------------------------


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """git as the bot: a runner has no identity of its own, and a rebase needs one."""
    identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
    return subprocess.run(["git", *identity, *args], check=check, capture_output=True, text=True)


def git_lines(*args: str) -> list[str]:
    return [line for line in git(*args).stdout.splitlines() if line]


def built_from() -> str | None:
    """The commit the published results were built from: the Built-from trailer of the
    newest results commit. Not simply the newest commit touching results/: a results
    commit rebased over someone's push, or a person's edit of results/, was not built from
    the tree it sits on."""
    found = git_lines(
        "log", "-1", f"--grep=^{TRAILER}: ", f"--format=%(trailers:key={TRAILER},valueonly)"
    )
    if not found:
        return None
    commit = found[0].strip()
    known = git("cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0
    return commit if known else None


# --- mark-changes ------------------------------------------------------------------------


def is_result(path: str) -> bool:
    return path.startswith(f"{RESULTS}/") or path.startswith(f"{METADATA}/")


def mark_changes() -> list[str]:
    """Set mtimes from git's view of what changed since the results were built; returns
    the changed source files."""
    tracked = git("ls-files", "-z").stdout.split("\0")
    base = built_from()
    changed = set()
    if base:
        names = git("diff", "-z", "--name-only", "--no-renames", base, "HEAD").stdout
        changed = set(filter(None, names.split("\0")))
    now = time.time()
    marked = []
    for path in filter(None, tracked):
        if not os.path.lexists(path) or os.path.islink(path):
            continue
        if is_result(path):
            stamp = RESULTS_MTIME
        elif base is None or path in changed:
            stamp = now
            marked.append(path)
        else:
            stamp = SOURCES_MTIME
        os.utime(path, (stamp, stamp))
    return sorted(marked)


# --- run ---------------------------------------------------------------------------------


def snakemake(*args: str, cores: str) -> tuple[int, str]:
    command = [sys.executable, "-m", "snakemake", "--cores", cores, *args]
    print("$", " ".join(command), flush=True)
    completed = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    output = completed.stdout + completed.stderr
    print(output, flush=True)
    return completed.returncode, output


def run(refresh: bool, cores: str, extra_args: list[str], forceall: bool = False) -> int:
    """Invocation 1 fetches the sources (all on a refresh, missing ones otherwise);
    invocation 2 runs the rest. Two invocations because a job that runs re-runs everything
    downstream of it in the same invocation, while in a new invocation a re-downloaded file
    with unchanged content is recognised by its checksum and re-runs nothing."""
    record = {"refresh": refresh, "forceall": forceall, "invocations": []}
    discard_stale_downloads()
    # The raw files are named as targets: a missing intermediate file is not fetched while
    # everything after it is up to date, and would be fetched mid-run when next needed.
    downloads = [*extra_args, "downloads"]
    if refresh:
        downloads += ["--forcerun", "download"]
    rest = [*extra_args, "--forceall"] if forceall else list(extra_args)
    for name, args in (("download", downloads), ("workflow", rest)):
        code, output = snakemake(*args, cores=cores)
        rules = sorted(set(JOB_LINE.findall(output)) - TARGET_RULES)
        record["invocations"].append({"name": name, "returncode": code, "rules": rules})
        if code != 0:
            break
    Path(RUN_RECORD).parent.mkdir(parents=True, exist_ok=True)
    Path(RUN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return max(invocation["returncode"] for invocation in record["invocations"])


def discard_stale_downloads() -> None:
    """Remove a restored download that is not the data the published results were built
    from (a cache saved by an older run), so that it is fetched again rather than
    rolling the results back to older data."""
    for source, published in source_digests(None).items():
        raw = Path("resources/raw") / f"{source}.csv"
        if raw.exists() and hashlib.sha256(raw.read_bytes()).hexdigest() != published:
            print(f"Discarding {raw}: not the data the published results were built from.")
            raw.unlink()


def rerun_rules() -> list[str]:
    """Rules that re-executed past the downloads in the last run."""
    record = json.loads(Path(RUN_RECORD).read_text())
    rules = set()
    for invocation in record["invocations"]:
        if invocation["name"] == "workflow":
            rules.update(invocation["rules"])
    return sorted(rules)


# --- summary -----------------------------------------------------------------------------


def source_digests(revision: str | None) -> dict[str, str]:
    """sha256 of each source as validated, from the committed reports (revision) or the
    working tree (None)."""
    digests = {}
    if revision is None:
        paths = sorted(Path(RESULTS, "validation").glob("*.json"))
        reports = {path.stem: path.read_text() for path in paths}
    else:
        names = git_lines("ls-tree", "--name-only", revision, f"{RESULTS}/validation/")
        reports = {
            Path(name).stem: git("show", f"{revision}:{name}").stdout
            for name in names
            if name.endswith(".json")
        }
    for source, text in reports.items():
        digests[source] = json.loads(text)["tasks"][0]["stats"]["sha256"]
    return digests


def changed_sources() -> dict[str, str]:
    """Sources whose validated content differs from the last commit's."""
    has_head = git("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0
    before = source_digests("HEAD") if has_head else {}
    after = source_digests(None)
    return {source: sha for source, sha in after.items() if before.get(source) != sha}


def summary() -> str:
    lines = ["## Pipeline run", ""]
    record = json.loads(Path(RUN_RECORD).read_text()) if Path(RUN_RECORD).exists() else None
    if record:
        for invocation in record["invocations"]:
            status = "ok" if invocation["returncode"] == 0 else "**failed**"
            rules = ", ".join(f"`{rule}`" for rule in invocation["rules"]) or "nothing"
            lines.append(f"- {invocation['name']}: {status}; ran {rules}")
        lines.append("")
    for source, sha in changed_sources().items():
        lines.append(f"- new data for `{source}`: sha256 `{sha[:12]}`")
    failed = sorted(Path("logs/validate").glob("*.summary.md"))
    failed = [path for path in failed if "**invalid**" in path.read_text()]
    for path in failed:
        lines += ["", path.read_text()]
    return "\n".join(lines) + "\n"


# --- publish -----------------------------------------------------------------------------


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
    """Stage results/ and their provenance; True when something changed."""
    git("add", "--force", "--all", "--", RESULTS)
    records = result_metadata_records()
    if records:
        git("add", "--force", "--", *records)
    return git("diff", "--cached", "--quiet", check=False).returncode != 0


def commit_message() -> str:
    sources = changed_sources()
    rules = rerun_rules() if Path(RUN_RECORD).exists() else []
    if sources:
        subject = "Update results: new data for " + ", ".join(
            f"{source} ({sha[:12]})" for source, sha in sources.items()
        )
    else:
        subject = "Update results"
    body = [f"Re-ran: {', '.join(rules) or 'nothing past the downloads'}."]
    for source, sha in sources.items():
        body.append(f"{source}: sha256 {sha}")
    head = git("rev-parse", "HEAD").stdout.strip()
    return subject + "\n\n" + "\n".join(body) + f"\n\n{TRAILER}: {head}\n"


def commit() -> bool:
    """Commit staged results as the bot; False (and no commit) when nothing changed."""
    if not stage_results():
        print("Nothing changed: no commit.")
        return False
    message = commit_message()
    git("commit", "--quiet", "--message", message)
    print(message)
    return True


def push(remote: str, branch: str) -> bool:
    return git("push", "--quiet", remote, f"HEAD:{branch}", check=False).returncode == 0


def publishing_refused(branch: str) -> str | None:
    """Why this run must not commit, if it must not: the workflows already say so in their
    `if:` conditions; this is the second lock on the same door. (A pull request from a fork
    is a pull_request event; a fork publishing to its own main is what forks are for.)"""
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    if event.startswith("pull_request"):
        return f"Refusing to publish from a {event} event."
    ref = os.environ.get("GITHUB_REF")
    if ref is not None and ref != f"refs/heads/{branch}":
        return f"Refusing to publish from {ref}: results are committed on {branch} only."
    if not Path(RUN_RECORD).exists():
        return "Refusing to publish: there is no record of a run (call `run` first)."
    # A failed job's outputs are deleted by Snakemake: publishing would commit the deletions.
    record = json.loads(Path(RUN_RECORD).read_text())
    if any(invocation["returncode"] != 0 for invocation in record["invocations"]):
        return "Refusing to publish: the last run failed, and results must stay as published."
    return None


def publish(
    remote: str, branch: str, attempts: int, refresh: bool, cores: str, extra: list[str]
) -> int:
    """Commit and push. When another run pushed first: rebase; if the two runs changed the
    same results, drop ours and rebuild on top of theirs with freshly fetched sources (their
    code and data and ours both count), so nothing either run made is lost. Bounded by
    `attempts`."""
    refusal = publishing_refused(branch)
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    if not commit():
        return 0
    for attempt in range(1, attempts + 1):
        if push(remote, branch):
            print(f"Pushed to {remote}/{branch}.")
            return 0
        print(f"Push rejected (attempt {attempt} of {attempts}): {remote}/{branch} moved on.")
        git("fetch", "--quiet", remote, branch)
        upstream = f"{remote}/{branch}"
        if git("rebase", "--quiet", upstream, check=False).returncode == 0:
            continue
        git("rebase", "--abort", check=False)
        print("Our results conflict with the new ones: rebuilding on top of them.")
        git("reset", "--quiet", "--hard", upstream)
        mark_changes()
        # Fetch again: our downloads may be older than the data their results were built on.
        if run(refresh=True, cores=cores, extra_args=extra) != 0:
            return 1
        if not commit():
            return 0
    print(f"Gave up after {attempts} attempts to push.", file=sys.stderr)
    return 1


# --- metrics-diff ------------------------------------------------------------------------

METRICS = f"{RESULTS}/model/metrics.json"


def metrics_diff(base: str) -> str:
    shown = git("show", f"{base}:{METRICS}", check=False)
    if shown.returncode != 0 or not Path(METRICS).exists():
        return f"No metrics to compare (`{METRICS}` missing here or on `{base}`).\n"
    before = json.loads(shown.stdout)["scores"]
    after = json.loads(Path(METRICS).read_text())["scores"]
    lines = [
        f"## Metrics: this change against `{base}`",
        "",
        "| model | metric | base | this change | change |",
        "|---|---|---|---|---|",
    ]
    for model in after:
        for metric, value in after[model].items():
            old = before.get(model, {}).get(metric)
            delta = "" if old is None else f"{value - old:+.4g}"
            old_text = "" if old is None else f"{old:.4g}"
            lines.append(f"| {model} | {metric} | {old_text} | {value:.4g} | {delta} |")
    return "\n".join(lines) + "\n"


# --- entry point -------------------------------------------------------------------------


def write_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    print(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("mark-changes")
    for name in ("run", "publish"):
        sub = commands.add_parser(name)
        sub.add_argument("--refresh", action="store_true", help="re-download every source")
        sub.add_argument("--cores", default="all")
        sub.add_argument("--snakemake-args", default="", help="extra Snakemake arguments")
        if name == "run":
            sub.add_argument(
                "--forceall", action="store_true", help="re-run every rule past the downloads"
            )
        if name == "publish":
            sub.add_argument("--remote", default="origin")
            sub.add_argument("--branch", default="main")
            sub.add_argument("--attempts", type=int, default=3)
    commands.add_parser("summary")
    diff = commands.add_parser("metrics-diff")
    diff.add_argument("--base", default="origin/main")
    options = parser.parse_args(argv)
    extra = options.snakemake_args.split() if hasattr(options, "snakemake_args") else []

    if options.command == "mark-changes":
        changed = mark_changes()
        print("Changed since the last results:", ", ".join(changed) or "nothing")
        return 0
    if options.command == "run":
        return run(options.refresh, options.cores, extra, forceall=options.forceall)
    if options.command == "summary":
        write_summary(summary())
        return 0
    if options.command == "publish":
        return publish(
            options.remote, options.branch, options.attempts, options.refresh, options.cores, extra
        )
    write_summary(metrics_diff(options.base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
