"""static_hosting on its own: small sites built with Pelican into tmp_path,
in Pelican's default theme and in a tiny theme that uses `fingerprint`.

Run from the package folder: `cd plugins/static_hosting && pytest`.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from pelican.plugins.static_hosting.static_hosting import DEFAULTS, check_settings
from pelican_plugin_kit.testing import build_site, warnings

THEME = Path(__file__).parent / "test_data" / "theme"
POLICY = "default-src 'self'; img-src 'self' data:"
LOGGER = "pelican.plugins.static_hosting"


def build(tmp_path, **settings):
    """One post, built with the plugin; the output folder."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "post.md").write_text(
        "Title: Post\nDate: 2026-01-10\n\nBody.\n", encoding="utf-8"
    )
    return build_site(
        content, tmp_path / "output", ["static_hosting"], feeds=True, **settings
    )


def parse_headers(text):
    """_headers as Netlify and Cloudflare read it: {path: {name: value}}."""
    rules, path = {}, None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            path = line.strip()
            rules[path] = {}
        else:
            name, value = line.strip().split(":", 1)
            rules[path][name] = value.strip()
    return rules


def test_default_theme_gets_headers_for_every_top_level_entry(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(
            tmp_path,
            STATIC_HOSTING_HEADERS=True,
            CONTENT_SECURITY_POLICY=POLICY,
            STATIC_HOSTING_PAGE_HEADERS={"Link": '<https://wm.example/>; rel="x"'},
        )
    assert warnings(caplog, LOGGER) == []
    rules = parse_headers((output / "_headers").read_text(encoding="utf-8"))
    assert rules["/*"]["X-Content-Type-Options"] == "nosniff"
    assert rules["/theme/*"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert rules["/post.html"]["Cache-Control"] == "public, max-age=300"
    assert rules["/post.html"]["Content-Security-Policy"] == (
        f"{POLICY}; frame-ancestors 'none'"
    )
    # Page headers go with pages only.
    assert rules["/post.html"]["Link"] == '<https://wm.example/>; rel="x"'
    assert "Link" not in rules["/theme/*"]
    entries = {entry.name for entry in output.iterdir()} - {"_headers"}
    named = {path.strip("/").removesuffix("/*") for path in rules} - {"*", ""}
    assert named == entries


def test_no_headers_file_unless_asked_for(tmp_path):
    output = build(tmp_path)
    assert (output / "post.html").is_file()
    assert not (output / "_headers").exists()


def test_a_theme_links_its_assets_with_their_content_hash(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, THEME=str(THEME))
    digest = hashlib.sha256((THEME / "static" / "css" / "site.css").read_bytes())
    page = (output / "post.html").read_text(encoding="utf-8")
    assert f'href="/theme/css/site.css?v={digest.hexdigest()[:10]}"' in page
    # A file no theme folder holds: linked as it is, with one warning.
    assert 'href="/theme/css/missing.css"' in page
    (warning,) = warnings(caplog, LOGGER)
    assert "theme/css/missing.css" in warning


BAD_VALUES = [
    ("STATIC_HOSTING_HEADERS", "yes"),
    ("STATIC_HOSTING_HEADERS_SAVE_AS", ""),
    ("STATIC_HOSTING_HEADERS_SAVE_AS", "../_headers"),
    ("STATIC_HOSTING_HEADERS_SAVE_AS", None),
    ("STATIC_HOSTING_ASSET_MAX_AGE", "a year"),
    ("STATIC_HOSTING_ASSET_MAX_AGE", -1),
    ("STATIC_HOSTING_ASSET_MAX_AGE", True),
    ("STATIC_HOSTING_PAGE_MAX_AGE", 2.5),
    ("STATIC_HOSTING_REFERRER_POLICY", "strict-origin\nX-Evil: 1"),
    ("STATIC_HOSTING_REFERRER_POLICY", "nobody"),
    ("STATIC_HOSTING_PAGE_HEADERS", [("Link", "<x>")]),
]


def test_every_setting_has_a_bad_value_here():
    assert {key for key, _value in BAD_VALUES} == set(DEFAULTS)


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_a_bad_setting_is_named_and_replaced_by_its_default(key, value, caplog):
    pelican = SimpleNamespace(settings={key: value})
    with caplog.at_level(logging.WARNING):
        check_settings(pelican)
    assert pelican.settings[key] == DEFAULTS[key]
    (warning,) = warnings(caplog, LOGGER)
    assert key in warning
    assert repr(value) in warning
    assert repr(DEFAULTS[key]) in warning


def test_good_settings_are_kept():
    good = {
        "STATIC_HOSTING_HEADERS_SAVE_AS": "_headers.txt",
        "STATIC_HOSTING_ASSET_MAX_AGE": 0,
        "STATIC_HOSTING_REFERRER_POLICY": "no-referrer, strict-origin",
        "STATIC_HOSTING_PAGE_HEADERS": {"Link": '<https://wm.example/>; rel="x"'},
    }
    pelican = SimpleNamespace(settings=dict(good))
    check_settings(pelican)
    assert pelican.settings.items() >= good.items()


def test_a_page_header_that_would_break_the_file_is_left_out(caplog):
    headers = {"Link": "<https://a.example/>\n/evil", "X-Good": "kept"}
    pelican = SimpleNamespace(settings={"STATIC_HOSTING_PAGE_HEADERS": headers})
    with caplog.at_level(logging.WARNING):
        check_settings(pelican)
    assert pelican.settings["STATIC_HOSTING_PAGE_HEADERS"] == {"X-Good": "kept"}
    (warning,) = warnings(caplog, LOGGER)
    assert "STATIC_HOSTING_PAGE_HEADERS 'Link'" in warning


def test_headers_without_a_policy_are_a_warning_and_no_file(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, STATIC_HOSTING_HEADERS=True)
    (warning,) = warnings(caplog, LOGGER)
    assert "CONTENT_SECURITY_POLICY" in warning
    assert "using False" in warning
    assert (output / "post.html").is_file()
    assert not (output / "_headers").exists()
