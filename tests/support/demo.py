"""Write the demo's source files, .test/data/, from the same generator as the test fixtures.

`make demo` runs the whole workflow on them offline (.test/config/config.yaml points the
sources there). They are made by the project, not copied from any real export, and committed,
so the demo needs nothing but the repository; run this after changing tests/support/data.py:

    .venv/bin/python tests/support/demo.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from support.data import counts_fixture, weather_fixture  # noqa: E402
from support.workflow import REPOSITORY  # noqa: E402

DEMO_DATA = {
    "fremont_bridge": REPOSITORY / ".test/data/fremont_bridge.csv",
    "seatac_weather": REPOSITORY / ".test/data/seatac_weather.csv",
}


def demo_files() -> dict[Path, bytes]:
    """Each demo file with the bytes it must hold."""
    return {
        DEMO_DATA["fremont_bridge"]: counts_fixture(),
        DEMO_DATA["seatac_weather"]: weather_fixture(),
    }


if __name__ == "__main__":
    for path, content in demo_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        print(f"{path.relative_to(REPOSITORY)}: {len(content):,} bytes")
