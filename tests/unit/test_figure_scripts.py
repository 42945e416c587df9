"""The figure scripts: each keeps the one contract (draw(<the rule's named inputs>, context)
and plotting.main as its entry point), draws from small synthetic inputs (without
Snakemake) with readable text inside the figure, and says what the context says."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from support.figures import (
    CONTEXT,
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
FIGURES = list(figure_inputs())


def test_every_figure_has_a_script_and_a_caption_and_nothing_else_does():
    scripts = [path.stem.removeprefix("figure_") for path in SCRIPTS.glob("figure_*.py")]
    assert sorted(FIGURES) == sorted(scripts)
    # figure.rst is every figure's caption template, workflow.rst the report's front page.
    captions = {path.stem for path in CAPTIONS.glob("*.rst")} - {"figure", "workflow"}
    assert sorted(FIGURES) == sorted(captions)


@pytest.mark.parametrize("figure", FIGURES)
def test_draw_takes_exactly_the_inputs_the_rule_names(figure: str):
    """The runner reads the inputs draw() names, so these are the files the figure reads."""
    assert plotting.input_names(load(figure).draw) == list(figure_inputs()[figure])


@pytest.mark.parametrize("figure", FIGURES)
def test_script_runs_the_shared_runner_and_nothing_else(figure: str):
    tree = ast.parse((SCRIPTS / f"figure_{figure}.py").read_text(encoding="utf-8"))
    entry = tree.body[-1]
    assert ast.unparse(entry) == (
        "if __name__ == '__main__':\n    plotting.main(snakemake, draw)"
    ), "every figure script ends with the two-line entry point"
    assert "snakemake" not in ast.unparse(tree.body[:-1]), "Snakemake only in the entry point"


def test_the_shared_caption_includes_the_figures_own():
    text = (CAPTIONS / "figure.rst").read_text(encoding="utf-8")
    assert ".. include:: workflow/report/{{ snakemake.wildcards.figure }}.rst" in text


def test_figure_scripts_name_no_dataset_and_no_event_of_the_configuration():
    """A fork changes config/config.yaml, not the figures: what the data are, and the events
    marked, come through the context."""
    config = yaml.safe_load((REPOSITORY / "config/config.yaml").read_text(encoding="utf-8"))
    change = config["monitoring"]["backtest"]["known_change"]
    words = [*config["dataset"].values(), change["date"], change["label"], "Seattle", "2020-03-23"]
    for path in SCRIPTS.glob("figure_*.py"):
        text = path.read_text(encoding="utf-8")
        assert not [word for word in words if word in text], path.name


def rendered(fig: Figure):
    """The figure laid out and drawn by Agg, as save_png draws it; its renderer."""
    FigureCanvasAgg(fig).draw()
    return fig.canvas.get_renderer()


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


@pytest.mark.parametrize("figure", FIGURES)
def test_no_text_is_cut_at_the_edge_of_the_figure(figure: str, tmp_path: Path):
    """Titles, labels, tick labels and legends lie inside the picture."""
    fig = draw(figure, tmp_path)
    inside = fig.get_tightbbox(rendered(fig))
    tolerance = 1 / plotting.DPI  # a pixel
    assert inside.x0 >= -tolerance and inside.y0 >= -tolerance, figure
    assert inside.x1 <= fig.get_figwidth() + tolerance, f"{figure}: text cut on the right"
    assert inside.y1 <= fig.get_figheight() + tolerance, f"{figure}: text cut at the top"


def number_of(label: str) -> float:
    return float(label.replace(",", "").replace("\N{MINUS SIGN}", "-"))


@pytest.mark.parametrize("figure", FIGURES)
def test_number_ticks_show_the_values_they_stand_for(figure: str, tmp_path: Path):
    fig = draw(figure, tmp_path)
    rendered(fig)
    checked = 0
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), plotting.NumberFormatter):
                low, high = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks():
                    if low <= tick.get_loc() <= high:
                        assert number_of(tick.label1.get_text()) == tick.get_loc(), figure
                        checked += 1
    if figure not in ("drift", "drift_backtest"):  # their axes are statistics, not counts
        assert checked, f"{figure}: no count axis with readable numbers"


def legend_texts(fig: Figure) -> list[str]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    return [text.get_text() for legend in legends for text in legend.get_texts()]


def test_figures_say_what_the_context_says(tmp_path: Path):
    assert "Test Counter" in draw("daily_traffic", tmp_path).get_suptitle()
    assert "Test Station" in draw("temperature", tmp_path).axes[0].get_xlabel()
    assert "Test Station" in draw("precipitation", tmp_path).axes[0].get_xlabel()
    assert draw("daily_traffic", tmp_path).axes[0].get_title(loc="left").startswith("Test total, ")
    for figure in ("daily_traffic", "backtest_error", "drift_backtest"):
        assert "2020-03-01: Test event" in legend_texts(draw(figure, tmp_path)), figure


def test_backtest_error_names_the_event_in_the_legend_not_over_the_data(tmp_path: Path):
    fig = draw("backtest_error", tmp_path)
    mae_ax, ratio_ax = fig.axes
    assert not mae_ax.texts and not ratio_ax.texts
    event = plotting.mdates.date2num(pd.Timestamp("2020-03-01"))
    for ax in (mae_ax, ratio_ax):
        assert event in [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"]
    assert legend_texts(fig)[:3] == [
        "MAE of the month's forecasts",
        "The error expected of them",
        "2020-03-01: Test event",
    ]
    assert "The alarm fires above 2" in legend_texts(fig)


def test_residuals_show_every_lead_band_of_the_context(tmp_path: Path):
    fig = draw("residuals", tmp_path)
    bands = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert bands == ["1-7", "8-14", "15-28", "29+"]


def test_holdout_forecasts_draw_each_day_first_and_last_forecast(tmp_path: Path):
    fig = draw("holdout_forecasts", tmp_path)
    assert legend_texts(fig)[:3] == [
        "Counted",
        "First forecast (a week or more ahead)",
        "Last forecast before the count",
    ]
    assert "Test Counter" in fig.get_suptitle()


def test_forecast_scores_of_nothing_scored_say_so(tmp_path: Path):
    module = load("forecast_scores")
    plotting.apply_theme()
    empty = pd.DataFrame(columns=["band", "forecasts", "mae", "expected_mae", "coverage"])
    fig = module.draw(empty, pd.DataFrame(columns=["as_of", "ratio"]), {}, CONTEXT)
    assert fig.get_suptitle() == "Published forecasts: none scored yet"


def test_an_event_outside_the_time_axis_is_not_marked(tmp_path: Path):
    late = plotting.Context(CONTEXT.dataset, (plotting.Event(pd.Timestamp("2030-01-01"), "x"),))
    fig = draw("daily_traffic", tmp_path, late)
    assert fig.axes[0].get_xlim()[1] < plotting.mdates.date2num(pd.Timestamp("2030-01-01"))
    assert not [text for text in legend_texts(fig) if "2030" in text]


def test_permutation_importance_names_no_feature_group(tmp_path: Path):
    """Its features are weather, calendar and the recent counts: the title claims no group."""
    fig = draw("permutation_importance", tmp_path)
    assert fig.get_suptitle() == "Which features the model relies on"
    labels = [label.get_text() for label in fig.axes[0].get_yticklabels()]
    assert labels[0] == "weekday" and labels[-1] == "is_holiday"  # largest first


def test_drift_marks_the_drifted_features_and_cuts_a_huge_psi(tmp_path: Path):
    fig = draw("drift", tmp_path)
    psi_axes = fig.axes[0]
    texts = [text.get_text() for text in psi_axes.texts]
    assert "4.20 (cut)" in texts
    assert "axis cut" in psi_axes.get_xlabel()
    drifted = {row["feature"] for row in drift_report()["features"] if row["drifted"]}
    assert f"{len(drifted)} of {len(FEATURES)} features" in fig.get_suptitle()
    alarm = plotting.COLORS["highlight"]
    labels = [label.get_text() for label in psi_axes.get_yticklabels()]
    red = {
        labels[round(bar.get_y() + bar.get_height() / 2)]
        for bar in psi_axes.patches
        if bar.get_width() > 0 and plotting.matplotlib.colors.to_hex(bar.get_facecolor()) == alarm
    }
    assert red == drifted


def test_drift_backtest_marks_every_alarm_and_leaves_unchecked_months_blank(tmp_path: Path):
    fig = draw("drift_backtest", tmp_path)
    ax = fig.axes[0]
    alarms, summary = drift_backtest()
    (markers,) = ax.collections[1:2]  # the heat map first, then the alarm markers
    assert len(markers.get_offsets()) == int(alarms["drifted"].sum())
    statistic = ax.collections[0].get_array()
    assert statistic.mask.sum() == 3  # precipitation in January to March 2017: no reference
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["tmax_c", "weekday", "precipitation_mm"]
    assert "0 of 48 month ends with an alarm on some feature" in ax.get_title(loc="left")
    assert [label.get_text() for label in ax.get_xticklabels()][:2] == ["2016", "2017"]


def test_drift_backtest_of_a_short_history_says_so():
    module = load("drift_backtest")
    note = "No month end has a reference year: the daily table covers less than a year."
    plotting.apply_theme()
    fig = module.draw(pd.DataFrame(columns=drift_backtest()[0].columns), {"note": note}, CONTEXT)
    assert note in [text.get_text() for text in fig.axes[0].texts]
    assert "no month end could be checked" in fig.get_suptitle()


def test_heatmap_has_a_row_per_iso_year_and_a_column_per_week():
    module = load("weekly_heatmap")
    means = module.weekly_means(daily_table())
    assert list(means.columns) == list(range(1, 54))
    assert list(means.index) == [2019, 2020]  # 2019-01-01 is in ISO week 1 of 2019


def test_hourly_profile_splits_weekdays_and_weekends_by_the_date(tmp_path: Path):
    fig = draw("hourly_profile", tmp_path)
    lines = {line.get_label(): line for line in fig.axes[0].lines if len(line.get_xdata())}
    hourly = hourly_counts().dropna(subset=["total"])
    weekend = pd.to_datetime(hourly["date"]).dt.day_of_week >= 5
    for kind, rows in (("Weekday", hourly[~weekend]), ("Weekend", hourly[weekend])):
        (line,) = [
            line
            for line in lines.values()
            if np.allclose(
                line.get_ydata(), rows.groupby("hour")["total"].mean().to_numpy(dtype=float)
            )
        ]
        assert list(line.get_xdata()) == list(range(24)), kind
    assert [text.get_text() for text in fig.axes[0].get_legend().get_texts()] == [
        "Weekday",
        "Weekend",
    ]
