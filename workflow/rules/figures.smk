# Figures: one PNG per figure, drawn by workflow/scripts/figure_{figure}.py, so editing one
# figure's script re-runs that figure alone. Every figure shares the runner, the seaborn theme
# and the byte-stable PNG writer of bikeflow/plotting.py (declared below, so a change there
# re-runs them all). The script's draw() gets the named inputs of FIGURES_BY_CATEGORY
# (common.smk) and a context made from the params: the dataset's names, the events marked on
# time axes, the lead bands and the count columns' words.


# The caption is one template for all figures: report() does not fill wildcards into a
# caption path, so workflow/report/figure.rst includes workflow/report/{figure}.rst itself.
rule figure:
    input:
        unpack(lookup(dpath="{figure}", within=FIGURE_INPUTS)),
        code=library("figure_{figure}.py"),
        env=software("figures"),
    output:
        report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category=lookup(dpath="{figure}", within=FIGURE_CATEGORY),
            subcategory="Figures",
            labels={"figure": "{figure}"},
        ),
    log:
        "logs/figures/{figure}.log",
    conda:
        "../envs/figures.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        # Also the report's caption's words (workflow/report/figure.rst).
        dataset=DATASET_WORDS,
        events=[KNOWN_CHANGE],
        lead_bands=lookup(dpath="forecasts/lead_bands", within=config),
        counts=COUNT_TITLES,
    script:
        "../scripts/figure_{wildcards.figure}.py"
