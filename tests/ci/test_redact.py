"""ci/redact.py: what git and GitHub say is shown without the workflow's token."""

from __future__ import annotations

import pytest

from ci.redact import redacted

TOKEN = "ghs_0123456789abcdefghij"


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def test_credentials_in_a_remotes_url_are_masked():
    message = (
        "remote: Permission denied.\n"
        "fatal: unable to access 'https://x-access-token:s3cr3t@github.com/o/r.git/': 403"
    )
    assert redacted(message) == (
        "remote: Permission denied.\n"
        "fatal: unable to access 'https://x-access-token:***@github.com/o/r.git/': 403"
    )


def test_the_tokens_value_is_masked_wherever_it_appears():
    assert redacted(f"Authorization: Bearer {TOKEN} refused") == "Authorization: Bearer *** refused"


def test_secrets_named_by_the_caller_are_masked_too():
    assert redacted("token abc123xyz and abc123", "abc123xyz", None) == "token *** and abc123"


def test_text_without_secrets_is_left_as_it_is():
    text = "To https://github.com/o/r.git\n ! [rejected] HEAD -> main (fetch first)"
    assert redacted(text) == text


def test_without_a_token_in_the_environment_nothing_else_is_masked(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN")
    assert redacted("nothing secret here") == "nothing secret here"
