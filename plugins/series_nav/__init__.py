"""Placeholder until this plugin's issue lands; see README.md."""

from .series_nav import register

__all__ = ["register"]
