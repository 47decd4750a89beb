"""author_bios: author profiles with social handles; see README.md."""

from .author_bios import profile_folder, profile_for, register

__all__ = ["profile_folder", "profile_for", "register"]
