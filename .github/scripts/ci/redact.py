"""Secrets are never printed: what git or GitHub says is redacted before anyone sees it.

The workflow's token reaches git in the remote's URL (https://x-access-token:TOKEN@...),
which git repeats in its messages, and reaches GitHub's API in a header, which a server or a
proxy may echo. Both the credentials of any URL and the token's own value are masked.
"""

from __future__ import annotations

import os
import re

MASK = "***"
CREDENTIALS_IN_URL = re.compile(r"(https?://[^:/@\s]+:)[^@\s]*@")
# Environment variables whose values are secrets wherever they appear.
SECRET_VARIABLES = ("GITHUB_TOKEN",)


def redacted(text: str, *secrets: str | None) -> str:
    """`text` without URL credentials, the values of SECRET_VARIABLES, or `secrets`."""
    text = CREDENTIALS_IN_URL.sub(rf"\1{MASK}@", text)
    values = [*secrets, *(os.environ.get(name) for name in SECRET_VARIABLES)]
    for value in sorted(filter(None, values), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
