"""Two tabs editing one checklist, in headless Chromium: their answers merge
part by part (the newer answer to each part wins), whichever tab writes last
and whenever each hears of the other's writes."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.network_checklist.test_checklist_browser import (
    AUDIT,
    KEY,
    _answer,
    _field,
    _progress,
    _quiet,
    _stored,
)

pytestmark = pytest.mark.browser

T1 = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)
T2 = T1 + dt.timedelta(minutes=1)
T3 = T1 + dt.timedelta(minutes=2)

# A `storage` event that arrives late: while `holding` is set, the tab's
# widget does not hear that another tab wrote (this listener, added before
# the widget's, stops the event); `release()` tells it then.
HOLD_STORAGE_EVENTS = """
window.holding = false;
addEventListener('storage', (event) => {
  if (window.holding) event.stopImmediatePropagation();
}, true);
window.release = (key) => {
  window.holding = false;
  dispatchEvent(new StorageEvent('storage', { key }));
};
"""


def _ms(moment: dt.datetime) -> int:
    """A moment as JavaScript's Date.now() gives it."""
    return int(moment.timestamp() * 1000)


def _open(context, url):
    page = context.new_page()
    page.goto(url)
    expect(page.locator(".checklist-tools")).to_be_visible()
    return page


def _until_stored(page, condition):
    """Waits until `page` sees stored answers for which the JavaScript
    `condition` (of `stored`) holds: another tab's write has reached it."""
    page.wait_for_function(
        f"key => {{ const stored = JSON.parse(localStorage.getItem(key));"
        f" return Boolean(stored && ({condition})); }}",
        arg=KEY,
    )


def _expect_merged(page):
    """The answers of both tabs, in the form."""
    expect(_field(page, "family-done")).to_be_checked()
    expect(_field(page, "family-count")).to_have_value("3")
    expect(_field(page, "classmates-done")).to_be_checked()
    expect(_field(page, "friends-count")).to_have_value("7")
    expect(_field(page, "friends-done")).not_to_be_checked()
    expect(_progress(page)).to_have_text("2 of 8 networks reviewed. 10 people.")


@pytest.fixture
def tabs(browser_context, site_url, watch):
    """Two tabs of the audit page in one browser (one localStorage), each
    able to hold back what it hears of the other; after the test, nothing
    broke and nothing left the browser."""
    _quiet(browser_context)
    browser_context.add_init_script(HOLD_STORAGE_EVENTS)
    first = _open(browser_context, site_url + AUDIT)
    second = _open(browser_context, site_url + AUDIT)
    yield first, second
    assert watch.console_errors == []
    assert watch.offsite_requests == []


def test_tabs_that_write_unaware_of_each_other_keep_both_changes(tabs):
    first, second = tabs
    for tab in tabs:
        tab.evaluate("window.holding = true")
    # The first tab answers one item, and a part of another...
    first.clock.set_fixed_time(T1)
    _answer(first, "family")
    _field(first, "friends-count").fill("5")
    _until_stored(second, "stored.items.friends?.count === 5")
    expect(_field(second, "family-done")).not_to_be_checked()  # not heard of
    # ...the second, unaware of it, answers a third and the same part, later.
    first.clock.set_fixed_time(T2)
    _answer(second, "classmates")
    _field(second, "friends-count").fill("7")
    # Its write merged what was stored: it now shows the first tab's answer.
    expect(_field(second, "family-done")).to_be_checked()
    _until_stored(first, "stored.items.classmates?.done")
    # The first writes last, unaware of the second: its older count of
    # friends does not undo the newer one.
    first.clock.set_fixed_time(T3)
    _field(first, "family-count").fill("3")
    _expect_merged(first)
    _until_stored(second, "stored.items.family?.count === 3")
    for tab in tabs:
        tab.evaluate("key => release(key)", KEY)
    _expect_merged(second)

    stored = _stored(first)
    assert stored["items"] == {
        "family": {"done": True, "count": 3},
        "classmates": {"done": True},
        "friends": {"done": False, "count": 7},
    }
    assert stored["changed"]["family"] == {"done": _ms(T1), "count": _ms(T3)}
    assert stored["changed"]["friends"]["count"] == _ms(T2)
    assert stored["changed"]["classmates"] == {"done": _ms(T2)}
    first.reload()
    _expect_merged(first)


def test_a_write_that_raced_past_a_change_does_not_undo_it(tabs):
    first, second = tabs
    first.clock.set_fixed_time(T1)
    _answer(first, "family", 4)
    expect(_field(second, "family-count")).to_have_value("4")
    # Another tab that read before the first tab's write landed writes its
    # own copy over it: a newer answer of its own, none of the first's.
    first.clock.set_fixed_time(T2)
    second.evaluate(
        """([key, time]) => localStorage.setItem(key, JSON.stringify({
            version: 3,
            items: {classmates: {done: true}},
            changed: {classmates: {done: time}},
        }))""",
        [KEY, _ms(T2)],
    )
    # The first tab hears of it, keeps its own newer answers and writes
    # them back; the second then hears of that: both show both.
    _until_stored(second, "stored.items.family?.count === 4")
    for tab in tabs:
        expect(_field(tab, "classmates-done")).to_be_checked()
        expect(_field(tab, "family-count")).to_have_value("4")
        expect(_field(tab, "family-done")).to_be_checked()
    assert _stored(second)["items"] == {
        "family": {"done": True, "count": 4},
        "classmates": {"done": True},
    }
