"""Feeds: Atom and RSS for the site, every series and every author. See README.md."""

from .feeds import register

__all__ = ["register"]
