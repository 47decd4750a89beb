"""The fake sources (webmention.io, Mastodon, the Bluesky AppView) on
loopback, and a small blog fetched from them: tests/social_replies/fake_sources.py."""

import pytest

from tests.social_replies.fake_sources import Blog, FakeSources


@pytest.fixture
def fake():
    server = FakeSources()
    yield server
    server.close()


@pytest.fixture
def blog(tmp_path, fake):
    return Blog(tmp_path, fake)
