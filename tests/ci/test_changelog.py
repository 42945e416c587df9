"""ci/changelog.py: what changed in the published tables, keyed by their primary keys, by
hand-written CSVs; then in a real repository, against the committed tables, and the page
results/CHANGELOG.md."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from support.gitrepo import Repository
from support.published_tables import daily, hourly, weather, write_tables

from ci.changelog import CHANGELOG, INTRO, data_changes, day_ranges, diff_table, record

KEY = ["date"]
HEADER = "date,tmax_c,precipitation_mm\n"


def table(*rows: str, header: str = HEADER) -> str:
    return header + "".join(f"{row}\n" for row in rows)


# --- the diff of two versions of a table --------------------------------------------------


def test_rows_added_changed_and_removed_are_counted_with_their_days():
    old = table("2021-05-01,10.0,0.0", "2021-05-02,11.0,0.0", "2021-05-03,12.0,0.0")
    new = table("2021-05-02,11.0,0.0", "2021-05-03,12.5,0.0", "2021-05-04,9.0,1.2")
    change = diff_table(old, new, KEY)
    assert (change.added, change.changed, change.removed) == (
        {"2021-05-04": 1},
        {"2021-05-03": 1},
        {"2021-05-01": 1},
    )
    assert change.describe() == (
        "1 row added (2021-05-04), 1 changed (2021-05-03), 1 removed (2021-05-01)"
    )


def test_the_same_rows_in_another_order_or_with_other_line_ends_are_no_change():
    old = table("2021-05-01,10.0,0.0", "2021-05-02,11.0,0.0")
    reordered = table("2021-05-02,11.0,0.0", "2021-05-01,10.0,0.0").replace("\n", "\r\n")
    assert not diff_table(old, reordered, KEY)
    assert not diff_table(old, old, KEY)


def test_a_field_added_is_said_once_and_rows_compare_on_the_fields_both_versions_have():
    old = table("2021-05-01,10.0,0.0", "2021-05-02,11.0,0.0")
    new = table(
        "2021-05-01,10.0,0.0,3.1",
        "2021-05-02,11.5,0.0,2.0",
        header="date,tmax_c,precipitation_mm,wind_m_s\n",
    )
    change = diff_table(old, new, KEY)
    assert change.fields_added == ["wind_m_s"] and change.fields_removed == []
    assert change.describe() == "0 rows added, 1 changed (2021-05-02), 0 removed; " + (
        "fields added: wind_m_s"
    )
    unchanged_rows = table("2021-05-01,10.0", "2021-05-02,11.0", header="date,tmax_c\n")
    assert diff_table(old, unchanged_rows, KEY).describe() == "fields removed: precipitation_mm"


def test_a_first_commit_adds_every_row_and_no_version_removes_every_row():
    rows = table("2021-05-01,10.0,0.0", "2021-05-02,11.0,0.0", "2021-05-05,11.0,0.0")
    assert diff_table(None, rows, KEY).describe() == (
        "3 rows added (2021-05-01 to 2021-05-02, 2021-05-05), 0 changed, 0 removed; "
        "fields added: date, tmax_c, precipitation_mm"
    )
    assert diff_table(rows, None, KEY).removed == {
        "2021-05-01": 1,
        "2021-05-02": 1,
        "2021-05-05": 1,
    }


def test_rows_are_matched_by_the_whole_key_and_counted_per_row_not_per_day():
    header = "timestamp,date,total\n"
    old = table("2021-05-01T00,2021-05-01,1", "2021-05-01T01,2021-05-01,2", header=header)
    new = table(
        "2021-05-01T00,2021-05-01,1",
        "2021-05-01T01,2021-05-01,5",
        "2021-05-02T00,2021-05-02,1",
        "2021-05-02T01,2021-05-02,1",
        header=header,
    )
    change = diff_table(old, new, ["timestamp"])
    assert change.describe() == "2 rows added (2021-05-02), 1 changed (2021-05-01), 0 removed"
    two_fields = diff_table(old, new, ["date", "total"])  # another key: other matches
    assert sum(two_fields.added.values()) == 3 and sum(two_fields.removed.values()) == 1


def test_a_key_the_old_version_lacks_matches_nothing():
    old = table("2021-05-01,1", header="day,total\n")
    new = table("2021-05-01,1", header="date,total\n")
    change = diff_table(old, new, KEY)
    assert sum(change.added.values()) == 1 and change.removed == {"": 1}  # no day to name


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ([], ""),
        (["2021-05-03"], "2021-05-03"),
        (["2021-06-30", "2021-07-01", "2021-06-29"], "2021-06-29 to 2021-07-01"),
        (
            ["2020-02-28", "2020-02-29", "2020-03-01", "2020-03-03"],
            "2020-02-28 to 2020-03-01, 2020-03-03",
        ),
        (
            ["2021-01-01", "2021-01-03", "2021-01-05", "2021-01-07", "2021-01-09", "2021-01-11"],
            "2021-01-01, 2021-01-03, 2021-01-05, 2021-01-07 and 2 more",
        ),
        (["2021-05-01", "someday", "2021-05-02"], "2021-05-01 to 2021-05-02, someday"),
    ],
)
def test_days_are_listed_as_runs_of_consecutive_days(days: list[str], text: str):
    assert day_ranges(days) == text


def test_the_hourly_tables_size_is_diffed_in_well_under_a_second_per_version():
    """About 108,000 rows: 12 years of hours. A diff that compared every row with every
    other would not end; a linear one takes a fraction of a second (the bound is loose for
    a busy machine)."""
    old_rows = hourly(date(2012, 10, 3), 4500)
    new_rows = [row.copy() for row in old_rows[24:]] + hourly(date(2025, 1, 1), 31)
    new_rows[1000][3] = "999"
    header = "timestamp,date,hour,total,west,east\n"
    old = header + "".join(",".join(row) + "\n" for row in old_rows)
    new = header + "".join(",".join(row) + "\n" for row in new_rows)
    started = time.perf_counter()
    change = diff_table(old, new, ["timestamp"])
    elapsed = time.perf_counter() - started
    assert change.describe() == (
        "744 rows added (2025-01-01 to 2025-01-31), 1 changed (2012-11-14), 24 removed (2012-10-03)"
    )
    assert elapsed < 5, f"{len(old_rows)} rows took {elapsed:.1f} s"


# --- against the committed tables, in a repository ----------------------------------------


@pytest.fixture
def published(repository: Repository) -> Repository:
    """Tables committed as a results commit commits them: counts to 2021-06-30, weather
    to 2021-06-20, the daily table the days both have."""
    write_tables(
        repository,
        hourly(date(2021, 6, 1), 30, hours=2),
        weather(date(2021, 6, 1), 20),
        daily(date(2021, 6, 1), 20),
    )
    repository.commit("Update results")
    return repository


def test_a_first_commit_lists_every_table_as_added(repository: Repository):
    write_tables(
        repository,
        hourly(date(2021, 6, 1), 30, hours=2),
        weather(date(2021, 6, 1), 20),
        daily(date(2021, 6, 1), 20),
    )
    lines = data_changes()
    assert lines[0].startswith(
        "fremont_bridge (hourly_counts): 60 rows added (2021-06-01 to 2021-06-30), 0 changed"
    )
    assert lines[1].startswith("seatac_weather (weather): 20 rows added (2021-06-01 to 2021-06-20)")
    assert lines[2].startswith("daily (derived): 20 rows added (2021-06-01 to 2021-06-20)")


def test_unchanged_tables_give_no_lines_and_no_entry(published: Repository):
    assert data_changes() == []
    assert record([]) is False
    assert not (published.root / CHANGELOG).exists()


def test_a_month_of_counts_and_a_weather_day_are_named_by_source_with_their_days(
    published: Repository,
):
    write_tables(
        published,
        hourly(date(2021, 6, 1), 61, hours=2),  # July added
        weather(date(2021, 6, 1), 21),
        daily(date(2021, 6, 1), 21),
    )
    assert data_changes() == [
        "fremont_bridge (hourly_counts): 62 rows added (2021-07-01 to 2021-07-31), "
        "0 changed, 0 removed",
        "seatac_weather (weather): 1 row added (2021-06-21), 0 changed, 0 removed",
        "daily (derived): 1 row added (2021-06-21), 0 changed, 0 removed",
    ]


def test_a_table_the_data_package_has_no_key_for_is_left_out_saying_so(
    published: Repository, capsys
):
    package = published.root / "results/tables/datapackage.json"
    package.write_text(package.read_text().replace('"primaryKey"', '"noKey"'))
    published.write("results/tables/weather.csv", "date,tmax_c\n2021-06-01,1.0\n")
    assert data_changes() == []
    assert "results/tables/datapackage.json has no primary key of weather" in (
        capsys.readouterr().err
    )


def test_the_changelog_page_has_the_newest_entry_first_under_the_datas_last_day(
    published: Repository,
):
    write_tables(
        published,
        hourly(date(2021, 6, 1), 31, hours=2),
        weather(date(2021, 6, 1), 20),
        daily(date(2021, 6, 1), 20),
    )
    assert record(data_changes()) is True
    first = (published.root / CHANGELOG).read_text()
    assert first == INTRO + (
        "\n## Data to 2021-07-01\n\n"
        "- fremont_bridge (hourly_counts): 2 rows added (2021-07-01), 0 changed, 0 removed\n"
    )
    published.commit("Update results")
    write_tables(
        published,
        hourly(date(2021, 6, 1), 31, hours=2),
        weather(date(2021, 6, 2), 20),  # a day added, the first day gone
        daily(date(2021, 6, 1), 20),
    )
    record(data_changes())
    assert (published.root / CHANGELOG).read_text() == INTRO + (
        "\n## Data to 2021-07-01\n\n"
        "- seatac_weather (weather): 1 row added (2021-06-21), 0 changed, "
        "1 removed (2021-06-01)\n"
        "\n## Data to 2021-07-01\n\n"
        "- fremont_bridge (hourly_counts): 2 rows added (2021-07-01), 0 changed, 0 removed\n"
    )


def test_the_page_is_built_on_the_committed_one_so_the_same_changes_give_the_same_bytes(
    published: Repository,
):
    """A publish that stops before its commit and runs again adds one entry, not two."""
    write_tables(
        published,
        hourly(date(2021, 6, 1), 30, hours=2),
        weather(date(2021, 6, 1), 21),
        daily(date(2021, 6, 1), 21),
    )
    record(data_changes())
    once = Path(published.root / CHANGELOG).read_bytes()
    record(data_changes())
    assert Path(published.root / CHANGELOG).read_bytes() == once
