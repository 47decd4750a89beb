"""Review posts and pages before publishing: `make check [POST=content/posts/x.md]`.

Each finding names the file and line and is either an **error** (the post
would break or mislead: a missing image or link target, an image without
alt text, two parts of a series with one number, an author without a
profile, a date in the future that nobody said was meant) or **advice** (it
works, but reads worse than it could: a summary missing or longer than what
share cards and search results show, a title cut short on its share card, a
photo far larger than any screen needs, a heading that skips a level).
Exits 1 when there is an error, else 0; advice never fails a run.

The review reads the sources as Pelican does, with the site's settings, and
builds the site once (into a temporary folder, search index off) to know
which addresses exist, so a link to `/posts/x/` is checked against what a
build writes. It never touches the network. With POST, every file is still
read (a series number can collide with another file's) but only that file's
findings are shown.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import logging
import posixpath
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from pelican import Pelican, signals
from pelican.plugins.author_bios import profile_folder, profile_for
from pelican.plugins.series_nav import series_index, series_slug
from pelican.plugins.share_cards.cards import (
    LEFT,
    MAX_TITLE_LINES,
    RIGHT,
    TITLE_SIZES,
    title_lines,
)
from pelican.settings import read_settings
from pelican.utils import get_date

ROOT = Path(__file__).resolve().parent.parent

# What share cards (og:description), feed readers and search results show of
# a summary before they cut it: about 200 characters.
SUMMARY_MAX_CHARS = 200
# A photo larger than this is far more than any screen shows (the build
# resizes it, but the repository and every clone carry the original).
IMAGE_MAX_BYTES = 5 * 1024 * 1024
METADATA_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):\s*(.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+\S")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src><[^>]*>|[^)\s]+)[^)]*\)")
MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\((?P<href><[^>]*>|[^)\s]+)[^)]*\)")
# Reference style: ![alt][name] / [text][name] (or [text][]), and the
# definitions `[name]: address "title"` they use.
MD_REF_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\[(?P<ref>[^\]]*)\]")
MD_REF_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]]+)\]\[(?P<ref>[^\]]*)\]")
MD_DEFINITION = re.compile(r"^ {0,3}\[(?P<ref>[^\]]+)\]:\s*(?P<href><[^>]*>|\S+)")
SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
LIST_OR_QUOTE = re.compile(r"^\s*([-*+>]|\d+[.)])\s")
HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_HREF = re.compile(r"<a\b[^>]*\bhref\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
ATTRIBUTE = re.compile(r"\b(src|alt)\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE)
# A source file named by a plain relative link: Pelican leaves the address
# as written, so the browser would ask for the .md file beside the page.
SOURCE_SUFFIXES = (".md", ".markdown", ".mkd", ".rst")
# Pelican's link syntax: {filename}, {static}, {attach} name a source file.
SOURCE_LINK = re.compile(r"^\{(filename|static|attach)\}(.*)$")
OTHER_PELICAN_LINK = re.compile(r"^\{(index|tag|category|author)\}")
YES = {"yes", "true", "1", "on"}
# What docs/templates/ (make newpost TEMPLATE=...) leaves for the writer.
PLACEHOLDER = re.compile(r"\[\[.*?(\]\]|$)")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    level: str  # "error" or "advice"
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


@dataclass
class Source:
    """One Markdown file: its metadata (lowercased keys, with their lines)
    and its body's lines (with their numbers), code blocks left out."""

    path: Path
    fields: dict[str, tuple[str, int]]
    body: list[tuple[int, str]]
    is_post: bool

    @classmethod
    def read(cls, path: Path, is_post: bool) -> Source:
        lines = path.read_text(encoding="utf-8").splitlines()
        fields: dict[str, tuple[str, int]] = {}
        number = 0
        for number, line in enumerate(lines, 1):
            match = METADATA_LINE.match(line)
            if not match:
                break
            fields[match[1].lower()] = (match[2].strip(), number)
        else:
            number = len(lines) + 1
        body, fenced = [], False
        for index, line in enumerate(lines[number - 1 :], number):
            if FENCE.match(line):
                fenced = not fenced
            elif not fenced:
                body.append((index, line))
        return cls(path, fields, body, is_post)

    def value(self, key: str) -> str | None:
        return self.fields.get(key, (None, 0))[0]

    def line_of(self, key: str) -> int:
        return self.fields.get(key, ("", 1))[1]


class Review:
    """Every check, over every post and page of the site."""

    def __init__(
        self,
        settings: dict,
        built: set[str] | None,
        now: dt.datetime,
        urls: dict[Path, str] | None = None,
    ):
        self.settings = settings
        self.content = Path(settings["PATH"]).resolve()
        self.built = built
        self.urls = urls or {}
        self.now = now
        self.findings: list[Finding] = []
        self.sources = [
            Source.read(path, is_post)
            for folders, is_post in (
                (settings["ARTICLE_PATHS"], True),
                (settings["PAGE_PATHS"], False),
            )
            for folder in folders
            for path in sorted((self.content / folder).rglob("*.md"))
        ]

    def report(self, source: Source, line: int, level: str, message: str) -> None:
        try:
            shown = source.path.relative_to(ROOT)
        except ValueError:
            shown = source.path
        self.findings.append(Finding(str(shown), line, level, message))

    def run(self) -> list[Finding]:
        for source in self.sources:
            self.check_summary(source)
            self.check_title(source)
            self.check_date(source)
            self.check_authors(source)
            self.check_body(source)
        self.check_series_numbers()
        return sorted(self.findings)

    # -- Metadata ------------------------------------------------------------

    def check_summary(self, source: Source) -> None:
        if (source.value("status") or "").lower() == "hidden":
            return
        summary = source.value("summary")
        if summary and PLACEHOLDER.search(summary):
            self.report(
                source,
                source.line_of("summary"),
                "error",
                "the Summary is still the template's placeholder: write your own",
            )
        elif not summary:
            self.report(
                source,
                1,
                "advice",
                "no Summary: share cards, feeds and search results will show "
                "the first words of the body instead; write one or two sentences",
            )
        elif len(summary) > SUMMARY_MAX_CHARS:
            self.report(
                source,
                source.line_of("summary"),
                "advice",
                f"the Summary has {len(summary)} characters; share cards and "
                f"search results cut it after about {SUMMARY_MAX_CHARS}",
            )

    def check_title(self, source: Source) -> None:
        title = source.value("title")
        if not title:
            self.report(source, 1, "error", "no Title: Pelican will not build it")
            return
        # The smallest size the card tries, on its most lines.
        lines = title_lines(title, RIGHT - LEFT, MAX_TITLE_LINES, TITLE_SIZES[-1])
        if lines and lines[-1].endswith("…") and not title.endswith("…"):
            self.report(
                source,
                source.line_of("title"),
                "advice",
                f"the title will not fit its share card (more than "
                f"{MAX_TITLE_LINES} lines): the card ends it at "
                f"“{lines[-1]}”; shorten it",
            )

    def check_date(self, source: Source) -> None:
        text = source.value("date")
        status = (source.value("status") or "published").lower()
        if not text or status == "draft":
            return
        try:
            date = get_date(text)
        except ValueError:
            self.report(
                source,
                source.line_of("date"),
                "error",
                f"Date {text!r} is not a date; write it as YYYY-MM-DD HH:MM",
            )
            return
        if date.tzinfo is None:
            date = date.replace(tzinfo=ZoneInfo(self.settings["TIMEZONE"]))
        if date <= self.now:
            return
        if (source.value("scheduled") or "").lower() in YES:
            return
        self.report(
            source,
            source.line_of("date"),
            "error",
            f"Date {text} is in the future: the post stays unpublished until "
            "then. If it is meant to be scheduled, say so with `Scheduled: "
            "yes`; if not, correct the date",
        )

    def check_authors(self, source: Source) -> None:
        if not source.is_post:
            return
        key = "authors" if "authors" in source.fields else "author"
        text = source.value(key)
        names = [n.strip() for n in (text or "").split(",") if n.strip()]
        if not names:
            names = [self.settings["AUTHOR"]]
        folder = profile_folder(self.settings, self.content).relative_to(self.content)
        for name in names:
            if profile_for(name, self.settings, self.content) is None:
                self.report(
                    source,
                    source.line_of(key),
                    "error",
                    f"unknown author {name!r}: no profile in {folder}/ has that "
                    "name (make newpost AUTHOR=... starts one)",
                )

    def check_series_numbers(self) -> None:
        """Parts of one series (same slug and language) with one number: each
        is told of the others, so reviewing any one of them shows it."""
        parts: dict[tuple[str, str, int], list[Source]] = {}
        language = self.settings["DEFAULT_LANG"]
        for source in self.sources:
            name = source.value("series")
            number = series_index(source.value("series_index"))
            if name and number is not None:
                lang = source.value("lang") or language
                key = (series_slug(name, self.settings), lang, number)
                parts.setdefault(key, []).append(source)
        for (_, _, number), sources in parts.items():
            for source in sources if len(sources) > 1 else ():
                others = ", ".join(
                    f"{other.path.relative_to(self.content)} (line "
                    f"{other.line_of('series_index')})"
                    for other in sources
                    if other is not source
                )
                self.report(
                    source,
                    source.line_of("series_index"),
                    "error",
                    f"Series_index {number} of “{source.value('series')}” is "
                    f"also the number of {others}; give each part its own",
                )

    # -- Body ----------------------------------------------------------------

    def check_body(self, source: Source) -> None:
        definitions = {}
        for _, line in source.body:
            match = MD_DEFINITION.match(line)
            if match:
                definitions[match["ref"].lower()] = match["href"].strip("<>")
        previous_level = 1  # the title is the page's h1
        previous = ""
        for number, line in source.body:
            if PLACEHOLDER.search(line):
                self.report(
                    source,
                    number,
                    "error",
                    "a [[placeholder]] from the template is still here: replace "
                    "it with your own words, or delete it",
                )
                previous = line
                continue
            level = self.heading_level(line, previous)
            previous = line
            if level:
                if level > previous_level + 1:
                    self.report(
                        source,
                        number,
                        "advice",
                        f"a level-{level} heading after a level-{previous_level} "
                        f"one skips a level (screen readers navigate by them); "
                        f"use {'#' * (previous_level + 1)}",
                    )
                previous_level = level
            images = [(m["src"].strip("<>"), m["alt"]) for m in MD_IMAGE.finditer(line)]
            images += [
                (definitions[ref], m["alt"])
                for m in MD_REF_IMAGE.finditer(line)
                if (ref := (m["ref"] or m["alt"]).lower()) in definitions
            ]
            for src, alt in images:
                self.check_image(source, number, src, alt, markdown=True)
            for tag in HTML_IMG.findall(line):
                attributes = {k.lower(): v[1:-1] for k, v in ATTRIBUTE.findall(tag)}
                self.check_image(
                    source, number, attributes.get("src", ""), attributes.get("alt")
                )
            hrefs = [m["href"].strip("<>") for m in MD_LINK.finditer(line)]
            hrefs += [
                definitions[ref]
                for m in MD_REF_LINK.finditer(line)
                if (ref := (m["ref"] or m["text"]).lower()) in definitions
            ]
            for href in hrefs + HTML_HREF.findall(line):
                self.check_link(source, number, href)

    @staticmethod
    def heading_level(line: str, previous: str) -> int:
        """The level of the heading `line` makes (0: none): `## Title`, or
        an `===`/`---` line under a line of text."""
        heading = HEADING.match(line)
        if heading:
            return len(heading[1])
        setext = SETEXT.match(line)
        if setext and previous.strip() and not LIST_OR_QUOTE.match(previous):
            if SETEXT.match(previous) or HEADING.match(previous):
                return 0
            return 1 if setext[1].startswith("=") else 2
        return 0

    def check_image(
        self, source: Source, number: int, src: str, alt, *, markdown=False
    ) -> None:
        # In HTML, alt="" says the image is decorative; Markdown cannot say
        # so, and an <img> without alt says nothing at all.
        if alt is None or (markdown and not alt.strip()):
            self.report(
                source,
                number,
                "error",
                f"the image {src} has no alt text: describe what it shows "
                '(or, for a purely decorative one, write <img alt="" ...>)',
            )
        target = self.source_target(source, src)
        if target is None:
            return
        if not target.is_file():
            self.report(source, number, "error", f"the image {src} does not exist")
        elif target.stat().st_size > IMAGE_MAX_BYTES:
            megabytes = target.stat().st_size / 1024 / 1024
            self.report(
                source,
                number,
                "advice",
                f"the image {src} is {megabytes:.1f} MB: the build resizes it, "
                f"but keep originals under {IMAGE_MAX_BYTES // 1024 // 1024} MB "
                "(export it smaller)",
            )

    def check_link(self, source: Source, number: int, href: str) -> None:
        if not href or OTHER_PELICAN_LINK.match(href):
            return
        if SOURCE_LINK.match(href):
            target = self.source_target(source, href)
            if target is not None and not target.exists():
                self.report(
                    source,
                    number,
                    "error",
                    f"the link {href} names no file in the content",
                )
            return
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return  # another site, mailto:, or an anchor on this page
        if parts.path.startswith("/"):
            path = PurePosixPath(unquote(parts.path)).as_posix().lstrip("/")
            if self.built is not None and not self.is_built(path):
                self.report(
                    source,
                    number,
                    "error",
                    f"the link {href} leads nowhere: the site has no {parts.path}",
                )
            return
        if parts.path.lower().endswith(SOURCE_SUFFIXES):
            self.report(
                source,
                number,
                "error",
                f"the link {href} names a source file, which the site does not "
                f"publish: write {{filename}}{parts.path} (from this file's folder)",
            )
            return
        # An address relative to the page, as the browser resolves it.
        page = self.urls.get(source.path)
        if self.built is None or page is None:
            return  # the build failed, or it does not publish this file
        folder = posixpath.dirname(page)
        path = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        path = "" if path == "." else path
        if path.startswith("../") or not self.is_built(path):
            self.report(
                source,
                number,
                "error",
                f"the link {href} leads nowhere: from this page it is /{path}, "
                "which the site does not have",
            )

    def source_target(self, source: Source, src: str) -> Path | None:
        """The file under the content folder that `src` names, or None for an
        address on another site (or one this review does not resolve)."""
        match = SOURCE_LINK.match(src)
        path = unquote(match[2] if match else src)
        parts = urlsplit(path)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        if parts.path.startswith("/"):
            return self.content / parts.path.lstrip("/")
        beside = (source.path.parent / parts.path).resolve()
        if match or beside.exists():
            return beside
        # As responsive_images reads a plain path: from the content folder.
        return (self.content / parts.path).resolve()

    def is_built(self, path: str) -> bool:
        return any(
            candidate in self.built
            for candidate in (
                path,
                path.rstrip("/") + "/index.html",
                path + "index.html",
            )
        )


def built_files(
    settings_file: Path, content: Path | None
) -> tuple[dict, set[str] | None, dict[Path, str]]:
    """The site's settings, the files a build writes (a temporary one; None
    if the build fails), and each source file's address in it."""
    urls: dict[Path, str] = {}

    def remember(item) -> None:
        if getattr(item, "source_path", None):
            urls.setdefault(Path(item.source_path).resolve(), item.url)

    with tempfile.TemporaryDirectory(prefix="check-") as output:
        override = {
            "OUTPUT_PATH": output,
            "SEARCH_INDEX": False,
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        }
        if content is not None:
            override["PATH"] = str(content)
        settings = read_settings(str(settings_file), override=override)
        # Its warnings and summary are the build's, shown by `make html`:
        # not repeated here.
        logging.disable(logging.WARNING)
        signals.content_object_init.connect(remember)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                Pelican(settings).run()
        except Exception as error:  # noqa: BLE001 (any failure is reported)
            print(f"error: the site does not build ({error}); `make html` says more")
            return settings, None, urls
        finally:
            signals.content_object_init.disconnect(remember)
            logging.disable(logging.NOTSET)
        files = {
            path.relative_to(output).as_posix()
            for path in Path(output).rglob("*")
            if path.is_file()
        }
    return settings, files, urls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("post", nargs="?", help="review only this file")
    parser.add_argument("-s", "--settings", default=str(ROOT / "pelicanconf.py"))
    parser.add_argument("--content", help="the content folder (default: PATH)")
    args = parser.parse_args(argv)
    content = Path(args.content).resolve() if args.content else None
    settings, built, urls = built_files(Path(args.settings), content)
    review = Review(settings, built, dt.datetime.now(dt.UTC), urls)
    findings = review.run()
    if args.post:
        wanted = Path(args.post).resolve()
        if not wanted.is_file():
            print(f"error: {args.post} is not a file", file=sys.stderr)
            return 2
        if not any(source.path == wanted for source in review.sources):
            print(f"error: {args.post} is not a post or page", file=sys.stderr)
            return 2
        findings = [f for f in findings if (ROOT / f.path).resolve() == wanted]
    for finding in findings:
        print(finding)
    errors = sum(f.level == "error" for f in findings) + (built is None)
    advice = len(findings) - errors
    print(
        f"{errors} error{'s' * (errors != 1)}, {advice} piece{'s' * (advice != 1)} "
        f"of advice in {args.post or 'the content'}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # for publishconf.py's `from pelicanconf import *`
    sys.exit(main())
