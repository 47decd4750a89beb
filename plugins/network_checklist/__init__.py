"""Placeholder until this plugin's issue lands; see README.md."""

from .network_checklist import register

__all__ = ["register"]
