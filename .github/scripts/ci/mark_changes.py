"""mark-changes: give every tracked file an mtime that tells Snakemake what changed since
the results were last built.

Why this and not git-restore-mtime: a fresh clone gives every file the checkout time, so
Snakemake would re-run everything or nothing. Restoring mtimes from commit dates orders
files by when they were committed, which is wrong when a commit made before the last
results commit is merged after it (a merge, or pushing older local commits): the changed
code looks older than the results and nothing re-runs. Instead, git itself says what
changed: every tracked file gets an old mtime, the results and their provenance a later
one, and the files that differ between HEAD and the commit the results were built from
(the Built-from trailer of the bot's last commit) get the current time. Snakemake's own
rules (mtime, checksums, provenance) do the rest.
"""

from __future__ import annotations

import os
import time

from . import git
from .records import is_result

# Two fixed instants, in this order: unchanged sources, then results built from them.
SOURCES_MTIME = 946_684_800  # 2000-01-01
RESULTS_MTIME = SOURCES_MTIME + 86_400


def stamp(path: str, changed: set[str] | None, now: float) -> float:
    """The mtime a tracked file gets; `changed` is None when no results were built yet."""
    if is_result(path):
        return RESULTS_MTIME
    if changed is None or path in changed:
        return now
    return SOURCES_MTIME


def mark_changes() -> list[str]:
    """Set mtimes from git's view of what changed since the results were built; returns
    the changed source files."""
    tracked = git.git("ls-files", "-z").stdout.split("\0")
    base = git.built_from()
    changed = git.changed_since(base) if base else None
    now = time.time()
    marked = []
    for path in filter(None, tracked):
        if not os.path.lexists(path) or os.path.islink(path):
            continue
        mtime = stamp(path, changed, now)
        if mtime == now:
            marked.append(path)
        os.utime(path, (mtime, mtime))
    return sorted(marked)
