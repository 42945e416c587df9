"""Figure residuals: the model's holdout errors (actual minus forecast) over time and
against the forecast."""

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bikeflow import plotting
from bikeflow.logs import log_to

ROLLING_DAYS = 14
MIN_DAYS = 7  # days a window needs for its mean to be drawn


def read(path: str) -> pd.DataFrame:
    return pd.read_csv(path, parse_dates=["date"])


def residuals(predictions: pd.DataFrame) -> pd.DataFrame:
    """date, predicted and residual (actual - predicted) of the days with both values."""
    table = pd.DataFrame(
        {
            "date": plotting.as_datetime(predictions["date"]),
            "predicted": pd.to_numeric(predictions["model"]),
            "residual": pd.to_numeric(predictions["actual"]) - pd.to_numeric(predictions["model"]),
        }
    )
    return table.dropna().sort_values("date").reset_index(drop=True)


def draw(predictions: pd.DataFrame) -> Figure:
    table = residuals(predictions)
    daily = table.set_index("date")["residual"]
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    rolling = daily.rolling(ROLLING_DAYS, center=True, min_periods=MIN_DAYS).mean()

    fig, (over_time, against) = plotting.new_figure(ncols=2, width_ratios=[2, 1], sharey=True)
    dots = {"s": 10, "color": plotting.COLORS["primary"], "alpha": 0.5, "linewidths": 0}
    for ax in (over_time, against):
        ax.axhline(0, color=plotting.COLORS["actual"], linewidth=1)
    over_time.scatter(table["date"], table["residual"], **dots)
    over_time.plot(
        rolling.index,
        rolling,
        color=plotting.COLORS["secondary"],
        linewidth=2,
    )
    over_time.set_xlabel("Date")
    over_time.set_ylabel("Actual − forecast (bicycles per day)")
    plotting.date_axis(over_time)
    plotting.thousands(over_time)

    against.scatter(table["predicted"], table["residual"], **dots)
    against.set_xlabel("Forecast (bicycles per day)")
    plotting.thousands(against, axis="x")
    against.xaxis.set_major_locator(MaxNLocator(4))
    against.set_title("Against the forecast")

    plotting.titles(
        fig,
        f"Model errors over the holdout period, {plotting.span_text(table['date'])}",
        f"Above zero: more bicycles than forecast; orange: {ROLLING_DAYS}-day rolling mean",
        ax=over_time,
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.residuals")
    plotting.apply_theme()
    predictions = read(snakemake.input.predictions)
    plotting.save_png(draw(predictions), snakemake.output[0])
    log.info("%d holdout days with a residual", len(residuals(predictions)))
