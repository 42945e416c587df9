"""`python3 .github/scripts/ci <command>`: see the package's docstring (ci/__init__.py)."""

import sys
from pathlib import Path


def _main() -> int:
    if not __package__:
        # Run as a directory: Python put the directory itself first on the path, where its
        # modules would be top-level ones (`git`, `github`). Import them as the package.
        here = Path(__file__).resolve().parent
        sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != here]
        sys.path.insert(0, str(here.parent))
    from ci.cli import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
