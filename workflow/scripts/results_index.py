"""Rule results_index: write results/README.md from the workflow's outputs."""

import json
from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage
from bikeflow.logs import log_to
from bikeflow.results_readme import Figure, caption_line, index_markdown

log = log_to(snakemake.log[0], "results_index")
results = Path(snakemake.output[0]).parent


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


figures = [
    Figure(
        name=Path(png).stem,
        path=Path(png).relative_to(results).as_posix(),
        caption=caption_line(Path(caption).read_text(encoding="utf-8")),
    )
    for png, caption in zip(snakemake.input.figures, snakemake.input.captions, strict=True)
]
index = index_markdown(
    sources=snakemake.params.sources,
    accepted={Path(path).stem: read_json(path) for path in snakemake.input.accepted},
    coverage=Coverage.from_dict(read_json(snakemake.input.coverage)).describe(),
    metrics=read_json(snakemake.input.metrics),
    health=read_json(snakemake.input.health),
    drift=read_json(snakemake.input.drift),
    monitor=read_json(snakemake.input.monitor),
    worst=pd.read_csv(snakemake.input.worst_days, keep_default_na=False, na_values=[""]),
    counter_issues=snakemake.params.counter_issues,
    figures=figures,
    tables=snakemake.params.tables,
)
write_text(snakemake.output[0], index)
log.info("index with %d figures", len(figures))
