"""Read author profiles: a metadata header for the fields, the body as the bio.

A profile is written like a post (`content/authors/<slug>.md`):

    Name: Paul Weston
    Role: Guest author of the networking series
    Twitter: @PaulWeston33

    The bio, in Markdown.

Profiles are not trusted like posts: raw HTML in a bio is escaped, and every
link that comes out of a profile is https (or mailto). Bad values are a
warning naming the file, line and field, and are left out.
"""

from __future__ import annotations

import logging
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .handles import NETWORKS, HandleError, ProfileLink, normalise, website

logger = logging.getLogger(__name__)

# Python-Markdown's meta-data syntax (as Pelican reads it): `Key: value`,
# continuation lines indented by four spaces, ended by a blank line.
_META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"^[ ]{4,}(?P<value>\S.*)$")

TEXT_FIELDS = ("name", "slug", "role", "short_bio", "avatar", "website", "location")
REPEATABLE_FIELDS = ("link",)
AVATAR_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg")
AVATAR_HUES = 6  # the theme colours initials avatars with this many classes


@dataclass
class AuthorProfile:
    """Everything known about one author, as plain data for templates."""

    name: str
    slug: str
    source_path: str
    role: str | None = None
    bio_short: Markup = field(default_factory=Markup)
    bio: Markup = field(default_factory=Markup)
    website: str | None = None
    location: str | None = None
    links: list[ProfileLink] = field(default_factory=list)
    avatar_source: Path | None = None  # the local image, when there is one
    avatar_url: str | None = None  # relative to SITEURL; None: initials avatar
    url: str = ""  # the author page, relative to SITEURL
    save_as: str = ""

    @property
    def initials(self) -> str:
        """One or two letters for the generated avatar: "Paul Weston" -> "PW"."""
        letters = [word[0] for word in self.name.split() if word[0].isalnum()]
        if not letters:
            return "?"
        return (letters[0] + letters[-1] if len(letters) > 1 else letters[0]).upper()

    @property
    def avatar_hue(self) -> int:
        """A stable colour number (0-5) for the initials avatar."""
        return zlib.crc32(self.slug.encode("utf-8")) % AVATAR_HUES

    def _handle(self, network: str) -> str | None:
        return next((x.handle for x in self.links if x.network == network), None)

    @property
    def twitter_handle(self) -> str | None:
        """`@name` for `twitter:creator`, or None."""
        return self._handle("twitter")

    @property
    def fediverse_handle(self) -> str | None:
        """`@user@instance` for `fediverse:creator`, or None."""
        return self._handle("mastodon")

    @property
    def same_as(self) -> list[str]:
        """The profile's public URLs, for schema.org `sameAs`."""
        return [x.url for x in self.links if x.url.startswith("https://")]


class _SafeLinks(Treeprocessor):
    """Unlinks every bio link that is not https or mailto; drops images."""

    def __init__(self, md, problems: list[str]):
        super().__init__(md)
        self.problems = problems

    def run(self, root):
        for element in root.iter():
            if element.tag == "img":
                # Nothing may load from another host, and a relative path
                # breaks on pages at other depths: the avatar is the image.
                self.problems.append(f"image {element.get('src')!r} left out")
                element.tag = "span"
                alt = element.get("alt", "")
                element.attrib.clear()
                element.text = alt
            elif element.tag == "a":
                href = element.get("href", "")
                if not href.startswith(("https://", "mailto:")) or re.search(
                    r"[\s\x00-\x1f]", href
                ):
                    self.problems.append(f"link {href!r} left out (not https)")
                    element.tag = "span"
                    element.attrib.clear()


def render_bio(text: str, problems: list[str]) -> Markup:
    """Bio Markdown as HTML, with raw HTML escaped and unsafe links removed."""
    md = markdown.Markdown(extensions=["smarty"], output_format="html")
    # Profiles are not trusted like posts: raw HTML becomes visible text.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # Its obfuscated mailto: cannot be checked; the Email field is for that.
    md.inlinePatterns.deregister("automail")
    md.treeprocessors.register(_SafeLinks(md, problems), "author_bios_safe", 0)
    return Markup(md.convert(text))


def render_inline(text: str, problems: list[str]) -> Markup:
    """One paragraph of bio Markdown as inline HTML (no surrounding <p>)."""
    html = str(render_bio(text, problems)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


def read_header(text: str):
    """Split a profile into ([(field, value, line)], body, body's first line)."""
    lines = text.splitlines()
    fields: list[list] = []
    body_start = len(lines)
    for index, line in enumerate(lines):
        meta = _META_LINE.match(line)
        continuation = _CONTINUATION.match(line)
        if meta:
            fields.append([meta["key"].lower(), meta["value"].strip(), index + 1])
        elif continuation and fields:
            fields[-1][1] = f"{fields[-1][1]} {continuation['value'].strip()}"
        else:
            # A blank line ends the header; any other line starts the body
            # (as in Python-Markdown's meta extension).
            body_start = index + 1 if not line.strip() else index
            break
    body = "\n".join(lines[body_start:])
    return [tuple(item) for item in fields], body, body_start + 1


class ProfileReader:
    """Reads profile files for one build; warns about bad values."""

    def __init__(self, content_root: Path, slug_of_name):
        self.content_root = content_root.resolve()
        self.slug_of_name = slug_of_name  # Pelican's slug for an author name

    def warn(self, path: str, line: int | None, message: str, *args):
        """Log a warning about `path` (and `line` when known)."""
        where = f"{path}:{line}" if line else path
        logger.warning("author_bios: %s: %s", where, message % args)

    def read(self, path: Path) -> AuthorProfile | None:
        """The profile in `path`, or None (with a warning) if it has no name."""
        shown = str(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            self.warn(shown, None, "cannot read this profile (%s); skipped", error)
            return None
        fields, body, body_line = read_header(text)
        values, links = self._sort_fields(shown, fields)
        name = " ".join(values.get("name", ("", 0))[0].split())
        if not name:
            self.warn(shown, None, "profile has no 'Name:'; skipped")
            return None
        # Matched to `Author:` metadata the way Pelican slugs author names.
        slug = values.get("slug", ("", 0))[0].strip() or self.slug_of_name(name)
        if not slug:
            # Its page would be `author/index.html`, linked as `author//`.
            self.warn(
                shown,
                values["name"][1],
                "name %r has no letters or digits (outside markup) to make the "
                "author's page address from; add 'Slug:'; skipped",
                name,
            )
            return None
        profile = AuthorProfile(name=name, slug=slug, source_path=shown)
        profile.role = values.get("role", ("", 0))[0] or None
        profile.location = values.get("location", ("", 0))[0] or None
        if "website" in values:
            value, line = values["website"]
            try:
                site = website(value)
            except HandleError as error:
                self.warn(
                    shown, line, "field 'website': %r left out: %s", value, str(error)
                )
            else:
                profile.website = site.url
                links.insert(0, site)
        profile.links = links
        self._bios(profile, values, body, body_line)
        if "avatar" in values:
            profile.avatar_source = self._avatar(shown, *values["avatar"])
        return profile

    def _sort_fields(self, shown: str, fields):
        """Text fields by name and the links of the network fields."""
        values: dict[str, tuple[str, int]] = {}
        links: list[ProfileLink] = []
        for key, value, line in fields:
            if key in TEXT_FIELDS:
                if key in values:
                    self.warn(
                        shown,
                        line,
                        "field %r given twice; using line %d",
                        key,
                        values[key][1],
                    )
                    continue
                values[key] = (value, line)
            elif key in NETWORKS:
                try:
                    links.append(normalise(key, value))
                except HandleError as error:
                    self.warn(
                        shown, line, "field %r: %r left out: %s", key, value, str(error)
                    )
            else:
                self.warn(
                    shown,
                    line,
                    "unknown field %r left out (known: %s; give other "
                    "networks as 'Link: Label | https://...')",
                    key,
                    ", ".join(TEXT_FIELDS + tuple(NETWORKS)),
                )

        return values, links

    def _bios(self, profile: AuthorProfile, values, body: str, body_line: int):
        """Render the full and the short bio, warning about what was removed."""
        problems: list[str] = []
        profile.bio = render_bio(body, problems)
        for problem in problems:
            self.warn(profile.source_path, body_line, "bio: %s", problem)
        problems = []
        short, line = values.get("short_bio", ("", body_line))
        if not short:
            # Without a short bio, the first paragraph of the bio stands in.
            short = body.strip().split("\n\n", 1)[0]
        profile.bio_short = render_inline(short, problems)
        for problem in problems:
            self.warn(profile.source_path, line, "short_bio: %s", problem)

    def _avatar(self, shown: str, value: str, line: int) -> Path | None:
        """The local avatar image file, or None (initials) with a warning."""
        if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//", value):
            self.warn(
                shown,
                line,
                "avatar %r must be an image under the content "
                "folder, not a URL; using initials",
                value,
            )
            return None
        candidate = (self.content_root / value.lstrip("/")).resolve()
        if not candidate.is_relative_to(self.content_root) or not candidate.is_file():
            self.warn(
                shown,
                line,
                "avatar %r does not exist under %s; using initials",
                value,
                self.content_root,
            )
            return None
        if candidate.suffix.lower() not in AVATAR_SUFFIXES:
            self.warn(
                shown,
                line,
                "avatar %r is not an image (%s); using initials",
                value,
                ", ".join(AVATAR_SUFFIXES),
            )
            return None
        return candidate


def load_profiles(
    folder: Path, content_root: Path, slug_of_name
) -> dict[str, AuthorProfile]:
    """Every profile in `folder` by slug; the first file by name wins a tie."""
    reader = ProfileReader(content_root, slug_of_name)
    profiles: dict[str, AuthorProfile] = {}
    for path in sorted(folder.glob("*.md")):
        profile = reader.read(path)
        if profile is None:
            continue
        if profile.slug in profiles:
            winner = profiles[profile.slug]
            logger.warning(
                "author_bios: %s and %s both claim author %r; using %s",
                winner.source_path,
                profile.source_path,
                profile.slug,
                winner.source_path,
            )
            continue
        profiles[profile.slug] = profile
    return profiles
