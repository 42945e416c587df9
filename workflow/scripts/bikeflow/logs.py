"""Send a step's messages to its Snakemake log file and to stderr, including a crash's."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def log_to(path: str | Path, name: str) -> logging.Logger:
    """A logger writing to `path` (kept by Snakemake even when the job fails) and stderr.

    An uncaught exception is logged with its traceback, so the log says why a job
    crashed; an expected failure goes through fail() instead, with a message for people.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    handlers = [logging.FileHandler(path, mode="w", encoding="utf-8"), logging.StreamHandler()]
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logger = logging.getLogger(name)

    sys.excepthook = lambda *exc_info: logger.error("failed", exc_info=exc_info)
    return logger


def fail(logger: logging.Logger, message: str) -> None:
    """End the step with `message` in its log and a non-zero exit: no traceback, since
    the message already says what is wrong and where."""
    logger.error("%s", message)
    raise SystemExit(1)
