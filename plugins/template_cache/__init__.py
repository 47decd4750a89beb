"""template_cache: each template compiled once a build, not once a generator."""

from .template_cache import register

__all__ = ["register"]
