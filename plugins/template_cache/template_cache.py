"""Each theme template compiled once per build, whichever generators use it;
and the `{% cache %}` tag (fragments.py), for blocks rendered once a build.

Pelican gives every generator its own Jinja environment, and each compiles
the templates it renders: `base.html` and the partials it includes were
compiled three times a build, about two thirds of the build's 0.19 s of
template compiling. This plugin hands every environment of a build the same
in-memory bytecode cache, so the second and third environments load the
compiled code (a `marshal.loads`) instead of compiling again.

The cache lives in the build's context (Pelican makes a fresh context for
every run), so `--autoreload` and every other build start empty. It is
never kept on disk or between builds: Jinja folds tests such as
`"search" is plugin_enabled` into the compiled code, so code compiled for
one build's PLUGINS must not serve another's. Within a build every
environment is made from the same settings (JINJA_ENVIRONMENT, filters,
tests), so the code is the same; Jinja also checks the template's source
against the cached code's checksum.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from pelican import signals

from .fragments import FragmentCache

STATE_KEY = "template_cache_build"
# False: every `{% cache %}` block is rendered every time (for comparing).
FRAGMENTS_SETTING = "TEMPLATE_FRAGMENT_CACHE"


class BuildBytecodeCache(BytecodeCache):
    """Compiled templates in memory, for the environments of one build."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def prepare_environment(generator) -> None:
    """Give the generator's environment the build's bytecode cache and the
    `{% cache %}` tag (unless JINJA_ENVIRONMENT already gave either)."""
    env = generator.env
    cache = generator.context.get(STATE_KEY)
    if cache is None:
        cache = generator.context[STATE_KEY] = BuildBytecodeCache()
    if env.bytecode_cache is None:
        env.bytecode_cache = cache
    if FragmentCache.identifier not in env.extensions:
        env.add_extension(FragmentCache)
    env.fragment_cache_enabled = bool(generator.settings.get(FRAGMENTS_SETTING, True))


def register():
    signals.generator_init.connect(prepare_environment)
