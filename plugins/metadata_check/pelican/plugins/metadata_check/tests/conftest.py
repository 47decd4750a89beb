"""Fixtures of the package's tests, shared by every plugin package: fresh
warnings for each test's build (`warn_afresh`, autouse) and pages parsed with
the standard library (`parse`)."""

from pelican_plugin_kit.testing import parse, warn_afresh  # noqa: F401
