"""Figure drift: per feature, how far the recent window's distribution has moved from the
same weeks of the reference years (PSI and Kolmogorov-Smirnov statistic), against the alert
thresholds."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

# drift.json key of the statistic -> (its key under "thresholds", axis label)
STATISTICS = {
    "psi": ("psi", "Population stability index (PSI)"),
    "ks_statistic": ("ks", "Kolmogorov–Smirnov statistic"),
}
# PSI has no upper bound (a feature like the year can score 5 or more), so its axis stops at
# this many times the threshold and longer bars are cut there, their value printed.
PSI_AXIS_THRESHOLDS = 5
STATUS_COLORS = {"Alarm": plotting.COLORS["highlight"], "No alarm": plotting.COLORS["primary"]}


def features(drift: dict) -> pd.DataFrame:
    """One row per feature, sorted by PSI (largest first, at the top of the figure), with
    its `status` ("Alarm" or "No alarm") taken from the report."""
    table = pd.DataFrame(drift["features"])
    drifted = table["drifted"].astype(bool) | table["feature"].isin(drift.get("drifted", []))
    table["status"] = np.where(drifted, "Alarm", "No alarm")
    return table.sort_values(["psi", "feature"], ascending=[False, True]).reset_index(drop=True)


def thresholds(drift: dict) -> dict[str, float]:
    """{"psi": ..., "ks": ...}: from "thresholds", or from "psi_threshold" and "ks_threshold"."""
    if "thresholds" in drift:
        return drift["thresholds"]
    return {key: drift[f"{key}_threshold"] for key in ("psi", "ks")}


def comparison(drift: dict) -> str:
    """What was compared: "Last 90 days, to 2021-12-31, against the same weeks of
    2017-2020"."""
    window = drift["window"]
    years = [reference["year"] for reference in window["reference"]]
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]) if years else None
    return (
        f"Last {window['days']} days, to {drift['as_of']}, "
        f"against the same weeks of {span or 'no earlier year'}"
    )


def draw(drift: dict, context: plotting.Context) -> Figure:
    table = features(drift)
    fig, axes = plotting.new_figure(
        height=min(8.0, 2.2 + 0.4 * len(table)), ncols=len(STATISTICS), sharey=True
    )
    fig.get_layout_engine().set(wspace=0.06)  # room between the panels' outer tick labels
    for ax, (column, (key, label)) in zip(axes, STATISTICS.items(), strict=True):
        threshold = thresholds(drift)[key]
        cap = PSI_AXIS_THRESHOLDS * threshold if column == "psi" else float("inf")
        shown = table.assign(value=table[column].astype(float).clip(upper=cap))
        sns.barplot(
            data=shown,
            x="value",
            y="feature",
            hue="status",
            palette=STATUS_COLORS,
            dodge=False,
            width=0.65,
            saturation=1,
            legend=ax is axes[0],
            ax=ax,
        )
        ax.axvline(threshold, color=plotting.COLORS["actual"], linestyle="--", label="Threshold")
        for row, (value, end) in enumerate(zip(table[column], shown["value"], strict=True)):
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
        ax.set_xlim(0, max(float(shown["value"].max()), threshold) * 1.3)
        cut = table[column].max() > cap
        ax.set_xlabel(f"{label}, axis cut at {cap:g}" if cut else label)
        ax.set_ylabel("")
        ax.grid(axis="y", visible=False)
    axes[0].set_ylabel("Feature")
    plotting.legend_below(fig, axes[0])
    rule = (
        "both statistics beyond their thresholds"
        if drift["alarm_on"] == "both"
        else "either statistic beyond its threshold"
    )
    alarms = int((table["status"] == "Alarm").sum())
    plotting.titles(
        fig,
        f"Drift like for like: {alarms} of {len(table)} features alarm ({rule})",
        comparison(drift),
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
