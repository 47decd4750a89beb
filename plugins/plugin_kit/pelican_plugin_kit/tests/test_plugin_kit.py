"""PluginFiles in real Pelican builds with Pelican's default theme."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pelican import Pelican, signals
from pelican.settings import read_settings
from pelican_plugin_kit import PluginFiles

LOGGER = logging.getLogger("demo")


@pytest.fixture
def demo(tmp_path):
    """A plugin package `demo` with one partial and one static file."""
    package = tmp_path / "demo"
    (package / "templates" / "demo").mkdir(parents=True)
    (package / "templates" / "demo" / "box.html").write_text(
        '<aside class="demo-box">{{ article.title }}</aside>'
    )
    (package / "static" / "demo").mkdir(parents=True)
    (package / "static" / "demo" / "demo.css").write_text(".demo-box{}")
    return PluginFiles("demo", package, "box.html", where="its article.html")


def build(tmp_path, files, *, theme_article=None, **override):
    """A one-post site with the default theme (or a copy whose article.html
    is `theme_article`), `files` connected as a plugin would connect it."""
    content = tmp_path / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "post.rst").write_text("A post\n######\n\n:date: 2026-01-01\n\nBody.\n")
    if theme_article is not None:
        theme = tmp_path / "theme" / "templates"
        theme.mkdir(parents=True, exist_ok=True)
        (theme / "article.html").write_text(theme_article)
        override["THEME"] = str(tmp_path / "theme")
    settings = read_settings(
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(tmp_path / "output"),
            "PLUGINS": [],
            "CACHE_CONTENT": False,
            **override,
        }
    )
    signals.initialized.connect(files.add_static)
    signals.generator_init.connect(files.add_templates)

    def check(generator):
        files.warn_if_theme_lacks(generator.env, LOGGER)

    signals.article_generator_finalized.connect(check)
    try:
        Pelican(settings).run()
    finally:
        signals.initialized.disconnect(files.add_static)
        signals.generator_init.disconnect(files.add_templates)
        signals.article_generator_finalized.disconnect(check)
    return tmp_path / "output"


def test_a_theme_includes_the_partial_in_one_line(tmp_path, demo, parse, caplog):
    article = '{% extends "!simple/article.html" %}{% block content %}'
    article += '{{ super() }}{% include "demo/box.html" %}{% endblock %}'
    output = build(tmp_path, demo, theme_article=article)
    page = parse(output / "a-post.html")
    assert page.find(".//aside[@class='demo-box']").text == "A post"
    assert (output / "theme" / "demo" / "demo.css").read_text() == ".demo-box{}"
    assert "does not include" not in caplog.text


def test_the_default_theme_gets_the_warning_with_the_line_to_paste(
    tmp_path, demo, caplog
):
    with caplog.at_level(logging.WARNING, logger="demo"):
        build(tmp_path, demo)
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "demo"]
    assert warning == (
        'demo: the theme does not include "demo/box.html"; add '
        '{% include "demo/box.html" %} to its article.html'
    )


def test_a_comment_naming_the_partial_is_not_an_include(tmp_path, demo, caplog):
    article = '{# {% include "demo/box.html" %} #}{% extends "!simple/article.html" %}'
    with caplog.at_level(logging.WARNING, logger="demo"):
        build(tmp_path, demo, theme_article=article)
    assert "does not include" in caplog.text


def test_the_theme_overrides_a_partial(tmp_path, demo, parse):
    article = '{% extends "!simple/article.html" %}{% block content %}'
    article += '{% include "demo/box.html" %}{% endblock %}'
    overrides = tmp_path / "overrides" / "demo"
    overrides.mkdir(parents=True)
    (overrides / "box.html").write_text('<aside class="theirs"></aside>')
    output = build(
        tmp_path,
        demo,
        theme_article=article,
        THEME_TEMPLATES_OVERRIDES=[str(tmp_path / "overrides")],
    )
    page = parse(output / "a-post.html")
    assert page.find(".//aside[@class='theirs']") is not None
    assert page.find(".//aside[@class='demo-box']") is None


def test_two_builds_each_read_their_own_theme(tmp_path, demo, caplog):
    included = '{% extends "!simple/article.html" %}{% block content %}'
    included += '{% include "demo/box.html" %}{% endblock %}'
    build(tmp_path / "one", demo, theme_article=included)
    assert "does not include" not in caplog.text
    with caplog.at_level(logging.WARNING, logger="demo"):
        build(tmp_path / "two", demo)
    assert "does not include" in caplog.text


def test_static_paths_are_a_new_list_and_added_once(demo):
    shared = ["static"]

    class FakePelican:
        settings = {"THEME_STATIC_PATHS": shared}

    demo.add_static(FakePelican)
    demo.add_static(FakePelican)
    assert FakePelican.settings["THEME_STATIC_PATHS"] == ["static", str(demo.static)]
    assert shared == ["static"]


def test_the_include_line(demo):
    assert demo.include_line() == '{% include "demo/box.html" %}'
    assert Path(demo.templates).name == "templates"
