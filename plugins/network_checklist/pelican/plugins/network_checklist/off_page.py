"""Checklists away from their page: a plain list of the items and a link.

A checklist's form works only on its own page, with its script. Wherever a
post's HTML goes off the page (feed entries, the summary that listings,
search excerpts and share descriptions are made from), each form becomes its
title, a plain list of its items and a link to fill it in on the page: no
form controls, no button labels.

The forms are found in the HTML the extension wrote (its serializer sorts
attributes, so `class` comes first and `data-checklist` next); their text
was escaped when it was written and is copied as it is.
"""

from __future__ import annotations

import re

from pelican.utils import (
    strip_toc_elements_from_html,
    truncate_html_paragraphs,
    truncate_html_words,
)

FORM = re.compile(
    r'<form class="checklist" data-checklist="(?P<id>[a-z0-9-]+)"[^>]*>'
    r"(?P<body>.*?)</form>",
    re.DOTALL,
)
LEGEND = re.compile(r"<legend>(?P<title>.*?)</legend>", re.DOTALL)
ITEM_TEXT = re.compile(
    r'<label class="checklist-tick"><input [^>]*>\s*(?P<text>.*?)</label>', re.DOTALL
)
FILL_IN = "Fill in this checklist on the site"


def _plain(form: re.Match) -> str:
    """One checklist's form as its title, its items and a link to the form."""
    title = LEGEND.search(form["body"])
    items = "".join(
        f"<li>{item['text']}</li>\n" for item in ITEM_TEXT.finditer(form["body"])
    )
    # A link within the page: feeds make it absolute against the post's URL.
    return (
        f"<p><strong>{title['title'] if title else ''}</strong></p>\n"
        f"<ul>\n{items}</ul>\n"
        f'<p><a href="#checklist-{form["id"]}">{FILL_IN}</a></p>'
    )


def checklists_as_lists(html: str) -> str:
    """`html` with every checklist form swapped for a plain list and a link."""
    if '<form class="checklist"' not in html:
        return html
    return FORM.sub(_plain, html)


def auto_summary(html: str, settings: dict) -> str:
    """Pelican's automatic summary of `html`, made with checklists as lists.

    The same steps as Pelican's `Content.get_summary`, which cannot be told
    to start from other HTML than the page's own.
    """
    html = checklists_as_lists(html)
    max_paragraphs = settings.get("SUMMARY_MAX_PARAGRAPHS")
    if max_paragraphs is not None:
        html = truncate_html_paragraphs(html, max_paragraphs)
    if settings.get("SUMMARY_MAX_LENGTH") is not None:
        html = truncate_html_words(
            html, settings["SUMMARY_MAX_LENGTH"], settings["SUMMARY_END_SUFFIX"]
        )
    return strip_toc_elements_from_html(html)
