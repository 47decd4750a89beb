"""Turn social handles, written the way people write them, into profile links.

Each network has a normaliser that accepts the usual spellings (`@name`,
`in/name`, `@user@instance`, a full profile URL...) and returns a
`ProfileLink` whose URL is always `https:` (or `mailto:` for e-mail), or
raises `HandleError` saying why the value was refused. Nothing here logs:
the caller knows the file and line and does the warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit


class HandleError(ValueError):
    """A handle or URL from a profile that cannot become a safe link."""


@dataclass(frozen=True)
class ProfileLink:
    """One link of a profile: where it goes and how to name it."""

    network: str  # the profile field it came from: "twitter", "mastodon", ...
    label: str  # the network's name for people: "Mastodon"
    url: str  # https:// (or mailto: for e-mail), safe for an href
    handle: str  # the handle as people write it: "@user@instance"


# A scheme at the start of a value: "https:", "javascript:", "data:".
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters that never belong in a handle or URL written in a profile.
_FORBIDDEN = re.compile(r"[\s<>\"'`\\{}|^\x00-\x1f\x7f]")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def valid_hostname(host: str) -> bool:
    """Whether `host` is a public DNS name such as `mastodon.social`."""
    if not host or len(host) > 253:
        return False
    labels = host.split(".")
    if len(labels) < 2:
        return False
    return all(_HOST_LABEL.match(label) for label in labels) and bool(
        _TLD.match(labels[-1])
    )


def _clean(value: str) -> str:
    """The value without surrounding space; refuses empty or spaced values."""
    value = (value or "").strip()
    if not value:
        raise HandleError("it is empty")
    if _FORBIDDEN.search(value):
        raise HandleError("it contains spaces or characters not allowed in a link")
    return value


def _https_parts(value: str, hosts: tuple[str, ...] = ()):
    """Split a URL into (host, path segments), or None if `value` is no URL.

    A value is a URL when it starts with a scheme or with one of `hosts`
    (`github.com/name`). Any scheme but https is refused, so `javascript:` and
    `data:` can never reach an href.
    """
    if _SCHEME.match(value) and not value.lower().startswith("https://"):
        scheme = value.split(":", 1)[0].lower()
        raise HandleError(f"the scheme {scheme!r} is not allowed; use https")
    if not value.lower().startswith("https://"):
        if not any(
            value.lower() == host or value.lower().startswith(host + "/")
            for host in hosts
        ):
            return None
        value = "https://" + value
    parts = urlsplit(value)
    if parts.username or parts.password:
        raise HandleError("a URL with a user name or password is not allowed")
    host = (parts.hostname or "").lower()
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as error:
        raise HandleError("the URL has a malformed port") from error
    if not valid_hostname(host):
        raise HandleError(f"{host!r} is not a valid host name")
    if hosts and host not in hosts:
        raise HandleError(f"{host!r} is not a host of this network")
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    return host, segments, parts


def _one_segment(segments: list[str], network: str) -> str:
    if len(segments) != 1:
        raise HandleError(f"the URL is not a {network} profile address")
    return segments[0]


_TWITTER_NAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_TWITTER_HOSTS = (
    "twitter.com",
    "www.twitter.com",
    "mobile.twitter.com",
    "x.com",
    "www.x.com",
)


def twitter(value: str) -> ProfileLink:
    """`@name`, `name` or a twitter.com / x.com profile URL."""
    value = _clean(value)
    url = _https_parts(value, _TWITTER_HOSTS)
    name = _one_segment(url[1], "Twitter") if url else value.removeprefix("@")
    if not _TWITTER_NAME.match(name):
        raise HandleError(
            f"{name!r} is not a Twitter user name (1-15 letters, digits, _)"
        )
    return ProfileLink("twitter", "X (Twitter)", f"https://x.com/{name}", f"@{name}")


_LINKEDIN_ID = re.compile(r"^[\w\-]{3,100}$")
_LINKEDIN_KINDS = ("in", "company")


def linkedin(value: str) -> ProfileLink:
    """`in/name`, `company/name`, `name` or a linkedin.com profile URL."""
    value = _clean(value)
    url = _https_parts(value, ("linkedin.com", "www.linkedin.com"))
    if url:
        segments = url[1]
    else:
        segments = [unquote(segment) for segment in value.split("/") if segment]
        if len(segments) == 1:
            segments = ["in", *segments]
    if len(segments) != 2 or segments[0] not in _LINKEDIN_KINDS:
        raise HandleError("write it as in/name or a linkedin.com/in/name URL")
    kind, name = segments
    if not _LINKEDIN_ID.match(name):
        raise HandleError(f"{name!r} is not a LinkedIn profile name")
    return ProfileLink(
        "linkedin",
        "LinkedIn",
        f"https://www.linkedin.com/{kind}/{quote(name)}/",
        f"{kind}/{name}",
    )


_MASTODON_USER = re.compile(r"^[A-Za-z0-9_]+(?:[.\-][A-Za-z0-9_]+)*$")


def mastodon(value: str) -> ProfileLink:
    """`@user@instance`, `user@instance` or an https://instance/@user URL."""
    value = _clean(value)
    url = _https_parts(value)
    if url:
        host, segments, _ = url
        user = _one_segment(segments, "Mastodon")
        if not user.startswith("@"):
            raise HandleError("the URL is not a Mastodon profile address (/@user)")
        user = user[1:]
    else:
        user, at, host = value.removeprefix("@").partition("@")
        host = host.lower()
        if not at or not valid_hostname(host):
            raise HandleError("write it as @user@instance")
    if not _MASTODON_USER.match(user):
        raise HandleError(f"{user!r} is not a Mastodon user name")
    return ProfileLink(
        "mastodon", "Mastodon", f"https://{host}/@{user}", f"@{user}@{host}"
    )


def bluesky(value: str) -> ProfileLink:
    """`name.bsky.social`, `@name.bsky.social`, a custom domain or a bsky.app URL."""
    value = _clean(value)
    url = _https_parts(value, ("bsky.app",))
    if url:
        segments = url[1]
        if len(segments) != 2 or segments[0] != "profile":
            raise HandleError("the URL is not a bsky.app/profile/... address")
        handle = segments[1]
    else:
        handle = value.removeprefix("@")
    handle = handle.lower()
    if not valid_hostname(handle):
        raise HandleError(f"{handle!r} is not a Bluesky handle (name.bsky.social)")
    return ProfileLink(
        "bluesky", "Bluesky", f"https://bsky.app/profile/{handle}", f"@{handle}"
    )


_GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def github(value: str) -> ProfileLink:
    """`name`, `@name` or a github.com profile URL."""
    value = _clean(value)
    url = _https_parts(value, ("github.com", "www.github.com"))
    name = _one_segment(url[1], "GitHub") if url else value.removeprefix("@")
    if not _GITHUB_NAME.match(name):
        raise HandleError(f"{name!r} is not a GitHub user name")
    return ProfileLink("github", "GitHub", f"https://github.com/{name}", name)


_XING_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,99}$")


def xing(value: str) -> ProfileLink:
    """`First_Last`, `profile/First_Last` or a xing.com profile URL."""
    value = _clean(value)
    url = _https_parts(value, ("xing.com", "www.xing.com"))
    segments = url[1] if url else value.split("/")
    if len(segments) == 2 and segments[0] == "profile":
        segments = segments[1:]
    name = _one_segment(segments, "Xing")
    if not _XING_NAME.match(name):
        raise HandleError(f"{name!r} is not a Xing profile name")
    return ProfileLink("xing", "Xing", f"https://www.xing.com/profile/{name}", name)


def website(value: str, label: str = "Website", network: str = "website"):
    """An https URL, or a bare address such as `example.com/about`."""
    value = _clean(value)
    url = _https_parts(value if _SCHEME.match(value) else "https://" + value)
    host, _, parts = url
    path = parts.path or "/"
    address = f"https://{parts.netloc.lower()}{path}"
    if parts.query:
        address += f"?{parts.query}"
    if parts.fragment:
        address += f"#{parts.fragment}"
    return ProfileLink(network, label, address, host.removeprefix("www."))


def link(value: str) -> ProfileLink:
    """A network we do not know: `Label | https://address`."""
    label, bar, address = (value or "").partition("|")
    label = " ".join(label.split())
    if not bar or not label:
        raise HandleError("write it as Label | https://address")
    if not _SCHEME.match(address.strip()):
        raise HandleError("the address must be a full https:// URL")
    return website(address, label=label, network="link")


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_~\-]+@([A-Za-z0-9.\-]+)$")


def email(value: str) -> ProfileLink:
    """`name@example.com` or `mailto:name@example.com`."""
    value = _clean(value)
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    match = _EMAIL.match(value)
    if not match or not valid_hostname(match.group(1).lower()):
        raise HandleError(f"{value!r} is not an e-mail address")
    return ProfileLink("email", "Email", f"mailto:{value}", value)


# Profile field -> normaliser. `x` is the new name of Twitter.
NETWORKS = {
    "twitter": twitter,
    "x": twitter,
    "linkedin": linkedin,
    "mastodon": mastodon,
    "bluesky": bluesky,
    "github": github,
    "xing": xing,
    "email": email,
    "link": link,
}


def normalise(network: str, value: str) -> ProfileLink:
    """The link for `value` written in the profile field `network`."""
    try:
        normaliser = NETWORKS[network]
    except KeyError:
        raise HandleError(f"{network!r} is not a known network") from None
    return normaliser(value)
