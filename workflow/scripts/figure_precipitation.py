"""Figure precipitation: the daily bicycle total by how much rain fell that day."""

from itertools import pairwise

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from bikeflow import plotting

# Upper edges (mm, inclusive) of the precipitation bins; a last bin takes everything above.
# Most days are dry and wet days are skewed, so the bins widen roughly geometrically.
EDGES_MM = [0, 1, 3, 6, 12, 25]
LABELS = [
    "0 (dry)",
    *(f"{low:g}–{high:g}" if low else f"up to {high:g}" for low, high in pairwise(EDGES_MM)),
    f"> {EDGES_MM[-1]:g}",
]


def draw(daily: pd.DataFrame, context: plotting.Context) -> Figure:
    days = plotting.day_values(daily, ["precipitation_mm", "total"])
    days["bin"] = pd.cut(days["precipitation_mm"], [-np.inf, *EDGES_MM, np.inf], labels=LABELS)
    sizes = days["bin"].value_counts().reindex(LABELS, fill_value=0)
    fig, ax = plotting.new_figure()
    sns.boxplot(
        data=days,
        x="bin",
        y="total",
        order=LABELS,
        saturation=1,
        width=0.7,
        fliersize=2,
        linewidth=1,
        ax=ax,
        **plotting.BY_DAY_TYPE,
    )
    ax.set_xticks(range(len(LABELS)), [f"{label}\n{sizes[label]:,} days" for label in LABELS])
    ax.set_xlabel(f"Precipitation at {context.dataset['weather_station']} (mm per day)")
    plotting.count_axis(ax, "Bicycles per day")
    ax.legend(title=None, loc="upper right")
    plotting.titles(
        fig,
        "Daily bicycle traffic by the day's precipitation",
        "Boxes: middle 50% of complete days, line at the median, whiskers to 1.5 × the box; "
        f"{plotting.span_text(daily['date'])}",
    )
    return fig


if __name__ == "__main__":
    plotting.main(snakemake, draw)
