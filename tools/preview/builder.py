"""The preview's builds: a saved post at once, then everything else.

A full build is a Pelican build, with the content cache on, into a folder
beside the output (`.<output>.next`); only a build that logged no error
replaces the output, in one step, so the server always serves the last good
build, and a post that fails to read never vanishes from it. The output is
then what a clean build of the same content and settings writes, byte for
byte, stale files (a deleted or renamed post's page) included: none.

The fast path (Hugo's "fast render"): when only a post's or a page's body
changed, the builder keeps the last good build's generators, context and
content objects, reads the changed file again with the same `Readers` and
context (plugins' `content_object_init` work runs, `{filename}` links
resolve), moves what reading produced into the old object (so everything
plugins attached later, and every list that holds it, stays), and renders
that one page with the generator's templates and context into the output.
The full build follows and brings the rest (listings, feeds, the search
index, what plugins derive from the body) up to date.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import os
import shutil
import sys
import traceback
from pathlib import Path

from pelican import Pelican, signals
from pelican.contents import Article, Page
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import read_settings
from pelican.writers import Writer

from . import fresh

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
# Which lists of each generator hold which kind of content, as Pelican
# writes them (generators.py, generate_articles / generate_drafts and
# PagesGenerator.generate_output).
ARTICLE_LISTS = ("translations", "articles", "hidden_translations", "hidden_articles")
DRAFT_LISTS = ("drafts_translations", "drafts")
PAGE_LISTS = (
    "translations",
    "pages",
    "hidden_translations",
    "hidden_pages",
    "draft_translations",
    "draft_pages",
)


class BuildCancelledError(BaseException):
    """A newer change arrived: the build under way is abandoned. A
    BaseException, so Pelican's per-file `except Exception` lets it through."""


@dataclasses.dataclass
class BuildError:
    """What the tab's overlay shows: where (file, line, when known) and what."""

    message: str
    file: str | None = None
    line: int | None = None

    def as_message(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Outcome:
    """What a build or a fast render did."""

    written: list[Path] = dataclasses.field(default_factory=list)
    errors: list[BuildError] = dataclasses.field(default_factory=list)
    replaced_output: bool = False  # a full build that became the output


def cache_folder(output: Path) -> Path:
    """Where the preview keeps Pelican's content cache for `output`."""
    output = output.resolve()
    return output.with_name(f".{output.name}.preview-cache")


def where_in_project(
    error: BaseException, content: Path
) -> tuple[str | None, int | None]:
    """The file and line an error points at, as the author knows them: a
    template's (Jinja puts template lines in tracebacks), a plugin's or a
    post's; (None, None) if none is known."""
    file = getattr(error, "filename", None)
    line = getattr(error, "lineno", None)
    if file and line:  # Jinja's TemplateSyntaxError, Python's SyntaxError
        return file, line
    places = [ROOT, content.resolve()]
    venv = ROOT / ".venv"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(venv) or path.is_relative_to(Path(__file__).parent):
            continue
        if any(path.is_relative_to(place) for place in places):
            return str(path), frame.lineno
    return file, None


def describe(
    error: BaseException, content: Path, file: str | None = None
) -> BuildError:
    """A BuildError for an exception (file: the source being read, if known)."""
    where, line = where_in_project(error, content)
    message = f"{type(error).__name__}: {error}"
    return BuildError(message=message, file=where or file, line=line)


class ErrorRecorder(logging.Handler):
    """Collects the errors a build logs. Pelican logs a post it cannot read
    ("Could not process %s") and goes on without it; the exception is only
    in the log record, or (without DEBUG) only in `sys.exc_info()` while
    the record is being handled."""

    def __init__(self, content: Path):
        super().__init__(level=logging.ERROR)
        self.content = content
        self.errors: list[BuildError] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == __name__:
            return  # the builder's own report of an error it has recorded
        error = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        source = None
        for argument in record.args if isinstance(record.args, tuple) else ():
            if isinstance(argument, str) and (self.content / argument).is_file():
                source = str(self.content / argument)
        if error is None:
            self.errors.append(BuildError(message=record.getMessage(), file=source))
        else:
            found = describe(error, self.content, source)
            found.message = f"{record.getMessage()}: {found.message}"
            self.errors.append(found)


class AtomicFile(io.StringIO):
    """A file Pelican's writer writes, put in place in one step when the
    `with` block ends: the server never sends half a page."""

    def __init__(self, path: str, encoding: str):
        super().__init__()
        self.path = path
        self.target_encoding = encoding

    def __exit__(self, kind, error, trace):
        text = self.getvalue()
        self.close()
        if kind is None:
            temporary = f"{self.path}.preview-tmp"
            with open(temporary, "w", encoding=self.target_encoding) as target:
                target.write(text)
            os.replace(temporary, self.path)
        return False


class FastWriter(Writer):
    """Pelican's writer (same rendering, same bytes) writing atomically, and
    remembering what it wrote."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paths: list[Path] = []

    def _open_w(self, filename, encoding, override=False):
        self._written_files.add(filename)
        self.paths.append(Path(filename))
        return AtomicFile(filename, encoding)


@dataclasses.dataclass
class LastBuild:
    """The state of the last build that became the output."""

    settings: dict
    generators: list
    # source path -> (content object, its attributes as read, before any
    # plugin's finalized-time work)
    as_read: dict[str, tuple[object, dict]]


class Builder:
    """Full builds and fast renders of one content folder into one output."""

    def __init__(self, content: Path, output: Path, settings_file: Path, port: int):
        self.content = content.resolve()
        self.output = output.resolve()
        self.settings_file = settings_file.resolve()
        self.port = port
        self.staging = self.output.with_name(f".{self.output.name}.next")
        self.cache = cache_folder(self.output)
        self.last: LastBuild | None = None
        # Set by the watcher when a change arrives: the build under way stops
        # (unless `cancellable` is off: the first build, which must end).
        self.cancel = None
        self.cancellable = True
        # The build under way, for its own receivers.
        self._as_read: dict[str, tuple[object, dict]] | None = None
        self._generators: list = []

    # -- Settings ----------------------------------------------------------

    def overrides(self, output: Path, load_cache: bool) -> dict:
        """The settings the preview changes (a clean build given the same
        ones writes the same bytes)."""
        return {
            "PATH": str(self.content),
            "OUTPUT_PATH": str(output),
            "LIVERELOAD_PORT": self.port,
            "CACHE_CONTENT": True,
            "LOAD_CONTENT_CACHE": load_cache,
            "CACHE_PATH": str(self.cache),
            "DELETE_OUTPUT_DIRECTORY": False,
        }

    # -- Full builds -------------------------------------------------------

    def full_build(self, *, fresh_code: bool) -> Outcome:
        """A whole build into the staging folder, which replaces the output
        if no error was logged (or if there is no output yet). `fresh_code`:
        plugins are imported again and the content cache is not loaded (a
        plugin or the settings changed what reading writes). Raises
        BuildCancelledError if a change arrived meanwhile."""
        load_cache = not fresh_code and self.cache.is_dir()
        settings = read_settings(
            str(self.settings_file), override=self.overrides(self.staging, load_cache)
        )
        fresh.prepare_fresh_build(settings)
        if fresh_code:  # after the old modules' receivers are disconnected
            fresh.forget_plugin_modules(settings)
        self._disconnect_own()
        shutil.rmtree(self.staging, ignore_errors=True)
        recorder = ErrorRecorder(self.content)
        logging.getLogger().addHandler(recorder)
        outcome = Outcome()
        self._as_read, self._generators = {}, []
        try:
            pelican = Pelican(settings)
            # Connected after every plugin's: each runs last.
            self._connect_own()
            pelican.run()
        except BuildCancelledError:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        # Any error in a template, plugin or post while it is being edited:
        # the author fixes it and saves again; the last good output stays.
        except Exception as error:
            logger.exception("Build failed; the last good build stays served")
            outcome.errors.append(describe(error, self.content))
        finally:
            logging.getLogger().removeHandler(recorder)
            self._disconnect_own()
        outcome.errors[:0] = recorder.errors
        if outcome.errors and self.output.is_dir():
            shutil.rmtree(self.staging, ignore_errors=True)
            return outcome
        settings["OUTPUT_PATH"] = str(self.output)
        self.last = LastBuild(settings, self._generators, self._as_read)
        outcome.replaced_output = True
        return outcome

    def replace_output(self) -> None:
        """Put the staging folder in the output's place (the server calls it
        between two requests)."""
        old = self.output.with_name(f".{self.output.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.output.exists():
            os.rename(self.output, old)
        os.rename(self.staging, self.output)

    def remove_old_output(self) -> None:
        shutil.rmtree(
            self.output.with_name(f".{self.output.name}.old"), ignore_errors=True
        )

    def _own_receivers(self):
        return [
            (signals.content_object_init, self._keep_as_read),
            (signals.all_generators_finalized, self._keep_generators),
            (signals.article_generator_write_article, self._check_cancelled),
            (signals.page_generator_write_page, self._check_cancelled),
            (signals.content_written, self._check_cancelled),
        ]

    def _connect_own(self) -> None:
        for signal, receiver in self._own_receivers():
            signal.connect(receiver)

    def _disconnect_own(self) -> None:
        for signal, receiver in self._own_receivers():
            signal.disconnect(receiver)

    def _check_cancelled(self, *_args, **_kwargs) -> None:
        if self.cancellable and self.cancel is not None and self.cancel.is_set():
            raise BuildCancelledError

    def _keep_as_read(self, content) -> None:
        self._check_cancelled()
        if isinstance(content, (Article, Page)):
            as_read = dict(vars(content))
            # A copy: a plugin may change the metadata in place later.
            as_read["metadata"] = dict(content.metadata)
            self._as_read[content.source_path] = (content, as_read)

    def _keep_generators(self, generators) -> None:
        self._generators = list(generators)

    # -- The fast path -----------------------------------------------------

    def find(self, source: Path):
        """(generator, content object, kind) of the post or page read from
        `source` in the last good build; None if it is not one."""
        if self.last is None:
            return None
        kept = self.last.as_read.get(str(source.resolve()))
        if kept is None:
            return None
        content = kept[0]
        for generator in self.last.generators:
            if isinstance(generator, ArticlesGenerator):
                lists = {"article": ARTICLE_LISTS, "draft": DRAFT_LISTS}
            elif isinstance(generator, PagesGenerator):
                lists = {"page": PAGE_LISTS}
            else:
                continue
            for kind, names in lists.items():
                for name in names:
                    if any(item is content for item in getattr(generator, name)):
                        return generator, content, kind
        return None

    def fast_render(self, source: Path) -> Outcome | None:
        """Re-render the page of `source` if only its body changed. Returns
        None when the fast path does not apply (not a known post or page,
        or its metadata changed): a full build shows the change."""
        found = self.find(source)
        if found is None:
            return None
        generator, old, kind = found
        fresh.forget_logged_warnings()
        _old_object, as_read = self.last.as_read[old.source_path]
        new = self._read_again(generator, old, source)
        if isinstance(new, Outcome):
            return new
        if not new.is_valid():
            return None
        if not _same(new.metadata, as_read.get("metadata")) or new.status != old.status:
            return None
        # What reading gave differently from last time is the body and what
        # is derived from it: move it into the old object, which every list
        # and every plugin's data holds.
        for name, value in vars(new).items():
            if name not in as_read or not _same(value, as_read[name]):
                setattr(old, name, value)
                as_read[name] = value
        fresh.forget_memos_of(old)
        writer = FastWriter(str(self.output), settings=self.last.settings)
        relative_urls = self.last.settings["RELATIVE_URLS"]
        template = generator.get_template(old.template)
        common = {
            "override_output": hasattr(old, "override_save_as"),
            "url": old.url,
            "relative_urls": relative_urls,
        }
        try:
            if kind == "page":
                writer.write_file(
                    old.save_as, template, generator.context, page=old, **common
                )
            else:
                extra = {"all_articles": generator.articles} if kind == "draft" else {}
                writer.write_file(
                    old.save_as,
                    template,
                    generator.context,
                    article=old,
                    category=getattr(old, "category", None),
                    blog=True,
                    **common,
                    **extra,
                )
        except Exception as error:  # noqa: BLE001 (a template error)
            return Outcome(errors=[describe(error, self.content, str(source))])
        return Outcome(written=writer.paths)

    def _read_again(self, generator, old, source: Path):
        """`source` read as the last build read it; an Outcome with the
        errors if that failed."""
        recorder = ErrorRecorder(self.content)
        logging.getLogger().addHandler(recorder)
        try:
            new = generator.readers.read_file(
                base_path=generator.path,
                path=os.path.relpath(source, generator.path),
                content_class=type(old),
                context=generator.context,
                **self._read_signals(generator),
            )
        except Exception as error:  # noqa: BLE001 (any error of a post being edited)
            return Outcome(errors=[describe(error, self.content, str(source))])
        finally:
            logging.getLogger().removeHandler(recorder)
        if recorder.errors:
            return Outcome(errors=recorder.errors)
        return new

    @staticmethod
    def _read_signals(generator) -> dict:
        if isinstance(generator, ArticlesGenerator):
            return {
                "preread_signal": signals.article_generator_preread,
                "preread_sender": generator,
                "context_signal": signals.article_generator_context,
                "context_sender": generator,
            }
        return {
            "preread_signal": signals.page_generator_preread,
            "preread_sender": generator,
            "context_signal": signals.page_generator_context,
            "context_sender": generator,
        }

    # -- Stylesheets -------------------------------------------------------

    def copy_theme_file(self, source: Path) -> str | None:
        """Copy a changed theme static file where Pelican copies it; returns
        its path in the output ("theme/css/main.css"), None if unknown."""
        if self.last is None:
            return None
        settings = self.last.settings
        theme = Path(settings["THEME"]).resolve()
        for folder in settings["THEME_STATIC_PATHS"]:
            root = (theme / folder).resolve()
            if source.resolve().is_relative_to(root):
                relative = source.resolve().relative_to(root)
                target = self.output / settings["THEME_STATIC_DIR"] / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(target.name + ".preview-tmp")
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(source, temporary)
                    os.replace(temporary, target)
                    return target.relative_to(self.output).as_posix()
        return None

    def is_theme_static(self, path: Path) -> bool:
        if self.last is None:
            return False
        theme = Path(self.last.settings["THEME"]).resolve()
        return any(
            path.resolve().is_relative_to((theme / folder).resolve())
            for folder in self.last.settings["THEME_STATIC_PATHS"]
        )


def _same(one, other) -> bool:
    """Whether two values read from a post are the same (values that cannot
    be compared are taken as different)."""
    if one is other:
        return True
    try:
        return bool(one == other)
    except Exception:  # noqa: BLE001 (an object whose __eq__ fails)
        return False
