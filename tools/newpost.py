"""Start a new post: `make newpost TITLE="..." [SERIES="..."] [AUTHOR="..."]`.

Writes `<content>/posts/<slug>.md` with its metadata filled in (title, date
now in the site's time zone, slug, author, `Status: draft`) and prints its
path. With a series it adds `Series` and the next free `Series_index`. It
never overwrites a file, and refuses a title that makes no slug.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican.plugins.author_bios import profile_folder, profile_for
from pelican.plugins.series_nav import series_index, series_slug
from pelican.settings import read_settings
from pelican.utils import slugify

ROOT = Path(__file__).resolve().parent.parent

METADATA_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)$")


class NewPostError(Exception):
    """The post cannot be written; the message says why."""


def now(timezone: str) -> dt.datetime:
    """The present moment in the site's time zone (tests freeze it)."""
    return dt.datetime.now(ZoneInfo(timezone))


def site_slugify(text: str, settings: dict) -> str:
    """A slug as Pelican makes it from a title, with the site's settings."""
    return slugify(
        text,
        regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"],
        preserve_case=settings["SLUGIFY_PRESERVE_CASE"],
        use_unicode=settings["SLUGIFY_USE_UNICODE"],
    )


def read_metadata(path: Path) -> dict[str, str]:
    """The `Key: value` lines at the top of a Markdown file, keys lowercased."""
    metadata = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = METADATA_LINE.match(line)
        if not match:
            break  # the blank line (or body) after the metadata
        metadata[match[1].lower()] = match[2].strip()
    return metadata


def next_series_index(posts: Path, series: str, settings: dict) -> int:
    """One more than the highest Series_index of the series' existing parts.

    Parts are matched to the series as series_nav matches them: by its
    series slug (case and spacing do not matter) in the site's default
    language, with series_nav's reading of Series_index.
    """
    default_lang = settings["DEFAULT_LANG"]
    wanted = series_slug(series, settings)
    highest = 0
    for path in sorted(posts.rglob("*.md")):
        metadata = read_metadata(path)
        lang = metadata.get("lang") or default_lang
        if lang != default_lang or "series" not in metadata:
            continue
        index = series_index(metadata.get("series_index"))
        if index is not None and series_slug(metadata["series"], settings) == wanted:
            highest = max(highest, index)
    return highest + 1


def new_post(
    title: str,
    *,
    content: Path,
    settings: dict,
    series: str = "",
    author: str = "",
    template: Path | None = None,
) -> Path:
    """Write the new post's file and return its path.

    With a `template` (docs/templates/), its metadata lines (a Summary to
    write) follow the ones made here, and its body, with its [[...]]
    placeholders that `make check` reports until they are replaced, is the
    post's."""
    title = " ".join(title.split())
    slug = site_slugify(title, settings)
    # Pelican slugifies "—" to "-": a slug needs a letter or digit to name a URL.
    if not any(character.isalnum() for character in slug):
        raise NewPostError(
            f"The title {title!r} has no letters or digits to make a URL from; "
            "choose another title"
        )
    posts = content / settings["ARTICLE_PATHS"][0]
    author = " ".join(author.split()) or settings["AUTHOR"]
    authors = profile_folder(settings, content)
    if profile_for(author, settings, content) is None:
        print(
            f"warning: {author!r} has no profile in {authors}; add one "
            "(see plugins/author_bios/README.md)",
            file=sys.stderr,
        )
    lines = [
        f"Title: {title}",
        f"Date: {now(settings['TIMEZONE']):%Y-%m-%d %H:%M}",
        f"Slug: {slug}",
        f"Author: {author}",
    ]
    if series.strip():
        index = next_series_index(posts, series, settings)
        lines += [f"Series: {' '.join(series.split())}", f"Series_index: {index}"]
    lines.append("Status: draft")
    if template is None:
        lines += ["", "Write here.", ""]
    else:
        text = template.read_text(encoding="utf-8")
        head, _, body = text.partition("\n\n")
        if not all(METADATA_LINE.match(line) for line in head.splitlines()):
            head, body = "", text  # a template without metadata
        lines += [*head.splitlines(), "", body.rstrip("\n"), ""]
    posts.mkdir(parents=True, exist_ok=True)
    path = posts / f"{slug}.md"
    try:
        # "x": fail rather than overwrite a post that already exists.
        with path.open("x", encoding="utf-8") as file:
            file.write("\n".join(lines))
    except FileExistsError:
        raise NewPostError(f"{path} already exists; nothing was written") from None
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", required=True)
    parser.add_argument("--series", default="", help="the series it is a part of")
    parser.add_argument("--author", default="", help="default: the site's AUTHOR")
    parser.add_argument(
        "--template",
        default="",
        help="start from docs/templates/<name>.md (e.g. campaign)",
    )
    parser.add_argument("--content-dir", type=Path, default=ROOT / "content")
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py")
    args = parser.parse_args(argv)
    settings = read_settings(str(args.settings))
    template = None
    if args.template:
        template = ROOT / "docs" / "templates" / f"{args.template}.md"
        if not template.is_file():
            known = sorted(p.stem for p in template.parent.glob("*.md"))
            print(
                f"error: no template {args.template!r}; there are: {', '.join(known)}",
                file=sys.stderr,
            )
            return 2
    try:
        path = new_post(
            args.title,
            content=args.content_dir,
            settings=settings,
            series=args.series,
            author=args.author,
            template=template,
        )
    except NewPostError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
