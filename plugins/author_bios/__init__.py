"""author_bios: author profiles with social handles; see README.md."""

from .author_bios import register

__all__ = ["register"]
