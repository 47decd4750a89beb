"""Fixtures of the package's tests: the plugin kit's (each build warns afresh)."""

from pelican_plugin_kit.testing import warn_afresh  # noqa: F401
