"""Figure daily_traffic: the daily bicycle total over time and its 28-day rolling mean."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

ROLLING_DAYS = 28
MIN_DAYS = 21  # complete days a window needs for its mean to be drawn


def draw(daily: pd.DataFrame, context: plotting.Context) -> Figure:
    """Each complete day as a faint dot, the centred rolling mean as a line (broken where
    too many days of a window are missing)."""
    days = plotting.day_values(daily, ["total"])
    fig, ax = plotting.new_figure()
    sns.scatterplot(
        data=days,
        x="date",
        y="total",
        color=plotting.COLORS["neutral"],
        label="Daily total",
        ax=ax,
        **plotting.DAY_DOTS,
    )
    by_date = days.set_index("date")["total"]
    plotting.rolling_line(ax, by_date, ROLLING_DAYS, MIN_DAYS, color=plotting.COLORS["primary"])
    plotting.time_axis(ax, context.events)
    plotting.count_axis(ax, "Bicycles per day")
    plotting.legend_below(fig, ax, markerscale=3)
    plotting.titles(
        fig,
        f"{context.dataset['counter']}: daily bicycle traffic",
        f"{context.count_words('total')}, {plotting.span_text(daily['date'])}; "
        "incomplete days left out",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
