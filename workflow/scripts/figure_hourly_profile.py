"""Figure hourly_profile: mean bicycles per hour of the day, weekdays against weekends."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

BAND = 50  # the shaded band: the middle 50 % of the hours' counts (quartiles)


def draw(hourly: pd.DataFrame, context: plotting.Context) -> Figure:
    fig, ax = plotting.new_figure()
    sns.lineplot(
        data=plotting.day_values(hourly, ["hour", "total"]),  # blank hours left out
        x="hour",
        y="total",
        estimator="mean",
        errorbar=("pi", BAND),
        err_kws={"alpha": 0.15, "linewidth": 0},
        linewidth=2.2,
        marker="o",
        markersize=5,
        ax=ax,
        **plotting.BY_DAY_TYPE,
    )
    ax.set_xlim(-0.5, 23.5)
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel("Hour of day (local time; 8 = 08:00 to 08:59)")
    plotting.count_axis(ax, "Bicycles per hour")
    ax.legend(loc="upper left")
    plotting.titles(
        fig,
        f"{context.dataset['counter']}: bicycles per hour of the day, weekdays and weekends",
        f"Line: mean count; band: middle {BAND}% of the hours; "
        f"{plotting.span_text(hourly['date'])}",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
