"""Series navigation for Pelican: parts, contents, series pages, announced parts."""

from .series_nav import (
    Series,
    SeriesCatalog,
    SeriesGenerator,
    register,
    series_index,
    series_slug,
)

__all__ = [
    "Series",
    "SeriesCatalog",
    "SeriesGenerator",
    "register",
    "series_index",
    "series_slug",
]
