"""Author bios: a profile for every author, attached to Pelican's authors.

Reads `content/authors/*.md` (see README.md), sets `author.profile` on every
Author object of articles, drafts, pages and the `authors` context, writes an
author page for profiled authors who have no published post yet (a guest
whose post is still a draft), and copies local avatars to the output.

It ships its partials (`templates/author_bios/`: the author boxes, avatars,
links, icons and head metadata), loadable by every generator after the
theme's own templates (so a theme may override one), and their stylesheet
(`static/author_bios/`), copied with the theme's static files.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from pelican import signals
from pelican.generators import Generator
from pelican.urlwrappers import Author
from pelican_plugin_kit import PluginFiles

from .profiles import AuthorProfile, load_profiles

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Folder of the profiles, relative to PATH (the content folder).
    "AUTHORS_PROFILE_PATH": "authors",
    # Where a local avatar is copied, relative to the output folder.
    "AUTHORS_AVATAR_SAVE_AS": "authors/avatars/{slug}{ext}",
}
CONTEXT_KEY = "author_profiles"
# Articles named in one "has no profile" warning before "and N more".
NAMED_ARTICLES = 3
# The partials and their stylesheet; the box is the partial a theme must
# include for the plugin to show anything on posts.
FILES = PluginFiles(
    "author_bios",
    Path(__file__).resolve().parent,
    "box.html",
    where="its article.html, where the author boxes should go",
)
# The partials' folder, for code that renders them outside a build.
TEMPLATES_DIR = FILES.templates


def profile_folder(settings: dict, content_root: Path) -> Path:
    """The folder of the profiles: AUTHORS_PROFILE_PATH under the content."""
    path = settings.get("AUTHORS_PROFILE_PATH", DEFAULTS["AUTHORS_PROFILE_PATH"])
    return Path(content_root) / path


def author_slug(name: str, settings: dict) -> str:
    """Pelican's slug for an author name (AUTHOR_REGEX_SUBSTITUTIONS...)."""
    return Author(name, settings).slug


def profile_for(name: str, settings: dict, content_root: Path) -> AuthorProfile | None:
    """The profile a build gives the author called `name`, or None.

    Reads the profiles in AUTHORS_PROFILE_PATH and matches them by slug (a
    profile's `Slug:`, else its name's) to Pelican's slug of `name`, as a
    build does. Bad profiles are warned about as in a build. Public: for
    tools that must find profiles as the build does (`make newpost`).
    """
    folder = profile_folder(settings, content_root)
    if not folder.is_dir():
        return None
    profiles = load_profiles(
        folder, Path(content_root), lambda text: author_slug(text, settings)
    )
    return profiles.get(author_slug(name, settings))


class BuildProfiles:
    """The profiles of one build and what the plugin learned while matching.

    Lives in the build's context (Pelican makes a fresh context for every
    run), so `pelican --autoreload` never sees the last build's profiles.
    """

    def __init__(self, settings: dict, content_root: Path):
        self.settings = settings
        # (name, slug, has_page) -> schema.org Person: one per author, not
        # one per post that names them.
        self.people: dict[tuple, dict] = {}
        self.folder = profile_folder(settings, content_root)
        self.enabled = self.folder.is_dir()
        self.by_slug: dict[str, AuthorProfile] = {}
        if self.enabled:
            self.by_slug = load_profiles(self.folder, content_root, self._slug_of)
        else:
            logger.info(
                "author_bios: no profile folder %s; authors have no profiles",
                self.folder,
            )
        for profile in self.by_slug.values():
            if profile.avatar_source:
                profile.avatar_url = settings["AUTHORS_AVATAR_SAVE_AS"].format(
                    slug=profile.slug, ext=profile.avatar_source.suffix.lower()
                )
            author = self.author_for(profile)
            profile.url, profile.save_as = author.url, author.save_as
        self.published_slugs: set[str] = set()
        # Author slug -> source files of the content that names them.
        self.unprofiled: dict[str, list[str]] = {}
        # (name, source file) of each author left out for an empty slug.
        self.dropped: set[tuple[str, str]] = set()

    def _slug_of(self, name: str) -> str:
        """Pelican's slug for an author name (AUTHOR_REGEX_SUBSTITUTIONS...)."""
        return author_slug(name, self.settings)

    def author_for(self, profile: AuthorProfile) -> Author:
        """A Pelican Author for a profile, with the profile attached."""
        author = Author(profile.name, self.settings)
        author.slug = profile.slug
        author.profile = profile
        author.has_page = True
        author.schema_person = self.schema_person(author)
        return author

    def schema_person(self, author: Author) -> dict:
        """The author as a schema.org Person, for JSON-LD: plain data.

        Built once per author and build here rather than in the template,
        which would redo it on every page the author appears on.
        """
        key = (author.name, author.slug, author.has_page)
        if key not in self.people:
            self.people[key] = self._person(author)
        return self.people[key]

    def _person(self, author: Author) -> dict:
        profile = author.profile
        site_url = self.settings.get("SITEURL", "")
        person = {"@type": "Person", "name": profile.name if profile else author.name}
        if author.has_page:
            person["url"] = f"{site_url}/{author.url}"
        if profile is not None:
            if profile.role:
                person["jobTitle"] = profile.role
            if profile.same_as:
                person["sameAs"] = profile.same_as
            if profile.avatar_url:
                person["image"] = f"{site_url}/{profile.avatar_url}"
        return person

    def drop_nameless(self, content) -> None:
        """Leave out the authors whose name slugs to nothing ("!!!", "<b></b>").

        Pelican would write their page to `author/index.html` and link it
        as `author//`; a name with no letter or digit names nobody, so the
        post keeps its other authors (or none) and the build goes on.
        """
        authors = getattr(content, "authors", None) or []
        if all(author.slug for author in authors):
            return
        for author in authors:
            if not author.slug and (author.name, content.source_path) not in (
                self.dropped
            ):
                self.dropped.add((author.name, content.source_path))
                logger.warning(
                    "author_bios: %s: author %r has no letters or digits (outside "
                    "markup) to make an author page address from; left out of the "
                    "post's authors",
                    content.source_path,
                    author.name,
                    extra={"limit_msg": "Other authors with no letters or digits"},
                )
        content.authors = [author for author in authors if author.slug]
        if content.authors:
            content.author = content.authors[0]
        elif hasattr(content, "author"):
            del content.author

    def attach(self, content) -> None:
        """Give each author of `content` its profile (or None)."""
        self.drop_nameless(content)
        for author in getattr(content, "authors", None) or []:
            author.profile = self.by_slug.get(author.slug)
            author.has_page = bool(self.settings.get("AUTHOR_SAVE_AS")) and (
                author.profile is not None or author.slug in self.published_slugs
            )
            author.schema_person = self.schema_person(author)
            if author.profile is None and self.enabled:
                where = self.unprofiled.setdefault(author.name, [])
                if content.source_path not in where:
                    where.append(content.source_path)

    def warn_unprofiled(self) -> None:
        """One warning per author without a profile, naming their content."""
        for name, sources in sorted(self.unprofiled.items()):
            named = ", ".join(sources[:NAMED_ARTICLES])
            if len(sources) > NAMED_ARTICLES:
                named += f" and {len(sources) - NAMED_ARTICLES} more"
            logger.warning(
                "author_bios: author %r has no profile in %s (used in %s); "
                "no author box is shown",
                name,
                self.folder,
                named,
            )
        self.unprofiled = {}


def _profiles(generator) -> BuildProfiles:
    """The build's profiles, read the first time a generator asks."""
    state = generator.context.get(CONTEXT_KEY + "_build")
    if state is None:
        state = BuildProfiles(generator.settings, Path(generator.path))
        generator.context[CONTEXT_KEY + "_build"] = state
        # Plain data for any template or plugin: slug -> AuthorProfile.
        generator.context[CONTEXT_KEY] = state.by_slug
    return state


def _with_translations(items):
    for item in items:
        yield item
        yield from getattr(item, "translations", [])


def _setting_problem(name: str, value) -> str | None:
    """Why `value` cannot be the setting `name`; None when it can."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string"
    if name == "AUTHORS_AVATAR_SAVE_AS":
        if "{slug}" not in value:
            return "must contain {slug}"
        try:
            value.format(slug="slug", ext=".png")
        except (KeyError, IndexError, ValueError, AttributeError):
            return "may use only {slug} and {ext}"
    return None


def check_settings(pelican) -> None:
    """Fill in the AUTHORS_* defaults; a bad value is warned about and
    replaced by its default, so the build goes on. Once per build."""
    settings = pelican.settings
    for name, default in DEFAULTS.items():
        settings.setdefault(name, default)
        problem = _setting_problem(name, settings[name])
        if problem:
            logger.warning(
                "author_bios: %s %s, not %r; using the default %r",
                name,
                problem,
                settings[name],
                default,
            )
            settings[name] = default
    # Profiles are not posts or pages, even if ARTICLE_PATHS says "".
    folder = settings["AUTHORS_PROFILE_PATH"].strip("/")
    for excludes in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        if folder not in settings.setdefault(excludes, []):
            settings[excludes] = [*settings[excludes], folder]


def warn_if_theme_lacks_box(generator, items) -> None:
    """One warning per build when posts have author boxes to show and no
    template of the theme includes them."""
    if not any(
        getattr(author, "profile", None)
        for item in items
        for author in getattr(item, "authors", None) or []
    ):
        return
    FILES.warn_if_theme_lacks(generator.env, logger)


def attach_to_articles(generator) -> None:
    """Profiles for the authors of articles, drafts, hidden posts, `authors`."""
    state = _profiles(generator)
    # Pelican listed nameless authors ("!!!") with an author page at
    # `author/index.html`; `drop_nameless` takes them out of their posts.
    # In place: the context's `authors` is this same list.
    generator.authors[:] = [entry for entry in generator.authors if entry[0].slug]
    state.published_slugs = {author.slug for author, _ in generator.authors}
    for item in _with_translations(
        [*generator.articles, *generator.drafts, *generator.hidden_articles]
    ):
        state.attach(item)
    for item in [*generator.translations, *generator.drafts_translations]:
        state.attach(item)
    warn_if_theme_lacks_box(
        generator, [*generator.articles, *generator.drafts, *generator.hidden_articles]
    )


def attach_to_pages(generator) -> None:
    """Profiles for the authors of pages (the site author by default)."""
    state = _profiles(generator)
    for item in _with_translations(
        [*generator.pages, *generator.hidden_pages, *generator.draft_pages]
    ):
        state.attach(item)


class AuthorPagesGenerator(Generator):
    """Writes the pages Pelican does not: profiled authors without posts.

    Pelican writes an author page only for authors of published posts; a
    guest whose post is an announced draft still needs one (the draft's
    byline links to it), and the authors list must name them.
    """

    def generate_context(self):
        """Add profiled authors with no published post to `authors`."""
        state = _profiles(self)
        state.warn_unprofiled()
        listed = {author.slug for author, _ in self.context.get("authors", [])}
        self.authors_without_posts = [
            state.author_for(profile)
            for slug, profile in sorted(state.by_slug.items())
            if slug not in listed
        ]
        # A new list: the articles generator keeps (and writes) its own.
        self.context["authors"] = sorted(
            [
                *self.context.get("authors", []),
                *((author, []) for author in self.authors_without_posts),
            ]
        )

    def generate_output(self, writer):
        """Write their author pages and copy every local avatar."""
        template = self.get_template("author")
        for author in self.authors_without_posts:
            writer.write_file(
                author.save_as,
                template,
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                url=author.url,
                author=author,
                articles=[],
                dates=[],
                template_name="author",
                blog=True,
                page_name=author.page_name,
                all_articles=self.context.get("articles", []),
            )
        for profile in _profiles(self).by_slug.values():
            if profile.avatar_source and profile.avatar_url:
                target = Path(self.output_path) / profile.avatar_url
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(profile.avatar_source, target)
                logger.info("Copying avatar %s to %s", profile.avatar_source, target)


def get_generators(pelican):
    """Our generator, run after the articles and pages generators."""
    return AuthorPagesGenerator


def register():
    """Connect the plugin to Pelican's signals."""
    signals.initialized.connect(check_settings)
    # Pelican copies the stylesheet with the theme's static files.
    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    signals.article_generator_finalized.connect(attach_to_articles)
    signals.page_generator_finalized.connect(attach_to_pages)
    signals.get_generators.connect(get_generators)
