"""The audit as a plan, in headless Chromium: the chart and its table, saved
audits and growth, next steps with reminders (.ics), and stored answers of
every older version upgraded, never lost."""

import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from tests.harness import axe_violations, build_site, scrolls_sideways, serve
from tests.network_checklist.test_checklist_browser import (
    AUDIT,
    KEY,
    _answer,
    _field,
    _message,
    _progress,
    _quiet,
    _stored,
    _tab_to,
)
from tests.network_checklist.test_checklist_plan_markup import CHART_COLUMNS

pytestmark = pytest.mark.browser

FAMILY = "Family and extended family"
FRIENDS = "Friends, their families and their friends"
V1 = {
    "version": 1,
    "items": {
        "family": {"done": True, "count": 12, "closeness": "close"},
        "friends": {"done": False, "count": 40, "closeness": "regular"},
        "removed-item": {"done": True, "count": 3},
    },
}


@pytest.fixture
def audit(page, browser_context, site_url, watch):
    """The real audit page, enhanced and empty; after the test, nothing broke
    (a CSP violation is a console error) and nothing left the browser."""
    _quiet(browser_context)
    page.goto(site_url + AUDIT)
    expect(page.locator(".checklist-tools")).to_be_visible()
    yield page
    assert watch.console_errors == []
    assert watch.offsite_requests == []


def _load_with(page, stored):
    """Reloads the page with `stored` as its saved answers."""
    page.evaluate(
        "([key, value]) => localStorage.setItem(key, value)",
        [KEY, stored if isinstance(stored, str) else json.dumps(stored)],
    )
    page.reload()
    expect(page.locator(".checklist-tools")).to_be_visible()


def _chart(page):
    return page.locator(".checklist-chart svg")


def _table_rows(page):
    """The figures table as lists of cell texts, header row first."""
    return page.locator(".checklist-figures tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.textContent))"
    )


def _click(page, action):
    page.click(f"button[data-action='{action}']")


V2 = {
    "version": 2,
    "items": V1["items"],
    "snapshots": [
        {"saved": "2026-11-02T10:00:00.000Z", "items": {"family": {"count": 9}}}
    ],
}
READ_AT = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)


def _ms(moment: dt.datetime) -> int:
    """A moment as JavaScript's Date.now() gives it."""
    return int(moment.timestamp() * 1000)


@pytest.mark.parametrize("old", [V1, V2], ids=["version-1", "version-2"])
def test_older_answers_are_upgraded_in_place(audit, old):
    stored = {**old, "later": {"kept": True}}  # a part this version does not know
    audit.clock.set_fixed_time(READ_AT)
    _load_with(audit, stored)
    # Shown, and written back as version 3 before the reader does anything:
    # each part stamped with the time the old record was read.
    expect(_field(audit, "family-count")).to_have_value("12")
    expect(_field(audit, "family-closeness")).to_have_value("close")
    expect(_field(audit, "friends-count")).to_have_value("40")
    expect(_field(audit, "family-done")).to_be_checked()
    read_at = _ms(READ_AT)
    assert _stored(audit) == {
        **stored,
        "version": 3,
        "changed": {
            item: dict.fromkeys(answer, read_at)
            for item, answer in old["items"].items()
        },
        "snapshotsChanged": read_at,
    }
    if "snapshots" in old:
        expect(audit.locator(".checklist-history li")).to_have_count(1)
    # And an answer given now joins them; nothing is dropped.
    audit.clock.set_fixed_time(READ_AT + dt.timedelta(minutes=1))
    _field(audit, "family-step").fill("Call Aunt May")
    assert _stored(audit)["items"] == {
        **V1["items"],
        "family": {**V1["items"]["family"], "step": "Call Aunt May"},
    }
    assert _stored(audit)["changed"]["family"]["step"] == read_at + 60_000
    assert _stored(audit)["later"] == {"kept": True}


def test_newer_answers_in_storage_are_left_alone(audit):
    newer = json.dumps({"version": 4, "items": {"family": {"done": True}}})
    _load_with(audit, newer)
    expect(_message(audit)).to_contain_text("saved by a newer version of this page")
    _answer(audit, "friends", 2)
    expect(_progress(audit)).to_contain_text("2 people")
    assert audit.evaluate("key => localStorage.getItem(key)", KEY) == newer


def test_chart_and_its_name_follow_the_answers(audit):
    expect(audit.locator(".checklist-empty")).to_be_visible()
    expect(_chart(audit)).to_be_hidden()
    _answer(audit, "family", 12, "close")
    expect(_chart(audit)).to_be_visible()
    expect(audit.locator(".checklist-empty")).to_be_hidden()
    assert _chart(audit).get_attribute("role") == "img"
    expect(_chart(audit)).to_have_attribute(
        "aria-label",
        "Chart of your networks: 12 people: 12 close. The most: " + FAMILY + ", 12.",
    )
    _answer(audit, "friends", 36, "acquaintance")
    expect(_chart(audit)).to_have_attribute(
        "aria-label",
        "Chart of your networks: 48 people: 12 close, 36 acquaintances."
        " The most: " + FRIENDS + ", 36.",
    )
    # A bar per network and one for all, on one scale: friends are 3/4 of all.
    bars = _chart(audit).locator("rect")
    expect(bars).to_have_count(4)
    widths = bars.evaluate_all("bars => bars.map(bar => bar.width.baseVal.value)")
    family, friends, all_close, all_acquainted = widths
    assert friends == pytest.approx(3 * family)
    assert (all_close, all_acquainted) == pytest.approx((family, friends))
    assert bars.evaluate_all("bars => bars.map(bar => bar.getAttribute('class'))") == [
        "checklist-level-close",
        "checklist-level-acquaintance",
        "checklist-level-close",
        "checklist-level-acquaintance",
    ]
    rows = _table_rows(audit)
    assert rows[0] == CHART_COLUMNS
    assert [FAMILY, "12", "0", "0", "0", "12"] in rows
    assert [FRIENDS, "0", "0", "36", "0", "36"] in rows
    assert rows[-1] == ["All networks", "12", "0", "36", "0", "48"]
    # Back to nobody counted: the empty state again.
    _field(audit, "family-count").fill("")
    _field(audit, "friends-count").fill("")
    expect(audit.locator(".checklist-empty")).to_be_visible()
    expect(_chart(audit)).to_be_hidden()


def test_save_an_audit_change_it_and_see_the_growth(audit):
    audit.clock.set_fixed_time(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC))
    _answer(audit, "family", 10, "close")
    _answer(audit, "friends", 20, "acquaintance")
    _click(audit, "snapshot")
    expect(_message(audit)).to_contain_text("Audit saved on 2 December 2026.")
    history = audit.locator(".checklist-history li")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("2 December 2026: 30 people")
    expect(_progress(audit)).to_contain_text("30 people: 10 close, 20 acquaintances.")
    expect(_progress(audit)).to_contain_text("No change since 2 December.")

    audit.clock.set_fixed_time(dt.datetime(2027, 2, 1, 10, tzinfo=dt.UTC))
    _answer(audit, "family", 13)
    _answer(audit, "classmates", 5, "regular")
    _field(audit, "friends-count").fill("19")
    growth = (
        "+7 people since 2 December: +3 close, +5 regular contacts, −1 acquaintance."
    )
    expect(_progress(audit)).to_contain_text(growth)
    audit.reload()
    expect(_progress(audit)).to_contain_text(growth)

    _click(audit, "snapshot")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("1 February 2027: 37 people")
    expect(_progress(audit)).to_contain_text("No change since 1 February.")
    snapshots = _stored(audit)["snapshots"]
    assert [s["saved"][:10] for s in snapshots] == ["2026-12-02", "2027-02-01"]
    assert snapshots[0]["items"]["family"] == {
        "done": True,
        "count": 10,
        "closeness": "close",
    }

    # Deleting the newest audit: growth is counted from the one before.
    audit.get_by_role("button", name="Delete the audit of 1 February 2027").click()
    expect(_message(audit)).to_have_text("The audit of 1 February 2027 is deleted.")
    expect(audit.locator("button[data-action='snapshot']")).to_be_focused()
    expect(history).to_have_count(1)
    expect(_progress(audit)).to_contain_text(growth)
    audit.get_by_role("button", name="Delete the audit of 2 December 2026").click()
    expect(audit.locator(".checklist-saved")).to_be_hidden()
    expect(_progress(audit)).not_to_contain_text("since")
    assert "snapshots" not in _stored(audit)


def _source(items: str, plan: str = "yes") -> str:
    return (
        "Title: Edited\nSlug: edited\n\n::: checklist\nid: edited\ncounts: yes\n"
        f"plan: {plan}\n\n" + items + ":::\n"
    )


def test_next_step_and_date_survive_reload_and_an_edit(
    browser_context, page, tmp_path, audit
):
    _field(audit, "family-step").fill("Call Aunt May")
    _field(audit, "family-due").fill("2026-12-10")
    audit.reload()
    expect(_field(audit, "family-step")).to_have_value("Call Aunt May")
    expect(_field(audit, "family-due")).to_have_value("2026-12-10")

    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    source = content / "pages" / "edited.md"
    source.write_text(_source("- [ ] Family {#family}\n- [ ] Gym\n"), "utf-8")
    output = tmp_path / "output"
    build_site(output, content=content)
    url, server = serve(output)
    try:
        page.goto(url + "edited/")
        _field(page, "gym-step").fill("Ask the coach")
        _field(page, "gym-due").fill("2027-01-15")
        # Reworded, reordered, an item added; then the plan turned off and on.
        source.write_text(
            _source("- [ ] Book club\n- [ ] Gym\n- [ ] Family and in-laws {#family}\n"),
            "utf-8",
        )
        build_site(output, content=content)
        page.reload()
        expect(page.locator("[data-item]")).to_have_count(3)
        expect(_field(page, "gym-step")).to_have_value("Ask the coach")
        expect(_field(page, "gym-due")).to_have_value("2027-01-15")
        items = "- [ ] Gym\n"
        source.write_text(_source(items, plan="no"), "utf-8")
        build_site(output, content=content)
        page.reload()
        expect(page.locator("input[type='date']")).to_have_count(0)
        _answer(page, "gym", 4)
        source.write_text(_source(items), "utf-8")
        build_site(output, content=content)
        page.reload()
        expect(_field(page, "gym-count")).to_have_value("4")
        expect(_field(page, "gym-step")).to_have_value("Ask the coach")
        expect(_field(page, "gym-due")).to_have_value("2027-01-15")
    finally:
        server.shutdown()


def _reminders(page):
    with page.expect_download() as info:
        _click(page, "reminders")
    download = info.value
    assert download.suggested_filename == "network-audit-reminders.ics"
    return Path(download.path()).read_bytes()


def test_reminders_file_is_icalendar_with_stable_uids(audit):
    requests = []
    audit.on("request", lambda request: requests.append(request.url))
    _click(audit, "reminders")
    expect(_message(audit)).to_contain_text("Give a network a follow-up date first")
    step = "Ask about the port, the depot; and the new warehouse\\Tilbury — ça va"
    _field(audit, "family-step").fill(step)
    _field(audit, "family-due").fill("2026-12-10")
    _field(audit, "friends-due").fill("2027-01-05")
    _field(audit, "classmates-step").fill("No date, no reminder")
    first = _reminders(audit)
    expect(_message(audit)).to_contain_text("Reminders downloaded for 2 networks")

    # RFC 5545 by hand: CRLF line ends, lines folded at 75 octets.
    lines = first.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in first.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long SUMMARY folds"
    calendar = icalendar.Calendar.from_ical(first)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [
        f"{FAMILY}: {step}",
        f"Follow up: {FRIENDS}",
    ]
    assert [event.decoded("DTSTART") for event in events] == [
        dt.date(2026, 12, 10),
        dt.date(2027, 1, 5),
    ]
    for event in events:
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
        assert str(event["URL"]).endswith("/network-audit/#checklist-network-audit")
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == 2

    # Downloaded again after a change: the same events keep the same UIDs.
    _field(audit, "family-due").fill("2026-12-11")
    again = icalendar.Calendar.from_ical(_reminders(audit)).walk("VEVENT")
    assert [str(event["UID"]) for event in again] == uids
    assert again[0].decoded("DTSTART") == dt.date(2026, 12, 11)
    # Made in the browser: nothing was requested for it (blob: URLs only).
    assert [url for url in requests if not url.startswith("blob:")] == []


def _import(page, name, data):
    page.set_input_files(
        "input[type='file']",
        {
            "name": name,
            "mimeType": "application/json",
            "buffer": json.dumps(data).encode(),
        },
    )


def test_a_version_1_export_still_imports(audit):
    audit.clock.set_fixed_time(dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC))
    _answer(audit, "classmates", 4)
    _click(audit, "snapshot")
    _import(
        audit,
        "old.json",
        {"format": "checklist-answers", "checklist": "network-audit", **V1},
    )
    expect(_message(audit)).to_have_text("Answers imported from old.json.")
    expect(_field(audit, "family-count")).to_have_value("12")
    expect(_field(audit, "classmates-count")).to_have_value("")
    stored = _stored(audit)
    assert stored["version"] == 3 and stored["items"] == V1["items"]
    # An old file holds no saved audits: the ones here are kept.
    assert len(stored["snapshots"]) == 1


def test_export_and_import_carry_the_saved_audits(audit, browser_context, tmp_path):
    _answer(audit, "family", 10, "close")
    _field(audit, "family-due").fill("2026-12-10")
    _click(audit, "snapshot")
    with audit.expect_download() as info:
        _click(audit, "export-json")
    exported = json.loads(Path(info.value.path()).read_text("utf-8"))
    assert exported["version"] == 3 and len(exported["snapshots"]) == 1
    other = browser_context.new_page()  # same storage: start it empty
    other.goto(audit.url)
    other.evaluate("key => localStorage.removeItem(key)", KEY)
    other.reload()
    _import(other, "mine.json", exported)
    expect(other.locator(".checklist-history li")).to_have_count(1)
    expect(_field(other, "family-due")).to_have_value("2026-12-10")
    assert _stored(other)["items"] == exported["items"]
    assert _stored(other)["snapshots"] == exported["snapshots"]


@pytest.mark.parametrize(
    ("contents", "says"),
    [
        (
            {"version": 4, "items": {}},
            (
                "bad.json comes from a newer version of this page: reload it,"
                " then import again. Nothing was changed."
            ),
        ),
        (
            {"version": 2, "items": {}, "snapshots": [{"saved": "yesterday"}]},
            "bad.json is not an export of this checklist; nothing was changed.",
        ),
        (
            {"version": 2, "items": {"family": {"due": "10/12/2026"}}},
            "bad.json is not an export of this checklist; nothing was changed.",
        ),
    ],
    ids=["newer-version", "bad-snapshot", "bad-date"],
)
def test_bad_files_are_refused_and_change_nothing(audit, contents, says):
    _answer(audit, "classmates", 4)
    _field(audit, "classmates-step").fill("Find the alumni group")
    before = _stored(audit)
    data = {"format": "checklist-answers", "checklist": "network-audit", **contents}
    _import(audit, "bad.json", data)
    expect(_message(audit)).to_have_text(says)
    assert _stored(audit) == before
    expect(_field(audit, "classmates-step")).to_have_value("Find the alumni group")


def test_keyboard_only_plan(audit):
    """Count, next step, date, save, reminders and delete, by keyboard alone."""
    page = audit
    _tab_to(page, "[name='family-count']")
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "family-step"
    page.keyboard.type("Call Aunt May")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "family-due"
    # Day and month alike: the same date whichever order the browser asks.
    page.keyboard.type("11112026")
    expect(_field(page, "family-due")).to_have_value("2026-11-11")
    _tab_to(page, "button[data-action='snapshot']")
    assert page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle !== 'none'"
    )
    page.keyboard.press("Enter")
    expect(page.locator(".checklist-history li")).to_have_count(1)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "reminders"
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "network-audit-reminders.ics"
    # Back to the saved audit's Delete button, just before the buttons.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "forget"
    page.keyboard.press("Enter")
    expect(page.locator(".checklist-saved")).to_be_hidden()
    expect(page.locator("button[data-action='snapshot']")).to_be_focused()
    assert _stored(page)["items"]["family"] == {
        "done": False,
        "count": 7,
        "step": "Call Aunt May",
        "due": "2026-11-11",
    }


def _fill_everything(page):
    _answer(page, "family", 12, "close")
    _answer(page, "friends", 40, "regular")
    _answer(page, "social-networks", 300)
    _field(page, "family-step").fill("Call Aunt May about the port")
    _field(page, "family-due").fill("2026-12-10")
    _click(page, "snapshot")
    _answer(page, "classmates", 5, "acquaintance")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_the_chart_and_the_plan_at_320px(audit, scheme):
    audit.emulate_media(color_scheme=scheme)
    audit.set_viewport_size({"width": 320, "height": 640})
    _fill_everything(audit)
    expect(_chart(audit)).to_be_visible()
    expect(audit.locator(".checklist-history li")).to_have_count(1)
    assert axe_violations(audit) == []
    assert not scrolls_sideways(audit), "the audit page scrolls sideways at 320 px"
    # The bars stand out from the page in this scheme: outlined in the text colour.
    stroke, text = audit.evaluate(
        """() => [
            getComputedStyle(document.querySelector('.checklist-chart rect')).stroke,
            getComputedStyle(document.body).color]"""
    )
    assert stroke == text


def test_print_view_shows_the_plan_chart_and_figures(audit):
    _fill_everything(audit)
    # On screen the table is for screen readers only: a 1 px box.
    assert audit.locator(".checklist-figures").bounding_box()["width"] <= 1
    audit.emulate_media(media="print")
    for visible in (
        ".checklist-chart svg",
        ".checklist-figures table",
        ".checklist-history li",
        "[name='family-step']",
        "[name='family-due']",
    ):
        expect(audit.locator(visible).first).to_be_visible()
    # Its box no longer clips it to 1 px.
    box = audit.locator(".checklist-figures").bounding_box()
    assert box["width"] > 100, "the table prints at its size, not hidden"
    for hidden in (".checklist-buttons", ".checklist-history button"):
        expect(audit.locator(hidden).first).to_be_hidden()
