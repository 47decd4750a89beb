"""Page weight: an article page costs at most 30 KB and loads only from its own host."""

from urllib.parse import urlsplit

import pytest

BUDGET_BYTES = 30 * 1024
# What counts: the page and what it needs to render; images do not count.
COUNTED_TYPES = {"document", "stylesheet", "script", "font"}
ARTICLE = "posts/networking-theory/"


@pytest.mark.browser
def test_article_page_weight_is_within_budget(page, watch, production):
    loaded = []  # (resource type, URL, bytes)

    def record(response):
        request = response.request
        if request.resource_type in COUNTED_TYPES and response.ok:
            loaded.append((request.resource_type, response.url, len(response.body())))

    page.on("response", record)
    url = production.page_url(ARTICLE)
    page.goto(url, wait_until="networkidle")
    # A print stylesheet is fetched too, at low priority: it counts.
    total = sum(size for _type, _url, size in loaded)
    listing = "\n".join(f"{size:>7} {kind:<10} {where}" for kind, where, size in loaded)
    print(f"{ARTICLE}: {total} bytes (uncompressed)\n{listing}")
    assert loaded and loaded[0][0] == "document", listing
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}:\n{listing}"
    assert watch.offsite_requests == []
    own_host = urlsplit(url).netloc
    assert all(urlsplit(where).netloc == own_host for _kind, where, _size in loaded)
