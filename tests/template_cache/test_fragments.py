"""template_cache's `{% cache %}` tag: a block rendered once a build for
each key, and a site that is byte for byte the one rendered without it."""

from __future__ import annotations

import collections

import pytest
from jinja2 import DictLoader, Environment
from template_cache.fragments import FragmentCache

from tests.harness import build_site, tree_bytes


def environment(templates: dict[str, str]) -> Environment:
    return Environment(
        loader=DictLoader(templates), autoescape=True, extensions=[FragmentCache]
    )


class Calls:
    """A template global that counts how often the block calling it ran."""

    def __init__(self):
        self.count = 0

    def __call__(self) -> int:
        self.count += 1
        return self.count


def test_a_block_is_rendered_once_for_each_key():
    calls = Calls()
    env = environment({"t": "{% cache 'k', x %}{{ x }}:{{ calls() }}{% endcache %}"})
    template = env.get_template("t")
    assert template.render(x="a", calls=calls) == "a:1"
    assert template.render(x="a", calls=calls) == "a:1"
    assert template.render(x="b", calls=calls) == "b:2"
    assert calls.count == 2


def test_cached_markup_is_escaped_once():
    env = environment({"t": "{% cache 'k' %}<b>{{ text }}</b>{% endcache %}"})
    template = env.get_template("t")
    first = template.render(text="<i>")
    assert first == "<b>&lt;i&gt;</b>"
    assert template.render(text="<i>") == first


def test_with_the_cache_off_every_block_is_rendered():
    calls = Calls()
    env = environment({"t": "{% cache 'k' %}{{ calls() }}{% endcache %}"})
    env.fragment_cache_enabled = False
    template = env.get_template("t")
    assert [template.render(calls=calls) for _ in range(3)] == ["1", "2", "3"]


def test_every_environment_starts_empty():
    """Pelican makes new environments for every build (autoreload too), so
    no build is served an earlier build's fragments."""
    calls = Calls()
    templates = {"t": "{% cache 'k' %}{{ calls() }}{% endcache %}"}
    assert environment(templates).get_template("t").render(calls=calls) == "1"
    assert environment(templates).get_template("t").render(calls=calls) == "2"


@pytest.fixture
def summaries(monkeypatch):
    """How many times each post's listing summary is rendered, by post."""
    rendered = collections.Counter()
    render = FragmentCache._render

    def counting(self, key, caller):
        def counted():
            if key[0] == "summary":
                rendered[key[1]] += 1
            return caller()

        return render(self, key, counted)

    monkeypatch.setattr(FragmentCache, "_render", counting)
    return rendered


def test_a_post_listed_on_many_pages_is_rendered_once_for_each_siteurl(
    tmp_path, summaries
):
    """The theory post is listed on the home page, its category's page and
    the page of each of its tags. With RELATIVE_URLS (the preview), each
    depth of page has its own SITEURL: "." for the home page, "../.." for
    category and tag pages."""
    site = build_site(tmp_path / "site")
    listed = [
        path
        for path in site.root.rglob("index.html")
        if b"posts/networking-theory/" in path.read_bytes()
        and b'class="summary"' in path.read_bytes()
    ]
    assert len(listed) >= 4
    [(post, count)] = summaries.items()
    assert post.endswith("networking-theory.md")
    assert count == 2


@pytest.mark.parametrize("settings_file", ["pelicanconf.py", "publishconf.py"])
def test_the_site_is_the_same_with_the_fragment_cache_off(tmp_path, settings_file):
    """Nothing in a cached block depends on the page it is rendered in: the
    preview (relative URLs) and production (absolute) sites are byte for
    byte what they are when every block is rendered every time."""
    cached = build_site(tmp_path / "cached", settings_file=settings_file)
    every_time = build_site(
        tmp_path / "every-time",
        settings_file=settings_file,
        TEMPLATE_FRAGMENT_CACHE=False,
    )
    assert tree_bytes(cached.root) == tree_bytes(every_time.root)
