"""Production settings (`make publish`): pelicanconf.py plus overrides only.

Set the site's public address with the SITEURL environment variable:
    SITEURL=https://whoyouknow.example make publish
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://whoyouknow.example").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
