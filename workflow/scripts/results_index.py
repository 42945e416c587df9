"""Rule results_index: write results/README.md from the workflow's outputs."""

import json
from pathlib import Path

import pandas as pd

from bikeflow.atomic import write_text
from bikeflow.daily import Coverage
from bikeflow.logs import log_to
from bikeflow.results_readme import Figure, Results, caption_line, index_markdown

log = log_to(snakemake.log[0], "results_index")
inputs, params = snakemake.input, snakemake.params
results_dir = Path(snakemake.output[0]).parent


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


figures = [
    Figure(
        name=Path(png).stem,
        path=Path(png).relative_to(results_dir).as_posix(),
        caption=caption_line(Path(caption).read_text(encoding="utf-8"), params.dataset),
    )
    for png, caption in zip(inputs.figures, inputs.captions, strict=True)
]
results = Results(
    title=params.dataset["title"],
    sources=params.sources,
    accepted={Path(path).stem: read_json(path) for path in inputs.accepted},
    coverage=Coverage.from_dict(read_json(inputs.coverage)).describe(),
    metrics=read_json(inputs.metrics),
    health=read_json(inputs.health),
    drift=read_json(inputs.drift),
    drift_monitor=read_json(inputs.drift_monitor),
    live_error=read_json(inputs.live_error),
    live_monitor=read_json(inputs.live_monitor),
    latest=pd.read_csv(inputs.latest, dtype={"issue_date": str, "date": str}),
    scores=pd.read_csv(inputs.scores, dtype={"band": str}),
    worst=pd.read_csv(inputs.worst_days, keep_default_na=False, na_values=[""]),
    counter_issues=params.counter_issues or None,
    figures=figures,
    tables=params.tables,
)
write_text(snakemake.output[0], index_markdown(results))
log.info("index with %d figures", len(figures))
