"""The images of a post's HTML rewritten: `<picture>`, sizes, lazy loading, figures.

Regular expressions over the HTML the readers wrote rather than an HTML
parser: every other byte of the post is left as it was, and a post without
images costs one substring test. Only start tags are matched (`<img>` and
`<a>`); text can hold no raw `<`, so code samples are never touched.

URLs of resized images are written as `{responsive_images}images/x-480.avif`
and made into real URLs (relative or absolute, as Pelican makes `{static}`
links) when Pelican renders the post for a page or a feed: see
`resolve_markers`.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from .images import ImageSet
from .settings import capped_sizes

URL_MARKER = "{responsive_images}"
MARKED_URL = re.compile(re.escape(URL_MARKER) + r"(?P<path>[A-Za-z0-9._/-]+)")
# An <img> or <a> start tag (quoted values may hold ">"), with the <p> and
# </p> around it when it stands alone in a paragraph.
TAG = re.compile(
    r"(?P<open><p>\s*)?"
    r"<(?P<name>img|a)\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"(?P<close>\s*</p>)?",
    re.IGNORECASE,
)
ATTRIBUTE = re.compile(
    r"(?P<name>[^\s\"'>/=]+)"
    r"(?:\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'=<>`]+)))?"
)
# Attributes the plugin writes itself on a processed image.
REPLACED = frozenset({"src", "srcset", "sizes", "width", "height"})


@dataclass(frozen=True)
class Untouched:
    """An image the plugin does not resize (vector, animated, remote): it
    keeps its file, and gets lazy loading and its size where known."""

    width: int | None = None
    height: int | None = None


# What the caller says of an image's src: resized, untouched, or None
# (missing or unreadable: the tag is left exactly as it is).
Found = ImageSet | Untouched | None


def parse_attributes(text: str) -> list[tuple[str, str | None]]:
    """A start tag's attributes in order: (lower-case name, plain value or None)."""
    attributes = []
    for match in ATTRIBUTE.finditer(text):
        raw = next(
            (value for value in match.group("dq", "sq", "bare") if value is not None),
            None,
        )
        value = None if raw is None else html.unescape(raw)
        attributes.append((match.group("name").lower(), value))
    return attributes


def start_tag(name: str, attributes: list[tuple[str, str | None]]) -> str:
    """A start tag with every value escaped."""
    parts = [name]
    for key, value in attributes:
        parts.append(key if value is None else f'{key}="{html.escape(value)}"')
    return "<" + " ".join(parts) + ">"


def srcset(variants) -> str:
    return ", ".join(f"{URL_MARKER}{each.url} {each.width}w" for each in variants)


class BodyImages:
    """Rewrites the images of one post's HTML.

    `find_image(src)` and `find_link(href)` are the caller's: they turn a
    URL as written into what it is (and warn about what is missing).
    """

    def __init__(
        self,
        find_image: Callable[[str], Found],
        find_link: Callable[[str], ImageSet | None],
        sizes: str,
        max_density: float | None,
    ):
        self.find_image = find_image
        self.find_link = find_link
        self.sizes = sizes  # the column's, density cap included
        self.max_density = max_density
        self.count = 0  # <img> tags seen, in document order
        self.image_sets: list[ImageSet] = []

    def rewrite(self, body: str) -> str:
        return TAG.sub(self._tag, body)

    def _tag(self, match: re.Match) -> str:
        open_p, close_p = match.group("open") or "", match.group("close") or ""
        attributes = parse_attributes(match.group("attributes"))
        if match.group("name").lower() == "a":
            return open_p + self._link(match, attributes) + close_p
        index, self.count = self.count, self.count + 1
        values = dict(attributes)
        src = values.get("src")
        if not src or "srcset" in values or _in_picture(match):
            return match.group(0)  # the author's own responsive markup
        found = self.find_image(src)
        if found is None:
            return match.group(0)
        caption = (values.get("title") or "").strip()
        as_figure = bool(open_p and close_p and caption)
        if as_figure:  # the caption says it; a tooltip would repeat it
            attributes = [(key, value) for key, value in attributes if key != "title"]
        attributes = [*attributes, *self._loading(index, values)]
        if isinstance(found, ImageSet):
            self.image_sets.append(found)
            image = self._picture(found, attributes, values)
        else:
            image = start_tag("img", [*attributes, *_size_of(found, values)])
        if as_figure:
            caption = f"<figcaption>{html.escape(caption)}</figcaption>"
            return f"<figure>{image}{caption}</figure>"
        return open_p + image + close_p

    def _link(self, match: re.Match, attributes) -> str:
        """A link to a resized image's original goes to its widest copy."""
        href = dict(attributes).get("href")
        image_set = self.find_link(href) if href else None
        if image_set is None:  # the tag as it was, without the <p> around it
            return match.string[match.start("name") - 1 : match.end("attributes") + 1]
        return start_tag(
            "a",
            [
                (
                    key,
                    f"{URL_MARKER}{image_set.largest.url}" if key == "href" else value,
                )
                for key, value in attributes
            ],
        )

    @staticmethod
    def _loading(index: int, values: dict) -> list[tuple[str, str]]:
        """The first image is fetched at once and first; the others when
        the reader scrolls near them. An author's own choice is kept."""
        if "loading" in values:
            return []
        if index == 0:
            return [] if "fetchpriority" in values else [("fetchpriority", "high")]
        extra = [("loading", "lazy")]
        if "decoding" not in values:
            extra.append(("decoding", "async"))
        return extra

    def _picture(self, image_set: ImageSet, attributes, values: dict) -> str:
        width, height, sizes = image_set.width, image_set.height, self.sizes
        author_width = values.get("width") or ""
        if author_width.isdigit() and int(author_width) > 0:
            # Shown no wider than the author asked: no need for more pixels.
            width = int(author_width)
            sizes = capped_sizes(f"{width}px", self.max_density)
            author_height = values.get("height") or ""
            height = (
                int(author_height)
                if author_height.isdigit()
                else max(1, round(image_set.height * width / image_set.width))
            )
        sources = "".join(
            start_tag(
                "source",
                [
                    ("type", variants[0].media_type),
                    ("srcset", srcset(variants)),
                    ("sizes", sizes),
                ],
            )
            for variants in map(image_set.of_format, image_set.formats[:-1])
        )
        kept = [(key, value) for key, value in attributes if key not in REPLACED]
        alt = [(key, value) for key, value in kept if key == "alt"]
        others = [(key, value) for key, value in kept if key != "alt"]
        image = start_tag(
            "img",
            [
                *alt,
                ("src", f"{URL_MARKER}{image_set.src.url}"),
                ("srcset", srcset(image_set.of_format(image_set.fallback_format))),
                ("sizes", sizes),
                ("width", str(width)),
                ("height", str(height)),
                *others,
            ],
        )
        return f"<picture>{sources}{image}</picture>"


def _size_of(found: Untouched, values: dict) -> list[tuple[str, str]]:
    """width and height of an untouched image, unless the author gave either."""
    if found.width is None or "width" in values or "height" in values:
        return []
    return [("width", str(found.width)), ("height", str(found.height))]


def _in_picture(match: re.Match) -> bool:
    """Whether the tag is inside a <picture> the author wrote."""
    before = match.string[: match.start()]
    return before.rfind("<picture") > before.rfind("</picture>")


def resolve_markers(body: str, siteurl: str, relative_urls: bool) -> str:
    """`{responsive_images}path` made into the URL Pelican would give a
    static file at `path` on the page being written (`siteurl` is relative
    to that page with RELATIVE_URLS, else absolute)."""
    if URL_MARKER not in body:
        return body
    if relative_urls:
        return MARKED_URL.sub(
            lambda match: os.path.join(siteurl, match.group("path")).replace("\\", "/"),
            body,
        )
    base = siteurl if siteurl.endswith("/") else siteurl + "/"
    return MARKED_URL.sub(lambda match: urljoin(base, match.group("path")), body)
