"""A real git repository in a temporary directory, for the CI package's in-process tests:
the package runs git in the current directory, as a workflow step does at the checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

DEVELOPER = ["-c", "user.name=Developer", "-c", "user.email=developer@example.invalid"]


class Repository:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.git("init", "--quiet", "--initial-branch", "main")

    def git(self, *args: str) -> str:
        completed = subprocess.run(
            ["git", *DEVELOPER, *args], cwd=self.root, check=True, capture_output=True, text=True
        )
        return completed.stdout

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def commit(self, message: str, *paths: str) -> str:
        """Commit `paths` (everything when none are named); returns the new commit."""
        self.git("add", "--all", "--", *(paths or ["."]))
        self.git("commit", "--quiet", "--allow-empty", "--message", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def results_commit(self, built_from: str, subject: str = "Update results") -> str:
        """A results commit as publish makes it: results/ and a Built-from trailer."""
        return self.commit(f"{subject}\n\nRe-ran: nothing.\n\nBuilt-from: {built_from}\n")
