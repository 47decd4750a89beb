"""The Markdown extension alone: exact HTML for good blocks, and bad blocks
rendered as ordinary Markdown with a warning naming the file and line."""

import logging

from markdown import Markdown
from markdown.test_tools import TestCase

LOGGER = "pelican.plugins.network_checklist.extension"
PRIVACY = (
    '<p class="checklist-privacy">Your answers stay in this browser: '
    "nothing you enter here is sent anywhere.</p>"
)


SUBMIT = '<button disabled hidden type="submit">Submit</button>'


def tools(total: int, items_name: str = "Items") -> str:
    """The JS-only controls, hidden in the HTML, for a checklist of `total`."""
    return (
        '<div class="checklist-tools" hidden>\n'
        f'<progress aria-label="{items_name} reviewed" class="checklist-bar"'
        f' max="{total}" value="0"></progress>\n'
        '<p class="checklist-progress" role="status"></p>\n'
        '<p class="checklist-message" role="status"></p>\n'
        '<p class="checklist-buttons">'
        '<button data-action="export-json" type="button">Export answers (JSON)</button>'
        '<button data-action="export-text" type="button">'
        "Export summary (Markdown)</button>"
        '<button data-action="print" type="button">Print</button>'
        '<button data-action="reset" type="button">Reset</button>'
        '<label class="checklist-import">Import answers '
        '<input accept=".json,application/json" type="file"></label></p>\n'
        "</div>"
    )


class ChecklistTestCase(TestCase):
    default_kwargs = {
        "extensions": [
            "pelican.plugins.network_checklist.extension",
            "attr_list",
            "fenced_code",
        ],
        "extension_configs": {
            "pelican.plugins.network_checklist.extension": {
                "source_path": "posts/audit.md"
            }
        },
        "output_format": "html5",
    }

    def assertRendersWithWarnings(self, source, expected, *messages):
        """Renders as expected and logs warnings containing each message."""
        with self.assertLogs(LOGGER, logging.WARNING) as logs:
            self.assertMarkdownRenders(source, expected)
        self.assertEqual(len(logs.output), len(messages), logs.output)
        for output, message in zip(logs.output, messages, strict=True):
            self.assertIn("posts/audit.md", output)
            self.assertIn(message, output)

    @staticmethod
    def _single(checklist_id, item_id, text):
        return (
            f'<form class="checklist" data-checklist="{checklist_id}"'
            ' data-items="items"'
            f' id="checklist-{checklist_id}">\n'
            "<fieldset>\n<legend>Checklist</legend>\n" + PRIVACY + "\n"
            '<ol class="checklist-items">\n'
            f'<li class="checklist-item" data-item="{item_id}">'
            f'<label class="checklist-tick"><input name="{item_id}-done"'
            f' type="checkbox"> {text}</label></li>\n'
            "</ol>\n" + tools(1) + "\n</fieldset>\n" + SUBMIT + "</form>"
        )


class TestGoodBlocks(ChecklistTestCase):
    def test_all_options_explicit_id_and_link(self):
        self.assertMarkdownRenders(
            self.dedent(
                """
                ::: checklist
                id: audit
                title: Your networks
                counts: yes
                closeness: yes
                items: networks

                - [ ] Family {#family see=/posts/theory/#where}
                :::
                """
            ),
            '<form class="checklist" data-checklist="audit" data-items="networks"'
            ' id="checklist-audit">\n'
            "<fieldset>\n"
            "<legend>Your networks</legend>\n" + PRIVACY + "\n"
            '<ol class="checklist-items">\n'
            '<li class="checklist-item" data-item="family">'
            '<label class="checklist-tick">'
            '<input name="family-done" type="checkbox"> Family</label>'
            '<label class="checklist-count">How many people'
            '<span class="visually-hidden">: Family</span>'
            '<input inputmode="numeric" max="100000" min="0" name="family-count"'
            ' step="1" type="number"></label>'
            '<label class="checklist-closeness">How well'
            '<span class="visually-hidden">: Family</span>'
            '<select name="family-closeness"><option value="">Not set</option>'
            '<option data-tally="acquaintance|acquaintances" value="acquaintance">'
            "Acquaintances</option>"
            '<option data-tally="regular contact|regular contacts" value="regular">'
            "Regular contacts</option>"
            '<option data-tally="close|close" value="close">Close</option>'
            "</select></label>"
            '<a class="checklist-see" href="/posts/theory/#where">Read more'
            '<span class="visually-hidden">: Family</span></a></li>\n'
            "</ol>\n" + tools(1, "Networks") + "\n</fieldset>\n" + SUBMIT + "</form>",
        )

    def test_ids_derived_from_text_and_defaults(self):
        self.assertMarkdownRenders(
            self.dedent(
                """
                Before.

                ::: checklist
                id: chores
                - [ ] Water the plants
                - [x] Feed the
                  cat
                :::

                After.
                """
            ),
            "<p>Before.</p>\n"
            '<form class="checklist" data-checklist="chores" data-items="items"'
            ' id="checklist-chores">\n'
            "<fieldset>\n"
            "<legend>Checklist</legend>\n" + PRIVACY + "\n"
            '<ol class="checklist-items">\n'
            '<li class="checklist-item" data-item="water-the-plants">'
            '<label class="checklist-tick">'
            '<input name="water-the-plants-done" type="checkbox"> Water the plants'
            "</label></li>\n"
            '<li class="checklist-item" data-item="feed-the-cat">'
            '<label class="checklist-tick">'
            '<input name="feed-the-cat-done" type="checkbox"> Feed the cat'
            "</label></li>\n"
            "</ol>\n" + tools(2) + "\n</fieldset>\n" + SUBMIT + "</form>\n"
            "<p>After.</p>",
        )

    def test_markup_in_item_text_is_escaped_with_a_warning(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n\n- [ ] <b>Bold</b> & *em* {#bold}\n:::",
            '<form class="checklist" data-checklist="x" data-items="items"'
            ' id="checklist-x">\n'
            "<fieldset>\n"
            "<legend>Checklist</legend>\n" + PRIVACY + "\n"
            '<ol class="checklist-items">\n'
            '<li class="checklist-item" data-item="bold">'
            '<label class="checklist-tick"><input name="bold-done" type="checkbox">'
            " &lt;b&gt;Bold&lt;/b&gt; &amp; *em*</label></li>\n"
            "</ol>\n" + tools(1) + "\n</fieldset>\n" + SUBMIT + "</form>",
            "line 4: item '<b>Bold</b> & *em*' holds markup; showing it as plain text",
        )

    def test_markup_in_the_title_is_escaped_with_a_warning(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\ntitle: <i>Mine</i>\n- [ ] A\n:::",
            self._single("x", "a", "A").replace("Checklist", "&lt;i&gt;Mine&lt;/i&gt;"),
            "line 1: title '<i>Mine</i>' holds markup; showing it as plain text",
        )

    def test_block_inside_a_code_fence_is_left_alone(self):
        self.assertMarkdownRenders(
            "```\n::: checklist\nid: x\n- [ ] A\n:::\n```",
            "<pre><code>::: checklist\nid: x\n- [ ] A\n:::\n</code></pre>",
        )

    def test_one_markdown_instance_converts_many_documents(self):
        """State is per document: the same id in the next one is no duplicate."""
        md = Markdown(**self.default_kwargs)
        source = "::: checklist\nid: x\n- [ ] A\n:::"
        first = md.convert(source)
        self.assertEqual(md.reset().convert(source), first)
        self.assertEqual(md.convert(source), first)


class TestBadBlocks(ChecklistTestCase):
    def test_unclosed_block(self):
        self.assertRendersWithWarnings(
            "Intro.\n\n::: checklist\nid: x\n\n- [ ] A\n- [ ] B\n",
            "<p>Intro.</p>\n<p>::: checklist\nid: x</p>\n"
            "<ul>\n<li>[ ] A</li>\n<li>[ ] B</li>\n</ul>",
            "line 3: the checklist block is never closed",
        )

    def test_block_that_another_opens_before_it_closes(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n\n::: checklist\nid: y\n- [ ] A\n:::",
            "<p>::: checklist\nid: x</p>\n" + self._single("y", "a", "A"),
            "line 1: the checklist block is never closed",
        )

    def test_block_without_items(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\ntitle: Nothing\n:::",
            "<p>::: checklist\nid: x\ntitle: Nothing\n:::</p>",
            "line 1: the block has no task-list items",
        )

    def test_unknown_option(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\ncolour: red\n\n- [ ] A\n:::",
            "<p>::: checklist\nid: x\ncolour: red</p>\n"
            "<ul>\n<li>[ ] A\n:::</li>\n</ul>",
            "line 3: unknown option 'colour'",
        )

    def test_bad_option_value(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\ncounts: maybe\n- [ ] A\n:::",
            "<p>::: checklist\nid: x\ncounts: maybe\n- [ ] A\n:::</p>",
            "line 3: option counts must be yes or no",
        )

    def test_missing_and_malformed_ids(self):
        self.assertRendersWithWarnings(
            "::: checklist\ntitle: T\n- [ ] A\n:::\n\n::: checklist\nid: Not OK\n"
            "- [ ] A\n:::",
            "<p>::: checklist\ntitle: T\n- [ ] A\n:::</p>\n"
            "<p>::: checklist\nid: Not OK\n- [ ] A\n:::</p>",
            "line 1: the block has no id option",
            "line 7: id 'Not OK' must be lower-case letters, digits and hyphens",
        )

    def test_duplicate_item_ids(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n\n- [ ] A {#same}\n- [ ] B {#same}\n:::",
            "<p>::: checklist\nid: x</p>\n"
            "<ul>\n<li>[ ] A {#same}</li>\n<li>[ ] B {#same}\n:::</li>\n</ul>",
            "line 5: duplicate item id 'same' (also on line 4)",
        )

    def test_derived_ids_can_collide_too(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n- [ ] Friends!\n- [ ] Friends?\n:::",
            "<p>::: checklist\nid: x\n- [ ] Friends!\n- [ ] Friends?\n:::</p>",
            "line 4: duplicate item id 'friends' (also on line 3)",
        )

    def test_duplicate_checklist_ids_in_one_document(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n- [ ] A\n:::\n\n::: checklist\nid: x\n- [ ] A\n:::",
            self._single("x", "a", "A") + "\n<p>::: checklist\nid: x\n- [ ] A\n:::</p>",
            "line 6: checklist id 'x' is used twice in this file",
        )

    def test_text_that_is_not_an_item(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n- [ ] A\nstray words\n:::",
            "<p>::: checklist\nid: x\n- [ ] A\nstray words\n:::</p>",
            "line 4: 'stray words' is not a task-list item",
        )

    def test_unsafe_link_scheme(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n- [ ] A {see=javascript:alert(1)}\n:::",
            "<p>::: checklist\nid: x\n- [ ] A {see=javascript:alert(1)}\n:::</p>",
            "line 3: link 'javascript:alert(1)' has an unsafe scheme",
        )

    def test_markup_in_a_bad_block_stays_text(self):
        self.assertRendersWithWarnings(
            "::: checklist\nid: x\n- [ ] <script>alert(1)</script> A {#a}\n"
            "- [ ] B {#a}\n:::\n\n<b>Outside</b>",
            "<p>::: checklist\nid: x\n- [ ] &lt;script&gt;alert(1)&lt;/script&gt;"
            " A {#a}\n- [ ] B {#a}\n:::</p>\n<p><b>Outside</b></p>",
            "line 4: duplicate item id 'a' (also on line 3)",
        )

    def test_line_numbers_count_the_metadata_header(self):
        with self.assertLogs(LOGGER, logging.WARNING) as logs:
            self.assertMarkdownRenders(
                "Title: T\nDate: 2026-01-01\n\nText.\n\n::: checklist\n- [ ] A\n:::",
                "<p>Text.</p>\n<p>::: checklist\n- [ ] A\n:::</p>",
                extensions=[*self.default_kwargs["extensions"], "meta"],
            )
        self.assertIn("posts/audit.md, line 6: the block has no id", logs.output[0])
