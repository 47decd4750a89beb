"""pagefind_search: a Pagefind index of the built site, with the search box
and search page. See README.md in this folder."""

from .pagefind_search import IndexReport, build_index, register

__all__ = ["IndexReport", "build_index", "register"]
