"""Whole-site tests: the real content built with the project's settings."""

import datetime as dt
import shutil
import subprocess

import pytest

import pelicanconf
from tests.harness import ROOT, build_site, day_after_the_content

LANDMARKS = ("header", "nav", "main", "footer")


def _text(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize(
    "url", ["", "posts/networking-theory/", "archives/", "about/", "404.html"]
)
def test_page_has_landmarks_and_skip_link(site, url):
    doc = site.page(url)
    for landmark in LANDMARKS:
        assert doc.xpath(f"//{landmark}"), f"{url!r} has no <{landmark}>"
    skip = doc.xpath("//a[@class='skip-link']")[0]
    assert skip.get("href") == "#main"
    assert doc.xpath("//main[@id='main']")
    assert doc.get("lang") == "en"


def test_theory_post_renders_title_date_author(site):
    doc = site.page("posts/networking-theory/")
    assert _text(doc.xpath("//main//h1")[0]).startswith("Networking, in theory")
    time = doc.xpath("//main//p[@class='byline']/time")[0]
    assert time.get("datetime") == "2026-11-23T09:00:00+00:00"
    assert _text(time) == "23 November 2026"
    author = doc.xpath("//main//a[@rel='author']")[0]
    assert _text(author) == "Site Author"
    assert site.resolve(site.path("posts/networking-theory/"), author.get("href"))
    headings = [_text(h) for h in doc.xpath("//main//h2")]
    for expected in (
        "What networking is",
        "What it does for a business",
        "What it does for a career",
        "Where your networks already are",
        "Be specific",
        "Grow the network",
    ):
        assert any(h.startswith(expected) for h in headings), expected
    assert "Merriam-Webster" in _text(doc.xpath("//main//blockquote")[0])
    taxonomy = _text(doc.xpath("//main//p[@class='taxonomy']")[0])
    assert taxonomy == (
        "Filed under Networking; tagged networking, careers, business development"
    )


def test_home_lists_published_posts_only(site):
    doc = site.page("")
    titles = [_text(a) for a in doc.xpath("//main//article/h2/a")]
    assert titles == ["Networking, in theory: why who you know is only half of it"]
    assert doc.xpath("//nav[@aria-label='Site']//a[@aria-current='page']/text()") == [
        "Home"
    ]


def test_local_robots_txt_names_no_sitemap(site):
    assert site.text("robots.txt") == "User-agent: *\nDisallow: /drafts/\n"


def test_archives_and_about(site):
    archives = site.page("archives/")
    assert _text(archives.xpath("//main/h1")[0]) == "Archives"
    assert archives.xpath("//main//ul[@class='archive']/li/time/@datetime")
    about = site.page("about/")
    assert _text(about.xpath("//main//h1")[0]) == "About"
    current = about.xpath("//nav[@aria-label='Site']//a[@aria-current='page']/text()")
    assert current == ["About"]


def test_drafts_are_not_listed_or_linked(site):
    for html_file in site.html_files():
        if "drafts" in html_file.parts:
            continue
        doc = site.page(str(html_file.relative_to(site.root)))
        for href in doc.xpath("//a/@href"):
            assert "drafts/" not in href, f"{html_file} links to a draft: {href}"


def _references(doc):
    """Every URL the page links to or loads, with the element that names it."""
    for element, _attribute, link, _position in doc.iterlinks():
        yield element, link


LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "manifest"}


def _loaded_resources(doc):
    """The URLs a browser fetches to show the page (not the links it offers)."""
    for element, link in _references(doc):
        if element.tag == "link" and element.get("rel") not in LOADING_RELS:
            continue
        if element.tag in ("a", "form"):
            continue
        yield link


def test_nothing_loads_from_another_host(site):
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        for link in _loaded_resources(doc):
            assert site.resolve(html_file, link), (
                f"{html_file.relative_to(site.root)} loads {link} from another host"
            )


def test_internal_links_resolve(site):
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        for element, link in _references(doc):
            if element.tag not in ("a", "link", "script", "img", "source"):
                continue
            target = site.resolve(html_file, link)
            if target is None:
                continue
            assert target.is_file(), (
                f"{html_file.relative_to(site.root)}: broken link {link}"
            )


def test_no_inline_scripts_or_styles(site):
    """A Content-Security-Policy without 'unsafe-inline' must hold."""
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        name = html_file.relative_to(site.root)
        assert not doc.xpath("//@style"), f"{name} has a style attribute"
        assert not doc.xpath("//style"), f"{name} has a <style> element"
        for script in doc.xpath("//script"):
            assert script.get("src") or script.get("type") == "application/ld+json", (
                f"{name} has an inline script"
            )
        assert not [a for a in doc.xpath("//@*") if a.attrname.startswith("on")]
        csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        assert csp and "unsafe-inline" not in csp[0]


def test_published_build_uses_absolute_urls(published_site):
    doc = published_site.page("posts/networking-theory/")
    stylesheet = doc.xpath("//link[@rel='stylesheet']/@href")[0]
    # With its content hash as ?v= (plugins/static_hosting).
    assert stylesheet.split("?v=")[0] == "https://whoyouknow.example/theme/css/main.css"
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    assert canonical == ["https://whoyouknow.example/posts/networking-theory/"]
    robots = published_site.text("robots.txt").splitlines()
    assert "Disallow: /drafts/" in robots
    assert "Sitemap: https://whoyouknow.example/sitemap.txt" in robots
    sitemap = published_site.text("sitemap.txt").split()
    assert "https://whoyouknow.example/posts/networking-theory/" in sitemap
    assert "https://whoyouknow.example/robots.txt" not in sitemap
    assert not [url for url in sitemap if "/drafts/" in url]
    assert published_site.exists("404.html")


def test_rebuild_in_one_process_sees_template_edits(tmp_path):
    """`make devserver` rebuilds in one process: Jinja's auto_reload is off,
    so each build must bring its own template environment."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    site = build_site(tmp_path / "output", THEME=str(theme))
    assert "Built with" in site.text("about/")
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text().replace("Built with", "Made with"))
    site = build_site(tmp_path / "output", THEME=str(theme))
    assert "Made with" in site.text("about/")


def test_builds_with_other_plugins_never_share_compiled_templates(tmp_path):
    """Jinja folds `"x" is plugin_enabled` into a compiled template: a build
    must never be served templates compiled for another PLUGINS list (as a
    bytecode cache shared between builds would)."""
    without = [name for name in pelicanconf.PLUGINS if name != "share_cards"]
    site = build_site(tmp_path / "without", PLUGINS=without)
    assert 'property="og:title"' not in site.text("about/")
    site = build_site(tmp_path / "with")
    assert 'property="og:title"' in site.text("about/")
    site = build_site(tmp_path / "again", PLUGINS=without)
    assert 'property="og:title"' not in site.text("about/")


def test_make_html_writes_preview_feeds_for_the_port_it_serves_on(tmp_path):
    """`make serve PORT=8123` builds through `make html`: its feeds must link there."""
    output = tmp_path / "output"
    subprocess.run(
        # PELICANOPTS' own -e must not drop the port (Pelican keeps one -e).
        [
            "make",
            "-s",
            "html",
            f"OUTPUTDIR={output}",
            "PORT=8123",
            "PELICANOPTS=-e DEFAULT_PAGINATION=5",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8123/posts/networking-theory/" in feed
    assert "127.0.0.1:8000" not in feed


def test_the_tests_build_after_every_date_in_the_content(tmp_path):
    """A post the author schedules (a future Date:) is published in the
    tests' builds, so the tests and audits cover it; an announced part's
    Series_expected counts too, and a date the build cannot read does not."""
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "scheduled.md").write_text(
        "Title: Later\nDate: 2027-03-01 10:00\n\n"
        "A line of the body:\nDate: 2099-01-01\n"
    )
    (posts / "announced.md").write_text(
        "Title: Part 2\nStatus: draft\nseries_expected: 2027-04-01\n\nSoon.\n"
    )
    (posts / "broken.md").write_text("Title: Bad\nDate: someday\n\nBody.\n")
    assert day_after_the_content(tmp_path) == dt.datetime(2027, 4, 2, tzinfo=dt.UTC)
