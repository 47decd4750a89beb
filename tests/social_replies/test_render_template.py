"""The plugin's replies partials (social_replies/*.html, as our theme
includes them) keep hostile stored data inert even in a Jinja environment
without autoescape (they escape with `|e` themselves)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from lxml import html
from pelican.plugins.social_replies import render
from pelican.plugins.social_replies.social_replies import TEMPLATES_DIR

from tests.harness import ROOT

STORED = Path(__file__).parent / "test_data" / "site" / "replies"


@pytest.fixture(params=[False, True], ids=["no-autoescape", "autoescape"])
def env(request):
    environment = Environment(
        # As a build's: the theme's templates first, then the plugin's.
        loader=ChoiceLoader(
            [
                FileSystemLoader(ROOT / "theme" / "templates"),
                FileSystemLoader(TEMPLATES_DIR),
            ]
        ),
        autoescape=request.param,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.tests["plugin_enabled"] = lambda name: True
    return environment


def hostile_article():
    data = json.loads((STORED / "hostile.json").read_text(encoding="utf-8"))
    replies = render.post_replies(
        data,
        path="hostile.json",
        hidden=set(),
        avatars_folder=STORED / "avatars",
        settings={
            "REPLIES_MAX_DEPTH": 3,
            "REPLIES_MAX_PER_POST": 200,
            "DEFAULT_DATE_FORMAT": "%-d %B %Y",
            "REPLIES_WEBMENTION_ENDPOINT": 'https://wm.example/"><script>alert(1)</script>',
        },
        metadata={
            "mastodon": "https://m.example/@a/1?q=\"><script>alert('m')</script>"
        },
        target='https://site.example/"><img src=x onerror=alert(1)>',
    )
    return SimpleNamespace(replies=replies)


def test_replies_partial_has_no_live_markup_from_stored_data(env):
    rendered = env.get_template("social_replies/replies.html").render(
        article=hostile_article(), SITEURL=""
    )
    doc = html.fragment_fromstring(rendered, create_parent="div")
    assert doc.xpath("//li[contains(@class, 'u-comment')]")
    assert not doc.xpath("//script | //iframe | //style | //object | //svg | //form")
    assert not doc.xpath("//img")  # no avatar in this file is usable
    assert not doc.xpath("//@*[starts-with(name(), 'on')] | //@style")
    for href in doc.xpath("//@href"):
        assert href.startswith("https://"), href
    assert "<script>alert(13)</script> CW" in doc.text_content()  # as text
    # Names are text in <bdi>, with no bidi control left in them.
    for name in doc.xpath("//bdi"):
        assert not set(name.text_content()) & set(
            "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        )


def test_counts_and_head_partials_escape_too(env):
    article = hostile_article()
    counts = env.get_template("social_replies/counts.html").render(article=article)
    assert " ".join(html.fromstring(counts).text_content().split()) == "4 replies"
    head = env.get_template("social_replies/head.html").render(
        THEME_STATIC_DIR="theme",
        REPLIES_WEBMENTION_ENDPOINT='https://wm.example/"><script>alert(1)</script>',
    )
    doc = html.fragment_fromstring(head, create_parent="div")
    assert not doc.xpath("//script")
    [link] = doc.xpath("//link[@rel='webmention']")
    assert link.get("href").endswith("<script>alert(1)</script>")
