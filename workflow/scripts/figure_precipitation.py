"""Figure precipitation: the daily bicycle total by how much rain fell that day."""

import warnings

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.figure import Figure

from bikeflow import plotting
from bikeflow.logs import log_to
from bikeflow.table_io import read_table

# Upper edges (mm, inclusive) of the precipitation bins; a last bin takes everything above.
# Most days are dry and wet days are skewed, so the bins widen roughly geometrically.
EDGES_MM = [0, 1, 3, 6, 12, 25]


def bin_labels() -> list[str]:
    labels = ["0 (dry)"]
    labels += [
        f"{low:g}–{high:g}" if low else f"up to {high:g}"
        for low, high in zip(EDGES_MM, EDGES_MM[1:], strict=False)
    ]
    return [*labels, f"> {EDGES_MM[-1]:g}"]


def days(daily: pd.DataFrame) -> pd.DataFrame:
    """Complete days with a precipitation value, each in its bin."""
    table = pd.DataFrame(
        {
            "day_type": plotting.day_type(daily["date"]).to_numpy(),
            "precipitation_mm": pd.to_numeric(daily["precipitation_mm"]).to_numpy(dtype=float),
            "total": daily["total"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        }
    ).dropna(subset=["precipitation_mm", "total"])
    table["bin"] = pd.cut(
        table["precipitation_mm"], [-np.inf, *EDGES_MM, np.inf], labels=bin_labels()
    )
    return table


def draw(daily: pd.DataFrame) -> Figure:
    table = days(daily)
    labels = bin_labels()
    sizes = table["bin"].value_counts().reindex(labels, fill_value=0)
    fig, ax = plotting.new_figure()
    with warnings.catch_warnings():  # seaborn 0.13.2 still passes matplotlib 3.11 `vert=`
        warnings.filterwarnings("ignore", "vert: bool", MatplotlibDeprecationWarning)
        sns.boxplot(
            data=table,
            x="bin",
            y="total",
            hue="day_type",
            order=labels,
            hue_order=list(plotting.DAY_TYPE_COLORS),
            palette=plotting.DAY_TYPE_COLORS,
            saturation=1,
            width=0.7,
            fliersize=2,
            linewidth=1,
            ax=ax,
        )
    ax.set_xticks(range(len(labels)), [f"{label}\n{sizes[label]:,} days" for label in labels])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("Precipitation at Sea-Tac (mm per day)")
    ax.set_ylabel("Bicycles per day")
    plotting.thousands(ax)
    ax.legend(title=None, loc="upper right")
    plotting.titles(
        fig,
        "Daily bicycle traffic by the day's precipitation",
        "Boxes: middle 50% of complete days, line at the median, whiskers to 1.5 × the box; "
        f"{plotting.span_text(daily['date'])}",
    )
    return fig


if __name__ == "__main__":
    log = log_to(snakemake.log[0], "figures.precipitation")
    plotting.apply_theme()
    daily = read_table(snakemake.input.daily)
    plotting.save_png(draw(daily), snakemake.output[0])
    log.info("%d complete days with a precipitation value", len(days(daily)))
