"""Whole-site tests: the audit page in the real site, and small test sites."""

import gzip
import shutil
from pathlib import Path

import pytest

from tests.harness import build_site, recorded_warnings

TEST_CONTENT = Path(__file__).parent / "test_data" / "content"
SCRIPT = "theme/checklist/checklist.js"
STYLESHEET = "theme/checklist/checklist.css"
AUDIT_ITEMS = [
    "family",
    "classmates",
    "friends",
    "former-colleagues",
    "memberships",
    "family-connections",
    "professional-bodies",
    "social-networks",
]


def _text(element) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture(scope="module")
def test_site(tmp_path_factory):
    """The test content built once, with the warnings it logged.

    Built from a copy: Pelican logs each distinct message once per process,
    and the path in the message makes this build's warnings new.
    """
    folder = tmp_path_factory.mktemp("checklist")
    content = shutil.copytree(TEST_CONTENT, folder / "content")
    with recorded_warnings("pelican.plugins.network_checklist") as warnings:
        site = build_site(folder / "output", content=content)
    site.warnings = warnings
    return site


def test_audit_page_is_a_form_of_the_eight_networks(site):
    doc = site.page("network-audit/")
    form = doc.xpath("//main//form[@class='checklist']")[0]
    assert form.get("data-checklist") == "network-audit"
    assert _text(form.xpath("fieldset/legend")[0]) == "Where your networks already are"
    assert "nothing you enter here is sent anywhere" in _text(form)
    items = form.xpath(".//li[@class='checklist-item']")
    assert [item.get("data-item") for item in items] == AUDIT_ITEMS
    first = items[0]
    tick = first.xpath("label[@class='checklist-tick']")[0]
    assert tick.xpath("input[@type='checkbox']")
    assert _text(tick) == "Family and extended family"
    assert first.xpath("label[@class='checklist-count']/input[@type='number']")
    closeness = first.xpath("label[@class='checklist-closeness']/select/option/@value")
    assert closeness == ["", "acquaintance", "regular", "close"]
    assert _text(items[-1].xpath("label")[0]).startswith("Connections on social")


def test_audit_page_without_javascript_has_no_js_controls_or_submit(site):
    form = site.page("network-audit/").xpath("//form[@class='checklist']")[0]
    tools = form.xpath(".//div[@class='checklist-tools']")[0]
    assert tools.get("hidden") is not None
    # The one submit button is disabled and hidden: it only stops Enter in a
    # text field from submitting the form.
    submit = form.xpath(".//button[@type='submit']")
    assert len(submit) == 1
    assert submit[0].get("disabled") is not None
    assert submit[0].get("hidden") is not None
    assert all(b.get("type") in ("button", "submit") for b in form.xpath(".//button"))
    assert not form.xpath(".//input[@type='submit' or @type='image']")
    # Every control outside the hidden tools sits in a label with text.
    for control in form.xpath(".//input | .//select"):
        if control.xpath("ancestor::div[@class='checklist-tools']"):
            continue
        label = control.xpath("ancestor::label")[0]
        assert _text(label), f"{control.get('name')} has no label text"


def test_audit_items_link_to_the_theory_section(site):
    page_file = site.path("network-audit/")
    links = site.page("network-audit/").xpath("//a[@class='checklist-see']")
    assert len(links) == 8
    for link in links:
        assert site.resolve(page_file, link.get("href")) == site.path(
            "posts/networking-theory/"
        )
        assert link.get("href").endswith("#where-your-networks-already-are")
    theory = site.page("posts/networking-theory/")
    assert theory.xpath("//*[@id='where-your-networks-already-are']")


def test_audit_page_is_in_the_menu_and_linked_from_the_theory_post(site):
    theory_file = site.path("posts/networking-theory/")
    theory = site.page("posts/networking-theory/")
    menu = theory.xpath("//nav[@aria-label='Site']//a[text()='Network audit']/@href")
    section = theory.xpath("//main//a[contains(@href, 'network-audit')]/@href")
    for href in [*menu, *section]:
        assert site.resolve(theory_file, href) == site.path("network-audit/")
    assert menu and section


def test_script_and_stylesheet_load_only_where_a_checklist_is(site):
    with_checklist = []
    for html_file in site.html_files():
        doc = site.page(str(html_file.relative_to(site.root)))
        has_form = bool(doc.xpath("//form[@class='checklist']"))
        # Without the ?v=<content hash> the theme adds (plugins/static_hosting).
        scripts = [
            s.split("?v=")[0] for s in doc.xpath("//script[@type='module']/@src")
        ]
        sheets = [
            s.split("?v=")[0] for s in doc.xpath("//link[@rel='stylesheet']/@href")
        ]
        loads = any(s.endswith(SCRIPT) for s in scripts)
        assert loads == has_form, html_file
        assert any(s.endswith(STYLESHEET) for s in sheets) == has_form, html_file
        if loads:
            script = next(s for s in scripts if s.endswith(SCRIPT))
            assert site.resolve(html_file, script) == site.path(SCRIPT)
            with_checklist.append(html_file.relative_to(site.root).as_posix())
    assert with_checklist == ["network-audit/index.html"]


def test_script_is_small_readable_and_shipped(site):
    script = site.path(SCRIPT).read_bytes()
    # 7 KB until the two-tab merge (issue 27): see the plugin's README.
    assert len(gzip.compress(script, compresslevel=9)) <= 8.5 * 1024
    assert script.count(b"\n") > 100, "the script should be readable source"
    assert site.exists(STYLESHEET)
    assert not list(site.root.rglob("*.min.js"))


def test_published_site_links_the_widget_absolutely(published_site):
    doc = published_site.page("network-audit/")
    scripts = doc.xpath("//script[@type='module']/@src")
    assert [s.split("?v=")[0] for s in scripts] == [
        "https://whoyouknow.example/" + SCRIPT
    ]


def test_same_checklist_on_two_pages(test_site):
    for url in ("audit/", "audit-again/"):
        form = test_site.page(url).xpath("//form[@class='checklist']")[0]
        assert form.get("data-checklist") == "test-audit"
        assert form.xpath(".//li/@data-item") == ["family", "neighbours", "colleagues"]


def test_plain_post_does_not_load_the_widget(test_site):
    page = test_site.page("posts/plain/")
    assert not page.xpath("//script[contains(@src, '/checklist/')]")
    assert not page.xpath("//link[contains(@href, '/checklist/')]")


def test_bad_blocks_warn_with_file_and_line_and_keep_their_text(test_site):
    warnings = [w for w in test_site.warnings if "bad-blocks.md" in w]
    assert any("line 9: unknown option 'colour'" in w for w in warnings), warnings
    assert any("line 16: the checklist block is never closed" in w for w in warnings)
    body = _text(test_site.page("posts/bad-blocks/").xpath("//main")[0])
    assert "Still shown" in body
    assert "Also still shown" in body
    post_body = test_site.page("posts/bad-blocks/").xpath(
        "//*[@class='post-body e-content']"
    )
    assert not post_body[0].xpath(".//form")
