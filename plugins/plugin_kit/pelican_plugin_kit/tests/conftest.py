"""The kit's own fixtures, as a plugin package's conftest.py imports them."""

from pelican_plugin_kit.testing import parse, warn_afresh  # noqa: F401
