"""The checklist widget in headless Chromium: answers kept, never sent."""

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.harness import axe_violations, build_site, scrolls_sideways, serve

pytestmark = pytest.mark.browser

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
AUDIT = "network-audit/"
KEY = "checklist:network-audit"
NOT_SAVED = "not letting the page save"


def _stored(page, key=KEY):
    return page.evaluate("key => JSON.parse(localStorage.getItem(key))", key)


def _field(page, name):
    return page.locator(f"[name='{name}']")


def _answer(page, item, count=None, closeness=None, done=True):
    """Answers one item through the page, as a reader would."""
    if done:
        _field(page, f"{item}-done").check()
    if count is not None:
        _field(page, f"{item}-count").fill(str(count))
    if closeness is not None:
        _field(page, f"{item}-closeness").select_option(closeness)


def _progress(page):
    return page.locator(".checklist-progress")


def _message(page):
    return page.locator(".checklist-message")


def _quiet(context):
    """No favicon 404 in the console: the site has no favicon yet."""
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))


@pytest.fixture
def audit(page, browser_context, site_url):
    """The real audit page, enhanced and empty."""
    _quiet(browser_context)
    page.goto(site_url + AUDIT)
    expect(page.locator(".checklist-tools")).to_be_visible()
    return page


@pytest.fixture
def clean(watch):
    """Asserts, after the test, that nothing broke and nothing left the browser."""
    yield
    assert watch.console_errors == []
    assert watch.offsite_requests == []


@pytest.fixture(scope="module")
def test_site_url(tmp_path_factory):
    """The small test site (two pages share one checklist id), served."""
    site = build_site(
        tmp_path_factory.mktemp("checklist-browser"), content=TEST_CONTENT
    )
    url, server = serve(site.root)
    yield url
    server.shutdown()


def test_answers_survive_reload_and_a_new_tab(audit, browser_context, clean):
    _answer(audit, "family", 12, "close")
    _answer(audit, "friends", 40, "regular", done=False)
    _answer(audit, "former-colleagues", 91, "acquaintance")
    _answer(audit, "classmates", 5, done=False)
    expected = (
        "2 of 8 networks reviewed. 148 people: 12 close, 40 regular contacts,"
        " 91 acquaintances, 5 not rated."
    )
    expect(_progress(audit)).to_have_text(expected)
    stored = _stored(audit)
    # Each part given has the time it was given (two tabs merge by them:
    # test_checklist_merge_browser.py).
    changed = stored.pop("changed")
    assert {item: set(parts) for item, parts in changed.items()} == {
        item: set(answer) for item, answer in stored["items"].items()
    }
    assert stored == {
        "version": 3,
        "items": {
            "family": {"done": True, "count": 12, "closeness": "close"},
            "friends": {"done": False, "count": 40, "closeness": "regular"},
            "former-colleagues": {
                "done": True,
                "count": 91,
                "closeness": "acquaintance",
            },
            "classmates": {"done": False, "count": 5},
        },
    }
    url = audit.url
    audit.reload()
    expect(_progress(audit)).to_have_text(expected)
    audit.close()
    later = browser_context.new_page()  # closing the tab and coming back
    later.goto(url)
    expect(_field(later, "family-done")).to_be_checked()
    expect(_field(later, "family-count")).to_have_value("12")
    expect(_field(later, "family-closeness")).to_have_value("close")
    expect(_field(later, "friends-done")).not_to_be_checked()
    expect(_field(later, "friends-count")).to_have_value("40")
    expect(later.locator(".checklist-bar")).to_have_attribute("value", "2")
    expect(_progress(later)).to_have_text(expected)


def test_answers_are_announced_politely_and_events_fire(audit, clean):
    assert _progress(audit).get_attribute("role") == "status"
    audit.evaluate(
        """() => { window.changes = [];
        document.addEventListener('checklist:change', e => changes.push(e.detail)); }"""
    )
    _answer(audit, "family", 3)
    detail = audit.evaluate("changes.at(-1)")
    assert detail == {"id": "network-audit", "reviewed": 1, "total": 8, "people": 3}
    expect(_progress(audit)).to_have_text("1 of 8 networks reviewed. 3 people.")
    _field(audit, "family-count").fill("1")
    expect(_progress(audit)).to_have_text("1 of 8 networks reviewed. 1 person.")


def _checklist(items: str, closeness: str = "yes") -> str:
    return (
        "Title: Edited\nSlug: edited\n\n::: checklist\nid: edited\ncounts: yes\n"
        f"closeness: {closeness}\n\n" + items + ":::\n"
    )


def test_edit_the_checklist_rebuild_and_reload(browser_context, page, tmp_path):
    _quiet(browser_context)
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    source = content / "pages" / "edited.md"
    source.write_text(
        _checklist(
            "- [ ] Family {#family}\n- [ ] Neighbours {#neighbours}\n"
            "- [ ] Old colleagues {#colleagues}\n- [ ] Gym friends\n"
        ),
        encoding="utf-8",
    )
    output = tmp_path / "output"
    build_site(output, content=content)
    url, server = serve(output)
    try:
        page.goto(url + "edited/")
        _answer(page, "family", 10, "close")
        _answer(page, "neighbours", 4)
        _answer(page, "colleagues", 30, "acquaintance", done=False)
        _answer(page, "gym-friends", 6, "regular")
        # Reorder, reword an item with an explicit id, remove one, add one.
        source.write_text(
            _checklist(
                "- [ ] Book club\n- [ ] Former colleagues {#colleagues}\n"
                "- [ ] Gym friends\n- [ ] Family and in-laws {#family}\n"
            ),
            encoding="utf-8",
        )
        build_site(output, content=content)
        page.reload()
        items = page.locator("[data-item]")
        expect(items).to_have_count(4)
        assert "Family and in-laws" in items.nth(3).inner_text()
        expect(_field(page, "family-done")).to_be_checked()
        expect(_field(page, "family-count")).to_have_value("10")
        expect(_field(page, "family-closeness")).to_have_value("close")
        expect(_field(page, "colleagues-done")).not_to_be_checked()
        expect(_field(page, "colleagues-count")).to_have_value("30")
        expect(_field(page, "gym-friends-count")).to_have_value("6")
        expect(_field(page, "book-club-done")).not_to_be_checked()
        expect(_field(page, "book-club-count")).to_have_value("")
        expect(page.locator("[name^='neighbours']")).to_have_count(0)
        expect(_progress(page)).to_have_text(
            "2 of 4 items reviewed. 46 people: 10 close, 6 regular contacts,"
            " 30 acquaintances."
        )
        # The removed item's answer is kept in storage, only not shown, and
        # survives the next change.
        _answer(page, "book-club", 2)
        stored = _stored(page, "checklist:edited")["items"]
        assert stored["neighbours"] == {"done": True, "count": 4}
        assert stored["book-club"] == {"done": True, "count": 2}

        # Closeness turned off, an answer changed, closeness back on: the
        # closeness given before is still there.
        items = "- [ ] Family and in-laws {#family}\n- [ ] Gym friends\n"
        source.write_text(_checklist(items, closeness="no"), encoding="utf-8")
        build_site(output, content=content)
        page.reload()
        expect(page.locator("select")).to_have_count(0)
        _field(page, "family-count").fill("11")
        expect(_progress(page)).to_have_text("2 of 2 items reviewed. 17 people.")
        source.write_text(_checklist(items), encoding="utf-8")
        build_site(output, content=content)
        page.reload()
        expect(_field(page, "family-count")).to_have_value("11")
        expect(_field(page, "family-closeness")).to_have_value("close")
    finally:
        server.shutdown()
    assert browser_context.watch.console_errors == []


@pytest.mark.parametrize(
    ("stored", "family", "classmates"),
    [
        ("{not json", ("", False), ("", False)),
        ('"a string"', ("", False), ("", False)),
        (
            json.dumps(
                {
                    "version": 1,
                    "items": {
                        "family": {"done": True, "count": -5, "closeness": 3},
                        "friends": "garbage",
                        "classmates": {"done": "yes", "count": 3},
                        "Not an item id": {"done": True},
                    },
                }
            ),
            ("", True),
            ("3", False),
        ),
    ],
    # A newer version is kept, not cleaned: test_checklist_plan_browser.py.
    ids=["not-json", "not-an-object", "partly-broken"],
)
def test_corrupted_storage_starts_clean_where_broken(
    audit, clean, stored, family, classmates
):
    audit.evaluate("([key, value]) => localStorage.setItem(key, value)", [KEY, stored])
    audit.reload()
    expect(audit.locator(".checklist-tools")).to_be_visible()
    expect(_field(audit, "family-count")).to_have_value(family[0])
    expect(_field(audit, "family-done")).to_be_checked(checked=family[1])
    expect(_field(audit, "classmates-count")).to_have_value(classmates[0])
    expect(_field(audit, "classmates-done")).to_be_checked(checked=classmates[1])
    expect(_field(audit, "family-closeness")).to_have_value("")
    # The widget keeps working and writes back only what was good.
    _answer(audit, "friends", 2)
    kept = _stored(audit)["items"]
    assert kept.pop("friends") == {"done": True, "count": 2}
    if stored.startswith('{"version": 1'):
        assert kept == {"family": {"done": True}, "classmates": {"count": 3}}
    else:
        assert kept == {}
    expect(_message(audit)).to_have_text("")


@pytest.mark.parametrize(
    "breakage",
    [
        # Storage disabled (or a sandboxed frame): any access throws.
        """Object.defineProperty(window, 'localStorage', {
            get() { throw new DOMException('denied', 'SecurityError'); } });""",
        # Quota exceeded or private mode: reads work, writes throw.
        """Storage.prototype.setItem = function () {
            throw new DOMException('full', 'QuotaExceededError'); };""",
    ],
    ids=["disabled", "quota"],
)
def test_storage_unavailable_works_for_the_visit_and_says_so(
    browser_context, page, site_url, clean, breakage
):
    _quiet(browser_context)
    browser_context.add_init_script(breakage)
    page.goto(site_url + AUDIT)
    expect(_message(page)).to_contain_text(NOT_SAVED)
    _answer(page, "family", 7, "close")
    expect(_progress(page)).to_have_text("1 of 8 networks reviewed. 7 people: 7 close.")
    expect(_field(page, "family-done")).to_be_checked()


def test_two_tabs_show_each_others_changes(audit, browser_context, clean):
    other = browser_context.new_page()
    other.goto(audit.url)
    _answer(audit, "family", 9, "regular")
    expect(_field(other, "family-done")).to_be_checked()
    expect(_field(other, "family-count")).to_have_value("9")
    expect(_progress(other)).to_contain_text("1 of 8 networks reviewed")
    # Storage events arrive one per write: the last one (the closeness) too.
    # (Tabs that write before hearing of each other: see
    # test_checklist_merge_browser.py.)
    expect(_field(other, "family-closeness")).to_have_value("regular")
    _field(other, "family-done").uncheck()
    expect(_field(audit, "family-done")).not_to_be_checked()
    expect(_field(audit, "family-count")).to_have_value("9")
    expect(_field(audit, "family-closeness")).to_have_value("regular")


def test_same_checklist_id_on_two_pages_shares_answers(
    browser_context, page, test_site_url, clean
):
    _quiet(browser_context)
    page.goto(test_site_url + "audit/")
    _answer(page, "neighbours", 15, "close")
    page.goto(test_site_url + "audit-again/")
    expect(_field(page, "neighbours-done")).to_be_checked()
    expect(_field(page, "neighbours-count")).to_have_value("15")
    expect(_progress(page)).to_have_text(
        "1 of 3 circles reviewed. 15 people: 15 close."
    )


def _download(page, action):
    with page.expect_download() as info:
        page.click(f"button[data-action='{action}']")
    download = info.value
    return download.suggested_filename, Path(download.path())


def test_export_reset_and_import_round_trip(audit, clean, tmp_path):
    _answer(audit, "family", 12, "close")
    _answer(audit, "social-networks", 300, "acquaintance", done=False)
    name, path = _download(audit, "export-json")
    assert name == "network-audit.json"
    exported = json.loads(path.read_text(encoding="utf-8"))
    # The answers, not the times they were given (only this browser's tabs
    # need those).
    assert exported == {
        "format": "checklist-answers",
        "version": 3,
        "checklist": "network-audit",
        "snapshots": [],
        "items": {
            "family": {"done": True, "count": 12, "closeness": "close"},
            "social-networks": {
                "done": False,
                "count": 300,
                "closeness": "acquaintance",
            },
        },
    }
    name, summary = _download(audit, "export-text")
    assert name == "network-audit.md"
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Where your networks already are"
    assert lines[2] == (
        "1 of 8 networks reviewed. 312 people: 12 close, 300 acquaintances."
    )
    assert "- [x] Family and extended family: 12 people, close" in lines
    assert "- [ ] Friends, their families and their friends" in lines

    # Reset asks first: dismissing keeps everything.
    audit.once("dialog", lambda dialog: dialog.dismiss())
    audit.click("button[data-action='reset']")
    expect(_field(audit, "family-done")).to_be_checked()
    audit.once("dialog", lambda dialog: dialog.accept())
    audit.click("button[data-action='reset']")
    expect(_field(audit, "family-done")).not_to_be_checked()
    expect(_field(audit, "family-count")).to_have_value("")
    expect(_message(audit)).to_have_text("All answers cleared.")
    # Each cleared part keeps the time it was cleared, so that another tab's
    # older answer does not bring it back.
    assert _stored(audit)["items"] == {}
    assert set(_stored(audit)["changed"]) == {"family", "social-networks"}

    target = tmp_path / "answers.json"
    shutil.copy(path, target)
    audit.set_input_files("input[type='file']", str(target))
    expect(_message(audit)).to_have_text("Answers imported from answers.json.")
    expect(_field(audit, "family-done")).to_be_checked()
    expect(_field(audit, "social-networks-count")).to_have_value("300")
    assert _stored(audit)["items"] == exported["items"]


@pytest.mark.parametrize(
    "contents",
    [
        b"{oops",
        b"[]",
        json.dumps({"format": "checklist-answers", "version": 1}).encode(),
        json.dumps(
            {
                "format": "checklist-answers",
                "version": 1,
                "checklist": "another-checklist",
                "items": {},
            }
        ).encode(),
        json.dumps(
            {
                "format": "checklist-answers",
                "version": 1,
                "checklist": "network-audit",
                "items": {"family": {"done": True}, "friends": {"count": "many"}},
            }
        ).encode(),
    ],
    ids=["not-json", "array", "no-items", "other-checklist", "one-bad-answer"],
)
def test_bad_import_file_changes_nothing(audit, clean, contents):
    _answer(audit, "classmates", 4)
    before = _stored(audit)
    audit.set_input_files(
        "input[type='file']",
        {"name": "bad.json", "mimeType": "application/json", "buffer": contents},
    )
    expect(_message(audit)).to_have_text(
        "bad.json is not an export of this checklist; nothing was changed."
    )
    assert _stored(audit) == before
    expect(_field(audit, "classmates-count")).to_have_value("4")
    expect(_field(audit, "family-done")).not_to_be_checked()


def _navigations_requested(context, page):
    """A function returning the URLs `page` has asked to navigate to so far.

    A form submission is requested while the key press that causes it is
    handled, and Chromium reports it (Page.frameRequestedNavigation) on the
    page's DevTools session before it answers any later command there: the
    function sends one, so nothing requested before it is missed, with no
    waiting for something that should not happen.
    """
    session = context.new_cdp_session(page)
    requested = []
    session.on(
        "Page.frameRequestedNavigation", lambda event: requested.append(event["url"])
    )
    session.send("Page.enable")

    def so_far():
        session.send("Runtime.evaluate", {"expression": "0"})
        return requested

    return so_far


def test_without_javascript_the_form_is_usable_and_never_submits(
    browser, site_url, test_site_url
):
    context = browser.new_context(java_script_enabled=False)
    _quiet(context)
    console = []
    context.on("console", lambda message: console.append(message.text))
    try:
        page = context.new_page()
        page.goto(site_url + AUDIT)
        expect(page.locator(".checklist-tools")).to_be_hidden()
        expect(page.locator("form.checklist").get_by_role("button")).to_have_count(0)
        page.get_by_label("Family and extended family", exact=True).check()
        expect(_field(page, "family-done")).to_be_checked()
        _field(page, "family-count").fill("5")
        # "Read more" shows for items not yet reviewed (CSS alone does it).
        expect(page.locator(".checklist-see").first).to_be_hidden()
        expect(page.locator(".checklist-see").nth(1)).to_be_visible()
        # With one text field, Enter would submit a form implicitly.
        page.goto(test_site_url + "single/")
        requested = _navigations_requested(context, page)
        _field(page, "only-count").fill("5")
        _field(page, "only-count").press("Enter")
        assert requested() == []
        assert page.url == test_site_url + "single/"
        expect(_field(page, "only-count")).to_have_value("5")
    finally:
        context.close()
    assert console == []  # not even a blocked (CSP form-action) submission


def test_submitting_is_prevented_with_javascript(browser_context, page, test_site_url):
    _quiet(browser_context)
    page.goto(test_site_url + "single/")
    expect(page.locator(".checklist-tools")).to_be_visible()
    page.evaluate(
        """() => document.addEventListener('submit', (event) => {
            window.submitPrevented = event.defaultPrevented; })"""
    )
    _field(page, "only-count").fill("5")
    _field(page, "only-count").press("Enter")  # the disabled default button
    assert page.evaluate("window.submitPrevented") is None  # stops this
    page.evaluate("document.querySelector('form.checklist').requestSubmit()")
    assert page.evaluate("window.submitPrevented") is True
    assert page.url == test_site_url + "single/"
    assert browser_context.watch.console_errors == []


def _tab_to(page, selector, limit=150):
    """Presses Tab until `selector` has focus; fails after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def _focus_is_visible(page):
    return page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )


def test_keyboard_only_walkthrough(audit, clean):
    _tab_to(audit, "[name='family-done']")
    assert _focus_is_visible(audit)
    audit.keyboard.press("Space")
    expect(_field(audit, "family-done")).to_be_checked()
    audit.keyboard.press("Tab")
    assert audit.evaluate("document.activeElement.name") == "family-count"
    assert _focus_is_visible(audit)
    audit.keyboard.type("8")
    audit.keyboard.press("Tab")
    assert audit.evaluate("document.activeElement.name") == "family-closeness"
    audit.keyboard.press("ArrowDown")
    expect(_field(audit, "family-closeness")).to_have_value("acquaintance")
    # Then the plan's two fields (test_checklist_plan_browser.py fills them).
    audit.keyboard.press("Tab")
    assert audit.evaluate("document.activeElement.name") == "family-step"
    audit.keyboard.press("Tab")
    assert audit.evaluate("document.activeElement.name") == "family-due"
    # Tab walks through the date's own parts (month, day, year) first.
    while audit.evaluate("document.activeElement.name") == "family-due":
        audit.keyboard.press("Tab")
    # The reviewed item's "Read more" link is hidden, so Tab skips it.
    assert audit.evaluate("document.activeElement.name") == "classmates-done"
    expect(_progress(audit)).to_have_text(
        "1 of 8 networks reviewed. 8 people: 8 acquaintances."
    )
    _tab_to(audit, "button[data-action='export-json']")
    assert _focus_is_visible(audit)
    with audit.expect_download() as info:
        audit.keyboard.press("Enter")
    assert info.value.suggested_filename == "network-audit.json"
    _tab_to(audit, "button[data-action='reset']")
    audit.once("dialog", lambda dialog: dialog.accept())
    audit.keyboard.press("Enter")
    expect(_field(audit, "family-done")).not_to_be_checked()
    _tab_to(audit, "input[type='file']")
    assert _focus_is_visible(audit)


def test_print_view_shows_the_answers_not_the_controls(audit, clean):
    _answer(audit, "family", 12, "close")
    audit.emulate_media(media="print")
    expect(_field(audit, "family-done")).to_be_visible()
    expect(_field(audit, "family-count")).to_be_visible()
    expect(_progress(audit)).to_be_visible()
    expect(audit.locator(".checklist-buttons")).to_be_hidden()
    expect(audit.locator(".checklist-see").first).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_and_without_answers_at_320px(audit, clean, scheme):
    audit.emulate_media(color_scheme=scheme)
    audit.set_viewport_size({"width": 320, "height": 640})
    assert axe_violations(audit) == []
    _answer(audit, "family", 12, "close")
    _answer(audit, "friends", 3)
    audit.once("dialog", lambda dialog: dialog.dismiss())
    audit.set_input_files(
        "input[type='file']",
        {"name": "bad.json", "mimeType": "application/json", "buffer": b"{"},
    )
    expect(_message(audit)).not_to_have_text("")
    assert axe_violations(audit) == []
    assert not scrolls_sideways(audit), "the audit page scrolls sideways at 320 px"
