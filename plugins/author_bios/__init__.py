"""Placeholder until this plugin's issue lands; see README.md."""

from .author_bios import register

__all__ = ["register"]
