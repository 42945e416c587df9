#!/usr/bin/env python3
"""Everything the GitHub Actions workflows do beyond checkout and environment set-up.

The workflows call these subcommands; tests/ci/test_actions.py runs the workflow files
themselves under act, and tests/ci/test_ci_simulation.py calls the same subcommands against
real git repositories:

  check-sources  ask each source whether its data changed since the published results
                 (a conditional request, else a download compared by sha256)
  mark-changes   give every tracked file an mtime that tells Snakemake what changed since
                 the results were last built (see below)
  run            the workflow in steps: the downloads, the tidy tables, everything else
  summary        a Markdown summary of the run, for $GITHUB_STEP_SUMMARY
  publish        commit the results and their provenance as the bot and push, rebasing or
                 rebuilding on top when another run pushed first
  metrics-diff   a Markdown table of a pull request's metrics against main's

Only the standard library is used: check-sources runs on the runner's own Python, before
(and usually instead of) setting up any environment.

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
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

RESULTS = "results"
# One record per source of the download its published results were built from (URL, ETag,
# Last-Modified, bytes, sha256), written by the workflow's accept_source rule.
SOURCE_RECORDS = Path(RESULTS, "sources")
METADATA = ".snakemake/metadata"
RUN_RECORD = ".snakemake/ci-run.json"
DOWNLOAD_RULE = "download"
DOWNLOADS_TARGET = "all_downloads"
TABLES_TARGET = "all_tables"
# Rules that only name targets; they make nothing.
TARGET_RULES = {"all", DOWNLOADS_TARGET, TABLES_TARGET}
VALIDATION_LOGS = Path("logs/validate")
# Where the rules get their software: conda builds each rule's environment from
# workflow/envs/; "driver" runs them in the environment Snakemake itself runs in.
RULE_ENVIRONMENTS = {"conda": ["--sdm", "conda"], "driver": []}

# Two fixed instants, in this order: unchanged sources, then results built from them.
SOURCES_MTIME = 946_684_800  # 2000-01-01
RESULTS_MTIME = SOURCES_MTIME + 86_400

# Fields of a provenance record that differ on every run of the same job. A record that
# changed in these alone describes the same result from the same inputs, code and params.
RUN_SPECIFIC_FIELDS = {"starttime", "endtime", "job_hash"}

TRAILER = "Built-from"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
TOKEN_IN_URL = re.compile(r"(https://[^:/@\s]+:)[^@\s]*@")


# --- git ---------------------------------------------------------------------------------


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """git as the bot: a runner has no identity of its own, and a rebase needs one."""
    identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
    return subprocess.run(["git", *identity, *args], check=check, capture_output=True, text=True)


def git_lines(*args: str) -> list[str]:
    return [line for line in git(*args).stdout.splitlines() if line]


def redacted(text: str) -> str:
    """git's messages name the remote, whose URL carries the workflow's token."""
    return TOKEN_IN_URL.sub(r"\1***@", text)


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


def changed_since(base: str) -> set[str]:
    names = git("diff", "-z", "--name-only", "--no-renames", base, "HEAD").stdout
    return set(filter(None, names.split("\0")))


# --- check-sources -----------------------------------------------------------------------


class SourceCheckFailed(RuntimeError):
    """A source could not be asked: the check cannot decide, and must not guess."""


@dataclass(frozen=True)
class Answer:
    source: str
    asked: str  # what was asked, in words
    answered: str  # what came back, in words
    changed: bool


def published_sources(revision: str | None = None) -> dict[str, dict]:
    """The accepted-download record of each source, from the working tree or a commit."""
    if revision is None:
        paths = sorted(SOURCE_RECORDS.glob("*.json"))
        return {path.stem: json.loads(path.read_text()) for path in paths}
    names = git_lines("ls-tree", "--name-only", revision, f"{SOURCE_RECORDS.as_posix()}/")
    return {
        Path(name).stem: json.loads(git("show", f"{revision}:{name}").stdout)
        for name in names
        if name.endswith(".json")
    }


def why_the_check_cannot_tell() -> str | None:
    """A reason to run the pipeline without asking, when the published records cannot say
    what the sources are now: nothing published yet, or the configuration (where each
    source's URL lives) changed since the results were built."""
    base = built_from()
    if base is None:
        return "no published results to compare with"
    if not published_sources():
        return f"no source records in {SOURCE_RECORDS}/"
    config = sorted(path for path in changed_since(base) if path.startswith("config/"))
    if config:
        return f"{', '.join(config)} changed since the results were built"
    return None


def ask_source(
    source: str, record: dict, *, timeout: float, attempts: int = 3, pause: float = 2.0
) -> Answer:
    """Ask the source whether its data differ from the record's: a conditional request when
    the record has an ETag or Last-Modified (304: unchanged), else (or when the server
    ignores it) the whole body, compared by sha256. Connection errors and 5xx are retried
    `attempts` times (the standard library has no retry policy of its own)."""
    url = record["url"]
    headers = {}
    if record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    asked = " and ".join(headers) if headers else "the whole file (no ETag or Last-Modified)"
    if "://" not in url:  # a path in the repository: read it
        url = Path(url).resolve().as_uri()
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(
                urllib.request.Request(url, headers=headers), timeout=timeout
            ) as body:
                sha256, size = digest(body)
            break
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Answer(source, asked, "304 Not Modified", changed=False)
            if error.code < 500 and error.code != 429 or attempt == attempts:
                raise SourceCheckFailed(
                    f"{source}: {url} answered HTTP {error.code} {error.reason}"
                ) from error
        except (urllib.error.URLError, OSError) as error:
            if attempt == attempts:
                reason = getattr(error, "reason", error)
                raise SourceCheckFailed(
                    f"{source}: {url} could not be reached after {attempts} attempts ({reason})"
                ) from error
        time.sleep(pause * attempt)
    if sha256 == record["sha256"] and size == record["bytes"]:
        return Answer(source, asked, f"the same {size:,} bytes (sha256 unchanged)", changed=False)
    return Answer(source, asked, f"new data: {size:,} bytes, sha256 {sha256[:12]}", changed=True)


def digest(stream) -> tuple[str, int]:
    sha256, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        sha256.update(chunk)
        size += len(chunk)
    return sha256.hexdigest(), size


def check_sources(timeout: float) -> tuple[bool, str]:
    """Whether the pipeline must run, and a Markdown account of what was asked."""
    lines = ["## Source check", ""]
    reason = why_the_check_cannot_tell()
    if reason:
        return True, "\n".join(
            [*lines, f"The check cannot tell ({reason}): running the pipeline.", ""]
        )
    answers = [
        ask_source(name, record, timeout=timeout) for name, record in published_sources().items()
    ]
    lines += ["| Source | Asked | Answer | Changed |", "|---|---|---|---|"]
    lines += [
        f"| `{a.source}` | {a.asked} | {a.answered} | {'**yes**' if a.changed else 'no'} |"
        for a in answers
    ]
    changed = [answer.source for answer in answers if answer.changed]
    verdict = (
        f"New data for {', '.join(f'`{name}`' for name in changed)}: running the pipeline."
        if changed
        else "No source changed: nothing to run, nothing to commit."
    )
    return bool(changed), "\n".join([*lines, "", verdict, ""])


def set_output(name: str, value: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{name}={value}\n")


# --- mark-changes ------------------------------------------------------------------------


def is_result(path: str) -> bool:
    return path.startswith(f"{RESULTS}/") or path.startswith(f"{METADATA}/")


def mark_changes() -> list[str]:
    """Set mtimes from git's view of what changed since the results were built; returns
    the changed source files."""
    tracked = git("ls-files", "-z").stdout.split("\0")
    base = built_from()
    changed = changed_since(base) if base else set()
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


def snakemake(*args: str, cores: str) -> int:
    # Targets must come before the options: several options (--sdm, --forcerun) take any
    # number of values, and would swallow a target that follows them.
    command = [sys.executable, "-m", "snakemake", "--cores", cores, *args]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, stdin=subprocess.DEVNULL).returncode


def rules_past_the_downloads() -> list[str]:
    """Every rule that makes something, except the download: what --forceall re-runs."""
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules"],
        check=True,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    ).stdout.split()
    return [rule for rule in listed if rule not in TARGET_RULES | {DOWNLOAD_RULE}]


def jobs_finished_since(started: float) -> dict[str, int]:
    """Jobs per rule that Snakemake recorded as finished since `started`, from its own
    provenance records (one record per output file, carrying the job's rule and hash)."""
    jobs: dict[str, set] = {}
    for path in Path(METADATA).glob("*") if Path(METADATA).is_dir() else []:
        record = json.loads(path.read_text())
        if (record.get("starttime") or 0) >= started:
            jobs.setdefault(record["rule"], set()).add(record["job_hash"])
    return {rule: len(hashes) for rule, hashes in sorted(jobs.items())}


def run(
    refresh: bool, cores: str, rule_envs: str, extra_args: list[str], forceall: bool = False
) -> int:
    """The workflow in three invocations: the sources are fetched (all on a refresh, missing
    ones otherwise), then validated and made into tidy tables, then everything else. A job
    that runs re-runs everything downstream of it in the same invocation, while in a new
    invocation an output rewritten with the same bytes is recognised by its checksum: so a
    re-downloaded source that did not change, or a new weather day that leaves the daily
    table as it was, re-runs nothing after it.

    forceall re-runs every rule past the downloads (in one invocation: everything runs
    anyway). It checks that unchanged inputs give the same results, so it must not fetch new
    data (a refresh does that)."""
    record = {"refresh": refresh, "forceall": forceall, "invocations": []}
    discard_stale_downloads()
    options = [*RULE_ENVIRONMENTS[rule_envs], *extra_args]
    # The raw files are named as targets: a missing intermediate file is not fetched while
    # everything after it is up to date, and would be fetched mid-run when next needed.
    fetch = [DOWNLOADS_TARGET, *options]
    if refresh:
        fetch += ["--forcerun", DOWNLOAD_RULE]
    steps = [("download", fetch)]
    if forceall:
        steps.append(("workflow", [*options, "--forcerun", *rules_past_the_downloads()]))
    else:
        steps += [("tables", [TABLES_TARGET, *options]), ("workflow", options)]
    for name, args in steps:
        started = time.time()
        code = snakemake(*args, cores=cores)
        jobs = jobs_finished_since(started)
        record["invocations"].append({"name": name, "returncode": code, "jobs": jobs})
        if code != 0:
            break
    Path(RUN_RECORD).parent.mkdir(parents=True, exist_ok=True)
    Path(RUN_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    return max(invocation["returncode"] for invocation in record["invocations"])


def discard_stale_downloads() -> None:
    """Remove a restored download that is not the data the published results were built
    from (a cache saved by an older run), so that it is fetched again rather than
    rolling the results back to older data."""
    for source, published in published_sources().items():
        raw = Path("resources/raw") / f"{source}.csv"
        if raw.exists() and hashlib.sha256(raw.read_bytes()).hexdigest() != published["sha256"]:
            print(f"Discarding {raw}: not the data the published results were built from.")
            raw.unlink()


def run_record() -> dict | None:
    return json.loads(Path(RUN_RECORD).read_text()) if Path(RUN_RECORD).exists() else None


def rerun_rules() -> list[str]:
    """Rules that re-executed past the downloads in the last run."""
    record = run_record() or {"invocations": []}
    rules = set()
    for invocation in record["invocations"]:
        if invocation["name"] != "download":
            rules.update(invocation["jobs"])
    return sorted(rules)


# --- summary -----------------------------------------------------------------------------


def changed_sources() -> dict[str, str]:
    """Sources whose accepted data differ from the last commit's: name -> new sha256."""
    has_head = git("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0
    before = published_sources("HEAD") if has_head else {}
    after = published_sources()
    return {
        source: record["sha256"]
        for source, record in after.items()
        if before.get(source, {}).get("sha256") != record["sha256"]
    }


def failed_validations() -> list[str]:
    """Sources whose validation ran and failed (invalid data, or a download refused for
    losing published data): their job wrote its summary to the logs, and Snakemake removed
    its outputs in results/validation/ when it started and did not make them again."""
    return sorted(
        path.name.removesuffix(".summary.md")
        for path in VALIDATION_LOGS.glob("*.summary.md")
        if not Path(RESULTS, "validation", path.name.removesuffix(".summary.md") + ".md").exists()
    )


def summary() -> str:
    lines = ["## Pipeline run", ""]
    record = run_record()
    if record:
        for invocation in record["invocations"]:
            status = "ok" if invocation["returncode"] == 0 else "**failed**"
            jobs = invocation["jobs"]
            ran = ", ".join(f"`{rule}` ({count})" for rule, count in jobs.items()) or "nothing"
            lines.append(f"- {invocation['name']}: {status}; ran {ran}")
        lines.append("")
    for source, sha in changed_sources().items():
        lines.append(f"- new data for `{source}`: sha256 `{sha[:12]}`")
    for source in failed_validations():
        lines += ["", (VALIDATION_LOGS / f"{source}.summary.md").read_text()]
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
    """Stage results/ and their provenance; True when something changed.

    A record that changed only in its run times is staged only when code or configuration
    changed since the results were built: then the commit is what moves Built-from forward
    (or the next run would re-run the same jobs again). Otherwise, as after a forced re-run
    with unchanged inputs, it is no reason for a commit."""
    git("add", "--force", "--all", "--", RESULTS)
    records = result_metadata_records()
    if not sources_changed_since_results():
        unchanged = [record for record in records if only_run_times_changed(record)]
        if unchanged:  # back to the committed version: a rebase needs a clean tree
            git("checkout", "HEAD", "--", *unchanged)
        records = [record for record in records if record not in unchanged]
    if records:
        git("add", "--force", "--", *records)
    return git("diff", "--cached", "--quiet", check=False).returncode != 0


def sources_changed_since_results() -> bool:
    """Whether anything the results are made from changed since they were built."""
    base = built_from()
    return base is None or any(not is_result(path) for path in changed_since(base))


def only_run_times_changed(record: str) -> bool:
    committed = git("show", f"HEAD:{record}", check=False)
    if committed.returncode != 0:
        return False

    def lasting(fields: dict) -> dict:
        return {key: value for key, value in fields.items() if key not in RUN_SPECIFIC_FIELDS}

    return lasting(json.loads(committed.stdout)) == lasting(json.loads(Path(record).read_text()))


def commit_message() -> str:
    sources = changed_sources()
    rules = rerun_rules()
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
    record = run_record()
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
    refresh: bool,
    cores: str,
    rule_envs: str,
    extra: list[str],
) -> int:
    """Commit and push. When another run pushed first: rebase; if the two runs changed the
    same results, drop ours and rebuild on top of theirs with freshly fetched sources (their
    code and data and ours both count), so nothing either run made is lost. Bounded by
    `attempts`. A push refused for any other reason (permissions, a protected branch, an
    unreachable remote) ends the run with git's own message: retrying cannot help."""
    refusal = publishing_refused(branch)
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    if not commit():
        return 0
    upstream = f"{remote}/{branch}"
    for attempt in range(1, attempts + 1):
        pushed = git("push", "--quiet", remote, f"HEAD:{branch}", check=False)
        if pushed.returncode == 0:
            print(f"Pushed to {upstream}.")
            return 0
        refused = redacted(pushed.stderr.strip())
        fetched = git("fetch", "--quiet", remote, branch, check=False)
        if fetched.returncode != 0:
            print(
                f"The push to {upstream} failed, and so did fetching it:\n{refused}\n"
                f"{redacted(fetched.stderr.strip())}",
                file=sys.stderr,
            )
            return 1
        if git("merge-base", "--is-ancestor", upstream, "HEAD", check=False).returncode == 0:
            print(f"{remote} refused the push to {branch}:\n{refused}", file=sys.stderr)
            return 1
        print(f"Push rejected (attempt {attempt} of {attempts}): {upstream} moved on.")
        if git("rebase", "--quiet", upstream, check=False).returncode == 0:
            continue
        git("rebase", "--abort", check=False)
        print("Our results conflict with the new ones: rebuilding on top of them.")
        git("reset", "--quiet", "--hard", upstream)
        mark_changes()
        # Fetch again: our downloads may be older than the data their results were built on.
        if run(refresh=True, cores=cores, rule_envs=rule_envs, extra_args=extra) != 0:
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


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-sources")
    check.add_argument("--timeout", type=float, default=60, help="seconds per request")
    commands.add_parser("mark-changes")
    for name in ("run", "publish"):
        sub = commands.add_parser(name)
        sub.add_argument("--refresh", action="store_true", help="fetch every source again")
        sub.add_argument("--cores", default="all")
        sub.add_argument(
            "--rule-envs",
            choices=sorted(RULE_ENVIRONMENTS),
            default="driver",
            help="conda: each rule in its own conda environment (--sdm conda); "
            "driver: every rule in the environment running Snakemake",
        )
        sub.add_argument("--snakemake-args", default="", help="extra Snakemake options")
        if name == "run":
            sub.add_argument(
                "--forceall",
                action="store_true",
                help="re-run every rule past the downloads (the sources are not fetched again)",
            )
        if name == "publish":
            sub.add_argument("--remote", default="origin")
            sub.add_argument("--branch", default="main")
            sub.add_argument("--attempts", type=int, default=3)
    commands.add_parser("summary")
    diff = commands.add_parser("metrics-diff")
    diff.add_argument("--base", default="origin/main")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    extra = shlex.split(options.snakemake_args) if hasattr(options, "snakemake_args") else []

    if options.command == "check-sources":
        try:
            changed, report = check_sources(options.timeout)
        except SourceCheckFailed as error:
            write_summary(f"## Source check\n\n**Failed:** {error}\n")
            print(f"The source check failed: {error}", file=sys.stderr)
            return 1
        write_summary(report)
        set_output("changed", str(changed).lower())
        return 0
    if options.command == "mark-changes":
        changed = mark_changes()
        print("Changed since the last results:", ", ".join(changed) or "nothing")
        return 0
    if options.command == "run":
        return run(options.refresh, options.cores, options.rule_envs, extra, options.forceall)
    if options.command == "summary":
        write_summary(summary())
        return 0
    if options.command == "publish":
        return publish(
            options.remote,
            options.branch,
            options.attempts,
            options.refresh,
            options.cores,
            options.rule_envs,
            extra,
        )
    write_summary(metrics_diff(options.base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
