"""Shared set-up: loopback traffic never goes through a proxy, in tests or the runs they start."""

import os

for variable in ("NO_PROXY", "no_proxy"):
    os.environ[variable] = ",".join(
        filter(None, [os.environ.get(variable), "127.0.0.1", "localhost"])
    )
