"""Everything the GitHub Actions workflows do beyond checkout and environment set-up.

Run it as a directory, from the repository's root, with any Python 3.11 or newer:

    python3 .github/scripts/ci <command> [options]

(or `python3 -m ci <command>` with .github/scripts on the path, as the tests import it).
Only the standard library is used: check-sources runs on the runner's own python3, before
(and usually instead of) setting up any environment.

The commands, one module each, in the order a results run takes them:

  check-sources  check_sources.py  ask each source whether its data changed since the
                                   published results (a conditional request, else a
                                   download compared by sha256)
  mark-changes   mark_changes.py   give every tracked file an mtime that tells Snakemake what
                                   changed since the results were last built
  run            run.py            the workflow in steps: the downloads, the tidy tables,
                                   everything else
  summary        summary.py        a Markdown summary of the run, for $GITHUB_STEP_SUMMARY
  publish        publish.py        commit the results and their provenance as the bot and
                                   push, rebasing or rebuilding on top when another run
                                   pushed first

and for a pull request, in its read-only preview run, then in the trusted pr-comment run:

  preview        preview.py        what the pull request would change: its metrics against
                                   the base's, the rules that re-ran, the figures that differ;
                                   for the job summary and, as one log line, for the comment
  metrics-diff   preview.py        the metrics part alone
  comment        comment.py        read that line from the preview run's logs, check it names
                                   the run's own pull request, and post it as one comment,
                                   edited in place on every push

A fork's code runs only in the read-only run; the trusted run reads what it printed as data.
The hand-over is one line of the preview job's log, not an artifact: every run has a log, which
the trusted run downloads through the REST API with `actions: read`, while an artifact needs
actions/upload-artifact beside the fork's code, an action the offline act runs of these
workflows have no snapshot of (nor GitHub's artifact service). handover.py has the format.

What they share: changelog.py (what a results commit changed in the tables, for its message
and results/CHANGELOG.md), cli.py (arguments, dispatch, the step summary and outputs), git.py
(git as the bot, the Built-from trailer), github.py (a client of GitHub's REST API: issues,
comments, run logs), handover.py (the preview's log line), records.py (the records the
results carry and the run leaves), workflow.py (the workflow's names and paths), redact.py
(secrets never printed).

tests/ci/test_<module>.py test the modules in process; tests/ci/test_ci_simulation.py runs
the commands against real git repositories, and tests/ci/test_actions.py runs the workflow
files themselves under act.
"""
