"""Figure backtest_error: how far off the rolling-origin backtest was, month by month, so
that a change in the data (like the 2020 pandemic) shows as a jump in the error."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting


def monthly_errors(days: pd.DataFrame) -> pd.DataFrame:
    """MAE and mean error (forecast - actual) of each calendar month of the backtest, at
    the middle of the month (`month`); NaN for months without a forecast day."""
    error = (days["predicted"] - days["actual"]).rename("error")
    month = pd.to_datetime(days["date"]).dt.to_period("M").rename("month")
    grouped = error.groupby(month)
    months = pd.DataFrame({"mae": grouped.apply(lambda e: e.abs().mean()), "bias": grouped.mean()})
    # Every month between the first and the last, so the line breaks where none was forecast.
    months = months.reindex(pd.period_range(months.index.min(), months.index.max(), freq="M"))
    months.index = months.index.to_timestamp() + pd.Timedelta(days=14)
    months["sign"] = np.where(months["bias"] > 0, "above", "below")
    return months.rename_axis("month").reset_index()


def draw(days: pd.DataFrame, folds: pd.DataFrame, context: plotting.Context) -> Figure:
    months = monthly_errors(days)
    fig, (mae_ax, bias_ax) = plotting.new_figure(
        height=6.5, nrows=2, sharex=True, height_ratios=[3, 2]
    )
    plotting.broken_line(
        months,
        "month",
        "mae",
        mae_ax,
        color=plotting.COLORS["primary"],
        linewidth=1.2,
        marker="o",
        markersize=4,
        label="Monthly MAE",
    )
    mae_ax.hlines(
        folds["mae"],
        pd.to_datetime(folds["test_start"]),
        pd.to_datetime(folds["test_end"]),
        color=plotting.COLORS["actual"],
        linewidth=2.5,
        label="MAE of each fold's test window",
    )
    plotting.count_axis(mae_ax, "Mean absolute error\n(bicycles per day)")

    sns.barplot(
        data=months.dropna(subset=["bias"]),
        x="month",
        y="bias",
        hue="sign",
        palette={"above": plotting.COLORS["highlight"], "below": plotting.COLORS["primary"]},
        saturation=1,
        native_scale=True,
        dodge=False,
        legend=False,
        ax=bias_ax,
    )
    bias_ax.axhline(0, color=plotting.COLORS["actual"], linewidth=1)
    bias_ax.set_ylabel("Mean error, forecast −\nactual (bicycles per day)")
    plotting.thousands(bias_ax)
    bias_ax.set_title("Above zero (red): the model expected more bicycles than came")
    plotting.mark_events(mae_ax, context.events)
    plotting.time_axis(bias_ax, context.events, "Forecast month")
    plotting.legend_below(fig, mae_ax)
    plotting.titles(
        fig,
        "Backtest: forecast error by month, refitting every few months",
        f"{len(folds)} folds, each trained on the days before its origin; "
        f"forecasts for {plotting.span_text(days['date'])}",
        ax=mae_ax,
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
