"""Series navigation: joins posts into series, with announced parts.

Authoring is compatible with pelican-series (`Series:` and `Series_index:`
metadata); `article.series` keeps that plugin's keys. On top of it: drafts in
a series are *announced parts* ("coming soon"), each series can have an intro
file with a status, and a page per series plus a list of all series are
written. See README.md for authoring, settings and template variables.

Per-build state lives on a `SeriesCatalog` kept in the build's context:
Pelican makes a new context on every run, so `--autoreload` starts afresh.

The partials a theme includes (`series_nav/box.html` and the others) are in
this package's `templates/`, loaded after the theme's own templates (so a
theme may override one); the script and stylesheet they link are in
`static/`, copied with the theme's static files.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from functools import partial
from itertools import pairwise
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

from markupsafe import Markup
from pelican import signals
from pelican.contents import Article, Content, Page
from pelican.generators import Generator, PelicanTemplateNotFound
from pelican.readers import Readers
from pelican.utils import slugify
from pelican_plugin_kit import PluginFiles

logger = logging.getLogger(__name__)

# The partials and static files; the box is the partial a theme must include
# for readers to find their way in a series.
FILES = PluginFiles(
    "series_nav",
    Path(__file__).resolve().parent,
    "box.html",
    where="its article.html (and page.html) where a part ends",
)

DEFAULTS = {
    "SERIES_PATH": "series",
    "SERIES_URL": "series/{slug}/",
    "SERIES_SAVE_AS": "series/{slug}/index.html",
    "SERIES_LANG_URL": "series/{slug}/{lang}/",
    "SERIES_LANG_SAVE_AS": "series/{slug}/{lang}/index.html",
    "SERIES_LIST_URL": "series/",
    "SERIES_LIST_SAVE_AS": "series/index.html",
    "SERIES_DEFAULT_STATUS": "ongoing",
}
STATUSES = ("ongoing", "complete")
# The {fields} each URL pattern must contain; each may use {slug} and {lang}.
PATTERN_FIELDS = {
    "SERIES_URL": ("slug",),
    "SERIES_SAVE_AS": ("slug",),
    "SERIES_LANG_URL": ("slug", "lang"),
    "SERIES_LANG_SAVE_AS": ("slug", "lang"),
}
CATALOG_KEY = "series_catalog"
# pelican-series' context names: `series` (its 2.x name, and what its tests
# read) and `article_series` hold the series with published posts,
# `page_series` those with published pages. On the series page, `series`
# is that page's `Series` instead (passed when it is written); the theme
# tells the two apart with Jinja's `mapping` test.
PELICAN_SERIES_CONTEXT = {
    "series": Article,
    "article_series": Article,
    "page_series": Page,
}
WHOLE_NUMBER = re.compile(r"[0-9]+")


def series_slug(name, settings):
    """The slug a series is matched by: one series per slug and language.

    The name's spacing is collapsed, then it is slugified with the site's
    slug settings, so names that differ only in case or spacing are one
    series. '' when the name has no letters or digits. Public: tools that
    must match series as the build does (`make newpost`) call this.
    """
    return slugify(
        " ".join(str(name).split()),
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def series_index(value):
    """A `Series_index` value as a whole number (1 or more), or None.

    None means the part is not ordered by index (the build warns and orders
    it by date). Public, like `series_slug`, for tools such as `make newpost`.
    """
    if value is None:
        return None
    text = str(value).strip()
    if WHOLE_NUMBER.fullmatch(text) and int(text) > 0:
        return int(text)
    return None


def now():
    """The present moment, timezone-aware: the one clock of this module, so
    tests can freeze it (monkeypatch `series_nav.now`)."""
    return dt.datetime.now(dt.UTC)


def _setting_problem(key, value):
    """What is wrong with a SERIES_* value, or None if it can be used."""
    if not isinstance(value, str):
        return "is not a string"
    if key == "SERIES_DEFAULT_STATUS" and value not in STATUSES:
        return "is not one of " + ", ".join(STATUSES)
    required = PATTERN_FIELDS.get(key)
    if required is None:
        return None
    named = " and ".join(f"{{{field}}}" for field in required)
    try:
        used = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
    except ValueError:  # an unmatched brace
        used = None
    if used is None or not set(required) <= used or not used <= {"slug", "lang"}:
        return f"must contain {named}, and no field but {{slug}} and {{lang}}"
    return None


def check_settings(settings):
    """Fill in the SERIES_* defaults; an unusable value is warned about and
    replaced by its default, and the build goes on."""
    for key, default in DEFAULTS.items():
        value = settings.setdefault(key, default)
        problem = _setting_problem(key, value)
        if problem:
            logger.warning(
                "series_nav: %s %r %s; using the default %r",
                key,
                value,
                problem,
                default,
            )
            settings[key] = default


def _setting(settings, key):
    """A SERIES_* setting, or its default when `initialized` did not run."""
    return settings.get(key, DEFAULTS[key])


class SeriesIntro(Content):
    """A series' intro file: Markdown text with `Title` and `Status`."""

    mandatory_properties = ("title",)
    default_status = ""


class LazyHTML:
    """HTML made when a template prints it, so links suit the page being written."""

    def __init__(self, render):
        self._render = render

    def __str__(self):
        return str(self._render())

    def __html__(self):
        return self.__str__()

    def __bool__(self):
        return bool(self.__str__())


class Series:
    """One series in one language: what templates get as `series`.

    Read it as `series.slug` or `series["slug"]`, both work.
    """

    def __init__(self, slug, lang, url, save_as, status):
        self.slug = slug
        self.lang = lang
        self.url = url
        self.save_as = save_as
        self.status = status
        self.name = ""
        self.parts = []  # published parts, in series order
        self.announced = []  # announced (draft) parts, in series order
        self.all_parts = []  # every part in series order, both kinds
        self.contents = []  # (part, URL or None if announced), series order
        self.intro_source = None  # the SeriesIntro, if the series has a file
        self.members = []  # (part, index or None, published) as collected
        self.names = {}  # each spelling of the name -> source paths using it

    @property
    def total(self):
        """Published plus announced parts."""
        return len(self.parts) + len(self.announced)

    @property
    def intro(self):
        """The intro file's text as HTML ('' without a file)."""
        if self.intro_source is None:
            return Markup("")
        return Markup(self.intro_source.content)

    @property
    def summary(self):
        """The intro's summary as HTML ('' without a file)."""
        if self.intro_source is None:
            return Markup("")
        return Markup(self.intro_source.summary)

    def __getitem__(self, key):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key):
        return isinstance(key, str) and hasattr(self, key)

    def get(self, key, default=None):
        """Dict-style access, for code written against pelican-series' dicts."""
        return getattr(self, key, default)

    def __repr__(self):
        return f"<Series {self.slug!r} ({self.lang})>"


def _source(content):
    """The file a part came from, as Pelican names it in its own messages."""
    return content.source_path or repr(content)


def _real_date(part):
    """The part's date, or None when it has none (Pelican's MAXYEAR stand-in)."""
    date = getattr(part, "date", None)
    return None if date is None or date.year == dt.MAXYEAR else date


def _date_key(part):
    """Sort key for dates: parts without a real date go last."""
    date = _real_date(part)
    return (1, 0.0) if date is None else (0, date.timestamp())


def is_scheduled(part):
    """Whether Pelican holds this part back only for its future date.

    With WITH_FUTURE_DATES off, Pelican makes a post dated in the future a
    draft; the first build after that moment publishes it. A part that says
    `Status: draft` itself stays a draft whatever its date.
    """
    if part.metadata.get("status", "published").lower() == "draft":
        return False
    return _real_date(part) is not None


def _order_key(member):
    """Parts with an index first, by index; then the rest by date; then path."""
    part, index, _published = member
    return (
        index is None,
        index or 0,
        _date_key(part),
        _source(part),
    )


class SeriesCatalog:
    """Every series of one build: collects parts and attaches `series` data."""

    def __init__(self, context, settings, content_path):
        self.context = context
        self.settings = settings
        self.content_path = content_path
        self.default_lang = settings.get("DEFAULT_LANG", "en")
        # "Today" for overdue parts is the site's day, as its dates are.
        self.timezone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
        self.series = {}  # (lang, slug) -> Series
        self.collected = set()  # id() of every part already collected
        self.intros = None  # (lang, slug) -> SeriesIntro, read on first link
        self.warned = set()
        context["series_list"] = []
        context["series_translations"] = []
        context["series_announced_by_author"] = {}
        # pelican-series' global names, for templates written for it.
        for key in PELICAN_SERIES_CONTEXT:
            context[key] = {}

    @classmethod
    def of(cls, generator):
        """The catalog of the generator's build, made on first use."""
        catalog = generator.context.get(CATALOG_KEY)
        if catalog is None:
            catalog = cls(generator.context, generator.settings, generator.path)
            generator.context[CATALOG_KEY] = catalog
        return catalog

    def warn_once(self, message, *args):
        """Log a warning once per build (linking runs again when pages join)."""
        if (message, args) in self.warned:
            return
        self.warned.add((message, args))
        logger.warning(message, *args)

    def slugify(self, name):
        """The series slug of a name (see `series_slug`)."""
        return series_slug(name, self.settings)

    def series_for(self, slug, lang):
        """The series of this slug and language, made on first use."""
        key = (lang, slug)
        if key not in self.series:
            if lang == self.default_lang:
                url = _setting(self.settings, "SERIES_URL")
                save_as = _setting(self.settings, "SERIES_SAVE_AS")
            else:
                url = _setting(self.settings, "SERIES_LANG_URL")
                save_as = _setting(self.settings, "SERIES_LANG_SAVE_AS")
            self.series[key] = Series(
                slug,
                lang,
                url.format(slug=slug, lang=lang),
                save_as.format(slug=slug, lang=lang),
                _setting(self.settings, "SERIES_DEFAULT_STATUS"),
            )
        return self.series[key]

    def collect(self, contents, published):
        """Add the contents that name a series; returns how many joined one."""
        joined = 0
        for part in contents:
            if id(part) in self.collected or "series" not in part.metadata:
                continue
            self.collected.add(id(part))
            written = str(part.metadata["series"])
            slug = self.slugify(written)
            if not slug:
                self.warn_once(
                    "Series name %r in %s has no letters or digits; ignoring it",
                    part.metadata["series"],
                    _source(part),
                )
                # Pelican set the raw name as `part.series`, and no series
                # data will replace it: content in no series has none.
                if isinstance(getattr(part, "series", None), str):
                    del part.series
                continue
            series = self.series_for(slug, getattr(part, "lang", self.default_lang))
            series.names.setdefault(written, []).append(_source(part))
            series.members.append((part, self.read_index(part), published))
            if not published:
                self.read_expected_date(part)
                self.check_overdue(part)
            joined += 1
        return joined

    def read_index(self, part):
        """The part's Series_index as a whole number ≥ 1, or None (date order)."""
        value = part.metadata.get("series_index")
        index = series_index(value)
        if index is not None or value is None:
            return index
        self.warn_once(
            "Series_index %r in %s is not a whole number (1 or more); "
            "ordering that part by date",
            value,
            _source(part),
        )
        return None

    def read_expected_date(self, part):
        """Turn an announced part's Series_expected into a date (or None).

        A *scheduled* part (a future `Date` without `Status: draft`, which
        Pelican holds back as a draft while WITH_FUTURE_DATES is off) is
        expected on that date, whatever its Series_expected says.
        """
        value = part.metadata.get("series_expected")
        part.series_expected = None
        part.series_scheduled = is_scheduled(part)
        if part.series_scheduled:
            part.series_expected = part.date.date()
            return
        if value is None:
            return
        if isinstance(value, dt.date):
            part.series_expected = value
            return
        try:
            part.series_expected = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.warn_once(
                "Series_expected %r in %s is not a date (YYYY-MM-DD); leaving it out",
                value,
                _source(part),
            )

    def check_overdue(self, part):
        """Mark a part whose expected date has passed, and warn its author."""
        part.series_overdue = False
        expected = part.series_expected
        if expected is None:
            return
        today = now().astimezone(self.timezone).date()
        if expected >= today:
            return
        part.series_overdue = True
        self.warn_once(
            "Announced part %s was expected on %s, which has passed; the site "
            "now says it is running late. Publish it or set a new Series_expected",
            _source(part),
            expected.isoformat(),
        )

    def read_intros(self):
        """Read every intro file under SERIES_PATH, once per build."""
        self.intros = {}
        folder = os.path.join(self.content_path, _setting(self.settings, "SERIES_PATH"))
        if not os.path.isdir(folder):
            return
        readers = Readers(self.settings)
        for dirpath, _dirnames, filenames in sorted(os.walk(folder)):
            for filename in sorted(filenames):
                extension = os.path.splitext(filename)[1][1:]
                if extension not in readers.extensions:
                    continue
                path = os.path.relpath(
                    os.path.join(dirpath, filename), self.content_path
                )
                self.read_intro(readers, path)

    def read_intro(self, readers, path):
        """Read one intro file; a bad one is a warning naming it."""
        full_path = os.path.join(self.content_path, path)
        try:
            intro = readers.read_file(
                base_path=self.content_path,
                path=path,
                content_class=SeriesIntro,
                context=self.context,
            )
        # A reader may raise anything on a broken file; one bad intro must
        # not stop the build.
        except Exception as error:  # noqa: BLE001
            logger.warning("Could not read series intro %s: %s", full_path, error)
            return
        if not getattr(intro, "title", None):
            logger.warning("Series intro %s has no Title; ignoring it", full_path)
            return
        slug = self.slugify(intro.title)
        key = (getattr(intro, "lang", self.default_lang), slug)
        if intro.status and intro.status not in STATUSES:
            logger.warning(
                "Series intro %s has Status %r, not one of %s; using %r",
                full_path,
                intro.status,
                ", ".join(STATUSES),
                _setting(self.settings, "SERIES_DEFAULT_STATUS"),
            )
            intro.status = ""
        if key in self.intros:
            logger.warning(
                "Series intros %s and %s are for the same series %r; using %s",
                self.intros[key].source_path,
                full_path,
                slug,
                self.intros[key].source_path,
            )
            return
        self.intros[key] = intro

    def link(self):
        """Order every series and attach `series` data to each of its parts."""
        if self.intros is None:
            self.read_intros()
            for (lang, slug), intro in self.intros.items():
                if (lang, slug) not in self.series:
                    logger.warning(
                        "Series intro %s names series %r, which has no parts",
                        intro.source_path,
                        intro.title,
                    )
                    self.series_for(slug, lang)
        for series in self.series.values():
            self.link_series(series)
        ordered = sorted(self.series.values(), key=lambda s: (s.name.lower(), s.slug))
        # In place: a handler that ran before pages joined may hold these lists.
        self.context["series_list"][:] = [
            s for s in ordered if s.lang == self.default_lang
        ]
        self.context["series_translations"][:] = [
            s for s in ordered if s.lang != self.default_lang
        ]
        # An author page can say what its author has coming: built once,
        # not by every author page scanning every series.
        announced_by_author = {}
        for series in self.context["series_list"]:
            for part in series.announced:
                for author in getattr(part, "authors", None) or []:
                    announced_by_author.setdefault(author.slug, []).append(part)
        self.context["series_announced_by_author"].clear()
        self.context["series_announced_by_author"].update(announced_by_author)
        for key, kind in PELICAN_SERIES_CONTEXT.items():
            self.context[key].clear()
            self.context[key].update(
                (series.name, series.parts)
                for series in self.context["series_list"]
                if any(isinstance(part, kind) for part in series.parts)
            )

    def link_series(self, series):
        """Order one series' parts and give each part its `series` dict."""
        members = sorted(series.members, key=_order_key)
        intro = self.intros.get((series.lang, series.slug))
        series.intro_source = intro
        if intro is not None and intro.status:
            series.status = intro.status
        series.all_parts = [part for part, _index, _published in members]
        series.parts = [part for part, _index, published in members if published]
        series.announced = [
            part for part, _index, published in members if not published
        ]
        # Pelican works a URL out afresh on every read of `part.url`; the
        # contents box lists every part on every part's page, so read each
        # once here, not once per part per page.
        series.contents = [
            (part, part.url if published else None)
            for part, _index, published in members
        ]
        if intro is not None:
            series.name = " ".join(str(intro.title).split())
        elif members:
            series.name = " ".join(str(members[0][0].metadata["series"]).split())
        self.check_names(series)
        self.check_indexes(series, members)

        published_before = 0
        parts = series.parts
        for position, (part, _index, published) in enumerate(members, start=1):
            if published:
                before, after = parts[:published_before], parts[published_before + 1 :]
                index = published_before + 1
                published_before += 1
            else:
                before, after = parts[:published_before], parts[published_before:]
                index = position
            following = members[position] if position < len(members) else None
            data = {
                "name": series.name,
                "index": index,
                "all": parts,
                "all_previous": before,
                "all_next": after,
                "previous": before[-1] if before else None,
                "next": after[0] if after else None,
                "slug": series.slug,
                "url": series.url,
                "lang": series.lang,
                "position": position,
                "total": series.total,
                "all_parts": series.all_parts,
                "contents": series.contents,
                "announced": series.announced,
                "announced_next": (
                    following[0] if following and not following[2] else None
                ),
                "intro": LazyHTML(lambda series=series: series.intro),
                "status": series.status,
                "series": series,
            }
            existing = getattr(part, "series", None)
            if isinstance(existing, dict) and existing.get("series") is series:
                existing.clear()
                existing.update(data)
            else:
                part.series = data

    def check_names(self, series):
        """Warn when one series is spelled in more than one way."""
        if len(series.names) < 2:
            return
        spellings = "; ".join(
            f"{name!r} in {', '.join(sorted(paths))}"
            for name, paths in sorted(series.names.items())
        )
        self.warn_once(
            "Series names that differ only in case or spacing are one series "
            "%r (slug %r): %s",
            series.name,
            series.slug,
            spellings,
        )

    def check_indexes(self, series, members):
        """Warn, naming both files, when two parts share a Series_index."""
        for (first, first_index, _), (second, second_index, _) in pairwise(members):
            if first_index is not None and first_index == second_index:
                self.warn_once(
                    "Series %r: %s and %s both have Series_index %d; "
                    "ordering them by date, then file name",
                    series.name,
                    _source(first),
                    _source(second),
                    first_index,
                )


def link_articles(generator):
    """Join the articles and announced (draft) articles into their series."""
    catalog = SeriesCatalog.of(generator)
    catalog.collect(generator.articles + generator.translations, published=True)
    catalog.collect(generator.drafts + generator.drafts_translations, published=False)
    catalog.link()


def link_pages(generator):
    """Join pages into series, as pelican-series allows; relink if any did."""
    catalog = SeriesCatalog.of(generator)
    joined = catalog.collect(generator.pages + generator.translations, published=True)
    joined += catalog.collect(
        generator.draft_pages + generator.draft_translations, published=False
    )
    if joined or catalog.intros is None:
        catalog.link()


class SeriesGenerator(Generator):
    """Writes a page per series and the page listing every series."""

    def generate_context(self):
        catalog = SeriesCatalog.of(self)
        if catalog.intros is None:  # neither articles nor pages were generated
            catalog.link()
        # Once per build, and only for a site with parts to navigate.
        has_parts = any(series.all_parts for series in catalog.series.values())
        if has_parts:
            FILES.warn_if_theme_lacks(self.env, logger)

    def generate_output(self, writer):
        catalog = SeriesCatalog.of(self)
        write = partial(writer.write_file, relative_urls=self.settings["RELATIVE_URLS"])
        series_template = self.template_or_none("series")
        if series_template is not None:
            # Names of the authors Pelican writes a page for, built once: the
            # series page links a part's author only when they have one.
            author_names = {
                author.name for author, _articles in self.context.get("authors", [])
            }
            for series in catalog.series.values():
                write(
                    series.save_as,
                    series_template,
                    self.context,
                    series=series,
                    series_author_names=author_names,
                )
        list_template = self.template_or_none("series_list")
        if list_template is not None:
            write(
                _setting(self.settings, "SERIES_LIST_SAVE_AS"),
                list_template,
                self.context,
            )

    def template_or_none(self, name):
        """The theme's template (else this plugin's), or None with a warning."""
        try:
            return self.get_template(name)
        except PelicanTemplateNotFound:
            logger.warning(
                "The theme has no %s.html template; series pages not written", name
            )
            return None


def add_generator(pelican):
    """Give Pelican the generator that writes the series pages."""
    return SeriesGenerator


def check_settings_at_start(pelican):
    """Validate the SERIES_* settings before any content is read."""
    check_settings(pelican.settings)


def register():
    signals.initialized.connect(check_settings_at_start)
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.article_generator_finalized.connect(link_articles)
    signals.page_generator_finalized.connect(link_pages)
    signals.get_generators.connect(add_generator)
