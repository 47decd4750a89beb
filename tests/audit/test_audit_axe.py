"""axe-core in Chromium: zero violations on one page of every kind.

The pages are those of the production build (served on loopback). A kind
of page that does not exist (a plugin that has not landed, a renamed URL)
fails with a message saying which, never skips.
"""

from urllib.parse import urljoin, urlsplit

import pytest

from tests.harness import axe_violations

# Kind of page -> its URL in the production build. The series page is found
# from the series list, so a change of series slug does not break the audit.
PAGE_KINDS = {
    "home": "",
    "article in a series": "posts/networking-theory/",
    "series list": "series/",
    "series page": None,
    "author page": "author/site-author/",
    "authors": "authors/",
    "archives": "archives/",
    "tag": "tag/networking/",
    "checklist page": "network-audit/",
    "about": "about/",
    "404": "404.html",
}


def _open(page, url: str, kind: str):
    response = page.goto(url)
    assert response is not None and response.ok, (
        f"the {kind} page {url} is missing (HTTP "
        f"{response.status if response else 'no response'})"
    )


def _series_page_url(page, production) -> str:
    """The first series page linked from the series list."""
    list_url = production.page_url("series/")
    _open(page, list_url, "series list")
    for href in page.eval_on_selector_all("main a[href]", "as => as.map(a => a.href)"):
        path = urlsplit(urljoin(list_url, href)).path
        if path.startswith("/series/") and path.strip("/") != "series":
            return urljoin(list_url, path)
    pytest.fail(f"the series list {list_url} links to no series page (series/<slug>/)")
    return ""  # unreachable: pytest.fail raises


@pytest.mark.browser
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_page_kind_has_no_axe_violations(page, watch, production, kind):
    url = PAGE_KINDS[kind]
    if url is None:
        url = _series_page_url(page, production)
    else:
        url = production.page_url(url)
    _open(page, url, kind)
    assert axe_violations(page) == [], url
    assert watch.offsite_requests == [], url
