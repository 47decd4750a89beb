"""Send webmentions for the published posts: `make webmentions [DRY_RUN=1]`.

`python tools/webmentions.py --settings publishconf.py [--dry-run] [--post FILE]`

The social_replies package's `pelican-webmentions` command (its send.py),
run with this site's root on the path: reads the posts as `make publish`
builds them (publishconf.py, so SITEURL from the environment gives each
post its public address), finds every external link, discovers the linked
page's Webmention endpoint and sends to it what is new since the last run;
content/replies/sent/webmentions.json remembers what was sent. `--dry-run`
says what it would send, and sends and writes nothing. See
plugins/social_replies/README.md, "Sending".
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script: the site's root (for publishconf.py's `from pelicanconf
# import *`) is not on the path yet.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pelican.plugins.social_replies.send import command, main  # noqa: E402

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(command())
