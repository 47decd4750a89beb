"""social_replies end to end: `make replies` against the fake sources, then a
real build, then the page read back as a reader's browser and an IndieWeb
parser would.

The fetch side and the build side meet only in content/replies/; here the
build reads exactly what the fetch wrote: a conversation on webmention.io
(with Bridgy's copies of a Mastodon reply, a Bluesky reply and likes of the
announcements), Mastodon (every visibility, a content warning, a hidden
troll) and Bluesky (nested, with a javascript: facet), hostile HTML and
names, and avatars that carry GPS coordinates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import mf2py
import pytest
from PIL import ExifTags, Image

from tests.harness import build_site
from tests.social_replies.fake_sources import (
    SITEURL,
    Blog,
    FakeSources,
    mention,
    skeet,
    toot,
)

BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ALICE_DID, GINA_DID = "did:plc:alice", "did:plc:gina"
ROOT_RKEY = "3kroot"
ROOT_URI = f"at://{ALICE_DID}/app.bsky.feed.post/{ROOT_RKEY}"
QUIET_URI = f"at://{ALICE_DID}/app.bsky.feed.post/3kquiet"
MAX_PER_POST = 50
BLUESKY_POST = f"https://bsky.app/profile/alice.example/post/{ROOT_RKEY}"
QUIET_POST = "https://bsky.app/profile/alice.example/post/3kquiet"


# -- The conversation, as the three sources hold it ----------------------------


def picture(colour, size=(64, 64)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, "PNG")
    return output.getvalue()


def photo_with_gps() -> bytes:
    """A JPEG that says where it was taken (GPS) and on what."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    output = io.BytesIO()
    Image.new("RGB", (150, 100), (200, 40, 40)).save(output, "JPEG", exif=exif)
    assert b"PhoneCo" in output.getvalue()
    return output.getvalue()


def status(fake, status_id, who, name, *, parent, at, **fields):
    """A Mastodon status by `who` (display name `name`) on the fake."""
    entry = toot(status_id, fake.url, parent=parent, at=at)
    entry.update(
        url=f"{fake.url}/@{who}/{status_id}",
        uri=f"{fake.url}/users/{who}/statuses/{status_id}",
        content=f"<p>{name} says hello.</p>",
    )
    entry["account"].update(
        username=who,
        acct=who,
        display_name=name,
        url=f"{fake.url}/@{who}",
        avatar=None,
        avatar_static=None,
    )
    for key, value in fields.items():
        if key == "avatar":
            entry["account"]["avatar_static"] = f"{fake.url}{value}"
        else:
            entry[key] = value
    return entry


def bluesky_reply(fake, did, handle, name, rkey, *, parent_uri, at, text, facets=()):
    node = skeet(did, handle, rkey, parent_uri=parent_uri, root_uri=ROOT_URI, at=at)
    node["post"]["author"].update(
        displayName=name, avatar=f"{fake.url}/avatars/{handle}.png"
    )
    node["post"]["record"].update(text=text, facets=list(facets))
    return node


def link_facet(text: str, words: str, uri: str) -> dict:
    start = text.encode().index(words.encode())
    return {
        "index": {"byteStart": start, "byteEnd": start + len(words.encode())},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
    }


HOSTILE_HTML = (
    "<p>Great post!<script>alert('script')</script>"
    ' <img src="{fake}/avatars/alice.jpg" onerror="alert(1)">'
    ' <a href="javascript:alert(2)">tap here</a>'
    ' <iframe src="{fake}/frame"></iframe>'
    ' <a href="https://example.org/notes" onclick="alert(3)" class="x">my notes</a>'
    ' <a href="//evil.example/x">relative</a></p>'
)
GINA_TEXT = "Nice! See example.com or click me."


def set_up_conversation(fake: FakeSources, blog: Blog) -> None:
    """Three posts: `talk` with a conversation on all three sources, `quiet`
    (on Bluesky, nobody answered) and `plain` (never shared)."""
    target = blog.target("talk")
    origin = fake.url
    fake.files.update(
        {
            "/avatars/alice.jpg": photo_with_gps(),
            "/avatars/bob.png": picture((20, 20, 230)),
            "/avatars/troll.png": picture((10, 10, 10)),
            "/avatars/frank.png": picture((10, 200, 10)),
            "/avatars/liker.png": picture((230, 230, 20)),
            "/avatars/gina.example.png": picture((20, 230, 230)),
            "/avatars/hana.example.png": picture((230, 20, 230)),
            "/avatars/spam.example.png": picture((120, 120, 120)),
        }
    )
    # Mastodon: the announcement and its thread.
    announcement = status(fake, "1", "alice", "Alice", parent=None, at=0)
    announcement.update(favourites_count=4, reblogs_count=1, replies_count=5)
    fake.statuses["1"] = announcement
    fake.descendants["1"] = [
        status(
            fake,
            "11",
            "alice",
            "Alice Able",
            parent="1",
            at=10,
            avatar="/avatars/alice.jpg",
            content=HOSTILE_HTML.format(fake=origin),
        ),
        status(
            fake,
            "12",
            "bob",
            "Bob Baker",
            parent="11",
            at=20,
            avatar="/avatars/bob.png",
            spoiler_text="Spoilers for the book",
            content="<p>Agreed with Alice.</p>",
        ),
        status(
            fake, "13", "eve", "Eve Private", parent="1", at=30, visibility="private"
        ),
        status(
            fake, "14", "carol", "Carol Cole", parent="12", at=40, visibility="unlisted"
        ),
        status(
            fake,
            "15",
            "troll",
            "Troll Account",
            parent="1",
            at=50,
            avatar="/avatars/troll.png",
        ),
        status(
            fake,
            "16",
            "frank",
            "Frank Follow",
            parent="15",
            at=55,
            avatar="/avatars/frank.png",
        ),
        status(
            fake,
            "17",
            "mallory",
            "\u202eyrollam\u202c \u2066Mallory\u2069",
            parent="1",
            at=70,
            content="<p>A name that would turn the page around.</p>",
        ),
    ]
    # Bluesky: the announcement, a reply with a javascript: facet, one below.
    fake.handles["alice.example"] = ALICE_DID
    root = skeet(ALICE_DID, "alice.example", ROOT_RKEY, parent_uri=None, root_uri=None)
    root["post"].update(likeCount=3, repostCount=2, replyCount=1)
    gina = bluesky_reply(
        fake,
        GINA_DID,
        "gina.example",
        "Gina Green",
        "3kgina",
        parent_uri=ROOT_URI,
        at=10,
        text=GINA_TEXT,
        facets=[
            link_facet(GINA_TEXT, "example.com", "https://example.com/"),
            link_facet(GINA_TEXT, "click me", "javascript:alert(document.domain)"),
        ],
    )
    gina["replies"].append(
        bluesky_reply(
            fake,
            "did:plc:hana",
            "hana.example",
            "Hana Home",
            "3khana",
            parent_uri=f"at://{GINA_DID}/app.bsky.feed.post/3kgina",
            at=20,
            text="<script>alert('hana')</script> is only text",
        )
    )
    # An account hidden by its DID (hide.txt), though its posts name its handle.
    spam = bluesky_reply(
        fake,
        "did:plc:spam",
        "spam.example",
        "Spammer",
        "3kspam",
        parent_uri=ROOT_URI,
        at=30,
        text="Buy now",
    )
    root["replies"] = [gina, spam]
    fake.threads[ROOT_URI] = root
    quiet = skeet(ALICE_DID, "alice.example", "3kquiet", parent_uri=None, root_uri=None)
    fake.threads[QUIET_URI] = quiet
    # webmention.io: an indie reply and like, and what Bridgy copied.
    bridgy = "https://brid.gy"
    fake.mentions += [
        # Bridgy's copy of Alice's Mastodon reply: its URL is the status.
        mention(
            1,
            target,
            author="Alice",
            photo=f"{origin}/avatars/alice.jpg",
            url=f"{origin}/@alice/11",
            **{
                "wm-source": f"{bridgy}/comment/mastodon/@alice/1/11",
                "content": {"html": "<p>Via Bridgy</p>", "text": "Via Bridgy"},
            },
        ),
        # Bridgy's copies of likes and a boost the Mastodon status counts.
        *(
            mention(
                n,
                target,
                "like-of",
                author=f"Liker{n}",
                photo=f"{origin}/avatars/liker.png",
                url=f"{origin}/@alice/1#favorited-by-{n}00",
                **{"wm-source": f"{bridgy}/like/mastodon/@alice/1/{n}00"},
            )
            for n in (2, 3)
        ),
        mention(
            4,
            target,
            "repost-of",
            author="Booster",
            url=f"{origin}/@alice/1#reblogged-by-400",
            **{"wm-source": f"{bridgy}/repost/mastodon/@alice/1/400"},
        ),
        # A like from a blog: the APIs never saw it.
        mention(5, target, "like-of", author="Ivy", url="https://ivy.example/likes/1"),
        # A reply from a blog, late in the evening in New York, with a
        # javascript: profile.
        mention(
            6,
            target,
            author="Ann",
            published="2024-03-01T23:30:00-05:00",
            content={
                "html": '<p>From my blog <a href="javascript:alert(6)">x</a></p>',
                "text": "From my blog",
            },
        ),
        # Bridgy's copy of Gina's Bluesky reply, named by her DID, and its
        # copy of a like of the Bluesky post, also by DID.
        mention(
            7,
            target,
            author="Gina",
            url=f"https://bsky.app/profile/{GINA_DID}/post/3kgina",
            **{"wm-source": f"{bridgy}/comment/bluesky/alice/3kroot/3kgina"},
        ),
        mention(
            8,
            target,
            "like-of",
            author="Zed",
            url=f"https://bsky.app/profile/{ALICE_DID}/post/{ROOT_RKEY}"
            "#liked_by_did:plc:zed",
        ),
    ]
    fake.mentions[5]["author"]["url"] = "javascript:alert('profile')"
    blog.post("talk", day=1, mastodon=f"{origin}/@alice/1", bluesky=BLUESKY_POST)
    blog.post("quiet", day=2, bluesky=QUIET_POST)
    blog.post("plain", day=3)
    # More on Mastodon than it shows anonymous readers (60) or than a page
    # shows (REPLIES_MAX_PER_POST, 50 in these builds).
    popular = status(fake, "2", "alice", "Alice", parent=None, at=0)
    popular.update(replies_count=75)
    fake.statuses["2"] = popular
    fake.descendants["2"] = [
        status(fake, str(200 + n), f"fan{n}", f"Fan {n}", parent="2", at=100 + n)
        for n in range(60)
    ]
    blog.post("popular", day=4, mastodon=f"{origin}/@alice/2")
    blog.replies.mkdir(parents=True, exist_ok=True)
    (blog.replies / "hide.txt").write_text(
        f"# a troll, and what answers it goes too\n{origin}/@troll/15\n"
        "# a spammer, by DID\nhttps://bsky.app/profile/did:plc:spam/\n",
        encoding="utf-8",
    )


def run_make_replies(blog: Blog, folder: Path, *, full=False) -> str:
    """The package's `pelican-replies`, as `make replies [FULL=1]` runs it."""
    command = [
        str(Path(sys.executable).parent / "pelican-replies"),
        "--settings",
        str(blog.copy_settings_file(folder)),
        *(["--full"] if full else []),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=folder, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return result.stdout


def build(blog: Blog, output: Path):
    return build_site(
        output,
        content=blog.content,
        settings_file="publishconf.py",
        SITEURL=SITEURL,
        CACHE_PATH=str(output.parent / "cache"),
        REPLIES_MAX_PER_POST=MAX_PER_POST,
    )


@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("end_to_end")
    fake = FakeSources()
    try:
        blog = Blog(folder, fake)
        set_up_conversation(fake, blog)
        printed = run_make_replies(blog, folder)
        site = build(blog, folder / "output")
        yield fake, blog, site, printed
    finally:
        fake.close()


@pytest.fixture(scope="module")
def site(conversation):
    return conversation[2]


def text(element) -> str:
    return " ".join(element.text_content().split())


def replies_section(site, slug):
    [found] = site.page(f"posts/{slug}/").xpath("//section[@class='replies']")
    return found


def name_of(item) -> str:
    return text(item.xpath("./p[@class='reply-meta']//bdi[@class='p-name']")[0])


def tree(items) -> list:
    """[(name, [(name, [...]), ...]), ...] of nested reply list items."""
    return [(name_of(item), tree(item.xpath("./ol/li"))) for item in items]


# -- What the page shows ------------------------------------------------------


def test_the_fetch_ran_and_stored_every_source(conversation):
    _fake, blog, _site, printed = conversation
    assert "posts/talk.md: webmention +8 new" in printed
    assert set(blog.stored("talk")["sources"]) == {"webmention", "mastodon", "bluesky"}


def test_replies_show_nested_with_names_oldest_first(site):
    thread = replies_section(site, "talk").xpath("./ol[@class='replies-thread']/li")
    # Ann wrote at 23:30 in New York, after Alice's and Mallory's replies
    # (UTC midnight): ordered by the moment, not by the text of the date.
    assert tree(thread) == [
        ("Alice Able", [("Bob Baker", [("Carol Cole", [])])]),
        ("yrollam Mallory", []),
        ("Ann", []),
        ("Gina Green", [("Hana Home", [])]),
    ]


def test_each_reply_has_its_date_link_and_text(site):
    section = replies_section(site, "talk")
    by_name = {
        name_of(item): item
        for item in section.xpath(".//li[@class='reply u-comment h-cite']")
    }
    alice = by_name["Alice Able"]
    [time] = alice.xpath("./p//time[@class='dt-published']")
    assert time.get("datetime") == "2024-03-02T00:00:10+00:00"
    assert time.getparent().get("href").endswith("/@alice/11")
    [profile] = alice.xpath("./p/span[contains(@class, 'p-author')]/a/@href")
    assert profile.endswith("/@alice")
    assert text(alice.xpath("./div[contains(@class, 'e-content')]")[0]).startswith(
        "Great post!"
    )
    [ann_time] = by_name["Ann"].xpath("./p//time")
    assert ann_time.get("datetime") == "2024-03-01T23:30:00-05:00"
    # Mastodon's content warning: the text behind a <details> the reader opens.
    [warning] = by_name["Bob Baker"].xpath("./details[@class='reply-warning']")
    assert text(warning.xpath("./summary")[0]) == "Spoilers for the book"
    assert text(warning.xpath("./div")[0]) == "Agreed with Alice."
    # Bluesky text: escaped, its https facet a link, its javascript: one text.
    gina = by_name["Gina Green"]
    body = gina.xpath("./div[contains(@class, 'e-content')]")[0]
    assert text(body) == GINA_TEXT
    assert [(a.text, a.get("href")) for a in body.xpath(".//a")] == [
        ("example.com", "https://example.com/")
    ]
    assert gina.xpath("./p//time")[0].get("datetime") == "2024-03-03T00:00:10+00:00"
    hana = by_name["Hana Home"].xpath("./div[contains(@class, 'e-content')]")[0]
    assert text(hana) == "<script>alert('hana')</script> is only text"


def test_counts_show_each_reply_like_and_repost_once(site):
    section = replies_section(site, "talk")
    # Replies: Alice, Bob, Carol, Mallory, Ann, Gina, Hana (Bridgy's copies
    # of Alice's and Gina's are the same replies; Eve's is private; the troll
    # and Frank's answer to it are hidden). Likes: Mastodon's 4 and
    # Bluesky's 3 (Bridgy's copies are among them) and Ivy's. Reposts: 1 + 2.
    [counts] = section.xpath("./p[@class='replies-counts']")
    assert text(counts) == "7 replies · 3 reposts · 8 likes"
    assert len(section.xpath(".//li[contains(@class, 'u-comment')]")) == 7
    page = site.text("posts/talk/")
    assert "Via Bridgy" not in page
    assert page.count("/@alice/11") == 1
    assert page.count(f"/profile/{GINA_DID}/post/3kgina") == 0
    # The listing says the same under the post.
    [summary] = [
        item
        for item in site.page("").xpath("//article[@class='summary']")
        if "Post talk" in text(item.xpath("./h2")[0])
    ]
    assert text(summary.xpath("./p[@class='replies-counts']")[0]) == text(counts)


def test_hostile_remote_content_is_inert(site):
    section = replies_section(site, "talk")
    assert not section.xpath(
        ".//script | .//iframe | .//style | .//object | .//embed | .//form"
    )
    assert not section.xpath(".//@*[starts-with(name(), 'on')] | .//@style")
    assert section.xpath(".//div[contains(@class, 'e-content')]//img") == []
    # A link whose address was unsafe keeps its text and loses its href.
    for href in section.xpath(".//a/@href"):
        assert urlsplit(href).scheme in {"http", "https"}, href
    for link in section.xpath(".//div[contains(@class, 'e-content')]//a"):
        assert link.get("rel") == "nofollow ugc noopener"
        assert link.get("class") is None
    page = site.text("posts/talk/")
    assert "javascript:" not in page
    assert "evil.example" not in page
    assert not BIDI & set(text(section))
    # Ann's javascript: profile is not a link; her name still shows.
    [ann] = [
        item
        for item in section.xpath(".//li[contains(@class, 'u-comment')]")
        if name_of(item) == "Ann"
    ]
    assert not ann.xpath("./p/span[contains(@class, 'p-author')]/a")
    for name in section.xpath(
        ".//span[contains(@class, 'p-author')]//*[contains(@class, 'p-name')]"
    ):
        assert name.tag == "bdi"


def test_avatars_are_served_from_the_site_without_their_metadata(conversation):
    fake, blog, site, _printed = conversation
    page_file = site.path("posts/talk/")
    page = page_file.read_text(encoding="utf-8")
    assert "/avatars/alice.jpg" not in page
    assert fake.url + "/avatars" not in page
    served = set()
    for source in site.page("posts/talk/").xpath("//img/@src"):
        resolved = site.resolve(page_file, source)
        assert resolved is not None, f"{source} is not on the site"
        if "replies/avatars/" in source:
            served.add(resolved.name)
            assert resolved.is_file()
    # Alice, Bob, Gina, Hana, and Liker2's face among the likes.
    assert len(served) == 5
    copied = site.root / "replies" / "avatars"
    assert {path.name for path in copied.glob("*.png")} == served
    for path in copied.glob("*.png"):
        data = path.read_bytes()
        assert path.name == hashlib.sha256(data).hexdigest()[:20] + ".png"
        assert b"PhoneCo" not in data and b"Exif" not in data
        with Image.open(path) as image:
            assert image.size == (96, 96)
            assert not image.getexif()
    # The stored copies are the same ones: nothing else was kept.
    stored = {path.name for path in (blog.replies / "avatars").glob("*.png")}
    assert stored == served


def test_hidden_replies_and_their_avatars_are_nowhere(conversation):
    fake, _blog, site, _printed = conversation
    for path in site.html_files():
        page = path.read_text(encoding="utf-8")
        for hidden in ("Troll", "troll", "Frank", "Eve Private", "Spam", "spam"):
            assert hidden not in page, (path, hidden)
    # Their avatars were never downloaded, so never stored nor served.
    assert "/avatars/troll.png" not in fake.requested("file")
    assert "/avatars/frank.png" not in fake.requested("file")
    assert "/avatars/spam.example.png" not in fake.requested("file")


def test_ways_to_reply_and_the_invitation(site):
    talk = replies_section(site, "talk")
    # The Mastodon status is on the fake's http address: no link (https only).
    assert [
        (a.text, a.get("href")) for a in talk.xpath("./p[@class='replies-join']/a")
    ] == [("Reply on Bluesky", BLUESKY_POST)]
    quiet = replies_section(site, "quiet")
    assert text(quiet.xpath("./p[@class='replies-none']")[0]) == "No replies yet."
    assert text(quiet.xpath("./p[@class='replies-join']")[0]) == (
        "Join the conversation: Reply on Bluesky."
    )
    assert not quiet.xpath(".//ol | ./p[@class='replies-counts']")
    plain = replies_section(site, "plain")
    assert [text(p) for p in plain.xpath("./p")] == [
        "No replies yet.",
        "Share this post with your network to start the conversation.",
    ]


def test_microformats_carry_the_comments(site):
    parsed = mf2py.parse(doc=site.text("posts/talk/"), url=f"{SITEURL}/posts/talk/")
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]

    def names(comments):
        return [
            (
                comment["properties"]["author"][0]["properties"]["name"][0],
                names(comment["properties"].get("comment", [])),
            )
            for comment in comments
        ]

    assert names(entry["properties"]["comment"]) == [
        ("Alice Able", [("Bob Baker", [("Carol Cole", [])])]),
        ("yrollam Mallory", []),
        ("Ann", []),
        ("Gina Green", [("Hana Home", [])]),
    ]
    [alice] = entry["properties"]["comment"][:1]
    assert alice["type"] == ["h-cite"]
    [published] = alice["properties"]["published"]
    assert dt.datetime.strptime(published, "%Y-%m-%dT%H:%M:%S%z") == dt.datetime(
        2024, 3, 2, 0, 0, 10, tzinfo=dt.UTC
    )
    assert alice["properties"]["url"][0].endswith("/@alice/11")
    [photo] = alice["properties"]["author"][0]["properties"]["photo"]
    photo = photo["value"] if isinstance(photo, dict) else photo
    assert photo.startswith(f"{SITEURL}/replies/avatars/")
    likes = entry["properties"].get("like", [])
    assert [like["properties"]["author"][0]["properties"]["name"][0] for like in likes]


def test_at_most_max_per_post_are_shown_and_the_rest_are_counted(site):
    section = replies_section(site, "popular")
    # Mastodon showed 60 of the 75 replies its status counts: 50 are shown,
    # 10 stored and 15 never seen are "more on Mastodon" (plain text: the
    # fake's status is not https, so no link).
    assert text(section.xpath("./p[@class='replies-counts']")[0]) == "75 replies"
    assert len(section.xpath(".//li[contains(@class, 'u-comment')]")) == MAX_PER_POST
    [more] = section.xpath("./p[@class='replies-more']")
    assert text(more) == "25 more on Mastodon"
    names = [name_of(item) for item in section.xpath("./ol/li")]
    assert names == [f"Fan {n}" for n in range(MAX_PER_POST)]


# -- What was deleted upstream goes with FULL=1 --------------------------------


def test_a_reply_deleted_upstream_goes_at_the_next_full_fetch(conversation, tmp_path):
    fake, blog, _site, _printed = conversation
    # Carol deletes her reply; a normal run keeps what it stored (Mastodon
    # answers anonymous readers with part of a thread only).
    deleted = next(item for item in fake.descendants["1"] if item["id"] == "14")
    fake.descendants["1"].remove(deleted)
    try:
        run_make_replies(blog, tmp_path)
        kept = build(blog, tmp_path / "incremental")
        assert "Carol Cole" in text(replies_section(kept, "talk"))
        run_make_replies(blog, tmp_path, full=True)
        rebuilt = build(blog, tmp_path / "full")
    finally:
        fake.descendants["1"].insert(3, deleted)
    section = replies_section(rebuilt, "talk")
    assert "Carol Cole" not in rebuilt.text("posts/talk/")
    assert tree(section.xpath("./ol[@class='replies-thread']/li"))[0] == (
        "Alice Able",
        [("Bob Baker", [])],
    )
    assert text(section.xpath("./p[@class='replies-counts']")[0]).startswith(
        "6 replies"
    )


def test_names_are_plain_text(site):
    section = replies_section(site, "talk")
    for name in section.xpath(".//bdi[contains(@class, 'p-name')]"):
        assert all(unicodedata.category(char) != "Cf" for char in name.text_content())
