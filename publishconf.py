"""Production settings (`make publish`): pelicanconf.py plus overrides only.

Set the site's public address with the SITEURL environment variable:
    SITEURL=https://whoyouknow.example make publish
How to put output/ on a static host: docs/publishing.md.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

# An empty SITEURL (an unset CI variable) means the default too.
SITEURL = (os.environ.get("SITEURL") or "https://whoyouknow.example").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# A sitemap of every published article, page and listing. Plain text, not
# XML: the XML sitemap stamps every listing page with the build time as its
# <lastmod>, so two builds of the same content would differ; a text sitemap
# (one absolute URL a line) is as good for search engines and reproducible.
# Drafts and hidden pages (the 404 page) are left out by the plugin itself.
PLUGINS = ["pelican.plugins.sitemap", *PLUGINS, "pelican.plugins.precompress"]  # noqa: F405
# robots.txt names it (theme/templates/robots.html) and is not in it.
SITEMAP = {"format": "txt", "exclude": [r"^robots\.txt$"]}

# For CDNs and static hosts (docs/publishing.md): a _headers file with the
# Content-Security-Policy and cache lifetimes (plugins/static_hosting), and
# .gz and .br copies of every text file, for hosts that serve them as they
# are (pelican-precompress, last in PLUGINS: it compresses what the others
# wrote). Files under 1 KiB gain too little to be worth a second copy.
STATIC_HOSTING_HEADERS = True
PRECOMPRESS_GZIP = True
PRECOMPRESS_BROTLI = True
PRECOMPRESS_ZOPFLI = False
PRECOMPRESS_MIN_SIZE = 1024
PRECOMPRESS_TEXT_EXTENSIONS = {
    ".atom",
    ".css",
    ".html",
    ".ics",
    ".js",
    ".json",
    ".rss",
    ".svg",
    ".txt",
    ".xml",
}
