"""The `plan` option in the extension's HTML: a next step and a follow-up date
per item, and the places the script draws the chart and lists saved audits."""

import logging

from lxml import html as lxml_html
from markdown import Markdown
from pelican.plugins.network_checklist.extension import ChecklistExtension

SOURCE = """::: checklist
id: audit
counts: {counts}
closeness: yes
plan: {plan}
items: networks

- [ ] Family {{#family}}
:::"""
# The head of the table beside the chart (the browser tests read it too).
CHART_COLUMNS = [
    "Networks",
    "Close",
    "Regular contacts",
    "Acquaintances",
    "Not rated",
    "All",
]


def _render(plan="yes", counts="yes"):
    md = Markdown(
        extensions=[ChecklistExtension(source_path="x.md")], output_format="html5"
    )
    return md.convert(SOURCE.format(plan=plan, counts=counts))


def test_plan_fields_follow_the_item_each_in_its_label():
    html = _render()
    assert (
        '<label class="checklist-step">Next step'
        '<span class="visually-hidden">: Family</span>'
        '<input maxlength="200" name="family-step" type="text"></label>'
        '<label class="checklist-due">Follow up on'
        '<span class="visually-hidden">: Family</span>'
        '<input name="family-due" type="date"></label></li>'
    ) in html


def test_chart_table_and_saved_audits_are_js_only_parts():
    form = lxml_html.fragment_fromstring(_render())
    tools = form.xpath(".//div[@class='checklist-tools']")[0]
    assert tools.get("hidden") is not None
    assert tools.xpath(".//svg[@role='img']/@aria-label")
    assert tools.xpath(".//table/thead//th/text()") == CHART_COLUMNS
    assert tools.xpath(".//ol[@class='checklist-history']/@aria-labelledby") == [
        "checklist-audit-saved"
    ]
    assert tools.xpath(".//button/@data-action")[:2] == ["snapshot", "reminders"]


def test_without_counts_a_plan_has_steps_and_reminders_but_no_chart():
    form = lxml_html.fragment_fromstring(_render(counts="no"))
    assert form.xpath(".//input[@type='date']")
    assert not form.xpath(".//svg | .//table | .//ol[@class='checklist-history']")
    assert form.xpath(".//button/@data-action")[0] == "reminders"


def test_without_plan_nothing_changes():
    html = _render(plan="no")
    for part in ("checklist-step", 'type="date"', "<svg", "snapshot", "reminders"):
        assert part not in html


def test_a_bad_plan_value_is_a_warning_naming_the_line(caplog):
    with caplog.at_level(logging.WARNING):
        html = _render(plan="maybe")
    assert "<form" not in html
    assert "x.md, line 5: option plan must be yes or no" in caplog.text
