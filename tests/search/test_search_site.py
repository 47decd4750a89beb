"""search: what is marked for the index, the index Pagefind writes, and what
happens when indexing cannot run (a warning; the build goes on)."""

from __future__ import annotations

import json
import logging
import shutil

import pelican.plugins.pagefind_search.pagefind_search as search_plugin
import pytest
from pelican.plugins.pagefind_search import build_index
from pelican.plugins.pagefind_search.pagefind_search import (
    DEFAULTS,
    check_settings,
    pagefind_glob,
)

from tests.harness import build_site

# What may be indexed: the published posts and pages of content/.
INDEXED = {"posts/networking-theory/", "about/", "network-audit/", "subscribe/"}


def marked_pages(site) -> set[str]:
    """Site-relative URLs of the pages with a data-pagefind-body element."""
    found = set()
    for html_file in site.html_files():
        relative = html_file.relative_to(site.root).as_posix()
        if relative.startswith(site.settings["SEARCH_BUNDLE_DIR"] + "/"):
            continue
        if site.page(relative).xpath("//*[@data-pagefind-body]"):
            found.add(relative.removesuffix("index.html"))
    return found


def test_only_published_posts_and_pages_are_marked_for_the_index(site):
    assert marked_pages(site) == INDEXED
    # Never the draft (an announced part), the 404 page, listings or tags.
    for never in (
        "drafts/social-media-job-search/",
        "404.html",
        "",
        "tags/",
        "search/",
    ):
        assert not site.page(never).xpath("//*[@data-pagefind-body]"), never


def test_the_index_holds_exactly_the_marked_pages(site):
    entry = json.loads(site.text("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == len(INDEXED)


def test_pagefind_reads_only_the_published_posts_and_pages(tmp_path, monkeypatch):
    """The plugin hands Pagefind the files the theme marks, and no other:
    not the listings, tag, author or series pages, drafts or the 404 page."""
    calls = []

    def recording(*args, **kwargs):
        calls.append(args)
        return build_index(*args, **kwargs)

    monkeypatch.setattr(search_plugin, "build_index", recording)
    site = build_site(tmp_path)
    [(_output, _bundle, _selectors, files, _cache)] = calls
    assert sorted(files) == sorted(url + "index.html" for url in INDEXED)
    entry = json.loads(site.text("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == len(INDEXED)


def _marked_page(root, relative, word):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "<!DOCTYPE html><html lang='en'><head><title>x</title></head><body>"
        f"<main data-pagefind-body><h1>{word}</h1><p>{word} words</p></main>"
        "</body></html>",
        encoding="utf-8",
    )


def _page_count(root):
    entry = json.loads((root / "pagefind" / "pagefind-entry.json").read_text())
    return entry["languages"]["en"]["page_count"]


def test_given_files_only_those_are_indexed_whatever_their_names(tmp_path):
    """Pagefind's glob characters in a path are matched as themselves."""
    odd = "odd,name{1}[x]!(y)#<z>:*?/index.html"
    for relative, word in ((odd, "odd"), ("plain/index.html", "plain")):
        _marked_page(tmp_path, relative, word)
    _marked_page(tmp_path, "left-out/index.html", "left")
    report = build_index(tmp_path, files=[odd, "plain/index.html"])
    assert report is not None and report.pages == 2
    assert _page_count(tmp_path) == 2


def test_the_files_of_thousands_of_posts_fit(tmp_path):
    """Their glob is longer than one command-line argument may be (128 KB)."""
    _marked_page(tmp_path, "posts/post-9999/index.html", "last")
    files = [f"posts/post-{number}/index.html" for number in range(10_000)]
    assert len(pagefind_glob(files)) > 128 * 1024
    report = build_index(tmp_path, files=files)
    assert report is not None and report.pages == 1


def test_no_published_file_is_a_warning_and_no_index(tmp_path, caplog):
    _marked_page(tmp_path, "draft/index.html", "draft")
    with caplog.at_level(logging.WARNING):
        assert build_index(tmp_path, files=[]) is None
    assert "data-pagefind-body" in caplog.text
    assert not (tmp_path / "pagefind").exists()


def _indexed_site(root):
    for name in ("one", "two"):
        _marked_page(root, f"{name}/index.html", name)
    return ["one/index.html", "two/index.html"]


def _no_pagefind(*args, **kwargs):
    raise AssertionError("Pagefind ran")


def test_an_unchanged_site_gets_its_last_index_back_without_pagefind(
    tmp_path, monkeypatch
):
    site, again, cache = tmp_path / "site", tmp_path / "again", tmp_path / "cache"
    files = _indexed_site(site)
    first = build_index(site, files=files, cache_path=cache)
    assert first is not None and first.pages == 2
    shutil.copytree(site, again, ignore=shutil.ignore_patterns("pagefind"))
    monkeypatch.setattr(search_plugin.subprocess, "run", _no_pagefind)
    for output in (site, again):  # a rebuild in place, and into a new output
        report = build_index(output, files=files, cache_path=cache)
        assert report is not None and report.pages == 2
        assert report.index_bytes == first.index_bytes
    [entry] = cache.iterdir()
    # Linked, not copied: no bytes written for an unchanged index.
    assert (again / "pagefind" / "pagefind.js").samefile(entry / "pagefind.js")


@pytest.mark.parametrize(
    "change",
    ["a page's text", "a page more", "the ignored selectors"],
)
def test_any_change_to_what_pagefind_reads_indexes_again(tmp_path, change):
    site, cache = tmp_path / "site", tmp_path / "cache"
    files = _indexed_site(site)
    build_index(site, files=files, cache_path=cache)
    [before] = cache.iterdir()
    selectors = DEFAULTS["SEARCH_IGNORE_SELECTORS"]
    if change == "a page's text":
        _marked_page(site, "two/index.html", "three")
    elif change == "a page more":
        _marked_page(site, "three/index.html", "three")
        files = [*files, "three/index.html"]
    else:
        selectors = ["p"]
    report = build_index(site, "pagefind", selectors, files, cache)
    assert report is not None
    [after] = cache.iterdir()  # the last index only
    assert after.name != before.name
    words = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert words["languages"]["en"]["page_count"] == len(files)


def test_a_rebuild_of_the_real_site_reuses_the_index(tmp_path, caplog):
    cache = tmp_path / "search-cache"
    build_site(tmp_path / "first", SEARCH_CACHE_PATH=str(cache))
    with caplog.at_level(
        logging.INFO, logger="pelican.plugins.pagefind_search.pagefind_search"
    ):
        site = build_site(tmp_path / "second", SEARCH_CACHE_PATH=str(cache))
    assert "the last index is reused" in caplog.text
    entry = json.loads(site.text("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == len(INDEXED)


def test_boilerplate_inside_a_post_is_left_out(site):
    doc = site.page("posts/networking-theory/")
    body = doc.xpath("//*[@data-pagefind-body]")[0]
    ignored = {
        el.get("class").split()[0] for el in body.xpath(".//*[@data-pagefind-ignore]")
    }
    # Byline and reading time, contents list, footer (share links, series
    # box, author box, read next).
    assert ignored == {"post-facts", "post-contents", "post-footer"}
    footer = body.xpath(".//footer[@data-pagefind-ignore]")[0]
    assert footer.xpath(".//section[@data-share]")
    assert footer.xpath(".//*[contains(@class, 'series-contents')]")
    assert footer.xpath(".//section[@class='author-boxes']")


def test_results_get_title_date_and_part(site):
    body = site.page("posts/networking-theory/").xpath("//*[@data-pagefind-body]")[0]
    assert body.get("data-search-date") == "2026-11-23T09:00:00+00:00"
    assert body.get("data-search-date-label") == "23 November 2026"
    assert body.get("data-search-part") == "Part 1 of 2 in Networking in practice"
    assert "part[data-search-part]" in body.get("data-pagefind-meta")
    assert body.xpath(".//h1[@data-pagefind-meta='title']")


def test_every_page_has_the_search_form(site):
    for relative in ("", "posts/networking-theory/", "archives/", "404.html"):
        forms = site.page(relative).xpath("//header//form[@role='search']")
        assert len(forms) == 1, relative
        assert forms[0].get("action").endswith("search/")
        assert forms[0].xpath(".//input[@type='search'][@name='q']")
    # The search page has its own form instead.
    page = site.page("search/")
    assert not page.xpath("//header//form[@role='search']")
    assert page.xpath("//main//form[@role='search']//input[@type='search'][@name='q']")


def test_the_policy_only_lets_forms_go_to_the_site_itself(site):
    """form-action 'self' for the GET search form; nothing else loosened
    (Pagefind compiles its WebAssembly in its worker, outside this policy)."""
    xpath = "//meta[@http-equiv='Content-Security-Policy']/@content"
    for relative in ("", "search/", "posts/networking-theory/", "network-audit/"):
        policy = site.page(relative).xpath(xpath)[0]
        assert "form-action 'self'" in policy, relative
        assert "script-src 'self';" in policy, relative
        assert "eval" not in policy, relative


def test_the_search_page_without_javascript_says_so_and_offers_archives_and_tags(site):
    page = site.page("search/")
    assert "needs JavaScript" in page.xpath("string(//noscript)")
    links = page.xpath("//*[@data-search]//a/@href")
    assert "../archives/" in links and "../tags/" in links


def _plain_site(root):
    (root / "index.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><title>x</title></head>"
        "<body><h1>Listing</h1><p>words</p></body></html>",
        encoding="utf-8",
    )
    return root


def test_a_site_without_marked_pages_is_not_indexed_at_all(tmp_path, caplog):
    """Pagefind would index every page, drafts and listings too."""
    with caplog.at_level(logging.WARNING):
        assert build_index(_plain_site(tmp_path)) is None
    assert "data-pagefind-body" in caplog.text
    assert not (tmp_path / "pagefind").exists()


def test_a_missing_binary_is_a_warning_and_the_build_goes_on(
    tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(search_plugin, "get_executable", lambda: None)
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path)
    assert "Pagefind binary is missing" in caplog.text
    assert site.exists("posts/networking-theory/")
    assert not (tmp_path / "pagefind").exists()


def test_a_failing_pagefind_is_a_warning(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(search_plugin, "get_executable", lambda: "/bin/false")
    with caplog.at_level(logging.WARNING):
        assert build_index(_plain_site(tmp_path)) is None
    assert "Pagefind failed (exit 1)" in caplog.text


def test_indexing_can_be_turned_off(tmp_path):
    build_site(tmp_path, SEARCH_INDEX=False)
    assert not (tmp_path / "pagefind").exists()
    assert (tmp_path / "search" / "index.html").is_file()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("SEARCH_INDEX", "yes"),
        ("SEARCH_BUNDLE_DIR", "../elsewhere"),
        ("SEARCH_IGNORE_SELECTORS", "form"),
        ("SEARCH_CACHE_PATH", 42),
        ("SEARCH_ROOT_SELECTOR", ""),
        ("SEARCH_SAVE_AS", None),
    ],
)
def test_an_unusable_setting_is_named_and_its_default_used(key, value, caplog):
    class FakePelican:
        settings = {
            key: value,
            "CACHE_PATH": "cache",
            "THEME": "theme",
            "DIRECT_TEMPLATES": ["index"],
        }

    with caplog.at_level(logging.WARNING):
        check_settings(FakePelican())
    [message] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert key in message and repr(value) in message
    assert f"using the default {DEFAULTS[key]!r}" in message
    if key != "SEARCH_CACHE_PATH":  # (None: the default, then resolved)
        assert FakePelican.settings[key] == DEFAULTS[key]


def test_a_bad_setting_does_not_stop_the_build(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        site = build_site(tmp_path, SEARCH_BUNDLE_DIR="/")
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [w for w in warnings if "SEARCH_BUNDLE_DIR" in w]
    entry = json.loads(site.text("pagefind/pagefind-entry.json"))
    assert entry["languages"]["en"]["page_count"] == len(INDEXED)
    # The theme includes the plugin's search box: no warning that it lacks it.
    assert not [w for w in warnings if "pagefind_search/box.html" in w]


def test_the_theme_search_page_wraps_the_plugin_partial(site):
    """The theme's search.html (its heading and intro), not the plugin's
    fallback, around the one copy of the form and results."""
    page = site.page("search/")
    assert page.xpath("//main/p[@class='search-intro']")
    [script] = page.xpath("//main//script/@src")
    assert script.startswith("../theme/pagefind_search/search.js")
    assert not page.xpath("//link[contains(@href, 'pagefind_search/search.css')]")
