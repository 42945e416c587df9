"""Figure drift: per feature, how far the recent window's distribution has moved from the
same weeks of the reference years (PSI and Kolmogorov-Smirnov statistic), against the alert
thresholds."""

import json
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bikeflow import plotting
from bikeflow.logs import log_to

# drift.json key of the statistic -> (its key under "thresholds", axis label)
STATISTICS = {
    "psi": ("psi", "Population stability index (PSI)"),
    "ks_statistic": ("ks", "Kolmogorov–Smirnov statistic"),
}
# PSI has no upper bound (a feature like the year can score 5 or more), so its axis stops at
# this many times the threshold and longer bars are cut there, their value printed.
PSI_AXIS_THRESHOLDS = 5


def read(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def features(drift: dict) -> pd.DataFrame:
    """One row per feature, sorted by PSI (largest at the top of the figure), with a
    boolean `drifted` taken from the report."""
    table = pd.DataFrame(drift["features"])
    named = set(drift.get("drifted", []))
    table["drifted"] = table["drifted"].astype(bool) | table["feature"].isin(named)
    return table.sort_values(["psi", "feature"], ascending=[True, False]).reset_index(drop=True)


def thresholds(drift: dict) -> dict[str, float]:
    """{"psi": ..., "ks": ...}: from "thresholds", or from "psi_threshold" and "ks_threshold"."""
    if "thresholds" in drift:
        return drift["thresholds"]
    return {key: drift[f"{key}_threshold"] for key in ("psi", "ks")}


def years_text(years: list[int]) -> str:
    if not years:
        return "no earlier year"
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def comparison(drift: dict) -> str:
    """What was compared: "Last 90 days of the features, 30 of the target, to 2021-12-31,
    against the same weeks of 2017-2020"."""
    windows = drift["windows"]
    years = [reference["year"] for reference in windows["features"]["reference"]]
    return (
        f"Last {windows['features']['days']} days of the features, "
        f"{windows['target']['days']} of the target, to {drift['as_of']}, "
        f"against the same weeks of {years_text(years)}"
    )


def draw(drift: dict) -> Figure:
    table = features(drift)
    colors = [
        plotting.COLORS["highlight"] if drifted else plotting.COLORS["primary"]
        for drifted in table["drifted"]
    ]
    height = min(8.0, 2.2 + 0.4 * len(table))
    fig, axes = plotting.new_figure(height=height, ncols=len(STATISTICS), sharey=True)
    for ax, (column, (threshold_key, label)) in zip(axes, STATISTICS.items(), strict=True):
        threshold = thresholds(drift)[threshold_key]
        values = table[column].astype(float)
        cap = PSI_AXIS_THRESHOLDS * threshold if column == "psi" else float("inf")
        shown = values.clip(upper=cap)
        ax.barh(table["feature"], shown, color=colors, height=0.65)
        ax.axvline(threshold, color=plotting.COLORS["actual"], linestyle="--", linewidth=1.2)
        for row, (value, end) in enumerate(zip(values, shown, strict=True)):
            ax.annotate(
                f"{value:.2f}" if value <= cap else f"{value:.2f} (cut)",
                (end, row),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color="#444444",
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "linewidth": 0},
            )
        ax.set_xlim(0, max(float(shown.max()), threshold) * 1.25)
        ax.set_xlabel(label if values.max() <= cap else f"{label}, axis cut at {cap:g}")
        ax.grid(axis="y", visible=False)
    axes[0].set_ylabel("Feature")
    drifted = int(table["drifted"].sum())
    fig.legend(
        handles=[
            Patch(color=plotting.COLORS["highlight"], label="Alarm"),
            Patch(color=plotting.COLORS["primary"], label="No alarm"),
            Line2D([], [], color=plotting.COLORS["actual"], linestyle="--", label="Threshold"),
        ],
        loc="outside lower center",
        ncols=3,
    )
    rule = (
        "both statistics beyond their thresholds"
        if drift["alarm_on"] == "both"
        else "either statistic beyond its threshold"
    )
    plotting.titles(
        fig,
        f"Drift like for like: {drifted} of {len(table)} features alarm ({rule})",
        comparison(drift),
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.drift")
    plotting.apply_theme()
    drift = read(snakemake.input.drift)
    plotting.save_png(draw(drift), snakemake.output[0])
    log.info("%d features, drifted: %s", len(drift["features"]), drift.get("drifted", []))
