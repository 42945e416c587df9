"""bikeflow.validation against the real source schemas, on files made by tests/support/data.py.

Every bad input is a generated file in the exact upstream format with one thing broken. The
invalid cases assert on the failure message a person reads when the job stops: it must name
the source, the row and field of the problem where it has them, and the problem itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from support.data import (
    CDO_HEADER,
    COUNTS_HEADER,
    FREMONT_2019_TO_2023_HEADER,
    FREMONT_HEADER,
    FREMONT_SIDEWALK_HEADER,
    GHCN_HEADER,
    GHCN_STATION,
    blank_counts,
    cdo_text,
    counts_rows,
    counts_text,
    drop_column,
    ghcn_row,
    ghcn_rows,
    ghcn_text,
    write,
)
from support.sources import COUNTS, WEATHER, about_fremont
from support.workflow import REPOSITORY

from bikeflow.validation import (
    Published,
    Validation,
    closest_labels,
    day_ranges,
    failure_message,
    load_schema_descriptor,
    lost_data,
    read_published,
    report_json,
    shrinking_check,
    summary_markdown,
    validate_file,
    validate_package,
)

SCHEMAS = REPOSITORY / "workflow" / "schemas"
# The configured sources' schemas: the tests judge files in the formats a fork configures.
COUNTS_SCHEMA = COUNTS.schema
GHCN_SCHEMA = WEATHER.schema
GHCN_SCHEMA_FIELDS = [field["name"] for field in GHCN_SCHEMA["fields"]]
# The configured station (the fixtures' rows are its), and another one: New York's Central Park.
STATION, CENTRAL_PARK = GHCN_STATION[0], "USW00094728"
ISSUES_SCHEMA = load_schema_descriptor(SCHEMAS / "tables" / "counter_issues.schema.yaml")

DATE, TOTAL = COUNTS.timestamp, COUNTS.total
# Two count columns besides the total (the counter's parts, when it has them; else the total).
PART, OTHER_PART = (COUNTS.count_labels[1:] or [TOTAL])[0], (COUNTS.count_labels[1:] or [TOTAL])[-1]
# The Fremont Bridge export's labels, for the tests of its upstream history.
FREMONT_DATE, FREMONT_TOTAL, FREMONT_WEST, FREMONT_EAST = FREMONT_HEADER
START = date(2021, 1, 4)  # a Monday
SHOWN = 10  # errors listed in a failure message, as the workflow's errors_shown
ISSUES_HEADER = ["start", "end", "reason"]


# --- helpers -----------------------------------------------------------------------------


def check(tmp_path: Path, content: str | bytes, schema: dict, **options) -> Validation:
    path = tmp_path / "source.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write(path, content)
    return validate_file(path, schema, **options)


def file_row(index: int) -> int:
    """The row number frictionless reports for data row `index` (0-based): the header is 1."""
    return index + 2


def with_cell(rows: list[list[str]], index: int, column: int, value: str) -> list[list[str]]:
    changed = [list(row) for row in rows]
    changed[index][column] = value
    return changed


def failure(source: str, validation: Validation) -> str:
    """The failure message of an invalid file (the test fails if the file passed)."""
    assert not validation.valid, f"{source} passed validation but should not have"
    message = failure_message(source, validation, shown=SHOWN)
    assert message.startswith(f"{source}: "), message
    assert "failed validation with " in message.splitlines()[0], message
    return message


def line_naming(message: str, *fragments: str) -> str:
    """The one line of `message` that names every fragment (one problem, fully located)."""
    lines = [line for line in message.splitlines() if all(part in line for part in fragments)]
    assert lines, f"no line of the message names all of {fragments!r}:\n{message}"
    return lines[0]


def located(row: int | None, field: str | None) -> str:
    """How a problem's location reads in a failure message (Problem.describe)."""
    parts = ([f"row {row}"] if row is not None else []) + (
        [f"field {field!r}"] if field is not None else []
    )
    return "  - " + ", ".join(parts) + ": "


def table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def ghcn_columns(text: str, order: Callable[[list[str]], list[str]]) -> str:
    """The GHCN file with its columns rearranged by name (`order` maps header -> header)."""
    header, *rows = table(text)
    labels = order(header)
    index = [header.index(label) for label in labels]
    return ghcn_text([[row[i] for i in index] for row in rows], header=labels)


def issues_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([ISSUES_HEADER, *rows])
    return buffer.getvalue()


ISSUES_ROWS = [
    ["2014-09-01", "2015-04-30", "Sidewalk sensor dropouts"],
    ["2023-04-18", "2023-04-18", "Counter outage: 11 blank hours"],
]


@pytest.fixture(scope="module")
def counter_rows() -> list[list[str]]:
    return counts_rows(START, 2)


@pytest.fixture(scope="module")
def ghcn() -> list[list[str]]:
    return ghcn_rows(date(2021, 1, 1), 10)


# --- valid files -------------------------------------------------------------------------


def test_generated_counts_file_is_valid(tmp_path, counter_rows):
    validation = check(tmp_path, counts_text(counter_rows), COUNTS_SCHEMA)
    assert validation.valid, failure_message("fremont_bridge", validation, shown=SHOWN)
    assert validation.problems == []
    assert validation.stats["rows"] == 48
    assert validation.stats["fields"] == len(COUNTS_HEADER)


def test_hour_with_every_count_blank_is_valid(tmp_path, counter_rows):
    """An hour the counter did not report: blank counts, no type, range or row-sum error."""
    rows = [list(row) for row in counter_rows]
    rows[8] = blank_counts(rows[8])
    validation = check(tmp_path, counts_text(rows), COUNTS_SCHEMA)
    assert validation.valid, failure_message("fremont_bridge", validation, shown=SHOWN)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(lambda header: header, id="as-served"),
        pytest.param(lambda header: header[::-1], id="reversed"),
        pytest.param(
            lambda header: [*header[6:], *header[:6]], id="elements-before-station-columns"
        ),
        pytest.param(
            lambda header: (
                [label for label in header if "_ATTRIBUTES" not in label]
                + [label for label in header if "_ATTRIBUTES" in label]
            ),
            id="attributes-last",
        ),
    ],
)
def test_generated_ghcn_file_is_valid_in_any_column_order(tmp_path, ghcn, order):
    validation = check(tmp_path, ghcn_columns(ghcn_text(ghcn), order), GHCN_SCHEMA)
    assert validation.valid, failure_message("seatac_weather", validation, shown=SHOWN)
    assert validation.stats["rows"] == 10


def test_ghcn_extra_element_columns_are_tolerated(tmp_path, ghcn):
    """Columns the schema does not name are read as text and not judged."""
    extra = ["PGTM", "PGTM_ATTRIBUTES", "WSF2", "WSF2_ATTRIBUTES", "WT08"]
    rows = [[*row, "nonsense", ",,W", "-9999", "", "1.5"] for row in ghcn]
    validation = check(tmp_path, ghcn_text(rows, header=[*GHCN_HEADER, *extra]), GHCN_SCHEMA)
    assert validation.valid, failure_message("seatac_weather", validation, shown=SHOWN)
    assert validation.stats["fields"] == len(GHCN_HEADER) + len(extra)


def test_ghcn_missing_element_values_are_valid(tmp_path, ghcn):
    rows = [*ghcn, ghcn_row(date(2021, 1, 11), {"TMAX": None, "AWND": None, "PRCP": None})]
    validation = check(tmp_path, ghcn_text(rows), GHCN_SCHEMA)
    assert validation.valid, failure_message("seatac_weather", validation, shown=SHOWN)


def test_counter_issues_file_is_valid(tmp_path):
    validation = check(tmp_path, issues_text(ISSUES_ROWS), ISSUES_SCHEMA)
    assert validation.valid, failure_message("counter_issues", validation, shown=SHOWN)


# --- counts: header ----------------------------------------------------------------------


def assert_names_missing_columns(message: str, header: list[str], closest: dict) -> None:
    """`message` names each missing field with its closest label (None: none alike), and
    shows the file's header."""
    for field, label in closest.items():
        line = line_naming(message, located(None, field) + "missing-label: ")
        if label is None:
            assert "nor one with a similar name" in line, message
        else:
            assert f"the closest is {label!r}" in line, message
    assert message.count("missing-label") == len(closest), message
    shown_header = ", ".join(repr(label) for label in header)
    line_naming(message, f"  The file's header has {len(header)} columns: {shown_header}")


def renamed(label: str, to: str = "Xyzzy") -> list[str]:
    """The counter's header with one label replaced by a name like no other."""
    return [to if column == label else column for column in COUNTS_HEADER]


@pytest.mark.parametrize(
    ("header", "closest"),
    [
        pytest.param(renamed(DATE), {DATE: None}, id="timestamp-renamed"),
        pytest.param(renamed(TOTAL), {TOTAL: None}, id="total-renamed"),
        pytest.param(
            renamed(PART, f"{PART} (new)"), {PART: f"{PART} (new)"}, id="part-renamed-alike"
        ),
    ],
)
def test_renamed_count_column_names_the_missing_column_its_closest_and_the_header(
    tmp_path, counter_rows, header, closest
):
    message = failure(
        "fremont_bridge", check(tmp_path, counts_text(counter_rows, header), COUNTS_SCHEMA)
    )
    assert_names_missing_columns(message, header, closest)


def test_a_respelt_one_word_label_is_offered_as_the_missing_ones_new_name():
    """One-word labels are compared letter by letter (several words, word by word)."""
    header = ["Zeitpunkt", "Gesamt", "Stadteinwärts", "Stadtauswärts"]
    missing = ["Stadteinwaerts", "Stadtauswaerts", "Total"]
    assert closest_labels(missing, header) == {
        "Stadteinwaerts": "Stadteinwärts",
        "Stadtauswaerts": "Stadtauswärts",
    }


@about_fremont
@pytest.mark.parametrize(
    ("header", "closest"),
    [
        pytest.param(
            FREMONT_SIDEWALK_HEADER,
            {
                FREMONT_TOTAL: "Fremont Bridge Total",
                FREMONT_WEST: "Fremont Bridge West Sidewalk",
                FREMONT_EAST: "Fremont Bridge East Sidewalk",
            },
            id="sidewalk-names-until-2019",
        ),
        pytest.param(
            [FREMONT_DATE, "Fremont Bridge NB", "Fremont Bridge SB"],
            {FREMONT_TOTAL: None, FREMONT_WEST: None, FREMONT_EAST: None},
            id="old-NB-SB-names",
        ),
        pytest.param(
            FREMONT_2019_TO_2023_HEADER,
            {FREMONT_TOTAL: "Fremont Bridge Sidewalks, south of N 34th St"},
            id="total-without-Total-2019-to-2023",
        ),
    ],
)
def test_older_fremont_exports_name_the_missing_column_its_closest_and_the_header(
    tmp_path, counter_rows, header, closest
):
    """The labels the Fremont Bridge export had upstream (config/README.md, "Upstream column
    history"): each renamed column is named with the label it most likely became."""
    rows = [row[: len(header)] for row in counter_rows]
    message = failure("fremont_bridge", check(tmp_path, counts_text(rows, header), COUNTS_SCHEMA))
    assert_names_missing_columns(message, header, closest)


def test_missing_column_skips_the_row_checks_that_would_repeat_it(tmp_path, counter_rows):
    """An old export with a bad cell as well: the header is the cause to fix first, and its
    rows are not judged against a schema they were not written for."""
    rows = with_cell(counter_rows, 5, COUNTS_HEADER.index(DATE), "not a time")
    validation = check(tmp_path, counts_text(rows, renamed(TOTAL)), COUNTS_SCHEMA)
    message = failure("fremont_bridge", validation)
    assert [problem.type for problem in validation.problems] == ["missing-label"], message
    assert message.splitlines()[0] == "fremont_bridge: failed validation with 1 error:"
    line_naming(message, "Its rows were not checked")


def test_climate_data_online_layout_is_a_header_message_not_a_thousand_row_errors(tmp_path):
    """NOAA's other layout of the same station: DATE as 20120101, no _ATTRIBUTES columns.
    Before, 1000 errors (reported as exact), mostly a type error and an "all None"
    primary-key error per row; now the missing columns and the header the file has."""
    validation = check(tmp_path, cdo_text(date(2012, 1, 1), 1500), GHCN_SCHEMA)
    message = failure("seatac_weather", validation)
    attributes = [label for label in GHCN_SCHEMA_FIELDS if label.endswith("_ATTRIBUTES")]
    assert validation.missing_fields == attributes, message
    assert message.splitlines()[0] == "seatac_weather: failed validation with 6 errors:"
    for label in attributes:
        line_naming(message, located(None, label) + "missing-label: ", "nor one with a similar")
    shown_header = ", ".join(repr(label) for label in CDO_HEADER)
    line_naming(message, f"  The file's header has {len(CDO_HEADER)} columns: {shown_header}")
    assert "primary-key" not in message and "type-error" not in message
    assert "at least" not in message
    assert validation.stats["rows"] == 1500  # the whole file was read, for its size and hash


@pytest.mark.parametrize(
    ("header", "repeated"),
    [
        pytest.param(renamed(OTHER_PART, PART), PART, id="a-part-replaced-by-another"),
        pytest.param([*COUNTS_HEADER, TOTAL], TOTAL, id="total-twice"),
    ],
)
def test_duplicated_column_label_is_a_clear_error(tmp_path, counter_rows, header, repeated):
    if header.count(repeated) == 1:
        pytest.skip("the counter has one count column besides its total, or none")
    total = COUNTS_HEADER.index(TOTAL)
    rows = [[*row, row[total]][: len(header)] for row in counter_rows]
    validation = check(tmp_path, counts_text(rows, header), COUNTS_SCHEMA)
    message = failure("fremont_bridge", validation)
    line_naming(message, f"field '{repeated} (repeated at column ", "duplicate-label")
    if OTHER_PART not in header:
        line_naming(message, located(None, OTHER_PART) + "missing-label: ")


# --- counts: cells -----------------------------------------------------------------------


def bound_cases() -> list:
    """A value just outside each bound the schema sets on a count column."""
    cases = []
    for field in COUNTS_SCHEMA["fields"]:
        constraints = field.get("constraints", {})
        if field["name"] == PART and "minimum" in constraints:
            low = constraints["minimum"]
            problem = f'constraint-error: constraint "minimum" is "{low}"'
            cases.append(pytest.param(field["name"], str(low - 3), problem, id="below-minimum"))
        if field["name"] == PART and "maximum" in constraints:
            high = constraints["maximum"]
            problem = f'constraint-error: constraint "maximum" is "{high}"'
            cases.append(pytest.param(field["name"], str(high + 1), problem, id="above-maximum"))
    return cases


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        *bound_cases(),
        pytest.param(OTHER_PART, "1.5", 'type-error: type is "integer', id="fractional"),
        pytest.param(TOTAL, "abc", 'type-error: type is "integer', id="text"),
    ],
)
def test_bad_count_names_row_field_and_value(tmp_path, counter_rows, field, value, problem):
    rows = with_cell(counter_rows, 5, COUNTS_HEADER.index(field), value)
    message = failure("fremont_bridge", check(tmp_path, counts_text(rows), COUNTS_SCHEMA))
    line = line_naming(message, located(file_row(5), field))
    assert problem in line, message
    assert f"(value {value!r})" in line, message


def written_otherwise() -> list:
    """The hour 2021-01-04 17:00 in other common formats than the schema's (those the
    schema's own format would read are left out)."""
    stamps = {
        "iso": "2021-01-04T17:00:00",
        "iso-space": "2021-01-04 17:00:00",
        "us-12-hour": "01/04/2021 05:00:00 PM",
        "us-24-hour": "01/04/2021 17:00:00",
        "day-first": "04.01.2021 17:00",
        "date-only": "01/04/2021",
    }
    return [
        pytest.param(stamp, id=name)
        for name, stamp in stamps.items()
        if not reads_as(stamp, COUNTS.date_format)
    ]


def reads_as(stamp: str, date_format: str) -> bool:
    try:
        datetime.strptime(stamp, date_format)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("stamp", written_otherwise())
def test_timestamp_in_another_format_names_row_and_value(tmp_path, counter_rows, stamp):
    rows = with_cell(counter_rows, 8, COUNTS_HEADER.index(DATE), stamp)
    message = failure("fremont_bridge", check(tmp_path, counts_text(rows), COUNTS_SCHEMA))
    line = line_naming(message, located(file_row(8), DATE) + "type-error: ")
    assert f'"datetime/{COUNTS.date_format}"' in line, message
    assert f"(value {stamp!r})" in line, message


def test_blank_timestamp_names_row_and_field(tmp_path, counter_rows):
    rows = with_cell(counter_rows, 3, COUNTS_HEADER.index(DATE), "")
    message = failure("fremont_bridge", check(tmp_path, counts_text(rows), COUNTS_SCHEMA))
    line_naming(message, located(file_row(3), DATE) + 'constraint-error: constraint "required"')


@pytest.mark.parametrize(
    ("mutate", "duplicates", "first"),
    [
        pytest.param(
            lambda rows: [*rows[:6], rows[5], *rows[6:]],
            1,
            "row 8: primary-key: the same as in the row at position 7",
            id="one-row-repeated",
        ),
        pytest.param(
            lambda rows: [*rows, *rows[:24]],
            24,
            "row 50: primary-key: the same as in the row at position 2",
            id="day-block-repeated",
        ),
        pytest.param(
            lambda rows: with_cell(
                rows, 30, COUNTS_HEADER.index(DATE), rows[29][COUNTS_HEADER.index(DATE)]
            ),
            1,
            "row 32: primary-key: the same as in the row at position 31",
            id="timestamp-repeated-with-other-counts",
        ),
    ],
)
def test_duplicated_timestamps_name_both_rows(tmp_path, counter_rows, mutate, duplicates, first):
    validation = check(tmp_path, counts_text(mutate(counter_rows)), COUNTS_SCHEMA)
    message = failure("fremont_bridge", validation)
    assert [p.type for p in validation.problems] == ["primary-key"] * duplicates, message
    line_naming(message, "  - " + first)


@pytest.mark.skipif(not COUNTS.parts, reason="the counter's schema sums no parts (rowSums)")
@pytest.mark.parametrize(
    ("field", "delta"),
    [
        pytest.param(TOTAL, 1, id="total-too-high"),
        pytest.param(TOTAL, -1, id="total-too-low"),
        pytest.param(PART, 2, id="a-part-changed"),
        pytest.param(OTHER_PART, -1, id="another-part-changed"),
    ],
)
def test_total_not_sum_of_parts_names_row_and_fields(tmp_path, counter_rows, field, delta):
    column = COUNTS_HEADER.index(field)
    rows = with_cell(counter_rows, 7, column, str(int(counter_rows[7][column]) + delta))
    total = int(rows[7][COUNTS_HEADER.index(TOTAL)])
    parts = [int(rows[7][COUNTS_HEADER.index(part)]) for part in COUNTS.parts]
    validation = check(tmp_path, counts_text(rows), COUNTS_SCHEMA)
    message = failure("fremont_bridge", validation)
    assert [p.type for p in validation.problems] == ["row-constraint"], message
    named = " + ".join(f'"{part}"' for part in COUNTS.parts)
    line_naming(
        message,
        f"  - row {file_row(7)}: row-constraint: ",
        f'"{TOTAL}" is {total} but {named} = {sum(parts)}',
    )


@pytest.mark.parametrize(
    ("days", "where"),
    [pytest.param(2, "early", id="first-row"), pytest.param(60, "late", id="beyond-first-buffer")],
)
def test_non_utf8_bytes_are_an_encoding_error_not_an_exception(tmp_path, days, where):
    data = counts_text(counts_rows(START, days)).encode()
    cut = data.index(b"\n") + 5 if where == "early" else len(data) - 100
    validation = check(tmp_path, data[:cut] + b"\xff\xfe" + data[cut:], COUNTS_SCHEMA)
    message = failure("fremont_bridge", validation)
    line_naming(message, "  - table: encoding-error: 'utf-8' codec can't decode byte 0xff")


# --- empty and header-only files ---------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n"], ids=["zero-bytes", "one-newline"])
def test_empty_file_is_invalid(tmp_path, content):
    message = failure("fremont_bridge", check(tmp_path, content, COUNTS_SCHEMA))
    line_naming(message, "  - table: source-error: the source is empty")


def test_header_only_file_still_has_its_header_checked(tmp_path):
    header = [DATE, "Xyzzy A", "Xyzzy B"]
    message = failure("fremont_bridge", check(tmp_path, counts_text([], header), COUNTS_SCHEMA))
    line_naming(message, located(None, TOTAL) + "missing-label: ")


@pytest.mark.parametrize(
    ("text", "schema", "source"),
    [
        pytest.param(counts_text([]), COUNTS_SCHEMA, "fremont_bridge", id="counts"),
        pytest.param(ghcn_text([]), GHCN_SCHEMA, "seatac_weather", id="ghcn"),
    ],
)
def test_header_only_source_is_refused(tmp_path, text, schema, source):
    """A raw source with the right header and no rows is an empty export, not data: the
    sources' schemas set minRows, checked by frictionless' table_dimensions."""
    validation = check(tmp_path, text, schema)
    assert not validation.valid
    message = failure(source, validation)
    line_naming(message, "table-dimensions: ")
    assert "number of rows is 0" in message


def test_header_only_counter_issues_is_an_empty_list(tmp_path):
    """counter_issues.csv with no rows means no known issues: valid, reported as 0 rows."""
    validation = check(tmp_path, issues_text([]), ISSUES_SCHEMA)
    assert validation.valid
    summary = summary_markdown("source", "Description.", "schema.yaml", validation, shown=SHOWN)
    assert "| Result | valid |" in summary
    assert "| Rows | 0 |" in summary


def test_utf8_byte_order_mark_does_not_hide_the_first_column(tmp_path, counter_rows):
    validation = check(tmp_path, "\ufeff" + counts_text(counter_rows), COUNTS_SCHEMA)
    assert validation.valid, failure_message("fremont_bridge", validation, shown=SHOWN)


# --- GHCN --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dropped",
    [
        pytest.param(["TMAX", "TMAX_ATTRIBUTES"], id="value-and-flags"),
        pytest.param(["TMAX"], id="value-only"),
    ],
)
def test_ghcn_missing_tmax_names_the_column(tmp_path, ghcn, dropped):
    text = ghcn_text(ghcn)
    for label in dropped:
        text = drop_column(text, label)
    validation = check(tmp_path, text, GHCN_SCHEMA)
    message = failure("seatac_weather", validation)
    for label in dropped:
        line_naming(message, located(None, label) + "missing-label: ")
    assert [p.type for p in validation.problems] == ["missing-label"] * len(dropped), message


def test_ghcn_duplicate_date_names_both_rows(tmp_path, ghcn):
    rows = [*ghcn[:3], ghcn[2], *ghcn[3:]]
    message = failure("seatac_weather", check(tmp_path, ghcn_text(rows), GHCN_SCHEMA))
    line_naming(message, "  - row 5: primary-key: the same as in the row at position 4")


@pytest.mark.parametrize(
    ("element", "value", "constraint"),
    [
        pytest.param("TMAX", 9999, '"maximum" is "550"', id="tmax-9999"),
        pytest.param("TMIN", -600, '"minimum" is "-500"', id="tmin-too-cold"),
        pytest.param("PRCP", -1, '"minimum" is "0"', id="negative-precipitation"),
        pytest.param("AWND", 601, '"maximum" is "600"', id="wind-too-fast"),
    ],
)
def test_ghcn_value_out_of_range_names_row_field_and_value(
    tmp_path, ghcn, element, value, constraint
):
    rows = [*ghcn[:4], ghcn_row(date(2021, 1, 5), {element: value}), *ghcn[5:]]
    message = failure("seatac_weather", check(tmp_path, ghcn_text(rows), GHCN_SCHEMA))
    line = line_naming(message, located(file_row(4), element) + "constraint-error: ")
    assert constraint in line, message
    assert f"(value '{value:>5}')" in line, message  # right-aligned, as NCEI serves it


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        pytest.param("DATE", "", 'constraint-error: constraint "required"', id="blank-date"),
        pytest.param("DATE", "01/05/2021", 'type-error: type is "date/default"', id="us-date"),
        pytest.param("STATION", "", 'constraint-error: constraint "required"', id="no-station"),
    ],
)
def test_ghcn_bad_key_cell_names_row_and_field(tmp_path, ghcn, field, value, problem):
    rows = with_cell(ghcn, 4, GHCN_HEADER.index(field), value)
    message = failure("seatac_weather", check(tmp_path, ghcn_text(rows), GHCN_SCHEMA))
    line_naming(message, located(file_row(4), field) + problem)


def test_ghcn_date_in_another_format_is_one_error_not_two(tmp_path, ghcn):
    """A DATE that fails its type is reported once: the primary-key error that followed it
    ("cells composing the primary keys are all None") only hid the cause."""
    rows = with_cell(ghcn, 4, GHCN_HEADER.index("DATE"), "20210105")
    validation = check(tmp_path, ghcn_text(rows), GHCN_SCHEMA)
    message = failure("seatac_weather", validation)
    assert [problem.type for problem in validation.problems] == ["type-error"], message
    line_naming(message, located(file_row(4), "DATE") + "type-error: ", "(value '20210105')")


# --- GHCN: the station -------------------------------------------------------------------


def test_station_is_checked_on_every_row_when_configured(tmp_path, ghcn):
    rows = with_cell(ghcn, 6, GHCN_HEADER.index("STATION"), CENTRAL_PARK)
    text = ghcn_text(rows)
    assert check(tmp_path, text, GHCN_SCHEMA).valid  # the schema alone knows no station
    validation = check(tmp_path, text, GHCN_SCHEMA, required_values={"STATION": STATION})
    message = failure("seatac_weather", validation)
    assert len(validation.problems) == 1, message
    line = line_naming(message, located(file_row(6), "STATION") + "constraint-error: ")
    assert f"every row must have {STATION!r} here" in line, message
    assert f"found {CENTRAL_PARK!r}" in line, message


def test_file_of_another_station_is_refused_with_a_capped_count(tmp_path):
    """Central Park's record is valid GHCN-Daily and would have been published as Sea-Tac's
    weather. Every row is wrong: frictionless stops at its limit, and the count says so."""
    text = ghcn_text(ghcn_rows(date(1869, 1, 1), 1200, station=CENTRAL_PARK))
    validation = check(tmp_path, text, GHCN_SCHEMA, required_values={"STATION": STATION})
    message = failure("seatac_weather", validation)
    assert validation.capped
    assert (
        message.splitlines()[0] == "seatac_weather: failed validation with at least 1,000 errors:"
    )
    line_naming(message, located(2, "STATION"), f"found {CENTRAL_PARK!r}")
    assert message.splitlines()[-1] == "  ... and at least 990 more"


def test_required_column_missing_from_the_file_is_a_missing_label(tmp_path, counter_rows):
    validation = check(
        tmp_path, counts_text(counter_rows), COUNTS_SCHEMA, required_values={"Counter": "Fremont"}
    )
    message = failure("fremont_bridge", validation)
    line_naming(message, located(None, "Counter") + "missing-label: ")


# --- GHCN: flags as real files have them ------------------------------------------------


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param(",,W", id="three-parts"),
        pytest.param(",,Z,null", id="observation-time-null"),
        pytest.param("T,,W,2400", id="trace"),
        pytest.param(",X,W,2400", id="qflag-set"),
    ],
)
def test_real_ghcn_attribute_shapes_are_valid(tmp_path, ghcn, attributes):
    day = date(2021, 1, 5)
    row = ghcn_row(day, {"PRCP": 0}, attributes={"PRCP": attributes, "TMAX": attributes})
    validation = check(tmp_path, ghcn_text([*ghcn[:4], row, *ghcn[5:]]), GHCN_SCHEMA)
    assert validation.valid, failure_message("seatac_weather", validation, shown=SHOWN)


@pytest.mark.parametrize("attributes", ["W", "T,X", ",,W,2400,extra", "TT,,W"])
def test_attributes_in_another_shape_name_row_and_field(tmp_path, ghcn, attributes):
    """The QFLAG is read by its position: attributes of another shape would be misread."""
    row = ghcn_row(date(2021, 1, 5), attributes={"TMIN": attributes})
    validation = check(tmp_path, ghcn_text([*ghcn[:4], row, *ghcn[5:]]), GHCN_SCHEMA)
    message = failure("seatac_weather", validation)
    line = line_naming(message, located(file_row(4), "TMIN_ATTRIBUTES") + "constraint-error: ")
    assert '"pattern"' in line and f"(value {attributes!r})" in line, message


# --- days, for the shrinking-upstream guard ----------------------------------------------


def test_a_valid_file_reports_the_days_it_covers(tmp_path):
    counts = check(tmp_path, counts_text(counts_rows(START, 3)), COUNTS_SCHEMA)
    assert counts.days == {START + timedelta(days=n) for n in range(3)}
    weather = check(tmp_path, ghcn_text(ghcn_rows(date(2021, 1, 1), 4)), GHCN_SCHEMA)
    assert weather.days == {date(2021, 1, n) for n in range(1, 5)}


# --- counter_issues.csv ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            ["2021-02-05", "2021-02-01", "Backwards period"],
            'row 4: row-constraint: the row constraint to conform is "end >= start"',
            id="end-before-start",
        ),
        pytest.param(
            ["2021-02-01", "2021-02-05", ""],
            "row 4, field 'reason': constraint-error: constraint \"required\"",
            id="missing-reason",
        ),
        pytest.param(
            ["2021-02-01", "soon", "Not a date"],
            "row 4, field 'end': type-error: type is \"date/default\" (value 'soon')",
            id="end-not-a-date",
        ),
        pytest.param(
            ["1 Feb 2021", "2021-02-05", "Not ISO"],
            "row 4, field 'start': type-error: type is \"date/default\" (value '1 Feb 2021')",
            id="start-not-iso",
        ),
    ],
)
def test_bad_counter_issue_names_the_row(tmp_path, row, expected):
    text = issues_text([*ISSUES_ROWS, row])
    message = failure("counter_issues", check(tmp_path, text, ISSUES_SCHEMA))
    line_naming(message, "  - " + expected)


def test_counter_issue_on_one_day_is_valid(tmp_path):
    """end >= start, not end > start: a period may be a single day."""
    validation = check(
        tmp_path, issues_text([["2019-02-03", "2019-02-03", "Spike"]]), ISSUES_SCHEMA
    )
    assert validation.valid, failure_message("counter_issues", validation, shown=SHOWN)


# --- reports and messages ----------------------------------------------------------------


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys(item)}
    return set()


@pytest.fixture
def invalid_counts(tmp_path, counter_rows) -> Path:
    """A Fremont file with 24 duplicated rows and one text count (25 errors)."""
    rows = with_cell([*counter_rows, *counter_rows[:24]], 5, COUNTS_HEADER.index(PART), "abc")
    return write(tmp_path / "counter_rows.csv", counts_text(rows))


def test_report_json_has_no_timings_and_is_deterministic(invalid_counts):
    first = report_json(validate_file(invalid_counts, COUNTS_SCHEMA))
    second = report_json(validate_file(invalid_counts, COUNTS_SCHEMA))
    assert first == second
    report = json.loads(first)
    assert "seconds" not in keys(report)
    assert report["valid"] is False
    assert report["tasks"][0]["stats"]["errors"] == 25


def test_valid_report_json_is_deterministic(tmp_path, counter_rows):
    path = write(tmp_path / "counter_rows.csv", counts_text(counter_rows))
    first, second = (report_json(validate_file(path, COUNTS_SCHEMA)) for _ in range(2))
    assert first == second
    assert "seconds" not in keys(json.loads(first))


def test_summary_markdown_tabulates_first_errors_with_row_and_field(invalid_counts):
    validation = validate_file(invalid_counts, COUNTS_SCHEMA)
    summary = summary_markdown(
        "fremont_bridge", "Hourly counts.", "fremont_bridge.schema.yaml", validation, shown=3
    )
    assert summary.startswith("# Validation of `fremont_bridge`\n")
    assert "| Result | **invalid**: 25 errors |" in summary
    assert "| Rows | 72 |" in summary
    assert "| Schema | `fremont_bridge.schema.yaml` |" in summary
    assert "## First 3 of 25 errors" in summary
    assert "| Row | Field | Error | Details |\n|---|---|---|---|\n" in summary
    assert f"| 7 | {PART} | type-error | type is \"integer/default\" (value 'abc') |" in summary
    assert "| 50 |  | primary-key | the same as in the row at position 2 |" in summary
    assert "| 52 |" not in summary  # only the first 3 errors
    table_rows = [line for line in summary.splitlines() if line.startswith("| ")]
    assert len(table_rows) == 6 + 1 + 3  # facts table with its header, errors header, 3 errors


def test_summary_markdown_escapes_pipes_in_values(tmp_path, counter_rows):
    rows = with_cell(counter_rows, 0, COUNTS_HEADER.index(OTHER_PART), "1|2")
    validation = check(tmp_path, counts_text(rows), COUNTS_SCHEMA)
    summary = summary_markdown("fremont_bridge", "", "s.yaml", validation, shown=SHOWN)
    assert (
        f"| 2 | {OTHER_PART} | type-error | type is \"integer/default\" (value '1\\|2') |"
        in summary
    )


def test_summary_markdown_of_valid_file_has_no_error_table(tmp_path, counter_rows):
    validation = check(tmp_path, counts_text(counter_rows), COUNTS_SCHEMA)
    summary = summary_markdown("fremont_bridge", "Hourly counts.", "s.yaml", validation, shown=3)
    assert "| Result | valid |" in summary
    assert "| Rows | 48 |" in summary
    assert f"| sha256 | `{validation.stats['sha256']}` |" in summary
    assert "errors" not in summary


@pytest.mark.parametrize(("shown", "more"), [(1, 24), (5, 20), (24, 1)])
def test_failure_message_lists_at_most_shown_errors_and_counts_the_rest(
    invalid_counts, shown, more
):
    validation = validate_file(invalid_counts, COUNTS_SCHEMA)
    message = failure_message(
        "fremont_bridge", validation, shown=shown, report_path="logs/fremont_bridge.json"
    )
    lines = message.splitlines()
    assert lines[0].startswith("fremont_bridge: ")
    assert lines[0].endswith("failed validation with 25 errors:")
    assert (
        lines[1]
        == f"  - row 7, field {PART!r}: type-error: type is \"integer/default\" (value 'abc')"
    )
    assert sum(line.startswith("  - ") for line in lines) == shown
    assert lines[-2:] == [f"  ... and {more} more", "Full report: logs/fremont_bridge.json"]


def test_failure_message_without_more_errors_or_report_path(tmp_path, counter_rows):
    rows = with_cell(counter_rows, 5, COUNTS_HEADER.index(PART), "abc")
    validation = check(tmp_path, counts_text(rows), COUNTS_SCHEMA)
    message = failure_message("fremont_bridge", validation, shown=SHOWN)
    first, *rest = message.splitlines()
    assert first.startswith("fremont_bridge: ")
    assert first.endswith("failed validation with 1 error:")
    assert rest == [
        f"  - row 7, field {PART!r}: type-error: type is \"integer/default\" (value 'abc')"
    ]


def test_summary_of_a_file_lacking_columns_shows_its_header(tmp_path, counter_rows):
    header = [DATE, "Xyzzy A", "Xyzzy B"]
    rows = [[row[COUNTS_HEADER.index(DATE)], "1", "2"] for row in counter_rows]
    validation = check(tmp_path, counts_text(rows, header), COUNTS_SCHEMA)
    summary = summary_markdown("fremont_bridge", "", "s.yaml", validation, shown=SHOWN)
    missing = len(COUNTS_HEADER) - 1  # every column but the timestamp
    assert f"| Result | **invalid**: {missing} errors |" in summary
    assert f"## Header\n\nThe file's header has 3 columns: {DATE!r}, 'Xyzzy A'" in summary
    assert "Its rows were not checked" in summary


def test_summary_of_a_capped_count_says_at_least(tmp_path, counter_rows):
    total = COUNTS_HEADER.index(TOTAL)
    rows = [with_cell([row], 0, total, "x")[0] for row in counter_rows]  # every total is text
    validation = check(tmp_path, counts_text(rows), COUNTS_SCHEMA, limit_errors=20)
    summary = summary_markdown("fremont_bridge", "", "s.yaml", validation, shown=5)
    assert "| Result | **invalid**: at least 20 errors |" in summary
    assert "## First 5 of at least 20 errors" in summary
    below = check(tmp_path, counts_text(rows[:10]), COUNTS_SCHEMA, limit_errors=20)
    assert not below.capped
    assert "failed validation with 10 errors:" in failure("fremont_bridge", below)


def test_summary_of_a_refused_download_says_why(tmp_path, counter_rows):
    validation = check(tmp_path, counts_text(counter_rows), COUNTS_SCHEMA)
    refusal = "fremont_bridge: the new download has lost data that is published"
    summary = summary_markdown("fremont_bridge", "", "s.yaml", validation, shown=3, refusal=refusal)
    assert "| Result | **invalid**: valid, but it has lost data that is published |" in summary
    assert f"## Refused\n\n```\n{refusal}\n```\n" in summary


# --- the shrinking-upstream guard --------------------------------------------------------


def days_of(start: date, count: int) -> set[date]:
    return {start + timedelta(days=n) for n in range(count)}


@pytest.fixture
def published_table(tmp_path) -> Path:
    """A published hourly table as tidy_counts writes it: 3 days of 24 hours."""
    lines = ["timestamp,date,hour,total,west,east"]
    for day in sorted(days_of(date(2021, 1, 1), 3)):
        lines += [f"{day}T{hour:02}:00:00,{day},{hour},2,1,1" for hour in range(24)]
    return write(tmp_path / "hourly_counts.csv", "\n".join(lines) + "\n")


def test_published_table_gives_its_days_and_rows(published_table):
    published = read_published(published_table)
    assert published.days == days_of(date(2021, 1, 1), 3)
    assert published.rows == 72
    assert published.path == published_table.as_posix()


def test_nothing_published_yet_is_nothing_to_compare(tmp_path):
    assert read_published(tmp_path / "weather.csv") is None


def test_published_table_without_its_day_column_is_a_clear_error(tmp_path):
    path = write(tmp_path / "weather.csv", "day,tmax_c\n2021-01-01,5\n")
    with pytest.raises(ValueError, match="cannot read the day of row 2 from column 'date'"):
        read_published(path)


PUBLISHED = Published(
    path="results/tables/weather.csv", days=days_of(date(2020, 1, 1), 366), rows=366
)


def test_more_days_and_rows_lose_nothing():
    assert lost_data(PUBLISHED, days_of(date(2019, 6, 1), 700), 700, max_row_drop=0.01) is None


@pytest.mark.parametrize(
    ("kept", "described"),
    [
        pytest.param(
            days_of(date(2020, 3, 1), 306),
            [
                "  - 60 days that results/tables/weather.csv has are missing, in 1 range:",
                "      2020-01-01 to 2020-02-29 (60 days)",
            ],
            id="history-truncated",
        ),
        pytest.param(
            days_of(date(2020, 1, 1), 366) - days_of(date(2020, 5, 3), 7) - {date(2020, 9, 9)},
            [
                "  - 8 days that results/tables/weather.csv has are missing, in 2 ranges:",
                "      2020-05-03 to 2020-05-09 (7 days)",
                "      2020-09-09 (1 day)",
            ],
            id="blocks-deleted",
        ),
    ],
)
def test_published_days_missing_from_the_download_are_a_loss(kept, described):
    loss = lost_data(PUBLISHED, kept, len(kept), max_row_drop=1.0)
    assert loss is not None and not loss.too_many_rows_lost
    assert loss.describe(shown=10) == described


def test_long_lists_of_missing_ranges_are_cut():
    every_other_day = {day for day in PUBLISHED.days if day.toordinal() % 2}
    lines = lost_data(PUBLISHED, every_other_day, 183, max_row_drop=1.0).describe(shown=3)
    assert lines[0].endswith("in 183 ranges:")
    assert lines[1].endswith("(1 day)")
    assert lines[4:] == ["      ... and 180 more ranges"]


@pytest.mark.parametrize(("rows", "refused"), [(363, False), (362, True), (0, True)])
def test_row_drop_beyond_the_allowed_fraction_is_a_loss(rows, refused):
    """Every day still there, but rows gone within them (hours deleted upstream)."""
    loss = lost_data(PUBLISHED, PUBLISHED.days, rows, max_row_drop=0.01)
    assert (loss is not None) == refused
    if refused:
        (line,) = loss.describe(shown=10)
        drop = (366 - rows) / 366
        assert line == (
            f"  - it has {rows:,} rows, {drop:.1%} fewer than the 366 of "
            "results/tables/weather.csv (at most 1.0% allowed: validation.max_row_drop)"
        )


def download_of(tmp_path: Path, start: date, days: int) -> Validation:
    return check(tmp_path, counts_text(counts_rows(start, days)), COUNTS_SCHEMA)


def test_a_download_that_lost_published_days_is_refused_with_the_way_out(tmp_path, published_table):
    download = download_of(tmp_path, date(2021, 1, 2), 2)  # 01-01 is gone
    refusal, note = shrinking_check(
        "fremont_bridge", download, published_table, max_row_drop=0.01, allowed=False, shown=5
    )
    assert refusal.splitlines()[0] == (
        "fremont_bridge: the new download has lost data that is published, so it is refused "
        "and nothing is built from it:"
    )
    assert "      2021-01-01 (1 day)" in refusal
    assert "  snakemake --config 'validation={allow_shrinking: [fremont_bridge]}'" in refusal
    assert note == "fremont_bridge: refused, it lacks published data"


def test_a_person_may_allow_one_run_to_lose_published_data(tmp_path, published_table):
    download = download_of(tmp_path, date(2021, 1, 2), 2)
    refusal, note = shrinking_check(
        "fremont_bridge", download, published_table, max_row_drop=0.01, allowed=True, shown=5
    )
    assert refusal is None
    assert note.startswith("fremont_bridge: allowed for this run (validation.allow_shrinking)")
    assert "2021-01-01 (1 day)" in note


def test_a_download_keeping_every_published_day_or_nothing_published_passes(
    tmp_path, published_table
):
    download = download_of(tmp_path, date(2021, 1, 1), 4)
    kept = shrinking_check(
        "fremont_bridge", download, published_table, max_row_drop=0.01, allowed=False, shown=5
    )
    assert kept == (None, "fremont_bridge: keeps all 3 published days (96 rows, 72 published)")
    first = shrinking_check(
        "fremont_bridge",
        download,
        tmp_path / "none.csv",
        max_row_drop=0.01,
        allowed=False,
        shown=5,
    )
    assert first == (None, "fremont_bridge: nothing published yet, nothing to compare with")


def test_day_ranges_merge_consecutive_days_in_order():
    days = [date(2021, 1, 3), date(2021, 1, 1), date(2021, 1, 2), date(2021, 1, 9)]
    assert day_ranges(days) == [
        (date(2021, 1, 1), date(2021, 1, 3)),
        (date(2021, 1, 9), date(2021, 1, 9)),
    ]
    assert day_ranges([]) == []


# --- validate_package --------------------------------------------------------------------


def tiny_package(tmp_path: Path) -> dict:
    data = write(tmp_path / "stations.csv", "station,days\nUSW00024233,365\nUSW00094290,366\n")
    schema = {
        "fields": [
            {"name": "station", "type": "string", "constraints": {"required": True}},
            {"name": "days", "type": "integer", "constraints": {"minimum": 0}},
        ],
        "primaryKey": ["station"],
    }
    write(tmp_path / "stations.schema.json", json.dumps(schema))
    return {
        "name": "tiny",
        "resources": [
            {
                "name": "stations",
                "path": "stations.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": "stations.schema.json",
                "hash": "sha256:" + hashlib.sha256(data.read_bytes()).hexdigest(),
            }
        ],
    }


def test_package_with_correct_hash_is_valid(tmp_path):
    validation = validate_package(tiny_package(tmp_path), tmp_path)
    assert validation.valid, failure_message("datapackage.json", validation, shown=SHOWN)
    assert validation.problems == []


def test_package_with_changed_byte_fails_with_hash_error(tmp_path):
    descriptor = tiny_package(tmp_path)
    data = tmp_path / "stations.csv"
    expected = hashlib.sha256(data.read_bytes()).hexdigest()
    data.write_bytes(data.read_bytes().replace(b"365", b"364"))  # one byte, still valid data
    actual = hashlib.sha256(data.read_bytes()).hexdigest()

    validation = validate_package(descriptor, tmp_path)
    message = failure_message("datapackage.json", validation, shown=SHOWN)
    assert not validation.valid
    assert [p.type for p in validation.problems] == ["hash-count"], message
    line_naming(
        message, "  - table: hash-count: ", f'expected is "{expected}"', f'actual is "{actual}"'
    )
    assert "seconds" not in keys(validation.report)
