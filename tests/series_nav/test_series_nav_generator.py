"""series_nav at generator level: ordering, keys, announced parts, bad input."""

import datetime as dt
import logging
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.plugins import series_nav
from pelican.settings import read_settings

from tests.harness import ROOT

DATA = Path(__file__).parent / "test_data"
PELICAN_SERIES_KEYS = {"name", "index", "all", "all_previous", "all_next"}
PELICAN_SERIES_KEYS |= {"previous", "next"}


def generate(tmp_path, folder, pages=True, **override):
    """Run the articles and pages generators over a test_data tree.

    Returns (articles generator, pages generator, context), as Pelican leaves
    them after `generate_context` and the finalized signals. With
    `pages=False` only the articles generator runs (pages generator None),
    as in pelican-series' own tests.
    """
    override = {
        "PATH": str(DATA / folder),
        "OUTPUT_PATH": str(tmp_path),
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        **override,
    }
    # Pelican() loads every plugin and sends `initialized`, as a real build
    # does, so each plugin connected in this process finds its settings.
    settings = Pelican(
        read_settings(str(ROOT / "pelicanconf.py"), override=override)
    ).settings
    context = settings.copy()
    context.update(
        generated_content={}, static_links=set(), static_content={}, localsiteurl=""
    )
    generators = [
        cls(
            context=context,
            settings=settings,
            path=settings["PATH"],
            theme=settings["THEME"],
            output_path=str(tmp_path),
        )
        for cls in (ArticlesGenerator, PagesGenerator)[: 2 if pages else 1]
    ]
    for generator in generators:
        generator.generate_context()
    return generators[0], (generators[1] if pages else None), context


def titles(contents):
    return [content.title for content in contents]


@pytest.fixture
def ordering(tmp_path):
    return generate(tmp_path, "ordering")


def test_parts_with_index_come_first_then_by_date(ordering):
    articles, _, _ = ordering
    first = next(a for a in articles.articles if a.slug == "first")
    assert titles(first.series["all_parts"]) == [
        "First by index",
        "Second by index",
        "Appendix page",  # a page is a part too, as in pelican-series
        "Earlier by date",
        "Later by date",
        "Announced by date",  # a draft without a date comes last
    ]
    assert titles(first.series["all"]) == titles(first.series["all_parts"])[:-1]


def test_contents_pairs_every_part_with_its_url_read_once(ordering):
    articles, _, _ = ordering
    first = next(a for a in articles.articles if a.slug == "first")
    contents = first.series["contents"]
    assert [part for part, _url in contents] == first.series["all_parts"]
    for part, url in contents:
        # Announced parts are never linked: no URL to link them with.
        assert url == (None if part.status == "draft" else part.url)
    assert first.series["series"].contents is contents


def test_series_keeps_pelican_series_keys_and_meanings(ordering):
    articles, _, _ = ordering
    by_slug = {a.slug: a for a in articles.articles}
    second = by_slug["second"].series
    assert set(second) >= PELICAN_SERIES_KEYS
    assert second["name"] == "Ordering Test"  # the intro's Title names it
    assert second["index"] == 2
    assert second["previous"] is by_slug["first"]
    assert titles(second["all_previous"]) == ["First by index"]
    assert titles(second["all_next"]) == [
        "Appendix page",
        "Earlier by date",
        "Later by date",
    ]
    assert second["next"].title == "Appendix page"
    assert by_slug["first"].series["previous"] is None
    assert by_slug["later"].series["next"] is None
    assert by_slug["later"].series["index"] == 5
    assert "series" not in vars(by_slug["unrelated"])


def test_series_adds_slug_url_total_announced_intro_status(ordering):
    articles, _, context = ordering
    later = next(a for a in articles.articles if a.slug == "later").series
    assert later["slug"] == "ordering-test"
    assert later["url"] == "series/ordering-test/"
    assert later["total"] == 6
    assert later["position"] == 5
    assert titles(later["announced"]) == ["Announced by date"]
    assert later["announced_next"].title == "Announced by date"
    assert later["status"] == "complete"
    assert "<strong>Markdown</strong>" in str(later["intro"])
    [series] = context["series_list"]
    assert series.slug == series["slug"] == "ordering-test"
    assert "slug" in series and "nonsense" not in series
    assert series.name == series["name"] == "Ordering Test"
    assert titles(series.parts) == titles(later["all"])
    assert titles(series.announced) == ["Announced by date"]
    assert "The ordering test series." in series.summary


def test_announced_part_gets_full_navigation_and_expected_date(ordering):
    articles, _, _ = ordering
    [announced] = articles.drafts
    assert announced.series["position"] == 6
    assert announced.series["previous"].title == "Later by date"
    assert announced.series["next"] is None
    assert announced.series_expected == dt.date(2026, 6, 30)


def test_announced_parts_are_listed_by_author_for_author_pages(ordering):
    articles, _, context = ordering
    [announced] = articles.drafts
    assert context["series_announced_by_author"] == {"guest-writer": [announced]}


def test_translations_are_a_series_of_their_own(ordering):
    articles, _, context = ordering
    [french] = articles.translations
    assert titles(french.series["all_parts"]) == ["Premier par index"]
    assert french.series["url"] == "series/ordering-test/fr/"
    assert french.series["total"] == 1
    assert [s.lang for s in context["series_translations"]] == ["fr"]
    first = next(a for a in articles.articles if a.slug == "first")
    assert french not in first.series["all_parts"]


def test_context_series_maps_each_name_to_its_parts_as_pelican_series_does(
    tmp_path,
):
    """pelican-series' own `test_series_is_in_context`, on its test articles."""
    articles, _, context = generate(tmp_path, "pelican_series", pages=False)
    ordered = sorted(articles.articles, key=lambda article: article.date)
    series_names = [article.series["name"] for article in ordered]
    assert series_names[0] in context["series"]
    assert len(series_names) == len(context["series"][series_names[0]])
    # ...and the order is the plugin's: Series_index, then date.
    assert context["series"]["test_series"] == ordered
    assert context["article_series"] == context["series"]


def test_context_series_lists_published_parts_of_default_language(ordering):
    articles, _, context = ordering
    first = next(a for a in articles.articles if a.slug == "first")
    # The published parts, pages included (pelican-series keeps pages apart;
    # here a page is a part of the series like a post), as `series.all` has
    # them. Announced parts and the French translation are not in it.
    assert context["series"] == {first.series["name"]: first.series["all"]}
    assert context["article_series"] == context["series"]
    assert context["page_series"] == context["series"]


def test_context_series_leaves_out_series_without_pages_in_page_series(bad):
    _, context, _ = bad
    assert context["series"]
    assert context["page_series"] == {}
    assert "Only announced" not in context["series"]


def test_each_build_starts_afresh(tmp_path):
    """Two builds in one process (autoreload, tests) never share parts."""
    _, _, context_a = generate(tmp_path / "a", "ordering")
    _, _, context_b = generate(tmp_path / "b", "ordering")
    assert context_a["series_list"] is not context_b["series_list"]
    [series_a], [series_b] = context_a["series_list"], context_b["series_list"]
    assert series_a.total == series_b.total == 6
    assert not set(map(id, series_a.all_parts)) & set(map(id, series_b.all_parts))


@pytest.fixture
def bad(tmp_path, caplog):
    with caplog.at_level(
        logging.WARNING, logger="pelican.plugins.series_nav.series_nav"
    ):
        articles, _, context = generate(tmp_path, "bad")
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return articles, context, messages


@pytest.mark.parametrize(
    ("filename", "value"),
    [
        ("index-word.md", "two"),
        ("index-fraction.md", "1.5"),
        ("index-negative.md", "-1"),
    ],
)
def test_bad_index_warns_naming_file_and_falls_back_to_date(bad, filename, value):
    articles, _, messages = bad
    assert any(filename in m and repr(value) in m for m in messages), messages
    part = next(a for a in articles.articles if a.source_path.endswith(filename))
    assert titles(part.series["all"]) == [
        "Index is good",
        "Index is a word",
        "Index is a fraction",
        "Index is negative",
    ]


def test_duplicate_index_warns_naming_both_files_and_orders_deterministically(bad):
    articles, _, messages = bad
    duplicate = [m for m in messages if "both have Series_index 1" in m]
    assert any("dup-a.md" in m and "dup-c.md" in m for m in duplicate), messages
    assert any("dup-c.md" in m and "dup-b.md" in m for m in duplicate), messages
    part = next(a for a in articles.articles if a.slug == "duplicate-a")
    # Same index: by date, then by file name.
    assert titles(part.series["all"]) == ["Duplicate A", "Duplicate C", "Duplicate B"]


def test_names_differing_in_case_or_spacing_are_one_series(bad):
    articles, context, messages = bad
    merged = [m for m in messages if "networking-basics" in m]
    assert merged and "case-one.md" in merged[0] and "case-two.md" in merged[0]
    part = next(a for a in articles.articles if a.slug == "case-two")
    assert part.series["name"] == "Networking basics"  # the first part's spelling
    assert titles(part.series["all"]) == ["Case one", "Case two"]
    slugs = [s.slug for s in context["series_list"]]
    assert slugs.count("networking-basics") == 1


def test_series_with_only_announced_parts(bad):
    articles, context, messages = bad
    [draft] = articles.drafts
    assert draft.series["total"] == 1
    assert draft.series["all"] == [] and draft.series["index"] == 1
    assert draft.series_expected is None
    assert any("only-announced.md" in m and "next spring" in m for m in messages)
    series = next(s for s in context["series_list"] if s.slug == "only-announced")
    assert series.parts == [] and series.announced == [draft]


def test_a_part_whose_series_name_has_no_letters_is_in_no_series(bad):
    """No `series` attribute, as for any post in no series (README): not
    Pelican's raw `Series:` text, which templates would read as series data."""
    articles, _, _ = bad
    post = next(a for a in articles.articles if a.source_path.endswith("no-slug.md"))
    assert not hasattr(post, "series")


def test_bad_intro_files_and_names_are_warnings(bad):
    _, context, messages = bad
    assert any("bad-status.md" in m and "finished" in m for m in messages), messages
    assert any("no-title.md" in m for m in messages), messages
    assert any("orphan.md" in m and "no parts" in m for m in messages), messages
    assert any("no-slug.md" in m for m in messages), messages
    duplicates = next(s for s in context["series_list"] if s.slug == "duplicates")
    assert duplicates.status == "ongoing"  # the default, not "finished"
    orphan = next(
        s for s in context["series_list"] if s.slug == "a-series-nobody-writes"
    )
    assert orphan.total == 0


def test_warnings_are_not_repeated_when_pages_join(bad):
    _, _, messages = bad
    assert len(messages) == len(set(messages)), messages


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SERIES_URL", "series/"),
        ("SERIES_URL", "series/{slug}/{year}/"),
        ("SERIES_SAVE_AS", "series/{slug/index.html"),
        ("SERIES_LANG_SAVE_AS", "{slug}.html"),
        ("SERIES_DEFAULT_STATUS", "done"),
        ("SERIES_PATH", 3),
    ],
)
def test_unusable_settings_are_warned_about_and_replaced_by_defaults(
    setting, value, caplog
):
    settings = {setting: value}
    with caplog.at_level(logging.WARNING):
        series_nav.series_nav.check_settings(settings)
    [message] = [r.getMessage() for r in caplog.records]
    default = series_nav.series_nav.DEFAULTS[setting]
    assert setting in message
    assert repr(value) in message
    assert f"using the default {default!r}" in message
    assert settings[setting] == default


def test_usable_settings_are_kept_silently(caplog):
    settings = {"SERIES_URL": "{lang}/series/{slug}.html", "SERIES_PATH": "intros"}
    with caplog.at_level(logging.WARNING):
        series_nav.series_nav.check_settings(settings)
    assert caplog.records == []
    assert settings["SERIES_URL"] == "{lang}/series/{slug}.html"
    assert settings["SERIES_PATH"] == "intros"
