"""The extension alone: exact HTML for a few sources, smarty's quirks included."""

from markdown.test_tools import TestCase


class TypographyTestCase(TestCase):
    default_kwargs = {
        "extensions": ["pelican.plugins.typography", "toc", "attr_list", "fenced_code"],
        "extension_configs": {"toc": {"permalink": "#"}},
        "output_format": "html5",
    }

    def test_apostrophes_dashes_and_ellipses(self):
        self.assertMarkdownRenders(
            "Don't panic -- it's only the '90s... rock 'n' roll --- mostly.",
            "<p>Don&rsquo;t panic &ndash; it&rsquo;s only the &rsquo;90s&hellip; "
            "rock &lsquo;n&rsquo; roll &mdash; mostly.</p>",
        )

    def test_nested_quotes(self):
        self.assertMarkdownRenders(
            "\"She said 'hi'\" and \"'Quoted' words\"",
            "<p>&ldquo;She said &lsquo;hi&rsquo;&rdquo; and "
            "&ldquo;&lsquo;Quoted&rsquo; words&rdquo;</p>",
        )

    def test_code_escapes_and_runs_of_four_are_left_alone(self):
        self.assertMarkdownRenders(
            '`"code" -- ...` and \\"straight\\" and a----b',
            '<p><code>"code" -- ...</code> and "straight" and a----b</p>',
        )

    def test_heading_id_and_text(self):
        self.assertMarkdownRenders(
            '## It\'s "quoted"',
            '<h2 id="its-quoted">It&rsquo;s &ldquo;quoted&rdquo;'
            '<a class="headerlink" href="#its-quoted" title="Permanent link">#</a>'
            "</h2>",
        )

    def test_titles_and_alt_text_keep_straight_quotes(self):
        self.assertMarkdownRenders(
            '![It\'s "alt"](a.png "It\'s a title") [it\'s](b "a \'title\'")',
            '<p><img alt="It\'s &quot;alt&quot;" src="a.png" title="It\'s a title">'
            ' <a href="b" title="a \'title\'">it&rsquo;s</a></p>',
        )

    def test_smarty_quirks_at_node_edges_are_kept(self):
        # A closing quote that ends a text node right after a link, or that
        # follows `'s` before punctuation, opens: smarty's patterns cannot see
        # past the edge of a text node or a replaced quote. Kept, so pages
        # render exactly as they did with smarty.
        self.assertMarkdownRenders(
            'Read "[a link](x)"\n\nand "it\'s".',
            '<p>Read &ldquo;<a href="x">a link</a>&ldquo;</p>\n'
            "<p>and &ldquo;it&rsquo;s&ldquo;.</p>",
        )
