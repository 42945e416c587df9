"""Figure weekly_heatmap: the mean daily bicycle total of every ISO week, one row per year."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

WEEK_TICKS = [1, 5, 9, 14, 18, 22, 27, 31, 35, 40, 44, 48, 53]  # about a month apart


def weekly_means(daily: pd.DataFrame) -> pd.DataFrame:
    """Mean total of the complete days in each (ISO year, ISO week): years as rows, weeks
    1 to 53 as columns, NaN where a week has no complete day."""
    days = plotting.day_values(daily, ["total"])
    iso = days["date"].dt.isocalendar()
    means = days.groupby([iso["year"], iso["week"]])["total"].mean().unstack("week")
    return means.reindex(columns=range(1, 54))


def draw(daily: pd.DataFrame, context: plotting.Context) -> Figure:
    means = weekly_means(daily)
    fig, ax = plotting.new_figure(height=min(8.0, 2.0 + 0.4 * len(means)))
    sns.heatmap(
        means,
        cmap=plotting.HEATMAP_CMAP,
        vmin=0,
        linewidths=0.5,
        linecolor="white",
        cbar_kws={
            "label": "Mean bicycles per day",
            "format": plotting.NumberFormatter(),
            "pad": 0.015,
        },
        ax=ax,
    )
    ax.set_facecolor("#eeeeee")  # weeks without a complete day
    ax.grid(False)
    ax.set_xticks([week - 0.5 for week in WEEK_TICKS], WEEK_TICKS, rotation=0)
    ax.set_yticks([row + 0.5 for row in range(len(means))], means.index, rotation=0)
    ax.tick_params(length=0)
    ax.set_xlabel("ISO week of the year (week 1 starts in early January, week 27 in July)")
    ax.set_ylabel("Year (ISO)")
    plotting.titles(
        fig,
        "Mean daily bicycle traffic of every week",
        f"Complete days only (grey: none that week); {plotting.span_text(daily['date'])}",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
