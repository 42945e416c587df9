"""Figure backtest_error: how far off the rolling-origin backtest was, month by month, and
the live-error alarm it would have raised: a change in how people ride (the 2020 pandemic)
shows as a jump the recent counts then catch up with."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting


def draw(
    months: pd.DataFrame, folds: pd.DataFrame, monitor: dict, context: plotting.Context
) -> Figure:
    months = months.assign(as_of=pd.to_datetime(months["as_of"]))
    fig, (mae_ax, ratio_ax) = plotting.new_figure(
        height=6.5, nrows=2, sharex=True, height_ratios=[3, 2]
    )
    for column, label, color in [
        ("mae", "MAE of the month's forecasts", plotting.COLORS["primary"]),
        ("expected_mae", "The error expected of them", plotting.COLORS["neutral"]),
    ]:
        plotting.broken_line(
            months, "as_of", column, mae_ax, color=color, marker="o", markersize=3, label=label
        )
    plotting.count_axis(mae_ax, "Mean absolute error\n(bicycles per day)")

    plotting.alarm_ratio_line(ratio_ax, months, monitor, markersize=3)
    ratio_ax.set_ylabel("Error over\nexpected")
    ratio_ax.set_title(f"The live-error alarm as of each month end ({monitor['window_days']} days)")
    plotting.mark_events(mae_ax, context.events)
    plotting.time_axis(ratio_ax, context.events, "Month end")
    plotting.legend_below(fig, mae_ax)
    ratio_ax.legend(loc="upper left")
    plotting.titles(
        fig,
        "Backtest: forecast error by month, as the live forecasts are issued",
        f"{len(folds)} folds, each trained on the counts published by its origin; month ends "
        f"{plotting.span_text(months['as_of'])}",
        ax=mae_ax,
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
