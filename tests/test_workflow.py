"""The real workflow, run by real Snakemake in a temporary copy of the repository, on sources
served by a loopback HTTP server: small files in the real formats, and the real mirror."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.data import fremont_rows, fremont_text, ghcn_rows, ghcn_text
from support.server import LoopbackServer, loopback_server
from support.workflow import (
    SHARED_DATA,
    copy_repository,
    file_digests,
    snakemake,
    source_urls,
    write_config,
)

pytestmark = pytest.mark.workflow

ALL_JOBS = {
    "download": 2,
    "validate_source": 2,
    "tidy_counts": 1,
    "tidy_weather": 1,
    "daily_table": 1,
    "datapackage": 1,
}
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def counts_fixture() -> bytes:
    """Counts 2021-01-01 to 2021-03-31, as the portal exports them: the non-existent 02:00
    of the spring-forward day is a blank row, and one ordinary hour is blank too."""
    rows = fremont_rows(date(2021, 1, 1), 90)
    for row in rows:
        if row[0] in ("03/14/2021 02:00:00 AM", "02/10/2021 09:00:00 AM"):
            row[1:] = ["", "", ""]
    return fremont_text(rows).encode()


def weather_fixture() -> bytes:
    """Weather 2020-12-01 to 2021-03-20: it ends before the counts do."""
    return ghcn_text(ghcn_rows(date(2020, 12, 1), 110)).encode()


def serve_sources(server: LoopbackServer, counts: bytes, weather: bytes) -> dict[str, str]:
    return {
        "fremont_bridge": server.serve_file("/fremont.csv", counts),
        "seatac_weather": server.serve_file("/ghcnd.csv", weather),
    }


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return copy_repository(tmp_path / "repository")


@pytest.fixture
def server():
    with loopback_server() as running:
        yield running


@pytest.fixture
def built(workdir: Path, server: LoopbackServer) -> Path:
    """A copy of the repository after one complete run on the fixture sources."""
    urls = serve_sources(server, counts_fixture(), weather_fixture())
    write_config(workdir, source_urls(urls))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    assert run.jobs == ALL_JOBS
    return workdir


def rerun(workdir: Path):
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    return run


def test_run_builds_tables_that_frictionless_validates(built: Path):
    checked = subprocess.run(
        [FRICTIONLESS, "validate", "results/tables/datapackage.json"],
        cwd=built,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for table in ("hourly_counts", "weather", "daily"):
        assert (built / f"results/tables/{table}.parquet").is_file()


def test_daily_table_covers_the_common_range_and_says_so(built: Path):
    daily = pd.read_csv(built / "results/tables/daily.csv", keep_default_na=False)
    assert daily["date"].iloc[0] == "2021-01-01"
    assert daily["date"].iloc[-1] == "2021-03-20"  # weather ends there; counts go on
    package = json.loads((built / "results/tables/datapackage.json").read_text())
    description = next(r["description"] for r in package["resources"] if r["name"] == "daily")
    assert "Covers 2021-01-01 to 2021-03-20" in description
    assert "counts 2021-01-01 to 2021-03-31" in description


def test_daily_table_flags_incomplete_days_and_keeps_dst_days(built: Path):
    daily = pd.read_csv(built / "results/tables/daily.csv").set_index("date")
    assert not daily.loc["2021-02-10", "complete"]
    assert pd.isna(daily.loc["2021-02-10", "total"])  # not a silent partial sum
    assert daily.loc["2021-02-10", "hours_observed"] == 23
    assert daily.loc["2021-03-14", "complete"]  # 23 real hours on the spring-forward day
    assert daily.loc["2021-03-14", "hours_expected"] == 23
    assert daily["complete"].sum() == len(daily) - 1


def test_second_run_has_nothing_to_do(built: Path):
    dry = snakemake(built, "--configfile", "test-overrides.yaml", "--dry-run")
    assert dry.returncode == 0, dry.output
    assert "Nothing to be done" in dry.output
    assert dry.jobs == {}


def test_forced_rerun_gives_byte_identical_results(built: Path):
    before = file_digests(built / "results")
    forced = snakemake(built, "--configfile", "test-overrides.yaml", "--forceall")
    assert forced.returncode == 0, forced.output
    assert file_digests(built / "results") == before


def test_editing_curated_counter_issues_reruns_only_what_uses_them(built: Path):
    issues = built / "resources/counter_issues.csv"
    issues.write_text(
        issues.read_text() + '2021-02-01,2021-02-02,"Test: sensor cleaned, counts unreliable"\n'
    )
    run = rerun(built)
    assert run.rules == {"daily_table", "datapackage"}
    daily = pd.read_csv(built / "results/tables/daily.csv", keep_default_na=False)
    flagged = daily.loc[daily["counter_issue"] != "", "date"].tolist()
    assert flagged == ["2021-02-01", "2021-02-02"]


def test_editing_a_library_module_reruns_only_the_rules_that_import_it(built: Path):
    module = built / "workflow/scripts/bikeflow/calendar_features.py"
    module.write_text(module.read_text() + "\n# a comment is a change too\n")
    assert rerun(built).rules == {"daily_table", "datapackage"}


def test_changing_a_parameter_reruns_only_the_rules_that_use_it(built: Path):
    overrides = built / "test-overrides.yaml"
    overrides.write_text(
        overrides.read_text() + "tables:\n  holidays:\n    country: US\n    subdivision: WA\n"
    )
    assert rerun(built).rules == {"daily_table", "datapackage"}


def test_invalid_source_stops_the_run_with_a_located_message(workdir: Path, server: LoopbackServer):
    rows = fremont_rows(date(2021, 1, 1), 90)
    rows[30][1:] = ["-5", "0", "-5"]  # a negative count, hour 6 of 2021-01-02
    urls = serve_sources(server, fremont_text(rows).encode(), weather_fixture())
    write_config(workdir, source_urls(urls))

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")

    assert run.returncode != 0
    assert "fremont_bridge: failed validation with 2 errors" in run.output
    assert "row 32, field 'Fremont Bridge Sidewalks, south of N 34th St Total'" in run.output
    assert "Full report: logs/validate/fremont_bridge.report.json" in run.output
    report = json.loads((workdir / "logs/validate/fremont_bridge.report.json").read_text())
    assert report["valid"] is False
    assert not (workdir / "results/validation/fremont_bridge.json").exists()
    for downstream in ("hourly_counts.csv", "daily.csv", "datapackage.json"):
        assert not (workdir / "results/tables" / downstream).exists()


def test_failed_download_leaves_no_file_and_runs_nothing_downstream(
    workdir: Path, server: LoopbackServer
):
    urls = {
        "fremont_bridge": server.url("/missing.csv"),
        "seatac_weather": server.serve_file("/ghcnd.csv", weather_fixture()),
    }
    write_config(workdir, source_urls(urls))
    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode != 0
    assert "fremont_bridge: download failed" in run.output
    assert "HTTP 404" in run.output
    assert not (workdir / "resources/raw/fremont_bridge.csv").exists()
    assert not (workdir / "results/tables/daily.csv").exists()


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"download": {"retries": "five"}}, "retries"),
        ({"tables": {"timezone": "America/Los_Angeles", "colour": "blue"}}, "colour"),
        ({"sources": {"fremont_bridge": {"url": "ftp://example.org/x.csv"}}}, "url"),
    ],
)
def test_bad_config_is_refused_before_anything_runs(workdir: Path, override: dict, named: str):
    write_config(workdir, override, name="bad.yaml")
    run = snakemake(workdir, "--configfile", "bad.yaml", "--dry-run")
    assert run.returncode != 0
    assert "Error validating config file" in run.output
    assert named in run.output


@pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"the real data mirror {SHARED_DATA} is not on this machine"
)
def test_real_mirror_builds_valid_tables_and_then_has_nothing_to_do(
    workdir: Path, server: LoopbackServer
):
    urls = serve_sources(
        server,
        (SHARED_DATA / "fremont-bridge/Fremont_Bridge_Bicycle_Counter.csv").read_bytes(),
        (SHARED_DATA / "ghcnd/USW00024233.csv").read_bytes(),
    )
    write_config(workdir, source_urls(urls))

    run = snakemake(workdir, "--configfile", "test-overrides.yaml")
    assert run.returncode == 0, run.output
    assert run.jobs == ALL_JOBS

    checked = subprocess.run(
        [FRICTIONLESS, "validate", "results/tables/datapackage.json"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    daily = pd.read_parquet(workdir / "results/tables/daily.parquet")
    assert (daily["date"].min(), daily["date"].max()) == (date(2012, 10, 2), date(2021, 12, 31))
    hourly = pd.read_parquet(workdir / "results/tables/hourly_counts.parquet")
    assert len(hourly) == 108_768

    dry = snakemake(workdir, "--configfile", "test-overrides.yaml", "--dry-run")
    assert dry.returncode == 0 and dry.jobs == {}, dry.output
