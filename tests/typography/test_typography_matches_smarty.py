"""Our typography gives the HTML smarty gives, in the site's extension stack:
on tricky snippets, on every Markdown file of content/, and on many random
snippets of the characters that matter."""

from __future__ import annotations

import random

import pytest
from pelican.plugins.network_checklist.network_checklist import ChecklistMarkdownReader

from tests.harness import ROOT
from tests.typography.conftest import site_settings

EDUCATED = [
    # Apostrophes.
    "Don't, won't, it's, the boss's idea, the bosses' idea.",
    "Back in the '90s; rock 'n' roll; 'tis the season; '00s '80s",
    "'90s at the start, and the '60s' music, and 1990's.",
    "Class of '24 and '24s, in '2024 and 'n'",
    "O'Brien's 'quote' isn't 'done'",
    # Double quotes and nesting.
    "\"She said 'hi'\" and \"'Quoted' words in a larger quote.\"",
    "'\"Nested\" the other way' and \"a 'b' c\"",
    '"x" "y"' + " 'a' 'b' " + '""' + " ''" + " \" 'x'",
    'He said, "it\'s". Then "\'90s" and \' "x" \' and \'so\'s"',
    '"Hello," she said. "Goodbye."',
    '("parenthesised") ["bracketed"] {"braced"} -"dashed"-',
    # Quotes at the start of a text node and before punctuation.
    "'.' and \"!\" and '...' and \"--\"",
    '"\'"',
    # Quotes next to inline elements: each edge is a text-node boundary.
    '"[link](https://example.com/)" and "[a link](x) too"',
    '*"em"* and "*em*" and "**bold**" and **"bold"**',
    "'`code`' and \"`code`\", *'em'*, it's *hers*'",
    '"<b>inline HTML</b>" and <span title="it\'s">"q"</span>',
    '"&amp;" and &nbsp;"x" and &mdash;"y" and "&copy;"',
    # Dashes and ellipses.
    "a-b a--b a---b a----b a - b a -- b a --- b -- start and end --",
    "Wait... what.... and .. and ...\"quoted...\" and '...'",
    "--'x' ---\"y\" ----'z' x--'y'--",
    "– 'en' — \"em\" –'x' —\"y\"",
    # Escapes keep quotes straight, as with smarty.
    "\\\"straight\\\" and \\'straight\\' and \\... and \\-\\-",
    # A raw HTML block is left alone, the paragraph after it is not.
    '<div class="x">\n"raw" -- it\'s...\n</div>\n\nAfter "raw".',
    "Inline <kbd>\"Ctrl\"</kbd> -- <code>'x'</code>",
    # Headings: ids and the permalink's title come out the same.
    "## Don't \"panic\" -- it's only the '90s...\n\nText.",
    "## \"Quoted\" heading {#custom-id}\n\n### It's 'nested'",
    "# 'Single' and \"double\" at the start",
    # Attributes: titles and alt text are not educated by either.
    '![An "image" it\'s](x.png "A \\"title\\" -- it\'s")',
    'Para {: title="it\'s" }',
    # Block structures.
    "> \"Quoted\" in a blockquote -- it's\n> 'still'",
    "- \"one\"\n- 'two'\n- it's -- three...",
    '1. "first"\n\n    "indented para" it\'s',
    "Line one \"\nline two\" and '\n'",
]
# Neither smarty nor ours changes these.
LEFT_ALONE = [
    # Angled quotes stay off.
    "<<not angled>> and << spaced >>",
    # Code spans, fenced and indented code, scripts and styles.
    'Text `"code" -- it\'s...` text',
    '```\n"fenced" -- it\'s...\n```\n\nAfter.',
    '    "indented" -- code',
    "<script>var a = \"it's\";</script>\n\n<style>a::before{content:'--'}</style>",
    # Link titles.
    '[link](x "it\'s a -- title") and [ref][r]\n\n[r]: y "Ref \'title\'"',
    # A checklist: its text is atomic, shown as the author typed it.
    (
        '::: checklist\nid: quotes\ntitle: It\'s "ours"\n\n'
        '- [ ] Don\'t -- "quote" {#q}\n:::'
    ),
]
SNIPPETS = EDUCATED + LEFT_ALONE


@pytest.mark.parametrize("source", SNIPPETS)
def test_snippet_renders_as_with_smarty(render, source):
    assert render(source, "ours") == render(source, "smarty")


def test_snippets_mean_something(render):
    """smarty changes every EDUCATED snippet and no LEFT_ALONE one."""
    for source in EDUCATED:
        assert render(source, "smarty") != render(source, None), source
    for source in LEFT_ALONE:
        assert render(source, "smarty") == render(source, None), source


CONTENT = sorted((ROOT / "content").rglob("*.md"))


@pytest.fixture(scope="module")
def readers():
    """The site's Markdown reader, with smarty and with ours."""
    return {
        typography: ChecklistMarkdownReader(site_settings(typography))
        for typography in ("smarty", "ours")
    }


@pytest.mark.parametrize(
    "path", CONTENT, ids=[str(p.relative_to(ROOT)) for p in CONTENT]
)
def test_content_file_reads_as_with_smarty(readers, path):
    """Body and metadata (the summary is Markdown too), exactly."""
    assert readers["ours"].read(str(path)) == readers["smarty"].read(str(path))


def test_content_has_typography(readers):
    """The real content holds quotes and dashes for the comparison to test."""
    html = "".join(readers["smarty"].read(str(path))[0] for path in CONTENT)
    assert html.count("&rsquo;") >= 5
    assert html.count("&ldquo;") >= 2


# Characters smarty's patterns look at, and inline markup that makes edges.
PIECES = [
    *("'", '"') * 4,
    *("-", "--", "---", ".", "...", " ", " ", "\n", "s", "a", "90s", "12", "(", ","),
    *("!", "–", "\u00a0", "*", "`", "<b>", "&nbsp;", '\\"', "[", "](x)", "&amp;"),
]


def test_random_snippets_render_as_with_smarty(render):
    """Many random runs of those pieces (seeded: the same every time)."""
    rng = random.Random(2026)
    for _ in range(2000):
        source = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
        for text in (source, "## " + source.replace("\n", " ")):
            assert render(text, "ours") == render(text, "smarty"), repr(text)
