"""The data changelog: what a results commit changed in the published tables.

A source's sha256 says that its data changed, not how. At publish time each tidy table
(workflow.TABLE_SOURCE_ROLES) is compared with its committed version, row by row, keyed by
the table's primary key (its `schema.primaryKey` in the data package, results/tables/
datapackage.json): rows added, rows changed (same key, another value in a field both versions
have), rows removed, each with the days they fall on (the table's `date` column), and fields
added or removed. A table's line is named after its source (the source of its role, from
results/tables/coverage.json). The daily table, derived from both sources, has a line of its
own: it is the table the model reads; the days it gains are the days both sources now have,
which are not the days either source added; and an edit of the curated counter issues
changes it and no source's table.

The lines go into the commit's message and into results/CHANGELOG.md, a page people read
on GitHub: newest entry first, headed by the data's last day (from coverage.json, never the
clock), so the same changes give the same bytes. Unlike every other file under results/,
that page is not made by a Snakemake rule: only publish knows what was published before
(the rules see the working tree; the previous version is in git). So the workflow's own
tests, which run Snakemake alone, never see it. Unchanged data (a code change that rewrites
a table with the same rows, or rows in another order) adds no line and no entry.

A diff streams the tables and is linear in their rows (the hourly table has about 108,000):
see diff_table.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from pathlib import Path

from . import git
from .workflow import COVERAGE, DATA_PACKAGE, RESULTS, TABLE, TABLE_SOURCE_ROLES

CHANGELOG = f"{RESULTS}/CHANGELOG.md"
# The column that says which day a row is about (every tidy table has it).
DAY_FIELD = "date"
# Runs of consecutive days listed in a line before "and N more": a line stays a line when
# the changed days are scattered (a first commit of a history with outages, say).
RANGES_SHOWN = 4
INTRO = """# Data changelog

What changed in the published tables ([`tables/`](tables/)), newest first: one entry per
results commit that changed their data, under the last day the data reach. Rows are matched
by each table's primary key: rows added, changed (a value differs) or removed, with the days
they fall on, and fields added or removed. A source's line is its table's; `daily` is derived
from both sources. Written by the results job's `publish` step; the commit's message has the
same lines.
"""


@dataclass
class TableChange:
    """What changed in one table between two versions: rows per day added, changed and
    removed (a table without a `date` column counts its rows under the day ""), and the
    fields added and removed."""

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        kinds = [self.added, self.changed, self.removed, self.fields_added, self.fields_removed]
        return any(kinds)

    def describe(self) -> str:
        """'744 rows added (2021-06-01 to 2021-06-30), 2 changed (2021-05-03), 0 removed',
        then the fields added or removed, if any (alone when no row changed: a field added
        is not a change of every row)."""
        parts = []
        if self.added or self.changed or self.removed:
            added = sum(self.added.values())
            parts.append(
                f"{added} {'row' if added == 1 else 'rows'} added{days_note(self.added)}, "
                f"{sum(self.changed.values())} changed{days_note(self.changed)}, "
                f"{sum(self.removed.values())} removed{days_note(self.removed)}"
            )
        if self.fields_added:
            parts.append(f"fields added: {', '.join(self.fields_added)}")
        if self.fields_removed:
            parts.append(f"fields removed: {', '.join(self.fields_removed)}")
        return "; ".join(parts)


def days_note(days: dict[str, int]) -> str:
    ranges = day_ranges(day for day in days if day)
    return f" ({ranges})" if ranges else ""


def day_ranges(days: Iterable[str], shown: int = RANGES_SHOWN) -> str:
    """ISO days as runs of consecutive days, '2021-06-01 to 2021-06-30, 2021-07-04', and
    after `shown` runs 'and N more'. A value that is not a day is a run of its own."""
    runs: list[list[str]] = []
    previous = None
    for day in sorted(set(days)):
        try:
            ordinal = date.fromisoformat(day).toordinal()
        except ValueError:
            ordinal = None
        if runs and ordinal is not None and previous is not None and ordinal == previous + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day])
        previous = ordinal
    text = ", ".join(
        first if first == last else f"{first} to {last}" for first, last in runs[:shown]
    )
    if len(runs) > shown:
        text += f" and {len(runs) - shown} more"
    return text


def rows(text: str | None) -> tuple[list[str], Iterator[list[str]]]:
    """A CSV's header and an iterator over its rows (blank lines skipped); no header and no
    rows for a version that is absent."""
    if text is None:
        return [], iter(())
    reader = csv.reader(io.StringIO(text, newline=""))
    return next(reader, []), (row for row in reader if row)


def picker(header: list[str], names: list[str]) -> Callable[[list[str]], object]:
    """A row's values of the `names` fields: the value of one field, a tuple of several
    (operator.itemgetter's way; the same names give the same kind in either version)."""
    if not names:
        return lambda row: ()
    return itemgetter(*(header.index(name) for name in names))


def day_of(header: list[str]) -> Callable[[list[str]], str]:
    """A row's day, one string per day however many rows it has (sys.intern)."""
    at = header.index(DAY_FIELD) if DAY_FIELD in header else None
    return (lambda row: sys.intern(row[at])) if at is not None else (lambda row: "")


def count(days: dict[str, int], day: str) -> None:
    days[day] = days.get(day, 0) + 1


def diff_table(old: str | None, new: str | None, key: list[str]) -> TableChange:
    """What changed from the `old` CSV text to the `new` (None: that version is absent),
    rows matched by the values of the `key` fields.

    The old version is indexed as key -> (hash of its values, day), the new one streamed
    against the index: linear in the rows, and one small entry per old row in memory (the
    rows themselves would cost several times the table's size). Python's own hash of the
    values will do: both versions are hashed in one process, and a changed row keeps its
    old hash with a chance of 2**-64. The hourly table's 108,000 rows take 0.3 s."""
    change = TableChange()
    old_header, old_rows = rows(old)
    new_header, new_rows = rows(new)
    change.fields_added = [name for name in new_header if name not in old_header]
    change.fields_removed = [name for name in old_header if name not in new_header]
    # Values are compared in the fields both versions have: a field added is said once, as
    # a field, and not as a change of every row.
    common = [name for name in new_header if name in old_header]
    old_day, new_day = day_of(old_header), day_of(new_header)
    # A version without every key field (an absent table, or a key that changed) has no
    # row the other could match: its rows are all removed, or all added.
    matched = all(name in old_header and name in new_header for name in key)
    index: dict[object, tuple[int, str]] = {}
    if matched:
        old_key, old_values = picker(old_header, key), picker(old_header, common)
        new_key, new_values = picker(new_header, key), picker(new_header, common)
        for row in old_rows:
            index[old_key(row)] = (hash(old_values(row)), old_day(row))
        for row in new_rows:
            committed = index.pop(new_key(row), None)
            if committed is None:
                count(change.added, new_day(row))
            elif committed[0] != hash(new_values(row)):
                count(change.changed, new_day(row))
    else:
        for row in old_rows:
            count(change.removed, old_day(row))
        for row in new_rows:
            count(change.added, new_day(row))
    for _, day in index.values():
        count(change.removed, day)
    return change


def primary_keys(package: dict) -> dict[str, list[str]]:
    """Each resource's primary key (a field's name or a list of them, as the Table Schema
    allows), by the resource's name."""
    keys = {}
    for resource in package.get("resources", []):
        key = resource.get("schema", {}).get("primaryKey")
        if key:
            keys[resource["name"]] = [key] if isinstance(key, str) else list(key)
    return keys


def read_json(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else {}


def working_text(path: str) -> str | None:
    """A file's text in the working tree, its line ends untouched (as git shows the
    committed version), or None when it is absent."""
    return Path(path).read_bytes().decode("utf-8") if Path(path).exists() else None


def label(table: str, role: str | None, sources: dict[str, str]) -> str:
    """'fremont_bridge (hourly_counts)': the source a table is made from, and the table;
    'daily (derived)' for a table made from the others."""
    if role is None:
        return f"{table} (derived)"
    return f"{sources[role]} ({table})" if role in sources else table


def data_changes(revision: str = "HEAD") -> list[str]:
    """One line per table whose data differ from `revision`'s, in the order of
    workflow.TABLE_SOURCE_ROLES; none when no table's data changed. Compares the working
    tree's tables, keyed as its data package says (a key that changed: all rows anew)."""
    keys = primary_keys(read_json(DATA_PACKAGE))
    coverage = read_json(COVERAGE).get("sources", {})
    sources = {record["role"]: name for name, record in coverage.items()}
    lines = []
    for table, role in TABLE_SOURCE_ROLES.items():
        path = TABLE.format(table=table)
        old, new = git.show(revision, path), working_text(path)
        if old == new:
            continue
        if table not in keys:
            # The names test keeps the package and the tables in step; should they part
            # anyway, the results are still published, and the log says what is missing.
            print(f"changelog: {DATA_PACKAGE} has no primary key of {table}", file=sys.stderr)
            continue
        change = diff_table(old, new, keys[table])
        if change:
            lines.append(f"{label(table, role, sources)}: {change.describe()}")
    return lines


def last_day() -> str | None:
    """The last day the data reach: the latest of the sources' last days."""
    days = [record["last_day"] for record in read_json(COVERAGE).get("sources", {}).values()]
    return max(days) if days else None


def entry(lines: list[str], day: str | None) -> str:
    heading = f"## Data to {day}" if day else "## Data"
    return heading + "\n\n" + "".join(f"- {line}\n" for line in lines)


def page(committed: str | None, new_entry: str) -> str:
    """The page with `new_entry` first: the introduction as this module writes it, then
    the entries of the committed page (everything from its first heading on)."""
    found = re.search(r"^## ", committed or "", flags=re.MULTILINE)
    entries = committed[found.start() :] if committed and found else ""
    return INTRO + "\n" + new_entry + ("\n" + entries if entries else "")


def record(lines: list[str], revision: str = "HEAD") -> bool:
    """Add an entry of `lines` to `revision`'s page, in the working tree; False (and
    nothing written) when there are none. Built on the committed page, not the working
    tree's, so that a publish that stops and starts again adds one entry, not two."""
    if not lines:
        return False
    text = page(git.show(revision, CHANGELOG), entry(lines, last_day()))
    Path(CHANGELOG).write_bytes(text.encode("utf-8"))
    return True
