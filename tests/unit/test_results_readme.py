"""bikeflow.results_readme: what the results index says, piece by piece and as a whole page
built from the files its rule reads (made here, as the workflow writes them)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from support.daily_frames import FEATURES, at, synthetic_daily
from support.drift_frames import SETTINGS, drift_of, summary_of, three_years

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage
from bikeflow.download import DownloadRecord
from bikeflow.drift import drift_backtest
from bikeflow.formats import json_text
from bikeflow.monitoring import health_report, worst_days
from bikeflow.quality_gate import quality_gate, sentence
from bikeflow.results_readme import (
    Figure,
    alarms_by_year_table,
    caption_line,
    drift_explanation,
    drift_summary,
    freshness_table,
    index_markdown,
    metrics_table,
    monitor_summary,
    warnings,
    worst_days_table,
    years_text,
)


def test_the_index_says_why_each_alarm_fired():
    daily = three_years()
    late = daily["date"] >= date(2020, 12, 1)
    daily.loc[late, "tmax_c"] += 10
    daily.loc[late, "total"] = (daily.loc[late, "total"] * 0.3).round().astype("Int64")
    report = json.loads(json_text(drift_of(daily)))  # as the index reads it
    rows = {row["feature"]: row for row in report["features"]}
    heat, total = rows["tmax_c"], rows["total"]
    assert drift_explanation(report, heat) == (
        "`tmax_c`: the last 30 days (2020-12-02 to 2020-12-31) were warmer than the same weeks "
        f"of 2018-2019: mean {heat['current_mean']:.1f} °C against {heat['reference_mean']:.1f}; "
        f"PSI {heat['psi']:.2f} above 0.2, KS {heat['ks_statistic']:.2f} above 0.3."
    )
    assert drift_explanation(report, total).startswith(
        "`total`: the last 14 days (2020-12-18 to 2020-12-31) were quieter than the same weeks "
        f"of 2018-2019: mean {total['current_mean']:,.0f} bicycles a day against "
    )
    summary = "\n".join(drift_summary(report))
    assert "the same weeks of the 2 years before (those the data cover: 2018-2019)" in summary
    assert summary.count("\n- ") == 2  # one line per alarm


def test_the_index_says_when_nothing_alarmed_or_could_be_checked():
    calm = json.loads(json_text(drift_of(three_years())))
    assert "An alarm needs both PSI and KS above their thresholds." in drift_summary(calm)[0]
    either = json.loads(json_text(drift_of(three_years(), alarm_on="either")))
    assert "An alarm needs PSI or KS above its threshold." in drift_summary(either)[0]
    assert (
        "No alarm: every compared feature and the target are within thresholds."
        in drift_summary(calm)
    )
    young = json.loads(json_text(drift_of(synthetic_daily(date(2020, 1, 1), 300))))
    assert "(those the data cover: no year)" in drift_summary(young)[0]
    assert "- `total` not checked: the daily table does not reach a year before this window." in (
        drift_summary(young)
    )


def test_years_are_written_as_a_range_when_consecutive():
    assert years_text([2017, 2018, 2019, 2020]) == "2017-2020"
    assert years_text([2016, 2018]) == "2016, 2018"
    assert years_text([2020]) == "2020"


def test_the_index_summarises_the_monitor_backtest():
    daily = three_years()
    daily.loc[daily["date"] >= date(2020, 3, 20), "total"] //= 3
    alarms = drift_backtest(daily, target="total", features=FEATURES, settings=SETTINGS)
    text = monitor_summary(json.loads(json_text(summary_of(alarms))))
    assert text == (
        "The same check as of each of the 24 month ends from 2019-01-31 to 2020-12-31. In the "
        "quiet period 2019-01-01 to 2019-12-31, 0 of 12 month ends (0.0%) raised a weather or "
        "daylight alarm (false alarms: nothing changed the weather). The `total` alarm fired at "
        "the month end 2020-03-31, 30 days after 2020-03-01 (the pandemic)."
    )
    short = drift_backtest(
        synthetic_daily(date(2020, 1, 1), 300), target="total", features=FEATURES, settings=SETTINGS
    )
    assert "cannot be backtested yet" in monitor_summary(summary_of(short))
    assert alarms_by_year_table(summary_of(short)) == ""


# ---- the data and model sections, and the warnings that open the page ----------------------


def health_of(*sources: tuple[str, str, int, bool], flagged: int = 0) -> dict:
    """A health report with (name, last observation, lag in days, stale) per source."""
    return {
        "sources": [
            {"name": name, "last": last, "lag_days": lag, "stale": stale}
            for name, last, lag, stale in sources
        ],
        "stale_sources": [name for name, _, _, stale in sources if stale],
        "daily_table": {"quality_flagged_days": flagged, "counter_issue_days": 0},
    }


FRESH = health_of(("counts", "2021-12-31", 0, False), ("weather", "2021-12-30", 1, False))


def test_a_healthy_run_opens_with_no_warning():
    metrics = {"quality_gate": quality_gate(80.0, {"latest_day": 100.0}, 0.1)}
    assert warnings(metrics, FRESH, {"drifted": []}) == []


def test_warnings_put_a_failed_gate_first_then_stale_sources_flagged_weather_and_drift():
    gate = quality_gate(95.0, {"latest_day": 100.0, "seasonal_mean": 120.0}, 0.1)
    health = health_of(
        ("counts", "2021-12-31", 0, False), ("weather", "2021-11-30", 31, True), flagged=1
    )
    found = warnings({"quality_gate": gate}, health, {"drifted": ["tmax_c", "total"]})
    assert found == [
        f"**Quality gate failed.** {sentence(gate)}",
        "**Stale source:** `weather` lags the newest source by 31 days.",
        "**Weather quality:** on 1 day a value failed GHCN's quality checks and was left out "
        "(column `quality_flagged` of the daily table).",
        "**Drift** against the same weeks of earlier years: `tmax_c`, `total` (see "
        "[Monitoring](#monitoring) for why).",
    ]
    assert "latest_day" in found[0] and "5.0%" in found[0]


def test_freshness_names_each_source_with_its_accepted_sha256_and_marks_a_stale_one():
    sources = {
        "counts": {"description": "Fremont Bridge counts", "url": "https://example.org/c.csv"},
        "weather": {"description": "Sea-Tac weather", "url": "https://example.org/w.csv"},
    }
    accepted = {"counts": {"sha256": "ab" * 32}, "weather": {"sha256": "cd" * 32}}
    health = health_of(("counts", "2021-12-31", 0, False), ("weather", "2021-11-30", 31, True))
    assert freshness_table(sources, accepted, health).splitlines()[2:] == [
        "| [Fremont Bridge counts](https://example.org/c.csv) | 2021-12-31 | 0 days "
        "| `abababababab` | [valid](validation/counts.md) |",
        "| [Sea-Tac weather](https://example.org/w.csv) | 2021-11-30 | 31 days (**stale**) "
        "| `cdcdcdcdcdcd` | [valid](validation/weather.md) |",
    ]


def test_metrics_table_puts_the_model_in_bold_and_writes_numbers_for_people():
    metrics = {
        "scores": {
            "model": {"mae": 1234.4, "rmse": 2345.6, "r2": 0.78912},
            "same_weekday_last_week": {"mae": 2000.0, "rmse": 3000.0, "r2": 0.5},
        }
    }
    assert metrics_table(metrics).splitlines() == [
        "| | MAE | RMSE | R² |",
        "|---|---|---|---|",
        "| **model** | 1,234 | 2,346 | 0.789 |",
        "| Same weekday last week | 2,000 | 3,000 | 0.500 |",
    ]


def test_worst_days_leave_missing_weather_blank_and_escape_pipes():
    worst = pd.DataFrame(
        {
            "date": ["2021-02-13"],
            "actual": [312],
            "predicted": [2890.4],
            "error": [2578.4],
            "tmax_c": [float("nan")],
            "precipitation_mm": [12.25],
            "holiday": [""],
            "counter_issue": ["sensor | west"],
        }
    )
    row = worst_days_table(worst).splitlines()[2]
    assert row == "| 2021-02-13 | 312 | 2,890 | +2,578 |  | 12.2 |  | sensor \\| west |"


def test_a_caption_becomes_its_first_paragraph_on_one_line():
    rst = "Daily bicycles against\nthe day's maximum temperature.\n\nA second paragraph.\n"
    assert caption_line(rst) == "Daily bicycles against the day's maximum temperature."


# --- the whole index, from the files the rule reads ------------------------------------

SOURCES = {  # the rule's params.sources: description and url of each source in config
    "fremont_bridge": {
        "description": "Fremont Bridge hourly bicycle counts",
        "url": "https://example.org/fremont.csv",
    },
    "seatac_weather": {
        "description": "Sea-Tac daily weather (GHCN-Daily)",
        "url": "https://example.org/USW00024233.csv",
    },
}
SHA256 = {name: hashlib.sha256(name.encode()).hexdigest() for name in SOURCES}
CAPTIONS = {  # two paragraphs each: the index shows the first, joined into one line
    "daily_traffic": "Bicycles a day over the bridge,\nboth directions together.\n\n"
    "Incomplete days are left out.\n",
    "weekly_heatmap": "Mean bicycles a day, by ISO week and year.\n\nDarker is busier.\n",
}
WORST = [date(2020, 12, 24), date(2020, 12, 25), date(2020, 12, 28)]


def write_results(root: Path, *, model_mae: float = 1234.0, calm: bool = False) -> pd.DataFrame:
    """The rule's inputs under `root`, as the workflow writes them, from three synthetic
    years to 2020-12-31 (returned): two days are a curated counter issue. Unless `calm`, the
    weather stops 10 days before the counts, a Sea-Tac value failed GHCN's checks on one day
    (quality_flagged), and December is warm and quiet (tmax_c and total alarm)."""
    results = root / "results"
    weather_until = date(2020, 12, 31) if calm else date(2020, 12, 21)
    daily = three_years()
    daily.loc[daily["date"].isin([date(2020, 2, 3), date(2020, 2, 4)]), "counter_issue"] = "outage"
    daily.loc[at(daily, date(2020, 12, 25)), "holiday"] = "Christmas Day"
    if not calm:
        daily.loc[at(daily, date(2020, 5, 5)), "quality_flagged"] = "TMAX"
        late = daily["date"] >= date(2020, 12, 1)
        daily.loc[late, "tmax_c"] += 10
        daily.loc[late, "total"] = (daily.loc[late, "total"] * 0.3).round().astype("Int64")
    for name in SOURCES:
        record = DownloadRecord(
            url=SOURCES[name]["url"],
            final_url=SOURCES[name]["url"],
            status=200,
            etag=None,
            last_modified=None,
            content_type="text/csv",
            bytes=100,
            sha256=SHA256[name],
        )
        # as accept_source.py writes it
        accepted = json.dumps(record.accepted(), indent=2, sort_keys=True) + "\n"
        write_text(results / "sources" / f"{name}.json", accepted)
    span = Coverage(
        counts=(date(2018, 1, 1), date(2020, 12, 31)),
        weather=(date(2018, 1, 1), weather_until),
        common=(date(2018, 1, 1), weather_until),
        names=tuple(SOURCES),
    )
    write_text(results / "tables" / "coverage.json", span.to_json())
    baselines = {"latest_day": 1500.0, "same_weekday_last_week": 1700.0, "seasonal_mean": 2100.0}
    metrics = {
        "target": "total",
        "horizon_days": 1,
        "training": {"start": "2018-01-01", "end": "2020-09-30", "rows": 1000},
        "holdout": {"months": 3, "start": "2020-10-01", "end": "2020-12-31", "rows": 90},
        "scores": {
            "model": {"mae": model_mae, "rmse": 1600.4, "r2": 0.8125},
            **{name: {"mae": mae, "rmse": mae * 1.3, "r2": 0.5} for name, mae in baselines.items()},
        },
        "quality_gate": quality_gate(model_mae, baselines, 0.1),
    }
    write_text(results / "model" / "metrics.json", json_text(metrics))
    counts = daily[["date", "total", "west", "east"]]  # a row a day is enough for freshness
    weather = daily.loc[daily["date"] <= weather_until, ["date", "tmax_c", "precipitation_mm"]]
    health = health_report(counts, weather, daily, staleness_days=5, names=tuple(SOURCES))
    write_text(results / "monitoring" / "health.json", json_text(health))
    write_text(results / "monitoring" / "drift.json", json_text(drift_of(daily)))
    alarms = drift_backtest(daily, target="total", features=FEATURES, settings=SETTINGS)
    write_text(results / "monitoring" / "drift_backtest.json", json_text(summary_of(alarms)))
    predictions = pd.DataFrame(
        {
            "date": [day.isoformat() for day in WORST],
            "actual": [3000, 1200, 2500],
            "model": [2600.4, 2450.0, 2450.0],
            "same_weekday_last_week": 0.0,
            "seasonal_mean": 0.0,
        }
    )
    worst = worst_days(predictions, daily, count=3)
    worst.to_csv(results / "monitoring" / "worst_days.csv", index=False)
    for name, caption in CAPTIONS.items():
        write_text(root / "workflow" / "report" / f"{name}.rst", caption)
    return daily


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def index_of(root: Path) -> str:
    """results/README.md from the files under `root`, read as results_index.py reads them."""
    results = root / "results"
    return index_markdown(
        sources=SOURCES,
        accepted={name: read_json(results / "sources" / f"{name}.json") for name in SOURCES},
        coverage=Coverage.from_dict(read_json(results / "tables" / "coverage.json")).describe(),
        metrics=read_json(results / "model" / "metrics.json"),
        health=read_json(results / "monitoring" / "health.json"),
        drift=read_json(results / "monitoring" / "drift.json"),
        monitor=read_json(results / "monitoring" / "drift_backtest.json"),
        worst=pd.read_csv(
            results / "monitoring" / "worst_days.csv", keep_default_na=False, na_values=[""]
        ),
        counter_issues="resources/counter_issues.csv",
        figures=[
            Figure(
                name=name,
                path=f"figures/{name}.png",
                caption=caption_line((root / "workflow/report" / f"{name}.rst").read_text()),
            )
            for name in CAPTIONS
        ],
        tables=["daily", "weather"],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[str, pd.DataFrame]:
    root = tmp_path_factory.mktemp("repository")
    daily = write_results(root)
    return index_of(root), daily


def test_the_index_opens_with_the_warnings_a_person_must_see(built):
    index, _ = built
    head = index[: index.index("## Data")]
    warnings = [line for line in head.splitlines() if line.startswith("> - ")]
    assert warnings == [
        "> - **Stale source:** `seatac_weather` lags the newest source by 10 days.",
        "> - **Weather quality:** on 1 day a value failed GHCN's quality checks and was left out "
        "(column `quality_flagged` of the daily table).",
        "> - **Drift** against the same weeks of earlier years: `tmax_c`, `total` (see "
        "[Monitoring](#monitoring) for why).",
    ]
    assert index.startswith("# Results: bicycle traffic over Seattle's Fremont Bridge\n")


def test_the_sections_come_in_reading_order(built):
    index, _ = built
    headings = [line for line in index.splitlines() if line.startswith("#")]
    assert headings == [
        "# Results: bicycle traffic over Seattle's Fremont Bridge",
        "## Data",
        "## Model",
        "## Monitoring",
        "### Days to look at",
        "## Figures",
        "### Daily traffic",
        "### Weekly heatmap",
        "## Tables",
    ]


def test_each_source_has_its_freshness_and_accepted_download(built):
    index, _ = built
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert rows == [
        "| [Fremont Bridge hourly bicycle counts](https://example.org/fremont.csv) | 2020-12-31 "
        f"| 0 days | `{SHA256['fremont_bridge'][:12]}` | [valid](validation/fremont_bridge.md) |",
        "| [Sea-Tac daily weather (GHCN-Daily)](https://example.org/USW00024233.csv) | 2020-12-21 "
        f"| 10 days (**stale**) | `{SHA256['seatac_weather'][:12]}` "
        "| [valid](validation/seatac_weather.md) |",
    ]
    assert SHA256["fremont_bridge"] not in index  # the short hash only
    assert (
        "\nCovers 2018-01-01 to 2020-12-21, the days both sources have (counts 2018-01-01 to "
        "2020-12-31; weather 2018-01-01 to 2020-12-21).\n" in index
    )


def test_the_model_section_gives_the_scores_and_the_gate(built):
    index, _ = built
    assert (
        "Forecasts the daily `total` bicycles 1 day ahead, from the counts known by then, the "
        "calendar and the day's weather; the baselines are held to the same horizon. Holdout "
        "2020-10-01 to 2020-12-31 (90 days), after training on 2018-01-01 to 2020-09-30 "
        "(1000 days)." in index
    )
    assert (
        "| | MAE | RMSE | R² |\n|---|---|---|---|\n"
        "| **model** | 1,234 | 1,600 | 0.812 |\n"
        "| Latest day | 1,500 | 1,950 | 0.500 |\n"
        "| Same weekday last week | 1,700 | 2,210 | 0.500 |\n"
        "| Seasonal mean | 2,100 | 2,730 | 0.500 |\n" in index
    )
    assert (
        "**Quality gate passed.** The model's holdout MAE (1234.0) is 17.7% below the best "
        "baseline's (latest_day, 1500.0); the gate asks for at least 10% better.\n" in index
    )
    assert "[Model card](model/model_card.md)" in index


def test_the_monitoring_section_explains_the_alarms_and_the_monitor_backtest(built):
    index, _ = built
    monitoring = index[index.index("## Monitoring") : index.index("### Days to look at")]
    assert monitoring.count("\n- `tmax_c`: the last 30 days (2020-12-02 to 2020-12-31) were ") == 1
    assert monitoring.count("\n- `total`: the last 14 days (2020-12-18 to 2020-12-31) were ") == 1
    alarm_rows = [line for line in monitoring.splitlines() if line.endswith("| **yes** |")]
    assert [row.split(" | ")[0] for row in alarm_rows] == ["| `tmax_c`", "| `total`"]
    assert "The same check as of each of the 24 month ends from 2019-01-31 to 2020-12-31." in (
        monitoring
    )
    assert "| Month ends with an alarm | 2019 | 2020 |" in monitoring
    assert "[data health](monitoring/health.json)" in monitoring


def test_days_to_look_at_lists_the_worst_days_and_where_to_annotate_them(built):
    index, daily = built
    assert (
        "The curated list of counter problems, "
        "[`resources/counter_issues.csv`](../resources/counter_issues.csv), excludes 2 days of "
        "the daily table from training, scoring and the history features. The 3 holdout days "
        "the model got most wrong (error = predicted − actual) are below" in index
    )
    christmas = daily.loc[at(daily, date(2020, 12, 25))]
    assert (
        "| Day | Bicycles | Predicted | Error | Max °C | Rain mm | Holiday | Counter issue |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| 2020-12-25 | 1,200 | 2,450 | +1,250 | {christmas['tmax_c']:.1f} "
        f"| {christmas['precipitation_mm']:.1f} | Christmas Day |  |\n"
        "| 2020-12-24 | 3,000 | 2,600 | -400 |" in index
    )


def test_figures_show_the_first_paragraph_of_their_caption(built):
    index, _ = built
    assert (
        "## Figures\n\n"
        "### Daily traffic\n\n![Daily traffic](figures/daily_traffic.png)\n\n"
        "Bicycles a day over the bridge, both directions together.\n\n"
        "### Weekly heatmap\n\n![Weekly heatmap](figures/weekly_heatmap.png)\n\n"
        "Mean bicycles a day, by ISO week and year.\n\n## Tables\n" in index
    )
    assert "Incomplete days are left out." not in index


def test_tables_are_linked_and_the_page_ends_with_one_newline(built):
    index, _ = built
    assert index.endswith(
        "## Tables\n\n"
        "- [daily](tables/daily.csv) ([Parquet](tables/daily.parquet))\n"
        "- [weather](tables/weather.csv) ([Parquet](tables/weather.parquet))\n"
        "- [datapackage.json](tables/datapackage.json): schemas, units and checksums "
        "(`frictionless validate results/tables/datapackage.json`)\n"
    )


def test_a_failed_gate_is_the_first_warning_and_says_not_to_rely_on_the_model(tmp_path):
    write_results(tmp_path, model_mae=1450.0)
    index = index_of(tmp_path)
    verdict = (
        "The model's holdout MAE (1450.0) is only 3.3% below the best baseline's (latest_day, "
        "1500.0); the gate asks for at least 10% better. Do not rely on this model's forecasts."
    )
    first = next(line for line in index.splitlines() if line.startswith("> - "))
    assert first == f"> - **Quality gate failed.** {verdict}"
    assert f"\n**Quality gate **failed**.** {verdict}\n" in index


def test_a_calm_run_has_no_warnings(tmp_path):
    write_results(tmp_path, calm=True)
    index = index_of(tmp_path)
    assert "> - " not in index
    assert "| 0 days |" in index and "(**stale**)" not in index
    assert "No alarm: every compared feature and the target are within thresholds." in index
    assert "**yes**" not in index
