"""Rule run_config: the configuration this run used (config/config.yaml with every override
applied), for the report and for people reading results/."""

import yaml

from bikeflow.atomic import write_text
from bikeflow.logs import log_to

log = log_to(snakemake.log[0], "run_config")
# Keys sorted: Snakemake's order of the merged sections depends on how they were given
# (a --config override puts its section first), and the same settings must give the same bytes.
text = yaml.safe_dump(dict(snakemake.params.config), sort_keys=True, allow_unicode=True)
write_text(snakemake.output[0], "# The configuration the results were made with.\n" + text)
log.info("%d sections", len(snakemake.params.config))
