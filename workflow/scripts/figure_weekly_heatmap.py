"""Figure weekly_heatmap: the mean daily bicycle total of every ISO week, one row per year."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

WEEK_TICKS = [1, 5, 9, 14, 18, 22, 27, 31, 35, 40, 44, 48, 53]  # about a month apart


def weekly_means(daily: pd.DataFrame) -> pd.DataFrame:
    """Mean total of the complete days in each (ISO year, ISO week): years as rows, weeks
    1 to 53 as columns, NaN where a week has no complete day."""
    iso = plotting.as_datetime(pd.Series(daily["date"])).dt.isocalendar()
    table = pd.DataFrame(
        {
            "year": iso["year"].astype(int).to_numpy(),
            "week": iso["week"].astype(int).to_numpy(),
            "total": daily["total"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        }
    )
    means = table.groupby(["year", "week"])["total"].mean().unstack("week")
    return means.reindex(columns=range(1, 54))


def draw(daily: pd.DataFrame) -> Figure:
    means = weekly_means(daily)
    height = min(8.0, 2.0 + 0.4 * len(means))
    fig, ax = plotting.new_figure(height=height)
    sns.heatmap(
        means,
        cmap=plotting.HEATMAP_CMAP,
        vmin=0,
        mask=means.isna(),
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": "Mean bicycles per day", "format": "{x:,.0f}", "pad": 0.015},
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
    log = log_to(snakemake.log[0], "figures.weekly_heatmap")
    plotting.apply_theme()
    daily = read_table(snakemake.input.daily)
    plotting.save_png(draw(daily), snakemake.output[0])
    log.info("%d weeks with a complete day", int(weekly_means(daily).notna().sum().sum()))
