"""The share cards of a pull request's changed posts, as Markdown.

The pull-request workflow (.github/workflows/pr.yml) pipes the posts the
pull request changed into it and appends what it prints to the run's
summary:

    git diff --name-only ... -- content/posts \\
        | python tools/pr_summary.py --output output --cards share-cards -

For each post: its title and summary, its page, and where its share card is
inside the uploaded build, with the card's alt text, all read from the page
the build wrote (its Open Graph tags). Pelican reads the post with the
production settings to find that page, so its slug, and whether it is a
draft, are the build's own. A summary cannot show the cards themselves:
GitHub drops images with `data:` addresses from it, and an artifact's files
have no address an image could load. So `--cards` copies each card into a
folder, under the path it has in the build, for a small artifact of its own.
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pelican import Pelican
from pelican.contents import Article
from pelican.readers import Readers
from pelican.settings import read_settings

SITE_ARTIFACT = "site-preview"
CARDS_ARTIFACT = "share-cards"


def escape(text: str) -> str:
    """`text` shown as it is in Markdown: every ASCII punctuation character
    backslash-escaped (so no link, emphasis or HTML tag can come of it), on
    one line."""
    text = " ".join(text.split())
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def code(text: str) -> str:
    """`text` as a code span, whatever backticks it holds."""
    text = " ".join(text.split())
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


class _HeadMeta(HTMLParser):
    """The `<meta property|name=... content=...>` tags of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key and key not in self.meta:
                self.meta[key] = attrs.get("content") or ""
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def page_meta(page: Path) -> _HeadMeta:
    parser = _HeadMeta()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def site_path(url: str, siteurl: str) -> str:
    """The path inside the build of an address on the site ("" if it is not
    on the site)."""
    siteurl = siteurl.rstrip("/")
    if siteurl and url.startswith(siteurl + "/"):
        url = url[len(siteurl) :]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return ""
    return unquote(parts.path).lstrip("/")


def serve_hint(siteurl: str) -> str:
    """How to browse the unzipped build, when it was built for this machine."""
    parts = urlsplit(siteurl)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost"):
        return ""
    port = parts.port or 80
    return (
        f" It links to {escape(siteurl)}: unzip it and run "
        f"{code(f'python3 -m http.server {port} --bind {parts.hostname}')} "
        f"in its folder, then open {escape(siteurl + '/')}."
    )


def post_entry(
    source: str, settings: dict, readers: Readers, output: Path, cards: Path | None
) -> list[str]:
    """The Markdown lines for one changed file (none when it is not a post)."""

    def note(text: str) -> list[str]:
        return [f"### {code(source)}", "", text, ""]

    content_root = Path(settings["PATH"]).resolve()
    path = Path(source).resolve()
    if path.suffix.lstrip(".") not in readers.extensions:
        return []  # an image or another file beside the posts
    if not path.is_file():
        return note("Removed from the content.")
    try:
        relative = path.relative_to(content_root).as_posix()
    except ValueError:
        return note("Not in the content folder.")
    try:
        article = readers.read_file(
            base_path=str(content_root),
            path=relative,
            content_class=Article,
            context=settings.copy(),
        )
    except Exception as error:  # as the build does: say so, go on
        logging.getLogger(__name__).warning("Could not read %s", source, exc_info=True)
        return note(f"Pelican cannot read it: {escape(str(error))}")
    page = output / article.save_as
    if not page.is_file():
        expected = code(article.save_as)
        return note(
            f"The build wrote no page for it (expected {expected}): "
            "see the build's warnings about this file."
        )
    head = page_meta(page)
    title = head.meta.get("og:title") or head.title or source
    lines = [f"### {escape(title)}", ""]
    if description := head.meta.get("og:description"):
        lines += [escape(description), ""]
    state = " (a draft: an unlisted preview page)" if article.status == "draft" else ""
    lines.append(f"- Post: {code(source)}, page {code(article.save_as)}{state}")
    card = site_path(head.meta.get("og:image", ""), settings["SITEURL"])
    if card and (output / card).is_file():
        size = "x".join(
            head.meta.get(f"og:image:{side}", "?") for side in ("width", "height")
        )
        where = f"in {code(SITE_ARTIFACT)}"
        if cards is not None:
            copy = cards / card
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(output / card, copy)
            where += f" and {code(CARDS_ARTIFACT)}"
        lines.append(f"- Share card: {code(card)} ({size}), {where}")
        if alt := head.meta.get("og:image:alt"):
            lines.append(f"- Card text: {escape(alt)}")
    else:
        lines.append("- Share card: none in the build")
    return [*lines, ""]


def summary(
    changed: list[str],
    output: Path,
    settings_file: str = "publishconf.py",
    cards: Path | None = None,
) -> str:
    """The Markdown for the run's summary."""
    settings = read_settings(settings_file)
    Pelican(settings)  # loads the plugins, as the build did
    readers = Readers(settings)
    lines = ["## Share cards of the changed posts", ""]
    intro = (
        f"The production build of this pull request is the run's "
        f"{code(SITE_ARTIFACT)} artifact.{serve_hint(settings['SITEURL'])}"
    )
    if cards is not None:
        intro += (
            f" The cards alone, under the same paths, are the "
            f"{code(CARDS_ARTIFACT)} artifact."
        )
    lines += [intro, ""]
    entries = []
    for source in changed:
        entries += post_entry(source, settings, readers, output, cards)
    return "\n".join(lines + (entries or ["No post changed.", ""]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "changed",
        nargs="*",
        help="the changed files, relative to the current folder; - reads them "
        "from standard input, one a line",
    )
    parser.add_argument("--output", type=Path, default=Path("output"))
    parser.add_argument("--settings", default="publishconf.py")
    parser.add_argument(
        "--cards", type=Path, help="copy the changed posts' cards into this folder"
    )
    args = parser.parse_args(argv)
    changed = args.changed
    if changed == ["-"]:
        changed = [line.strip() for line in sys.stdin if line.strip()]
    if not args.output.is_dir():
        print(f"error: no build in {args.output}", file=sys.stderr)
        return 2
    sys.stdout.write(summary(changed, args.output, args.settings, args.cards))
    return 0


if __name__ == "__main__":
    logging.basicConfig(format="%(levelname)s: %(message)s", level=logging.WARNING)
    sys.exit(main())
