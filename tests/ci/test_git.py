"""ci/git.py in a real repository: the commit the published results were built from, what
changed since, and git as the bot."""

from __future__ import annotations

from support.gitrepo import Repository

from ci import git


def test_no_results_commit_means_no_published_results(repository: Repository):
    repository.write("workflow/Snakefile", "rule all:\n")
    repository.commit("The project")
    assert git.built_from() is None


def test_the_newest_results_commit_names_the_commit_its_results_were_built_from(
    repository: Repository,
):
    repository.write("workflow/Snakefile", "rule all:\n")
    first = repository.commit("The project")
    repository.write("results/README.md", "old\n")
    repository.results_commit(first)
    repository.write("workflow/Snakefile", "rule all:\n# edited\n")
    second = repository.commit("Edit the workflow")
    repository.write("results/README.md", "new\n")
    repository.results_commit(second)
    repository.write("README.md", "A person's commit after the results.\n")
    repository.commit("Document")
    assert git.built_from() == second


def test_a_results_commit_rebased_onto_a_later_push_still_names_where_it_was_built(
    repository: Repository,
):
    """Not simply the parent of the results commit: that is someone else's push."""
    built = repository.commit("The project")
    repository.git("switch", "--quiet", "--create", "run")
    repository.write("results/README.md", "results\n")
    repository.results_commit(built)
    repository.git("switch", "--quiet", "main")
    repository.write("workflow/Snakefile", "# pushed during the run\n")
    repository.commit("Pushed during the run")
    repository.git("switch", "--quiet", "run")
    repository.git("rebase", "--quiet", "main")
    assert git.built_from() == built
    assert git.changed_since(built) == {"workflow/Snakefile", "results/README.md"}


def test_a_trailer_naming_a_commit_the_clone_lacks_is_not_trusted(repository: Repository):
    repository.commit("The project")
    repository.write("results/README.md", "results\n")
    repository.results_commit("0123456789abcdef0123456789abcdef01234567")
    assert git.built_from() is None


def test_a_line_like_the_trailer_in_a_commits_body_is_not_taken_for_it(repository: Repository):
    built = repository.commit("The project")
    repository.write("results/README.md", "results\n")
    repository.results_commit(built)
    repository.write("notes.md", "x\n")
    repository.commit("Notes\n\nBuilt-from: is the trailer publish writes.\n\nSigned-off-by: A\n")
    assert git.built_from() == built


def test_changed_since_names_added_modified_deleted_and_both_sides_of_a_rename(
    repository: Repository,
):
    repository.write("a.py", "a\n")
    repository.write("b.py", "b\n")
    repository.write("c.py", "c = 'long enough to be seen as a rename'\n")
    base = repository.commit("Base")
    repository.write("a.py", "a changed\n")
    (repository.root / "b.py").unlink()
    repository.git("mv", "c.py", "d.py")
    repository.write("new.py", "new\n")
    repository.commit("Changes")
    assert git.changed_since(base) == {"a.py", "b.py", "c.py", "d.py", "new.py"}
    assert git.changed_since(repository.head()) == set()


def test_commits_are_made_as_the_bot_on_a_runner_without_an_identity(repository: Repository):
    repository.commit("The project")
    repository.write("results/README.md", "results\n")
    git.git("add", "--all")
    git.git("commit", "--quiet", "--message", "Update results")
    author = repository.git("log", "-1", "--format=%an <%ae>|%cn").strip()
    assert author == f"{git.BOT_NAME} <{git.BOT_EMAIL}>|{git.BOT_NAME}"


def test_head_is_none_before_the_first_commit(repository: Repository):
    assert git.head() is None
    first = repository.commit("The project")
    assert git.head() == first


def test_show_gives_a_committed_files_text_as_it_is_or_none(repository: Repository):
    assert git.show("HEAD", "results/tables/weather.csv") is None  # no commit yet
    (repository.root / "results").mkdir()
    (repository.root / "results/weather.csv").write_bytes("date,note\r\n2021-06-01,Ω\r\n".encode())
    repository.commit("Results")
    assert git.show("HEAD", "results/weather.csv") == "date,note\r\n2021-06-01,Ω\r\n"
    assert git.show("HEAD", "results/daily.csv") is None
