"""Figure drift_backtest: the drift check as of every month end of the history, one row per
feature: how far each moved (the KS statistic, shaded) and when the monitor alarmed (marked),
with the quiet period and the known change the monitor is measured against."""

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

STATISTIC = "ks_statistic"
STATISTIC_LABEL = "Kolmogorov–Smirnov\nstatistic"  # two lines: fits a short colour bar


def grid(alarms: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The statistic and the alarms as features (rows, in the order checked: the last month
    end has them all) by month ends (columns, every month from the first to the last); the
    statistic is NaN, and no alarm, where a month end had no reference year for a feature."""
    last = alarms.loc[alarms["month_end"] == alarms["month_end"].max(), "feature"]
    order = pd.unique(pd.concat([last, alarms["feature"]]))
    months = pd.date_range(alarms["month_end"].min(), alarms["month_end"].max(), freq="ME")
    columns = [month.strftime("%Y-%m-%d") for month in months]

    def pivot(column: str) -> pd.DataFrame:
        table = alarms.pivot(index="feature", columns="month_end", values=column)
        return table.reindex(index=order, columns=columns)

    return pivot(STATISTIC).astype(float), pivot("drifted").fillna(False).astype(bool)


def subtitle(summary: dict) -> str | None:
    """The false-alarm rate the backtest measured, on every compared feature."""
    quiet = summary["quiet_period"]
    if not quiet["month_ends"]:
        return None
    return (
        f"{quiet['start'][:4]}–{quiet['end'][:4]}: {quiet['alarm_month_ends']} of "
        f"{quiet['month_ends']} month ends with an alarm on some feature "
        f"({quiet['false_alarm_rate']:.1%}), all of them false"
    )


def time_ticks(month_ends: pd.DatetimeIndex, position) -> tuple[list[float], list[str]]:
    """Ticks at the start of each year, or of each month for a history under two years."""
    if len(month_ends) < 24:  # each month end's column, at its centre
        return [column + 0.5 for column in range(len(month_ends))], [
            f"{day:%Y-%m}" for day in month_ends
        ]
    starts = [
        pd.Timestamp(year, 1, 1) for year in range(month_ends[0].year, month_ends[-1].year + 2)
    ]
    years = [year for year in starts if 0 <= position(year) <= len(month_ends)]
    return [position(year) for year in years], [str(year.year) for year in years]


def draw(alarms: pd.DataFrame, summary: dict, context: plotting.Context) -> Figure:
    if alarms.empty:
        fig, ax = plotting.new_figure(height=3.0)
        ax.text(0.5, 0.5, summary.get("note", "No month end checked."), ha="center", wrap=True)
        ax.set(xlabel="Month end", ylabel="Feature", xticks=[], yticks=[])
        plotting.titles(fig, "Drift monitor backtest: no month end could be checked yet")
        return fig

    statistic, drifted = grid(alarms)
    first = pd.Timestamp(statistic.columns[0]).to_period("M")

    def position(day: pd.Timestamp) -> float:
        """x of a day: each month end's column spans its month, 0 at the first month's start."""
        return (day.to_period("M") - first).n + (day.day - 1) / day.days_in_month

    fig, ax = plotting.new_figure(height=min(8.0, 2.6 + 0.35 * len(statistic)))
    sns.heatmap(
        statistic,
        cmap=plotting.HEATMAP_CMAP,
        vmin=0,
        vmax=max(1.0, float(np.nanmax(statistic.to_numpy()))),
        cbar_kws={"label": STATISTIC_LABEL, "pad": 0.015},
        ax=ax,
    )
    ax.set_facecolor("#eeeeee")  # month ends without a reference year
    ax.grid(False)
    rows, columns = np.nonzero(drifted.to_numpy())
    sns.scatterplot(
        x=columns + 0.5,
        y=rows + 0.5,
        s=22,
        color=plotting.COLORS["highlight"],
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
        label="Alarm",
        ax=ax,
    )
    quiet = summary["quiet_period"]
    for day, label in ((quiet["start"], "Quiet period"), (quiet["end"], None)):
        if 0 <= position(pd.Timestamp(day)) <= len(statistic.columns):
            ax.axvline(
                position(pd.Timestamp(day)),
                color=plotting.COLORS["neutral"],
                linestyle=":",
                label=label,
            )
    plotting.mark_events(ax, context.events, position=position)
    ax.set_xticks(*time_ticks(pd.to_datetime(statistic.columns), position), rotation=0)
    ax.set_yticks(np.arange(len(statistic)) + 0.5, statistic.index, rotation=0)
    ax.set_ylabel("Feature")
    ax.set_xlabel("Month end the check is made at")
    plotting.titles(
        fig,
        f"Drift monitor backtest: the check as of {summary['month_ends']['count']} month ends",
        subtitle(summary),
    )
    plotting.legend_below(fig, ax)
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
