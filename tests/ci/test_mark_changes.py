"""ci/mark_changes.py in a real repository: after a fresh clone, the files that changed
since the results were built are the newest, the results next, everything else oldest."""

from __future__ import annotations

import os
import time

from support.gitrepo import Repository

from ci.mark_changes import RESULTS_MTIME, SOURCES_MTIME, mark_changes


def mtime(repository: Repository, path: str) -> float:
    return os.stat(repository.root / path, follow_symlinks=False).st_mtime


def test_changed_files_are_newer_than_the_results_which_are_newer_than_the_rest(
    repository: Repository,
):
    repository.write("workflow/scripts/figure.py", "draw()\n")
    repository.write("config/config.yaml", "a: 1\n")
    built = repository.commit("The project")
    repository.write("results/figures/a.png", "png")
    repository.write(".snakemake/metadata/cmVzdWx0cy9maWd1cmVzL2EucG5n", "{}")
    repository.git("add", "--force", ".snakemake")
    repository.results_commit(built)
    repository.write("workflow/scripts/figure.py", "draw()  # reviewed\n")
    repository.commit("Review the figure")

    started = time.time()
    assert mark_changes() == ["workflow/scripts/figure.py"]
    assert mtime(repository, "workflow/scripts/figure.py") >= started - 1
    assert mtime(repository, "config/config.yaml") == SOURCES_MTIME
    assert mtime(repository, "results/figures/a.png") == RESULTS_MTIME
    assert mtime(repository, ".snakemake/metadata/cmVzdWx0cy9maWd1cmVzL2EucG5n") == RESULTS_MTIME
    assert SOURCES_MTIME < RESULTS_MTIME < started


def test_without_published_results_every_source_file_counts_as_changed(repository: Repository):
    repository.write("workflow/Snakefile", "rule all:\n")
    repository.write("config/config.yaml", "a: 1\n")
    repository.write("results/README.md", "committed by hand\n")
    repository.commit("The project")
    assert mark_changes() == ["config/config.yaml", "workflow/Snakefile"]
    assert mtime(repository, "results/README.md") == RESULTS_MTIME


def test_a_new_symlink_does_not_pass_its_time_on_to_the_file_it_points_at(
    repository: Repository,
):
    repository.write("resources/data.csv", "x\n")
    repository.write("resources/gone.csv", "y\n")
    built = repository.commit("Files")
    repository.results_commit(built)
    (repository.root / "resources/link.csv").symlink_to("data.csv")
    repository.commit("A link")
    (repository.root / "resources/gone.csv").unlink()  # tracked, but not in the tree
    assert mark_changes() == []
    assert mtime(repository, "resources/data.csv") == SOURCES_MTIME
