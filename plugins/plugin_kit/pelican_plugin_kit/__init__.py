"""What Pelican plugins that ship partial templates share.

A plugin describes its files once, as a `PluginFiles`, and connects three of
its methods to Pelican's signals:

    FILES = PluginFiles("series_nav", Path(__file__).parent, "box.html",
                        where="its article.html, where a part ends")

    signals.initialized.connect(FILES.add_static)
    signals.generator_init.connect(FILES.add_templates)
    # ... and, once a build knows it has content that needs the partial:
    FILES.warn_if_theme_lacks(generator.env, logger)

- `add_templates` makes the plugin's `templates/` folder loadable *after* the
  theme's (and THEME_TEMPLATES_OVERRIDES), so a theme includes a partial in
  one line, `{% include "series_nav/box.html" %}`, and may override it.
- `add_static` has Pelican copy the plugin's `static/` folder with the
  theme's files (into THEME_STATIC_DIR), where the partials link them.
- `theme_includes` tells whether any template but the plugin's own has an
  `{% include %}` of a partial (a real include: a comment naming it does not
  count), and `warn_if_theme_lacks` logs the one warning a build gives when
  it does not, with the line to paste.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    TemplateNotFound,
    TemplateSyntaxError,
    nodes,
)

__all__ = ["PluginFiles"]


@dataclass
class PluginFiles:
    """A plugin's partial templates and static files.

    `name` is the plugin's (its partials are `<name>/...`), `package` the
    folder of its package (holding `templates/` and `static/`), `partial`
    its main partial's file name, and `where` where a theme should include
    it, said to the site's author in the warning.
    """

    name: str
    package: Path
    partial: str
    where: str = "its templates"
    # Per environment (one a generator, a build), what its templates include.
    _includes: weakref.WeakKeyDictionary = field(
        default_factory=weakref.WeakKeyDictionary, repr=False
    )

    @property
    def templates(self) -> Path:
        return Path(self.package) / "templates"

    @property
    def static(self) -> Path:
        return Path(self.package) / "static"

    @property
    def main_partial(self) -> str:
        return f"{self.name}/{self.partial}"

    def include_line(self, partial: str | None = None) -> str:
        return '{% include "' + (partial or self.main_partial) + '" %}'

    # -- Signals -------------------------------------------------------------

    def add_static(self, pelican) -> None:
        """At `initialized`: Pelican copies the plugin's static files with
        the theme's (a new list: never one shared with another build)."""
        paths = list(pelican.settings.get("THEME_STATIC_PATHS", ["static"]))
        if self.static.is_dir() and str(self.static) not in paths:
            pelican.settings["THEME_STATIC_PATHS"] = [*paths, str(self.static)]

    def add_templates(self, generator) -> None:
        """At `generator_init`: the partials become loadable after the
        theme's templates (Pelican's loader is a ChoiceLoader)."""
        loader = generator.env.loader
        if any(self._is_own(each) for each in _plain_loaders(loader)):
            return
        own = FileSystemLoader(str(self.templates))
        if isinstance(loader, ChoiceLoader):
            loader.loaders.append(own)
        else:
            generator.env.loader = ChoiceLoader([loader, own])

    # -- The theme's side ----------------------------------------------------

    def theme_includes(self, env: Environment, partial: str | None = None) -> bool:
        """Whether a template other than the plugin's own includes `partial`
        (the main one by default). Read once per environment (a generator's)."""
        partial = partial or self.main_partial
        known = self._includes.setdefault(env, {})
        if partial not in known:
            known[partial] = self._find_include(env, partial)
        return known[partial]

    def warn_if_theme_lacks(
        self,
        env: Environment,
        logger: logging.Logger,
        partial: str | None = None,
        *,
        advice: str = "",
    ) -> bool:
        """Warn (once per build: Pelican's log filter drops repeats) when no
        template of the theme includes `partial`; True if it warned."""
        partial = partial or self.main_partial
        if self.theme_includes(env, partial):
            return False
        logger.warning(
            '%s: the theme does not include "%s"%s; add %s to %s',
            self.name,
            partial,
            f" ({advice})" if advice else "",
            self.include_line(partial),
            self.where,
        )
        return True

    def _is_own(self, loader) -> bool:
        return isinstance(loader, FileSystemLoader) and str(self.templates) in [
            str(path) for path in loader.searchpath
        ]

    def _find_include(self, env: Environment, partial: str) -> bool:
        seen = set()
        for loader in _plain_loaders(env.loader):
            if self._is_own(loader) or id(loader) in seen:
                continue
            seen.add(id(loader))
            try:
                names = loader.list_templates()
            except TypeError:  # a loader that cannot list its templates
                continue
            for name in names:
                try:
                    source = loader.get_source(env, name)[0]
                except (TemplateNotFound, UnicodeDecodeError):
                    continue
                if partial in source and _includes(env, source, partial):
                    return True
        return False


def _plain_loaders(loader):
    """Every loader inside `loader`; a PrefixLoader's (`!theme`, `!simple`)
    only repeat folders already listed, so they are left out."""
    if isinstance(loader, ChoiceLoader):
        for each in loader.loaders:
            yield from _plain_loaders(each)
    elif loader is not None and not isinstance(loader, PrefixLoader):
        yield loader


def _includes(env: Environment, source: str, partial: str) -> bool:
    """Whether the template `source` has an {% include %} of `partial`."""
    try:
        tree = env.parse(source)
    except TemplateSyntaxError:
        return False  # Pelican reports a broken template itself
    for include in tree.find_all(nodes.Include):
        names = include.template
        names = names.items if isinstance(names, nodes.List | nodes.Tuple) else [names]
        if any(isinstance(n, nodes.Const) and n.value == partial for n in names):
            return True
    return False
