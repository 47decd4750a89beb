"""Production settings (`make publish`): pelicanconf.py plus overrides only.

Set the site's public address with the SITEURL environment variable:
    SITEURL=https://whoyouknow.example make publish
How to put output/ on a static host: docs/publishing.md.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://whoyouknow.example").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# A sitemap of every published article, page and listing. Plain text, not
# XML: the XML sitemap stamps every listing page with the build time as its
# <lastmod>, so two builds of the same content would differ; a text sitemap
# (one absolute URL a line) is as good for search engines and reproducible.
# Drafts and hidden pages (the 404 page) are left out by the plugin itself.
PLUGINS = [*PLUGINS, "pelican.plugins.sitemap"]  # noqa: F405
# robots.txt names it (theme/templates/robots.html) and is not in it.
SITEMAP = {"format": "txt", "exclude": [r"^robots\.txt$"]}
