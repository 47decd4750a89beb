"""The plugin partials escape metadata text themselves (`|e`: titles, names,
handles), as the plugin READMEs say, so they stay safe in a Jinja environment
without autoescape. (URLs come from Pelican's URL settings and slugs.)"""

from datetime import datetime
from types import SimpleNamespace

import pytest
from jinja2 import Environment, FileSystemLoader
from lxml import html

from tests.harness import ROOT

HOSTILE = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def env():
    environment = Environment(
        # The theme's templates, then the partials the plugins ship.
        loader=FileSystemLoader(
            [
                ROOT / "theme" / "templates",
                *sorted(ROOT.glob("plugins/*/pelican/plugins/*/templates")),
            ]
        ),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.tests["plugin_enabled"] = lambda name: True
    return environment


def _part(status):
    return SimpleNamespace(
        title=HOSTILE, status=status, authors=[], series_expected=None
    )


def _assert_inert(rendered: str):
    doc = html.fragment_fromstring(rendered, create_parent="div")
    # JSON-LD is data, not script: |tojson writes < as \u003c.
    assert not doc.xpath("//img | //script[not(@type='application/ld+json')]")
    assert not doc.xpath("//@*[starts-with(name(), 'on')]"), rendered
    assert "&lt;img" in rendered  # the value is there, as text


def test_series_contents(env):
    published, announced = _part("published"), _part("draft")
    series = {"contents": [(published, "posts/a/"), (announced, None)]}
    rendered = env.get_template("series_nav/contents.html").render(s=series, SITEURL="")
    _assert_inert(rendered)


def test_feed_discovery_links(env):
    feed = {"title": HOSTILE, "atom": "feeds/all.atom.xml", "rss": "feeds/all.rss.xml"}
    rendered = env.get_template("feeds/head.html").render(
        feeds={"site": feed, "series_by_slug": {}, "authors_by_slug": {}},
        SITEURL="",
    )
    _assert_inert(rendered)


def test_author_head_meta(env):
    profile = SimpleNamespace(twitter_handle=HOSTILE, fediverse_handle=HOSTILE)
    author = SimpleNamespace(
        slug="a", profile=profile, schema_person={"@type": "Person", "name": HOSTILE}
    )
    rendered = env.get_template("author_bios/head.html").render(
        author=author, SITEURL=""
    )
    _assert_inert(rendered)
    assert "\\u003cimg" in rendered  # the name, inside the JSON-LD


def _share_item(**extra):
    image = SimpleNamespace(url="posts/a/card.png", alt=HOSTILE, width=1, height=1)
    image.type = "image/png"
    return SimpleNamespace(
        title=HOSTILE,
        lang="en",
        share_image=image,
        share_title=HOSTILE,
        share_url=HOSTILE,
        share_links=[SimpleNamespace(network="x", label=HOSTILE, href=HOSTILE)],
        **extra,
    )


def test_share_head_meta(env):
    # (Without share links: the head would load share.js, a script of ours.)
    article = _share_item(
        date=datetime(2026, 12, 1),
        modified=None,
        status="published",
        authors=[SimpleNamespace(url="author/a/")],
        category=HOSTILE,
        tags=[HOSTILE],
    )
    del article.share_links
    rendered = env.get_template("share_cards/head.html").render(
        article=article,
        share_site_image=article.share_image,
        page_url="posts/a/",
        page_title=HOSTILE,
        page_description=HOSTILE,
        SITEURL="",
        SITENAME=HOSTILE,
        DEFAULT_LANG="en",
        SHARE_CARDS_LOCALE="en_GB",
        SHARE_CARDS_TWITTER_SITE=HOSTILE,
    )
    _assert_inert(rendered)


def test_share_links(env):
    rendered = env.get_template("share_cards/links.html").render(
        share_item=_share_item(), share_noun="post", SITEURL=""
    )
    _assert_inert(rendered)
