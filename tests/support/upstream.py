"""The two sources on a loopback server, as a fork's upstream: tests change what it serves
and how it answers conditional requests."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from support.data import counts_fixture, weather_fixture
from support.server import Answer, LoopbackServer

PATHS = {"fremont_bridge": "/fremont.csv", "seatac_weather": "/ghcnd.csv"}
# How a server treats conditional requests: honours them (sends ETag and Last-Modified,
# answers a match with 304), ignores them (sends both, always answers 200 with the body),
# or sends neither validator (only the body's sha256 can tell).
VALIDATOR_MODES = ("honours", "ignores", "none")
FIRST_RELEASE = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Upstream:
    server: LoopbackServer
    # Content sha256 -> its Last-Modified date: like a static file server, a file keeps its
    # date until its bytes change, and new bytes get a later date.
    released: dict[str, str] = field(default_factory=dict)

    def serve(
        self, counts: bytes | None = None, weather: bytes | None = None, validators: str = "honours"
    ) -> None:
        """Serve the sources (the fixtures unless given), with an ETag derived from the content
        and a Last-Modified date that changes when the content does."""
        assert validators in VALIDATOR_MODES, validators
        bodies = {
            "fremont_bridge": counts or counts_fixture(),
            "seatac_weather": weather or weather_fixture(),
        }
        for source, body in bodies.items():
            sha256 = hashlib.sha256(body).hexdigest()
            released = self.released.setdefault(
                sha256,
                format_datetime(FIRST_RELEASE + timedelta(days=len(self.released)), usegmt=True),
            )
            tagged = validators != "none"
            self.server.script(
                PATHS[source],
                Answer(
                    body=body,
                    headers={"Content-Type": "text/csv"},
                    etag=f'"{sha256[:16]}"' if tagged else None,
                    last_modified=released if tagged else None,
                    honours_conditional_requests=validators == "honours",
                ),
            )

    def stop_serving(self, source: str) -> None:
        """The source's URL answers 503 from now on (a server down for maintenance)."""
        self.server.script(PATHS[source], Answer(status=503, body=b"down for maintenance"))

    @property
    def urls(self) -> dict[str, str]:
        return {source: self.server.url(path) for source, path in PATHS.items()}
