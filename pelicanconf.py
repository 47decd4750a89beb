"""Settings for building Who You Know locally (`make html`, `make serve`).

`publishconf.py` imports everything here and overrides only what production
needs. Plugin settings keep their defaults inside each plugin; set one here
only to change it.
"""

import os

# ---------------------------------------------------------------------------
# Site owner: edit these.
# ---------------------------------------------------------------------------

SITENAME = "Who You Know"
SITESUBTITLE = "Networking for business and career"

# The blog's own author. A neutral placeholder: replace it with your name
# (and rename content/authors/site-author.md to match the new slug).
AUTHOR = "Site Author"

SITEURL = ""  # local preview; publishconf.py sets the real address
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# ---------------------------------------------------------------------------
# Content, theme and plugins.
# ---------------------------------------------------------------------------

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]

THEME = "theme"

# Our plugins are distributions of their own, in plugins/ (each a
# `pelican.plugins.*` namespace package; see plugins/README.md), installed
# into .venv by the Makefile from requirements-plugins.txt. Pelican finds
# installed plugins by name: no PLUGIN_PATHS. PLUGINS is set all the same,
# for the order below and so that nothing else installed joins the build.
PLUGINS = [
    "series_nav",
    "author_bios",
    "network_checklist",
    "feeds",
    "share_cards",
    "typography",
    # Photos in posts resized (srcset, AVIF, metadata removed) and their
    # originals kept out of the output. It rewrites the post bodies once
    # every post is read, before anything renders them: reading's word
    # count, feeds and the search index all see the <picture>s.
    "responsive_images",
    # After series_nav: reads `article.series` (at all_generators_finalized).
    "reading",
    # Indexes the written site with Pagefind when the build is finalized.
    "pagefind_search",
    "metadata_check",
    # Replies, reposts and likes from Mastodon, Bluesky and the web under
    # each post, read from content/replies/ (`make replies` fetches them;
    # the build never goes online); also hands static_hosting the Link
    # header that advertises REPLIES_WEBMENTION_ENDPOINT in _headers.
    "social_replies",
    # Fingerprinted theme assets; in production also the _headers file
    # (written after every other plugin's files, wherever it is listed).
    "static_hosting",
]

# The Content-Security-Policy: one source for the <meta> tag every page
# carries (theme/templates/base.html) and for the HTTP header that
# `make publish` writes into _headers (plugins/static_hosting), which adds
# frame-ancestors 'none' (a <meta> policy cannot carry it).
# No inline script or style, nothing from another host. connect-src is
# 'self', not 'none': crawlers' audits (Lighthouse's robots.txt check) fetch
# from the page, the search page fetches its index, and the preview's
# livereload.js opens its WebSocket to the page's own host and port.
# form-action 'self': the header's search form is a plain GET to the search
# page, so it works without JavaScript; no form posts anywhere else. Search
# needs nothing more in a page: Pagefind compiles its WebAssembly in its own
# worker (same origin, under worker-src 'self'), which a page's <meta>
# policy does not cover (see plugins/pagefind_search/README.md).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)

# The site navigation, in order: (label, URL relative to SITEURL).
MENU_LINKS = [
    ("Home", ""),
    ("Series", "series/"),
    ("Archives", "archives/"),
    ("Authors", "authors/"),
    ("Network audit", "network-audit/"),
    ("Subscribe", "subscribe/"),
    ("About", "about/"),
]
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

DEFAULT_PAGINATION = 10

# Scheduled posts: a post dated in the future is held back (Pelican makes it
# a draft, and series_nav shows a series part as "scheduled for" its date);
# the first build after that moment publishes it, with no edit. Pair it with
# a scheduled build (.github/workflows/deploy.yml runs daily).
WITH_FUTURE_DATES = False

# Where Pelican's content cache is on (CACHE_CONTENT = True, as in
# `make bench`'s rebuild rows), keep it uncompressed: Pelican rewrites it on
# every build, and compressing it (gzip, level 9) took 0.28 s of an 8.4 s
# rebuild of 1,000 short posts, for a cache of 3.8 MB (0.6 MB compressed).
GZIP_CACHE = False

# Replies (plugins/social_replies): where other sites send webmentions to
# this one, advertised on every page (<link rel="webmention">) and in
# production's _headers (Link). None: the site advertises no endpoint.
# webmention.io gives one for your domain after you sign in there, e.g.
# REPLIES_WEBMENTION_ENDPOINT = "https://webmention.io/whoyouknow.example/webmention"

# Share cards (plugins/share_cards): the Open Graph locale, and the site's
# own X account for twitter:site (None: not said).
SHARE_CARDS_LOCALE = "en_GB"
SHARE_CARDS_TWITTER_SITE = None

# Pelican's Jinja environment does not escape by default: ours does, so no
# metadata value (title, summary, name) can reach a page as live markup.
# Templates mark the trusted HTML (rendered post bodies) with |safe.
# auto_reload off: Jinja would stat every template file at every render
# (tens of thousands of calls on a large site); Pelican builds a new
# environment for every (re)build, so `make devserver` still sees edits.
# No bytecode cache between builds: Jinja folds `"x" is plugin_enabled`
# into the compiled template, and a cache keyed on the template's source
# would serve a build the templates compiled for another PLUGINS list.
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": [],
    "autoescape": True,
    "auto_reload": False,
}

# Curly quotes, dashes and ellipses come from the typography plugin (in
# PLUGINS), which adds its extension here: the same HTML as Python-Markdown's
# smarty, which cost as much as the rest of the Markdown conversion.
MARKDOWN = {
    "extension_configs": {
        # Heading ids and permalinks. No [TOC] marker: the reading plugin
        # gives long posts their contents list, and looking for the marker
        # walked every post's tree once more.
        "markdown.extensions.toc": {
            "permalink": "#",
            "permalink_title": "Link to this section",
            "marker": "",
        },
        "markdown.extensions.attr_list": {},
        "markdown.extensions.fenced_code": {},
        "markdown.extensions.meta": {},
    },
    "output_format": "html5",
}

# ---------------------------------------------------------------------------
# URLs: "pretty" folder URLs. Every listing paginates into its own folder,
# so a tag "tag3" (tag/tag3/page/2/) can never collide with "tag32"
# (tag/tag32/), the trap of Pelican's default "{name}{number}" patterns.
# ---------------------------------------------------------------------------

ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
ARTICLE_LANG_URL = "posts/{slug}/{lang}/"
ARTICLE_LANG_SAVE_AS = "posts/{slug}/{lang}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
DRAFT_LANG_URL = "drafts/{slug}/{lang}/"
DRAFT_LANG_SAVE_AS = "drafts/{slug}/{lang}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "{slug}/{lang}/"
PAGE_LANG_SAVE_AS = "{slug}/{lang}/index.html"
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"

# robots.txt is a theme template (theme/templates/robots.html), so it can
# name the sitemap's absolute address in production. The search page
# (theme/templates/search.html) is added by the pagefind_search plugin, as
# the direct template "search", written to SEARCH_SAVE_AS (search/).
DIRECT_TEMPLATES = [
    "index",
    "tags",
    "categories",
    "authors",
    "archives",
    "robots",
]
ROBOTS_SAVE_AS = "robots.txt"

PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# ---------------------------------------------------------------------------
# Feeds: Pelican's own feed writer is off; the feeds plugin owns feeds/.
# ---------------------------------------------------------------------------

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# The page that explains feeds (content/pages/subscribe.md), linked as
# "what is this?" beside every "Follow this series/author" line.
FEEDS_SUBSCRIBE_URL = "subscribe/"

# ---------------------------------------------------------------------------
# Local preview.
# ---------------------------------------------------------------------------

RELATIVE_URLS = True
# Feeds need absolute links even in a preview: the preview server's address,
# which the Makefile passes from PORT and BIND (`make serve PORT=8080`).
# None: write no feeds in local builds.
FEEDS_PREVIEW_SITEURL = os.environ.get("PREVIEW_SITEURL", "http://127.0.0.1:8000")
