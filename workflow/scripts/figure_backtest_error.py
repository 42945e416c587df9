"""Figure backtest_error: how far off the rolling-origin backtest was, month by month, so
that a change in the data (like the 2020 pandemic) shows as a jump in the error."""

import pandas as pd
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to

# Marked on the time axis: Washington's "Stay Home, Stay Healthy" order.
EVENTS = {"2020-03-23": "COVID-19 stay-home order"}


def read(days_path: str, folds_path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = pd.read_csv(days_path, parse_dates=["origin", "date"])
    folds = pd.read_csv(
        folds_path, parse_dates=["origin", "train_start", "train_end", "test_start", "test_end"]
    )
    return days, folds


def monthly_errors(days: pd.DataFrame) -> pd.DataFrame:
    """MAE and mean error (forecast - actual) of each calendar month of the backtest, at
    the middle of the month; NaN for months without a forecast day."""
    table = pd.DataFrame(
        {
            "month": plotting.as_datetime(days["date"]).dt.to_period("M"),
            "error": pd.to_numeric(days["predicted"]) - pd.to_numeric(days["actual"]),
        }
    ).dropna()
    grouped = table.groupby("month")["error"]
    months = pd.DataFrame(
        {"mae": grouped.apply(lambda error: error.abs().mean()), "bias": grouped.mean()}
    )
    # Every month between the first and the last, so the line breaks where none was forecast.
    months = months.reindex(pd.period_range(months.index.min(), months.index.max(), freq="M"))
    months.index = months.index.to_timestamp() + pd.Timedelta(days=14)
    return months


def draw(days: pd.DataFrame, folds: pd.DataFrame) -> Figure:
    months = monthly_errors(days)
    fig, (mae_ax, bias_ax) = plotting.new_figure(
        height=6.5, nrows=2, sharex=True, height_ratios=[3, 2]
    )
    mae_ax.plot(
        months.index,
        months["mae"],
        color=plotting.COLORS["primary"],
        linewidth=1.2,
        marker="o",
        markersize=3,
        label="Monthly MAE",
    )
    starts = plotting.as_datetime(folds["test_start"])
    ends = plotting.as_datetime(folds["test_end"])
    mae_ax.hlines(
        folds["mae"],
        starts,
        ends,
        color=plotting.COLORS["actual"],
        linewidth=2.5,
        label="MAE of each fold's test window",
    )
    mae_ax.set_ylim(bottom=0)
    mae_ax.set_ylabel("Mean absolute error\n(bicycles per day)")
    mae_ax.legend(loc="upper left")

    bias_ax.axhline(0, color=plotting.COLORS["actual"], linewidth=1)
    bias_ax.bar(
        months.index,
        months["bias"],
        width=25,
        color=[
            plotting.COLORS["highlight"] if bias > 0 else plotting.COLORS["primary"]
            for bias in months["bias"]
        ],
    )
    bias_ax.set_ylabel("Mean error, forecast −\nactual (bicycles per day)")
    bias_ax.set_xlabel("Forecast month")
    bias_ax.set_title("Above zero (red): the model expected more bicycles than came")

    for ax in (mae_ax, bias_ax):
        plotting.thousands(ax)
        for day in EVENTS:
            ax.axvline(pd.Timestamp(day), color=plotting.COLORS["neutral"], linestyle="--")
    for day, label in EVENTS.items():
        if months.index.min() <= pd.Timestamp(day) <= months.index.max():
            mae_ax.annotate(
                label,
                (pd.Timestamp(day), 1),
                xycoords=("data", "axes fraction"),
                xytext=(-4, -4),
                textcoords="offset points",
                ha="right",
                va="top",
                color="#444444",
                fontsize=10,
            )
    plotting.date_axis(bias_ax)
    plotting.titles(
        fig,
        "Backtest: forecast error by month, refitting every few months",
        f"{len(folds)} folds, each trained on the days before its origin; "
        f"forecasts for {plotting.span_text(days['date'])}",
        ax=mae_ax,
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.backtest_error")
    plotting.apply_theme()
    days, folds = read(snakemake.input.days, snakemake.input.folds)
    plotting.save_png(draw(days, folds), snakemake.output[0])
    log.info("%d folds, %d forecast days", len(folds), len(days))
