"""Each plugin's wheel, proved outside the site (issue 26).

For every plugin in plugins/: build its wheel with `pip wheel` (from a copy
of its folder, as a user's checkout would be), install it into a new virtual
environment that holds only Pelican (then the wheel, with what it declares
it needs, from the local wheelhouse and the session's wheel of
pelican-plugin-kit, the library most plugins depend on: never online; the
kit is installed exactly when the plugin declares it), make a site as
`pelican-quickstart` makes it (Pelican's default theme, PLUGINS unset) with
a post that uses the plugin, and build it with that environment's `pelican`.
Then:

- `pelican-plugins` lists the plugin: Pelican's namespace discovery finds it;
- the output shows the plugin did its job (parsed HTML, feeds, files);
- a plugin with a main partial warns, naming the line to paste, since the
  default theme does not include it; pasting that line where the warning
  says (through THEME_TEMPLATES_OVERRIDES, the theme left as it is) makes
  the warning go and the partial show, from the templates the wheel ships.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import lxml.html
import pytest
from packaging.requirements import Requirement
from PIL import Image

from tests.packaging.packages import (
    KIT,
    PLUGIN_PACKAGES,
    build_wheel,
    pip_into,
    project,
    run,
    site_packages,
)

INCLUDE = re.compile(r'\{% include "(?P<name>[a-z_]+)/[^"]+" %\}')


@dataclass
class Build:
    """One build of the quickstart site: its output folder and its log."""

    output: Path
    log: str

    def page(self, name: str):
        path = self.output / name
        assert path.is_file(), f"{name} was not written: {self.log}"
        return lxml.html.parse(str(path)).getroot()

    def includes_asked_for(self, package: str) -> list[str]:
        """The `{% include "<package>/..." %}` lines the log asks to paste."""
        return [
            match[0] for match in INCLUDE.finditer(self.log) if match["name"] == package
        ]


@dataclass(frozen=True)
class Scenario:
    """A post (and what else the plugin reads) that uses the plugin, and how
    its work shows in the output."""

    files: dict[str, str]
    # Checks the build with Pelican's default theme, as quickstart leaves it.
    check: Callable[[Build], None]
    # The plugin's main partial, when it has one: the build must warn with
    # the line that includes it, and where that line goes (a key of PLACES:
    # "head", "article" or "header").
    partial: str | None = None
    where: str = "article"
    # Checks the build with the partial included.
    check_included: Callable[[Build], None] | None = None
    # Lines added to the quickstart's pelicanconf.py (a setting the plugin
    # needs to be asked for).
    settings: str = ""
    # Whether an error in the log fails the build (`pelican --fatal errors`).
    # Pelican itself logs an error when it skips a post it cannot date.
    fatal_errors: bool = True
    binary_files: dict[str, bytes] = field(default_factory=dict)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, read from its header."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def image(size: tuple[int, int], kind: str) -> bytes:
    """An image of `size` (a gradient, so that it compresses like a photo)."""
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    data = io.BytesIO()
    picture.save(data, kind)
    return data.getvalue()


def rst_post(title: str, body: str = "A post.", **metadata: str) -> str:
    """A reStructuredText post: Pelican reads it with docutils alone (its own
    dependency), so plugins that do not need Markdown are tested without it."""
    fields = "".join(f":{key}: {value}\n" for key, value in metadata.items())
    return f"{title}\n{'#' * len(title)}\n\n:date: 2026-01-05\n{fields}\n{body}\n"


# ---- series_nav: parts in order, a page per series, the box at a part's end


def series_nav_check(build: Build) -> None:
    page = build.page("series/demo-series/index.html")
    hrefs = [a.get("href") for a in page.iter("a")]
    assert "/part-one.html" in hrefs
    assert "/part-two.html" in hrefs
    assert "Demo series" in [text(heading) for heading in page.iter("h1")]


def series_nav_included(build: Build) -> None:
    box = build.page("part-two.html").find(".//div[@class='series-footer']")
    assert box is not None
    previous = box.find(".//a[@rel='prev']")
    assert previous.get("href") == "/part-one.html"


# ---- author_bios: profiles attached to authors, avatars, guests' pages


def author_bios_check(build: Build) -> None:
    assert png_size(build.output / "authors" / "avatars" / "ada-example.png") == (1, 1)
    # A profiled guest with no post yet: Pelican alone writes no page for her.
    assert "Gwen Guest" in text(build.page("author/gwen-guest.html"))


def author_bios_included(build: Build) -> None:
    box = build.page("hello.html").find(".//section[@class='author-boxes']")
    assert box is not None
    assert text(box.find(".//h3")) == "Ada Example"
    assert text(box.find(".//p[@class='author-role p-job-title']")) == "Guest author"
    links = [a.get("href") for a in box.iterfind(".//ul[@class='author-links']//a")]
    assert links == ["https://mastodon.example/@ada"]


# ---- network_checklist: a checklist form that works in the reader's browser


def checklist_files(page) -> tuple[list, list]:
    return (
        [e for e in page.iter("link") if "checklist.css" in e.get("href", "")],
        [e for e in page.iter("script") if "checklist.js" in e.get("src", "")],
    )


def network_checklist_check(build: Build) -> None:
    page = build.page("audit.html")
    form = page.find(".//form[@data-checklist]")
    assert form is not None
    assert text(form.find(".//legend")) == "Where your networks are"
    labels = [
        text(label)
        for label in form.iterfind(".//label")
        if label.find(".//input[@type='checkbox']") is not None
    ]
    assert labels == ["Family", "Old colleagues"]
    # The default theme has no head partial: the page still loads the
    # widget's stylesheet and script (from its body), and both are copied.
    stylesheets, scripts = checklist_files(page)
    assert len(stylesheets) == 1
    assert len(scripts) == 1
    assert scripts[0].get("type") == "module"
    for url in (stylesheets[0].get("href"), scripts[0].get("src")):
        assert (build.output / url.lstrip("/")).is_file(), url


def network_checklist_included(build: Build) -> None:
    page = build.page("audit.html")
    stylesheets, scripts = checklist_files(page)
    assert len(stylesheets) == 1
    assert len(scripts) == 1
    head = page.find("head")
    assert stylesheets[0].getparent() is head
    assert scripts[0].getparent() is head
    assert page.find(".//form[@data-checklist]") is not None


# ---- feeds: Atom and RSS written by feedgen


def feeds_check(build: Build) -> None:
    for name in ("all.atom.xml", "all.rss.xml"):
        feed = feedparser.parse((build.output / "feeds" / name).read_bytes())
        assert not feed.bozo, feed.bozo_exception
        assert [entry.title for entry in feed.entries] == ["Feed me"]
        assert "Fed in full." in feed.entries[0].summary


def feeds_included(build: Build) -> None:
    links = build.page("feed-me.html").xpath("//head/link[@rel='alternate']")
    found = {(link.get("type"), link.get("href")) for link in links}
    assert ("application/atom+xml", "/feeds/all.atom.xml") in found
    assert ("application/rss+xml", "/feeds/all.rss.xml") in found


# ---- share_cards: a card per page, drawn with Pillow and the shipped fonts


def share_cards_check(build: Build) -> None:
    assert png_size(build.output / "shared-post-card.png") == (1200, 630)
    assert png_size(build.output / "card.png") == (1200, 630)


def share_cards_included(build: Build) -> None:
    page = build.page("shared-post.html")
    (image,) = page.xpath("//head/meta[@property='og:image']")
    assert image.get("content").endswith("/shared-post-card.png")
    (title,) = page.xpath("//head/meta[@property='og:title']")
    assert title.get("content") == "Shared post"


# ---- pagefind_search: a Pagefind index of the output, and a search page


def pagefind_search_check(build: Build) -> None:
    bundle = build.output / "pagefind"
    assert (bundle / "pagefind.js").is_file()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) >= 1
    assert build.page("search/index.html") is not None


def pagefind_search_included(build: Build) -> None:
    form = build.page("findable.html").find(".//form[@role='search']")
    assert form is not None
    assert form.get("action") == "/search/"
    assert form.find(".//input[@name='q']") is not None


# ---- social_replies: stored replies shown under the post, sanitised

STORED_REPLIES = {
    "format": 1,
    "post": "talked-about.rst",
    "sources": {
        "mastodon": {
            "status": "https://mastodon.example/@quinn/111",
            "fetched": "2026-01-12T00:00:00+00:00",
            "likes": 2,
            "reposts": 0,
            "replies": 1,
            "items": [
                {
                    "id": "112",
                    "kind": "reply",
                    "url": "https://mastodon.example/@ann/112",
                    "in_reply_to": None,
                    "published": "2026-01-11T09:30:00+00:00",
                    "visibility": "public",
                    "author": {
                        "name": "Ann Example",
                        "url": "https://mastodon.example/@ann",
                        "avatar": None,
                    },
                    "html": "<p>Great post!<script>alert(1)</script></p>",
                }
            ],
        }
    },
}


def social_replies_check(build: Build) -> None:
    # Without the partial the post shows no replies, but it is built, and
    # the stylesheet the partials link (shipped in the wheel) is copied.
    page = build.page("talked-about.html")
    assert "Ann Example" not in text(page)
    assert (build.output / "theme" / "social_replies" / "replies.css").is_file()


def social_replies_included(build: Build) -> None:
    page = build.page("talked-about.html")
    section = page.find(".//section[@id='replies']")
    assert section is not None
    assert "Ann Example" in text(section)
    assert "Great post!" in text(section)
    assert section.find(".//script") is None


# ---- reading: reading time (and more) for templates

WORDS = " ".join(["word"] * 600)  # 600 words at 230 a minute: 3 minutes


def reading_check(build: Build) -> None:
    assert build.page("long-read.html") is not None
    assert (build.output / "theme" / "reading" / "reading.css").is_file()


def reading_included(build: Build) -> None:
    (time,) = build.page("long-read.html").iterfind(".//p[@class='reading-time']")
    assert text(time) == "3 min read"


# ---- typography: curly quotes and dashes in Markdown


def typography_check(build: Build) -> None:
    html = (build.output / "quotes.html").read_text(encoding="utf-8")
    assert "&ldquo;Quoted&rdquo;" in html
    assert "don&rsquo;t" in html
    assert "a &ndash; b &mdash; c&hellip;" in html
    assert '<code>"straight"</code>' in html


# ---- metadata_check: a date Pelican cannot read, named


def metadata_check_check(build: Build) -> None:
    warning = next(line for line in build.log.splitlines() if "metadata_check:" in line)
    assert "bad-date.rst" in warning
    assert "'yesterday'" in warning
    assert "YYYY-MM-DD" in warning
    assert build.page("good-date.html") is not None
    assert not (build.output / "bad-date.html").exists()


# ---- static_hosting: `_headers` for Netlify and Cloudflare Pages


def static_hosting_check(build: Build) -> None:
    rules = (build.output / "_headers").read_text(encoding="utf-8")
    assert "X-Content-Type-Options: nosniff" in rules
    theme_rule = rules.split("/theme/*\n", 1)[1].split("\n/", 1)[0]
    assert "Cache-Control: public, max-age=31536000, immutable" in theme_rule
    assert "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" in (
        theme_rule
    )
    assert re.search(r"^/hosted\.html$", rules, re.MULTILINE)


# ---- responsive_images: photos resized, in a <picture> with srcset


def responsive_images_check(build: Build) -> None:
    page = build.page("photo.html")
    picture = page.find(".//picture")
    assert picture is not None
    # (libxml2 does not know <source> is void: the <img> is found inside it.)
    (source,) = picture.iterfind(".//source")
    assert source.get("type") == "image/avif"
    img = picture.find(".//img")
    assert img.get("alt") == "A gradient"
    widths = [c.split()[1] for c in img.get("srcset").split(", ")]
    assert widths == ["480w", "720w", "800w"]  # the default widths, and its own
    for candidate in [
        *source.get("srcset").split(", "),
        *img.get("srcset").split(", "),
    ]:
        url = candidate.split()[0]
        assert (build.output / url.lstrip("/")).is_file(), url


def responsive_images_included(build: Build) -> None:
    (link,) = build.page("photo.html").xpath(
        "//head/link[contains(@href, 'responsive-images.css')]"
    )
    assert (build.output / link.get("href").lstrip("/")).is_file()


SCENARIOS: dict[str, Scenario] = {
    "series_nav": Scenario(
        files={
            "part-one.rst": rst_post(
                "Part one", series="Demo series", series_index="1"
            ),
            "part-two.rst": rst_post(
                "Part two", series="Demo series", series_index="2"
            ),
        },
        check=series_nav_check,
        partial="series_nav/box.html",
        check_included=series_nav_included,
    ),
    "author_bios": Scenario(
        files={
            "hello.rst": rst_post("Hello", author="Ada Example"),
            "authors/ada-example.md": textwrap.dedent(
                """\
                Name: Ada Example
                Role: Guest author
                Avatar: images/ada.png
                Mastodon: @ada@mastodon.example

                Ada writes about networks.
                """
            ),
            "authors/gwen-guest.md": "Name: Gwen Guest\n\nComing soon.\n",
        },
        binary_files={"images/ada.png": image((1, 1), "PNG")},
        check=author_bios_check,
        partial="author_bios/box.html",
        check_included=author_bios_included,
    ),
    "network_checklist": Scenario(
        files={
            "audit.md": textwrap.dedent(
                """\
                Title: Audit
                Date: 2026-01-05

                ::: checklist
                id: demo
                title: Where your networks are

                - [ ] Family {#family}
                - [ ] Old colleagues
                :::
                """
            ),
        },
        check=network_checklist_check,
        partial="network_checklist/head.html",
        where="head",
        check_included=network_checklist_included,
    ),
    "feeds": Scenario(
        files={"feed-me.rst": rst_post("Feed me", "Fed in full.")},
        check=feeds_check,
        partial="feeds/head.html",
        where="head",
        check_included=feeds_included,
    ),
    "share_cards": Scenario(
        files={"shared-post.rst": rst_post("Shared post")},
        check=share_cards_check,
        partial="share_cards/head.html",
        where="head",
        check_included=share_cards_included,
    ),
    "pagefind_search": Scenario(
        files={"findable.rst": rst_post("Findable", "Serendipity abounds.")},
        check=pagefind_search_check,
        partial="pagefind_search/box.html",
        where="header",
        check_included=pagefind_search_included,
    ),
    "social_replies": Scenario(
        files={
            "talked-about.rst": rst_post(
                "Talked about", mastodon="https://mastodon.example/@quinn/111"
            ),
            "replies/talked-about.json": json.dumps(STORED_REPLIES),
        },
        check=social_replies_check,
        partial="social_replies/replies.html",
        check_included=social_replies_included,
    ),
    "reading": Scenario(
        files={"long-read.rst": rst_post("Long read", WORDS)},
        check=reading_check,
        partial="reading/time.html",
        check_included=reading_included,
    ),
    "responsive_images": Scenario(
        files={
            "photo.rst": rst_post(
                "Photo",
                ".. image:: {static}/images/gradient.jpg\n   :alt: A gradient",
            )
        },
        binary_files={"images/gradient.jpg": image((800, 500), "JPEG")},
        check=responsive_images_check,
        partial="responsive_images/head.html",
        where="head",
        check_included=responsive_images_included,
    ),
    "typography": Scenario(
        files={
            "quotes.md": textwrap.dedent(
                """\
                Title: Quotes
                Date: 2026-01-05

                "Quoted", don't: a -- b --- c... and `"straight"`.
                """
            ),
        },
        check=typography_check,
    ),
    "metadata_check": Scenario(
        files={
            "good-date.rst": rst_post("Good date"),
            "bad-date.rst": "Bad date\n########\n\n:date: yesterday\n\nA post.\n",
        },
        check=metadata_check_check,
        fatal_errors=False,
    ),
    "static_hosting": Scenario(
        files={"hosted.rst": rst_post("Hosted")},
        settings=(
            "STATIC_HOSTING_HEADERS = True\n"
            "CONTENT_SECURITY_POLICY = \"default-src 'self'\"\n"
        ),
        check=static_hosting_check,
    ),
}

# Where the include line is pasted in Pelican's default theme (a template
# extending the theme's own, through THEME_TEMPLATES_OVERRIDES): the
# template, its block, the block's new body, and what the warning must name
# as the place. Its base.html has no block in the page header, so the top of
# the article's content stands in there.
PLACES = {
    "head": ("base.html", "head", "{{ super() }}\n%s\n", "<head>"),
    "article": ("article.html", "content", "{{ super() }}\n%s\n", "article.html"),
    "header": ("article.html", "content", "%s\n{{ super() }}", "base.html"),
}


def paste(line: str, where: str, folder: Path) -> None:
    """Write the template that includes `line` at `where` into `folder`."""
    template, block, body, _named = PLACES[where]
    folder.mkdir()
    (folder / template).write_text(
        f'{{% extends "!theme/{template}" %}}'
        f"{{% block {block} %}}{body % line}{{% endblock %}}\n",
        encoding="utf-8",
    )


def test_every_package_has_a_scenario():
    assert sorted(SCENARIOS) == PLUGIN_PACKAGES


def new_environment(
    wheel: Path, dependencies: Path, kit_wheels: Path, tmp_path: Path
) -> Path:
    """A new virtual environment: Pelican's dependencies (seen through a .pth
    file), then Pelican and the wheel installed with pip, which adds what the
    wheel declares it needs (pelican-plugin-kit from `kit_wheels`)."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    (site_packages(venv) / "pelican_dependencies.pth").write_text(
        f"{dependencies}\n", encoding="utf-8"
    )
    pip_into(venv / "bin" / "python", "pelican", wheel, find_links=(kit_wheels,))
    return venv


def make_site(quickstart: Path, scenario: Scenario, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(quickstart, site)
    if scenario.settings:
        with (site / "pelicanconf.py").open("a", encoding="utf-8") as settings:
            settings.write("\n" + scenario.settings)
    content = site / "content"
    for name, body in scenario.files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(body, encoding="utf-8")
    for name, data in scenario.binary_files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(data)
    return site


def build(venv: Path, site: Path, output: str, *settings: str, fatal=True) -> Build:
    """`pelican` of the new environment, as quickstart's Makefile runs it; a
    logged error fails the build (--fatal errors) unless `fatal` is false."""
    args = [venv / "bin" / "pelican", "content", "-o", output, "-s", "pelicanconf.py"]
    args += ["--log-handler", "plain"]
    if fatal:
        args += ["--fatal", "errors"]
    if settings:
        args += ["-e", *settings]
    result = run(args, cwd=site, venv=venv)
    return Build(site / output, result.stdout + result.stderr)


def declares_the_kit(package: str) -> bool:
    name = project(KIT)["name"]
    return any(
        Requirement(each).name == name for each in project(package)["dependencies"]
    )


@pytest.mark.parametrize("package", PLUGIN_PACKAGES)
def test_the_wheel_works_in_a_new_quickstart_site(
    package, pelican_dependencies, kit_wheels, quickstart_site, tmp_path
):
    scenario = SCENARIOS[package]
    wheel = build_wheel(package, tmp_path)
    venv = new_environment(wheel, pelican_dependencies, kit_wheels, tmp_path)
    # pip brought the kit along exactly when the plugin declares it.
    kit = site_packages(venv) / project(KIT)["name"].replace("-", "_")
    assert kit.is_dir() == declares_the_kit(package)

    # Pelican's namespace discovery finds it, and only it.
    listed = run([venv / "bin" / "pelican-plugins"], venv=venv)
    found = re.findall(r"pelican\.plugins\.\w+", listed.stdout + listed.stderr)
    assert found == [f"pelican.plugins.{package}"]

    site = make_site(quickstart_site, scenario, tmp_path)
    plain = build(venv, site, "output", fatal=scenario.fatal_errors)
    scenario.check(plain)
    if scenario.partial is None:
        assert plain.includes_asked_for(package) == []
        return

    # The default theme lacks the partial: the build says which line to paste.
    line = f'{{% include "{scenario.partial}" %}}'
    asked = plain.includes_asked_for(package)
    assert line in asked, f"no warning asks for {line}:\n{plain.log}"
    (warning,) = [entry for entry in plain.log.split("\n") if line in entry]
    assert PLACES[scenario.where][-1] in warning

    # Pasted where the warning says, the partial shows and the warning goes.
    overrides = tmp_path / "overrides"
    paste(line, scenario.where, overrides)
    included = build(
        venv,
        site,
        "output-included",
        f"THEME_TEMPLATES_OVERRIDES={json.dumps([str(overrides)])}",
    )
    assert included.includes_asked_for(package) == []
    scenario.check_included(included)
