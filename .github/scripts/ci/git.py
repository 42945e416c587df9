"""git as the bot, and what the history says about the published results.

Each results commit names the commit its results were built from in a `Built-from:`
trailer; mark-changes, check-sources and publish compare HEAD with that commit.
"""

from __future__ import annotations

import subprocess

TRAILER = "Built-from"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """git as the bot: a runner has no identity of its own, and a rebase needs one."""
    identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
    return subprocess.run(["git", *identity, *args], check=check, capture_output=True, text=True)


def lines(*args: str) -> list[str]:
    """git's output, one entry per non-empty line."""
    return [line for line in git(*args).stdout.splitlines() if line]


def succeeds(*args: str) -> bool:
    return git(*args, check=False).returncode == 0


def head() -> str | None:
    """The commit checked out, or None in a repository without one."""
    found = git("rev-parse", "--verify", "--quiet", "HEAD", check=False)
    return found.stdout.strip() if found.returncode == 0 else None


def built_from() -> str | None:
    """The commit the published results were built from: the Built-from trailer of the
    newest results commit. Not simply the newest commit touching results/: a results
    commit rebased over someone's push, or a person's edit of results/, was not built from
    the tree it sits on. None when no commit has the trailer or the one named is unknown.
    The newest commit that has the trailer, not the newest with a line like it in its body
    (which has no value here, so its empty line is skipped)."""
    found = lines("log", f"--grep=^{TRAILER}: ", f"--format=%(trailers:key={TRAILER},valueonly)")
    if not found:
        return None
    commit = found[0].strip()
    return commit if succeeds("cat-file", "-e", f"{commit}^{{commit}}") else None


def show(revision: str, path: str) -> str | None:
    """A file's text (UTF-8, as the results are written) at `revision`, or None when the
    revision or the file is not there. Decoded as UTF-8 whatever the locale, so that it
    compares equal with the same file read from the working tree."""
    shown = subprocess.run(["git", "show", f"{revision}:{path}"], check=False, capture_output=True)
    return shown.stdout.decode("utf-8") if shown.returncode == 0 else None


def changed_since(base: str) -> set[str]:
    """Paths that differ between `base` and HEAD (a rename: both of its paths)."""
    names = git("diff", "-z", "--name-only", "--no-renames", base, "HEAD").stdout
    return set(filter(None, names.split("\0")))
