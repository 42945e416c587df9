"""Figure drift_backtest: the drift check as of every month end of the history, one row per
feature: how far each moved (the KS statistic, shaded) and when the monitor alarmed (marked),
with the quiet period and the known change the monitor is measured against."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bikeflow import plotting
from bikeflow.logs import log_to

STATISTIC = "ks_statistic"
STATISTIC_LABEL = "Kolmogorov–Smirnov statistic"


def read(alarms_path: str, summary_path: str) -> tuple[pd.DataFrame, dict]:
    alarms = pd.read_csv(alarms_path, dtype={"month_end": str, "feature": str})
    return alarms, json.loads(Path(summary_path).read_text(encoding="utf-8"))


def grid(alarms: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The statistic and the alarms as features (rows, in the order checked: the last month
    end has them all) by month ends (columns, every month from the first to the last); the
    statistic is NaN, and no alarm, where a month end had no reference year for a feature."""
    last = alarms.loc[alarms["month_end"] == alarms["month_end"].max(), "feature"]
    order = pd.unique(pd.concat([last, alarms["feature"]]))
    months = pd.date_range(alarms["month_end"].min(), alarms["month_end"].max(), freq="ME")
    columns = [month.strftime("%Y-%m-%d") for month in months]

    def pivot(values: pd.Series) -> pd.DataFrame:
        table = alarms.assign(value=values).pivot(
            index="feature", columns="month_end", values="value"
        )
        return table.reindex(index=order, columns=columns)

    statistic = pivot(alarms[STATISTIC].astype(float))
    drifted = pivot(alarms["drifted"].astype(bool)).fillna(False).astype(bool)
    return statistic, drifted


def subtitle(summary: dict) -> str:
    """The two measured numbers, one line each."""
    quiet, change = summary["quiet_period"], summary["known_change"]
    parts = []
    if quiet["month_ends"]:
        parts.append(
            f"{quiet['start'][:4]}–{quiet['end'][:4]}: {quiet['alarm_month_ends']} of "
            f"{quiet['month_ends']} month ends with a weather or daylight alarm "
            f"({quiet['false_alarm_rate']:.1%})"
        )
    if change["first_alarm"]:
        parts.append(
            f"{change['feature']} alarmed {change['days_after']} days after {change['date']}"
        )
    return "\n".join(parts) or None


def draw(alarms: pd.DataFrame, summary: dict) -> Figure:
    if alarms.empty:
        fig, ax = plotting.new_figure(height=3.0)
        ax.text(0.5, 0.5, summary.get("note", "No month end checked."), ha="center", wrap=True)
        ax.set_xlabel("Month end")
        ax.set_ylabel("Feature")
        ax.set_xticks([])
        ax.set_yticks([])
        plotting.titles(fig, "Drift monitor backtest: no month end could be checked yet")
        return fig

    statistic, drifted = grid(alarms)
    month_ends = pd.to_datetime(pd.Series(statistic.columns))
    edges = [*(month_ends - pd.offsets.MonthBegin(1)), month_ends.iloc[-1] + pd.Timedelta(days=1)]
    height = min(8.0, 2.6 + 0.35 * len(statistic))
    fig, ax = plotting.new_figure(height=height)
    mesh = ax.pcolormesh(
        edges,
        np.arange(len(statistic) + 1),
        np.ma.masked_invalid(statistic.to_numpy()),
        cmap=plotting.HEATMAP_CMAP,
        vmin=0,
        vmax=max(1.0, float(np.nanmax(statistic.to_numpy()))),
    )
    ax.set_facecolor("#eeeeee")  # month ends without a reference year
    rows, columns = np.nonzero(drifted.to_numpy())
    centres = month_ends - pd.Timedelta(days=14)
    ax.scatter(
        centres.iloc[columns],
        rows + 0.5,
        marker="o",
        s=22,
        facecolor=plotting.COLORS["highlight"],
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
    )
    ax.set_yticks(np.arange(len(statistic)) + 0.5, statistic.index)
    ax.set_ylim(len(statistic), 0)  # first feature at the top
    ax.grid(False)
    ax.set_ylabel("Feature")
    ax.set_xlabel("Month end the check is made at")
    plotting.date_axis(ax)
    handles = [
        Line2D([], [], marker="o", linestyle="", color=plotting.COLORS["highlight"], label="Alarm")
    ]
    quiet, change = summary["quiet_period"], summary["known_change"]
    for day in (quiet["start"], quiet["end"]):
        ax.axvline(pd.Timestamp(day), color=plotting.COLORS["neutral"], linestyle=":")
    handles.append(
        Line2D([], [], color=plotting.COLORS["neutral"], linestyle=":", label="Quiet period")
    )
    ax.axvline(pd.Timestamp(change["date"]), color=plotting.COLORS["actual"], linestyle="--")
    handles.append(
        Line2D(
            [],
            [],
            color=plotting.COLORS["actual"],
            linestyle="--",
            label=f"{change['date']}: known change",
        )
    )
    ax.set_xlim(edges[0], edges[-1])
    fig.colorbar(mesh, ax=ax, label=STATISTIC_LABEL, pad=0.015)
    fig.legend(handles=handles, loc="outside lower center", ncols=3)
    plotting.titles(
        fig,
        f"Drift monitor backtest: the check as of {summary['month_ends']['count']} month ends",
        subtitle(summary),
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.drift_backtest")
    plotting.apply_theme()
    alarms, summary = read(snakemake.input.alarms, snakemake.input.summary)
    plotting.save_png(draw(alarms, summary), snakemake.output[0])
    log.info(
        "%d month ends, %d alarms", summary["month_ends"]["count"], int(alarms["drifted"].sum())
    )
