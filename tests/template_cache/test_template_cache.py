"""template_cache: a build compiles each template once, whatever number of
generators render it, and writes the same site as without the plugin."""

from __future__ import annotations

import collections

import pytest
from jinja2 import Environment
from pelican import signals
from template_cache import template_cache
from template_cache.fragments import FragmentCache

import pelicanconf
from tests.harness import build_site, disconnected, tree_bytes


@pytest.fixture
def compiles(monkeypatch):
    """How many times each template is compiled, by name."""
    counts = collections.Counter()
    compile_ = Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        counts[name] += 1
        return compile_(self, source, name, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counting)
    return counts


def without_plugin() -> dict:
    """Settings without the plugin. The theme's `{% cache %}` tag is then
    given by JINJA_ENVIRONMENT, as a site without the plugin would."""
    return {
        "PLUGINS": [name for name in pelicanconf.PLUGINS if name != "template_cache"],
        "JINJA_ENVIRONMENT": {
            **pelicanconf.JINJA_ENVIRONMENT,
            "extensions": [FragmentCache],
        },
    }


@pytest.fixture
def unplugged():
    """A build with without_plugin() really goes without (see disconnected)."""
    with disconnected((signals.generator_init, template_cache.prepare_environment)):
        yield


def test_each_template_is_compiled_once_a_build(tmp_path, compiles):
    build_site(tmp_path / "site")
    assert compiles["base.html"] == 1
    assert max(compiles.values()) == 1, compiles.most_common(3)
    # A new build (as --autoreload makes) starts with an empty cache: code
    # compiled for one build's PLUGINS never serves another's.
    build_site(tmp_path / "again")
    assert compiles["base.html"] == 2


def test_without_the_plugin_generators_compile_base_html_again(
    tmp_path, compiles, unplugged
):
    """What the plugin saves: without it base.html is compiled by every
    generator that renders a page."""
    build_site(tmp_path / "site", **without_plugin())
    assert compiles["base.html"] >= 3


def test_the_site_is_the_same_with_and_without_the_plugin(tmp_path, request):
    with_cache = build_site(tmp_path / "with")
    request.getfixturevalue("unplugged")
    without = build_site(tmp_path / "without", **without_plugin())
    assert tree_bytes(with_cache.root) == tree_bytes(without.root)
