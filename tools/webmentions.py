"""Send webmentions for the published posts: `make webmentions [DRY_RUN=1]`.

Reads the posts as `make publish` builds them (publishconf.py, so SITEURL
from the environment gives each post its public address), finds every
external link, discovers the linked page's Webmention endpoint and sends
to it what is new since the last run; content/replies/sent/webmentions.json remembers
what was sent. `--dry-run` says what it would send, and sends and writes
nothing. See plugins/social_replies/README.md, "Sending".
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pelican.plugins.social_replies.posts import published_posts
from pelican.plugins.social_replies.send import SentStateError, send_webmentions

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", type=Path, default=ROOT / "publishconf.py")
    parser.add_argument(
        "--content-dir", type=Path, help="the content folder (default: PATH)"
    )
    parser.add_argument(
        "--post", type=Path, help="only this post (its Markdown file)", default=None
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="discover endpoints and say what would be sent; send and write nothing",
    )
    args = parser.parse_args(argv)
    override = {"PATH": str(args.content_dir.resolve())} if args.content_dir else {}
    settings, posts = published_posts(args.settings, **override)
    if args.post:
        wanted = args.post.resolve()
        posts = [post for post in posts if post.source_path == wanted]
        if not posts:
            print(f"error: {args.post} is not a published post", file=sys.stderr)
            return 2
    if args.dry_run:
        print("Dry run: nothing is sent and nothing is written.")
    try:
        send_webmentions(settings, posts, dry_run=args.dry_run)
    except SentStateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    sys.exit(main())
