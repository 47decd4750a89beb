"""Curly quotes, dashes and ellipses for Markdown, in one regex pass.

A drop-in for Python-Markdown's `smarty` extension with its default options:
the same `&lsquo;` `&rsquo;` `&ldquo;` `&rdquo;` `&ndash;` `&mdash;` and
`&hellip;` in the same places, but at a fraction of the cost.

`smarty` runs a second inline processor over every text node, trying its 18
patterns one after another. Its patterns look only a few characters around
each quote, so this extension finds dashes, ellipses and quotes in one pass
of one regex and decides each quote from its neighbours. The patterns run in
a fixed order, so where a quote sits next to another quote (`"'`, `' "`,
`'s"`), which quote is decided first changes what the other sees; those
rare clusters are replayed with `smarty`'s own patterns in a few characters
of context, so they come out as `smarty` renders them.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET

from markdown import util
from markdown.extensions import Extension, smarty
from markdown.treeprocessors import Treeprocessor
from pelican import signals

logger = logging.getLogger(__name__)

ENTITIES = {
    "mdash": "&mdash;",
    "ndash": "&ndash;",
    "ellipsis": "&hellip;",
    "lsquo": "&lsquo;",
    "rsquo": "&rsquo;",
    "ldquo": "&ldquo;",
    "rdquo": "&rdquo;",
}
# Never prose. Python-Markdown makes their text atomic, which smarty skips
# too; the tag check keeps it so if an extension builds them with plain text.
SKIPPED_TAGS = frozenset({"code", "pre", "kbd", "script", "style"})

# smarty's own character classes, so both agree on what they mean.
PUNCTUATION = smarty.punctClass
CLOSE = smarty.closeClass
# smarty turns `--` and `---` into placeholders before it looks at quotes, so
# a quote next to such a run sees a placeholder, not a dash.
DASH_RUN_AHEAD = r"(?!-{2,3}(?!-))"
# What may come just before an opening quote `Q` (smarty's
# `openingQuotesBase`); `--` counts only in a run of four or more (a shorter
# run is a dash placeholder by then).
OPENING_BASE = (
    r"(?:(?<=\sQ)|(?<=&nbsp;Q)|(?<=----Q)|(?<=[–—]Q)"
    r"|(?<=&[mn]dash;Q)|(?<=&\#821[12];Q))"
)
# Every match starts with one of `-.'"`, so the regex engine skips straight
# from one of them to the next; lookbehinds then look at what came before.
# Each branch stands for one or more of smarty's patterns, in smarty's order,
# and ends in an empty group that names what the match becomes.
TYPOGRAPHY = re.compile(
    rf"""[-.'"](?:
        (?<=-)(?<!--)(?:--(?!-)(?P<mdash>)|-(?!-)(?P<ndash>))
        |(?<=\.)(?<!\.\.)\.\.(?!\.)(?P<ellipsis>)
        # Quotes that affect each other: adjacent, or with one space or `s`
        # between (smarty's patterns swallow that character with a quote).
        |(?<=['"])(?:(?:\s|s)?['"])+(?P<cluster>)
        # A lone single quote: first in the text before punctuation; a
        # decade ('90s); opening; closing; before a space or `s`; opening.
        |(?<=')(?:
            (?<=\A'){DASH_RUN_AHEAD}(?={PUNCTUATION}\B)(?P<rsquo_first>)
            |(?<!\w')(?=\d{{2}}s)(?P<rsquo_decade>)
            |{OPENING_BASE.replace("Q", "'")}(?=\w)(?P<lsquo_opening>)
            |(?<={CLOSE}')(?!\s|s\b|\d)(?P<rsquo_closing>)
            |(?=\s|s\b)(?P<rsquo_before_space>)
            |(?P<lsquo>)
        )
        # A lone double quote: first in the text before punctuation;
        # opening; before a space; closing; opening.
        |(?<=")(?:
            (?<=\A"){DASH_RUN_AHEAD}(?={PUNCTUATION}\B)(?P<rdquo_first>)
            |{OPENING_BASE.replace("Q", '"')}(?=\w)(?P<ldquo_opening>)
            |(?=\s)(?P<rdquo_before_space>)
            |(?<={CLOSE}")(?P<rdquo_closing>)
            |(?P<ldquo>)
        )
    )""",
    re.VERBOSE,
)
ENTITY_OF_GROUP = {
    "mdash": "mdash",
    "ndash": "ndash",
    "ellipsis": "ellipsis",
    "rsquo_first": "rsquo",
    "rsquo_decade": "rsquo",
    "lsquo_opening": "lsquo",
    "rsquo_closing": "rsquo",
    "rsquo_before_space": "rsquo",
    "lsquo": "lsquo",
    "rdquo_first": "rdquo",
    "ldquo_opening": "ldquo",
    "rdquo_before_space": "rdquo",
    "rdquo_closing": "rdquo",
    "ldquo": "ldquo",
}

# For clusters: smarty's quote patterns in its order, each with the entities
# it gives the quotes it matches, in order.
SMARTY_QUOTE_PATTERNS = [
    (re.compile(pattern, re.DOTALL), entities)
    for pattern, entities in (
        (smarty.singleQuoteStartRe, ["rsquo"]),
        (smarty.doubleQuoteStartRe, ["rdquo"]),
        (smarty.doubleQuoteSetsRe, ["ldquo", "lsquo"]),
        (smarty.singleQuoteSetsRe, ["lsquo", "ldquo"]),
        (smarty.doubleQuoteSetsRe2, ["rsquo", "rdquo"]),
        (smarty.singleQuoteSetsRe2, ["rdquo", "rsquo"]),
        (smarty.decadeAbbrRe, ["rsquo"]),
        (smarty.openingSingleQuotesRegex, ["lsquo"]),
        (smarty.closingSingleQuotesRegex, ["rsquo"]),
        (smarty.closingSingleQuotesRegex2, ["rsquo"]),
        (smarty.remainingSingleQuotesRegex, ["lsquo"]),
        (smarty.openingDoubleQuotesRegex, ["ldquo"]),
        (smarty.closingDoubleQuotesRegex, ["rdquo"]),
        (smarty.closingDoubleQuotesRegex2, ["rdquo"]),
        (smarty.remainingDoubleQuotesRegex, ["ldquo"]),
    )
]
DASH_RUN = re.compile(r"(?<!-)-{2,3}(?!-)")
# A replaced stretch, one character per character replaced: to smarty's
# patterns it looks like the edge of one of its placeholders (not a word,
# space, punctuation or closing character), and it keeps positions stable.
REPLACED = util.ETX
# How far smarty's patterns look around a quote: `&#8211;` before it,
# `'90s` after it.
CONTEXT_BEFORE = 8
CONTEXT_AFTER = 4


def cluster_entities(text: str, start: int, end: int) -> list[str]:
    """The entity names smarty gives the quotes in text[start:end], in order.

    Replays smarty's quote patterns, in its order, on the cluster and the
    few characters around it that they can see.
    """
    before = max(0, start - CONTEXT_BEFORE)
    after = min(len(text), end + CONTEXT_AFTER)
    # Whole dash runs only: a cut run would look like a dash placeholder.
    while before > 0 and text[before - 1] == "-":
        before -= 1
    while after < len(text) and text[after] == "-":
        after += 1
    window = DASH_RUN.sub(lambda match: REPLACED * len(match[0]), text[before:after])
    decided: dict[int, str] = {}
    for pattern, entities in SMARTY_QUOTE_PATTERNS:
        position = 0
        while match := pattern.search(window, position):
            quotes = [
                index
                for index in range(match.start(), match.end())
                if window[index] in "'\""
            ]
            decided.update(zip(quotes, entities, strict=True))
            replaced = REPLACED * (match.end() - match.start())
            window = window[: match.start()] + replaced + window[match.end() :]
            position = match.end()
    return [
        decided[index - before] for index in range(start, end) if text[index] in "'\""
    ]


class TypographyTreeprocessor(Treeprocessor):
    """Replaces quotes, dashes and ellipses in every text node but code."""

    def run(self, root: ET.Element) -> None:
        # One stash entry per entity and document, as smarty's output holds
        # the same entity for each (smarty stores one per replacement).
        placeholders: dict[str, str] = {}

        def placeholder(name: str) -> str:
            if name not in placeholders:
                placeholders[name] = self.md.htmlStash.store(ENTITIES[name])
            return placeholders[name]

        def replace(match: re.Match) -> str:
            group = match.lastgroup
            if group != "cluster":
                return placeholder(ENTITY_OF_GROUP[group])
            text = match.string
            names = iter(cluster_entities(text, match.start(), match.end()))
            return "".join(
                placeholder(next(names)) if character in "'\"" else character
                for character in match[0]
            )

        self._educate(root, replace)

    def _educate(self, element: ET.Element, replace) -> None:
        """Educate the text of `element`'s subtree and its children's tails."""
        for child in element:
            if child.tag not in SKIPPED_TAGS:
                if child.text and not isinstance(child.text, util.AtomicString):
                    child.text = TYPOGRAPHY.sub(replace, child.text)
                self._educate(child, replace)
            if child.tail and not isinstance(child.tail, util.AtomicString):
                child.tail = TYPOGRAPHY.sub(replace, child.tail)


class TypographyExtension(Extension):
    """Curly quotes, en and em dashes and ellipses, as smarty gives them."""

    def extendMarkdown(self, md) -> None:
        # smarty's priority: after inline patterns and attr_list, before toc,
        # so headings' ids and the table of contents see the same text.
        md.treeprocessors.register(TypographyTreeprocessor(md), "typography", 6)
        # As with smarty, `\"` and `\'` keep a quote straight.
        md.ESCAPED_CHARS.extend(['"', "'"])


def makeExtension(**kwargs) -> TypographyExtension:
    return TypographyExtension(**kwargs)


def add_extension(pelican) -> None:
    """Have every Markdown reader (and summary) use the extension."""
    markdown = pelican.settings.get("MARKDOWN", {})
    extensions = markdown.get("extensions", [])
    if any(isinstance(extension, TypographyExtension) for extension in extensions):
        return
    named = [*map(str, extensions), *markdown.get("extension_configs", {})]
    if any(name.rsplit(".", 1)[-1] == "smarty" for name in named):
        logger.warning(
            "typography: MARKDOWN also enables smarty, which educates quotes a "
            "second time at twice the cost; remove it from MARKDOWN"
        )
    # A new dict and list: never change ones shared with other builds.
    pelican.settings["MARKDOWN"] = {
        **markdown,
        "extensions": [*extensions, TypographyExtension()],
    }


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(add_extension)
