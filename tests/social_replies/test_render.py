"""render.py on its own: stored items in, safe plain data out (no build)."""

from __future__ import annotations

import logging
import time

import pytest
from lxml import html as lxml_html
from pelican.plugins.social_replies import render

M = "https://mastodon.example"
STATUS = f"{M}/@author/1"
SETTINGS = {
    "REPLIES_MAX_DEPTH": 3,
    "REPLIES_MAX_PER_POST": 200,
    "DEFAULT_DATE_FORMAT": "%-d %B %Y",
    "REPLIES_WEBMENTION_ENDPOINT": None,
}


def reply(n, parent=None, *, source_url=None, minute=0, **fields):
    item = {
        "id": str(n),
        "kind": "reply",
        "url": source_url or f"{M}/@u{n}/{n}",
        "aliases": [],
        "in_reply_to": parent,
        "published": f"2026-01-01T10:{minute % 60:02d}:00+00:00",
        "author": {"name": f"Person {n}", "url": f"{M}/@u{n}"},
        "html": f"<p>Reply {n}</p>",
        "visibility": "public",
    }
    item.update(fields)
    return item


def replies_for(sources, tmp_path=None, hidden=(), metadata=None, **settings):
    return render.post_replies(
        {"format": 1, "sources": sources},
        path="stored.json",
        hidden={url.rstrip("/") for url in hidden},
        avatars_folder=(tmp_path / "avatars") if tmp_path else render.Path("/none"),
        settings={**SETTINGS, **settings},
        metadata=metadata or {},
        target="https://site.example/posts/x/",
    )


def names(thread):
    """[(name, [children...])] of a thread, for comparing shapes."""
    return [(item.author.name, names(item.replies)) for item in thread]


def fragment(markup) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(str(markup), create_parent="div")


# -- Sanitising ---------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed" onclick="alert(1)">x</p>',
        '<svg onload="alert(1)"></svg>',
        '<form action="https://evil.example/"><input></form>',
        "<style>body{display:none}</style>",
        '<object data="x.swf"></object><embed src="x"><base href="https://e/">',
        '<a href="https://ok.example/" onmouseover="alert(1)" target="_blank">x</a>',
    ],
)
def test_sanitised_html_keeps_only_the_allow_list(hostile):
    doc = fragment(render.sanitise_html(f"<p>before</p>{hostile}<em>after</em>"))
    tags = {element.tag for element in doc.iter()} - {"div"}
    assert tags <= {"p", "br", "a", "em", "strong", "i", "b"}
    for element in doc.iter():
        allowed = {"href", "rel"} if element.tag == "a" else set()
        assert set(element.attrib) <= allowed, (element.tag, element.attrib)
    assert "alert" not in doc.text_content()


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative",
        "relative/path",
        "//evil.example/protocol-relative",
    ],
)
def test_only_http_links_survive(href):
    doc = fragment(render.sanitise_html(f'<a href="{href}">link</a>'))
    [link] = doc.xpath("//a")
    assert link.get("href") is None
    assert link.text == "link"


def test_every_link_gets_nofollow_ugc_noopener():
    doc = fragment(
        render.sanitise_html('<a href="https://ok.example/" rel="opener me">ok</a>')
    )
    [link] = doc.xpath("//a")
    assert link.get("href") == "https://ok.example/"
    assert link.get("rel") == "nofollow ugc noopener"


def test_names_lose_bidi_controls_and_control_characters():
    name = (
        "\u202eevil\u202c \u2066iso\u2069\u2067late\u2068 \u202a\u202b\u202d\x00\x1bok"
    )
    assert render.clean_name(name) == "evil isolate ok"
    assert render.clean_name(None) == ""
    assert len(render.clean_name("x" * 1000)) == render.NAME_LENGTH


# -- Bluesky facets -----------------------------------------------------------


def facet(text, span, **feature):
    data = text.encode()
    start = data.index(span.encode())
    return {
        "index": {"byteStart": start, "byteEnd": start + len(span.encode())},
        "features": [feature],
    }


LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"


def test_facets_count_utf8_bytes_not_characters():
    text = "\U0001f389\u00e9 see site and @ann"
    facets = [
        facet(text, "site", **{"$type": LINK, "uri": "https://site.example/"}),
        facet(text, "@ann", **{"$type": MENTION, "did": "did:plc:ann"}),
    ]
    doc = fragment(render.bluesky_html(text, facets))
    links = [(a.text, a.get("href")) for a in doc.xpath("//a")]
    assert links == [
        ("site", "https://site.example/"),
        ("@ann", "https://bsky.app/profile/did:plc:ann"),
    ]
    assert doc.text_content() == text


def test_facets_that_are_not_https_or_not_valid_are_left_as_text():
    text = "\U0001f600 <b>a</b> one two three four five six"
    size = len(text.encode())
    emoji = 0
    facets = [
        facet(text, "one", **{"$type": LINK, "uri": "javascript:alert(1)"}),
        facet(text, "two", **{"$type": LINK, "uri": "http://plain.example/"}),
        facet(text, "three", **{"$type": MENTION, "did": 'did:plc:x"><script>'}),
        {"index": {"byteStart": size - 2, "byteEnd": size + 9}, "features": []},
        {
            "index": {"byteStart": emoji + 1, "byteEnd": emoji + 3},
            "features": [{"$type": LINK, "uri": "https://midchar.example/"}],
        },
        {
            "index": {"byteStart": -1, "byteEnd": 2},
            "features": [{"$type": LINK, "uri": "https://negative.example/"}],
        },
        {
            "index": {"byteStart": "0", "byteEnd": 2},
            "features": [{"$type": LINK, "uri": "https://string.example/"}],
        },
        {
            "index": {"byteStart": size - 3, "byteEnd": size + 50},
            "features": [{"$type": LINK, "uri": "https://outside.example/"}],
        },
        facet(text, "four", **{"$type": LINK, "uri": "https://four.example/"}),
        # Overlaps "four": left out.
        facet(text, "r fi", **{"$type": LINK, "uri": "https://overlap.example/"}),
        "not a facet",
        {"index": None, "features": None},
    ]
    out = render.bluesky_html(text, facets)
    doc = fragment(render.sanitise_html(out))
    assert [(a.text, a.get("href")) for a in doc.xpath("//a")] == [
        ("four", "https://four.example/")
    ]
    assert doc.text_content() == text  # nothing lost, nothing added
    assert not doc.xpath("//b | //script")


def test_bluesky_text_is_escaped_and_keeps_its_lines():
    doc = fragment(render.bluesky_html("<script>x</script>\nline two\n\nnew para", []))
    assert not doc.xpath("//script")
    assert [p.text_content() for p in doc.xpath("//p")] == [
        "<script>x</script>line two",
        "new para",
    ]
    assert len(doc.xpath("//p[1]/br")) == 1


# -- Counting, dedupe, hiding ---------------------------------------------------


def test_api_counts_plus_webmentions_they_do_not_cover(tmp_path):
    bridgy_like = {
        **reply("w1", source_url=f"{STATUS}#favorited-by-42"),
        "kind": "like",
    }
    own_site_like = {
        **reply("w2", source_url="https://blog.example/likes/1"),
        "kind": "like",
    }
    bridgy_repost = {
        **reply("w3", source_url=f"{STATUS}#reblogged-by-7"),
        "kind": "repost",
    }
    sources = {
        "mastodon": {"status": STATUS, "likes": 4, "reposts": 1, "items": []},
        "webmention": {"items": [bridgy_like, own_site_like, bridgy_repost]},
    }
    counts = replies_for(sources).counts
    assert (counts.likes, counts.reposts) == (5, 1)
    # Without the API's counts, Bridgy's copies are all there is: counted.
    del sources["mastodon"]
    counts = replies_for(sources).counts
    assert (counts.likes, counts.reposts) == (2, 1)


def test_the_same_reply_through_bridgy_and_the_api_is_shown_once():
    api = reply(1, aliases=[f"{M}/users/u1/statuses/1"], html="<p>From the API</p>")
    bridgy = {
        **reply("wm", source_url=f"{M}/users/u1/statuses/1/"),
        "aliases": ["https://brid.gy/comment/mastodon/1"],
        "html": "<p>From Bridgy</p>",
    }
    answer = {
        **reply("wm2", parent="https://brid.gy/comment/mastodon/1"),
        "url": "https://x.example/r",
    }
    result = replies_for(
        {"webmention": {"items": [bridgy, answer]}, "mastodon": {"items": [api]}}
    )
    assert result.counts.replies == 2
    [shown] = result.thread
    assert str(shown.content) == "<p>From the API</p>"
    assert shown.source == "mastodon"
    # A reply to the Bridgy copy finds the API's item as its parent.
    assert [child.author.name for child in shown.replies] == ["Person wm2"]


def test_hidden_items_are_neither_shown_nor_counted(tmp_path):
    (tmp_path / "avatars").mkdir()
    (tmp_path / "avatars" / "abc.png").write_bytes(b"png")
    troll = reply(
        1, author={"name": "Troll", "url": f"{M}/@troll/", "avatar": "avatars/abc.png"}
    )
    answer = reply(2, parent=f"{M}/@u1/1")
    spam = reply(3, source_url="https://spam.example/r/1")
    troll_like = {
        **reply(4, author={"name": "Troll", "url": f"{M}/@troll"}),
        "kind": "like",
    }
    troll_api_like = {**troll_like, "url": f"{STATUS}#favorited-by-troll"}
    kept = reply(5)
    sources = {
        "mastodon": {"status": STATUS, "likes": 3, "items": [troll, answer, kept]},
        "webmention": {"items": [spam, troll_like, troll_api_like]},
    }
    result = replies_for(
        sources, tmp_path, hidden=[f"{M}/@troll", "https://spam.example/r/1/"]
    )
    assert names(result.thread) == [("Person 5", [])]
    # The API's 3 likes include the troll's (Bridgy's copy says so): 2.
    assert (result.counts.replies, result.counts.likes) == (1, 2)
    assert result.avatar_files == []


def test_only_public_and_unlisted_mastodon_items_are_shown():
    sources = {
        "mastodon": {
            "items": [
                reply(1, visibility="public"),
                reply(2, visibility="unlisted"),
                reply(3, visibility="private"),
                reply(4, visibility="direct"),
                reply(5, visibility=None),
            ]
        },
        "webmention": {
            "items": [reply(6, visibility=None), reply(7, visibility="private")]
        },
    }
    result = replies_for(sources)
    assert [name for name, _ in names(result.thread)] == [
        "Person 1",
        "Person 2",
        "Person 6",
    ]


def test_unusable_items_are_one_warning_naming_the_file(caplog):
    sources = {
        "webmention": {
            "items": [
                reply(1),
                {"kind": "reply"},
                "text",
                {**reply(2), "kind": "shout"},
            ]
        },
        "mastodon": "not a section",
    }
    with caplog.at_level(logging.WARNING):
        result = replies_for(sources)
    assert [name for name, _ in names(result.thread)] == ["Person 1"]
    [message] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "stored.json" in message
    assert "3 item(s)" in message and "mastodon" in message


# -- The thread -----------------------------------------------------------------


def test_replies_nest_to_max_depth_and_deeper_ones_sit_at_the_deepest_level():
    chain = [reply(0, minute=0)]
    for n in range(1, 6):
        chain.append(reply(n, parent=f"{M}/@u{n - 1}/{n - 1}", minute=n))
    # A later sibling of Person 2, and one of its answers.
    chain.append(reply(9, parent=f"{M}/@u1/1", minute=9))
    result = replies_for({"mastodon": {"items": list(reversed(chain))}})
    assert names(result.thread) == [
        (
            "Person 0",
            [
                (
                    "Person 1",
                    [
                        ("Person 2", []),
                        ("Person 3", []),
                        ("Person 4", []),
                        ("Person 5", []),
                        ("Person 9", []),
                    ],
                )
            ],
        )
    ]
    deepest = result.thread[0].replies[0].replies
    assert [item.replying_to for item in deepest] == [
        None,
        "Person 2",
        "Person 3",
        "Person 4",
        None,
    ]
    flat = replies_for({"mastodon": {"items": chain}}, REPLIES_MAX_DEPTH=1)
    assert [name for name, _ in names(flat.thread)] == [
        f"Person {n}" for n in (0, 1, 2, 3, 4, 5, 9)
    ]


def test_a_cycle_in_stored_data_is_cut_and_shown():
    one = reply(1, parent=f"{M}/@u2/2", minute=1)
    two = reply(2, parent=f"{M}/@u1/1", minute=2)
    result = replies_for({"mastodon": {"items": [one, two]}})
    assert result.shown == 2
    assert result.counts.replies == 2


def test_at_most_max_per_post_shown_and_the_rest_linked_at_their_source():
    mastodon = [reply(n, minute=n) for n in range(5)]
    bluesky = [
        {**reply(f"b{n}", minute=30 + n), "url": f"https://bsky.app/profile/b/post/{n}"}
        for n in range(3)
    ]
    sources = {
        "mastodon": {"status": STATUS, "items": mastodon},
        "bluesky": {"post": "https://bsky.app/profile/a/post/p", "items": bluesky},
    }
    result = replies_for(sources, REPLIES_MAX_PER_POST=3)
    assert result.shown == 3
    assert result.counts.replies == 8
    assert [(link.label, link.count, link.url) for link in result.more] == [
        ("Mastodon", 2, STATUS),
        ("Bluesky", 3, "https://bsky.app/profile/a/post/p"),
    ]


@pytest.mark.parametrize("shape", ["chain", "flat"])
def test_ten_thousand_replies_render_in_bounded_time(shape):
    items = [
        reply(n, parent=f"{M}/@u{n - 1}/{n - 1}" if shape == "chain" and n else None)
        for n in range(10_000)
    ]
    started = time.process_time()
    result = replies_for({"mastodon": {"status": STATUS, "items": items}})
    elapsed = time.process_time() - started
    assert result.counts.replies == 10_000
    assert result.shown == 200
    assert result.more[0].count == 9_800
    assert elapsed < 5, elapsed  # about 0.1 s; a quadratic walk takes minutes


# -- Avatars, links, dates ------------------------------------------------------


def test_avatars_only_by_plain_name_inside_the_avatars_folder(tmp_path):
    folder = tmp_path / "avatars"
    folder.mkdir()
    (folder / "good.png").write_bytes(b"png")
    (tmp_path / "secret.png").write_bytes(b"png")
    avatars = [
        "avatars/good.png",
        "avatars/../secret.png",
        "/etc/passwd",
        "avatars/missing.png",
        "avatars/x.svg",
        None,
    ]
    items = [
        reply(n, author={"name": f"P{n}", "avatar": avatar})
        for n, avatar in enumerate(avatars)
    ]
    result = replies_for({"webmention": {"items": items}}, tmp_path)
    assert [item.author.avatar for item in result.thread] == [
        "replies/avatars/good.png",
        None,
        None,
        None,
        None,
        None,
    ]
    assert result.avatar_files == ["good.png"]


def test_urls_become_links_only_when_http():
    item = reply(
        1,
        source_url="javascript:alert(1)",
        author={"name": "A", "url": "data:text/html,x"},
        published="not a date",
    )
    [shown] = replies_for({"webmention": {"items": [item]}}).thread
    assert (shown.url, shown.author.url, shown.published) == (None, None, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("  HTTP://A.example  ", "HTTP://A.example"),
        ("https://reader@a.example:8443/p?q#f", "https://reader@a.example:8443/p?q#f"),
        ("javascript:alert(1)", None),
        ("//a.example/x", None),
        ("https:///no-host", None),
        ("https://a.example/x y", None),
        ("https://a.example/\nSet-Cookie: x", None),
        ("https://a.example/\x85x", None),
        ("ftp://a.example/", None),
        (None, None),
    ],
)
def test_http_url_takes_only_http_urls_with_a_host_and_no_spaces(value, expected):
    assert render.http_url(value) == expected


def test_reply_links_need_https_metadata():
    metadata = {"mastodon": STATUS, "bluesky": "http://bsky.app/profile/a/post/p"}
    result = replies_for({}, metadata=metadata)
    assert [(link.label, link.url) for link in result.reply_links] == [
        ("Mastodon", STATUS)
    ]
    assert not result.any
    assert render.https_url("javascript:alert(1)") is None
    assert render.https_url("https://") is None


def test_replies_a_source_held_beyond_what_was_stored_are_linked_and_counted():
    section = {
        "status": STATUS,
        "replies": 7,
        "truncated": True,
        "items": [reply(n, minute=n) for n in range(3)],
    }
    result = replies_for({"mastodon": section})
    assert (result.counts.replies, result.shown) == (7, 3)
    assert [(link.label, link.count, link.url) for link in result.more] == [
        ("Mastodon", 4, STATUS)
    ]
    # Not truncated: the source's own total (direct replies, say) is not used.
    section["truncated"] = False
    result = replies_for({"mastodon": section})
    assert (result.counts.replies, result.more) == (3, [])
