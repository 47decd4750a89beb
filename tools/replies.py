"""Fetch the replies to every published post: `make replies [FULL=1]`.

`python tools/replies.py --settings publishconf.py [--full] [--post content/posts/x.md]`

The social_replies package's `pelican-replies` command (its fetch.py), run
with this site's root on the path: asks webmention.io, and the Mastodon
status and Bluesky post each post's metadata names, for what is new, and
stores it in content/replies/ (one JSON file per post, plus avatars), where
builds read it without touching the network. See
plugins/social_replies/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script: the site's root (for publishconf.py's `from pelicanconf
# import *`) is not on the path yet.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pelican.plugins.social_replies.fetch import command, main  # noqa: E402

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(command())
