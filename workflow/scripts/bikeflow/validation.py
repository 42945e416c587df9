"""Validate a raw source against its frictionless Table Schema.

Columns are matched by name: a source may carry extra columns, in any order, and a
schema field missing from the header is an error. (frictionless' own schema_sync drops a
missing field unless it is `required`, and counts cannot be required: blank hours are real.)
Beyond Table Schema's own constraints, a schema may declare row checks as custom
properties: `rowSums` (a total column equals the sum of its parts; the RowSum check
below), `rowConstraints` (formulas for frictionless' own row_constraint check),
`minRows` (frictionless' table_dimensions check: a source with only a header is no data)
and `dayField` (the field giving each row's day; a valid file's days are collected for the
shrinking-upstream guard below).

The configuration may require a column to hold one value on every row (`required_values`,
e.g. the GHCN station of the weather source): it becomes an `enum` constraint of the field,
so frictionless checks every row and a file from another station names row and field.

Header problems come first: when the header lacks a field, the message shows the header
the file has and, for each missing field, the closest label in it; the row checks are
skipped, since every row would only repeat that cause (a file in another layout would
otherwise bury it under a thousand row errors).

The shrinking-upstream guard (`lost_data`) compares a valid new download with the table
the source is published as: published days it no longer has, or many fewer rows, stop the
run before anything published is overwritten.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import attrs
import frictionless
import yaml
from frictionless import Check, Checklist, Package, Resource, Schema, errors

# Table Schema has no cross-field constraints; these custom properties declare them.
ROW_SUMS_PROPERTY = "rowSums"
ROW_CONSTRAINTS_PROPERTY = "rowConstraints"
MIN_ROWS_PROPERTY = "minRows"
DAY_FIELD_PROPERTY = "dayField"
# frictionless stops after this many errors; a count that reached it is a lower bound.
ERROR_LIMIT = 1000
# How alike two names must be (difflib's ratio, 0 to 1) for a header label to be offered as a
# missing field's new name. Names of several words are compared by their words, not their
# characters: a long shared prefix (the Fremont export's "Fremont Bridge Sidewalks, south of N
# 34th St ...") would make every label look alike. "Fremont Bridge Total" for "Fremont Bridge
# Sidewalks, south of N 34th St Total" scores 0.5, "Fremont Bridge NB" 0.33, "NAME" for
# "PRCP_ATTRIBUTES" 0. Two one-word names are compared by their characters, or a respelt
# label would never be found: "Stadteinwärts" for "Stadteinwaerts" scores 0.89.
CLOSEST_NAME_CUTOFF = 0.4
# Errors frictionless reports per row: skipped while the header lacks a field.
ROW_ERRORS_TAG = "#row"


@attrs.define(kw_only=True, repr=False)
class RowSum(Check):
    """A total column equals the sum of its part columns, wherever all are present."""

    type = "row-sum"
    Errors = [errors.RowConstraintError]

    total: str
    parts: list[str]

    def validate_row(self, row):
        values = [row[name] for name in (self.total, *self.parts)]
        if any(value is None for value in values):
            return  # blank counts are a missing observation, not a wrong sum
        total, *parts = values
        if total != sum(parts):
            parts_named = " + ".join(f'"{name}"' for name in self.parts)
            yield errors.RowConstraintError.from_row(
                row, note=f'"{self.total}" is {total} but {parts_named} = {sum(parts)}'
            )


@dataclass(frozen=True)
class Problem:
    """One validation error, located as a person would look for it."""

    row: int | None
    field: str | None
    type: str
    message: str

    def describe(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        location = ", ".join(where) or "table"
        return f"{location}: {self.type}: {self.message}"


@dataclass(frozen=True)
class Validation:
    """The outcome of validating one file: the frictionless report, its problems, the
    file's header and the days its rows cover (when the schema names a `dayField`)."""

    report: dict
    problems: list[Problem]
    header: tuple[str, ...] = ()
    days: frozenset[date] = frozenset()

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def stats(self) -> dict:
        return self.report["tasks"][0]["stats"] if self.report["tasks"] else {}

    @property
    def capped(self) -> bool:
        """True when frictionless stopped at its error limit: there may be more errors."""
        warnings = [w for task in self.report["tasks"] for w in task.get("warnings", [])]
        return any(warning.startswith("reached error limit") for warning in warnings)

    @property
    def missing_fields(self) -> list[str]:
        return [problem.field for problem in self.problems if problem.type == "missing-label"]

    def count_text(self) -> str:
        """The count in words: '3 errors', '1 error', or 'at least 1,000 errors' when
        frictionless stopped at its limit."""
        count = len(self.problems)
        plural = "s" * (count != 1)
        return f"{'at least ' * self.capped}{count:,} error{plural}"


def load_schema_descriptor(path: str | Path) -> dict:
    """Read a Table Schema from YAML or JSON."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def validate_file(
    path: str | Path,
    schema: dict,
    *,
    required_values: Mapping[str, str] | None = None,
    limit_errors: int = ERROR_LIMIT,
) -> Validation:
    """Validate the CSV at `path` against the Table Schema descriptor `schema`;
    `required_values` maps a column to the value every row must have."""
    path = Path(path)
    schema = with_required_values(schema, required_values or {})
    labels = read_header(path)
    checks = [RowSum(**rule) for rule in schema.get(ROW_SUMS_PROPERTY, [])]
    checks += [
        frictionless.checks.row_constraint(formula=formula)
        for formula in schema.get(ROW_CONSTRAINTS_PROPERTY, [])
    ]
    if MIN_ROWS_PROPERTY in schema:
        checks.append(frictionless.checks.table_dimensions(min_rows=schema[MIN_ROWS_PROPERTY]))
    header_incomplete = bool(fields_missing_from(schema, labels))
    checklist = Checklist(checks=checks, skip_errors=[ROW_ERRORS_TAG] if header_incomplete else [])
    resource = Resource(
        path=path.name,
        basepath=str(path.parent.resolve()),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(schema_for_header(schema, labels)),
    )
    days = DayCollector(schema.get(DAY_FIELD_PROPERTY))
    report = resource.validate(checklist=checklist, on_row=days.add, limit_errors=limit_errors)
    return Validation(
        report=_without_timings(report.to_dict()),
        problems=_problems(report, schema, labels, required_values),
        header=tuple(labels),
        days=frozenset(days.days),
    )


def validate_package(descriptor: dict, basepath: str | Path) -> Validation:
    """Validate a data package descriptor and every resource it lists (paths relative
    to `basepath`), before the descriptor is written."""
    report = Package(descriptor, basepath=str(Path(basepath).resolve())).validate()
    return Validation(report=_without_timings(report.to_dict()), problems=_problems(report))


def read_header(path: Path) -> list[str]:
    """The labels of the first row, as a CSV reader sees them (undecodable bytes replaced:
    frictionless reports the encoding error itself)."""
    # utf-8-sig: a byte-order mark is not part of the first label (frictionless agrees).
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


def fields_missing_from(schema: dict, labels: list[str]) -> list[str]:
    """Names of the schema's fields that no header label matches."""
    present = set(labels)
    return [field["name"] for field in schema["fields"] if field["name"] not in present]


def with_required_values(schema: dict, required: Mapping[str, str]) -> dict:
    """The schema with each required column's value as the `enum` constraint of its field
    (a column the schema does not name is added as a required text field)."""
    if not required:
        return schema
    fields = []
    for field in schema["fields"]:
        if field["name"] in required:
            constraints = {**field.get("constraints", {}), "enum": [required[field["name"]]]}
            field = {**field, "constraints": constraints}
        fields.append(field)
    named = {field["name"] for field in fields}
    fields += [
        {"name": column, "type": "string", "constraints": {"required": True, "enum": [value]}}
        for column, value in required.items()
        if column not in named
    ]
    return {**schema, "fields": fields}


def schema_for_header(schema: dict, labels: list[str]) -> dict:
    """The schema's fields in the header's order; columns it does not name as plain text
    (tolerated, not judged); fields the header lacks at the end, where frictionless
    reports each as a missing label."""
    by_name = {field["name"]: field for field in schema["fields"]}
    fields, seen = [], set()
    for position, label in enumerate(labels, start=1):
        if label in seen:
            # A repeated label gets a name of its own; frictionless reports the mismatch.
            fields.append({"name": f"{label} (repeated at column {position})", "type": "string"})
        else:
            fields.append(by_name.get(label, {"name": label, "type": "string"}))
        seen.add(label)
    fields += [field for field in schema["fields"] if field["name"] not in seen]
    return {**schema, "fields": fields}


def closest_labels(missing: Iterable[str], labels: Iterable[str]) -> dict[str, str]:
    """For each missing field name, the unused header label most like it, if any is alike
    enough to be its rename. Each label is offered once, best pairs first, so that renamed
    East and West columns are not both offered the same label."""
    missing, labels = list(missing), list(labels)
    pairs = sorted(
        (
            (-_word_similarity(name, label), position, column)
            for position, name in enumerate(missing)
            for column, label in enumerate(labels)
        )
    )
    closest, used = {}, set()
    for negative_score, position, column in pairs:
        name = missing[position]
        if -negative_score < CLOSEST_NAME_CUTOFF:
            break
        if name not in closest and column not in used:
            closest[name] = labels[column]
            used.add(column)
    return closest


def _word_similarity(first: str, second: str) -> float:
    def words(text: str) -> list[str]:
        return re.findall(r"[^\W_]+", text.casefold())

    first_words, second_words = words(first), words(second)
    if len(first_words) == len(second_words) == 1:
        first_words, second_words = list(first_words[0]), list(second_words[0])
    return difflib.SequenceMatcher(None, first_words, second_words, autojunk=False).ratio()


class DayCollector:
    """The days of the rows frictionless reads (an `on_row` callback), from `field`'s value."""

    def __init__(self, field: str | None):
        self.field = field
        self.days: set[date] = set()

    def add(self, row) -> None:
        value = row.get(self.field) if self.field else None
        if isinstance(value, datetime):
            self.days.add(value.date())
        elif isinstance(value, date):
            self.days.add(value)


def _problems(
    report: frictionless.Report,
    schema: dict | None = None,
    labels: Sequence[str] = (),
    required: Mapping[str, str] | None = None,
) -> list[Problem]:
    schema, required = schema or {"fields": []}, required or {}
    key = set(schema.get("primaryKey", []))
    named = {field["name"] for field in schema["fields"]}
    unmatched = [label for label in labels if label not in named]
    closest = closest_labels(fields_missing_from(schema, labels), unmatched)
    problems = [Problem(None, None, error.type, error.message) for error in report.errors]
    for task in report.tasks:
        # A key cell that failed its type or constraint is already reported; the primary-key
        # error that follows ("all None") would only hide that cause.
        bad_key_rows = {
            error.row_number
            for error in task.errors
            if isinstance(error, errors.CellError) and error.field_name in key
        }
        for error in task.errors:
            row = getattr(error, "row_number", None)
            if error.type == "primary-key" and row in bad_key_rows:
                continue
            field = getattr(error, "field_name", None) or None
            if error.type == "missing-label":
                message = _missing_label_message(closest.get(field))
            elif error.type == "constraint-error" and field in required:
                message = _required_value_message(error, required[field])
            else:
                message = _message(error)
            problems.append(Problem(row=row, field=field, type=error.type, message=message))
    return problems


def _message(error: errors.Error) -> str:
    """What is wrong, in words a person can act on (with the offending value if any)."""
    message = error.note or error.message
    cell = getattr(error, "cell", None)
    return message if cell is None else f"{message} (value {cell!r})"


def _missing_label_message(closest: str | None) -> str:
    if closest is None:
        return "the header has no column of this name, nor one with a similar name"
    return f"the header has no column of this name; the closest is {closest!r} (renamed upstream?)"


def _required_value_message(error: errors.Error, expected: str) -> str:
    if getattr(error, "cell", None) in (None, ""):
        return _message(error)
    return (
        f"every row must have {expected!r} here (required_values in the source's config); "
        f"found {error.cell!r}"
    )


def _without_timings(value):
    """Drop the run time frictionless records, so unchanged data gives identical reports."""
    if isinstance(value, dict):
        return {key: _without_timings(item) for key, item in value.items() if key != "seconds"}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def report_json(validation: Validation) -> str:
    return json.dumps(validation.report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def header_text(validation: Validation) -> str:
    """The file's header, each label quoted (labels may hold commas and spaces)."""
    count = len(validation.header)
    labels = ", ".join(repr(label) for label in validation.header)
    return f"The file's header has {count} column{'s' * (count != 1)}: {labels}"


ROWS_SKIPPED = "Its rows were not checked: with columns missing, every row would fail for that."


def summary_markdown(
    source: str,
    description: str,
    schema_path: str,
    validation: Validation,
    *,
    shown: int,
    refusal: str | None = None,
) -> str:
    """A short Markdown summary for people: what was checked and the first problems.
    `refusal` is why a valid file was refused anyway (the shrinking-upstream guard)."""
    stats = validation.stats
    count = len(validation.problems)
    if not validation.valid:
        result = f"**invalid**: {validation.count_text()}"
    elif refusal is not None:
        result = "**invalid**: valid, but it has lost data that is published"
    else:
        result = "valid"
    lines = [
        f"# Validation of `{source}`",
        "",
        description,
        "",
        "| | |",
        "|---|---|",
        f"| Result | {result} |",
        f"| Rows | {stats.get('rows', 0):,} |",
        f"| Bytes | {stats.get('bytes', 0):,} |",
        f"| sha256 | `{stats.get('sha256', '')}` |",
        f"| Schema | `{schema_path}` |",
        "",
    ]
    if validation.missing_fields:
        lines += ["## Header", "", header_text(validation) + ".", "", ROWS_SKIPPED, ""]
    if validation.problems:
        lines += [
            f"## First {min(shown, count)} of {validation.count_text()}",
            "",
            "| Row | Field | Error | Details |",
            "|---|---|---|---|",
        ]
        for problem in validation.problems[:shown]:
            cells = [
                "" if problem.row is None else str(problem.row),
                problem.field or "",
                problem.type,
                problem.message,
            ]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
    if refusal is not None:
        lines += ["## Refused", "", "```", refusal, "```", ""]
    return "\n".join(lines)


def failure_message(
    source: str, validation: Validation, *, shown: int, report_path: str | None = None
) -> str:
    """The message a failed job ends with: source, first errors located, the header when
    it lacks columns, the report's place."""
    count = len(validation.problems)
    lines = [f"{source}: failed validation with {validation.count_text()}:"]
    lines += [f"  - {problem.describe()}" for problem in validation.problems[:shown]]
    if count > shown:
        lines.append(f"  ... and {'at least ' * validation.capped}{count - shown:,} more")
    if validation.missing_fields:
        lines += [f"  {header_text(validation)}", f"  {ROWS_SKIPPED}"]
    if report_path is not None:
        lines.append(f"Full report: {report_path}")
    return "\n".join(lines)


# --- the shrinking-upstream guard --------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What a source's published table holds: its days and its rows (one per raw row)."""

    path: str
    days: frozenset[date]
    rows: int


def read_published(path: str | Path, day_column: str = "date") -> Published | None:
    """The days and rows of a published table (CSV), or None before the first publication.
    Raises ValueError when the table cannot be read as one."""
    path = Path(path)
    if not path.is_file():
        return None
    days, rows = set(), 0
    with open(path, encoding="utf-8", newline="") as handle:
        try:
            for row in csv.DictReader(handle):
                rows += 1
                days.add(date.fromisoformat(row[day_column][:10]))
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{path}: cannot read the day of row {rows + 1} from column {day_column!r} "
                f"({error!r})"
            ) from None
    return Published(path=path.as_posix(), days=frozenset(days), rows=rows)


@dataclass(frozen=True)
class Loss:
    """Published data a new download no longer has: days, or more rows than allowed."""

    published: Published
    missing_days: tuple[date, ...]
    rows: int
    max_row_drop: float

    @property
    def row_drop(self) -> float:
        """The fraction of the published rows the download lacks (negative if it has more)."""
        if self.published.rows == 0:
            return 0.0
        return (self.published.rows - self.rows) / self.published.rows

    @property
    def too_many_rows_lost(self) -> bool:
        return self.row_drop > self.max_row_drop

    def describe(self, *, shown: int) -> list[str]:
        """One line per kind of loss (ranges of missing days listed up to `shown`)."""
        lines = []
        if self.missing_days:
            ranges = day_ranges(self.missing_days)
            days, count = len(self.missing_days), len(ranges)
            lines.append(
                f"  - {days:,} day{'s' * (days != 1)} that {self.published.path} has are "
                f"missing, in {count} range{'s' * (count != 1)}:"
            )
            lines += [f"      {span_text(start, end)}" for start, end in ranges[:shown]]
            if count > shown:
                lines.append(f"      ... and {count - shown} more ranges")
        if self.too_many_rows_lost:
            lines.append(
                f"  - it has {self.rows:,} rows, {self.row_drop:.1%} fewer than the "
                f"{self.published.rows:,} of {self.published.path} "
                f"(at most {self.max_row_drop:.1%} allowed: validation.max_row_drop)"
            )
        return lines


def lost_data(
    published: Published, days: Iterable[date], rows: int, *, max_row_drop: float
) -> Loss | None:
    """What a new download with `days` and `rows` lacks of the published table: every
    published day must still be there, and at most `max_row_drop` of its rows may go."""
    missing = tuple(sorted(published.days.difference(days)))
    loss = Loss(published=published, missing_days=missing, rows=rows, max_row_drop=max_row_drop)
    return loss if missing or loss.too_many_rows_lost else None


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days merged into (first, last) ranges, in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def span_text(start: date, end: date) -> str:
    days = (end - start).days + 1
    if days == 1:
        return f"{start} (1 day)"
    return f"{start} to {end} ({days:,} days)"


def shrinking_check(
    source: str,
    validation: Validation,
    published_path: str,
    *,
    max_row_drop: float,
    allowed: bool,
    shown: int,
) -> tuple[str | None, str]:
    """A valid download checked against the table its source is published as: (refusal,
    note). `refusal` says why it is refused (it lacks published days, or too many rows), or
    is None; `note` says what was compared, for the log. A person may allow one run to lose
    data (`allowed`, config `validation.allow_shrinking`): then the loss is only noted.
    Raises ValueError when the published table cannot be read."""
    published = read_published(published_path)
    if published is None:
        return None, f"{source}: nothing published yet, nothing to compare with"
    rows = validation.stats.get("rows", 0)
    loss = lost_data(published, validation.days, rows, max_row_drop=max_row_drop)
    if loss is None:
        return None, (
            f"{source}: keeps all {len(published.days)} published days ({rows} rows, "
            f"{published.rows} published)"
        )
    lines = loss.describe(shown=shown)
    if allowed:
        return None, "\n".join(
            [
                f"{source}: allowed for this run (validation.allow_shrinking), the download "
                "has lost published data:",
                *lines,
            ]
        )
    refusal = "\n".join(
        [
            f"{source}: the new download has lost data that is published, so it is refused "
            "and nothing is built from it:",
            *lines,
            "If upstream really removed it, allow it for one run (then drop the setting):",
            f"  snakemake --config 'validation={{allow_shrinking: [{source}]}}'",
            "(validation.allow_shrinking in config/README.md)",
        ]
    )
    return refusal, f"{source}: refused, it lacks published data"
