"""social_replies in built sites: what a post shows of its stored replies.

The test_data site holds stored replies from all three sources
(conversation), more than a page shows (busy), hostile data (hostile), bad
files (broken, truncated, future, partial) and posts with none (quiet,
unshared). It is built once, with a webmention endpoint and _headers on.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import mf2py
import pytest
from pelican.plugins.social_replies import social_replies

from tests.harness import ROOT, build_site, recorded_warnings
from tests.static_hosting.test_static_hosting import parse_headers, rule_for

DATA = Path(__file__).parent / "test_data" / "site"
ENDPOINT = "https://webmention.example/endpoint"
AVATARS = {
    "alice": "5dd66fc710808a2d4e5293eaa29452e9.png",
    "bob": "3581748693184ab82f7fea62affccc35.png",
    "hana": "e2192f1a38c46fd9dba30f36fd73d86b.png",
    "liker": "bfb90484274879516fa769823957d071.png",
    "gina": "bcbeb8b01cf4cfc0597659b4625ae5b6.png",
    "troll": "0d9cf0364bc0363446b582899f8162f1.png",
    "unused": "6f470a5c99ed27a1d4381cc5a073181a.png",
}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text(element) -> str:
    return " ".join(element.text_content().split())


def section(site, slug):
    [found] = site.page(f"posts/{slug}/").xpath("//section[@class='replies']")
    return found


def author_names(items):
    return [
        text(item.xpath("./p[@class='reply-meta']//bdi[@class='p-name']")[0])
        for item in items
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test site, built once: (site, warnings logged while building)."""
    root = tmp_path_factory.mktemp("social_replies_site")
    content = root / "content"
    shutil.copytree(DATA, content)
    with recorded_warnings() as warnings:
        site = build_site(
            root / "output",
            content=content,
            REPLIES_WEBMENTION_ENDPOINT=ENDPOINT,
            STATIC_HOSTING_HEADERS=True,
            REPLIES_MAX_PER_POST=10,
        )
    return site, warnings


@pytest.fixture(scope="module")
def test_site(built):
    return built[0]


# -- What a post with a conversation shows ------------------------------------


def test_counts_add_api_counts_to_uncovered_webmentions(test_site):
    counts = section(test_site, "conversation").xpath("./p[@class='replies-counts']")
    # Replies: Hana, Gina, Alice, Bob, Carol, Dave (Bridgy's copy of Alice's
    # is the same reply; Eve's is private; the troll's thread and the spam
    # are hidden). Likes: Mastodon 5 + Bluesky 3 + one from a blog (Bridgy's
    # copy of a Mastodon like is in the 5; the troll's is hidden).
    assert text(counts[0]) == "6 replies · 3 reposts · 9 likes · 1 mention · 1 bookmark"


def test_replies_nest_and_the_deepest_are_shown_flat_in_date_order(test_site):
    thread = section(test_site, "conversation").xpath("./ol[@class='replies-thread']")[
        0
    ]
    top = thread.xpath("./li")
    assert author_names(top) == ["Hana Home", "Gina Green", "Alice Able"]
    alice = top[2]
    [bob] = alice.xpath("./ol/li")
    assert author_names([bob]) == ["Bob Baker"]
    deepest = bob.xpath("./ol/li")
    assert author_names(deepest) == ["Carol Cole", "Dave Dunn"]
    assert text(deepest[1].xpath(".//span[@class='reply-to']")[0]) == (
        "replying to Carol Cole"
    )
    assert not deepest[0].xpath(".//ol")


def test_each_reply_has_author_date_link_and_safe_body(test_site):
    page = test_site.path("posts/conversation/")
    [alice] = [
        item
        for item in section(test_site, "conversation").xpath(
            "//li[contains(@class, 'reply')]"
        )
        if author_names([item]) == ["Alice Able"]
    ]
    author = alice.xpath("./p/span[contains(@class, 'p-author')]")[0]
    assert author.xpath("./a/@href") == ["https://mastodon.example/@alice"]
    [avatar] = author.xpath("./img")
    assert (avatar.get("alt"), avatar.get("width"), avatar.get("height")) == (
        "",
        "40",
        "40",
    )
    assert test_site.resolve(page, avatar.get("src")) == (
        test_site.root / "replies" / "avatars" / AVATARS["alice"]
    )
    [time] = alice.xpath("./p//time[@class='dt-published']")
    assert time.get("datetime") == "2026-01-11T10:00:00+00:00"
    assert time.getparent().get("href") == "https://mastodon.example/@alice/201"
    [body] = alice.xpath("./div[contains(@class, 'e-content')]")
    assert text(body) == "Great post! See my notes."
    [link] = body.xpath(".//a")
    assert (link.get("href"), link.get("rel"), link.get("class")) == (
        "https://example.org/notes",
        "nofollow ugc noopener",
        None,
    )


def test_bluesky_reply_has_its_facets_as_links(test_site):
    bodies = section(test_site, "conversation").xpath("//li[contains(@class, 'reply')]")
    [gina] = [item for item in bodies if author_names([item]) == ["Gina Green"]]
    links = [(a.text, a.get("href")) for a in gina.xpath("./div//a")]
    assert links == [
        ("example.com", "https://example.com/"),
        ("@dave.example", "https://bsky.app/profile/did:plc:dave123"),
    ]


def test_a_reply_seen_through_bridgy_and_the_api_is_shown_once(test_site):
    page = test_site.text("posts/conversation/")
    assert "Bridgy" not in page
    assert page.count("https://mastodon.example/@alice/201") == 1


def test_hidden_and_private_items_and_their_avatars_are_nowhere(test_site):
    for path in test_site.html_files():
        page = path.read_text(encoding="utf-8")
        for hidden in ("Troll", "troll", "Frank", "spam", "Spam", "Eve Private"):
            assert hidden not in page, (path, hidden)
    copied = sorted(
        path.name for path in (test_site.root / "replies" / "avatars").iterdir()
    )
    shown = ("alice", "bob", "hana", "liker", "gina")
    assert copied == sorted(AVATARS[who] for who in shown)


def test_likes_show_faces_named_for_screen_readers(test_site):
    [faces] = section(test_site, "conversation").xpath(".//div[@class='replies-faces']")
    assert text(faces.xpath("./p")[0]) == "Liked by"
    likes = faces.xpath(".//li[@class='u-like h-cite']")
    assert [text(like) for like in likes] == ["Mastodon Liker", "Ivy Indie"]
    for like in likes:
        [img] = like.xpath(".//img")
        assert (img.get("alt"), img.get("width")) == ("", "32")


def test_ways_to_reply_follow_the_metadata_and_the_endpoint(test_site):
    replies = section(test_site, "conversation")
    links = [
        (a.text, a.get("href")) for a in replies.xpath("./p[@class='replies-join']/a")
    ]
    assert links == [
        ("Reply on Mastodon", "https://mastodon.example/@author/111"),
        ("Reply on Bluesky", "https://bsky.app/profile/author.example/post/3kpost"),
    ]
    [how] = replies.xpath("./p[@class='replies-webmention']")
    assert ENDPOINT in text(how) and "/posts/conversation/" in text(how)
    assert not replies.xpath(".//form")


# -- Posts with nothing stored -------------------------------------------------


def test_a_post_with_no_replies_shows_an_invitation(test_site):
    quiet = section(test_site, "quiet")
    assert text(quiet.xpath("./p[@class='replies-none']")[0]) == "No replies yet."
    assert text(quiet.xpath("./p[@class='replies-join']")[0]) == (
        "Join the conversation: Reply on Mastodon."
    )
    assert not quiet.xpath(".//ol | .//p[@class='replies-counts']")
    unshared = section(test_site, "unshared")
    assert text(unshared.xpath("./p[@class='replies-none']")[0]) == "No replies yet."
    assert not unshared.xpath("./p[@class='replies-join']")
    assert ENDPOINT in text(unshared.xpath("./p[@class='replies-webmention']")[0])


def test_listings_show_counts_only_above_zero(test_site):
    summaries = {
        text(summary.xpath("./h2")[0]): summary
        for summary in test_site.page("").xpath("//article[@class='summary']")
    }
    counts = summaries["A post with a conversation"].xpath(
        "./p[@class='replies-counts']"
    )
    assert text(counts[0]).startswith("6 replies · 3 reposts · 9 likes")
    assert not summaries["A quiet post"].xpath(".//p[@class='replies-counts']")
    busy = summaries["A busy post"].xpath("./p[@class='replies-counts']")
    assert text(busy[0]) == "18 replies"


def test_at_most_max_per_post_shown_and_the_rest_linked(test_site):
    busy = section(test_site, "busy")
    assert len(busy.xpath(".//li[contains(@class, 'u-comment')]")) == 10
    [more] = busy.xpath("./p[@class='replies-more']")
    assert text(more) == "5 more on Mastodon · 3 more on Bluesky"
    assert [(a.text, a.get("href")) for a in more.xpath("./a")] == [
        ("5 more on Mastodon", "https://mastodon.example/@author/333"),
        ("3 more on Bluesky", "https://bsky.app/profile/author.example/post/3kbusy"),
    ]


# -- Hostile and bad stored data ----------------------------------------------


def test_hostile_replies_are_inert(test_site):
    replies = section(test_site, "hostile")
    assert len(replies.xpath(".//li[contains(@class, 'u-comment')]")) == 4
    assert not replies.xpath(
        ".//script | .//iframe | .//img | .//style | .//svg | .//form | .//object"
    )
    assert not replies.xpath(".//@*[starts-with(name(), 'on')] | .//@style")
    for href in replies.xpath(".//@href"):
        assert href.startswith("https://"), href
    assert "alert(" not in " ".join(replies.xpath(".//@href"))
    for name in replies.xpath(".//bdi"):
        assert not set(name.text_content()) & BIDI
    # The facets: only the https link, the rest stays text.
    [fiona] = [
        item
        for item in replies.xpath(".//li[contains(@class, 'u-comment')]")
        if author_names([item]) == ["Facet Fiona"]
    ]
    assert [(a.text, a.get("href")) for a in fiona.xpath("./div//a")] == [
        ("there", "https://fine.example/there")
    ]
    assert "<b>not bold</b>" in text(fiona)
    # javascript: and http: metadata make no "Reply on" link.
    assert not replies.xpath("./p[@class='replies-join']")


def test_our_theme_includes_the_plugin_partials(built):
    """The theme uses the plugin's own partials (one copy): no warning that
    it lacks them, and their stylesheet is linked and copied."""
    site, warnings = built
    assert not [w for w in warnings if "does not include" in w]
    doc = site.page("posts/conversation/")
    [css] = [
        href
        for href in doc.xpath("//head/link[@rel='stylesheet']/@href")
        if "social_replies/replies.css" in href
    ]
    page = site.root / "posts" / "conversation" / "index.html"
    assert site.resolve(page, css).is_file()


def test_hostile_metadata_is_warned_about(built):
    _site, warnings = built
    assert any(
        "hostile.md" in w and "Mastodon 'javascript:alert(1)'" in w for w in warnings
    )
    assert any("hostile.md" in w and "Bluesky 'http://bsky.app" in w for w in warnings)


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("broken", "Expecting"),
        ("truncated", "Expecting"),
        ("future", "format 99 is newer"),
    ],
)
def test_a_bad_file_is_one_warning_and_its_post_shows_the_invitation(
    built, slug, reason
):
    site, warnings = built
    about = [w for w in warnings if f"{slug}.json" in w]
    assert len(about) == 1, about
    assert reason in about[0]
    replies = section(site, slug)
    assert text(replies.xpath("./p[@class='replies-none']")[0]) == "No replies yet."


def test_a_file_with_some_bad_items_shows_the_valid_ones(built):
    site, warnings = built
    [warning] = [w for w in warnings if "partial.json" in w]
    assert "4 item(s) lack a kind, url or author" in warning
    replies = section(site, "partial")
    assert author_names(replies.xpath(".//li[contains(@class, 'u-comment')]")) == [
        "Valid Vera"
    ]


# -- Webmention endpoint: head and _headers -----------------------------------


def test_every_page_advertises_the_webmention_endpoint(test_site):
    for path in test_site.html_files():
        if "pagefind" in path.parts:
            continue
        doc = test_site.page(str(path.relative_to(test_site.root)))
        assert doc.xpath("//head/link[@rel='webmention']/@href") == [ENDPOINT], path


def test_headers_send_the_link_with_html_pages_only(test_site):
    rules = parse_headers(test_site.text("_headers"))
    link = f'<{ENDPOINT}>; rel="webmention"'
    for page in ("", "index.html", "posts/conversation/", "category/networking/"):
        assert rule_for(rules, page)["Link"] == link, page
    for other in ("theme/css/main.css", "feeds/all.atom.xml", "replies/avatars/x.png"):
        assert "Link" not in rule_for(rules, other), other
    assert "Link" not in rules["/*"]


def test_no_endpoint_no_link(site):
    """The real site (REPLIES_WEBMENTION_ENDPOINT None) advertises nothing."""
    assert not site.page("posts/networking-theory/").xpath("//link[@rel='webmention']")


# -- Microformats --------------------------------------------------------------


def test_mf2_parsers_see_the_replies_as_comments_of_the_post(test_site):
    parsed = mf2py.parse(
        doc=test_site.text("posts/conversation/"),
        url="https://whoyouknow.example/posts/conversation/",
    )
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    props = entry["properties"]
    assert props["author"][0]["type"] == ["h-card"]
    comments = props["comment"]
    summary = [
        (
            comment["properties"]["author"][0]["properties"]["name"][0],
            comment["properties"]["content"][0]["value"],
            comment["properties"]["url"][0],
        )
        for comment in comments
    ]
    assert summary == [
        (
            "Hana Home",
            "I wrote about this on my own site.",
            "https://hana.example/replies/1",
        ),
        (
            "Gina Green",
            "Love it 🎉 see example.com and @dave.example too",
            "https://bsky.app/profile/gina.example/post/3kgina",
        ),
        (
            "Alice Able",
            "Great post! See my notes.",
            "https://mastodon.example/@alice/201",
        ),
    ]
    alice = comments[2]["properties"]
    assert alice["author"][0]["properties"]["photo"][0]["value"].endswith(
        AVATARS["alice"]
    )
    assert alice["published"][0].startswith("2026-01-11T10:00:00")
    [bob] = alice["comment"]
    assert bob["properties"]["author"][0]["properties"]["name"] == ["Bob Baker"]
    assert len(props["like"]) == 2


# -- The real site and a huge thread -------------------------------------------


def test_the_real_site_stores_no_replies_and_invites(site):
    assert not list((ROOT / "content" / "replies").glob("*.json"))
    replies = section(site, "networking-theory")
    assert text(replies.xpath("./p[@class='replies-none']")[0]) == "No replies yet."
    assert not replies.xpath(".//li")


def test_ten_thousand_stored_replies_build(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    (content / "replies").mkdir()
    shutil.copy(DATA / "posts" / "busy.md", content / "posts")
    mastodon = "https://mastodon.example"
    items = [
        {
            "id": str(n),
            "kind": "reply",
            "url": f"{mastodon}/@u{n}/{n}",
            "aliases": [],
            # Half a chain 5,000 deep, half flat.
            "in_reply_to": f"{mastodon}/@u{n - 1}/{n - 1}" if 0 < n < 5000 else None,
            "published": f"2026-01-14T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
            "author": {"name": f"Person {n}", "url": f"{mastodon}/@u{n}"},
            "html": f"<p>Reply {n}<script>alert({n})</script></p>",
            "visibility": "public",
        }
        for n in range(10_000)
    ]
    stored = {
        "format": 1,
        "post": "posts/busy.md",
        "target": "https://whoyouknow.example/posts/busy/",
        "sources": {"mastodon": {"status": f"{mastodon}/@author/333", "items": items}},
    }
    (content / "replies" / "busy.json").write_text(json.dumps(stored), encoding="utf-8")
    site = build_site(tmp_path / "output", content=content)
    replies = section(site, "busy")
    assert text(replies.xpath("./p[@class='replies-counts']")[0]) == "10000 replies"
    assert len(replies.xpath(".//li[contains(@class, 'u-comment')]")) == 200
    assert (
        text(replies.xpath("./p[@class='replies-more']")[0]) == "9800 more on Mastodon"
    )
    assert not replies.xpath(".//script")


# -- Settings, checked at `initialized` ----------------------------------------


def initialized(**settings):
    pelican = SimpleNamespace(settings=dict(settings))
    social_replies.initialize(pelican)
    return pelican.settings


def test_the_endpoint_reaches_static_hosting_as_a_link_header():
    theirs = {"Link": '<https://other.example/>; rel="other"', "X-Other": "1"}
    settings = initialized(
        REPLIES_WEBMENTION_ENDPOINT=ENDPOINT, STATIC_HOSTING_PAGE_HEADERS=theirs
    )
    assert settings["STATIC_HOSTING_PAGE_HEADERS"] == {
        "Link": '<https://other.example/>; rel="other", '
        f'<{ENDPOINT}>; rel="webmention"',
        "X-Other": "1",
    }
    assert theirs == {"Link": '<https://other.example/>; rel="other"', "X-Other": "1"}
    # No endpoint: nothing added; the stored replies are never posts.
    settings = initialized()
    assert "STATIC_HOSTING_PAGE_HEADERS" not in settings
    assert "replies" in settings["ARTICLE_EXCLUDES"]
    assert "replies" in settings["PAGE_EXCLUDES"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://wm.example/\nX-Injected: 1",
        "https://wm.example/a b",
        'https://wm.example/">',
        "javascript:alert(1)",
        "http://wm.example/",
    ],
)
def test_an_endpoint_that_could_break_a_header_or_page_is_refused(caplog, endpoint):
    settings = initialized(REPLIES_WEBMENTION_ENDPOINT=endpoint)
    assert settings["REPLIES_WEBMENTION_ENDPOINT"] is None
    assert "STATIC_HOSTING_PAGE_HEADERS" not in settings
    assert any("REPLIES_WEBMENTION_ENDPOINT" in r.getMessage() for r in caplog.records)
