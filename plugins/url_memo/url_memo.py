"""Each post's and page's `url` and `save_as` worked out once a build.

Pelican works a content's `url` out afresh every time it is read: it copies
the metadata, makes the source path relative and formats ARTICLE_URL (or
DRAFT_URL, PAGE_URL, their LANG_ forms). A template reads it wherever the
post is linked (listings, tag pages, read next, series boxes, feeds,
sitemap), about 16 times a post on the benchmark's `tags` corpus.

Once a generator and every plugin are done with its content (the end of
its `generate_context`: `article_generator_finalized` for posts,
`page_generator_finalized` for pages, `all_generators_finalized` for the
rest; this plugin's receiver last at each), nothing changes what a post's
URL is: the plugin then stores each one where Pelican looks first,
`override_url` and `override_save_as` (where a post's own `URL` and
`Save_as` metadata go), so every later read is an attribute, the reads
of the plugins that work when all generators are done (reading's "read
next", search, share_cards) included. Bridgetown memoized its resources'
URLs the same way (bridgetownrb/bridgetown#915). A plugin that changes a
post's slug must do it by `article_generator_finalized`.

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

# Where the URLs gathered so far are fixed: the end of the articles' and the
# pages' generate_context, and of every generator's (series intros).
FIXED_AT = (
    signals.article_generator_finalized,
    signals.page_generator_finalized,
    signals.all_generators_finalized,
)


class UrlMemo:
    """The posts and pages of the build under way, until their URLs are fixed."""

    def __init__(self):
        self.contents: list = []

    def start(self, pelican) -> None:
        """A new build: nothing gathered yet. Also makes `fix` the last
        receiver of each signal it is connected to."""
        self.contents = []
        # Blinker calls receivers in the order they were first connected,
        # and keeps that order for every later build in the process; by
        # `initialized` every plugin has registered, so reconnecting puts
        # this one after them all (as static_hosting does for `finalized`).
        for signal in FIXED_AT:
            signal.disconnect(self.fix)
            signal.connect(self.fix)

    def gather(self, content) -> None:
        if isinstance(content, (Article, Page)):
            self.contents.append(content)

    def fix(self, sender) -> None:
        """Store the URL of each post and page gathered so far where Pelican
        reads it first."""
        contents, self.contents = self.contents, []
        for content in contents:
            content.override_url = content.url
            content.override_save_as = content.save_as


MEMO = UrlMemo()


def register():
    signals.initialized.connect(MEMO.start)
    signals.content_object_init.connect(MEMO.gather)
    for signal in FIXED_AT:
        signal.connect(MEMO.fix)
