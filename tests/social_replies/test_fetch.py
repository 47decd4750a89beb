"""`make replies`: real HTTP against the fake sources on 127.0.0.1."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml
from PIL import Image

from tests.social_replies.fake_sources import (
    HANDLE,
    ROOT,
    converse,
    mention,
    root_uri,
    skeet,
    toot,
    warnings_of,
)


def by_id(section: dict) -> dict[str, dict]:
    return {item["id"]: item for item in section["items"]}


def test_first_fetch_stores_normalized_items_from_each_source(blog, fake, caplog):
    converse(blog, "talk")
    status, printed = blog.fetch()
    assert status == 0
    assert warnings_of(caplog) == []
    data = blog.stored("talk")
    assert data["format"] == 1
    assert data["post"] == "posts/talk.md"
    assert data["target"] == "https://site.example/posts/talk/"

    webmention = data["sources"]["webmention"]
    kinds = {item["id"]: item["kind"] for item in webmention["items"]}
    # The RSVP (6) and the private mention (7) are not kept.
    assert kinds == {
        "1": "reply",
        "2": "like",
        "3": "repost",
        "4": "bookmark",
        "5": "mention",
    }
    assert webmention["since_id"] == 7
    assert by_id(webmention)["1"] == {
        "id": "1",
        "kind": "reply",
        "url": "https://ann.example/notes/1",
        "aliases": [],
        "in_reply_to": None,  # it answers the post itself
        "published": "2024-03-01T10:01:00+00:00",
        "author": {
            "name": "Ann",
            "url": "https://ann.example/",
            "avatar": None,
            "avatar_source": None,
        },
        "html": "<p>Reply 1</p>",
        "text": "Reply 1",
    }

    mastodon = data["sources"]["mastodon"]
    assert mastodon["status"] == f"{fake.url}/@alice/1"
    assert (mastodon["likes"], mastodon["reposts"], mastodon["replies"]) == (5, 2, 4)
    assert mastodon["truncated"] is False
    # Private and direct replies are left out; unlisted ones are kept.
    assert list(by_id(mastodon)) == ["11", "12", "15"]
    nested = by_id(mastodon)["12"]
    assert nested["url"] == f"{fake.url}/@bob/12"
    assert nested["aliases"] == [f"{fake.url}/users/bob/statuses/12"]
    assert nested["in_reply_to"] == f"{fake.url}/@bob/11"
    assert by_id(mastodon)["11"]["in_reply_to"] is None
    assert nested["html"] == "<p>Toot 12</p>"
    assert nested["author"]["name"] == "Bob"
    assert nested["visibility"] == "public"
    assert by_id(mastodon)["15"]["visibility"] == "unlisted"

    bluesky = data["sources"]["bluesky"]
    assert bluesky["post"] == f"https://bsky.app/profile/{HANDLE}/post/3kroot"
    assert (bluesky["likes"], bluesky["reposts"], bluesky["replies"]) == (7, 3, 4)
    # The blocked and the deleted replies are skipped.
    assert [item["url"] for item in bluesky["items"]] == [
        "https://bsky.app/profile/bob.example/post/3kroota",
        "https://bsky.app/profile/cy.example/post/3krootb",
    ]
    first, second = bluesky["items"]
    assert first["in_reply_to"] is None
    assert second["in_reply_to"] == first["url"]
    assert second["aliases"] == [
        "at://did:plc:cy/app.bsky.feed.post/3krootb",
        "https://bsky.app/profile/did:plc:cy/post/3krootb",
    ]
    assert second["text"] == "Skeet 3krootb see example.org"
    assert second["html"] is None
    assert second["facets"][0]["features"][0]["uri"] == "https://example.org"
    assert second["author"]["url"] == "https://bsky.app/profile/cy.example"
    assert second["published"] == "2024-03-03T00:00:20Z"

    assert "posts/talk.md: webmention +5 new, 5 stored" in printed
    assert "-> written" in printed
    # The handle was resolved to the DID the thread is asked for by.
    (thread_request,) = [
        path for path in fake.requested("bluesky") if "getPostThread" in path
    ]
    assert parse_qs(urlsplit(thread_request).query)["uri"] == [root_uri("3kroot")]


def test_incremental_fetch_sends_since_id_and_merges(blog, fake):
    converse(blog, "talk")
    blog.fetch()
    target = blog.target("talk")
    fake.mentions.append(mention(30, target, author="Ivy"))
    # Mastodon no longer returns 12 (anonymous reads are capped) but has a
    # new reply: 12 is kept, 16 added.
    replies = fake.descendants["1"]
    replies[:] = [r for r in replies if r["id"] != "12"]
    replies.append(toot(16, fake.url, parent=1, at=60))
    fake.requests.clear()

    status, printed = blog.fetch()

    assert status == 0
    asked = [parse_qs(urlsplit(path).query) for path in fake.requested("webmention")]
    assert asked and all(query["since_id"] == ["7"] for query in asked)
    data = blog.stored("talk")
    assert set(by_id(data["sources"]["webmention"])) == {"1", "2", "3", "4", "5", "30"}
    assert data["sources"]["webmention"]["since_id"] == 30
    assert list(by_id(data["sources"]["mastodon"])) == ["11", "12", "15", "16"]
    assert "webmention +1 new, 6 stored" in printed
    assert "mastodon +1 new, 4 stored" in printed


def test_a_run_that_finds_nothing_new_leaves_every_byte(blog, fake):
    converse(blog, "talk")
    blog.fetch()
    before = blog.stored_bytes()
    status, printed = blog.fetch()
    assert status == 0
    assert blog.stored_bytes() == before  # not even a new "fetched" time
    assert "-> unchanged" in printed


def test_full_refetch_drops_a_reply_deleted_upstream(blog, fake):
    converse(blog, "talk")
    blog.fetch()
    fake.descendants["1"] = [r for r in fake.descendants["1"] if r["id"] != "12"]
    fake.threads[root_uri("3kroot")]["replies"][0]["replies"] = []
    fake.mentions = [m for m in fake.mentions if m["wm-id"] != 2]

    blog.fetch()  # incremental: what is no longer returned is kept
    data = blog.stored("talk")
    assert "12" in by_id(data["sources"]["mastodon"])
    assert len(data["sources"]["bluesky"]["items"]) == 2
    fake.requests.clear()

    status, printed = blog.fetch(full=True)

    assert status == 0
    assert all("since_id" not in path for path in fake.requested("webmention"))
    data = blog.stored("talk")
    assert list(by_id(data["sources"]["mastodon"])) == ["11", "15"]
    assert len(data["sources"]["bluesky"]["items"]) == 1
    assert "2" not in by_id(data["sources"]["webmention"])
    assert "mastodon +0 new, 1 gone, 2 stored" in printed


def test_a_post_without_thread_metadata_is_still_asked_of_webmention_io(blog, fake):
    blog.post("quiet")
    fake.mentions.append(mention(1, blog.target("quiet")))
    assert blog.fetch()[0] == 0
    data = blog.stored("quiet")
    assert set(data["sources"]) == {"webmention"}
    assert fake.requested("mastodon") == fake.requested("bluesky") == []


def test_only_the_post_asked_for(blog, fake):
    converse(blog, "talk")
    quiet = blog.post("quiet", day=2)
    fake.mentions.append(mention(90, blog.target("quiet")))
    status, printed = blog.fetch(post=quiet)
    assert status == 0
    assert not (blog.replies / "talk.json").exists()
    assert by_id(blog.stored("quiet")["sources"]["webmention"])
    assert "posts/talk.md" not in printed
    assert fake.requested("mastodon") == []


def test_a_post_asked_for_that_is_not_published(blog, capsys):
    blog.post("quiet")
    assert blog.fetch(post=blog.content / "posts" / "missing.md")[0] == 2
    assert "missing.md is not a published post" in capsys.readouterr().err


def test_non_loopback_http_urls_are_refused(blog, fake, caplog):
    path = blog.post(
        "plain",
        mastodon="http://mastodon.example/@alice/1",
        bluesky="http://bsky.app/profile/alice.example/post/3k",
    )
    fake.mentions.append(mention(1, blog.target("plain")))
    status, _ = blog.fetch()
    assert status == 0
    messages = warnings_of(caplog)
    assert len(messages) == 2
    assert all(str(path) in message for message in messages)
    assert "http://mastodon.example/@alice/1" in messages[0]
    assert "http://bsky.app/profile" in messages[1]
    # Nothing was asked of them; the webmentions were still stored.
    assert fake.requested("mastodon") == fake.requested("bluesky") == []
    assert set(blog.stored("plain")["sources"]) == {"webmention"}


def test_a_redirect_to_a_non_followable_url_is_not_followed(blog, fake, caplog):
    path = blog.post("quiet")
    fake.fail("webmention", "redirect", location="http://169.254.169.254/latest")
    assert blog.fetch()[0] == 0
    (message,) = warnings_of(caplog)
    assert "webmention.io" in message
    assert str(path) in message
    assert "not followed" in message
    assert not (blog.replies / "quiet.json").exists()


def test_a_ten_thousand_reply_thread_keeps_the_earliest_thousand(blog, fake):
    converse(blog, "talk")
    origin = fake.url
    avatar = f"{origin}/avatars/same.png"
    fake.files["/avatars/same.png"] = _tiny_png()
    # Listed newest first, so the earliest are not simply the first listed.
    fake.descendants["1"] = [
        toot(100_000 + n, origin, parent=1, at=n, avatar=avatar)
        for n in reversed(range(10_000))
    ]
    fake.statuses["1"]["replies_count"] = 10_000
    root = fake.threads[root_uri("3kroot")]
    root["post"]["replyCount"] = 10_000
    root["replies"] = [
        skeet(
            "did:plc:many",
            "many.example",
            f"r{n}",
            parent_uri=root_uri("3kroot"),
            root_uri=root_uri("3kroot"),
            at=n,
            avatar=avatar,
        )
        for n in reversed(range(10_000))
    ]

    status, _ = blog.fetch()  # within the default REPLIES_MAX_RESPONSE_BYTES

    assert status == 0
    data = blog.stored("talk")
    mastodon, bluesky = data["sources"]["mastodon"], data["sources"]["bluesky"]
    assert len(mastodon["items"]) == len(bluesky["items"]) == 1000
    assert mastodon["replies"] == bluesky["replies"] == 10_000
    assert mastodon["truncated"] is bluesky["truncated"] is True
    assert [item["id"] for item in mastodon["items"]] == [
        str(100_000 + n) for n in range(1000)
    ]
    assert bluesky["items"][-1]["id"] == "at://did:plc:many/app.bsky.feed.post/r999"
    # One avatar, downloaded once for the 2,000 replies that show it.
    assert fake.requested("file") == ["/avatars/same.png"]
    assert len(blog.avatars()) == 1


def test_the_command_line_exits_zero_with_warnings(blog, fake, tmp_path):
    converse(blog, "talk")
    fake.fail("bluesky", "500")
    settings = blog.copy_settings_file(tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pelican-replies"), "--settings", settings],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING: social_replies: Bluesky could not be read for" in result.stderr
    assert "talk.md" in result.stderr
    assert "posts/talk.md:" in result.stdout
    assert "not written: Bluesky failed" in result.stdout
    assert not (blog.replies / "talk.json").exists()


def _tiny_png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(output, "PNG")
    return output.getvalue()


def test_the_daily_deploy_fetches_and_commits_before_it_builds():
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    )
    jobs = workflow["jobs"]
    replies, build, deploy = jobs["replies"], jobs["build"], jobs["deploy"]
    assert [step.get("run") for step in replies["steps"]][2] == "make replies"
    assert "git push origin HEAD:main" in replies["steps"][3]["run"]
    # Only the replies job may write; the rest keep least privilege.
    assert workflow["permissions"] == {"contents": "read"}
    assert replies["permissions"] == {"contents": "write"}
    assert "permissions" not in build
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    writers = [
        name
        for name, job in jobs.items()
        if "write" in (job.get("permissions") or {}).get("contents", "")
    ]
    assert writers == ["replies"]
    # The build uses what was fetched, and runs even when the fetch failed.
    assert build["needs"] == "replies"
    assert build["if"] == "${{ !cancelled() }}"
    checkout = build["steps"][0]["with"]
    assert checkout["ref"] == "${{ needs.replies.outputs.commit || github.sha }}"
    assert checkout["persist-credentials"] is False
    assert "needs.build.result == 'success'" in deploy["if"]


def test_a_thread_taken_out_of_the_metadata_goes_from_the_store(blog, fake):
    path = converse(blog, "talk")
    blog.fetch()
    text = path.read_text(encoding="utf-8")
    path.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("Bluesky:"))
        + "\n",
        encoding="utf-8",
    )
    status, printed = blog.fetch()
    assert status == 0
    assert set(blog.stored("talk")["sources"]) == {"webmention", "mastodon"}
    assert "bluesky removed" in printed
