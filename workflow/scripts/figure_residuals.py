"""Figure residuals: the model's holdout errors (actual minus forecast) over time and
against the forecast."""

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bikeflow import plotting

ROLLING_DAYS = 14
MIN_DAYS = 7  # days a window needs for its mean to be drawn


def draw(predictions: pd.DataFrame, context: plotting.Context) -> Figure:
    table = pd.DataFrame(
        {
            "date": pd.to_datetime(predictions["date"]),
            "forecast": predictions["model"],
            "residual": predictions["actual"] - predictions["model"],
        }
    ).dropna()

    fig, (over_time, against) = plotting.new_figure(ncols=2, width_ratios=[2, 1], sharey=True)
    dots = {"data": table, "y": "residual", "s": 12, "alpha": 0.5, "linewidth": 0}
    dots["color"] = plotting.COLORS["primary"]
    sns.scatterplot(x="date", label="Each day", ax=over_time, **dots)
    sns.scatterplot(x="forecast", ax=against, **dots)
    by_date = table.set_index("date")["residual"]
    plotting.rolling_line(
        over_time, by_date, ROLLING_DAYS, MIN_DAYS, color=plotting.COLORS["secondary"]
    )
    for ax in (over_time, against):
        ax.axhline(0, color=plotting.COLORS["actual"], linewidth=1)
    plotting.time_axis(over_time, context.events)
    over_time.set_ylabel("Actual − forecast (bicycles per day)")
    plotting.thousands(over_time)
    against.set_xlabel("Forecast (bicycles per day)")
    plotting.thousands(against, axis="x")
    against.xaxis.set_major_locator(MaxNLocator(4))
    against.set_title("Against the forecast")
    plotting.legend_below(fig, over_time, markerscale=2)
    plotting.titles(
        fig,
        f"Model errors over the holdout period, {plotting.span_text(table['date'])}",
        "Above zero: more bicycles than forecast",
        ax=over_time,
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
