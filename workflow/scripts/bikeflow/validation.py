"""Validate a raw source against its frictionless Table Schema.

Columns are matched by name: a source may carry extra columns, in any order, and a
schema field missing from the header is an error. (frictionless' own schema_sync drops a
missing field unless it is `required`, and counts cannot be required: blank hours are real.)
Beyond Table Schema's own constraints, a schema may declare row checks as custom
properties: `rowSums` (a total column equals the sum of its parts; the RowSum check
below), `rowConstraints` (formulas for frictionless' own row_constraint check) and
`minRows` (frictionless' table_dimensions check: a source with only a header is no data).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import attrs
import frictionless
import yaml
from frictionless import Check, Checklist, Package, Resource, Schema, errors

# Table Schema has no cross-field constraints; these custom properties declare them.
ROW_SUMS_PROPERTY = "rowSums"
ROW_CONSTRAINTS_PROPERTY = "rowConstraints"
MIN_ROWS_PROPERTY = "minRows"


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
    """The outcome of validating one file: the frictionless report and its problems."""

    report: dict
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        return bool(self.report["valid"])

    @property
    def stats(self) -> dict:
        return self.report["tasks"][0]["stats"] if self.report["tasks"] else {}


def load_schema_descriptor(path: str | Path) -> dict:
    """Read a Table Schema from YAML or JSON."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def validate_file(path: str | Path, schema: dict, *, limit_errors: int = 1000) -> Validation:
    """Validate the CSV at `path` against the Table Schema descriptor `schema`."""
    path = Path(path)
    checks = [RowSum(**rule) for rule in schema.get(ROW_SUMS_PROPERTY, [])]
    checks += [
        frictionless.checks.row_constraint(formula=formula)
        for formula in schema.get(ROW_CONSTRAINTS_PROPERTY, [])
    ]
    if MIN_ROWS_PROPERTY in schema:
        checks.append(frictionless.checks.table_dimensions(min_rows=schema[MIN_ROWS_PROPERTY]))
    resource = Resource(
        path=path.name,
        basepath=str(path.parent.resolve()),
        format="csv",
        encoding="utf-8",
        schema=Schema.from_descriptor(schema_for_header(schema, read_header(path))),
    )
    report = resource.validate(checklist=Checklist(checks=checks), limit_errors=limit_errors)
    return Validation(report=_without_timings(report.to_dict()), problems=_problems(report))


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


def _problems(report: frictionless.Report) -> list[Problem]:
    problems = [Problem(None, None, error.type, error.message) for error in report.errors]
    for task in report.tasks:
        for error in task.errors:
            problems.append(
                Problem(
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None) or None,
                    type=error.type,
                    message=_message(error),
                )
            )
    return problems


def _message(error: errors.Error) -> str:
    """What is wrong, in words a person can act on (with the offending value if any)."""
    if error.type == "missing-label":
        return "the header has no column of this name (renamed or removed upstream?)"
    message = error.note or error.message
    cell = getattr(error, "cell", None)
    return message if cell is None else f"{message} (value {cell!r})"


def _without_timings(value):
    """Drop the run time frictionless records, so unchanged data gives identical reports."""
    if isinstance(value, dict):
        return {key: _without_timings(item) for key, item in value.items() if key != "seconds"}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def report_json(validation: Validation) -> str:
    return json.dumps(validation.report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def summary_markdown(
    source: str, description: str, schema_path: str, validation: Validation, *, shown: int
) -> str:
    """A short Markdown summary for people: what was checked and the first problems."""
    stats = validation.stats
    count = len(validation.problems)
    result = "valid" if validation.valid else f"**invalid**: {count} error{'s' * (count != 1)}"
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
    if validation.problems:
        lines += [
            f"## First {min(shown, count)} of {count} errors",
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
    return "\n".join(lines)


def failure_message(
    source: str, validation: Validation, *, shown: int, report_path: str | None = None
) -> str:
    """The message a failed job ends with: source, first errors located, the report's place."""
    count = len(validation.problems)
    lines = [f"{source}: failed validation with {count} error{'s' * (count != 1)}:"]
    lines += [f"  - {problem.describe()}" for problem in validation.problems[:shown]]
    if count > shown:
        lines.append(f"  ... and {count - shown} more")
    if report_path is not None:
        lines.append(f"Full report: {report_path}")
    return "\n".join(lines)
