"""Handle normalisation: a table of good and bad inputs for every network."""

# ruff: noqa: E501 - one row per case reads better than wrapped rows.

import pytest
from jinja2 import Environment, FileSystemLoader
from pelican.plugins.author_bios.author_bios import TEMPLATES_DIR
from pelican.plugins.author_bios.handles import HandleError, normalise, website
from pelican.plugins.share_cards.share_cards import share_links

GOOD = [
    # (network, as written, expected URL, expected handle)
    ("twitter", "@PaulWeston33", "https://x.com/PaulWeston33", "@PaulWeston33"),
    ("twitter", "PaulWeston33", "https://x.com/PaulWeston33", "@PaulWeston33"),
    ("twitter", "https://twitter.com/PaulWeston33", "https://x.com/PaulWeston33", "@PaulWeston33"),
    ("twitter", "x.com/PaulWeston33/", "https://x.com/PaulWeston33", "@PaulWeston33"),
    ("x", "@ada_example", "https://x.com/ada_example", "@ada_example"),
    ("linkedin", "in/ada-example", "https://www.linkedin.com/in/ada-example/", "in/ada-example"),
    ("linkedin", "ada-example", "https://www.linkedin.com/in/ada-example/", "in/ada-example"),
    ("linkedin", "https://www.linkedin.com/in/ada-example/", "https://www.linkedin.com/in/ada-example/", "in/ada-example"),
    ("linkedin", "linkedin.com/company/example-ltd", "https://www.linkedin.com/company/example-ltd/", "company/example-ltd"),
    ("mastodon", "@ada@mastodon.example", "https://mastodon.example/@ada", "@ada@mastodon.example"),
    ("mastodon", "ada@Mastodon.Example", "https://mastodon.example/@ada", "@ada@mastodon.example"),
    ("mastodon", "https://mastodon.example/@ada", "https://mastodon.example/@ada", "@ada@mastodon.example"),
    ("bluesky", "ada.bsky.social", "https://bsky.app/profile/ada.bsky.social", "@ada.bsky.social"),
    ("bluesky", "@ada.example.org", "https://bsky.app/profile/ada.example.org", "@ada.example.org"),
    ("bluesky", "https://bsky.app/profile/ada.bsky.social", "https://bsky.app/profile/ada.bsky.social", "@ada.bsky.social"),
    ("github", "ada-example", "https://github.com/ada-example", "ada-example"),
    ("github", "@ada-example", "https://github.com/ada-example", "ada-example"),
    ("github", "https://github.com/ada-example", "https://github.com/ada-example", "ada-example"),
    ("xing", "Ada_Example", "https://www.xing.com/profile/Ada_Example", "Ada_Example"),
    ("xing", "https://www.xing.com/profile/Ada_Example", "https://www.xing.com/profile/Ada_Example", "Ada_Example"),
    ("email", "ada@example.org", "mailto:ada@example.org", "ada@example.org"),
    ("email", "mailto:ada@example.org", "mailto:ada@example.org", "ada@example.org"),
    ("link", "Reading list | https://books.example/ada", "https://books.example/ada", "books.example"),
]  # fmt: skip

BAD = [
    # (network, as written): every one must be refused
    ("twitter", "javascript:alert(1)"),
    ("twitter", "@Paul Weston"),
    ("twitter", "@this_name_is_far_too_long"),
    ("twitter", "http://twitter.com/PaulWeston33"),
    ("twitter", "https://evil.example/PaulWeston33"),
    ("twitter", ""),
    ("linkedin", "in/"),
    ("linkedin", "pub/ada/1/2/3"),
    ("linkedin", "data:text/html,<script>alert(1)</script>"),
    ("linkedin", "https://linkedin.com.evil.example/in/ada"),
    ("mastodon", "@ada"),
    ("mastodon", "@ada@localhost"),
    ("mastodon", "@a da@mastodon.example"),
    ("mastodon", "https://mastodon.example/ada"),
    ("mastodon", "javascript://mastodon.example/@ada"),
    ("bluesky", "ada"),
    ("bluesky", "did:plc:abc"),
    ("bluesky", "https://bsky.app/ada.bsky.social"),
    ("github", "-ada"),
    ("github", "ada--example\n"),
    ("github", "https://github.com/ada/repo"),
    ("xing", "Ada Example"),
    ("xing", "vbscript:msgbox"),
    ("email", "ada at example.org"),
    ("email", "javascript:alert(1)//@example.org"),
    ("link", "https://no-label.example"),
    ("link", "Label | javascript:alert(1)"),
    ("link", "Label | data:text/html;base64,PHNjcmlwdD4="),
    ("link", "Label | http://insecure.example"),
    ("link", "Label | https://user:secret@example.org/"),
    ("link", "Label | https://exa mple.org/"),
    ("myspace", "ada"),
]


@pytest.mark.parametrize(("network", "written", "url", "handle"), GOOD)
def test_good_handles_become_https_profile_links(network, written, url, handle):
    link = normalise(network, written)
    assert (link.url, link.handle) == (url, handle)
    assert link.label


@pytest.mark.parametrize(("network", "written"), BAD)
def test_bad_handles_are_refused(network, written):
    with pytest.raises(HandleError):
        normalise(network, written)


@pytest.mark.parametrize(
    ("written", "url"),
    [
        ("example.org", "https://example.org/"),
        ("https://Example.org/about?x=1", "https://example.org/about?x=1"),
        ("www.example.org/blog/", "https://www.example.org/blog/"),
    ],
)
def test_website_is_normalised_to_https(written, url):
    assert website(written).url == url


@pytest.mark.parametrize(
    "written",
    ["http://example.org", "javascript:alert(1)", "ftp://example.org", "localhost"],
)
def test_bad_website_is_refused(written):
    with pytest.raises(HandleError):
        website(written)


def test_every_network_a_link_can_name_has_an_icon():
    """The icons are a dict by network (author_bios/icons.html, which the
    share links use too): a network with no entry would show its link with
    no icon."""
    loader = FileSystemLoader(TEMPLATES_DIR)
    icons = (
        Environment(loader=loader, autoescape=True)
        .get_template("author_bios/icons.html")
        .module.network_icons
    )
    networks = {normalise(network, written).network for network, written, *_ in GOOD}
    networks.add(website("example.org").network)
    networks.update(link.network for link in share_links("T", "https://e.example/"))
    networks.update(("mastodon", "website"))  # share_cards/links.html's own two
    assert networks - set(icons) == set()
    for network in networks:
        assert str(icons[network]).startswith('<svg class="icon ')
        assert 'aria-hidden="true"' in str(icons[network])
