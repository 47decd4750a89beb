"""`{% cache key, ... %}...{% endcache %}`: a block rendered once per build.

A post's summary in a listing is the same wherever it is listed: on the
home page, its category's page, the page of each of its tags. Jinja
renders it afresh every time (ten times a post on a site with many tags).
A block in `{% cache %}` is rendered the first time its key is met and
its output reused after, as Django's `{% cache %}` tag and Hugo's
`partialCached` do, and as the fragment cache in Jinja's own documentation
of extensions does.

The block may use only what its key names and what is the same for the
whole build (settings such as SITEURL): never the page it is rendered in.
The cache is on the Jinja environment, which Pelican makes afresh for every
generator and every build, so `--autoreload` never sees an older build's
fragments. With TEMPLATE_FRAGMENT_CACHE = False the blocks are rendered
every time (the tests compare the two sites byte for byte).
"""

from __future__ import annotations

from jinja2 import nodes
from jinja2.ext import Extension


class FragmentCache(Extension):
    """The `cache` tag: `{% cache "summary", article.source_path %}`."""

    tags = {"cache"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache={}, fragment_cache_enabled=True)

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_render", [nodes.Tuple(key, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, key: tuple, caller) -> str:
        if not self.environment.fragment_cache_enabled:
            return caller()
        cache = self.environment.fragment_cache
        try:
            return cache[key]
        except KeyError:
            rendered = cache[key] = caller()
            return rendered
