"""Scheduled and overdue parts, with "now" frozen (never a wait).

A part dated in the future (no `Status: draft`) is held back by Pelican
(WITH_FUTURE_DATES off) and shown in its series as scheduled for its date;
the first build after that moment publishes it. An announced part whose
expected date has passed says it is running late, and the build warns.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from tests.harness import (
    PUBLISHED_SITEURL,
    ROOT,
    build_site,
    freeze_now,
    recorded_warnings,
)
from tests.series_nav.test_series_nav_generator import generate

THEORY = "posts/networking-theory/"
SCHEDULED_SOURCE = """\
Title: The follow-up: keeping in touch
Date: 2026-12-10 09:00
Slug: keeping-in-touch
Series: Networking in practice
Series_index: 3
Tags: networking

Keeping in touch, scheduled.
"""
# Dated in the past, but a draft by its own word: it stays one.
DRAFT_SOURCE = """\
Title: The retrospective
Date: 2026-11-01 09:00
Slug: the-retrospective
Series: Networking in practice
Series_index: 4
Status: draft

Not ready.
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    """The real content plus a scheduled part and a past-dated draft."""
    folder = tmp_path_factory.mktemp("scheduled") / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "posts" / "keeping-in-touch.md").write_text(SCHEDULED_SOURCE)
    (folder / "posts" / "the-retrospective.md").write_text(DRAFT_SOURCE)
    return folder


def publish(content, output, moment):
    """A production build of `content` at `moment`; returns (site, warnings)."""
    with recorded_warnings() as warnings:
        site = build_site(
            output,
            content=content,
            settings_file="publishconf.py",
            built_at=moment,
            SITEURL=PUBLISHED_SITEURL,
        )
    return site, list(warnings)


@pytest.fixture(scope="module")
def before(content, tmp_path_factory):
    """Built the day before the scheduled part's date."""
    moment = dt.datetime(2026, 12, 9, 12, 0, tzinfo=dt.UTC)
    return publish(content, tmp_path_factory.mktemp("before"), moment)


@pytest.fixture(scope="module")
def after(content, tmp_path_factory):
    """Built an hour after it (09:00 in London is 09:00 UTC in December)."""
    moment = dt.datetime(2026, 12, 10, 10, 0, tzinfo=dt.UTC)
    return publish(content, tmp_path_factory.mktemp("after"), moment)


def feeds_text(site):
    return "".join(path.read_text() for path in (site.root / "feeds").rglob("*.*ml"))


def indexed_pages(site):
    entry = json.loads(site.text("pagefind/pagefind-entry.json"))
    return entry["languages"]["en"]["page_count"]


def contents_items(site, relative=THEORY):
    box = site.page(relative).xpath("//nav[contains(@class, 'series-contents')]")[0]
    return {
        item.xpath("string(.//*[@class='series-part-title'])")
        or item.xpath("string(.//a)"): item
        for item in box.xpath(".//ol/li")
    }


def test_a_scheduled_part_is_not_published_before_its_date(before):
    site, _warnings = before
    assert not site.exists("posts/keeping-in-touch/")
    assert site.exists("drafts/keeping-in-touch/")  # the unlisted preview
    assert "keeping-in-touch" not in feeds_text(site)
    assert "keeping-in-touch" not in site.text("sitemap.txt")
    assert "keeping-in-touch" not in site.text("archives/")
    assert "keeping-in-touch" not in site.text("")
    assert indexed_pages(site) == 4  # theory post, about, audit, subscribe


def test_a_scheduled_part_is_shown_as_coming_on_its_date(before):
    site, _warnings = before
    item = contents_items(site)["The follow-up: keeping in touch"]
    assert not item.xpath(".//a"), "a scheduled part is never linked"
    assert " ".join(item.text_content().split()).endswith(
        "coming soon, by Site Author, scheduled for 10 December 2026"
    )
    assert item.xpath(".//time/@datetime") == ["2026-12-10"]


def test_the_first_build_after_its_date_publishes_it_unedited(after):
    site, _warnings = after
    assert site.exists("posts/keeping-in-touch/")
    assert not site.exists("drafts/keeping-in-touch/")
    assert "keeping-in-touch" in feeds_text(site)
    assert f"{PUBLISHED_SITEURL}/posts/keeping-in-touch/" in site.text("sitemap.txt")
    assert "keeping-in-touch" in site.text("archives/")
    assert indexed_pages(site) == 5
    item = contents_items(site)["The follow-up: keeping in touch"]
    assert item.xpath(".//a")


@pytest.mark.parametrize("build", ["before", "after"])
def test_a_draft_stays_a_draft_whatever_its_date(build, request):
    site, _warnings = request.getfixturevalue(build)
    assert not site.exists("posts/the-retrospective/")
    item = contents_items(site)["The retrospective"]
    assert not item.xpath(".//a")
    assert "scheduled" not in item.text_content()


def test_an_overdue_part_says_it_is_running_late_and_the_build_warns(before):
    site, warnings = before
    item = contents_items(site)[
        "The campaign: finding new work through social-media networking"
    ]
    assert " ".join(item.text_content().split()).endswith(
        "coming soon, by Paul Weston, running late"
    )
    assert not item.xpath(".//time"), "no past date is promised"
    overdue = [w for w in warnings if "expected on 2026-11-27" in w]
    assert len(overdue) == 1
    assert "social-media-job-search.md" in overdue[0]


# Generator level: `ordering` has an announced part expected on 2026-06-30.


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(dt.date(2026, 6, 30), False), (dt.date(2026, 7, 1), True)],
)
def test_overdue_from_the_day_after_the_expected_date(
    tmp_path, monkeypatch, caplog, today, overdue
):
    # Noon in London on `today`.
    moment = dt.datetime.combine(today, dt.time(11, 0), tzinfo=dt.UTC)
    freeze_now(monkeypatch, moment)
    articles, _pages, _context = generate(tmp_path, "ordering")
    (announced,) = [a for a in articles.drafts if a.series_expected]
    assert announced.series_overdue is overdue
    warned = [r.getMessage() for r in caplog.records if "expected on" in r.getMessage()]
    assert bool(warned) is overdue
    if overdue:
        assert "announced.md" in warned[0]
