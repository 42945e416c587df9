"""The figure scripts: each draws from small synthetic inputs of the contract's shapes
(without Snakemake), and the rule's inputs match what the scripts read."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from support.figures import (
    FEATURES,
    SCRIPTS,
    daily_table,
    draw,
    drift_backtest,
    drift_report,
    figure_inputs,
    hourly_counts,
    load,
)
from support.workflow import REPOSITORY

from bikeflow import plotting

CAPTIONS = REPOSITORY / "workflow/report"


# The theme the figure rule applies, once per module.
@pytest.fixture(scope="module", autouse=True)
def theme():
    plotting.apply_theme()


FIGURES = list(figure_inputs())


def test_every_figure_has_a_script_and_a_caption_and_nothing_else_does():
    scripts = [path.stem.removeprefix("figure_") for path in SCRIPTS.glob("figure_*.py")]
    assert sorted(FIGURES) == sorted(scripts)
    # figure.rst is every figure's caption template, workflow.rst the report's front page.
    captions = {path.stem for path in CAPTIONS.glob("*.rst")} - {"figure", "workflow"}
    assert sorted(FIGURES) == sorted(captions)


@pytest.mark.parametrize("figure", FIGURES)
def test_scripts_read_exactly_the_inputs_the_rule_names(figure: str):
    text = (SCRIPTS / f"figure_{figure}.py").read_text(encoding="utf-8")
    assert set(re.findall(r"snakemake\.input\.(\w+)", text)) == set(figure_inputs()[figure])


def test_the_shared_caption_includes_the_figures_own():
    text = (CAPTIONS / "figure.rst").read_text(encoding="utf-8")
    assert ".. include:: workflow/report/{{ snakemake.wildcards.figure }}.rst" in text


@pytest.mark.parametrize("figure", FIGURES)
def test_figure_draws_from_synthetic_inputs(figure: str, tmp_path: Path):
    fig = draw(figure, tmp_path)
    assert isinstance(fig, Figure)
    assert fig.get_suptitle(), "every figure says what it shows"
    for ax in fig.axes:
        if ax.get_label() != "<colorbar>":
            assert ax.get_xlabel() or ax.get_ylabel(), f"{figure}: an axes without labels"
    path = tmp_path / f"{figure}.png"
    plotting.save_png(fig, path)
    with Image.open(path) as image:
        assert image.size == (
            round(fig.get_figwidth() * plotting.DPI),
            round(fig.get_figheight() * plotting.DPI),
        )


def test_drift_marks_the_drifted_features_and_cuts_a_huge_psi(tmp_path: Path):
    fig = draw("drift", tmp_path)
    psi_axes = fig.axes[0]
    texts = [text.get_text() for text in psi_axes.texts]
    assert "4.20 (cut)" in texts
    assert "axis cut" in psi_axes.get_xlabel()
    drifted = {row["feature"] for row in drift_report()["features"] if row["drifted"]}
    assert f"{len(drifted)} of {len(FEATURES)} features" in fig.get_suptitle()


def test_drift_backtest_marks_every_alarm_and_leaves_unchecked_months_blank(tmp_path: Path):
    fig = draw("drift_backtest", tmp_path)
    ax = fig.axes[0]
    alarms, summary = drift_backtest()
    (markers,) = ax.collections[1:2]  # the mesh first, then the alarm markers
    assert len(markers.get_offsets()) == int(alarms["drifted"].sum())
    statistic = ax.collections[0].get_array()
    assert statistic.mask.sum() == 3  # total in January to March 2017: no reference
    assert [label.get_text() for label in ax.get_yticklabels()] == ["tmax_c", "weekday", "total"]
    assert "30 days after 2020-03-01" in ax.get_title(loc="left")


def test_drift_backtest_of_a_short_history_says_so(tmp_path: Path):
    module = load("drift_backtest")
    note = "No month end has a reference year: the daily table covers less than a year."
    fig = module.draw(pd.DataFrame(columns=drift_backtest()[0].columns), {"note": note})
    assert note in [text.get_text() for text in fig.axes[0].texts]
    assert "no month end could be checked" in fig.get_suptitle()


def test_heatmap_has_a_row_per_iso_year_and_a_column_per_week():
    module = load("weekly_heatmap")
    means = module.weekly_means(daily_table())
    assert list(means.columns) == list(range(1, 54))
    assert list(means.index) == [2019, 2020]  # 2019-01-01 is in ISO week 1 of 2019


def test_hourly_profile_splits_weekdays_and_weekends_by_the_date():
    table = load("hourly_profile").profile(hourly_counts())
    assert set(table["day_type"]) == {"Weekday", "Weekend"}
    assert len(table) == 48
