"""Each post's and page's `url` and `save_as` worked out once a build.

Pelican works a content's `url` out afresh every time it is read: it copies
the metadata, makes the source path relative and formats ARTICLE_URL (or
DRAFT_URL, PAGE_URL, their LANG_ forms). A template reads it wherever the
post is linked (listings, tag pages, read next, series boxes, feeds,
sitemap), about 16 times a post on the benchmark's `tags` corpus.

Once every generator and plugin is done with the content
(`all_generators_finalized`, this plugin's receiver last), nothing changes
what a post's URL is: the plugin then stores each one where Pelican looks
first, `override_url` and `override_save_as` (where a post's own `URL` and
`Save_as` metadata go), so every later read is an attribute. Bridgetown
memoized its resources' URLs the same way (bridgetownrb/bridgetown#915).

Only posts and pages (Article, Page and their drafts): a static file's
output location may still change while posts are written (Pelican's
`{attach}` links move it), so it keeps Pelican's own lookup.

Per build: the posts and pages are gathered as Pelican makes them
(`content_object_init`) and let go once their URLs are fixed; every build
(`--autoreload` too) starts with none.
"""

from __future__ import annotations

from pelican import signals
from pelican.contents import Article, Page


class UrlMemo:
    """The posts and pages of the build under way, until their URLs are fixed."""

    def __init__(self):
        self.contents: list = []

    def start(self, pelican) -> None:
        """A new build: nothing gathered yet. Also makes `fix` the last
        receiver of `all_generators_finalized`."""
        self.contents = []
        # Blinker calls receivers in the order they were first connected,
        # and keeps that order for every later build in the process; by
        # `initialized` every plugin has registered, so reconnecting puts
        # this one after them all (as static_hosting does for `finalized`).
        signals.all_generators_finalized.disconnect(self.fix)
        signals.all_generators_finalized.connect(self.fix)

    def gather(self, content) -> None:
        if isinstance(content, (Article, Page)):
            self.contents.append(content)

    def fix(self, generators) -> None:
        """Store each URL where Pelican reads it first."""
        contents, self.contents = self.contents, []
        for content in contents:
            content.override_url = content.url
            content.override_save_as = content.save_as


MEMO = UrlMemo()


def register():
    signals.initialized.connect(MEMO.start)
    signals.content_object_init.connect(MEMO.gather)
    signals.all_generators_finalized.connect(MEMO.fix)
