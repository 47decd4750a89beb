"""Page weight: an article page costs at most 48 KB and loads only from its own host.

The sizes come from the page's own Resource Timing entries, read once the
page has finished with everything its markup asks for. Network events are
not used: the order they arrive in, and whether the last one (the print
stylesheet, fetched at low priority) has arrived yet, depend on the load
on the machine.
"""

from urllib.parse import urlsplit

import pytest

# Uncompressed, as the browser decoded it (about a third of that on the wire).
# 30 KB until issues 11 and 12 added share links (Open Graph tags, six ways
# to share, share.js), the header's search form, reading time, a contents
# list and "Read next": the theory post came to 40.7 KB. 48 KB leaves room
# for the post's own text to grow, and is still small.
BUDGET_BYTES = 48 * 1024
ARTICLE = "posts/networking-theory/"
# What counts: the page and what it needs to render; images do not count.
# A resource is known by its file name (Resource Timing gives no type).
COUNTED_SUFFIXES = {
    ".css": "stylesheet",
    ".js": "script",
    ".mjs": "script",
    ".woff2": "font",
    ".woff": "font",
    ".ttf": "font",
    ".otf": "font",
}
# The stylesheets and scripts the markup asks for (module imports and fonts
# are asked for by these, and are done when the load event and
# document.fonts are).
REFERENCED = (
    "link[rel~='stylesheet'][href], link[rel='modulepreload'][href], script[src]"
)

# True once the document, every resource of its own host that the markup
# references and every font are loaded.
ALL_LOADED = """selector => {
    const [navigation] = performance.getEntriesByType('navigation');
    if (!navigation || navigation.loadEventEnd === 0) return false;
    if (document.fonts.status !== 'loaded') return false;
    return [...document.querySelectorAll(selector)]
        .map(element => new URL(element.href || element.src, document.baseURI))
        .filter(url => url.origin === location.origin)
        .every(url => performance.getEntriesByName(url.href, 'resource').length > 0);
}"""

# Every entry of the document and its resources: URL and decoded size.
ENTRIES = """selector => ({
    referenced: [...document.querySelectorAll(selector)]
        .map(element => new URL(element.href || element.src, document.baseURI).href),
    entries: [
        ...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource'),
    ].map(entry => ({
        url: entry.name,
        type: entry.entryType,
        size: entry.decodedBodySize,
    })),
})"""


def _counted_kind(entry: dict) -> str | None:
    """'document', 'stylesheet', 'script' or 'font'; None for what does not count."""
    if entry["type"] == "navigation":
        return "document"
    path = urlsplit(entry["url"]).path
    return next(
        (kind for suffix, kind in COUNTED_SUFFIXES.items() if path.endswith(suffix)),
        None,
    )


@pytest.mark.browser
def test_article_page_weight_is_within_budget(page, watch, production):
    url = production.page_url(ARTICLE)
    page.goto(url)
    page.wait_for_function(ALL_LOADED, arg=REFERENCED)
    found = page.evaluate(ENTRIES, REFERENCED)
    kinds = [(_counted_kind(entry), entry) for entry in found["entries"]]
    counted = [(kind, entry) for kind, entry in kinds if kind]
    total = sum(entry["size"] for _kind, entry in counted)
    listing = "\n".join(
        f"{entry['size']:>7} {kind:<10} {entry['url']}" for kind, entry in counted
    )
    print(f"{ARTICLE}: {total} bytes (uncompressed)\n{listing}")
    documents = [entry["url"] for kind, entry in counted if kind == "document"]
    assert documents == [url], listing
    # Everything the markup asks for counts, the print stylesheet (fetched
    # at low priority) included.
    assert set(found["referenced"]) <= {entry["url"] for _kind, entry in counted}
    assert total <= BUDGET_BYTES, f"{total} bytes > {BUDGET_BYTES}:\n{listing}"
    assert watch.offsite_requests == []
    own_host = urlsplit(url).netloc
    every_url = found["referenced"] + [entry["url"] for entry in found["entries"]]
    assert [where for where in every_url if urlsplit(where).netloc != own_host] == []
