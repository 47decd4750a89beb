"""social_replies on its own: small sites built with Pelican into tmp_path,
in Pelican's default theme and in a tiny theme that includes the partials.

Run from the package folder: `cd plugins/social_replies && pytest`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader
from pelican.plugins.social_replies.settings import DEFAULTS, check_settings
from pelican.plugins.social_replies.social_replies import FILES
from pelican_plugin_kit.testing import build_site, warnings

TEST_DATA = Path(__file__).parent / "test_data"
INCLUDE_LINE = '{% include "social_replies/replies.html" %}'
LOGGER = "pelican.plugins.social_replies"
SHARED = "Mastodon: https://mastodon.example/@author/111\n"
# One stored reply (its HTML with a script that must not survive) and the
# status's own like count.
STORED = {
    "format": 1,
    "post": "shared.md",
    "sources": {
        "mastodon": {
            "status": "https://mastodon.example/@author/111",
            "fetched": "2026-01-12T00:00:00+00:00",
            "likes": 2,
            "reposts": 0,
            "replies": 1,
            "items": [
                {
                    "id": "112",
                    "kind": "reply",
                    "url": "https://mastodon.example/@ann/112",
                    "in_reply_to": None,
                    "published": "2026-01-11T09:30:00+00:00",
                    "visibility": "public",
                    "author": {
                        "name": "Ann Example",
                        "url": "https://mastodon.example/@ann",
                        "avatar": None,
                    },
                    "html": "<p>Great post!<script>alert(1)</script></p>",
                }
            ],
        }
    },
}


def build(tmp_path, posts, *, stored=None, **settings):
    """Build `posts` ({file name: metadata lines}) with the plugin; the output
    folder."""
    content = tmp_path / "content"
    content.mkdir()
    for name, metadata in posts.items():
        (content / name).write_text(
            f"Title: {Path(name).stem}\nDate: 2026-01-10\n{metadata}\nBody.\n",
            encoding="utf-8",
        )
    if stored:
        (content / "replies").mkdir()
        for slug, data in stored.items():
            (content / "replies" / f"{slug}.json").write_text(json.dumps(data))
    return build_site(
        content, tmp_path / "output", ["social_replies"], feeds=True, **settings
    )


def test_default_theme_gets_one_warning_with_the_lines_to_paste(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, {"shared.md": SHARED, "also.md": SHARED})
    (warning,) = warnings(caplog, LOGGER)
    assert INCLUDE_LINE in warning
    assert "article.html" in warning
    assert '{% include "social_replies/head.html" %}' in warning
    # The build went on, and the stylesheet the partials need was copied.
    assert (output / "shared.html").is_file()
    assert (output / "theme" / "social_replies" / "replies.css").is_file()


def test_no_warning_when_no_post_has_anything_to_show(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        build(tmp_path, {"plain.md": ""})
    assert warnings(caplog, LOGGER) == []


def test_a_theme_that_includes_the_partials_shows_the_replies(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path,
            {"shared.md": SHARED},
            stored={"shared": STORED},
            THEME=str(TEST_DATA / "theme"),
            THEME_STATIC_PATHS=[],
            REPLIES_WEBMENTION_ENDPOINT="https://webmention.example/site/webmention",
        )
    assert warnings(caplog, LOGGER) == []
    page = (output / "shared.html").read_text(encoding="utf-8")
    assert '<section class="replies" id="replies"' in page
    assert "1 reply" in page
    assert "2 likes" in page
    assert "Ann Example" in page
    assert "<p>Great post!</p>" in page
    assert "alert(1)" not in page
    assert 'href="https://mastodon.example/@author/111">Reply on Mastodon</a>' in page
    # head.html: the stylesheet (copied into the output) and the endpoint.
    assert '<link rel="stylesheet" href="/theme/social_replies/replies.css">' in page
    assert (output / "theme" / "social_replies" / "replies.css").is_file()
    assert (
        '<link rel="webmention" href="https://webmention.example/site/webmention">'
        in page
    )


@pytest.mark.parametrize(
    ("article", "included"),
    [
        ('{% include "social_replies/replies.html" %}', True),
        (
            "{%- include ['x.html', 'social_replies/replies.html'] ignore missing -%}",
            True,
        ),
        ('{# {% include "social_replies/replies.html" %} #}', False),
        ("<p>social_replies/replies.html</p>", False),
        ('{% include "social_replies/counts.html" %}', False),
    ],
)
def test_what_counts_as_including_the_partial(article, included):
    # The theme's templates, then the plugin's own (which do not count), as
    # a build's loader is.
    env = Environment(
        loader=ChoiceLoader(
            [DictLoader({"article.html": article}), FileSystemLoader(FILES.templates)]
        )
    )
    assert FILES.theme_includes(env) is included


def test_a_theme_may_override_a_partial(tmp_path):
    overrides = tmp_path / "overrides" / "social_replies"
    overrides.mkdir(parents=True)
    (overrides / "replies.html").write_text(
        "<p class='mine'>{{ article.replies.counts.likes }} likes</p>"
    )
    output = build(
        tmp_path,
        {"shared.md": SHARED},
        stored={"shared": STORED},
        THEME=str(TEST_DATA / "theme"),
        THEME_STATIC_PATHS=[],
        THEME_TEMPLATES_OVERRIDES=[str(tmp_path / "overrides")],
    )
    page = (output / "shared.html").read_text(encoding="utf-8")
    assert "<p class='mine'>2 likes</p>" in page
    assert 'class="replies"' not in page


BAD_VALUES = [
    ("REPLIES_WEBMENTION_ENDPOINT", "http://webmention.example/endpoint"),
    ("REPLIES_WEBMENTION_ENDPOINT", 42),
    ("REPLIES_WEBMENTION_IO_URL", "ftp://webmention.io"),
    ("REPLIES_WEBMENTION_IO_URL", None),
    ("REPLIES_BLUESKY_API_URL", "public.api.bsky.app"),
    ("REPLIES_PATH", ""),
    ("REPLIES_PATH", "/"),
    ("REPLIES_PATH", "/srv/replies"),
    ("REPLIES_PATH", "../replies"),
    ("REPLIES_PATH", 3),
    ("REPLIES_MAX_PER_POST", "200"),
    ("REPLIES_MAX_PER_POST", 0),
    ("REPLIES_MAX_DEPTH", -1),
    ("REPLIES_MAX_DEPTH", 2.5),
    ("REPLIES_TIMEOUT", True),
    ("REPLIES_MAX_RESPONSE_BYTES", None),
    ("REPLIES_MAX_RETRY_AFTER", "2 minutes"),
]


def test_every_setting_has_a_bad_value_here():
    assert {key for key, _value in BAD_VALUES} == set(DEFAULTS)


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_a_bad_setting_is_named_and_replaced_by_its_default(key, value, caplog):
    with caplog.at_level(logging.WARNING):
        settings = check_settings({key: value})
    assert settings[key] == DEFAULTS[key]
    (warning,) = warnings(caplog, LOGGER)
    assert key in warning
    assert repr(value) in warning
    assert repr(DEFAULTS[key]) in warning


def test_good_settings_are_kept():
    good = {
        "REPLIES_WEBMENTION_ENDPOINT": "https://webmention.io/example.org/webmention",
        "REPLIES_PATH": "data/replies",
        "REPLIES_MAX_PER_POST": 10,
        "REPLIES_MAX_DEPTH": 1,
    }
    assert check_settings(dict(good)).items() >= good.items()


def test_a_build_with_a_bad_setting_goes_on_with_the_default(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path,
            {"shared.md": SHARED},
            stored={"shared": STORED},
            THEME=str(TEST_DATA / "theme"),
            THEME_STATIC_PATHS=[],
            REPLIES_MAX_PER_POST="all of them",
        )
    assert any(
        "REPLIES_MAX_PER_POST = 'all of them'" in message and "using 200" in message
        for message in warnings(caplog, LOGGER)
    )
    assert "Great post!" in (output / "shared.html").read_text(encoding="utf-8")
