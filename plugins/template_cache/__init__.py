"""template_cache: each template compiled once a build, not once a generator;
the `{% cache %}` tag, for blocks rendered once a build."""

from .template_cache import register

__all__ = ["register"]
