"""Placeholder until this plugin's issue lands; see README.md."""

from .feeds import register

__all__ = ["register"]
