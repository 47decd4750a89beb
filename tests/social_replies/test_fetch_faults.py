"""`make replies` when a source fails: nothing lost, nothing half-written.

Each fault leaves the failing post's stored file byte for byte as it was,
logs one warning naming the source and the post, and lets the other posts
go on."""

from __future__ import annotations

import datetime as dt
import email.utils

import pytest
from pelican.plugins.social_replies.sources import retry_after_seconds

from tests.social_replies.fake_sources import (
    Blog,
    closed_port_url,
    converse,
    mention,
    toot,
    warnings_of,
)

SOURCE_NAMES = {
    "webmention": "webmention.io",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}


@pytest.fixture
def blog(tmp_path, fake):
    """Two posts fetched once: "talk" on all three sources, "quiet" on
    webmention.io only; then something new on every source."""
    blog = Blog(tmp_path, fake)
    blog.talk = converse(blog, "talk")
    blog.quiet = blog.post("quiet", day=2)
    fake.mentions.append(mention(50, blog.target("quiet")))
    assert blog.fetch()[0] == 0
    fake.mentions.append(mention(60, blog.target("talk")))
    fake.mentions.append(mention(61, blog.target("quiet")))
    fake.descendants["1"].append(toot(16, fake.url, parent=1, at=60))
    fake.requests.clear()
    return blog


def assert_kept(blog, before, caplog, source):
    """The failing source's posts untouched, one warning each; others on."""
    after = blog.stored_bytes()
    messages = warnings_of(caplog)
    name = SOURCE_NAMES[source]
    assert after["talk.json"] == before["talk.json"]
    if source == "webmention":  # every post is asked of it
        assert after["quiet.json"] == before["quiet.json"]
        assert len(messages) == 2
        assert str(blog.quiet) in messages[1]
    else:
        assert after["quiet.json"] != before["quiet.json"]  # the run went on
        assert len(messages) == 1
    assert name in messages[0]
    assert str(blog.talk) in messages[0]
    assert all(name in message for message in messages)


FAULTS = ["404", "500", "malformed", "truncated"]


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
@pytest.mark.parametrize("kind", FAULTS)
def test_an_answer_that_cannot_be_used(blog, fake, caplog, source, kind):
    before = blog.stored_bytes()
    fake.fail(source, kind)
    status, printed = blog.fetch()
    assert status == 0
    assert_kept(blog, before, caplog, source)
    assert f"not written: {SOURCE_NAMES[source]} failed" in printed


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
def test_a_source_that_is_down(blog, fake, caplog, source):
    before = blog.stored_bytes()
    dead = closed_port_url()
    override = {}
    if source == "webmention":
        override["REPLIES_WEBMENTION_IO_URL"] = dead
    elif source == "bluesky":
        override["REPLIES_BLUESKY_API_URL"] = dead
    else:  # the status URL names its instance
        text = blog.talk.read_text(encoding="utf-8")
        blog.talk.write_text(text.replace(fake.url, dead), encoding="utf-8")
    assert blog.fetch(**override)[0] == 0
    assert_kept(blog, before, caplog, source)
    assert "Connection refused" in warnings_of(caplog)[0]


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
def test_a_source_that_does_not_answer_in_time(blog, fake, caplog, source):
    before = blog.stored_bytes()
    fake.fail(source, "hold")  # answers only when the test lets it
    assert blog.fetch(REPLIES_TIMEOUT=1)[0] == 0
    assert fake.holding.is_set()
    fake.release.set()
    assert_kept(blog, before, caplog, source)
    assert "timed out" in warnings_of(caplog)[0]


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
def test_an_oversized_answer_is_not_read_to_the_end(blog, fake, caplog, source):
    before = blog.stored_bytes()
    fake.fail(source, "oversized", size=20_000_000)
    assert blog.fetch(REPLIES_MAX_RESPONSE_BYTES=100_000)[0] == 0
    assert_kept(blog, before, caplog, source)
    assert "more than 100000 bytes" in warnings_of(caplog)[0]


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
@pytest.mark.parametrize("retry_after", ["3600", "http-date", None])
def test_too_many_requests_beyond_the_longest_wait(
    blog, fake, caplog, source, retry_after
):
    before = blog.stored_bytes()
    if retry_after == "http-date":
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        retry_after = email.utils.format_datetime(later, usegmt=True)
    fake.fail(source, "429", retry_after=retry_after)
    assert blog.fetch(REPLIES_MAX_RETRY_AFTER=120)[0] == 0
    assert_kept(blog, before, caplog, source)
    assert "429" in warnings_of(caplog)[0]
    # Given up at once: no second request to the source for the same post.
    assert len(fake.requested(source)) == (2 if source == "webmention" else 1)


@pytest.mark.parametrize("source", ["webmention", "mastodon", "bluesky"])
def test_too_many_requests_within_the_longest_wait_is_retried(
    blog, fake, caplog, source
):
    fake.fail(source, "429", retry_after="1", times=1)
    assert blog.fetch()[0] == 0
    assert warnings_of(caplog) == []
    talk = blog.stored("talk")
    assert "60" in {item["id"] for item in talk["sources"]["webmention"]["items"]}
    assert "16" in {item["id"] for item in talk["sources"]["mastodon"]["items"]}
    # The same request twice, the second at least Retry-After later.
    first, second = [entry for entry in fake.requests if entry[0] == source][:2]
    assert first[1] == second[1]
    assert second[2] - first[2] >= 1


def test_retry_after_as_an_http_date_is_honoured(blog, fake, caplog):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    fake.fail(
        "mastodon",
        "429",
        times=1,
        retry_after=email.utils.format_datetime(later, usegmt=True),
    )
    assert blog.fetch()[0] == 0
    assert warnings_of(caplog) == []
    first, second = [entry for entry in fake.requests if entry[0] == "mastodon"][:2]
    assert second[2] - first[2] >= 0.9  # an HTTP-date is to the whole second


def test_retry_after_values():
    now = dt.datetime(2024, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("30", now) == 30
    assert retry_after_seconds("Fri, 01 Mar 2024 12:01:00 GMT", now) == 60
    assert retry_after_seconds("Fri, 01 Mar 2024 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_an_unreadable_stored_file_is_left_alone(blog, fake, caplog):
    stored = blog.replies / "talk.json"
    stored.write_text('{"format": 9, "sources": {}}\n', encoding="utf-8")
    before = blog.stored_bytes()
    assert blog.fetch()[0] == 0
    after = blog.stored_bytes()
    assert after["talk.json"] == before["talk.json"]
    assert after["quiet.json"] != before["quiet.json"]
    messages = warnings_of(caplog)
    assert any("format 9" in m and str(blog.talk) in m for m in messages)
